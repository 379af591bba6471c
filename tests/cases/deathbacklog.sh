# serial: it catches a copy mid-way by the clock, so it runs alone
# backends: fork mixed
# A worker process dies while the coordinator has more events waiting
# than it takes in one go (256).  The coordinator must take back the dead
# process's tasks before its slot gets new ones: else it would take the
# replacement's tasks too, and they would run twice (a hang, a crash, or
# files removed under a worker writing them).
. "$TESTLIB"

mkdir src
for d in $(seq 1 32); do
	mkdir src/d$d
	for i in $(seq 1 64); do echo "$d $i" > src/d$d/f$i; done
done
stamp_tree src

# 8 workers, 2 ms before each task and after each write: each has two
# batches of 32 files in flight.  Stop the coordinator so that every
# worker finishes what it holds and its events pile up, kill the newest
# worker (the last slot, read after all the others' backlog), go on.
PCOPY_TEST_DELAY_MS=2 "$PCOPY" --backend="$BACKEND" -j 8 src dst 2> err &
pid=$!
wait_children $pid 2 50 || fail "no workers appeared"
sleep 0.1
kill -STOP $pid
sleep 1
victim=$(pgrep -n -P $pid)
kill -KILL "$victim" || fail "could not kill worker $victim"
sleep 0.2
kill -CONT $pid
( sleep 60; kill -KILL $pid ) >/dev/null 2>&1 &
dog=$!
wait $pid
rc=$?
kill $dog 2>/dev/null
[ $rc -ne 137 ] || fail "the copy hung after a worker died: $(cat err)"
[ $rc -eq 0 ] || fail "exit $rc after a worker died: $(cat err)"
[ "$(grep -c 'worker process' err)" -eq 1 ] ||
    fail "expected one death reported: $(cat err)"
same_as_cp src dst
exit 0
