#!/usr/bin/env python3
"""tarfuzz.py - a structure-aware fuzzer of pcopy's extraction.

Where the byte fuzzer (fuzz_unpack.c) mutates bytes, this one builds whole
archives from random operations, the shapes that hurt before: files,
directories, symbolic links (up, out, absolute, to each other), hard links
to earlier, later or the same name, duplicate names, sparse maps of many
fragments or out of range, huge and negative sizes, pax records of any
length, odd modes.  Each archive is extracted by pcopy with every backend,
under a timeout and with its peak memory measured, and must:

  - end within the timeout, with exit status 0 or 1 (never a crash);
  - keep every process under the memory budget (256 MiB);
  - write nothing outside DST (a canary beside it stays as it was);
  - leave no temporary (.pcopy.*) in DST;
  - name every failure: each message is "pcopy: ..." and an error about a
    member quotes its path.

Usage:
  tarfuzz.py --pcopy ./pcopy --seconds 60 [--seed N] [--save DIR]
      fuzz for that long; a failing archive is saved in DIR
  tarfuzz.py --pcopy ./pcopy --replay DIR [--backends threads]
      extract every saved archive in DIR (make check does this)
"""

import argparse
import gzip
import io
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

BUDGET_KIB = 256 * 1024
TIMEOUT = 60
NAMES = ["a", "b", "c", "d/e", "d/f", "d", "x/y/z", "..", "../out",
         "/abs", "./a", "a/", "d/../a", "\u00e9t\u00e9", "sp ace", "n\nl",
         "l" * 300, "/".join(["deep"] * 80), ".pcopy.1.2"]


def rname(rnd):
    n = rnd.choice(NAMES)
    if rnd.random() < 0.2:
        n += str(rnd.randrange(5))
    return n


def sparse_member(rnd, name):
    """A pax GNU sparse 1.0 member: a map of fragments, then their data."""
    nfrag = rnd.choice([0, 1, 3, 50, 3000, 40000])
    size = rnd.choice([0, 1, 4096, 1 << 20, 1 << 30, 1 << 40, (1 << 63) - 1])
    frags, data = [], bytearray()
    off = 0
    for _ in range(nfrag):
        off += rnd.randrange(0, 1 << rnd.choice([1, 8, 20]))
        # Data stays small: this process's size would show in every
        # child's peak RSS (the kernel keeps it across exec).
        ln = rnd.choice([0, 1, 7, 512, 5000]) if len(data) < (2 << 20) else 1
        if rnd.random() < 0.05:
            off = rnd.randrange(0, 1 << 62)	# beyond the size
        frags.append((off, ln))
        data += bytes([rnd.randrange(256)]) * ln
        off += ln
    mp = ["%d" % len(frags)] + ["%d\n%d" % f for f in frags]
    blk = ("\n".join(mp) + "\n").encode()
    blk += b"\0" * (-len(blk) % 512)
    ti = tarfile.TarInfo("GNUSparseFile.0/" + name)
    payload = blk + bytes(data)
    ti.size = len(payload)
    ti.pax_headers = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0",
                      "GNU.sparse.name": name,
                      "GNU.sparse.realsize": str(size)}
    return ti, payload


def build(rnd):
    """A random archive, as bytes."""
    buf = io.BytesIO()
    names = []
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for _ in range(rnd.randrange(1, 40)):
            op = rnd.random()
            name = rname(rnd)
            payload = None
            if op < 0.30:
                ti = tarfile.TarInfo(name)
                payload = os.urandom(rnd.choice([0, 1, 100, 5000, 300000]))
                ti.size = len(payload)
            elif op < 0.40:
                ti = tarfile.TarInfo(name)
                ti.type = tarfile.DIRTYPE
            elif op < 0.55:
                ti = tarfile.TarInfo(name)
                ti.type = tarfile.SYMTYPE
                ti.linkname = rnd.choice(names + ["..", "/etc", "../..",
                                                  "d", name])
            elif op < 0.72:
                ti = tarfile.TarInfo(name)
                ti.type = tarfile.LNKTYPE
                ti.linkname = rnd.choice(names + [name, rname(rnd)]) \
                    if names else name
            elif op < 0.80:
                ti, payload = sparse_member(rnd, name)
            elif op < 0.86:
                ti = tarfile.TarInfo(name)
                ti.type = tarfile.FIFOTYPE
            elif op < 0.92:
                ti = tarfile.TarInfo(name)
                payload = b"x" * rnd.randrange(10)
                ti.size = len(payload)
                ti.pax_headers = {rnd.choice(["comment", "path", "linkpath",
                                              "SCHILY.xattr.user.k",
                                              "LIBARCHIVE.xattr.user.k",
                                              "uid", "gid", "mtime",
                                              "size"]):
                                  rnd.choice(["", "-1", "1e400", "x" * 70000,
                                              "18446744073709551617",
                                              "4294967296", "a/../b"])}
            else:
                ti = tarfile.TarInfo(name)
                payload = b"y" * 10
                ti.size = len(payload)
            ti.mode = rnd.choice([0o644, 0o755, 0o4755, 0o000, 0o777,
                                  0o1777, 0o200])
            ti.mtime = rnd.choice([0, 1, -5, 2 ** 33, 1700000000])
            try:
                t.addfile(ti, io.BytesIO(payload) if payload is not None
                          else None)
            except (ValueError, OverflowError, tarfile.HeaderError):
                continue
            names.append(name)
    data = buf.getvalue()
    if rnd.random() < 0.3:
        data = gzip.compress(data)
    if rnd.random() < 0.1 and len(data) > 600:
        data = data[:rnd.randrange(512, len(data))]	# truncated
    return data


def tree_of(path):
    out = {}
    for top, dirs, files in os.walk(path):
        for n in dirs + files:
            p = os.path.join(top, n)
            st = os.lstat(p)
            out[os.path.relpath(p, path)] = (st.st_mode, st.st_size,
                                             st.st_mtime_ns)
    return out


def extract(pcopy, backend, archive, work):
    """Run pcopy on archive in work; returns (status or None on a timeout,
    stderr, peak KiB of pcopy and the workers it waited for)."""
    dst = os.path.join(work, "dst")
    with tempfile.TemporaryFile() as errf:
        p = subprocess.Popen([pcopy, "--backend=" + backend, "-j", "3",
                              archive, dst], stdout=subprocess.DEVNULL,
                             stderr=errf)
        end = time.time() + TIMEOUT
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.time() > end:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                p.returncode = -9
                return None, b"", ru.ru_maxrss
            time.sleep(0.01)
        p.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        return p.returncode, errf.read(), ru.ru_maxrss


def check(pcopy, backend, data, tag):
    """Extract data; returns a list of what went wrong (empty: fine)."""
    bad = []
    with tempfile.TemporaryDirectory(prefix="tarfuzz.") as top:
        work = os.path.join(top, "w")
        os.makedirs(os.path.join(work, "canary"))
        with open(os.path.join(work, "canary", "keep"), "w") as f:
            f.write("keep\n")
        archive = os.path.join(top, "in.tar")
        with open(archive, "wb") as f:
            f.write(data)
        before = tree_of(top)
        rc, err, kib = extract(pcopy, backend, archive, work)
        if rc is None:
            bad.append("did not end within %d s" % TIMEOUT)
        elif rc not in (0, 1):
            bad.append("exit status %d" % rc)
        if kib > BUDGET_KIB:
            bad.append("peak RSS %d KiB" % kib)
        after = tree_of(top)
        for rel, what in before.items():
            # w itself gets dst; everything else must stay as it was.
            if rel != "w" and after.get(rel) != what:
                bad.append("changed outside DST: %s" % rel)
        for rel in after:
            if rel not in before and not rel.startswith("w/dst"):
                bad.append("made outside DST: %s" % rel)
            if os.path.basename(rel).startswith(".pcopy.") and \
                    rel.startswith("w/dst") and "pcopy.1.2" not in rel:
                bad.append("temporary left: %s" % rel)
        for line in err.decode("utf-8", "replace").splitlines():
            if not line.startswith("pcopy: "):
                bad.append("unnamed message: %r" % line[:200])
            elif ("cannot" in line or "refusing" in line) and "'" not in line:
                bad.append("failure without a path: %r" % line[:200])
        if rc == 1 and not err:
            bad.append("exit 1 without a word")
        # Make sure nothing is left behind to trip the next run.
        shutil.rmtree(work, ignore_errors=True)
    return ["%s [%s]: %s" % (tag, backend, b) for b in bad]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pcopy", required=True)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--save", default=None)
    ap.add_argument("--replay", default=None)
    ap.add_argument("--backends", default="threads,fork,mixed")
    args = ap.parse_args()
    pcopy = os.path.abspath(args.pcopy)
    backends = args.backends.split(",")
    problems = []
    if args.replay:
        cases = sorted(os.listdir(args.replay))
        for name in cases:
            with open(os.path.join(args.replay, name), "rb") as f:
                data = f.read()
            for b in backends:
                problems += check(pcopy, b, data, name)
        print("tarfuzz: %d saved archives, %d backends, %d problems" % (
            len(cases), len(backends), len(problems)))
    else:
        seed = args.seed if args.seed is not None else int(time.time())
        rnd = random.Random(seed)
        end = time.time() + args.seconds
        n = 0
        while time.time() < end:
            data = build(rnd)
            b = backends[n % len(backends)]
            found = check(pcopy, b, data, "case %d" % n)
            if found and args.save:
                os.makedirs(args.save, exist_ok=True)
                path = os.path.join(args.save, "seed%d-case%d.tar" % (seed, n))
                with open(path, "wb") as f:
                    f.write(data)
                found.append("saved as %s" % path)
            problems += found
            n += 1
        print("tarfuzz: seed %d, %d archives in %.0f s, %d problems" % (
            seed, n, args.seconds, len(problems)))
    for p in problems:
        print("  " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
