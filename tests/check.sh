#!/bin/bash
# tests/check.sh - what "make check" runs once everything is built:
#   1. the C unit tests (built with ASan+UBSan; the queue also with TSan)
#   2. the integration cases with ./pcopy under every backend
#   3. the cases that depend on the file system (copy calls, holes,
#      xattrs and ACLs) again on disk, in $TMPDIR (default /tmp)
#   4. the cases with the ASan+UBSan build, each under one backend, the
#      three in turn
#   5. the cases with the TSan build, each under one of the threaded
#      backends in turn
# and one last line "N passed, N failed" for all of it.
#
# Passes 2, 4 and 5 run two cases at a time (most of a case's time is
# spent waiting), but for those marked "# serial", which run alone.
# They run on tmpfs when /dev/shm is there: a disk without
# a journal makes creating files slow after mass deletions (every case
# deletes its scratch tree), which would triple the time of the check
# for no extra coverage.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
results=$(mktemp)
trap 'rm -f "$results"' EXIT

# Sanitizers stop the process at the first report, so a report fails the
# case that caused it.
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

echo "== unit tests"
for u in ${UNITS:-}; do
	for build in asan tsan; do
		bin=.build/$build/$u
		[ -x "$bin" ] || continue
		if out=$("$bin" 2>&1); then
			printf 'PASS %s [%s]\n' "$u" "$build"
			echo "$build $u unit PASS" >> "$results"
		else
			printf 'FAIL %s [%s]\n' "$u" "$build"
			echo "$out" | sed 's/^/     | /' | tail -n 30
			echo "$build $u unit FAIL" >> "$results"
		fi
	done
done

echo "== fuzz corpus (make fuzz runs the fuzzer itself)"
if [ -x "${FUZZ_UNPACK:-}" ] && out=$("$FUZZ_UNPACK" -runs=0 tests/fuzz/corpus 2>&1); then
	echo "PASS fuzz_unpack corpus"
	echo "fuzz corpus replay PASS" >> "$results"
else
	echo "FAIL fuzz_unpack corpus"
	echo "${out:-no fuzz target built}" | tail -n 20 | sed 's/^/     | /'
	echo "fuzz corpus replay FAIL" >> "$results"
fi

shm=${TMPDIR:-/tmp}
[ -d /dev/shm ] && [ -w /dev/shm ] && shm=/dev/shm
echo "== integration tests"
PCOPY=./pcopy TMPDIR=$shm tests/run.sh -j 2 -r "$results" 2>&1 |
    grep -v ' passed, '
echo "== integration tests on disk (${TMPDIR:-/tmp})"
disk_cases="tree bigfile sparse torture fullspace archive-roundtrip"
PCOPY=./pcopy tests/run.sh -l disk -r "$results" -b threads \
    $(for c in $disk_cases; do echo tests/cases/$c.sh; done) 2>&1 |
    grep -v ' passed, '
echo "== integration tests, ASan+UBSan build"
PCOPY=.build/asan/pcopy TMPDIR=$shm tests/run.sh -1 -j 2 -l asan -r "$results" \
    2>&1 |
    grep -v ' passed, '
echo "== integration tests, TSan build"
PCOPY=.build/tsan/pcopy TMPDIR=$shm tests/run.sh -1 -j 2 -l tsan -b "threads mixed" \
    -r "$results" 2>&1 | grep -v ' passed, '

pass=$(grep -c ' PASS$' "$results")
failed=$(grep -c ' FAIL$' "$results")
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
