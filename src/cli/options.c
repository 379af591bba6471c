/*
 * options.c - parse the command line into struct options.
 *
 * The parser prints nothing and never exits: it returns what to do and, for
 * a usage error, the message in a caller's buffer.  That keeps it testable
 * (tests/unit/test_options.c) and keeps all output in pcopy.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "util.h"
#include "archive/archfmt.h"
#include "engine/backend.h"
#include "worker/copy.h"
#include "worker/meta.h"

enum {
	OPT_BACKEND = 256, OPT_PROCS, OPT_THREADS, OPT_PROGRESS, OPT_STATS,
	OPT_CHUNK, OPT_HELP, OPT_VERSION, OPT_PRESERVE, OPT_NO_PRESERVE,
	OPT_SPARSE, OPT_REFLINK, OPT_NO_CLOBBER, OPT_EXCLUDE, OPT_BENCH,
	OPT_FORMAT, OPT_COMPRESS, OPT_FILES_FROM, OPT_SAME_PERMS,
	OPT_NOT_BUILT
};

static const struct option longopts[] = {
	{ "archive",		no_argument,		NULL, 'a' },
	{ "recursive",		no_argument,		NULL, 'r' },
	{ "backend",		required_argument,	NULL, 'b' },
	{ "jobs",		required_argument,	NULL, 'j' },
	{ "procs",		required_argument,	NULL, OPT_PROCS },
	{ "threads",		required_argument,	NULL, OPT_THREADS },
	{ "progress",		optional_argument,	NULL, OPT_PROGRESS },
	{ "stats",		optional_argument,	NULL, OPT_STATS },
	{ "chunk-size",		required_argument,	NULL, OPT_CHUNK },
	{ "target-directory",	required_argument,	NULL, 't' },
	{ "no-target-directory", no_argument,		NULL, 'T' },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "help",		no_argument,		NULL, OPT_HELP },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ "preserve",		required_argument,	NULL, OPT_PRESERVE },
	{ "no-preserve",	required_argument,	NULL, OPT_NO_PRESERVE },
	{ "sparse",		required_argument,	NULL, OPT_SPARSE },
	{ "reflink",		optional_argument,	NULL, OPT_REFLINK },
	{ "no-clobber",		no_argument,		NULL, OPT_NO_CLOBBER },
	{ "update",		no_argument,		NULL, 'u' },
	{ "dry-run",		no_argument,		NULL, 'n' },
	{ "one-file-system",	no_argument,		NULL, 'x' },
	{ "exclude",		required_argument,	NULL, OPT_EXCLUDE },
	{ "format",		required_argument,	NULL, OPT_FORMAT },
	{ "compress",		required_argument,	NULL, OPT_COMPRESS },
	{ "files-from",		required_argument,	NULL, OPT_FILES_FROM },
	{ "null",		no_argument,		NULL, '0' },
	{ "same-permissions",	no_argument,		NULL, OPT_SAME_PERMS },
	{ "preserve-permissions", no_argument,		NULL, OPT_SAME_PERMS },
	/* In pcopy's spec, not built yet: said so at run time. */
	{ "verify",		no_argument,		NULL, OPT_NOT_BUILT },

	{ "bench",		no_argument,		NULL, OPT_BENCH },
	{ NULL,			0,			NULL, 0 }
};

/* Short forms of options not built yet. */
static const char not_built_short[] = "";

/* The leading ":" makes a missing argument return ':', not '?'. */
static const char shortopts[] = ":ab:j:prRt:Tvqunx0";

static int fail(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *errbuf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(errbuf, len, fmt, ap);
	va_end(ap);
	return PARSE_USAGE;
}

static int
parse_count(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > 1024)
		return -1;
	*out = (int)v;
	return 0;
}

static int
parse_progress(const char *s)
{
	static const char *names[] = {
		[PROG_BAR] = "bar", [PROG_LINE] = "line",
		[PROG_JSON] = "json", [PROG_NONE] = "none",
	};

	for (size_t i = PROG_BAR; i < NELEM(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/*
 * cp's attribute names: mode (which covers ACLs, as in cp), ownership,
 * timestamps, links, xattr, acl, context (SELinux: part of xattr here),
 * all.  Returns the PRESERVE_* bits of a comma-separated list, or 0 and
 * the bad name in *bad.
 */
static unsigned
parse_attrs(const char *list, char *bad, size_t badlen)
{
	static const struct {
		const char *name;
		unsigned bits;
	} attrs[] = {
		{ "mode", PRESERVE_MODE | PRESERVE_ACL },
		{ "ownership", PRESERVE_OWNER },
		{ "timestamps", PRESERVE_TIMES },
		{ "links", PRESERVE_LINKS },
		{ "xattr", PRESERVE_XATTR },
		{ "acl", PRESERVE_ACL },
		{ "context", PRESERVE_XATTR },
		{ "all", PRESERVE_ALL },
	};
	unsigned bits = 0;
	const char *p = list;
	size_t n, i;

	for (;;) {
		n = strcspn(p, ",");
		for (i = 0; i < NELEM(attrs); i++)
			if (strlen(attrs[i].name) == n &&
			    strncmp(attrs[i].name, p, n) == 0)
				break;
		if (i == NELEM(attrs)) {
			(void)snprintf(bad, badlen, "%.*s", (int)n, p);
			return 0;
		}
		bits |= attrs[i].bits;
		if (p[n] == '\0')
			return bits;
		p += n + 1;
	}
}

/* --sparse=auto|always|never and --reflink=auto|always|never. */
static int
parse_when(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return 0;
	if (strcmp(s, "always") == 0)
		return 1;
	if (strcmp(s, "never") == 0)
		return 2;
	return -1;
}

/*
 * The default number of workers for ncpu processors.  A copy of a tree
 * that is not in the page cache waits on the disk for every inode and
 * directory, and workers that wait are what keeps the disk's queue full:
 * 61,200 small files from a cold cache took 2.73 s at 2 per processor,
 * 1.47 s at 8, on two cores.  With the tree cached, 8 per processor cost
 * about 5% over 2 (the workers run SCHED_BATCH and big files are held to
 * rc->chunk_width).  See the README's benchmark section.
 */
int
options_default_jobs(int ncpu)
{
	return MAX(2, MIN(8 * ncpu, 64));
}

/*
 * Check combinations that getopt cannot, and work out the mixed shape.
 */
static int
check(struct options *o, char *errbuf, size_t len)
{
	if ((o->procs || o->threads) && o->backend != BK_MIXED)
		return fail(errbuf, len,
		    "--procs and --threads apply only to --backend=mixed");
	if (o->backend == BK_MIXED && o->procs && o->threads && o->jobs &&
	    o->jobs != o->procs * o->threads)
		return fail(errbuf, len, "--jobs=%d does not equal "
		    "--procs=%d times --threads=%d", o->jobs, o->procs,
		    o->threads);
	if (o->target_dir != NULL && o->no_target_dir)
		return fail(errbuf, len,
		    "cannot combine --target-directory (-t) and "
		    "--no-target-directory (-T)");
	if (o->noperands == 0)
		return fail(errbuf, len, "missing file operand");
	if (o->bench)
		return o->noperands <= 2 ? PARSE_RUN : fail(errbuf, len,
		    "--bench takes SRC and an optional SCRATCH directory");
	if (o->target_dir == NULL && o->noperands == 1)
		return fail(errbuf, len,
		    "missing destination file operand after '%s'",
		    o->operands[0]);
	if (o->no_target_dir && o->noperands > 2)
		return fail(errbuf, len, "extra operand '%s'",
		    o->operands[2]);
	if (o->verbose && o->quiet)
		return fail(errbuf, len, "cannot combine --verbose and --quiet");
	if (o->files_from != NULL && (o->target_dir != NULL ?
	    o->noperands != 1 : o->noperands != 2))
		return fail(errbuf, len, "--files-from takes one SRC");
	return PARSE_RUN;
}

/*
 * Parse argv into o.  Returns a parse_result; on PARSE_USAGE the reason is
 * in errbuf.  Operands point into argv.
 */
int
options_parse(struct options *o, int argc, char **argv, char *errbuf,
    size_t len)
{
	int c, idx = 0;

	memset(o, 0, sizeof(*o));
	o->chunk_size = DEFAULT_CHUNK_SIZE;
	o->preserve = PRESERVE_ALL;
	o->sparse = SPARSE_AUTO;
	o->reflink = REFLINK_AUTO;
	o->format = o->compress = -1;
	errbuf[0] = '\0';
	opterr = 0;
	optind = 0;		/* GNU: a full reset, so tests can parse again */
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		if (c < 256 && c > 0 && *not_built_short != '\0' &&
		    strchr(not_built_short, c) != NULL)
			return fail(errbuf, len, "-%c is not implemented yet", c);
		switch (c) {
		case 'a':
		case 'r':
		case 'R':
			break;	/* cp habits: pcopy always copies -a and -r */
		case OPT_BENCH:
			o->bench = 1;
			break;
		case OPT_FILES_FROM:
			o->files_from = optarg;
			break;
		case 'p':
			/* cp: mode, ownership, timestamps (kept anyway); tar:
			 * the modes of an archive as they are. */
			o->preserve |= PRESERVE_MODE | PRESERVE_OWNER |
			    PRESERVE_TIMES;
			o->keep_modes = 1;
			break;
		case OPT_SAME_PERMS:
			o->keep_modes = 1;
			break;
		case '0':
			o->null = 1;
			break;
		case OPT_FORMAT:
			if ((o->format = archfmt_parse_format(optarg)) == -1)
				return fail(errbuf, len, "invalid format '%s' "
				    "(tar, pax, cpio or zip)", optarg);
			break;
		case OPT_COMPRESS:
			if ((o->compress = archfmt_parse_filter(optarg)) == -1)
				return fail(errbuf, len, "invalid compression "
				    "'%s' (none, gzip, xz, zstd or bzip2)",
				    optarg);
			break;
		case 'b':
			o->backend_given = 1;
			if ((o->backend = backend_kind_parse(optarg)) == -1)
				return fail(errbuf, len, "invalid backend '%s' "
				    "(threads, fork or mixed)", optarg);
			break;
		case 'j':
			if (parse_count(optarg, &o->jobs) == -1)
				return fail(errbuf, len,
				    "invalid number of jobs '%s'", optarg);
			break;
		case OPT_PROCS:
			if (parse_count(optarg, &o->procs) == -1)
				return fail(errbuf, len,
				    "invalid number of processes '%s'", optarg);
			break;
		case OPT_THREADS:
			if (parse_count(optarg, &o->threads) == -1)
				return fail(errbuf, len,
				    "invalid number of threads '%s'", optarg);
			break;
		case OPT_PROGRESS:
			if (optarg == NULL)
				o->progress = PROG_ON;
			else if ((o->progress = parse_progress(optarg)) == -1)
				return fail(errbuf, len, "invalid progress '%s' "
				    "(bar, line, json or none)", optarg);
			break;
		case OPT_STATS:
			if (optarg == NULL || strcmp(optarg, "text") == 0)
				o->stats = STATS_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->stats = STATS_JSON;
			else
				return fail(errbuf, len,
				    "invalid stats format '%s' (text or json)",
				    optarg);
			break;
		case OPT_CHUNK:
			if (parse_size(optarg, &o->chunk_size) == -1 ||
			    o->chunk_size < 1024 * 1024)
				return fail(errbuf, len, "invalid chunk size "
				    "'%s' (at least 1M)", optarg);
			break;
		case OPT_PRESERVE:
		case OPT_NO_PRESERVE: {
			char bad[64];
			unsigned bits = parse_attrs(optarg, bad, sizeof(bad));

			if (bits == 0)
				return fail(errbuf, len,
				    "invalid attribute '%s' (mode, ownership, "
				    "timestamps, links, xattr, acl or all)", bad);
			if (c == OPT_PRESERVE)
				o->preserve |= bits;
			else
				o->preserve &= ~bits;
			if (bits & PRESERVE_MODE)
				o->keep_modes = c == OPT_PRESERVE;
			break;
		}
		case OPT_SPARSE:
			if ((o->sparse = parse_when(optarg)) == -1)
				return fail(errbuf, len, "invalid argument '%s' "
				    "for --sparse (auto, always or never)",
				    optarg);
			break;
		case OPT_REFLINK:
			o->reflink = optarg ? parse_when(optarg) : REFLINK_ALWAYS;
			if (o->reflink == -1)
				return fail(errbuf, len, "invalid argument '%s' "
				    "for --reflink (auto, always or never)",
				    optarg);
			break;
		case OPT_NO_CLOBBER:
			o->no_clobber = 1;
			break;
		case 'u':
			o->update = 1;
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case 'x':
			o->one_fs = 1;
			break;
		case OPT_EXCLUDE:
			o->excludes = xrealloc(o->excludes,
			    (size_t)(o->nexcludes + 1) * sizeof(*o->excludes));
			o->excludes[o->nexcludes++] = optarg;
			break;
		case 't':
			o->target_dir = optarg;
			break;
		case 'T':
			o->no_target_dir = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case OPT_NOT_BUILT:
			return fail(errbuf, len, "--%s is not implemented yet",
			    longopts[idx].name);
		case OPT_HELP:
			return PARSE_HELP;
		case OPT_VERSION:
			return PARSE_VERSION;
		case ':':
			return fail(errbuf, len,
			    "option '%s' requires an argument", argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 256)
				return fail(errbuf, len,
				    "invalid option -- '%c'", optopt);
			return fail(errbuf, len, "unrecognized option '%s'",
			    argv[optind - 1]);
		}
	}
	o->operands = argv + optind;
	o->noperands = argc - optind;
	return check(o, errbuf, len);
}

void
options_free(struct options *o)
{
	free(o->excludes);
	o->excludes = NULL;
	o->nexcludes = 0;
}

void
options_usage(FILE *fp)
{
	(void)fprintf(fp,
	    "usage: pcopy [OPTION]... SRC DST\n"
	    "       pcopy [OPTION]... SRC... DIR\n"
	    "       pcopy [OPTION]... -t DIR SRC...\n"
	    "       pcopy [OPTION]... SRC... - | ARCHIVE  (write an archive)\n"
	    "       pcopy [OPTION]... - | ARCHIVE DST     (extract one)\n"
	    "       pcopy --bench [-b KIND] [-j N] SRC [SCRATCH]\n"
	    "Try 'pcopy --help' for more information.\n");
}

void
options_help(FILE *fp)
{
	(void)fprintf(fp,
"usage: pcopy [OPTION]... SRC DST\n"
"       pcopy [OPTION]... SRC... DIR\n"
"       pcopy [OPTION]... -t DIR SRC...\n"
"       pcopy [OPTION]... SRC... -        (an archive stream to stdout)\n"
"       pcopy [OPTION]... SRC... FILE.tar.zst  (an archive file)\n"
"       pcopy [OPTION]... - DST           (extract a stream from stdin)\n"
"       pcopy [OPTION]... FILE.tar.gz DST (extract an archive file)\n"
"       pcopy --bench [-b KIND] [-j N] SRC [SCRATCH]\n"
"Copy directory trees in parallel, keeping what cp -a keeps.\n"
"\n"
"  -b, --backend=KIND     worker pool: threads (default), fork or mixed\n"
"  -j, --jobs=N           number of workers (default: 8 per processor)\n"
"      --procs=P          mixed backend: number of worker processes\n"
"      --threads=T        mixed backend: threads in each process\n"
"      --chunk-size=SIZE  split files larger than SIZE (default 64M)\n"
"      --progress[=KIND]  progress on stderr: bar, line, json or none\n"
"                         (default: bar on a terminal, none otherwise)\n"
"      --stats[=json]     print a summary at the end\n"
"  -u, --update           skip files whose copy has the same size and mtime\n"
"      --no-clobber       never replace an existing file\n"
"  -n, --dry-run          list what would be copied, write nothing\n"
"  -x, --one-file-system  do not descend into other file systems\n"
"      --exclude=GLOB     skip names (or paths, with a '/') matching GLOB\n"
"      --preserve=LIST    keep these attributes (all are kept by default)\n"
"      --no-preserve=LIST do not keep these: mode, ownership, timestamps,\n"
"                         links, xattr, acl, all\n"
"      --sparse=WHEN      holes: auto (keep them), always, never\n"
"      --reflink[=WHEN]   share extents: auto (when possible), always, never\n"
"      --files-from=FILE  copy only the paths (below SRC) FILE lists, one a\n"
"                         line; - reads standard input\n"
"  -0, --null             the list is NUL-separated, and so is -v output\n"
"      --format=FORMAT    write an archive: pax (default), tar, cpio, zip\n"
"      --compress=KIND    compress it: none, gzip, xz, zstd, bzip2\n"
"  -t, --target-directory=DIR  copy every SRC into DIR\n"
"  -T, --no-target-directory   treat DST as the target, not a directory\n"
"  -v, --verbose          print each destination path on stdout\n"
"  -q, --quiet            print only errors\n"
"  -a, -r, -R             accepted for cp habits; pcopy always does this\n"
"      --bench            copy SRC into SCRATCH (default: a new directory in\n"
"                         $TMPDIR) with each backend at several worker\n"
"                         counts, 3 rounds each; print a table\n"
"      --help             show this help and exit\n"
"      --version          show the version and exit\n"
"\n"
"Exit status: 0 all copied, 1 some files failed, 2 usage error or nothing\n"
"could start, 130/143 interrupted by SIGINT/SIGTERM.\n"
"See pcopy(1) for the details.\n");
}
