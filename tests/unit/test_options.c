/*
 * test_options.c - the command line: defaults, every option, GNU option
 * permutation, usage errors, and the mixed backend's shape.
 */
#include <stdarg.h>

#include "engine/backend.h"
#include "cli/options.h"
#include "unit.h"

static char errbuf[256];

/* Parse a NULL-terminated list of arguments (argv[0] added). */
static int
parse(struct options *o, ...)
{
	static char *argv[32];
	va_list ap;
	int argc = 0;

	argv[argc++] = "pcopy";
	va_start(ap, o);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	return options_parse(o, argc, argv, errbuf, sizeof(errbuf));
}

static void
test_defaults(void)
{
	struct options o;

	CHECK(parse(&o, "a", "b", NULL) == PARSE_RUN);
	CHECK(o.backend == BK_THREADS);
	CHECK(o.jobs == 0 && o.procs == 0 && o.threads == 0);
	CHECK(o.progress == PROG_AUTO);
	CHECK(o.stats == STATS_NONE);
	CHECK(o.chunk_size == DEFAULT_CHUNK_SIZE);
	CHECK(o.noperands == 2);
	CHECK_STR(o.operands[0], "a");
	CHECK_STR(o.operands[1], "b");
	CHECK(options_default_jobs(1) == 8);
	CHECK(options_default_jobs(2) == 16);
	CHECK(options_default_jobs(8) == 64);
	CHECK(options_default_jobs(512) == 64);
}

static void
test_options(void)
{
	struct options o;

	CHECK(parse(&o, "-j", "4", "--backend=fork", "a", "b", NULL) ==
	    PARSE_RUN);
	CHECK(o.jobs == 4 && o.backend == BK_FORK);
	CHECK(parse(&o, "-b", "mixed", "--procs=2", "--threads", "3", "a",
	    "b", NULL) == PARSE_RUN);
	CHECK(o.backend == BK_MIXED && o.procs == 2 && o.threads == 3);
	CHECK(parse(&o, "--progress", "a", "b", NULL) == PARSE_RUN);
	CHECK(o.progress == PROG_ON);
	CHECK(parse(&o, "--progress=json", "--stats=json", "a", "b", NULL) ==
	    PARSE_RUN);
	CHECK(o.progress == PROG_JSON && o.stats == STATS_JSON);
	CHECK(parse(&o, "--stats", "--progress=none", "a", "b", NULL) ==
	    PARSE_RUN);
	CHECK(o.stats == STATS_TEXT && o.progress == PROG_NONE);
	CHECK(parse(&o, "--chunk-size=16M", "a", "b", NULL) == PARSE_RUN);
	CHECK(o.chunk_size == 16ULL << 20);
	CHECK(parse(&o, "-t", "dir", "a", NULL) == PARSE_RUN);
	CHECK_STR(o.target_dir, "dir");
	CHECK(o.noperands == 1);
	CHECK(parse(&o, "-T", "a", "b", NULL) == PARSE_RUN);
	CHECK(o.no_target_dir);
	CHECK(parse(&o, "-a", "-r", "-R", "-v", "a", "b", NULL) == PARSE_RUN);
	CHECK(o.verbose);
	/* GNU permutation: options after operands, "--" ends options. */
	CHECK(parse(&o, "a", "b", "-q", NULL) == PARSE_RUN);
	CHECK(o.quiet && o.noperands == 2);
	CHECK(parse(&o, "--", "-a", "b", NULL) == PARSE_RUN);
	CHECK_STR(o.operands[0], "-a");
	CHECK(parse(&o, "--help", NULL) == PARSE_HELP);
	CHECK(parse(&o, "--version", NULL) == PARSE_VERSION);
}

static void
test_errors(void)
{
	struct options o;

	CHECK(parse(&o, NULL) == PARSE_USAGE);
	CHECK(strstr(errbuf, "missing file operand") != NULL);
	CHECK(parse(&o, "a", NULL) == PARSE_USAGE);
	CHECK(strstr(errbuf, "missing destination") != NULL);
	CHECK(parse(&o, "--bogus", "a", "b", NULL) == PARSE_USAGE);
	CHECK(strstr(errbuf, "unrecognized option '--bogus'") != NULL);
	CHECK(parse(&o, "-Z", "a", "b", NULL) == PARSE_USAGE);
	CHECK(strstr(errbuf, "invalid option -- 'Z'") != NULL);
	CHECK(parse(&o, "a", "b", "-j", NULL) == PARSE_USAGE);
	CHECK(strstr(errbuf, "requires an argument") != NULL);
	CHECK(parse(&o, "--backend=gpu", "a", "b", NULL) == PARSE_USAGE);
	CHECK(parse(&o, "-j", "0", "a", "b", NULL) == PARSE_USAGE);
	CHECK(parse(&o, "-j", "3x", "a", "b", NULL) == PARSE_USAGE);
	CHECK(parse(&o, "--procs=2", "a", "b", NULL) == PARSE_USAGE);
	CHECK(parse(&o, "-b", "mixed", "--procs=2", "--threads=2", "-j", "5",
	    "a", "b", NULL) == PARSE_USAGE);
	CHECK(parse(&o, "-t", "d", "-T", "a", NULL) == PARSE_USAGE);
	CHECK(parse(&o, "-T", "a", "b", "c", NULL) == PARSE_USAGE);
	CHECK(parse(&o, "-v", "-q", "a", "b", NULL) == PARSE_USAGE);
	CHECK(parse(&o, "--chunk-size=100", "a", "b", NULL) == PARSE_USAGE);
	CHECK(parse(&o, "--progress=loud", "a", "b", NULL) == PARSE_USAGE);
	CHECK(parse(&o, "--stats=xml", "a", "b", NULL) == PARSE_USAGE);
}

static void
test_shape(void)
{
	int p, t;

	backend_shape(BK_THREADS, 4, 0, 0, 2, &p, &t);
	CHECK(p == 0 && t == 4);
	backend_shape(BK_FORK, 3, 0, 0, 2, &p, &t);
	CHECK(p == 3 && t == 1);
	backend_shape(BK_MIXED, 4, 0, 0, 2, &p, &t);
	CHECK(p == 2 && t == 2);
	backend_shape(BK_MIXED, 8, 2, 0, 2, &p, &t);
	CHECK(p == 2 && t == 4);
	backend_shape(BK_MIXED, 8, 0, 4, 2, &p, &t);
	CHECK(p == 2 && t == 4);
	backend_shape(BK_MIXED, 6, 3, 5, 2, &p, &t);
	CHECK(p == 3 && t == 5);
	backend_shape(BK_MIXED, 2, 0, 0, 8, &p, &t);
	CHECK(p == 1 && t == 2);
}

int
main(void)
{
	test_defaults();
	test_options();
	test_errors();
	test_shape();
	return unit_end("test_options");
}
