# backends: once
# GNU cp's target rules: SRC DST creates DST; SRC DIR copies into
# DIR/SRC; SRC... DIR; -t DIR; -T merges into an existing DST; a file to
# a file or into a directory; more than two operands need a directory.
. "$TESTLIB"

mkdir -p s/sub other out
echo x > s/sub/f
echo y > other/g
echo z > file
stamp_tree s

pc s new || fail "SRC DST"
[ -f new/sub/f ] || fail "SRC DST did not create DST"
pc s out || fail "SRC DIR"
[ -f out/s/sub/f ] || fail "SRC DIR did not copy into DIR/SRC"
mkdir multi
pc s other file multi || fail "SRC SRC SRC DIR"
[ -f multi/s/sub/f ] && [ -f multi/other/g ] && [ -f multi/file ] ||
    fail "SRC... DIR"
mkdir tdir
pc -t tdir s file || fail "-t DIR"
[ -f tdir/s/sub/f ] && [ -f tdir/file ] || fail "-t DIR SRC..."
mkdir merge
echo keep > merge/keep
pc -T s merge || fail "-T"
[ -f merge/sub/f ] && [ -f merge/keep ] || fail "-T did not merge"
pc file copy.txt || fail "FILE FILE"
cmp -s file copy.txt || fail "FILE FILE content"
pc file out || fail "FILE DIR"
cmp -s file out/file || fail "FILE DIR content"
pc s/ slash || fail "SRC/ DST"
[ -f slash/sub/f ] || fail "SRC/ DST"

pc s other file notadir 2> err
[ $? -eq 2 ] || fail "three operands without a directory should exit 2"
grep -q "is not a directory" err || fail "no reason: $(cat err)"
pc -t nodir s 2> err
[ $? -eq 2 ] || fail "-t with a missing directory should exit 2"
exit 0
