# pcopy src - | pcopy - dst makes the same tree as cp -a src dst: modes,
# owners, ns times, symlinks, hard links, devices, fifos, xattrs, ACLs and
# holes all travel in the pax stream.  (Sockets cannot be in a tar
# archive: left out with a warning, as tar does.)
. "$TESTLIB"

probe_features
make_torture src
cp -a src ref || setup_error "cp -a"
rm -f ref/types/socket
touch -h -r src/types ref/types     # the rm moved its mtime
pc src - 2> err.pack | pc - dst 2> err.unpack
status=("${PIPESTATUS[@]}")
[ "${status[0]}" = 0 ] || fail "pcopy src - exited ${status[0]}: $(head -c 400 err.pack)"
[ "${status[1]}" = 0 ] || fail "pcopy - dst exited ${status[1]}: $(head -c 400 err.unpack)"
grep -q "types/socket' is left out" err.pack || fail "no word of the socket"
[ "$(grep -vc "left out" err.pack)" = 0 ] || fail "pack said: $(cat err.pack)"
[ -s err.unpack ] && fail "unpack said: $(cat err.unpack)"
"$TREECMP" -B ref dst || fail "the round trip differs from cp -a"
attr_dump ref > a.ref
attr_dump dst > a.dst
short_diff a.ref a.dst || fail "getfattr output differs"
if [ "$HAVE_ACL" = 1 ]; then
	acl_dump ref > acl.ref
	acl_dump dst > acl.dst
	short_diff acl.ref acl.dst || fail "getfacl output differs"
fi
[ "$(stat -c %b dst/sparse/holes)" -lt 1024 ] || fail "holes were filled"

# The same through an archive file, compressed.
pc src out.tar.zst 2>/dev/null || fail "pcopy src out.tar.zst: exit $?"
pc out.tar.zst dst2 || fail "pcopy out.tar.zst dst2: exit $?"
"$TREECMP" -B ref dst2 || fail "the .tar.zst round trip differs"
exit 0
