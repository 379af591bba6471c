# backends: once
# serial: it compares the times of two copies, so it runs alone
# A tree deeper than PATH_MAX copies in time that grows with its depth,
# not with its square: every directory past PATH_MAX was reopened from
# the root one component at a time (2,000 levels 0.97 s, 8,000 levels
# 337 s).  Now a directory opens below the deepest one a worker has open,
# and a long path in parts.  A growth ratio, not a time: four times the
# depth takes less than ten times as long (about five here).
. "$TESTLIB"

python3 - <<'PY' || setup_error "cannot make the trees"
import os
for depth in (1500, 6000):
    d = "chain%d" % depth
    os.makedirs(d)
    fd = os.open(d, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        f = os.open("f", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, b"x\n")
        os.close(f)
        nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(fd)
PY
# The faster of two copies of $1, in seconds; the second copy is checked.
best() {
	python3 - "$PCOPY" "$BACKEND" "$1" <<'PY'
import os, subprocess, sys, time
pcopy, backend, src = sys.argv[1:]
times = []
for i in range(2):
    dst = "out%d" % i
    t = time.time()
    if subprocess.run([pcopy, "--backend=" + backend, src, dst]).returncode:
        sys.exit(1)
    times.append(time.time() - t)
# Level by level: the same names, file contents and directory times.
def levels(top):
    fd, out = os.open(top, os.O_RDONLY), []
    while True:
        names = sorted(os.listdir(fd))
        out.append((names, os.stat(".", dir_fd=fd).st_mtime_ns,
                    os.stat("f", dir_fd=fd).st_mtime_ns if "f" in names else 0))
        if "d" not in names:
            break
        nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(fd)
    return out
if levels(src) != levels("out1"):
    sys.exit(2)
print("%.3f" % min(times))
PY
}
short=$(best chain1500) || fail "1,500 levels: the copy failed or differs"
rm -rf out0 out1
long=$(best chain6000) || fail "6,000 levels: the copy failed or differs"
echo "1,500 levels: $short s, 6,000 levels: $long s"
python3 -c "import sys; sys.exit(0 if $long < 10 * max($short, 0.05) else 1)" ||
    fail "6,000 levels took $long s against $short s for 1,500"
exit 0
