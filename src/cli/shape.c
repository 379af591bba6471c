/*
 * shape.c - the pool's shape, within the limit on open descriptors.
 *
 * A worker holds two descriptors per cached directory (source and copy),
 * two for the ancestor it keeps of a deep path, and, in a task, a few
 * more: the file and its copy, a second directory for a hard link, an
 * O_PATH pin while a lease is broken, a listing's duplicate.  The coordinator holds the standard three, two per root, a
 * socket per worker process, and a few for libraries.  With the soft
 * limit raised to the hard one, the workers, their processes and their
 * caches are sized so that all of it fits: `ulimit -n 16` gives one
 * worker with one cached directory, as cp -a needs little more; a high
 * limit changes nothing.  The descriptor cache gives way (worker/
 * context.c) should the limit still be met.
 */
#include <sys/resource.h>

#include "options.h"
#include "shape.h"
#include "util.h"
#include "engine/backend.h"

#define COORD_FDS	8	/* stdio, libraries, a list, an archive */
#define TASK_FDS	7	/* besides the cache: a task, a deep ancestor */
#define MAX_SLOTS	64

/* Raise the soft limit to the hard one; returns what it is now. */
int
shape_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return 1 << 20;
	return (int)MIN(rl.rlim_cur, 1 << 20);
}

/* Descriptors a worker needs with slots cached directories. */
static int
per_worker(int slots)
{
	return 2 * slots + TASK_FDS;
}

/*
 * Fit the pool into avail descriptors for the workers (of one process,
 * or of the coordinator for threads): at most n workers there, and the
 * cache each gets.  A quarter of the limit for caches at most.
 */
static void
fit(int avail, int *n, int *slots)
{
	if (*n > avail / per_worker(1))
		*n = MAX(1, avail / per_worker(1));
	*slots = (avail / *n - TASK_FDS) / 2;
	*slots = MAX(1, MIN(*slots, MIN(MAX_SLOTS, avail / 4 / *n)));
}

/*
 * The shape for options o on ncpu processors with nroots roots and a
 * limit of fdlimit descriptors.
 */
void
shape_decide(const struct options *o, int ncpu, int nroots, int fdlimit,
    struct shape *s)
{
	int avail = fdlimit - COORD_FDS - 2 * nroots, want;

	s->ncpu = ncpu;
	s->fdlimit = fdlimit;
	s->jobs = o->jobs ? o->jobs : (o->procs && o->threads) ?
	    o->procs * o->threads : options_default_jobs(ncpu);
	backend_shape(o->backend, s->jobs, o->procs, o->threads, ncpu,
	    &s->procs, &s->threads);
	want = s->procs ? s->procs * s->threads : s->threads;
	avail = MAX(avail, per_worker(1));
	if (s->procs == 0) {
		fit(avail, &s->threads, &s->slots);
	} else {
		/* The coordinator: a socket (two, while forking) each. */
		s->procs = MIN(s->procs, MAX(1, (avail - 2) / 2));
		/* A child: its socket, then its workers. */
		fit(avail - 1, &s->threads, &s->slots);
	}
	s->jobs = s->procs ? s->procs * s->threads : s->threads;
	s->cut = s->jobs < want;
}
