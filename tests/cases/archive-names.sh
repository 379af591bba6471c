# backends: once
# Member names cannot be chosen to make extraction slow: 16,384 names
# that all collided in the old djb2 table ("ab"/"bA" pairs) cost the
# coordinator seconds of CPU against a fraction for as many random names,
# growing with the square.  With a keyed hash the two cost about the
# same: a ratio, not a time.  The coordinator's own CPU is measured (the
# fork backend keeps the workers in other processes).
. "$TESTLIB"

python3 - <<'PY' || setup_error "cannot make the archives"
import io, random, tarfile
def write(path, names):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        for n in names:
            ti = tarfile.TarInfo("d/" + n)
            t.addfile(ti, io.BytesIO(b""))
coll = ["".join("bA" if (i >> k) & 1 else "ab" for k in range(14))
        for i in range(16384)]
rnd = random.Random(1)
plain = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyzA") for _ in range(28))
         for _ in range(16384)]
write("coll.tar", coll)
write("plain.tar", plain)
PY
# CPU seconds of the coordinator alone, extracting $1 into $2: its own
# utime and stime, read once it has exited and before it is reaped.
cpu() {
	python3 - "$PCOPY" "$1" "$2" <<'PY'
import os, subprocess, sys
p = subprocess.Popen([sys.argv[1], "--backend=fork", "-j2", sys.argv[2],
                      sys.argv[3]])
os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
with open("/proc/%d/stat" % p.pid) as f:
    fields = f.read().rsplit(")", 1)[1].split()
ticks = os.sysconf("SC_CLK_TCK")
if p.wait() != 0:
    sys.exit(p.returncode)
print("%.3f" % ((int(fields[11]) + int(fields[12])) / ticks))
PY
}
best_coll=999 best_plain=999
for i in 1 2 3; do
	c=$(cpu coll.tar "c$i") || fail "extracting colliding names: exit $?"
	p=$(cpu plain.tar "p$i") || fail "extracting plain names: exit $?"
	best_coll=$(python3 -c "print(min($best_coll, $c))")
	best_plain=$(python3 -c "print(min($best_plain, $p))")
	[ "$(ls c$i/d | wc -l)" = 16384 ] || fail "colliding names were lost"
	rm -rf "c$i" "p$i"
done
ratio=$(python3 -c "print('%.2f' % ($best_coll / max($best_plain, 0.1)))")
echo "CPU: colliding $best_coll s, plain $best_plain s, ratio $ratio"
python3 -c "import sys; sys.exit(0 if $ratio < 3 else 1)" ||
    fail "colliding names cost $ratio times as much CPU as plain ones"
exit 0
