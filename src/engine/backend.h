/*
 * backend.h - one interface to a pool of workers: start them, hand them
 * batches of tasks, receive their events, stop them.
 *
 * There are two pools.  threads: a pthread pool sharing an in-memory
 * queue (backend_threads.c).  procs: processes forked once at start,
 * tasks and events travelling as framed messages over one socket pair
 * per process (backend_procs.c, wire.c); each process runs one worker
 * (--backend=fork) or a pool of worker threads (--backend=mixed), see
 * proc_child.c.  All run the same worker code (worker/run.c), so they
 * make the same copy.
 */
#ifndef PCOPY_BACKEND_H
#define PCOPY_BACKEND_H

#include <stdint.h>

#include "task.h"

/* The kinds of pool the user chooses between (--backend). */
enum backend_kind { BK_THREADS, BK_FORK, BK_MIXED };

#define BATCH_MAX	32
/*
 * Bytes of work in one batch.  The coordinator stops adding tasks at this
 * many bytes; a worker that has copied this many in a batch hands the
 * tasks it has not started back (the coordinator may not know the sizes).
 */
#define BATCH_BYTES	(16u << 20)

/*
 * Tasks handed over together, so queue and pipe traffic is per batch.
 * submit() sets wslot to the worker process that took it (-1 when the
 * workers share one process), so that after a crash the coordinator
 * knows which tasks to hand out again.
 */
struct batch {
	uint32_t	 n;
	int32_t		 wslot;
	struct task	*t[BATCH_MAX];
};

struct backend;
struct runconf;

struct backend_ops {
	/* Start the workers; 0, or -1 with errno set. */
	int	(*start)(struct backend *);
	/* Take a batch if there is room for it now: 1 taken, 0 full. */
	int	(*submit)(struct backend *, struct batch *);
	/*
	 * Wait up to timeout_ms for events and store up to max of them.
	 * Returns how many, 0 on timeout, -1 once stopped and every worker
	 * has exited and every event was delivered.
	 */
	int	(*wait)(struct backend *, struct event *, int, int);
	/* Start stopping: workers finish (abort 0) or drop (abort 1) the
	 * tasks they hold; wait() then drains until it returns -1. */
	void	(*stop)(struct backend *, int);
	void	(*free)(struct backend *);
};

struct backend {
	const struct backend_ops *ops;
	const struct runconf	 *rc;
	const char		 *name;
	int			  nprocs;	/* 0 for threads */
	int			  nthreads;	/* per process */
	int			  nworkers;	/* event.worker < nworkers */
	void			 *impl;
};

struct backend	*backend_new(int, const struct runconf *, int, int, int);
void		 backend_shape(int, int, int, int, int, int *, int *);
void		 backend_free(struct backend *);
const char	*backend_kind_name(int);
int		 backend_kind_parse(const char *);

/* The two pools: threads of this process, or processes forked once,
 * each running one worker (fork) or a pool of threads (mixed). */
struct backend	*threads_backend_new(const struct runconf *, int);
struct backend	*procs_backend_new(const struct runconf *, int, int);

#endif
