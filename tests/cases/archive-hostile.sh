# A hostile archive writes nothing outside DST: members with "..", an
# absolute path, a path through a symlink the archive made (the classic
# symlink-then-file escape), hard links out of DST.  Each refused member
# is named, the rest is extracted, the exit status is 1.  A damaged,
# truncated or foreign stream gives a clear error: no crash, no hang.
. "$TESTLIB"

mkdir outside
echo precious > outside/victim
python3 - "$T/outside" <<'PY' || setup_error "cannot make the archives"
import io, sys, tarfile
outside = sys.argv[1]
def add(tf, name, data=b"x", **kw):
    ti = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(ti, k, v)
    if ti.type == tarfile.REGTYPE:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    else:
        tf.addfile(ti)
with tarfile.open("evil.tar", "w", format=tarfile.PAX_FORMAT) as tf:
    add(tf, "good/first", b"good")
    add(tf, "../escape-dotdot", b"bad")
    add(tf, "good/../../escape-inner", b"bad")
    add(tf, outside + "/escape-abs", b"bad")
    add(tf, "esc", type=tarfile.SYMTYPE, linkname=outside)
    add(tf, "esc/escape-symlink", b"bad")
    add(tf, "esc2", type=tarfile.SYMTYPE, linkname="..")
    add(tf, "esc2/escape-up", b"bad")
    add(tf, "hard-out", type=tarfile.LNKTYPE, linkname=outside + "/victim")
    add(tf, "hard-up", type=tarfile.LNKTYPE, linkname="../outside/victim")
    add(tf, "hard-unknown", type=tarfile.LNKTYPE, linkname="never/there")
    add(tf, "good/last", b"good")
PY
pc - dst < evil.tar 2> err
rc=$?
[ $rc -eq 1 ] || fail "hostile archive: exit $rc, not 1: $(cat err)"
[ "$(cat outside/victim)" = precious ] || fail "the victim was changed"
[ "$(ls outside)" = victim ] || fail "something was written outside: $(ls outside)"
[ -e escape-dotdot ] || [ -e "$T/escape-inner" ] && fail "escaped with .."
for m in ../escape-dotdot good/../../escape-inner "$T/outside/escape-abs" \
    esc/escape-symlink esc2/escape-up hard-out hard-up hard-unknown; do
	grep -qF "refusing '$m'" err || fail "no refusal for $m: $(cat err)"
done
[ "$(cat dst/good/first)" = good ] && [ "$(cat dst/good/last)" = good ] ||
    fail "the good members were not extracted"
[ -L dst/esc ] || fail "the symlink itself was not extracted"

# Damaged input.
make_tree src small
rm -rf src/many
pc src whole.tar.gz || setup_error "pack"
size=$(stat -c %s whole.tar.gz)
head -c $((size / 2)) whole.tar.gz > half.tar.gz
timeout 30 "$PCOPY" --backend="$BACKEND" half.tar.gz cut 2> err
rc=$?
[ $rc -eq 1 ] || fail "truncated .tar.gz: exit $rc: $(cat err)"
grep -q "^pcopy: cannot read archive 'half.tar.gz': " err ||
    fail "truncated: $(cat err)"
ls -A cut | grep -q '^\.pcopy\.' && fail "a temporary was left"
head -c 100000 /dev/urandom > noise.tar
timeout 30 "$PCOPY" --backend="$BACKEND" noise.tar noise 2> err
[ $? -eq 1 ] || fail "noise: not exit 1"
grep -q "cannot read archive" err || fail "noise: $(cat err)"
head -c 0 /dev/null | timeout 30 "$PCOPY" --backend="$BACKEND" - empty 2> err ||
    fail "an empty stream is an empty archive: $(cat err)"
exit 0
