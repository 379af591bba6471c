# serial: it catches a copy mid-way by the clock, so it runs alone
# Writing an archive, a file larger than one read (4 MiB) is read through
# several opens.  If it is replaced (renamed over, as log rotation does)
# or shrinks between them, its member would be put together from two
# files.  pcopy pads the rest of the member with zeros, as tar does for
# a file that shrank, says so once and exits 1; a file replaced before
# its first read is left out.  The other members are complete.
. "$TESTLIB"

MIB=1048576

# a (64 KiB) is read first, then big in four pieces, then small.
setup() {
	rm -rf src x out.tar err
	mkdir src x
	head -c $((64 * 1024)) /dev/urandom > src/a
	head -c $((16 * MIB)) /dev/urandom > src/big
	echo other > src/small
	head -c $((16 * MIB)) /dev/urandom > other
	cp src/big before
}

# run_changing BYTES COMMAND...: one worker, each read 400 ms after the
# one before; run COMMAND once the stream holds BYTES, so while the read
# after them waits.
run_changing() {
	local bytes=$1 i

	shift
	PCOPY_TEST_DELAY_MS=400 "$PCOPY" --backend="$BACKEND" -j 1 src - \
	    > out.tar 2> err &
	pid=$!
	for i in $(seq 1 200); do
		[ "$(stat -c %s out.tar)" -ge "$bytes" ] && break
		sleep 0.02
	done
	"$@"
	wait $pid
	rc=$?
	tar -xf out.tar -C x || fail "the stream does not extract"
	cmp -s src/a x/a || fail "a is not complete"
	[ "$(cat x/small)" = other ] || fail "small is not complete"
}

# check_padded HOW: x/big is the old file's first 4 MiB, then zeros.
check_padded() {
	[ $rc -eq 1 ] || fail "$1: exit $rc, not 1: $(cat err)"
	[ "$(grep -c "'big' $1 while it was read; padded with zeros" \
	    err)" = 1 ] || fail "$1: not one message: $(cat err)"
	[ "$(stat -c %s x/big)" = $((16 * MIB)) ] || fail "$1: member size"
	cmp -s <(head -c $((4 * MIB)) before) <(head -c $((4 * MIB)) x/big) ||
	    fail "$1: the first piece is not the old file's"
	cmp -s <(tail -c +$((4 * MIB + 1)) x/big) \
	    <(head -c $((12 * MIB)) /dev/zero) ||
	    fail "$1: the rest is not zeros"
}

# Renamed over after the first piece: the three after it are zeros.
setup
run_changing $((4 * MIB + 50 * 1024)) mv other src/big
check_padded "was replaced"

# Truncated after the first piece.
setup
run_changing $((4 * MIB + 50 * 1024)) truncate -s $MIB src/big
check_padded "shrank"

# Renamed over before its first read: left out.
setup
run_changing $((50 * 1024)) mv other src/big
[ $rc -eq 1 ] || fail "before: exit $rc, not 1: $(cat err)"
[ "$(grep -c "'big' is left out: it was replaced while it was read" \
    err)" = 1 ] || fail "before: not one message: $(cat err)"
[ -e x/big ] && fail "before: big is in the archive"

# Growing is fine: the member holds what the file held when planned.
setup
run_changing $((4 * MIB + 50 * 1024)) \
    sh -c "head -c $MIB /dev/zero >> src/big"
[ $rc -eq 0 ] || fail "appended to: exit $rc: $(cat err)"
cmp -s before x/big || fail "appended to: the member is not the planned file"
exit 0
