# A destination that fills up: each failing file is named, what fits is
# copied, and no partial file stays behind posing as a copy.
. "$TESTLIB"

mkdir full
mount -t tmpfs -o size=2m tmpfs full 2>/dev/null || skip "cannot mount tmpfs"
trap 'umount "$T/full" 2>/dev/null; rm -rf "$T"' EXIT
mkdir src
mkfile src/big $((3 * 1048576))
echo small > src/small
pc src full/dst 2> err
rc=$?
[ $rc -eq 1 ] || fail "disk full: exit $rc, not 1"
grep -q "^pcopy: error writing 'full/dst/big': No space left on device$" err ||
    fail "no message naming the file: $(cat err)"
[ -e full/dst/big ] && fail "a partial copy of big was left"
cmp -s src/small full/dst/small || fail "small was not copied"
ls -A full/dst | grep -q pcopy && fail "a temporary was left"
exit 0
