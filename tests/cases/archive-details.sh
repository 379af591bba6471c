# The small things around archives: -v lists destination paths with the
# directories for a copy, an archive and an extraction alike, NUL-ended
# with -0; --no-clobber will not replace an archive and -u says it does
# not apply; a terminal is neither read nor written as an archive; a -v
# reader that goes away is said once and the extraction completes; an
# owner id no uid_t holds is named, not wrapped; a failed write of a
# stream is said once.
. "$TESTLIB"

mkdir -p src/d
echo a > src/d/f
echo b > src/g
pc -v src c1 > v.copy || fail "copy -v: exit $?"
pc -v src o.tar > v.pack || fail "pack -v: exit $?"
pc -v o.tar u1 > v.unpack || fail "unpack -v: exit $?"
printf 'c1\nc1/d\nc1/d/f\nc1/g\n' > want.copy
printf '.\nd\nd/f\ng\n' > want.pack
printf 'u1\nu1/d\nu1/d/f\nu1/g\n' > want.unpack
for k in copy pack unpack; do
	sort "v.$k" > got
	short_diff "want.$k" got || fail "-v of the $k lists other things"
done
pc -v -0 o.tar u2 > v0 || fail "unpack -v -0: exit $?"
[ "$(tr '\0' '\n' < v0 | sort | tr '\n' ' ')" = "u2 u2/d u2/d/f u2/g " ] ||
    fail "-v -0 extracting: $(od -c v0 | head -3)"
grep -q . v0 && [ "$(tr -cd '\n' < v0 | wc -c)" = 0 ] ||
    fail "-v -0 extracting ended names with newlines"
pc -v -0 src o0.tar > p0 || fail "pack -v -0: exit $?"
[ "$(tr -cd '\0' < p0 | wc -c)" = 4 ] || fail "-v -0 packing: $(od -c p0)"

# --no-clobber and -u writing an archive.
cp o.tar keep.tar
pc --no-clobber src keep.tar 2> err
rc=$?
[ $rc -eq 1 ] || fail "--no-clobber over an archive: exit $rc: $(cat err)"
grep -q "not replacing 'keep.tar'" err || fail "--no-clobber: $(cat err)"
cmp -s o.tar keep.tar || fail "--no-clobber replaced the archive"
pc --no-clobber src new.tar || fail "--no-clobber, no archive there: exit $?"
pc -u src u.tar 2> err
rc=$?
[ $rc -eq 2 ] || fail "-u writing an archive: exit $rc: $(cat err)"
grep -q "update does not apply" err || fail "-u: $(cat err)"
[ -e u.tar ] && fail "-u made an archive"

# A terminal is no archive.
if command -v script >/dev/null; then
	script -qec "'$PCOPY' --backend=$BACKEND - fromtty; echo rc=\$?" \
	    /dev/null < /dev/null > tty.out 2>&1
	grep -q "will not read an archive from a terminal" tty.out ||
	    fail "read a terminal: $(cat tty.out)"
	grep -q "rc=2" tty.out || fail "reading a terminal: $(cat tty.out)"
	[ -e fromtty ] && fail "made DST for a terminal"
fi

# A -v reader that goes away: said once, exit 1, everything extracted.
for i in $(seq 1 2000); do echo $i > src/d/n$i; done
pc src big.tar || fail "big.tar: exit $?"
pc -v big.tar u3 2> err | head -c 10 > /dev/null
rc=${PIPESTATUS[0]}
[ $rc -eq 1 ] || fail "-v into a closed pipe: exit $rc: $(cat err)"
[ "$(grep -c 'error writing standard output: Broken pipe' err)" = 1 ] ||
    fail "-v into a closed pipe: $(cat err)"
[ "$(ls u3/d | wc -l)" = 2001 ] || fail "-v into a closed pipe: files lost"

# An owner id of 2^32: named, the member extracted with ours.
if [ "$(id -u)" = 0 ]; then
	python3 - <<'PY' || setup_error "cannot make the archive"
import io, tarfile
with tarfile.open("uid.tar", "w", format=tarfile.PAX_FORMAT) as t:
    ti = tarfile.TarInfo("big-uid")
    ti.size = 2
    ti.uname = ti.gname = ""
    ti.pax_headers = {"uid": "4294967296", "gid": "4294967297"}
    t.addfile(ti, io.BytesIO(b"x\n"))
    ti = tarfile.TarInfo("fine")
    ti.size = 2
    t.addfile(ti, io.BytesIO(b"y\n"))
PY
	pc uid.tar u4 2> err
	rc=$?
	[ $rc -eq 1 ] || fail "uid 2^32: exit $rc: $(cat err)"
	grep -q "'big-uid': its owner or group is out of range" err ||
	    fail "uid 2^32 not named: $(cat err)"
	[ "$(stat -c %u:%g u4/big-uid)" = 0:0 ] ||
	    fail "uid 2^32 came out as $(stat -c %u:%g u4/big-uid)"
	[ "$(cat u4/fine)" = y ] || fail "the member after it was lost"
fi

# A stream that cannot be written: said once.
pc src - > /dev/full 2> err
rc=$?
[ $rc -eq 1 ] || fail "writing to /dev/full: exit $rc: $(cat err)"
[ "$(grep -c 'No space left' err)" = 1 ] || fail "/dev/full: $(cat err)"
exit 0
