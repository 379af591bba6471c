# backends: once
# Copying a directory into itself or below itself, or a file onto itself,
# is refused before anything is written.
. "$TESTLIB"

mkdir -p src/sub
echo data > src/sub/file
echo data > file
before=$(find src | sort)

pc src src/sub/inside 2> err
[ $? -eq 1 ] || fail "into itself: not exit 1"
grep -q "cannot copy a directory, 'src', into itself, 'src/sub/inside'" err ||
    fail "message: $(cat err)"
pc src src 2> err
[ $? -eq 1 ] || fail "into itself (SRC DIR form): not exit 1"
pc -T src src 2> err
[ $? -eq 1 ] || fail "onto itself: not exit 1"
ln -s src alias
pc alias/ alias/sub/x 2> err
[ $? -eq 1 ] || fail "through a symlink: not exit 1"
[ "$(find src | sort)" = "$before" ] || fail "something was written in src"

pc file file 2> err
[ $? -eq 1 ] || fail "file onto itself: not exit 1"
grep -q "'file' and 'file' are the same file" err || fail "message: $(cat err)"
[ "$(cat file)" = data ] || fail "the file was damaged"
ln file hard
pc file hard 2> err
[ $? -eq 1 ] || fail "file onto a hard link of itself: not exit 1"
[ "$(cat file)" = data ] || fail "the file was damaged"
exit 0
