# serial: it catches a copy mid-way by the clock, so it runs alone
# The destination cannot be tricked and loses nothing: killing pcopy
# (SIGKILL) while it replaces a large file leaves the old file intact;
# copying onto itself through a bind mount is refused; an absolute
# symlink where a file goes is replaced, its target untouched; copies
# made under a default ACL end with the source's ACLs, as cp -a's do;
# a copy for another owner is closed to others until it has that owner.
. "$TESTLIB"

# SIGKILL in the middle of replacing a large file.
mkdir src dst
big_file src/big
stamp_tree src
head -c $((40 * 1048576)) /dev/urandom > dst/big
cp dst/big old
PCOPY_TEST_DELAY_MS=60 "$PCOPY" --backend="$BACKEND" -j 2 --chunk-size=4M \
    -T src dst 2>/dev/null &
pid=$!
sleep 0.8
kill -KILL $pid
wait $pid 2>/dev/null
for i in $(seq 1 50); do
	pgrep -f "chunk-size=4M -T src dst" >/dev/null || break
	sleep 0.1
done
cmp -s dst/big old || fail "the old file was damaged by the killed copy"
pc -T src dst || fail "the run after the kill: exit $?"
cmp -s src/big dst/big || fail "the run after the kill did not copy"
ls -A dst | grep -q '^\.pcopy\.' && fail "the killed run's temporary stayed"
echo mine > dst/.pcopy.$$.1f
echo theirs > dst/.pcopy.4000000.2
chown 65534 dst/.pcopy.4000000.2
pc -T src dst || fail "exit $?"
[ -f dst/.pcopy.$$.1f ] || fail "removed the temporary of a live process"
[ -f dst/.pcopy.4000000.2 ] || fail "removed another user's file"

# An absolute symlink where a file goes, pointing outside.
mkdir -p s2 d2 outside
echo new > s2/f
echo precious > outside/target
ln -s "$T/outside/target" d2/f
pc -T s2 d2 || fail "exit $?"
[ "$(cat outside/target)" = precious ] || fail "wrote through the symlink"
[ -L d2/f ] && fail "the symlink is still there"
[ "$(cat d2/f)" = new ] || fail "f not copied"

# As cp: a copy of another user's file gives its group and others no
# access while it is written, when it still has our owner and group.
if [ "$(id -u)" = 0 ]; then
	mkdir win
	head -c $((24 * 1048576)) /dev/urandom > win/f
	chown 1234:1234 win/f
	chmod 0666 win/f
	PCOPY_TEST_DELAY_MS=400 "$PCOPY" --backend="$BACKEND" -j 1 \
	    --chunk-size=64M win wdst 2> err &
	pid=$!
	for i in $(seq 1 100); do
		[ -e wdst/f ] && break
		sleep 0.05
	done
	during=$(stat -c '%a %u' wdst/f 2>&1)
	wait $pid || fail "exit $? copying another user's file: $(cat err)"
	[ "$during" = "600 0" ] ||
	    fail "while written, another user's copy was '$during', not '600 0'"
	[ "$(stat -c '%a %u:%g' wdst/f)" = "666 1234:1234" ] ||
	    fail "the copy ended $(stat -c '%a %u:%g' wdst/f)"
	cmp -s win/f wdst/f || fail "another user's file copied wrong"
fi

# Default ACLs where the copy is made.
if setfacl -d -m u:65534:rwx,m::rwx d2 2>/dev/null; then
	mkdir -p s3/sub
	echo plain > s3/plain
	echo withacl > s3/sub/acl
	setfacl -m u:65534:r s3/sub/acl
	chmod 0750 s3/sub
	stamp_tree s3
	cp -a s3 d2/ref
	pc s3 d2/pc || fail "exit $?"
	acl_dump d2/ref > acl.ref
	acl_dump d2/pc > acl.pc
	short_diff acl.ref acl.pc || fail "ACLs differ from cp -a under a default ACL"
	"$TREECMP" d2/ref d2/pc || fail "differs from cp -a under a default ACL"
fi

# Onto itself through a bind mount.
mkdir -p s4/sub other
echo keep > s4/sub/f
if mount --bind s4 other 2>/dev/null; then
	trap 'umount "$T/other" 2>/dev/null; rm -rf "$T"' EXIT
	pc s4 other 2> err
	[ $? -eq 1 ] || fail "bind mount: not refused"
	grep -q "into itself" err || fail "bind mount: $(cat err)"
	pc -T s4 other 2> err
	[ $? -eq 1 ] || fail "bind mount -T: not refused"
	pc s4/sub/f other/sub/f 2> err
	[ $? -eq 1 ] || fail "bind mount file: not refused"
	grep -q "are the same file" err || fail "bind mount file: $(cat err)"
	[ "$(cat s4/sub/f)" = keep ] || fail "the file was damaged"
	[ "$(find s4 | wc -l)" = 3 ] || fail "something was written"
	umount other
fi
exit 0
