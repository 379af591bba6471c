# --no-clobber, -u, --exclude, -n, -x, --reflink and --preserve /
# --no-preserve (compared with cp -a and the same --no-preserve).
. "$TESTLIB"

mkdir -p src/keep src/skip/deep src/build src/a/build src/x
echo 1 > src/keep/same
echo 2 > src/keep/changed
echo 3 > src/keep/new
echo 4 > src/skip/deep/f
echo 5 > src/build/o
echo 6 > src/a/build/o
echo 7 > src/a/f.o
echo 8 > src/a/f.c
echo 9 > src/x/only
stamp_tree src

# --no-clobber keeps what is there.
mkdir -p nc/keep
echo old > nc/keep/same
pc --no-clobber -T src nc || fail "--no-clobber: exit $?"
[ "$(cat nc/keep/same)" = old ] || fail "--no-clobber replaced a file"
[ -f nc/keep/new ] || fail "--no-clobber did not copy a new file"

# -u skips a copy of the same size and mtime, replaces others.
pc src up || fail "exit $?"
echo X > up/keep/same
touch -m -r src/keep/same up/keep/same
echo Y > up/keep/changed
pc -u --stats=json -T src up 2> err || fail "-u: exit $?"
[ "$(cat up/keep/same)" = X ] || fail "-u replaced an up-to-date file"
[ "$(cat up/keep/changed)" = 2 ] || fail "-u kept an out-of-date file"
grep -q '"skipped":[1-9]' err || fail "-u: nothing counted as skipped"

# --exclude: a name anywhere, a directory name, an anchored path.
pc --exclude='*.o' --exclude='build/' --exclude=/x/only --exclude=skip src ex ||
    fail "--exclude: exit $?"
[ -e ex/a/f.o ] && fail "--exclude='*.o'"
[ -e ex/build ] || [ -e ex/a/build ] && fail "--exclude=build/"
[ -e ex/x/only ] && fail "--exclude=/x/only"
[ -d ex/x ] || fail "--exclude=/x/only took the directory"
[ -e ex/skip ] && fail "--exclude=skip"
[ -f ex/a/f.c ] && [ -f ex/keep/new ] || fail "--exclude took too much"

# -n writes nothing and lists what it would copy.
pc -n src dry > out || fail "-n: exit $?"
[ -e dry ] && fail "-n created the destination"
grep -qx 'dry/keep/new' out || fail "-n did not list a file"
[ "$(wc -l < out)" = "$(find src | wc -l)" ] || fail "-n listed $(wc -l < out)"
pc -n -u -T src up > out || fail "-n -u: exit $?"
grep -q 'keep/same' out && fail "-n -u listed an up-to-date file"

# --reflink: always fails cleanly where extents cannot be shared.
if pc --reflink=always src rl 2> err; then
	"$TREECMP" src rl -R || fail "--reflink=always copy differs"
else
	grep -q "^pcopy: failed to clone 'rl/" err || fail "reflink: $(cat err)"
	[ -z "$(find rl -type f)" ] || fail "--reflink=always left files"
fi
pc --reflink=never src rn || fail "--reflink=never: exit $?"

# --no-preserve, compared with cp -a given the same.
ln src/keep/same src/keep/hard
chmod 4755 src/keep/new
if setfattr -n user.x -v 1 src/keep/same 2>/dev/null; then :; fi
setfacl -m u:65534:r src/keep/changed 2>/dev/null
[ "$(id -u)" = 0 ] && chown 65534:65534 src/keep/changed
stamp_tree src
for attr in ownership mode timestamps links xattr all; do
	cp -a --no-preserve=$attr src np-cp-$attr 2>/dev/null
	pc --no-preserve=$attr src np-pc-$attr || fail "--no-preserve=$attr"
	"$TREECMP" -T np-cp-$attr np-pc-$attr ||
	    fail "--no-preserve=$attr differs from cp"
done
[ "$(stat -c %Y np-pc-timestamps/keep/new)" -gt 1000000000 ] &&
    [ "$(stat -c %Y np-pc-timestamps/keep/new)" != "$(stat -c %Y src/keep/new)" ] ||
    fail "--no-preserve=timestamps kept the time"
pc --no-preserve=all --preserve=mode,timestamps src np-mixed ||
    fail "--preserve after --no-preserve"
[ "$(stat -c %a np-mixed/keep/new)" = 4755 ] || fail "--preserve=mode lost"
pc --no-preserve=colour src bad 2> err
[ $? -eq 2 ] || fail "--no-preserve=colour should be a usage error"

# -x: the directory of another file system is made, not filled.
mkdir -p mnt/inner
if mount -t tmpfs tmpfs mnt/inner 2>/dev/null; then
	trap 'umount "$T/mnt/inner" 2>/dev/null; rm -rf "$T"' EXIT
	echo other > mnt/inner/f
	echo here > mnt/here
	pc -x mnt onefs || fail "-x: exit $?"
	umount mnt/inner
	[ -d onefs/inner ] || fail "-x: the mount point was not made"
	[ -e onefs/inner/f ] && fail "-x: crossed into the other file system"
	[ -f onefs/here ] || fail "-x: missed a file"
fi
exit 0
