/*
 * main.c - main(): parse, choose the job (a copy, writing an archive,
 * extracting one), open what it works on, run it on the coordinator,
 * report.
 *
 * The coordinator runs in this process's main thread.  It is the only
 * one that draws progress or prints.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "main.h"
#include "progress.h"
#include "shape.h"
#include "stats.h"
#include "archive/archfmt.h"
#include "archive/pack.h"
#include "archive/unpack.h"
#include "engine/backend.h"
#include "engine/coord.h"
#include "engine/plan.h"
#include "engine/signals.h"
#include "worker/copy.h"
#include "worker/exclude.h"
#include "worker/meta.h"

enum job { JOB_COPY, JOB_PACK, JOB_UNPACK };

static unsigned
env_delay(void)
{
	const char *s = getenv("PCOPY_TEST_DELAY_MS");

	return s != NULL ? (unsigned)strtoul(s, NULL, 10) : 0;
}

static int
progress_mode(const struct options *o)
{
	int tty = isatty(STDERR_FILENO);

	if (o->quiet)
		return PROG_NONE;
	switch (o->progress) {
	case PROG_AUTO:
		return tty ? PROG_BAR : PROG_NONE;
	case PROG_ON:
		return tty ? PROG_BAR : PROG_LINE;
	default:
		return o->progress;
	}
}

static void
setup_runconf(struct pcopy *pc)
{
	struct runconf *rc = &pc->rc;

	rc->chunk_size = pc->opt.chunk_size;
	rc->euid = geteuid();
	rc->egid = getegid();
	rc->is_root = rc->euid == 0;
	rc->pid = getpid();
	rc->delay_ms = env_delay();
	rc->copy_paths = (unsigned)strtoul(getenv("PCOPY_COPY_PATHS") ?
	    getenv("PCOPY_COPY_PATHS") : "0", NULL, 0);
	rc->preserve = pc->opt.preserve;
	rc->reflink = pc->opt.reflink;
	rc->sparse = pc->opt.sparse;
	rc->update = pc->opt.update;
	rc->no_clobber = pc->opt.no_clobber;
	rc->one_fs = pc->opt.one_fs;
	rc->dry_run = pc->opt.dry_run;
	rc->nexcludes = pc->opt.nexcludes;
	rc->excludes = exclude_compile(pc->opt.excludes, pc->opt.nexcludes);
	rc->exclude_paths = exclude_needs_path(rc->excludes, rc->nexcludes);
	/* Copies get exactly the source's mode: no umask in the way. */
	rc->umask = umask(0);
	/*
	 * Extracting, an ordinary user gets the modes tar gives: the umask
	 * applied and no set-ID bits, unless asked to keep them (-p,
	 * --preserve=mode); root keeps them all.  A copy keeps cp -a's rules.
	 */
	rc->extract_mask = rc->is_root || pc->opt.keep_modes ? 0 :
	    rc->umask | S_ISUID | S_ISGID;
	/*
	 * Without a progress display nothing needs the totals before the
	 * copy, so a regular file is stat'ed by its copy, through the open
	 * descriptor, instead of by name in the walk as well.
	 */
	rc->stat_at_copy = progress_mode(&pc->opt) == PROG_NONE &&
	    !rc->dry_run;
	rc->dircache_slots = pc->shape.slots;
	/* Big files are bound by bandwidth, not by waiting: beyond two
	 * chunks per processor more writers only contend. */
	rc->chunk_width = MAX(1, MIN(pc->shape.jobs, 2 * pc->shape.ncpu));
}

/*
 * How many workers, in what shape: from the options, the processors and
 * the descriptor limit (cli/shape.c).  A pool the user asked for that the
 * limit cuts is said so.
 */
static void
setup_shape(struct pcopy *pc)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int nroots = MAX(1, pc->opt.noperands - 1);

	shape_decide(&pc->opt, n > 0 ? (int)n : 1, nroots, shape_fd_limit(),
	    &pc->shape);
	if (pc->shape.cut && pc->opt.jobs)
		warnx("the limit of %d open files leaves room for %d "
		    "workers", pc->shape.fdlimit, pc->shape.jobs);
}

/*
 * Root n copies to the same target as an earlier one (pcopy a/d b/d DIR).
 * Two directories merge, as with cp: n waits until the earlier one is
 * done, so the later operand's files win.  Anything else is refused, as
 * cp refuses to overwrite a file it has just made.  Returns 0 to refuse.
 */
static int
order_same_target(struct pcopy *pc, int n)
{
	struct rootinfo *ri = &pc->rinfo[n];
	char *qs, *qd;

	for (int j = n - 1; j >= 0; j--) {
		if (!target_same(&pc->rinfo[j], ri))
			continue;
		if (pc->rc.roots[j].is_dir && pc->rc.roots[n].is_dir) {
			ri->after = j;
			return 1;
		}
		qs = path_quote(pc->rc.roots[n].src_disp);
		qd = path_quote(pc->rc.roots[n].dst_disp);
		warnx("will not overwrite just-created '%s' with '%s'", qd, qs);
		free(qs);
		free(qd);
		return 0;
	}
	return 1;
}

/*
 * Open a root for every SRC.  A SRC that cannot be opened is reported
 * and left out; the others are copied.  Returns how many roots are open.
 */
static int
open_roots(struct pcopy *pc)
{
	char errbuf[512];
	int n = 0;

	if (target_pairs(&pc->opt, &pc->pairs, &pc->npairs, errbuf,
	    sizeof(errbuf)) == -1)
		errx(2, "%s", errbuf);
	pc->rc.roots = xcalloc((size_t)pc->npairs, sizeof(*pc->rc.roots));
	pc->rinfo = xcalloc((size_t)pc->npairs, sizeof(*pc->rinfo));
	for (int i = 0; i < pc->npairs; i++) {
		struct root *r = &pc->rc.roots[n];

		if (target_open(&pc->pairs[i], r, &pc->rinfo[n],
		    pc->opt.dry_run) == -1 || !order_same_target(pc, n)) {
			target_close(r, &pc->rinfo[n]);
			pc->st = MAX(pc->st, ST_FAIL);
			continue;
		}
		n++;
	}
	pc->rc.nroots = (uint32_t)n;
	return n;
}

static int
is_regular(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * What the operands ask for (the rule in pcopy(1), ARCHIVES): "-" as
 * DST writes a stream and as the only SRC reads one; --format or
 * --compress, or a DST named like an archive that is not a directory,
 * writes an archive file; two operands whose SRC is a regular file named
 * like an archive extract it (unless DST is named like one too: then it
 * is a copy).  -t, or an operand "-" elsewhere, is for copies only.
 */
static int
job_of(const struct options *o, struct archspec *spec)
{
	const char *first = o->operands[0];
	const char *last = o->operands[o->noperands - 1];
	struct archspec dspec = { AF_PAX, AZ_NONE }, sspec;
	int dnamed, snamed;

	for (int i = 0; i < o->noperands; i++)
		if (strcmp(o->operands[i], "-") == 0 && (o->target_dir ||
		    (i != o->noperands - 1 && !(i == 0 &&
		    o->noperands == 2))))
			errx(2, "'-' is an archive stream only as DST "
			    "(pcopy SRC... -) or as the only SRC (pcopy - DST)");
	if (o->target_dir != NULL)
		return JOB_COPY;
	dnamed = archfmt_by_name(last, &dspec) && !is_dir(last);
	snamed = o->noperands == 2 && archfmt_by_name(first, &sspec) &&
	    is_regular(first);
	if (o->noperands == 2 && strcmp(first, "-") == 0)
		return JOB_UNPACK;
	if (strcmp(last, "-") == 0 || o->format != -1 || o->compress != -1 ||
	    (dnamed && !snamed)) {
		*spec = dspec;
		if (o->format != -1)
			spec->format = o->format;
		if (o->compress != -1)
			spec->filter = o->compress;
		return JOB_PACK;
	}
	if (snamed && !dnamed)
		return JOB_UNPACK;
	return JOB_COPY;
}

static int
parse(struct pcopy *pc, int argc, char **argv)
{
	char errbuf[512];

	switch (options_parse(&pc->opt, argc, argv, errbuf, sizeof(errbuf))) {
	case PARSE_HELP:
		options_help(stdout);
		return 0;
	case PARSE_VERSION:
		(void)printf("pcopy %s\n", PCOPY_VERSION);
		return 0;
	case PARSE_USAGE:
		warnx("%s", errbuf);
		options_usage(stderr);
		return 2;
	default:
		return -1;
	}
}

/* ---- the run ---- */

static void
ui_tick(void *arg, const struct counts *c, double t)
{
	progress_update(arg, c, t);
}

static void
ui_finish(void *arg, const struct counts *c, double t)
{
	progress_finish(arg, c, t);
}

/* The coordinator and its backend, the one place a backend is made. */
static void
new_coord(struct pcopy *pc)
{
	struct coord_ui ui = { ui_tick, ui_finish, progress_clear,
	    pc->progress };
	struct backend *b = backend_new(pc->opt.backend, &pc->rc,
	    pc->shape.jobs, pc->shape.procs, pc->shape.threads);

	pc->coord = coord_new(&pc->rc, b, &ui);
}

static void
print_stats(struct pcopy *pc, int status)
{
	const struct backend *b = coord_backend(pc->coord);
	struct stats_run s;

	s.backend = b->name;
	s.nprocs = b->nprocs;
	s.nthreads = b->nthreads;
	s.nworkers = b->nworkers;
	s.elapsed = now_seconds() - pc->start;
	s.status = status;
	s.counts = coord_counts(pc->coord);
	s.totals = coord_totals(pc->coord);
	s.wstats = coord_wstats(pc->coord);
	if (pc->opt.stats == STATS_JSON)
		stats_print_json(stderr, &s);
	else
		stats_print_text(stderr, &s);
}

/* Run the job to its end; returns the exit status. */
static int
run(struct pcopy *pc)
{
	int status = coord_run(pc->coord, pc->ops, pc->job);

	/* Operands that could not be opened were reported already. */
	if (status == 0 && pc->st >= ST_FAIL)
		status = pc->st >= ST_FATAL ? 2 : 1;
	if (fflush(stdout) == EOF && status == 0) {
		warnc(errno, "error writing standard output");
		status = 1;
	}
	if (pc->opt.stats != STATS_NONE)
		print_stats(pc, status);
	return status;
}

static void
teardown(struct pcopy *pc)
{
	coord_free(pc->coord);
	if (pc->job_free != NULL)
		pc->job_free(pc->job);
	progress_free(pc->progress);
	for (uint32_t i = 0; i < pc->rc.nroots; i++)
		target_close(&pc->rc.roots[i], &pc->rinfo[i]);
	for (int i = 0; i < pc->npairs; i++)
		free(pc->pairs[i].dst);
	if (pc->infd > STDERR_FILENO)
		(void)close(pc->infd);
	free(pc->pairs);
	free(pc->rinfo);
	free(pc->srcnames);
	free(pc->rc.roots);
	exclude_free(pc->rc.excludes, pc->rc.nexcludes);
	options_free(&pc->opt);
}

/*
 * --files-from FILE ("-": stdin) for the only SRC, which must be a
 * directory: the list is relative to it.
 */
static FILE *
open_list(struct pcopy *pc)
{
	const char *f = pc->opt.files_from;
	FILE *fp;

	if (pc->rc.nroots != 1 || !pc->rc.roots[0].is_dir)
		errx(2, "--files-from needs SRC to be a directory");
	if (strcmp(f, "-") == 0)
		return stdin;
	if ((fp = fopen(f, "r")) == NULL)
		errc(2, errno, "cannot open '%s'", f);
	return fp;
}

static void
free_plan(void *job)
{
	plan_free(job);
}

static void
free_pack(void *job)
{
	pack_free(job);
}

static void
free_unpack(void *job)
{
	unpack_free(job);
}

/* The copy: its roots, opened before the backend starts. */
static int
start_copy(struct pcopy *pc)
{
	struct plan *p;

	/* The copy's coordinator takes back tasks a busy worker returns. */
	pc->rc.hand_back = 1;
	if (open_roots(pc) == 0)
		return -1;
	new_coord(pc);
	p = plan_new(&pc->rc, pc->coord, pc->opt.verbose || pc->opt.dry_run,
	    pc->opt.null);
	if (pc->opt.files_from != NULL)
		plan_set_list(p, open_list(pc), pc->opt.null);
	for (uint32_t i = 0; i < pc->rc.nroots; i++)
		plan_add_root(p, i, &pc->rinfo[i].st, pc->rinfo[i].srcname,
		    pc->rinfo[i].dstname, pc->rinfo[i].after);
	pc->ops = &plan_job;
	pc->job = p;
	pc->job_free = free_plan;
	return 0;
}

/* Writing an archive: every SRC opened for reading. */
static int
start_pack(struct pcopy *pc, const struct archspec *spec)
{
	int nsrc = pc->opt.noperands - 1, n = 0;
	const char *out = pc->opt.operands[nsrc];
	struct stat st;
	char *q;

	if (pc->opt.update)
		errx(2, "--update does not apply to writing an archive");
	if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO))
		errx(2, "will not write an archive to a terminal");

	pc->rc.roots = xcalloc((size_t)nsrc, sizeof(*pc->rc.roots));
	pc->rinfo = xcalloc((size_t)nsrc, sizeof(*pc->rinfo));
	pc->srcnames = xcalloc((size_t)nsrc, sizeof(*pc->srcnames));
	for (int i = 0; i < nsrc; i++) {
		if (target_open_source(pc->opt.operands[i], out,
		    &pc->rc.roots[n], &pc->rinfo[n]) == -1) {
			target_close(&pc->rc.roots[n], &pc->rinfo[n]);
			continue;
		}
		pc->srcnames[n] = pc->rinfo[n].srcname;
		n++;
	}
	pc->rc.nroots = (uint32_t)n;
	if (n == 0)
		return -1;
	if (pc->opt.no_clobber && strcmp(out, "-") != 0 && lstat(out, &st) == 0) {
		q = path_quote(out);
		warnx("not replacing '%s'", q);
		free(q);
		return -1;
	}
	new_coord(pc);
	pc->job = pack_new(&pc->rc, pc->coord, spec, out, pc->srcnames,
	    pc->opt.verbose, pc->opt.null);
	pc->ops = &pack_job;
	pc->job_free = free_pack;
	return pc->job != NULL ? 0 : -1;
}

/* Extracting: the archive ("-": stdin), and DST, made by the job. */
static int
start_unpack(struct pcopy *pc)
{
	const char *in = pc->opt.operands[0];
	const char *dst = pc->opt.operands[pc->opt.noperands - 1];
	int stdin_in = strcmp(in, "-") == 0;
	char *q;

	if (stdin_in && isatty(STDIN_FILENO))
		errx(2, "will not read an archive from a terminal");
	pc->rc.roots = xcalloc(1, sizeof(*pc->rc.roots));
	pc->rinfo = xcalloc(1, sizeof(*pc->rinfo));
	pc->rc.nroots = 1;
	pc->rc.roots[0].srcfd = pc->rc.roots[0].dstfd = -1;
	pc->rc.roots[0].src_disp = xstrdup(in);
	pc->rc.roots[0].dst_disp = xstrdup(dst);
	pc->infd = stdin_in ? STDIN_FILENO : open(in, O_RDONLY | O_CLOEXEC);
	if (pc->infd == -1) {
		q = path_quote(in);
		warnc(errno, "cannot open '%s'", q);
		free(q);
		return -1;
	}
	new_coord(pc);
	pc->job = unpack_new(&pc->rc, pc->coord, pc->infd,
	    stdin_in ? "standard input" : in, dst, pc->opt.verbose,
	    pc->opt.null);
	pc->ops = &unpack_job;
	pc->job_free = free_unpack;
	return pc->job != NULL ? 0 : -1;
}

/* Refuse what does not apply to archives; set the locale they need. */
static void
archive_setup(struct pcopy *pc)
{
	if (pc->opt.dry_run || pc->opt.files_from != NULL)
		errx(2, "%s does not apply to archives", pc->opt.dry_run ?
		    "--dry-run" : "--files-from");
	/* Archive headers are UTF-8: names in it convert as they are. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		(void)setlocale(LC_CTYPE, "");
}

int
main(int argc, char **argv)
{
	struct pcopy pc;
	struct archspec spec;
	int status, job, r;

	memset(&pc, 0, sizeof(pc));
	pc.infd = -1;
	if ((status = parse(&pc, argc, argv)) != -1) {
		options_free(&pc.opt);
		return status;
	}
	if (pc.opt.bench) {
		status = bench_run(&pc.opt);
		options_free(&pc.opt);
		return status;
	}
	pc.start = now_seconds();
	signals_setup();
	setup_shape(&pc);
	setup_runconf(&pc);
	pc.progress = progress_new(progress_mode(&pc.opt), STDERR_FILENO,
	    isatty(STDERR_FILENO));
	msg_set_hook(progress_clear, pc.progress);
	if ((job = job_of(&pc.opt, &spec)) != JOB_COPY)
		archive_setup(&pc);
	r = job == JOB_COPY ? start_copy(&pc) : job == JOB_PACK ?
	    start_pack(&pc, &spec) : start_unpack(&pc);
	status = r == -1 ? 1 : run(&pc);
	msg_set_hook(NULL, NULL);
	teardown(&pc);
	return status;
}
