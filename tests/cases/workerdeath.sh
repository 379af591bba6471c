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
exit 0
