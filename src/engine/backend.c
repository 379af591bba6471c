/*
 * backend.c - choose a backend and its shape.
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "util.h"

/*
 * Work out procs x threads for the mixed backend from whatever the user
 * gave: --procs and --threads win; -j alone is split into up to ncpu
 * processes of equal thread counts.
 */
void
backend_shape(int kind, int jobs, int procs, int threads, int ncpu,
    int *outp, int *outt)
{
	if (kind != BK_MIXED) {
		*outp = kind == BK_FORK ? jobs : 0;
		*outt = kind == BK_FORK ? 1 : jobs;
		return;
	}
	if (procs && threads) {
		*outp = procs;
		*outt = threads;
	} else if (procs) {
		*outp = procs;
		*outt = MAX(1, jobs / procs);
	} else if (threads) {
		*outt = threads;
		*outp = MAX(1, jobs / threads);
	} else {
		*outp = MAX(1, MIN(ncpu, jobs / 2));
		*outt = MAX(1, jobs / *outp);
	}
}

/*
 * A backend of kind (BK_*) with the given shape.  jobs is the worker count
 * for threads and fork; procs x threads for mixed.
 */
struct backend *
backend_new(int kind, const struct runconf *rc, int jobs, int procs,
    int threads)
{
	switch (kind) {
	case BK_FORK:
		return procs_backend_new(rc, jobs, 1);
	case BK_MIXED:
		return procs_backend_new(rc, procs, threads);
	default:
		return threads_backend_new(rc, jobs);
	}
}

void
backend_free(struct backend *b)
{
	if (b != NULL)
		b->ops->free(b);
}

const char *
backend_kind_name(int kind)
{
	switch (kind) {
	case BK_FORK:
		return "fork";
	case BK_MIXED:
		return "mixed";
	default:
		return "threads";
	}
}

/* --backend=NAME: its kind, or -1. */
int
backend_kind_parse(const char *s)
{
	if (strcmp(s, "threads") == 0)
		return BK_THREADS;
	if (strcmp(s, "fork") == 0)
		return BK_FORK;
	if (strcmp(s, "mixed") == 0)
		return BK_MIXED;
	return -1;
}
