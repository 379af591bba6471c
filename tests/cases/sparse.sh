# Holes stay holes: a 3 GiB file with three 64 KiB extents, one at the
# very end, allocates about what the source does.
# --sparse=always makes holes of zero blocks; --sparse=never fills them.
. "$TESTLIB"

mkdir src
truncate -s 3G src/big
for off in 0 $((1536 * 1048576)) $((3072 * 1048576 - 65536)); do
	head -c 65536 /dev/urandom |
	    dd of=src/big bs=65536 seek=$((off / 65536)) conv=notrunc status=none
done
[ "$(stat -c %b src/big)" -lt 4096 ] || skip "this file system made no holes"
start=$(date +%s%N)
pc src dst || fail "exit $?"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(stat -c %s dst/big)" = 3221225472 ] || fail "size $(stat -c %s dst/big)"
src_kib=$(du -k src/big | cut -f1)
dst_kib=$(du -k dst/big | cut -f1)
[ "$dst_kib" -le $((src_kib * 2 + 64)) ] ||
    fail "copy allocates $dst_kib KiB, source $src_kib KiB"
cmp src/big dst/big || fail "contents differ"
# The time is for the log only: speed belongs to the benchmark, and the
# allocation check above is what tells kept holes from filled ones.
echo "3 GiB sparse file copied in $ms ms"

# Zeros written out (no holes in the source).
mkdir src2
head -c 8388608 /dev/zero > src2/zeros
head -c 4096 /dev/urandom >> src2/zeros
pc --sparse=always src2 always || fail "--sparse=always: exit $?"
cmp src2/zeros always/zeros || fail "--sparse=always: contents"
[ "$(du -k always/zeros | cut -f1)" -le 64 ] ||
    fail "--sparse=always allocated $(du -k always/zeros | cut -f1) KiB"
pc src2 auto || fail "--sparse=auto: exit $?"
[ "$(du -k auto/zeros | cut -f1)" -ge 8192 ] ||
    fail "--sparse=auto made holes of written zeros (cp does not)"

mkdir src3
truncate -s 16M src3/holes
echo data >> src3/holes
pc --sparse=never src3 never || fail "--sparse=never: exit $?"
cmp src3/holes never/holes || fail "--sparse=never: contents"
[ "$(du -k never/holes | cut -f1)" -ge 16384 ] ||
    fail "--sparse=never kept holes"
pc --sparse=sometimes src3 bad 2> err
[ $? -eq 2 ] || fail "--sparse=sometimes should be a usage error"
exit 0
