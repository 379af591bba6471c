# A small archive cannot make extraction take much memory: a .tar.gz of
# 317 KB holding one pax sparse member of 150,000 one-byte fragments took
# pcopy to 681 MB (a piece and a 64 KiB buffer per fragment).  Memory is
# bounded by pieces and buffer bytes now: peak RSS of every process stays
# under 256 MiB, and the file comes out right.
. "$TESTLIB"

python3 - <<'PY' || setup_error "cannot make the archive"
import gzip, io, tarfile
N, STEP = 150000, 2
size = N * STEP
mp = ["%d" % N] + ["%d\n1" % (i * STEP) for i in range(N)]
mapblk = ("\n".join(mp) + "\n").encode()
mapblk += b"\0" * (-len(mapblk) % 512)
data = bytes((i % 251) + 1 for i in range(N))
ti = tarfile.TarInfo("GNUSparseFile.0/frag")
ti.size = len(mapblk) + len(data)
ti.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                  "GNU.sparse.name": "frag", "GNU.sparse.realsize": str(size)}
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    t.addfile(ti, io.BytesIO(mapblk + data))
    after = tarfile.TarInfo("after")
    after.size = 6
    t.addfile(after, io.BytesIO(b"after\n"))
with gzip.open("frag.tar.gz", "wb") as f:
    f.write(buf.getvalue())
# What the file must come out as.
with open("frag.want", "wb") as f:
    f.truncate(size)
    for i in range(N):
        f.seek(i * STEP)
        f.write(bytes([data[i]]))
PY
[ "$(stat -c %s frag.tar.gz)" -lt 1000000 ] || setup_error "archive too big"
# Peak RSS of pcopy and of every worker process it waited for.
python3 - "$PCOPY" "$BACKEND" <<'PY' > rss 2> err || fail "pcopy: $(cat err)"
import resource, subprocess, sys
r = subprocess.run([sys.argv[1], "--backend=" + sys.argv[2], "frag.tar.gz", "out"],
                   stderr=subprocess.PIPE, timeout=240)
sys.stderr.write(r.stderr.decode())
if r.returncode != 0:
    sys.exit(r.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
kib=$(cat rss)
echo "peak RSS $kib KiB"
[ "$kib" -lt $((256 * 1024)) ] || fail "peak RSS $kib KiB, over 256 MiB"
cmp frag.want out/frag || fail "the fragments came out wrong"
[ "$(cat out/after)" = after ] || fail "the member after it was lost"
exit 0
