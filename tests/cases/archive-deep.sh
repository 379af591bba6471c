# A deep archive extracts as fast as a shallow one: directory metadata
# goes out one depth at a time, and a depth with nothing to send cost a
# tenth of a second of waiting each (400 levels: 40 s).  A growth ratio
# of wall times, not a time: 400 levels against 20 take about the same.
. "$TESTLIB"

python3 - <<'PY' || setup_error "cannot make the archives"
import io, tarfile
for depth in (20, 400):
    with tarfile.open("deep%d.tar" % depth, "w", format=tarfile.PAX_FORMAT) as t:
        ti = tarfile.TarInfo("/".join(["d"] * depth) + "/f")
        ti.size = 2
        t.addfile(ti, io.BytesIO(b"f\n"))
PY
wall() {	# the fastest of three extractions of $1, in seconds
	python3 - "$PCOPY" "$BACKEND" "$1" <<'PY'
import shutil, subprocess, sys, time
best = 1e9
for i in range(3):
    t = time.time()
    r = subprocess.run([sys.argv[1], "--backend=" + sys.argv[2], sys.argv[3],
                        "out"])
    best = min(best, time.time() - t)
    shutil.rmtree("out")
    if r.returncode != 0:
        sys.exit(r.returncode)
print("%.3f" % best)
PY
}
shallow=$(wall deep20.tar) || fail "deep20.tar: exit $?"
deep=$(wall deep400.tar) || fail "deep400.tar: exit $?"
echo "20 levels: $shallow s, 400 levels: $deep s"
python3 -c "import sys; sys.exit(0 if $deep < 10 * max($shallow, 0.1) else 1)" ||
    fail "400 levels took $deep s against $shallow s for 20"
exit 0
