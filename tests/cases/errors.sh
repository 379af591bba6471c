# Bad input gets a clear error naming the path, the rest is copied, the
# exit status is 1, and no half-written file is left behind.
. "$TESTLIB"

mkdir -p src/ok src/locked
echo fine > src/ok/file
echo secret > src/secret
echo inside > src/locked/inside
stamp_tree src

# A missing SRC among good ones.
mkdir out
pc missing src out 2> err
rc=$?
[ $rc -eq 1 ] || fail "missing SRC: exit $rc, not 1"
grep -q "^pcopy: cannot open 'missing': No such file or directory$" err ||
    fail "missing SRC message: $(cat err)"
[ -f out/src/ok/file ] || fail "the good SRC was not copied"

# As an ordinary user: an unreadable file and directory, an unwritable
# destination directory.
command -v setpriv >/dev/null || skip "no setpriv"
chmod 000 src/secret src/locked
mkdir -p dst/ro
chown -R 65534:65534 dst
chown root:root dst/ro
chmod 755 dst/ro
mkdir -p src/ro && echo x > src/ro/x
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}
as_nobody "$PCOPY" --backend="$BACKEND" -T src dst 2> err
rc=$?
[ $rc -eq 1 ] || fail "unreadable entries: exit $rc, not 1: $(cat err)"
grep -q "^pcopy: cannot open 'src/secret': Permission denied$" err ||
    fail "no message for the unreadable file: $(cat err)"
grep -q "^pcopy: cannot open directory 'src/locked': Permission denied$" err ||
    fail "no message for the unreadable directory: $(cat err)"
grep -q "^pcopy: cannot create regular file 'dst/ro/x': Permission denied$" \
    err || fail "no message for the unwritable directory: $(cat err)"
grep -Eq "^pcopy: [0-9]+ errors; everything else was copied$" err ||
    fail "no count of failures: $(cat err)"
[ -f dst/ok/file ] || fail "the readable file was not copied"
[ -e dst/secret ] && fail "a copy of the unreadable file was left"
ls -A dst/ro | grep -q . && fail "something was left in dst/ro"

exit 0
