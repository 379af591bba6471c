# A hard link to itself (a -> a) between two members named a, as python's
# tarfile writes it in five lines, made pcopy wait for itself forever.
# It is refused by name, the rest is extracted (the later a wins), and
# the exit status is 1; bsdtar does the same.  A cpio-style link that
# carries the data with the same name as its target is refused too.
. "$TESTLIB"

python3 - <<'PY' || setup_error "cannot make the archive"
import io, tarfile
def reg(t, name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    t.addfile(ti, io.BytesIO(data))
def link(t, name, target, data=b""):
    ti = tarfile.TarInfo(name)
    ti.type = tarfile.LNKTYPE
    ti.linkname = target
    t.addfile(ti)
with tarfile.open("self.tar", "w", format=tarfile.PAX_FORMAT) as t:
    reg(t, "a", b"first\n")
    link(t, "a", "a")
    reg(t, "a", b"second\n")
    link(t, "d/./b", "d/b")
    reg(t, "z", b"last\n")
PY
timeout 60 "$PCOPY" --backend="$BACKEND" self.tar out 2> err
rc=$?
[ $rc -eq 124 ] && fail "pcopy hung on a hard link to itself"
[ $rc -eq 1 ] || fail "exit $rc, not 1: $(cat err)"
grep -q "refusing 'a': a hard link to itself" err ||
    fail "the self link was not named: $(cat err)"
[ "$(cat out/a)" = second ] || fail "a is '$(cat out/a)', not the later member"
[ "$(cat out/z)" = last ] || fail "the member after it was lost"
# Through a pipe as well.
timeout 60 "$PCOPY" --backend="$BACKEND" - out2 < self.tar 2> err
[ $? -eq 1 ] || fail "pcopy - dst: exit $?: $(cat err)"
[ "$(cat out2/z)" = last ] || fail "pcopy - dst lost a member"
exit 0
