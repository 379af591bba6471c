#!/usr/bin/env python3
"""pcopy's benchmark: copy deterministic workloads with pcopy's backends
and with cp -a, tar | tar and rsync -a, side by side, and report medians
and ratios as markdown tables and SVG charts.

usage: bench.py [--workloads small,medium,large,mixed] [--reps 3]
                [--dst tmpfs=/dev/shm/pcopy-bench,ext4=/var/tmp/pcopy-bench]
                [--src DIR] [--jobs 1,2,4,8,16] [--scaling small,medium]
                [--files N] [--only REGEX] [--out DIR] [--pcopy PATH]
                [--floor PATH]
       bench.py --rss [--files 500000]
       bench.py --archive [--workloads small,big2g] [--files 50000]
       bench.py --growth      (time against number of files and bytes)

How it measures (see ../shared BENCHMARKING notes in the README):
- every command runs once per round, rounds alternate the commands
  (A B C, B C A, ...), and the median of the rounds is reported;
- the source is read before every timed run (warm cache, stated);
- an untimed sync runs before each command and a sync after it is
  inside the timed region, so dirty pages left behind are paid for;
- on a disk file system a used destination is renamed into a graveyard
  and its files truncated, not deleted (ext4 without a journal slows
  down after mass deletions); the graveyard is deleted at the end.

The floor (--floor, built from floor.c by make bench) is the least work a
copy can do: open, create, one copy call, close, close per regular file, on
4 threads, with the walk and the directories done before its clock starts.
Its own time is reported, not its wall time.  Where a target ratio to cp -a
lies below what the floor reaches, the floor is the target.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()


def damon_reclaim():
    """Describe a running DAMON scheme that pages out idle memory, or "".
    Some VMs run one; it evicts page cache that sat idle (for example a
    source read long before its run), which makes warm-cache runs partly
    cold.  bench.py reads the source right before every run for that."""
    base = "/sys/kernel/mm/damon/admin/kdamonds"
    out = []
    for k in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        kd = os.path.join(base, k)

        def rd(*parts):
            try:
                with open(os.path.join(kd, *parts)) as f:
                    return f.read().strip()
            except OSError:
                return ""
        if not k.isdigit() or rd("state") != "on":
            continue
        ctx = ("contexts", "0")
        aggr = rd(*ctx, "monitoring_attrs", "intervals", "aggr_us")
        for sch in range(int(rd(*ctx, "schemes", "nr_schemes") or 0)):
            sc = ctx + ("schemes", str(sch))
            age = rd(*sc, "access_pattern", "age", "min")
            if rd(*sc, "action") == "pageout" and aggr and age:
                out.append("DAMON pages out memory idle for %g s or more "
                           "(page cache left idle is evicted)" % (
                               int(age) * int(aggr) / 1e6))
    return "; ".join(out)


def page_reporting():
    """Describe a virtio balloon that reports free pages to its host, or
    "".  The host takes such pages back, and the next write to one
    faults on the host: on big files to tmpfs a run then takes up to 4
    times as long, and which runs do is not up to the command."""
    base = "/sys/bus/virtio/devices"
    for d in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        drv = os.path.join(base, d, "driver")
        try:
            with open(os.path.join(base, d, "features")) as f:
                feats = f.read().strip()
        except OSError:
            continue
        # VIRTIO_BALLOON_F_REPORTING is feature bit 5.
        if (os.path.basename(os.path.realpath(drv)) == "virtio_balloon"
                and len(feats) > 5 and feats[5] == "1"):
            return "free pages are reported to the host (virtio balloon)"
    return ""


def machine():
    model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("grep MemTotal /proc/meminfo | awk '{print $2}'")
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "cpu": model or platform.processor(),
        "mem_gib": round(int(mem or 0) / 1048576, 1),
        "kernel": platform.release(),
        "cp": sh("cp --version | head -n1"),
        "tar": sh("tar --version | head -n1"),
        "rsync": sh("rsync --version 2>/dev/null | head -n1"),
        "reclaim": "; ".join(x for x in (damon_reclaim(), page_reporting())
                             if x),
    }


def warm(path, buf=bytearray(1 << 20)):
    """Read every file and stat every inode below path."""
    for top, dirs, files in os.walk(path):
        for n in files:
            p = os.path.join(top, n)
            try:
                st = os.lstat(p)
                if st.st_size and os.path.isfile(p) and not os.path.islink(p):
                    with open(p, "rb", buffering=0) as f:
                        while f.readinto(buf):
                            pass
            except OSError:
                pass


def tree_size(path):
    files = nbytes = 0
    for top, dirs, names in os.walk(path):
        for n in names:
            st = os.lstat(os.path.join(top, n))
            files += 1
            if os.path.isfile(os.path.join(top, n)):
                nbytes += st.st_size
    return files, nbytes


def fs_type(path):
    return sh("stat -f -c %%T '%s'" % path)


class Graveyard:
    """Where used destinations go until the end of the run."""

    def __init__(self, base):
        self.dir = os.path.join(base, "graveyard")
        self.n = 0
        os.makedirs(self.dir, exist_ok=True)

    def retire(self, path, disk):
        if not os.path.lexists(path):
            return
        if not os.path.isdir(path):
            os.unlink(path)
            return
        if not disk:
            shutil.rmtree(path, ignore_errors=True)
            return
        self.n += 1
        dest = os.path.join(self.dir, str(self.n))
        os.rename(path, dest)
        for top, dirs, files in os.walk(dest):
            os.chmod(top, 0o700)
            for n in files:
                p = os.path.join(top, n)
                if os.path.isfile(p) and not os.path.islink(p):
                    try:
                        os.truncate(p, 0)
                    except OSError:
                        pass

    def clear(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def timed(argv, shell=False):
    """Run a command; return (seconds with the final sync, max RSS KiB)."""
    os.sync()
    t0 = time.monotonic()
    if shell:
        argv = ["/bin/sh", "-c", argv]
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    _, status, ru = os.wait4(pid, 0)
    os.sync()
    secs = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("failed (%s): %s" % (status, argv))
    return secs, ru.ru_maxrss


FLOOR_RE = re.compile(r"^floor: \d+ files, ([0-9.]+) s$", re.M)


def timed_floor(argv):
    """Run floor.c; return (its own seconds: copies and syncfs, 0)."""
    os.sync()
    out = subprocess.run(argv, capture_output=True, text=True)
    m = FLOOR_RE.search(out.stdout)
    if out.returncode != 0 or m is None:
        raise RuntimeError("failed (%s): %s %s" % (out.returncode, argv, out.stderr))
    return float(m.group(1)), 0


def commands(pcopy, jobs, scaling, have_rsync, floor=None, baseline=None):
    """(label, kind, build(src, dst) -> (argv or str, shell))"""
    cmds = []
    for b in ("threads", "fork", "mixed"):
        cmds.append(("pcopy %s" % b, "pcopy",
                     lambda s, d, b=b: ([pcopy, "-q", "-b", b, s, d], False)))
        if baseline:
            cmds.append(("baseline %s" % b, "other",
                         lambda s, d, b=b: ([baseline, "-q", "-b", b, s, d], False)))
    cmds.append(("cp -a", "ref", lambda s, d: (["cp", "-a", s, d], False)))
    cmds.append(("tar | tar", "other", lambda s, d: (
        "mkdir '%s' && tar -C '%s' -cf - . | tar -C '%s' -xf -" % (d, s, d), True)))
    if have_rsync:
        cmds.append(("rsync -a", "other",
                     lambda s, d: (["rsync", "-a", s + "/", d + "/"], False)))
    if floor:
        cmds.append(("floor", "floor",
                     lambda s, d: ([floor, "-j", "4", s, d], False)))
    if scaling:
        for b in ("threads", "fork", "mixed"):
            for j in jobs:
                cmds.append(("pcopy %s -j%d" % (b, j), "scaling",
                             lambda s, d, b=b, j=j: (
                                 [pcopy, "-q", "-b", b, "-j", str(j), s, d], False)))
    return cmds


def archive_commands(pcopy, srcdir, src, have_bsdtar):
    """Streams and .tar.zst files: pcopy against GNU tar and bsdtar.  The
    archive extracted by the *-x commands is made once, untimed."""
    ball = os.path.join(srcdir, "tree.tar.zst")
    if not os.path.exists(ball):
        subprocess.run(["tar", "--zstd", "-C", src, "-cf", ball, "."], check=True)
    cmds = [("cp -a", "ref", lambda s, d: (["cp", "-a", s, d], False)),
            ("pcopy src - | pcopy - dst", "pcopy", lambda s, d: (
                "'%s' -q '%s' - | '%s' -q - '%s'" % (pcopy, s, pcopy, d), True)),
            ("tar -cf - | tar -xf -", "other", lambda s, d: (
                "mkdir '%s' && tar -C '%s' -cf - . | tar -C '%s' -xf -" % (d, s, d), True))]
    if have_bsdtar:
        cmds.append(("bsdtar | bsdtar", "other", lambda s, d: (
            "mkdir '%s' && bsdtar -C '%s' -cf - . | bsdtar -C '%s' -xf -" % (d, s, d), True)))
    cmds += [("pcopy src out.tar.zst", "pcopy", lambda s, d: (
                 [pcopy, "-q", s, d + ".tar.zst"], False)),
             ("tar --zstd -cf out.tar.zst", "other", lambda s, d: (
                 ["tar", "--zstd", "-C", s, "-cf", d + ".tar.zst", "."], False))]
    if have_bsdtar:
        cmds.append(("bsdtar --zstd -cf out.tar.zst", "other", lambda s, d: (
            ["bsdtar", "--zstd", "-C", s, "-cf", d + ".tar.zst", "."], False)))
    cmds += [("pcopy in.tar.zst dst", "pcopy", lambda s, d: (
                 [pcopy, "-q", ball, d], False)),
             ("tar --zstd -xf in.tar.zst", "other", lambda s, d: (
                 "mkdir '%s' && tar --zstd -C '%s' -xf '%s'" % (d, d, ball), True))]
    if have_bsdtar:
        cmds.append(("bsdtar -xf in.tar.zst", "other", lambda s, d: (
            "mkdir '%s' && bsdtar -C '%s' -xf '%s'" % (d, d, ball), True)))
    return cmds


def bench_one(name, src, dstbase, disk, cmds, reps, grave, log):
    results = {label: [] for label, _, _ in cmds}
    rss = {label: 0 for label, _, _ in cmds}
    order = list(range(len(cmds)))
    for r in range(reps):
        rot = order[r % len(order):] + order[:r % len(order)]
        for i in rot:
            label, kind, build = cmds[i]
            dst = os.path.join(dstbase, "dst")
            grave.retire(dst, disk)
            grave.retire(dst + ".tar.zst", disk)
            warm(src)
            argv, shell = build(src, dst)
            secs, maxrss = timed_floor(argv) if kind == "floor" else timed(argv, shell)
            results[label].append(secs)
            rss[label] = max(rss[label], maxrss)
            log("  %-22s round %d: %.3f s" % (label, r + 1, secs))
    grave.retire(os.path.join(dstbase, "dst"), disk)
    grave.retire(os.path.join(dstbase, "dst.tar.zst"), disk)
    return results, rss


def table(name, fsname, files, nbytes, results, kinds):
    med = {k: statistics.median(v) for k, v in results.items()}
    ref = med.get("cp -a")
    floor = med.get("floor")
    fastest = min(med[k] for k in med if kinds[k] not in ("scaling", "floor"))
    lines = ["### %s → %s (%s files, %.2f GiB)" % (name, fsname, format(files, ","),
                                                  nbytes / 2**30), "",
             "| command | median s | min–max s | files/s | MiB/s | vs cp -a | vs fastest"
             " | vs floor |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for k, v in results.items():
        m = med[k]
        lines.append("| %s | %.3f | %.3f–%.3f | %s | %.0f | %.2f | %s | %s |" % (
            k.replace("|", "\\|"), m, min(v), max(v), format(int(files / m), ","), nbytes / 2**20 / m,
            m / ref if ref else float("nan"),
            "–" if kinds[k] == "floor" else "%.2f" % (m / fastest),
            "%.2f" % (m / floor) if floor else "–"))
    return "\n".join(lines) + "\n", med


def svg_charts(out, summary, scaling, jobs):
    """Two charts with gnuplot: ratios to cp -a, and time per worker count."""
    if shutil.which("gnuplot") is None:
        return "gnuplot is not installed: no charts"
    data = os.path.join(out, "ratios.dat")
    names = {"pcopy threads": "pcopy threads", "pcopy fork": "pcopy fork",
             "pcopy mixed": "pcopy mixed", "tar | tar": "tar | tar",
             "rsync -a": "rsync -a", "floor": "floor (least work)"}
    # Only what was run (--only, rsync missing): gnuplot refuses a column
    # with no valid point.
    cols = [c for c in names if any(c in med for _, med in summary)]
    if not cols:
        return "nothing beside cp -a was run: no charts"
    with open(data, "w") as f:
        for key, med in summary:
            ref = med["cp -a"]
            f.write('"%s" %s\n' % (key.replace(" ", "\\n"), " ".join(
                "%.3f" % (med[c] / ref) if c in med else "NaN" for c in cols)))
    using = ["'%s' using 2:xtic(1) title '%s'" % (data, names[cols[0]])]
    using += ["'' using %d title '%s'" % (i + 2, names[c])
              for i, c in enumerate(cols) if i > 0]
    plot = """set terminal svg size 900,420 font 'sans,11'
set output '%s/ratios.svg'
set title 'Wall time relative to cp -a (lower is faster; median of rounds, sync included)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'time / time of cp -a'
set yrange [0:*]
set grid ytics
set key top left
set bmargin 4
set arrow from graph 0, first 1 to graph 1, first 1 nohead lc rgb 'black' dt 2
set label 'cp -a' at graph 0.01, first 1 offset 0, 0.6
plot %s
""" % (out, ", ".join(using))
    plots = [plot]
    if scaling:
        sdat = os.path.join(out, "scaling.dat")
        with open(sdat, "w") as f:
            for key, med in scaling:
                for b in ("threads", "fork", "mixed"):
                    f.write('# %s %s\n' % (key, b))
                    for j in jobs:
                        m = med.get("pcopy %s -j%d" % (b, j))
                        # NaN: not run (--only); gnuplot skips it.
                        f.write("%d %s\n" % (j, "NaN" if m is None
                                              else "%.3f" % m))
                    f.write("\n\n")
        # One panel per workload and destination; colour tells the backend.
        colour = {"threads": "#9400d3", "fork": "#009e73", "mixed": "#56b4e9"}
        rows = (len(scaling) + 1) // 2
        script = ["set terminal svg size 900,%d font 'sans,11'" % (300 * rows),
                  "set output '%s/scaling.svg'" % out,
                  "set multiplot layout %d,2 title 'Wall time by backend and worker "
                  "count (median of rounds, sync included)'" % rows,
                  "set logscale x 2", "set xrange [%g:%g]" % (min(jobs) / 1.2, max(jobs) * 1.2),
                  "set xtics (%s)" % ", ".join(str(j) for j in jobs),
                  "set yrange [0:*]", "set grid", "set key top right",
                  "set ylabel 'seconds'", "set xlabel 'workers (-j)'"]
        n = 0
        for key, _ in scaling:
            series = []
            for b in ("threads", "fork", "mixed"):
                series.append("'%s' index %d using 1:2 with linespoints lw 2 lc rgb '%s' "
                              "title '%s'" % (sdat, n, colour[b], b))
                n += 1
            script += ["set title '%s'" % key, "plot " + ", ".join(series)]
        script.append("unset multiplot")
        plots.append("\n".join(script) + "\n")
    for p in plots:
        r = subprocess.run(["gnuplot"], input=p, text=True,
                           capture_output=True)
        if r.returncode != 0:
            return "gnuplot failed: %s" % " ".join(r.stderr.split())[-200:]
    return None


def measure_rss(args, log):
    src = os.path.join(args.src, "many")
    subprocess.run([sys.executable, os.path.join(HERE, "workload.py"), "many", src,
                    "--files", str(args.files or 500000)], check=True)
    tree = os.path.join(src, "tree")
    files, _ = tree_size(tree)
    out = []
    for dstbase in args.dsts.values():
        os.makedirs(dstbase, exist_ok=True)
        for b in ("threads", "fork", "mixed"):
            dst = os.path.join(dstbase, "rss-dst")
            shutil.rmtree(dst, ignore_errors=True)
            # The time is a side note (no alternation, deletes between
            # runs), but a cold source would make it a misleading one.
            warm(tree)
            secs, rss = timed([args.pcopy, "-q", "-b", b, tree, dst])
            shutil.rmtree(dst, ignore_errors=True)
            line = "pcopy -b %s, %s files to %s: peak RSS %.1f MiB (%.2f s)" % (
                b, format(files, ","), fs_type(dstbase), rss / 1024, secs)
            log(line)
            out.append(line)
    return out


GROWTH = (("small", (15000, 30000, 60000, 120000)),
          ("medium", (500, 1000, 2000, 4000)))


def measure_growth(args, log):
    """pcopy at its defaults, and cp -a beside it, on trees of 1, 2, 4
    and 8 units: small files for the count, 1 MiB files for the bytes.
    Time per file and per GiB stay flat if the copy grows linearly; the
    ratio to cp -a tells pcopy's growth from the machine's own."""
    out = ["| tree | dst | files | GiB | pcopy s | µs/file | s/GiB | cp -a s | ratio |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, sizes in GROWTH:
        trees = []
        for n in sizes:
            srcdir = os.path.join(args.src, "%s%d" % (name, n))
            subprocess.run([sys.executable, os.path.join(HERE, "workload.py"), name,
                            srcdir, "--files", str(n)], check=True)
            trees.append((n, os.path.join(srcdir, "tree")))
        cmds = (("pcopy", lambda s, d: [args.pcopy, "-q", s, d]),
                ("cp -a", lambda s, d: ["cp", "-a", s, d]))
        for fsname, base in args.dsts.items():
            os.makedirs(base, exist_ok=True)
            disk = fs_type(base) not in ("tmpfs", "ramfs")
            grave = Graveyard(base)
            times = {(n, c): [] for n, _ in trees for c, _ in cmds}
            for r in range(args.reps):
                for n, src in trees:
                    for label, argv in cmds:
                        dst = os.path.join(base, "dst")
                        grave.retire(dst, disk)
                        warm(src)
                        secs, _ = timed(argv(src, dst))
                        times[(n, label)].append(secs)
                        log("  %s %d -> %s %s round %d: %.3f s" % (
                            name, n, fsname, label, r + 1, secs))
            grave.retire(os.path.join(base, "dst"), disk)
            grave.clear()
            for n, src in trees:
                files, nbytes = tree_size(src)
                med = statistics.median(times[(n, "pcopy")])
                ref = statistics.median(times[(n, "cp -a")])
                line = "| %s %d | %s | %s | %.2f | %.3f | %.1f | %.2f | %.3f | %.2f |" % (
                    name, n, fsname, format(files, ","), nbytes / 2**30, med,
                    med / files * 1e6, med / (nbytes / 2**30), ref, med / ref)
                log(line)
                out.append(line)
    return out


def make_chain(path, depth):
    """A chain of depth directories "d", a small file "f" in each: deeper
    than PATH_MAX past about 2,000 levels."""
    if os.path.exists(path):
        return
    tmp = path + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    fd = os.open(tmp, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        f = os.open("f", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, b"x\n")
        os.close(f)
        nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    os.close(fd)
    os.rename(tmp, path)


def measure_depth(args, log):
    """pcopy on chains of 2,000, 4,000 and 8,000 directories (one file
    each) at -j1 and at its default: a copy that grows linearly takes
    twice and four times as long as at 2,000."""
    depths = (2000, 4000, 8000)
    out = ["| depth | dst | pcopy -j1 s | ratio to 2,000 | pcopy s | ratio to 2,000 |",
           "|---:|---|---:|---:|---:|---:|"]
    trees = [(d, os.path.join(args.src, "chain%d" % d)) for d in depths]
    for d, path in trees:
        make_chain(path, d)
    for fsname, base in args.dsts.items():
        os.makedirs(base, exist_ok=True)
        disk = fs_type(base) not in ("tmpfs", "ramfs")
        grave = Graveyard(base)
        times = {}
        for r in range(args.reps):
            for d, src in trees:
                for jobs in ("1", ""):
                    dst = os.path.join(base, "dst")
                    grave.retire(dst, disk)
                    argv = [args.pcopy, "-q"] + (["-j", jobs] if jobs else []) + [src, dst]
                    secs, _ = timed(argv)
                    times.setdefault((d, jobs), []).append(secs)
                    log("  chain %d -> %s -j%s round %d: %.3f s" % (
                        d, fsname, jobs or "default", r + 1, secs))
        grave.retire(os.path.join(base, "dst"), disk)
        grave.clear()
        for d, _ in trees:
            m1 = statistics.median(times[(d, "1")])
            md = statistics.median(times[(d, "")])
            b1 = statistics.median(times[(depths[0], "1")])
            bd = statistics.median(times[(depths[0], "")])
            line = "| %s | %s | %.3f | %.2f | %.3f | %.2f |" % (
                format(d, ","), fsname, m1, m1 / b1, md, md / bd)
            log(line)
            out.append(line)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workloads", default="small,medium,large,mixed")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dst", default="tmpfs=/dev/shm/pcopy-bench,ext4=/var/tmp/pcopy-bench")
    ap.add_argument("--src", default="/var/tmp/pcopy-bench-src")
    ap.add_argument("--jobs", default="1,2,4,8,16")
    ap.add_argument("--scaling", default="small,medium")
    ap.add_argument("--files", type=int, default=0)
    ap.add_argument("--only", default="", help="regex of command labels to run")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--pcopy", default=os.path.join(TOP, "pcopy"))
    ap.add_argument("--floor", default="",
                    help="floor.c binary: run it beside the others (make bench does)")
    ap.add_argument("--baseline", default="",
                    help="another pcopy binary (an older build) to time beside this one")
    ap.add_argument("--rss", action="store_true")
    ap.add_argument("--growth", action="store_true",
                    help="time against the number of files and of bytes")
    ap.add_argument("--depth", action="store_true",
                    help="time against the depth of a tree (past PATH_MAX)")
    ap.add_argument("--archive", action="store_true",
                    help="compare archive streams and files (issue 5)")
    args = ap.parse_args()
    if args.archive and args.workloads == ap.get_default("workloads"):
        args.workloads = "small,big2g"
    args.pcopy = os.path.abspath(args.pcopy)
    args.floor = os.path.abspath(args.floor) if args.floor else None
    args.baseline = os.path.abspath(args.baseline) if args.baseline else None
    args.dsts = dict(kv.split("=", 1) for kv in args.dst.split(","))
    jobs = [int(j) for j in args.jobs.split(",") if j]
    os.makedirs(args.out, exist_ok=True)
    logf = open(os.path.join(args.out, "log.txt"), "w")

    def log(s):
        print(s, flush=True)
        logf.write(s + "\n")

    info = machine()
    log("machine: %s" % json.dumps(info))
    if args.rss:
        lines = measure_rss(args, log)
        with open(os.path.join(args.out, "rss.md"), "w") as f:
            f.write("\n".join("- " + l for l in lines) + "\n")
        return
    if args.depth:
        lines = measure_depth(args, log)
        with open(os.path.join(args.out, "depth.md"), "w") as f:
            f.write("\n".join(lines) + "\n")
        return
    if args.growth:
        lines = measure_growth(args, log)
        with open(os.path.join(args.out, "growth.md"), "w") as f:
            f.write("\n".join(lines) + "\n")
        return
    have_rsync = shutil.which("rsync") is not None
    md = ["# pcopy benchmark", "",
          "Machine: %(cpus)d CPUs (%(cpu)s), %(mem_gib)s GiB RAM, Linux %(kernel)s, %(date)s." % info,
          "%s; %s; %s." % (info["cp"], info["tar"], info["rsync"] or "no rsync"),
          ("Memory: %s." % info["reclaim"]) if info["reclaim"] else "", "",
          "Each command ran %d rounds, alternating with the others; the median is shown. "
          "The source was read before each run (warm cache) and `sync` ran inside the timed "
          "region. Ratios below 1 are faster than cp -a." % args.reps, ""]
    if args.floor:
        md += ["`floor` is tests/bench/floor.c on 4 threads: per regular file open, create, "
               "one copy call, close, close; no walk, no directories, no metadata in its "
               "time (its own clock, which includes a final syncfs). Nothing can beat it; "
               "`vs floor` says how close each command comes.", ""]
    summary, scaling_sum, raw = [], [], {}
    for name in args.workloads.split(","):
        srcdir = os.path.join(args.src, name + (str(args.files) if args.files else ""))
        log("workload %s: making it in %s" % (name, srcdir))
        subprocess.run([sys.executable, os.path.join(HERE, "workload.py"), name, srcdir]
                       + (["--files", str(args.files)] if args.files else []), check=True)
        src = os.path.join(srcdir, "tree")
        files, nbytes = tree_size(src)
        for fsname, base in args.dsts.items():
            os.makedirs(base, exist_ok=True)
            disk = fs_type(base) not in ("tmpfs", "ramfs")
            grave = Graveyard(base)
            if args.archive:
                cmds = archive_commands(args.pcopy, srcdir, src,
                                        shutil.which("bsdtar") is not None)
            else:
                cmds = commands(args.pcopy, jobs, name in args.scaling.split(","), have_rsync,
                                args.floor, args.baseline)
            if args.only:
                cmds = [c for c in cmds if re.search(args.only, c[0])
                        or c[0] in ("cp -a", "floor")]
            kinds = {c[0]: c[1] for c in cmds}
            log("workload %s -> %s (%s): %d files, %.2f GiB" % (
                name, fsname, base, files, nbytes / 2**30))
            results, rss = bench_one(name, src, base, disk, cmds, args.reps, grave, log)
            grave.clear()
            text, med = table(name, fsname, files, nbytes, results, kinds)
            md.append(text)
            key = "%s %s" % (name, fsname)
            summary.append((key, med))
            if any(k == "scaling" for k in kinds.values()):
                scaling_sum.append((key, med))
            raw[key] = {"files": files, "bytes": nbytes, "times": results, "maxrss_kib": rss}
            log(text)
    if args.archive:
        with open(os.path.join(args.out, "archive.md"), "w") as f:
            f.write("\n".join(md))
        log("wrote %s/archive.md" % args.out)
        return
    note = svg_charts(args.out, summary, scaling_sum, jobs)
    if note:
        md.append("(%s)\n" % note)
    else:
        md.append("![ratios](ratios.svg)\n")
        if scaling_sum:
            md.append("![scaling](scaling.svg)\n")
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"machine": info, "results": raw}, f, indent=1)
    log("wrote %s/results.md" % args.out)


if __name__ == "__main__":
    main()
