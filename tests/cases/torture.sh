# The torture tree (every file type and attribute cp -a keeps, odd
# names, hard-link groups of three, a symlink loop, 5,000 files in one
# directory, a sparse file, set-ID bits, 0000 and 0500 directories, times
# before 1970 and far after 2100, a 255-byte name) copied by pcopy is
# the same as cp -a's copy: contents, types, modes, owners, ns times,
# links, devices, getfattr and getfacl output, and allocated blocks.
. "$TESTLIB"

probe_features
make_torture src
cp -a src ref || setup_error "cp -a"
pc src dst 2> err || fail "pcopy exited $?: $(cat err)"
[ -s err ] && fail "pcopy printed: $(cat err)"
"$TREECMP" -B ref dst || fail "differs from cp -a"
# With a progress display the walk stats every entry itself.
pc --progress=json src dst-walkstat 2> progress ||
    fail "pcopy --progress=json exited $?: $(tail -n 3 progress)"
"$TREECMP" -B ref dst-walkstat || fail "differs from cp -a (walk stats)"
attr_dump ref > attrs.ref
attr_dump dst > attrs.dst
short_diff attrs.ref attrs.dst || fail "getfattr output differs"
if [ "$HAVE_ACL" = 1 ]; then
	acl_dump ref > acl.ref
	acl_dump dst > acl.dst
	short_diff acl.ref acl.dst || fail "getfacl output differs"
	grep -q 'default:user:65534:rwx' acl.dst || fail "no default ACL"
fi
[ "$(stat -c %a dst/modes/closed)" = 0 ] || fail "0000 directory mode"
[ "$(stat -c %a dst/modes/readonly)" = 500 ] || fail "0500 directory mode"
[ -f dst/modes/closed/f ] || fail "the 0000 directory was not filled"
[ "$(stat -c %s dst/sparse/holes)" = 67108864 ] || fail "sparse size"
[ "$(stat -c %b dst/sparse/holes)" -lt 1024 ] ||
    fail "sparse file allocated $(stat -c %b dst/sparse/holes) blocks"
exit 0
