# Copying onto an existing tree replaces its files with complete copies,
# never follows a symlink that sits where a file or directory goes (so
# nothing outside the destination changes), refuses to put a file over a
# directory or a directory over a file, and a second run changes nothing.
. "$TESTLIB"

mkdir -p src/d src/e outside
echo new > src/file
echo new > src/d/inner
echo new > src/e/x
echo new > src/dirhere
mkdir -p src/filehere
echo new > src/linkfile
ln src/file src/d/hard
stamp_tree src
echo "do not touch" > outside/victim
mkdir -p dst/dirhere dst/d
echo old > dst/file
echo old > dst/d/inner
echo old > dst/filehere
ln -s ../outside/victim dst/linkfile
ln -s ../outside dst/e

pc -T src dst 2> err
rc=$?
[ $rc -eq 1 ] || fail "exit $rc, not 1: $(cat err)"
grep -q "cannot overwrite directory 'dst/dirhere' with non-directory" err ||
    fail "no refusal for a file over a directory: $(cat err)"
grep -q "cannot overwrite non-directory 'dst/filehere' with directory" err ||
    fail "no refusal for a directory over a file: $(cat err)"
[ "$(cat outside/victim)" = "do not touch" ] || fail "followed a symlink"
[ -e outside/x ] && fail "wrote through a symlinked directory"
[ -L dst/linkfile ] && fail "the symlink was not replaced"
cmp -s src/linkfile dst/linkfile || fail "linkfile not copied"
[ -d dst/e ] && [ ! -L dst/e ] || fail "symlink where a directory goes"
cmp -s src/file dst/file && cmp -s src/d/inner dst/d/inner ||
    fail "old files were not replaced"
[ "$(stat -c %i dst/file)" = "$(stat -c %i dst/d/hard)" ] ||
    fail "hard link not kept"
ls -A dst dst/d | grep -q '^\.pcopy' && fail "a temporary was left"

rm -rf dst/dirhere dst/filehere
pc -T src dst 2> err || fail "second run: exit $?: $(cat err)"
pc -T src dst 2> err || fail "third run: exit $?: $(cat err)"
same_as_cp src dst -R
exit 0
