# Archive files by name (.tar .tar.gz .tgz .tar.xz .tar.zst .tar.bz2
# .zip .cpio) or by --format/--compress; each extracts back to the same
# files, and GNU tar or bsdtar read what pcopy writes.  The same tree
# gives the same archive bytes, whatever the backend.
. "$TESTLIB"

mkdir -p src/d/e
echo one > src/d/one
mkfile src/d/e/big 3000000
ln -s one src/d/link
echo top > src/top
stamp_tree src
for name in a.tar a.tar.gz a.tgz a.tar.xz a.tar.zst a.tar.bz2 a.zip a.cpio; do
	pc src "$name" 2> err || fail "pcopy src $name: exit $?: $(cat err)"
	[ -f "$name" ] || fail "$name was not made"
	ls -A | grep -q '^\.pcopy\.' && fail "$name: a temporary was left"
	x="x-${name//./-}"	# not itself an archive name: see archive-rule
	pc "$name" "$x" 2> err || fail "pcopy $name $x: exit $?: $(cat err)"
	case $name in
	*.zip|*.cpio) flags="-T -A -X" ;;	# seconds, no xattrs
	*)            flags="" ;;
	esac
	"$TREECMP" $flags -R src "$x" || fail "$name does not round-trip"
done
# Peers read it.
tar -tf a.tar.gz | grep -qx 'd/e/big' || fail "GNU tar cannot list a.tar.gz"
tar --zstd -tf a.tar.zst | grep -qx 'd/link' || fail "GNU tar cannot list .zst"
if command -v bsdtar >/dev/null; then
	bsdtar -tf a.zip | grep -qx 'd/e/big' || fail "bsdtar cannot list a.zip"
	bsdtar -tf a.cpio | grep -qx 'd/one' || fail "bsdtar cannot list a.cpio"
fi
mkdir gnu
tar -C gnu --xattrs --acls -xpf a.tar 2> err || fail "GNU tar: $(cat err)"
# -A: GNU tar sets atimes to now.
"$TREECMP" -A -R src gnu || fail "GNU tar's extraction differs"

# --format and --compress, and a name that says nothing.
pc --format=cpio --compress=xz src archive.bin || fail "--format: exit $?"
xz -dc archive.bin | cpio -t 2>/dev/null | grep -q 'd/one' ||
    fail "--format=cpio --compress=xz"
pc --format=zip src - > stream.zip || fail "--format=zip to stdout"
if command -v bsdtar >/dev/null; then
	bsdtar -tf stream.zip | grep -qx 'd/one' || fail "stream.zip is no zip"
fi

# Deterministic: the same bytes again, on any backend.
for other in threads fork mixed; do
	"$PCOPY" --backend=$other src again.tar.gz || fail "again: exit $?"
	cmp -s a.tar.gz again.tar.gz || fail "$other made different bytes"
	rm -f again.tar.gz
done
exit 0
