/*
 * context.h - the worker's context: what one worker holds between tasks
 * (a cache of open directories, a copy buffer) and how a task reports.
 *
 * The same worker code runs in a thread (threads backend), in a forked
 * process (fork backend) and in a thread of a forked process (mixed).  It
 * reports through a sink, which the backend provides.  The task handlers
 * and the run loop above them (run.c) build on this; nothing here calls
 * up into them.
 */
#ifndef PCOPY_CONTEXT_H
#define PCOPY_CONTEXT_H

#include <stdatomic.h>
#include <stdint.h>

#include "copy.h"
#include "runconf.h"
#include "engine/task.h"

/*
 * Where a worker's events go; provided by the backend.  emit may buffer;
 * flush hands what is buffered over, and with wake set the coordinator
 * should look at it now (a sink may wake it either way).
 */
struct sink {
	void	(*emit)(struct sink *, const struct event *);
	void	(*flush)(struct sink *, int);
};

struct dirslot {
	uint64_t id;
	int	 src, dst;
	int	 dst_opath;		/* dst was opened O_PATH */
	int64_t	 src_pos;		/* src's offset, -1: unknown */
	int	 defacl;		/* -1: not asked yet */
	uint32_t root;
	uint32_t pathlen;		/* 0: path not kept (a short one) */
	char	*path;			/* a deep one's, to open below it */
};

struct worker {
	int			 index;
	const struct runconf	*rc;
	struct sink		*sink;
	struct dirslot		*cache;
	int			 nslots;
	struct dirslot		 anc;		/* a deep path's ancestor */
	struct copier		 copy;
	char			*dents;		/* getdents64 buffer */
	size_t			 dentsize;
	const struct task	*cur;
	uint64_t		 reported;	/* bytes of cur sent in EV_BYTES */
	uint64_t		 cookie;	/* cur's EV_DONE cookie */
	uint64_t		 batch_bytes;	/* copied in this batch */
	int			 handed_back;	/* tasks of it given back */
};

/* Set to ask every worker of this process to stop at the next check. */
extern atomic_int worker_stop;

void	worker_init(struct worker *, int, const struct runconf *,
	    struct sink *);
void	worker_fini(struct worker *);
void	worker_reserve_fds(const struct runconf *, int);
void	worker_sched_batch(void);
int	worker_stopping(void);
void	worker_delay(const struct worker *);
void	worker_fail(struct worker *, int, int, int, const char *);

int	worker_relieve(struct worker *, int);
int	worker_src_dir(struct worker *, const struct dirref *);
int	worker_src_dir_at(struct worker *, const struct dirref *, uint64_t);
void	worker_src_dir_moved(struct worker *, const struct dirref *);
int	worker_dst_dir(struct worker *, const struct dirref *);
int	worker_dst_dir_opath(struct worker *, const struct dirref *);
int	worker_dst_defacl(struct worker *, const struct dirref *, int);
int	worker_dst_dir_uncached(struct worker *, const struct dirref *);
int	worker_same_slot(const struct worker *, const struct dirref *,
	    const struct dirref *);

#endif
