#!/usr/bin/env python3
"""Make the seed corpus of fuzz_unpack (tests/fuzz/corpus): small archives
of every kind pcopy reads, well-formed and hostile.  Run once; the files
are kept in the repository.  usage: make-corpus.py DIR"""
import gzip, io, os, sys, tarfile, zipfile

out = sys.argv[1]
os.makedirs(out, exist_ok=True)

def member(tf, name, data=b"", **kw):
    ti = tarfile.TarInfo(name)
    ti.mtime = 1000000000
    for k, v in kw.items():
        setattr(ti, k, v)
    if ti.type == tarfile.REGTYPE:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    else:
        tf.addfile(ti)

def tar(name, fmt, members, compress=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for m in members:
            member(tf, *m[:2], **(m[2] if len(m) > 2 else {}))
    data = buf.getvalue()
    if compress == "gz":
        data = gzip.compress(data, mtime=0)
    open(os.path.join(out, name), "wb").write(data)

plain = [(".", b"", {"type": tarfile.DIRTYPE, "mode": 0o755}),
         ("d", b"", {"type": tarfile.DIRTYPE}),
         ("d/file", b"hello\n", {"mode": 0o640}),
         ("d/link", b"", {"type": tarfile.SYMTYPE, "linkname": "file"}),
         ("d/hard", b"", {"type": tarfile.LNKTYPE, "linkname": "d/file"}),
         ("fifo", b"", {"type": tarfile.FIFOTYPE}),
         ("big", b"x" * 70000)]
tar("plain.tar", tarfile.PAX_FORMAT, plain)
tar("gnu.tar.gz", tarfile.GNU_FORMAT, plain, "gz")
tar("ustar.tar", tarfile.USTAR_FORMAT, plain[:4])
tar("xattr.tar", tarfile.PAX_FORMAT,
    [("f", b"data", {"pax_headers": {
        "SCHILY.xattr.user.test": "value",
        "SCHILY.acl.access": "user::rw-,user:nobody:r--:65534,group::r--,"
                             "mask::r--,other::---",
        "mtime": "1000000000.123456789"}})])
tar("hostile.tar", tarfile.PAX_FORMAT,
    [("../up", b"bad"), ("/abs", b"bad"),
     ("esc", b"", {"type": tarfile.SYMTYPE, "linkname": "/tmp"}),
     ("esc/in", b"bad"),
     ("h", b"", {"type": tarfile.LNKTYPE, "linkname": "../x"}),
     ("a//b/./c", b"ok"), ("same", b"1"), ("same", b"2"),
     ("same/under", b"bad")])
zbuf = io.BytesIO()
with zipfile.ZipFile(zbuf, "w") as z:
    z.writestr("z/one", b"one")
    z.writestr("z/two", b"two" * 100)
open(os.path.join(out, "small.zip"), "wb").write(zbuf.getvalue())
# A cpio "newc" archive with one file, written by hand.
def newc(name, data, mode=0o100644, ino=1):
    name_b = name.encode() + b"\0"
    hdr = "070701" + "".join("%08x" % v for v in (
        ino, mode, 0, 0, 1, 1000000000, len(data), 0, 0, 0, 0,
        len(name_b), 0))
    rec = hdr.encode() + name_b
    rec += b"\0" * (-len(rec) % 4) + data + b"\0" * (-len(data) % 4)
    return rec
cpio = newc("c/file", b"cpio data\n") + newc("TRAILER!!!", b"", 0, 0)
open(os.path.join(out, "small.cpio"), "wb").write(cpio)
