# serial: it catches a copy mid-way by the clock, so it runs alone
# A large file is copied in chunks, each opened on its own: if the file
# is replaced (renamed over, as log rotation does) or shrinks while its
# chunks are copied, the pieces would not fit together.  pcopy says so
# in cp's words, exit 1, and leaves no copy and no temporary; the other
# files are copied.
. "$TESTLIB"

# 16 MiB in chunks of 4M, 300 ms before each task and after each piece:
# with one worker the chunks run from about 0.9 s to 3 s.
setup() {
	rm -rf src dst
	mkdir src
	head -c $((16 * 1048576)) /dev/urandom > src/big
	echo other > src/small
	head -c $((16 * 1048576)) /dev/urandom > other
}

# run_changing JOBS COMMAND...: run COMMAND once the copy has begun.
run_changing() {
	local jobs=$1

	shift
	PCOPY_TEST_DELAY_MS=300 "$PCOPY" --backend="$BACKEND" -j "$jobs" \
	    --chunk-size=4M src dst 2> err &
	pid=$!
	for i in $(seq 1 100); do
		ls -A dst 2>/dev/null | grep -q '^\.pcopy\.' && break
		sleep 0.05
	done
	sleep 0.2
	"$@"
	wait $pid
	rc=$?
}

check_refused() {
	[ $rc -eq 1 ] || fail "$1: exit $rc, not 1: $(cat err)"
	[ "$(grep -c "skipping file 'src/big', as it $2 while being copied" \
	    err)" = 1 ] || fail "$1: not one message: $(cat err)"
	[ -e dst/big ] && fail "$1: a copy was left as dst/big"
	ls -A dst | grep -q '^\.pcopy\.' && fail "$1: a temporary was left"
	[ "$(cat dst/small)" = other ] || fail "$1: the rest was not copied"
}

# Four workers: the three chunks after the first all find the new file,
# and the file is named once.
setup
run_changing 4 mv other src/big
check_refused "renamed over" "was replaced"

# One worker: the chunks after the failed one are not handed out.
setup
run_changing 1 truncate -s 1M src/big
check_refused "truncated" "shrank"

# Growing is fine: the copy holds what the file held when it was planned.
setup
cp src/big before
run_changing 1 sh -c 'head -c 1048576 /dev/zero >> src/big'
[ $rc -eq 0 ] || fail "appended to: exit $rc: $(cat err)"
cmp -s before dst/big || fail "appended to: the copy is not the planned file"
exit 0
