#!/usr/bin/env python3
"""Make pcopy's benchmark workloads: the same seed always gives the same
tree, names, sizes, links and bytes.

usage: workload.py NAME DIR [--seed N] [--files N]

  small   60,000 files of 0-16 KiB in 3,000 directories, 1% symlinks and
          1% hard-link pairs (--files changes the count; directories scale)
  medium  2,000 files of 1 MiB in 20 directories (--files changes the count)
  large   4 files of 1 GiB
  big2g   2 files of 1 GiB (the archive comparison's large case)
  mixed   20,000 small files, 20 files of 50 MiB, one 2 GiB sparse file
          (three 64 KiB extents: at 0, in the middle, at the very end)
  many    --files empty-to-1 KiB files in 100-file directories (for the
          memory measurement)

Contents come from an 8 MiB pool of seeded random bytes, sliced at seeded
offsets, so writing is fast and no two files are alike.  A finished tree
holds a stamp file; asking for the same tree again does nothing.
"""
import argparse
import os
import random
import shutil
import sys

POOL = 8 << 20
KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30


class Writer:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.pool = random.Random(seed ^ 0x5EED).randbytes(POOL)
        self.pool2 = self.pool + self.pool  # wrap-around slices

    def write(self, path, size):
        with open(path, "wb") as f:
            left = size
            while left > 0:
                n = min(left, POOL)
                off = self.rng.randrange(POOL)
                f.write(memoryview(self.pool2)[off:off + n])
                left -= n


def small_tree(w, root, nfiles, per_dir=20, links=True):
    ndirs = max(1, nfiles // per_dir)
    top = max(1, int(ndirs ** 0.5))
    made = 0
    for d in range(ndirs):
        path = os.path.join(root, "d%03d" % (d % top), "e%05d" % d)
        os.makedirs(path, exist_ok=True)
        for f in range(per_dir):
            if made == nfiles:
                break
            name = os.path.join(path, "f%02d" % f)
            w.write(name, w.rng.randrange(16 * KIB + 1))
            made += 1
            if links and made % 100 == 50:
                os.symlink("f%02d" % f, name + ".sym")
            if links and made % 100 == 75:
                os.link(name, name + ".hard")


def make(name, root, seed, files):
    w = Writer(seed)
    if name == "small":
        small_tree(w, root, files or 60000)
    elif name == "medium":
        for i in range(files or 2000):
            d = os.path.join(root, "m%02d" % (i // 100))
            os.makedirs(d, exist_ok=True)
            w.write(os.path.join(d, "file%04d" % i), MIB)
    elif name == "large":
        os.makedirs(root, exist_ok=True)
        for i in range(4):
            w.write(os.path.join(root, "big%d" % i), GIB)
    elif name == "big2g":
        os.makedirs(root, exist_ok=True)
        for i in range(2):
            w.write(os.path.join(root, "big%d" % i), GIB)
    elif name == "mixed":
        small_tree(w, os.path.join(root, "small"), 20000)
        os.makedirs(os.path.join(root, "media"), exist_ok=True)
        for i in range(20):
            w.write(os.path.join(root, "media", "clip%02d" % i), 50 * MIB)
        sparse = os.path.join(root, "media", "disk.img")
        with open(sparse, "wb") as f:
            for off in (0, GIB, 2 * GIB - 64 * KIB):
                f.seek(off)
                f.write(w.pool[off % (POOL - 64 * KIB):][:64 * KIB])
            f.truncate(2 * GIB)
    elif name == "many":
        count = files or 500000
        for i in range(count):
            d = os.path.join(root, "d%03d" % (i // 100000), "e%04d" % (i // 100))
            if i % 100 == 0:
                os.makedirs(d, exist_ok=True)
            w.write(os.path.join(d, "f%02d" % (i % 100)), w.rng.randrange(KIB))
    else:
        sys.exit("workload.py: unknown workload '%s'" % name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name")
    ap.add_argument("dir")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--files", type=int, default=0)
    a = ap.parse_args()
    stamp = os.path.join(a.dir, ".workload")
    want = "%s seed=%d files=%d\n" % (a.name, a.seed, a.files)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return
    if os.path.exists(a.dir):
        shutil.rmtree(a.dir)
    os.makedirs(a.dir)
    make(a.name, os.path.join(a.dir, "tree"), a.seed, a.files)
    with open(stamp, "w") as f:
        f.write(want)


if __name__ == "__main__":
    main()
