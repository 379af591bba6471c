# backends: once
# How pcopy tells archives from directories (pcopy(1), ARCHIVES): a DST
# named like an archive that is not a directory becomes one; an existing
# directory named like an archive is still a directory; a regular file
# named like an archive, with a plain DST, is extracted; two archive
# names, or -t, copy the file as it is; "-" only as the stream ends.
. "$TESTLIB"

mkdir -p src/d
echo data > src/d/f
stamp_tree src
mkdir box.tar
pc src box.tar || fail "into a directory named box.tar: exit $?"
[ -f box.tar/src/d/f ] || fail "a directory named like an archive was not one"
pc src new.tar || fail "SRC new.tar: exit $?"
tar -tf new.tar | grep -qx 'd/f' || fail "new.tar is not an archive of src"
echo old > existing.tar
pc src existing.tar || fail "SRC existing.tar: exit $?"
tar -tf existing.tar | grep -qx 'd/f' || fail "existing.tar was not replaced"
pc new.tar out || fail "ARCHIVE DST: exit $?"
[ -f out/d/f ] || fail "new.tar was not extracted"
pc new.tar copy.tar || fail "ARCHIVE ARCHIVE: exit $?"
cmp -s new.tar copy.tar || fail "an archive to an archive name is a copy"
mkdir tdir
pc -t tdir new.tar || fail "-t DIR ARCHIVE: exit $?"
cmp -s new.tar tdir/new.tar || fail "-t copies an archive as a file"
pc src - src2 2> err
[ $? -eq 2 ] || fail "'-' in the middle: not a usage error"
exit 0
