# Extracting as an ordinary user follows tar's rule: the umask applies
# and set-ID bits go, so members of modes 0777, 0666 and 4755 (owned by
# that user in the archive) come out 755, 644 and 755 under umask 022, as
# GNU tar and bsdtar give; -p, --same-permissions or --preserve=mode keep
# them as they are.  Root keeps every mode, as before, and a copy of a
# directory keeps cp -a's rules whoever runs it.
. "$TESTLIB"

[ "$(id -u)" = 0 ] || skip "needs root to switch to another user"
command -v setpriv >/dev/null || skip "no setpriv"
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}
python3 - <<'PY' || setup_error "cannot make the archive"
import io, tarfile
with tarfile.open("modes.tar", "w", format=tarfile.PAX_FORMAT) as t:
    for name, mode, kind in [("d", 0o777, tarfile.DIRTYPE),
                             ("d/rwx", 0o777, tarfile.REGTYPE),
                             ("d/rw", 0o666, tarfile.REGTYPE),
                             ("d/suid", 0o4755, tarfile.REGTYPE),
                             ("d/sgid", 0o2775, tarfile.REGTYPE)]:
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.uid, ti.gid = kind, mode, 65534, 65534
        ti.uname = ti.gname = ""
        data = b"x\n" if kind == tarfile.REGTYPE else b""
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data) if data else None)
PY
chmod 755 "$T"
chmod 644 modes.tar
mkdir -m 1777 work
mv modes.tar work/
cd work || setup_error "cd"
modes() {
	stat -c '%n %a' "$1/d" "$1/d/rwx" "$1/d/rw" "$1/d/suid" "$1/d/sgid" |
	    sed "s|^$1/||"
}
expect() {
	printf 'd %s\nd/rwx %s\nd/rw %s\nd/suid %s\nd/sgid %s\n' "$@"
}
# An ordinary user, umask 022: tar's modes.
as_nobody sh -c "umask 022; exec '$PCOPY' --backend=$BACKEND modes.tar user" \
    2> err || fail "as a user: exit $?: $(cat err)"
expect 755 755 644 755 755 > want
modes user > got
short_diff want got || fail "as a user the modes are not tar's"
# GNU tar agrees.
if command -v tar >/dev/null; then
	mkdir -m 777 gnu
	as_nobody sh -c "umask 022; cd gnu && tar -xf ../modes.tar" 2> err ||
	    fail "GNU tar: $(cat err)"
	modes gnu > gnu.got
	short_diff want gnu.got || fail "GNU tar gives other modes"
fi
# Asked to keep them: as they are.
for keep in -p --same-permissions --preserve=mode; do
	as_nobody sh -c "umask 022; exec '$PCOPY' --backend=$BACKEND $keep \
	    modes.tar keep$keep" 2> err || fail "$keep: exit $?: $(cat err)"
	expect 777 777 666 4755 2775 > want
	modes keep$keep > got
	short_diff want got || fail "$keep did not keep the modes"
done
# Root keeps them whatever the umask.
(umask 077; exec "$PCOPY" --backend="$BACKEND" modes.tar root) ||
    fail "as root: exit $?"
modes root > got
short_diff want got || fail "root did not keep the modes"
# A copy by a user keeps cp -a's modes (no umask).
as_nobody sh -c "umask 077; exec '$PCOPY' --backend=$BACKEND user ucopy" \
    2> err || fail "copy as a user: exit $?: $(cat err)"
expect 755 755 644 755 755 > want
modes ucopy > got
short_diff want got || fail "a copy by a user changed modes"
exit 0
