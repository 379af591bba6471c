# As an ordinary user, ownership is silently not kept (as cp does, with
# set-ID bits dropped when the owner cannot be kept), everything else is,
# and the result is the same as cp -a run by the same user.
. "$TESTLIB"

[ "$(id -u)" = 0 ] || skip "needs root to switch to another user"
command -v setpriv >/dev/null || skip "no setpriv"
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}
HAVE_XATTR=0 HAVE_ACL=0 HAVE_ROOT=0
touch probe
setfattr -n user.probe -v 1 probe 2>/dev/null && HAVE_XATTR=1
setfacl -m u:65534:r probe 2>/dev/null && HAVE_ACL=1
rm -f probe
make_torture src
chmod -R a+rX src 2>/dev/null
# Root's file with the sticky bit: cp drops the bit with the owner (a
# directory keeps it: src/modes/sticky).
echo t > src/modes/sticky-file
chmod 1755 src/modes/sticky-file
# Our read-only file and directory with attributes: cp makes them
# writable for us while it sets the attributes.
if [ "$HAVE_XATTR" = 1 ]; then
	mkdir src/rodir
	echo r > src/rofile
	setfattr -n user.ro -v file src/rofile
	setfattr -n user.ro -v dir src/rodir
	# With an ACL too: set last, as setting it sets the mode bits.
	if [ "$HAVE_ACL" = 1 ]; then
		setfacl -m u:65534:r src/rofile
	fi
	chown 65534:65534 src/rofile src/rodir
	chmod 0444 src/rofile
	chmod 0555 src/rodir
fi
stamp_tree src
# Ours and read-only (copied whole); root's and closed (unreadable).
chown -R 65534:65534 src/modes/readonly
chmod 0500 src/modes/readonly
chmod 0000 src/modes/closed
echo mine > src/mine
touch -m -d '2001-01-01' src/mine
touch -a -d "@$FUTURE_EPOCH" src/mine
chown 65534:65534 src/mine src/modes/suid
chmod 4755 src/modes/suid
mkdir out
chown 65534:65534 out
as_nobody cp -a src out/ref 2> cp.err
as_nobody "$PCOPY" --backend="$BACKEND" src out/dst 2> pc.err
rc=$?
# Both fail on the same unreadable directory (0000); nothing else.
grep -q "cannot open directory 'src/modes/closed': Permission denied" pc.err ||
    fail "no message for the unreadable directory: $(head -c 400 pc.err)"
[ $rc -eq 1 ] || fail "exit $rc, not 1"
[ "$(grep -c '^pcopy: cannot' pc.err)" = 1 ] ||
    fail "unexpected messages: $(head -c 600 pc.err)"
"$TREECMP" -B out/ref out/dst || fail "differs from cp -a run as nobody"
[ "$(stat -c %U out/dst/a/hello.txt)" = nobody ] || fail "owner not nobody"
[ "$(stat -c %a out/dst/modes/suid)" = 4755 ] ||
    fail "set-user-ID of our own file dropped"
m=$(stat -c %a out/dst/modes/sticky-file)
[ "$m" = 755 ] || fail "kept the sticky bit of root's file: $m"
[ "$(stat -c %a out/dst/modes/sticky)" = 1777 ] ||
    fail "dropped the sticky bit of a directory"
if [ "$HAVE_XATTR" = 1 ]; then
	for f in rofile rodir; do
		v=$(getfattr --only-values -n user.ro "out/dst/$f" 2>/dev/null)
		[ "$v" = "$(getfattr --only-values -n user.ro "src/$f")" ] ||
		    fail "lost user.ro of read-only $f"
	done
	[ "$(stat -c %a out/dst/rofile) $(stat -c %a out/dst/rodir)" = \
	    "444 555" ] || fail "read-only modes not kept"
	if [ "$HAVE_ACL" = 1 ]; then
		getfacl -cp out/dst/rofile | grep -qx 'user:nobody:r--' ||
		    fail "lost the ACL of a read-only file"
	fi
fi

# A destination directory it may write and search but not read (0300).
mkdir -p s2/sub/d1 m2/sub
echo f > s2/sub/f
chown -R 65534:65534 s2 m2
chmod 0300 m2/sub
as_nobody "$PCOPY" --backend="$BACKEND" -T s2 m2 2> err ||
    fail "into a 0300 directory: exit $?: $(cat err)"
[ -f m2/sub/f ] && [ -d m2/sub/d1 ] || fail "not copied into the 0300 directory"
# Its metadata is set through the O_PATH descriptor it was opened with.
[ "$(stat -c %a m2/sub)" = "$(stat -c %a s2/sub)" ] ||
    fail "0300 directory kept mode $(stat -c %a m2/sub)"
exit 0
