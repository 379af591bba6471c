# serial: it times how often the display is redrawn, so it runs alone
# Progress goes to stderr only: --progress=json is one JSON object per
# line whose percentage never goes down and ends at exactly 100.0 with
# the totals; --progress=line is a plain line a second; the bar on a
# terminal is redrawn at least four times a second and ends at 100.0%.
. "$TESTLIB"

mkdir -p src/a src/b
for i in $(seq 1 30); do mkfile src/a/f$i 100000; done
mkfile src/b/big $((16 * 1048576))
stamp_tree src

PCOPY_TEST_DELAY_MS=20 pc -j 2 --progress=json src dst-json > out 2> err ||
    fail "exit $?"
[ -s out ] && fail "progress wrote to stdout"
python3 - err <<'PY' || fail "bad JSON progress: $(tail -n 3 err)"
import json, sys
last = -1.0
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) >= 2, "too few progress lines"
for line in lines:
    o = json.loads(line)
    for k in ("time", "percent", "bytes_done", "bytes_total", "files_done",
              "files_total", "errors", "rate", "eta", "total_final",
              "finished"):
        assert k in o, k
    assert o["percent"] >= last, "percentage went down"
    last = o["percent"]
    if not o["finished"]:
        assert o["percent"] < 100.0, "100% before the end"
end = json.loads(lines[-1])
assert end["finished"] and end["percent"] == 100.0, end
assert end["bytes_done"] == end["bytes_total"] == 16 * 1048576 + 30 * 100000
assert end["files_done"] == end["files_total"] == 31, end
assert end["errors"] == 0
PY

# Archives: by total bytes when writing one, by bytes of the archive
# read when extracting it.
PCOPY_TEST_DELAY_MS=10 pc -j 2 --progress=json src out.tar 2> err.pack ||
    fail "pack: exit $?"
PCOPY_TEST_DELAY_MS=10 pc -j 2 --progress=json out.tar dst-tar 2> err.unpack ||
    fail "unpack: exit $?"
python3 - err.pack err.unpack "$(stat -c %s out.tar)" <<'PY' ||
import json, sys
def check(name, want_bytes):
    last = -1.0
    lines = open(name).read().splitlines()
    for line in lines:
        o = json.loads(line)
        assert o["percent"] >= last, (name, "percentage went down")
        last = o["percent"]
    end = json.loads(lines[-1])
    assert end["finished"] and end["percent"] == 100.0, (name, end)
    assert end["bytes_done"] == end["bytes_total"] == want_bytes, (name, end)
    assert end["errors"] == 0, (name, end)
check(sys.argv[1], 16 * 1048576 + 30 * 100000)
check(sys.argv[2], int(sys.argv[3]))
PY
    fail "archive progress: $(tail -n 1 err.pack; tail -n 1 err.unpack)"
"$TREECMP" src dst-tar/ || fail "the extracted tree differs"

PCOPY_TEST_DELAY_MS=20 pc -j 2 --progress=line src dst-line > out 2> err ||
    fail "exit $?"
[ -s out ] && fail "progress wrote to stdout"
grep -q '^pcopy: [0-9.]*% ' err || fail "no progress lines: $(cat err)"
tail -n 1 err | grep -q '^pcopy: 100.0% ' || fail "last line: $(tail -n 1 err)"

command -v script >/dev/null || skip "no script(1) for a terminal"
start=$(date +%s%N)
PCOPY_TEST_DELAY_MS=20 script -qfec \
    "'$PCOPY' --backend=$BACKEND -j 2 src dst-bar" /dev/null > tty ||
    fail "exit $? on a terminal"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
draws=$(tr -cd '\r' < tty | wc -c)
# At least four drawings a second (less a little for start and end).
[ $((draws * 1000)) -ge $((4 * ms - 2000)) ] ||
    fail "only $draws drawings in $ms ms"
tr '\r' '\n' < tty | grep -v '^$' | tail -n 1 | grep -q '^100.0% ' ||
    fail "the bar does not end at 100.0%: $(tr '\r' '\n' < tty | tail -n 2)"
grep -q 'files' tty || fail "no file counts on the bar"
exit 0
