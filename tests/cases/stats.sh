# --stats prints a summary on stderr; --stats=json is one JSON object
# whose counts match the tree.
. "$TESTLIB"

mkdir -p src/a/b
for i in 1 2 3; do mkfile src/a/f$i 1000; done
ln -s f1 src/a/sym
ln src/a/f1 src/a/b/hard
pc --stats=json src dst > out 2> err || fail "exit $?"
[ -s out ] && fail "stats went to stdout"
python3 - err <<'PY' || fail "bad stats: $(cat err)"
import json, sys
o = json.loads(open(sys.argv[1]).read().splitlines()[-1])
assert o["type"] == "stats"
assert o["files"] == 3 and o["hardlinks"] == 1 and o["symlinks"] == 1, o
assert o["dirs"] == 3 and o["errors"] == 0 and o["bytes"] == 3000, o
# No progress display: the copies found the sizes, not the walk.
assert o["bytes_total"] == 3000, o
assert len(o["per_worker"]) == o["workers"]
assert sum(w["tasks"] for w in o["per_worker"]) >= 8
PY
pc --stats src dst2 2> err || fail "exit $?"
grep -q '^pcopy: copied 3 files, 1 hard links, 1 symlinks' err ||
    fail "text stats: $(cat err)"
exit 0
