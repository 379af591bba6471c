/*
 * stats.c - say what a run did.  The JSON form is one object on one line;
 * its fields are listed in pcopy(1) and kept stable.
 */
#include <stdio.h>

#include "stats.h"
#include "util.h"

static double
per_second(double v, double secs)
{
	return secs > 0 ? v / secs : 0.0;
}

void
stats_print_text(FILE *fp, const struct stats_run *s)
{
	const struct totals *t = s->totals;
	char files[32], dirs[32], links[32], syms[32], bytes[32], rate[32];
	char nps[32];

	fmt_count(files, sizeof(files), t->files);
	fmt_count(dirs, sizeof(dirs), s->counts->dirs_done);
	fmt_count(links, sizeof(links), t->links);
	fmt_count(syms, sizeof(syms), t->symlinks);
	fmt_bytes(bytes, sizeof(bytes), (double)t->bytes);
	fmt_bytes(rate, sizeof(rate), per_second((double)t->bytes,
	    s->elapsed));
	fmt_count(nps, sizeof(nps), (uint64_t)per_second((double)(t->files +
	    t->links + t->symlinks + t->specials), s->elapsed));
	(void)fprintf(fp, "pcopy: copied %s files, %s hard links, %s "
	    "symlinks, %llu special files, %s directories\n", files, links,
	    syms, (unsigned long long)t->specials, dirs);
	(void)fprintf(fp, "pcopy: %s in %.2f s (%s/s, %s entries/s), "
	    "%llu skipped, %llu errors\n", bytes, s->elapsed, rate, nps,
	    (unsigned long long)t->skipped,
	    (unsigned long long)s->counts->errors);
	(void)fprintf(fp, "pcopy: backend %s, %d workers", s->backend,
	    s->nworkers);
	if (s->nprocs > 0)
		(void)fprintf(fp, " (%d processes x %d threads)", s->nprocs,
		    s->nthreads);
	if (t->deaths > 0)
		(void)fprintf(fp, ", %llu worker deaths, %llu tasks retried",
		    (unsigned long long)t->deaths,
		    (unsigned long long)t->retried);
	(void)fprintf(fp, "\n");
	for (int i = 0; i < s->nworkers; i++) {
		fmt_count(files, sizeof(files), s->wstats[i].tasks);
		fmt_bytes(bytes, sizeof(bytes), (double)s->wstats[i].bytes);
		(void)fprintf(fp, "pcopy:   worker %d: %s tasks, %s\n", i,
		    files, bytes);
	}
}

void
stats_print_json(FILE *fp, const struct stats_run *s)
{
	const struct totals *t = s->totals;

	(void)fprintf(fp, "{\"type\":\"stats\",\"backend\":\"%s\","
	    "\"workers\":%d,\"procs\":%d,\"threads\":%d,"
	    "\"elapsed\":%.3f,\"status\":%d,"
	    "\"files\":%llu,\"hardlinks\":%llu,\"symlinks\":%llu,"
	    "\"specials\":%llu,\"dirs\":%llu,\"skipped\":%llu,"
	    "\"bytes\":%llu,\"bytes_total\":%llu,\"errors\":%llu,"
	    "\"rate\":%.0f,\"deaths\":%llu,\"retried\":%llu,\"per_worker\":[",
	    s->backend, s->nworkers, s->nprocs, s->nthreads, s->elapsed,
	    s->status, (unsigned long long)t->files,
	    (unsigned long long)t->links, (unsigned long long)t->symlinks,
	    (unsigned long long)t->specials,
	    (unsigned long long)s->counts->dirs_done,
	    (unsigned long long)t->skipped, (unsigned long long)t->bytes,
	    (unsigned long long)s->counts->bytes_total,
	    (unsigned long long)s->counts->errors,
	    per_second((double)t->bytes, s->elapsed),
	    (unsigned long long)t->deaths, (unsigned long long)t->retried);
	for (int i = 0; i < s->nworkers; i++)
		(void)fprintf(fp, "%s{\"worker\":%d,\"tasks\":%llu,"
		    "\"bytes\":%llu}", i ? "," : "", i,
		    (unsigned long long)s->wstats[i].tasks,
		    (unsigned long long)s->wstats[i].bytes);
	(void)fprintf(fp, "]}\n");
}
