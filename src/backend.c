/*
 * backend.c - choose a backend and its shape.
 */
#include <stdlib.h>

#include "backend.h"
#include "options.h"
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
		return fork_backend_new(rc, jobs, 1);
	case BK_MIXED:
		return fork_backend_new(rc, procs, threads);
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
