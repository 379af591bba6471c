#!/bin/bash
# tests/run.sh - run the integration cases under each backend.
#
# usage: tests/run.sh [-b "threads fork mixed"] [-l LABEL] [-r RESULTS]
#                     [CASE...]
#   -b  backends to run every case under (default: all three)
#   -l  label for the report lines (e.g. asan)
#   -r  append "LABEL CASE BACKEND RESULT" lines to RESULTS
# Environment: PCOPY (default ./pcopy), TREECMP (default
# .build/treecmp), CASE_TIMEOUT seconds (default 300).
#
# A case whose first lines hold "# backends: once" runs once (it tests
# something no backend changes); "# backends: fork mixed" restricts it.
# Ends with the line "N passed, N failed"; exits 1 if any failed.

set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
backends="threads fork mixed"
label=""
results=""
while getopts "b:l:r:" opt; do
	case $opt in
	b) backends=$OPTARG ;;
	l) label=$OPTARG ;;
	r) results=$OPTARG ;;
	*) echo "usage: $0 [-b BACKENDS] [-l LABEL] [-r RESULTS] [CASE...]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))

export PCOPY=$(realpath "${PCOPY:-$top/pcopy}")
export TREECMP=$(realpath "${TREECMP:-$top/.build/treecmp}")
export TESTLIB="$here/lib.sh"
export TEST_CACHE=$(mktemp -d "${TMPDIR:-/tmp}/pcopy-cache.XXXXXX")
trap 'rm -rf "$TEST_CACHE"' EXIT
timeout_s=${CASE_TIMEOUT:-300}

if [ $# -eq 0 ]; then
	set -- "$here"/cases/*.sh
fi

pass=0 failed=0 skipped=0
tag=${label:+ $label}

run_one() {
	local case=$1 backend=$2 name log rc start
	name=$(basename "$case" .sh)
	log="$TEST_CACHE/$name.$backend.log"
	start=$SECONDS
	BACKEND=$backend timeout -k 10 "$timeout_s" bash "$case" >"$log" 2>&1
	rc=$?
	case $rc in
	0)  pass=$((pass + 1)); result=PASS ;;
	77) skipped=$((skipped + 1)); result=SKIP ;;
	*)  failed=$((failed + 1)); result=FAIL ;;
	esac
	printf '%-4s %s [%s%s] %ds\n' "$result" "$name" "$backend" "$tag" \
	    $((SECONDS - start))
	if [ "$result" = FAIL ]; then
		[ $rc -eq 124 ] && echo "     (timed out after ${timeout_s}s)"
		sed 's/^/     | /' "$log" | tail -n 40
	elif [ "$result" = SKIP ]; then
		sed 's/^/     | /' "$log" | tail -n 3
	fi
	if [ -n "$results" ]; then
		echo "${label:-plain} $name $backend $result" >> "$results"
	fi
}

for case in "$@"; do
	wanted=$(sed -n '1,5s/^# backends: *//p' "$case")
	case $wanted in
	once) run_one "$case" "${backends%% *}"; continue ;;
	"") list=$backends ;;
	*)  list=""
	    for b in $backends; do
		    case " $wanted " in *" $b "*) list="$list $b" ;; esac
	    done ;;
	esac
	for b in $list; do
		run_one "$case" "$b"
	done
done

[ $skipped -gt 0 ] && echo "($skipped skipped)"
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
