/*
 * bench.c - pcopy --bench SRC [SCRATCH]: copy SRC with each backend at
 * several worker counts, side by side, and print a table.
 *
 * Each copy is a run of this same binary (/proc/self/exe), so what is
 * measured is what a user runs.  Runs alternate (every combination once
 * per round, rounds repeated) and the median of the rounds is reported.
 * The destination is flushed with syncfs() inside the timed region.  On a
 * disk file system a used destination is moved into a graveyard and its
 * files truncated rather than deleted: some file systems (ext4 without a
 * journal) slow down file creation for a while after mass deletions,
 * which would punish whichever run came next.  The graveyard goes at the
 * end.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <linux/magic.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "options.h"
#include "progress.h"
#include "util.h"
#include "engine/backend.h"

#define ROUNDS		3
#define MAX_COMBOS	32

struct combo {
	int	 backend, jobs;
	double	 secs[ROUNDS];
	int	 failed;
};

struct bench {
	const struct options *opt;
	const char	*src;
	char		*scratch, *graveyard;
	int		 made_scratch, disk, ngraves;
	uint64_t	 files, bytes;
	struct combo	 combos[MAX_COMBOS];
	int		 ncombos;
};

static uint64_t walk_files, walk_bytes;

static int
count_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)path;
	(void)f;
	if (type != FTW_D && type != FTW_DP)
		walk_files++;
	if (type == FTW_F && S_ISREG(st->st_mode))
		walk_bytes += (uint64_t)st->st_size;
	return 0;
}

/* Read every file once, so every run starts from a warm cache. */
static int
warm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	static char buf[1 << 16];
	int fd;

	(void)f;
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return 0;
	while (read(fd, buf, sizeof(buf)) > 0)
		continue;
	(void)close(fd);
	return 0;
}

static int
truncate_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type == FTW_D || type == FTW_DP)
		(void)chmod(path, 0700);
	else if (type == FTW_F && S_ISREG(st->st_mode))
		(void)truncate(path, 0);
	return 0;
}

static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

static void
remove_tree(const char *path)
{
	(void)nftw(path, truncate_one, 64, FTW_PHYS);
	(void)nftw(path, remove_one, 64, FTW_PHYS | FTW_DEPTH);
}

/* Put a used destination out of the way (see the top of the file). */
static void
retire(struct bench *b, const char *dst)
{
	char *grave;

	if (access(dst, F_OK) == -1)
		return;
	if (!b->disk) {
		remove_tree(dst);
		return;
	}
	grave = xasprintf("%s/%d", b->graveyard, ++b->ngraves);
	if (rename(dst, grave) == 0)
		(void)nftw(grave, truncate_one, 64, FTW_PHYS);
	else
		remove_tree(dst);
	free(grave);
}

/*
 * Run this binary on one combination; returns the seconds it took with
 * the destination flushed, or -1 if it failed.
 */
static double
run_one(struct bench *b, const struct combo *c, const char *dst)
{
	char jobs[16], chunk[32];
	const char *argv[16];
	double t0, t1;
	int status, fd, n = 0;
	pid_t pid;

	(void)snprintf(jobs, sizeof(jobs), "%d", c->jobs);
	(void)snprintf(chunk, sizeof(chunk), "--chunk-size=%llu",
	    (unsigned long long)b->opt->chunk_size);
	argv[n++] = "pcopy";
	argv[n++] = "-q";
	argv[n++] = "-b";
	argv[n++] = backend_kind_name(c->backend);
	argv[n++] = "-j";
	argv[n++] = jobs;
	argv[n++] = chunk;
	argv[n++] = b->src;
	argv[n++] = dst;
	argv[n] = NULL;
	sync();
	t0 = now_seconds();
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		execv("/proc/self/exe", (char **)(uintptr_t)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		continue;
	if ((fd = open(b->scratch, O_RDONLY | O_DIRECTORY)) != -1) {
		(void)syncfs(fd);
		(void)close(fd);
	}
	t1 = now_seconds();
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return t1 - t0;
}

/* Backends and worker counts to compare: -b and -j narrow them down. */
static void
plan_combos(struct bench *b, int ncpu)
{
	int counts[4] = { 1, ncpu, 2 * ncpu, options_default_jobs(ncpu) };
	int kinds[3] = { BK_THREADS, BK_FORK, BK_MIXED };

	for (int k = 0; k < 3; k++) {
		if (b->opt->backend_given && b->opt->backend != kinds[k])
			continue;
		for (int i = 0; i < 4; i++) {
			int j = b->opt->jobs ? b->opt->jobs : counts[i];
			int dup = 0;

			if (kinds[k] == BK_MIXED && j < 2)
				continue;	/* one thread: that is fork */
			for (int m = 0; m < b->ncombos; m++)
				dup |= b->combos[m].backend == kinds[k] &&
				    b->combos[m].jobs == j;
			if (!dup && b->ncombos < MAX_COMBOS) {
				b->combos[b->ncombos].backend = kinds[k];
				b->combos[b->ncombos++].jobs = j;
			}
		}
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(const struct combo *c)
{
	double s[ROUNDS];

	memcpy(s, c->secs, sizeof(s));
	qsort(s, ROUNDS, sizeof(s[0]), cmp_double);
	return s[ROUNDS / 2];
}

static void
print_table(const struct bench *b, FILE *fp)
{
	char files[32], bytes[32], fps[32];
	double best = 0, m;
	int p, t;

	for (int i = 0; i < b->ncombos; i++)
		if (!b->combos[i].failed &&
		    (best == 0 || median(&b->combos[i]) < best))
			best = median(&b->combos[i]);
	fmt_count(files, sizeof(files), b->files);
	fmt_bytes(bytes, sizeof(bytes), (double)b->bytes);
	(void)fprintf(fp, "pcopy --bench: %s (%s files, %s) to %s (%s); "
	    "median of %d rounds, sync included\n\n", b->src, files, bytes,
	    b->scratch, b->disk ? "disk" : "tmpfs", ROUNDS);
	(void)fprintf(fp, "| backend | jobs | shape | median s | files/s | "
	    "rate | vs fastest |\n|---|---:|---|---:|---:|---:|---:|\n");
	for (int i = 0; i < b->ncombos; i++) {
		const struct combo *c = &b->combos[i];
		char shape[32] = "";

		backend_shape(c->backend, c->jobs, 0, 0,
		    (int)sysconf(_SC_NPROCESSORS_ONLN), &p, &t);
		if (c->backend == BK_MIXED)
			(void)snprintf(shape, sizeof(shape), "%dx%d", p, t);
		if (c->failed) {
			(void)fprintf(fp, "| %s | %d | %s | failed | | | |\n",
			    backend_kind_name(c->backend), c->jobs, shape);
			continue;
		}
		m = median(c);
		fmt_count(fps, sizeof(fps), (uint64_t)((double)b->files / m));
		fmt_bytes(bytes, sizeof(bytes), (double)b->bytes / m);
		(void)fprintf(fp, "| %s | %d | %s | %.3f | %s | %s/s | %.2f |\n",
		    backend_kind_name(c->backend), c->jobs, shape, m, fps,
		    bytes, m / best);
	}
}

static int
setup(struct bench *b)
{
	struct statfs sf;

	if (nftw(b->src, count_one, 64, FTW_PHYS) == -1) {
		warnc(errno, "cannot read '%s'", b->src);
		return -1;
	}
	b->files = walk_files;
	b->bytes = walk_bytes;
	if (b->opt->noperands > 1) {
		b->scratch = xstrdup(b->opt->operands[1]);
		if (mkdir(b->scratch, 0700) == 0)
			b->made_scratch = 1;
		else if (errno != EEXIST) {
			warnc(errno, "cannot create '%s'", b->scratch);
			return -1;
		}
	} else {
		const char *tmp = getenv("TMPDIR");

		b->scratch = xasprintf("%s/pcopy-bench.XXXXXX", tmp ? tmp :
		    "/tmp");
		if (mkdtemp(b->scratch) == NULL) {
			warnc(errno, "cannot create '%s'", b->scratch);
			return -1;
		}
		b->made_scratch = 1;
	}
	b->disk = statfs(b->scratch, &sf) == 0 && sf.f_type != TMPFS_MAGIC &&
	    sf.f_type != RAMFS_MAGIC;
	b->graveyard = xasprintf("%s/graveyard", b->scratch);
	if (b->disk && mkdir(b->graveyard, 0700) == -1 && errno != EEXIST) {
		warnc(errno, "cannot create '%s'", b->graveyard);
		return -1;
	}
	return 0;
}

/*
 * --bench: returns the exit status (0, or 1 when a run failed, 2 when the
 * benchmark could not start).
 */
int
bench_run(const struct options *opt)
{
	struct bench b;
	char *dst = NULL;
	int status = 0;

	memset(&b, 0, sizeof(b));
	b.opt = opt;
	b.src = opt->operands[0];
	if (opt->noperands > 2)
		errx(2, "--bench takes SRC and an optional SCRATCH directory");
	if (setup(&b) == -1) {
		status = 2;
		goto out;
	}
	plan_combos(&b, (int)sysconf(_SC_NPROCESSORS_ONLN));
	(void)nftw(b.src, warm_one, 64, FTW_PHYS);
	dst = xasprintf("%s/copy", b.scratch);
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < b.ncombos; i++) {
			/* Rotate the order so no combination is always first. */
			struct combo *c = &b.combos[(i + r) % b.ncombos];

			retire(&b, dst);
			c->secs[r] = run_one(&b, c, dst);
			if (c->secs[r] < 0) {
				c->failed = 1;
				status = 1;
			}
			if (!opt->quiet)
				(void)fprintf(stderr, "pcopy --bench: round %d, "
				    "%s -j %d: %.3f s\n", r + 1,
				    backend_kind_name(c->backend), c->jobs,
				    c->secs[r]);
		}
	}
	retire(&b, dst);
	print_table(&b, stdout);
out:
	if (b.graveyard != NULL)
		remove_tree(b.graveyard);
	if (b.made_scratch && b.scratch != NULL)
		remove_tree(b.scratch);
	free(dst);
	free(b.graveyard);
	free(b.scratch);
	return status;
}
