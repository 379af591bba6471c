# backends: once
# Every archive pcopy writes reads back everywhere, and pcopy reads what
# the peers write.  From the torture tree (odd and long names, hard and
# symbolic links, devices, fifos, xattrs, ACLs, set-ID bits, old and far
# times, every sparse shape): each format and compression pcopy offers is
# listed and extracted by GNU tar (the tar formats) and bsdtar (all), with
# the same content; GNU tar's archives (--sparse --xattrs --acls, gnu and
# posix formats) and bsdtar's come out of pcopy as the tree they hold.
. "$TESTLIB"

command -v bsdtar >/dev/null || skip "no bsdtar"
probe_features
make_torture src
rm -rf src/many			# 5,000 small files add time, not cover
rm -f src/types/socket		# no archive format holds one
# The torture tree's 64 MiB sparse file, smaller: cpio and zip store its
# holes as zeros.
rm -f src/sparse/holes
truncate -s 8M src/sparse/holes
printf 'start' | dd of=src/sparse/holes conv=notrunc status=none
printf 'middle' | dd of=src/sparse/holes bs=1M seek=4 conv=notrunc \
    status=none
printf 'end' | dd of=src/sparse/holes bs=1 seek=$((8 * 1048576 - 3)) \
    conv=notrunc status=none
mkdir src/shapes
M=1048576
truncate -s $M src/shapes/allhole
truncate -s $((2 * M)) src/shapes/holestart
printf 'x%.0s' $(seq 1 4096) | dd of=src/shapes/holestart bs=4096 seek=300 \
    conv=notrunc status=none
truncate -s $((3 * M)) src/shapes/dataend
printf 'end' | dd of=src/shapes/dataend bs=1 seek=$((3 * M - 3)) \
    conv=notrunc status=none
head -c 8192 /dev/urandom > src/shapes/trailhole
truncate -s $((5 * M)) src/shapes/trailhole
truncate -s $M src/shapes/onebyte
printf 'o' | dd of=src/shapes/onebyte bs=1 seek=500000 conv=notrunc \
    status=none
: > src/shapes/empty
stamp_tree src
touch -h -m -d '1901-12-14 20:45:53.5' src/times/old
touch -h -m -d '2262-04-11 23:47:16.123456789' src/times/future
touch -h -a -d '2262-04-11 23:47:16.5' src/times/future
cp -a src ref || setup_error "cp -a"

# libarchive 3.6 (bsdtar) writes and reads a time before 1970 with a
# fraction of a second one second off (the pax number -12.5 as -12 and a
# half); GNU tar and pcopy follow POSIX.  Where bsdtar is on one side,
# times/old must be off by exactly that second; then it is set right, so
# the rest of the tree is compared in full.
bsd_old_time() {
	local want got
	want=$(stat -c %Y ref/times/old)
	got=$(stat -c %Y "$1/times/old")
	[ "$got" = "$want" ] || [ "$got" = $((want - 1)) ] ||
	    [ "$got" = $((want + 1)) ] ||
	    fail "$1: times/old is $got, not $want"
	touch -h -m -r ref/times/old "$1/times/old"
}

# Same names, types, contents and symlink targets (formats that keep
# less: cpio and zip).
same_content() {
	python3 - "$1" "$2" "${3:-}" <<'PY'
import os, stat, sys
a, b, skip = sys.argv[1], sys.argv[2], sys.argv[3]
def walk(root):
    out = {}
    for top, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(top, n)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if any(rel.startswith(p) for p in skip.split()):
                continue
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    out[rel] = ("f", hash(f.read()))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", None)
            else:
                out[rel] = ("o", None)
    return out
wa, wb = walk(a), walk(b)
bad = sorted(set(wa) ^ set(wb)) + sorted(k for k in wa if k in wb and wa[k] != wb[k])
for k in bad[:10]:
    print("differs:", k, wa.get(k), wb.get(k))
sys.exit(1 if bad else 0)
PY
}

# pcopy writes; GNU tar and bsdtar list and extract.
for spec in pax:none pax:gzip pax:xz pax:zstd pax:bzip2 tar:none tar:zstd \
    cpio:none cpio:gzip zip:none; do
	fmt=${spec%:*} z=${spec#*:}
	case $fmt in pax|tar) ext=tar ;; *) ext=$fmt ;; esac
	case $z in
	none) ;; gzip) ext=$ext.gz ;; xz) ext=$ext.xz ;; zstd) ext=$ext.zst ;;
	bzip2) ext=$ext.bz2 ;;
	esac
	ar="out-$fmt.$ext"
	x="$fmt-$z"		# extracted into b-$x, g-$x, p-$x
	# zip names are UTF-8: one that is not cannot be read back anywhere;
	# and zip holds no devices or fifos (left out, with a warning).
	skip="" ex=""
	[ "$fmt" = zip ] && skip="odd/latin1- types/" ex="--exclude=latin1-*"
	pc $ex --format="$fmt" --compress="$z" src "$ar" 2> err ||
	    fail "$spec: pcopy: exit $?: $(cat err)"
	bsdtar -tvf "$ar" > list 2> err || fail "$spec: bsdtar -t: $(cat err)"
	grep -q 'shapes/onebyte' list || fail "$spec: bsdtar lists no onebyte"
	mkdir "b-$x"
	bsdtar -C "b-$x" -xpf "$ar" 2> err || fail "$spec: bsdtar -x: $(cat err)"
	case $fmt in
	pax|tar)
		# tar: restricted pax, whole seconds unless a member needs more.
		tflags="-A -R"
		[ "$fmt" = tar ] && tflags="-T -R"
		touch -r ref "b-$x"	# bsdtar leaves the times of "." alone
		[ "$fmt" = pax ] && bsd_old_time "b-$x"
		"$TREECMP" $tflags ref "b-$x" ||
		    fail "$spec: bsdtar extracted something different"
		tar -tvf "$ar" > list 2> err || fail "$spec: tar -t: $(cat err)"
		grep -q 'shapes/onebyte' list || fail "$spec: tar lists no onebyte"
		mkdir "g-$x"
		tar -C "g-$x" --xattrs --xattrs-include='*' --acls -xpf "$ar" \
		    2> err || fail "$spec: GNU tar -x: $(cat err)"
		"$TREECMP" $tflags ref "g-$x" ||
		    fail "$spec: GNU tar extracted something different"
		;;
	*)
		same_content ref "b-$x" "$skip" ||
		    fail "$spec: bsdtar extracted other contents"
		;;
	esac
	# And pcopy itself reads it back.
	pc "$ar" "p-$x" 2> err || fail "$spec: pcopy -x: exit $?: $(cat err)"
	same_content ref "p-$x" "$skip" ||
	    fail "$spec: pcopy extracted other contents"
	rm -rf "b-$x" "g-$x" "p-$x"
done

# The peers write; pcopy extracts.
xa=""
[ "$HAVE_XATTR" = 1 ] || xa=-X
tar -C src --sparse --xattrs --xattrs-include='*' --acls --format=posix \
    -cf gnu-posix.tar . 2> err || fail "GNU tar posix: $(cat err)"
pc gnu-posix.tar x-posix 2> err || fail "gnu posix: pcopy: exit $?: $(cat err)"
"$TREECMP" -A ref x-posix || fail "GNU tar's posix archive came out different"
[ "$(stat -c %b x-posix/sparse/holes)" -lt 256 ] ||
    fail "GNU tar's sparse member came out filled"
tar -C src --sparse --format=gnu -cf gnu-gnu.tar . 2> err ||
    fail "GNU tar gnu: $(cat err)"
pc gnu-gnu.tar x-gnu 2> err || fail "gnu gnu: pcopy: exit $?: $(cat err)"
# The gnu format keeps no nanoseconds and no attributes.
"$TREECMP" -T -X ref x-gnu || fail "GNU tar's gnu archive came out different"
[ "$(stat -c %b x-gnu/sparse/holes)" -lt 256 ] ||
    fail "GNU tar's gnu sparse member came out filled"
bsdtar -C src --format=pax -cf bsd.tar . 2> err || fail "bsdtar -c: $(cat err)"
pc bsd.tar x-bsd 2> err || fail "bsdtar: pcopy: exit $?: $(cat err)"
bsd_old_time x-bsd
"$TREECMP" -A $xa ref x-bsd || fail "bsdtar's archive came out different"
exit 0
