# serial: it catches a copy mid-way by the clock, so it runs alone
# backends: fork mixed
# A worker process killed in the middle of the copy is noticed and
# replaced; its unfinished tasks are done by other workers and the copy
# completes correctly, exit 0.
. "$TESTLIB"

mkdir -p src/a src/b
for i in $(seq 1 60); do mkfile src/a/f$i 200000; done
for i in 1 2; do mkfile src/b/big$i $((20 * 1048576)); done
ln src/a/f1 src/b/hard
stamp_tree src

PCOPY_TEST_DELAY_MS=20 "$PCOPY" --backend="$BACKEND" -j 4 --chunk-size=4M \
    src dst 2> err &
pid=$!
wait_children $pid 2 50 || fail "no workers appeared"
sleep 0.4
victim=$(pgrep -P $pid | head -n 1)
kill -KILL "$victim" || fail "could not kill worker $victim"
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "exit $rc after a worker died: $(cat err)"
grep -q "worker process [0-9]* was killed by signal 9" err ||
    fail "the death was not reported: $(cat err)"
same_as_cp src dst

# Killing a worker twice charges only the task it was running: the tasks
# queued behind it are not given up.
mkdir queued
for i in $(seq 1 20); do mkfile queued/f$i 100000; done
PCOPY_TEST_DELAY_MS=100 "$PCOPY" --backend="$BACKEND" -j 1 queued qdst \
    2> err &
pid=$!
wait_children $pid 1 50 || fail "no worker appeared"
sleep 0.5
pkill -KILL -P $pid
sleep 0.4
pkill -KILL -P $pid
wait $pid
rc=$?
for i in $(seq 1 20); do
	[ -f qdst/f$i ] && continue
	grep -q "giving up on 'queued/f$i'" err ||
	    fail "f$i was neither copied nor given up: $(cat err)"
done
[ "$(grep -c 'giving up' err)" -le 2 ] || fail "gave up on queued tasks: $(cat err)"

# A worker killed while it finishes a chunked file (metadata, then the
# rename into place) loses nothing: the chunks are written, and the task
# done again completes the copy.  One worker, 0.4 s before every task
# and after every piece of data: the listing at 0.4 s, the file at 0.8 s
# (its worker finds it is big), the chunks from 1.2 to 1.6 s and 2.0 to
# 2.4 s, the finish at 2.8 s; killed at about 2.6 s.
mkdir fin
mkfile fin/big $((2 * 1048576))
PCOPY_TEST_DELAY_MS=400 "$PCOPY" --backend="$BACKEND" -j 1 --chunk-size=1M \
    fin fdst 2> err &
pid=$!
wait_children $pid 1 50 || fail "no worker appeared"
sleep 2.55
pkill -KILL -P $pid
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "exit $rc after a death while finishing: $(cat err)"
cmp -s fin/big fdst/big || fail "the chunked copy is not complete"

# A task given up after two deaths leaves no partial file behind.
mkdir one
mkfile one/big $((40 * 1048576))
PCOPY_TEST_DELAY_MS=300 "$PCOPY" --backend="$BACKEND" -j 2 one odst 2> err &
pid=$!
wait_children $pid 1 50 || fail "no worker appeared"
sleep 0.8
pkill -KILL -P $pid
sleep 1.0
pkill -KILL -P $pid
wait $pid
if grep -q "giving up on 'one/big'" err; then
	[ -e odst/big ] && fail "a given-up file was left half-written"
else
	cmp -s one/big odst/big || fail "big neither given up nor copied"
fi
exit 0
