# Without a progress display the walk does not stat files, so the
# coordinator cannot size its batches: one batch may hold several large
# files.  A worker that has copied a batch's worth (16 MiB) hands the
# tasks it has not started back, and they go to other workers one at a
# time.  Six 20 MiB files of one directory are copied by more than one
# worker, and the copy is the same as cp -a's.
. "$TESTLIB"

mkdir -p src/media
for i in 1 2 3 4 5 6; do mkfile src/media/m$i $((20 * 1048576)); done
mkfile src/small 1000
stamp_tree src
pc -j 3 --stats=json src dst 2> err || fail "exit $?: $(cat err)"
python3 - err <<'PY' || fail "one worker copied everything: $(tail -n 1 err)"
import json, sys
o = json.loads(open(sys.argv[1]).read().splitlines()[-1])
busy = [w for w in o["per_worker"] if w["bytes"] >= 20 * 1048576]
assert len(busy) >= 2, o["per_worker"]
assert o["bytes"] == 6 * 20 * 1048576 + 1000, o
PY
same_as_cp src dst
exit 0
