#!/bin/bash
# tests/run.sh - run the integration cases under each backend.
#
# usage: tests/run.sh [-b "threads fork mixed"] [-1] [-j N] [-l LABEL]
#                     [-r RESULTS] [CASE...]
#   -b  backends to run every case under (default: all three)
#   -1  run each case under one of them only, taking them in turn (the
#       sanitizer passes: every backend is covered, at a third the time)
#   -j  run up to N cases at once (default 1); a case marked "# serial"
#       (it times something, or needs the machine quiet to catch a copy
#       mid-way) always runs alone, after the others
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
rotate=0
jobs=1
while getopts "1b:j:l:r:" opt; do
	case $opt in
	1) rotate=1 ;;
	b) backends=$OPTARG ;;
	j) jobs=$OPTARG ;;
	l) label=$OPTARG ;;
	r) results=$OPTARG ;;
	*) echo "usage: $0 [-b BACKENDS] [-1] [-j N] [-l LABEL] [-r RESULTS]" \
	       "[CASE...]" >&2
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
outcomes="$TEST_CACHE/outcomes"
: > "$outcomes"

if [ $# -eq 0 ]; then
	set -- "$here"/cases/*.sh
fi

tag=${label:+ $label}

# Run one case under one backend; print its line (and its log when it
# failed) in one write, so lines of cases run at once do not mix.
run_one() {
	local case=$1 backend=$2 name log rc start result report
	name=$(basename "$case" .sh)
	log="$TEST_CACHE/$name.$backend.log"
	start=$SECONDS
	BACKEND=$backend timeout -k 10 "$timeout_s" bash "$case" >"$log" 2>&1
	rc=$?
	case $rc in
	0)  result=PASS ;;
	77) result=SKIP ;;
	*)  result=FAIL ;;
	esac
	report=$(printf '%-4s %s [%s%s] %ds\n' "$result" "$name" "$backend" \
	    "$tag" $((SECONDS - start))
	if [ "$result" = FAIL ]; then
		[ $rc -eq 124 ] && echo "     (timed out after ${timeout_s}s)"
		sed 's/^/     | /' "$log" | tail -n 40
	elif [ "$result" = SKIP ]; then
		sed 's/^/     | /' "$log" | tail -n 3
	fi)
	printf '%s\n' "$report"
	echo "$result" >> "$outcomes"
	if [ -n "$results" ]; then
		echo "${label:-plain} $name $backend $result" >> "$results"
	fi
}

# The backends case runs under, after its "# backends:" line and -1, in
# $list (not in a subshell: -1's turn goes on from case to case).
pick_backends() {
	local case=$1 wanted b
	wanted=$(sed -n '1,5s/^# backends: *//p' "$case")
	case $wanted in
	once) list=${backends%% *}; return ;;
	"") list=$backends ;;
	*)  list=""
	    for b in $backends; do
		    case " $wanted " in *" $b "*) list="$list $b" ;; esac
	    done ;;
	esac
	if [ $rotate = 1 ] && [ -n "$list" ]; then
		read -r -a choice <<< "$list"
		turn=$(( ${turn:-0} + 1 ))
		list=${choice[$(( turn % ${#choice[@]} ))]}
	fi
}

serial=()
running=0
for case in "$@"; do
	pick_backends "$case"
	if [ "$jobs" -gt 1 ] && sed -n '1,5p' "$case" | grep -q '^# serial'; then
		for b in $list; do serial+=("$case:$b"); done
		continue
	fi
	for b in $list; do
		if [ "$jobs" -le 1 ]; then
			run_one "$case" "$b"
			continue
		fi
		if [ $running -ge "$jobs" ]; then
			wait -n
			running=$((running - 1))
		fi
		run_one "$case" "$b" &
		running=$((running + 1))
	done
done
wait
for cb in "${serial[@]}"; do
	run_one "${cb%:*}" "${cb##*:}"
done

pass=$(grep -c '^PASS$' "$outcomes")
failed=$(grep -c '^FAIL$' "$outcomes")
skipped=$(grep -c '^SKIP$' "$outcomes")
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
