# serial: it catches a copy mid-way by the clock, so it runs alone
# Without a progress display the walk does not stat regular files: the
# copy stats each through the descriptor it opened.  A file that changed
# since the listing is still copied as what it is now: one swapped for
# a FIFO becomes a FIFO, one swapped for a directory is an error naming
# it (exit 1), and the rest of the tree is copied.
. "$TESTLIB"

mkdir -p src/sub
echo fifo-to-be > src/z
echo dir-to-be > src/y
echo stays > src/x
echo deeper > src/sub/w

# One slow worker: every task waits 0.3 s before it starts.  The listing
# of src makes dst/sub while it takes the names (and types) of y and z;
# their copies start at least 0.3 s later.
PCOPY_TEST_DELAY_MS=300 pc -j 1 src dst 2> err &
pid=$!
for _ in $(seq 500); do
	[ -d dst/sub ] && break
	sleep 0.02
done
[ -d dst/sub ] || { kill $pid; setup_error "the listing never came"; }
rm src/z src/y && mkfifo src/z && mkdir src/y || setup_error "swap"
wait $pid
rc=$?
[ $rc -eq 1 ] || fail "exit $rc, not 1: $(cat err)"
grep -q "^pcopy: error reading 'src/y': Is a directory$" err ||
    fail "no error for the directory: $(cat err)"
[ "$(grep -c "^pcopy: error" err)" = 1 ] || fail "other errors: $(cat err)"
[ -p dst/z ] || fail "dst/z is not a FIFO: $(ls -l dst)"
[ -e dst/y ] && fail "dst/y was made: $(ls -ld dst/y)"
[ "$(cat dst/x)" = stays ] || fail "dst/x"
[ "$(cat dst/sub/w)" = deeper ] || fail "dst/sub/w"
exit 0
