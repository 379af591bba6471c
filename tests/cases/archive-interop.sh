# Streams go both ways with GNU tar and bsdtar: tar -cf - | pcopy - dst,
# pcopy src - | tar -xf -, and pcopy src - | tar -tvf - lists it.
. "$TESTLIB"

probe_features
make_tree src small
rm -rf src/many
cp -a src ref
tar -C src --xattrs --acls -cf - . | pc - fromgnu 2> err ||
    fail "tar -cf - | pcopy - dst: exit $?: $(cat err)"
"$TREECMP" -A ref fromgnu || fail "what GNU tar wrote came out different"
mkdir togtar
pc src - | tar -C togtar --xattrs --acls -xpf - 2> err ||
    fail "pcopy src - | tar -xf -: $(cat err)"
"$TREECMP" -A ref togtar || fail "GNU tar extracted something different"
pc src - | tar -tvf - > list 2> err || fail "tar -tvf -: $(cat err)"
grep -q 'a/b/c/d/e/deep.txt' list || fail "tar does not list the tree"
if command -v bsdtar >/dev/null; then
	bsdtar -C src --format=pax -cf - . 2>/dev/null | pc - frombsd || fail "bsdtar | pcopy: exit $?"
	"$TREECMP" -A ref frombsd || fail "what bsdtar wrote came out different"
	mkdir tobsd
	pc src - | bsdtar -C tobsd -xpf - || fail "pcopy | bsdtar: exit $?"
	touch -r ref tobsd	# bsdtar leaves the times of "." alone
	"$TREECMP" -A ref tobsd || fail "bsdtar extracted something different"
fi
exit 0
