# serial: it catches a copy mid-way by the clock, so it runs alone
# A copy into a directory that exists never deletes what pcopy cannot
# prove it made: a user's file named like a temporary (.pcopy.PID.HEX,
# PID not running) survives, and so does one whose mark names another
# file; only a temporary carrying pcopy's mark for itself (left by a
# run killed outright) is cleaned up.  A file replaced whole is written
# nameless: while it is written and after a SIGKILL, no temporary name
# shows in the directory.
. "$TESTLIB"

# A pid that is surely not running: above every pid the kernel gives.
dead=$(( $(cat /proc/sys/kernel/pid_max) + 1 ))
[ $dead -le 4194304 ] || dead=4194304
kill -0 $dead 2>/dev/null && setup_error "pid $dead is running"

mkdir -p src/d dst/d
echo a > src/f
echo b > src/d/g
echo mine > "dst/.pcopy.$dead.ab"
echo mine2 > "dst/d/.pcopy.$dead.1f"
pc -T src dst || fail "merge: exit $?"
[ "$(cat "dst/.pcopy.$dead.ab")" = mine ] ||
    fail "the merge deleted the user's file .pcopy.$dead.ab"
[ "$(cat "dst/d/.pcopy.$dead.1f")" = mine2 ] ||
    fail "the merge deleted the user's file d/.pcopy.$dead.1f"
[ "$(cat dst/f)" = a ] && [ "$(cat dst/d/g)" = b ] || fail "not copied"

# The mark, where the file system keeps user attributes.
marked() {
	python3 -c 'import os, sys; os.setxattr(sys.argv[1],
	    "user.pcopy.temporary", sys.argv[2].encode())' "$1" "$2"
}
if marked "dst/.pcopy.$dead.ab" ".pcopy.$dead.ab" 2>/dev/null; then
	echo left > "dst/d/.pcopy.$dead.2"
	marked "dst/d/.pcopy.$dead.2" ".pcopy.$dead.1f"
	pc -T src dst || fail "second merge: exit $?"
	[ -e "dst/.pcopy.$dead.ab" ] &&
	    fail "a marked temporary of a dead run stayed"
	[ "$(cat "dst/d/.pcopy.$dead.2")" = left ] ||
	    fail "removed a file whose mark names another file"
	[ "$(cat "dst/d/.pcopy.$dead.1f")" = mine2 ] ||
	    fail "the second merge deleted an unmarked file"
fi

# A whole file replaced in a directory that exists: nameless until done.
mkdir s2 d2
big_file s2/big
echo old > d2/big
PCOPY_TEST_DELAY_MS=60 "$PCOPY" --backend="$BACKEND" -j 2 \
    --chunk-size=1G -T s2 d2 2>/dev/null &
pid=$!
sleep 0.8
seen=$(ls -A d2)
kill -KILL $pid
wait $pid 2>/dev/null
for i in $(seq 1 50); do
	pgrep -f "chunk-size=1G -T s2 d2" >/dev/null || break
	sleep 0.1
done
[ "$seen" = big ] || fail "while copying, d2 held: $(echo $seen)"
[ "$(ls -A d2)" = big ] || fail "after SIGKILL, d2 holds: $(ls -A d2)"
[ "$(cat d2/big)" = old ] || fail "the old file was damaged"
pc -T s2 d2 || fail "the run after the kill: exit $?"
cmp -s s2/big d2/big || fail "the run after the kill did not copy"
[ "$(ls -A d2)" = big ] || fail "d2 holds: $(ls -A d2)"
exit 0
