# Several SRC operands with the same target: directories merge one after
# another in operand order, so the later one's files win (as with cp),
# even for a file copied in chunks; a second file onto the same target
# is refused, as cp refuses to overwrite a file it has just made.
. "$TESTLIB"

mkdir -p a/d b/d x y out out2
mkfile a/d/big $((8 * 1048576))
echo tiny > b/d/big
echo only-a > a/d/a-only
echo only-b > b/d/b-only
pc --chunk-size=1M a/d b/d out/ || fail "merge: exit $?"
cmp -s b/d/big out/d/big || fail "the later operand's file did not win"
[ -f out/d/a-only ] && [ -f out/d/b-only ] || fail "not merged"
ls -A out/d | grep -q '^\.pcopy\.' && fail "a temporary was left"
pc --chunk-size=1M b/d a/d out2/ || fail "merge: exit $?"
cmp -s a/d/big out2/d/big || fail "the later operand's chunked file lost"

echo first > x/f
echo second > y/f
mkdir files
pc x/f y/f files/ 2> err
[ $? -eq 1 ] || fail "two files onto one target: not exit 1"
grep -q "will not overwrite just-created 'files/f' with 'y/f'" err ||
    fail "message: $(cat err)"
[ "$(cat files/f)" = first ] || fail "the first file was replaced"
exit 0
