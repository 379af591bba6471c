# Files whose size says nothing are read to their end, as cp does:
# /proc/version (size 0) came out empty and a sysfs file (size 4096, 23
# bytes) as its bytes and 4,073 NULs, both with exit 0.
. "$TESTLIB"

[ -r /proc/version ] || skip "no /proc"
pc /proc/version v 2> err || fail "/proc/version: exit $?: $(cat err)"
cp /proc/version v.cp
cmp v.cp v || fail "/proc/version: $(stat -c %s v) bytes, cp has $(stat -c %s v.cp)"
f=/sys/devices/system/cpu/online
if [ -r $f ]; then
	pc $f o 2> err || fail "$f: exit $?: $(cat err)"
	cp $f o.cp
	cmp o.cp o || fail "$f: $(stat -c %s o) bytes, cp has $(stat -c %s o.cp)"
fi
# In a tree, with and without the walk's stat (a display needs the sizes).
d=/proc/sys/kernel/random
[ -d $d ] || exit 0
pc -q $d tree 2> err || fail "$d: exit $?: $(cat err)"
pc --progress=line $d tree2 2> err || fail "$d with a display: exit $?"
for x in boot_id poolsize; do
	[ -r $d/$x ] || continue
	# cmp -s would trust the size of a /proc file: 0.
	cat $d/$x | cmp -s - tree/$x ||
	    fail "$d/$x came out as $(stat -c %s tree/$x) bytes"
	cat $d/$x | cmp -s - tree2/$x ||
	    fail "$d/$x (walk stat) came out wrong"
done
exit 0
