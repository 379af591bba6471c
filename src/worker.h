/*
 * worker.h - what a worker knows and how it runs one task.
 *
 * The same worker code runs in a thread (threads backend), in a forked
 * process (fork backend) and in a thread of a forked process (mixed).  It
 * reports through a sink, which the backend provides.
 */
#ifndef PCOPY_WORKER_H
#define PCOPY_WORKER_H

#include <sys/types.h>

#include <stdatomic.h>
#include <stdint.h>

#include "copy.h"
#include "task.h"

/*
 * One SRC DST pair of the command line.  Paths in tasks are relative to
 * these directories, opened by the coordinator before any worker starts
 * (so forked workers inherit them).
 */
struct root {
	int	 srcfd, dstfd;
	char	*src_disp, *dst_disp;	/* as the user wrote them */
	int	 is_dir;		/* SRC is a directory (the root) */
	int	 fresh;			/* the top directory was created now */
	int	 pristine;		/* ... in a directory not set-group-ID */
	int	 defacl;		/* new directories inherit a default ACL */
	dev_t	 src_dev;		/* -x: the file system to stay on */
};

struct exclude;

/* Settings every worker shares; read-only once workers start. */
struct runconf {
	struct root	*roots;
	uint32_t	 nroots;
	uint64_t	 chunk_size;
	uid_t		 euid;
	gid_t		 egid;
	int		 is_root;	/* may keep any owner */
	pid_t		 pid;		/* names temporaries: .pcopy.PID.SEQ */
	unsigned	 delay_ms;	/* PCOPY_TEST_DELAY_MS, tests only */
	int		 dircache_slots;
	int		 chunk_width;	/* chunks copied at once, at most */
	unsigned	 preserve;	/* PRESERVE_* of meta.h */
	mode_t		 umask;		/* the user's, for --no-preserve=mode */
	int		 reflink, sparse;
	unsigned	 copy_paths;	/* COPY_NO_* rungs left out */
	int		 update, no_clobber, one_fs, dry_run;
	int		 stat_at_copy;	/* the walk does not stat files */
	int		 hand_back;	/* see batch_full() in worker.c */
	struct exclude	*excludes;
	int		 nexcludes, exclude_paths;
};

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
};

struct worker {
	int			 index;
	const struct runconf	*rc;
	struct sink		*sink;
	struct dirslot		*cache;
	int			 nslots;
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
int	worker_in_chunks(const struct runconf *, const struct finfo *);
void	worker_run(struct worker *, const struct task *);
void	worker_batch_begin(struct worker *);
void	worker_batch_end(struct worker *);
void	worker_fail(struct worker *, int, int, int, const char *);
int	worker_src_dir(struct worker *, const struct dirref *);
void	worker_sched_batch(void);
int	worker_dst_dir(struct worker *, const struct dirref *);
int	worker_src_dir_at(struct worker *, const struct dirref *, uint64_t);
void	worker_src_dir_moved(struct worker *, const struct dirref *);
int	worker_dst_dir_opath(struct worker *, const struct dirref *);
int	worker_open_source(int, const char *);
int	worker_source_changed(int, const struct finfo *, uint64_t);
int	worker_open_below(int, const char *);
int	worker_open_below_path(int, const char *);
int	worker_dst_defacl(struct worker *, const struct dirref *, int);
int	worker_dst_dir_uncached(struct worker *, const struct dirref *);
int	worker_same_slot(const struct worker *, const struct dirref *,
	    const struct dirref *);
int	worker_stopping(void);
void	worker_delay(const struct worker *);

#endif
