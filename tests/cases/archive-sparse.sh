# Every sparse shape makes an archive that GNU tar, bsdtar and pcopy
# itself read back whole: all hole, a hole at the start, data only at
# the end, a trailing hole, one byte of data, size 0, many extents, and
# a member after each so a damaged one would show.  A file whose holes
# change while it is read still gives a readable archive.
. "$TESTLIB"

mkdir src
shape() {	# path size [offset:bytes]...
	local f=$1 size=$2 spec
	shift 2
	: > "$f"
	truncate -s "$size" "$f"
	for spec in "$@"; do
		head -c "${spec#*:}" /dev/urandom |
		    dd of="$f" bs=1 seek="${spec%%:*}" conv=notrunc \
		    status=none 2>/dev/null ||
		    setup_error "cannot write $f"
	done
}
M=1048576
shape src/a-allhole $M
shape src/b-allhole-big $((9 * M))			# more than one 4 MiB piece
shape src/c-holestart $((2 * M)) $((M + 4096)):4096
shape src/d-dataend $((6 * M)) $((6 * M - 10)):10
shape src/e-trailhole $((3 * M)) 0:8192
shape src/f-onebyte $M 500000:1
shape src/g-empty 0
shape src/h-many $((8 * M)) 0:1 $((M)):100 $((3 * M)):5000 $((5 * M - 1)):2 \
    $((7 * M)):4096
shape src/i-allhole-5 5
echo after > src/z-after
[ "$(stat -c %b src/b-allhole-big)" -lt 64 ] ||
    skip "this file system made no holes"

check_archive() {	# label archive-file
	local label=$1 ar=$2 out
	out=$(tar -tvf "$ar" 2>&1) || fail "$label: GNU tar cannot list it: $out"
	echo "$out" | grep -q z-after || fail "$label: GNU tar lost members"
	rm -rf x.gnu && mkdir x.gnu
	tar -C x.gnu -xf "$ar" 2> err || fail "$label: GNU tar: $(cat err)"
	for f in src/*; do
		cmp "$f" "x.gnu/${f#src/}" ||
		    fail "$label: GNU tar extracted ${f#src/} differently"
	done
	if command -v bsdtar >/dev/null; then
		bsdtar -tvf "$ar" > /dev/null 2> err ||
		    fail "$label: bsdtar cannot list it: $(cat err)"
		rm -rf x.bsd && mkdir x.bsd
		bsdtar -C x.bsd -xf "$ar" 2> err ||
		    fail "$label: bsdtar: $(cat err)"
		for f in src/*; do
			cmp "$f" "x.bsd/${f#src/}" ||
			    fail "$label: bsdtar extracted ${f#src/} differently"
		done
	fi
	rm -rf x.pc
	pc "$ar" x.pc 2> err || fail "$label: pcopy cannot extract it: $(cat err)"
	for f in src/*; do
		cmp "$f" "x.pc/${f#src/}" ||
		    fail "$label: pcopy extracted ${f#src/} differently"
	done
	[ "$(stat -c %b x.pc/b-allhole-big)" -lt 64 ] ||
	    fail "$label: the all-hole file came out filled"
}

pc src out.tar 2> err || fail "pcopy src out.tar: exit $?: $(cat err)"
[ -s err ] && fail "pcopy src out.tar said: $(cat err)"
check_archive pax out.tar
pc --format=tar src out2.tar || fail "--format=tar: exit $?"
check_archive tar out2.tar
pc src - > stream.tar || fail "pcopy src -: exit $?"
check_archive stream stream.tar
pc src - | pc - piped 2> err || fail "pcopy src - | pcopy - dst: exit $?: $(cat err)"
for f in src/*; do
	cmp "$f" "piped/${f#src/}" || fail "the pipe changed ${f#src/}"
done

# Holes that change while the file is read: data written into holes
# and holes punched, over and over, while pcopy archives the file.  The
# contents are whatever pcopy saw; the archive must stay readable.
mkdir moving
shape moving/file $((48 * M)) 0:4096 $((20 * M)):4096
echo after > moving/z-after
python3 - moving/file <<'PY' &
import os, random, sys, time, fcntl
fd = os.open(sys.argv[1], os.O_WRONLY)
rnd = random.Random(7)
end = time.time() + 3
PUNCH = 0x02 | 0x01	# FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
while time.time() < end:
    off = rnd.randrange(0, 48) << 20
    if rnd.random() < 0.5:
        os.pwrite(fd, os.urandom(65536), off)
    else:
        libc.fallocate(fd, PUNCH, ctypes.c_long(off), ctypes.c_long(1 << 20))
PY
mover=$!
trap 'kill $mover 2>/dev/null; wait; rm -rf "$T"' EXIT
for i in 1 2 3 4 5; do
	pc moving moving$i.tar 2> err
	rc=$?
	[ $rc -le 1 ] || fail "moving holes: exit $rc: $(cat err)"
	tar -tvf moving$i.tar > list 2> err ||
	    fail "moving holes: GNU tar cannot list it: $(cat err)"
	grep -q z-after list || fail "moving holes: members lost"
	tar -xOf moving$i.tar z-after > /dev/null 2> err ||
	    fail "moving holes: GNU tar: $(cat err)"
	if command -v bsdtar >/dev/null; then
		bsdtar -xOf moving$i.tar > /dev/null 2> err ||
		    fail "moving holes: bsdtar: $(cat err)"
	fi
done
wait $mover
exit 0
