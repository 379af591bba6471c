/*
 * task.h - the unit of work a worker executes and the events it sends back.
 *
 * A job makes tasks and the coordinator (coord.c) hands them out; a
 * backend carries them to a worker (worker/run.c) and carries events
 * back.  Tasks are self-contained: a worker keeps no state between tasks
 * except a cache of open directories, so a task can be retried on another
 * worker after a crash.  This is all a worker sees of a task; what the
 * coordinator and the job keep of it is around it (struct ctask).
 */
#ifndef PCOPY_TASK_H
#define PCOPY_TASK_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

/* What a worker needs to know of a source entry. */
struct finfo {
	uint64_t size, ino, dev, rdev, blocks;
	int64_t	 atime, mtime;		/* seconds */
	uint32_t atime_ns, mtime_ns;
	uint32_t mode, uid, gid, nlink;
};

/*
 * How a worker finds a directory: by the path relative to its root (the
 * same on the source and destination side), and by an id that never repeats
 * in a run, the key of the worker's descriptor cache.
 */
struct dirref {
	uint64_t    id;
	uint32_t    root;
	uint32_t    pathlen;
	const char *path;		/* "." for the root itself */
};

enum task_kind {
	TASK_SCAN = 1,	/* list a source directory, create its subdirectories */
	TASK_FILE,	/* copy a regular file whole */
	TASK_CHUNK,	/* copy one range of a large file */
	TASK_FINISH,	/* metadata and rename of a chunked file */
	TASK_LINK,	/* hard link to a file already copied */
	TASK_SYMLINK,	/* recreate a symbolic link */
	TASK_SPECIAL,	/* fifo, socket or device node */
	TASK_DIRMETA,	/* a directory's metadata, after its contents */
	TASK_READ,	/* archive out: read a file (range) for the writer */
	TASK_PUT,	/* archive in: write data the reader gave into a file */
	TASK_PUTFIN,	/* archive in: metadata and rename of a PUT file */
	TASK_KIND_MAX
};

#define TF_FRESH	0x01	/* the destination directory is new this run */
#define TF_RETRY	0x02	/* a worker died on it: output may be partial */
#define TF_CREATE	0x04	/* TASK_CHUNK: first chunk, creates the file */
#define TF_FAILED	0x08	/* TASK_FINISH: a chunk failed, remove the file */
#define TF_ROOT		0x10	/* the top of a root, created by the parent */
#define TF_PRISTINE	0x20	/* new objects here get our ids (META_OWN_IDS) */
#define TF_NOSRC	0x40	/* no source file: metadata comes in the task */
#define TF_LAST		0x80	/* TASK_PUT: the whole file, finish it too */
#define TF_NOSTAT	0x100	/* TASK_FILE: st unknown, the worker stats it */

struct task {
	uint64_t	seq;		/* unique in the run */
	uint64_t	handle;		/* the coordinator's, sent back in events */
	uint8_t		kind;
	uint16_t	flags;
	uint16_t	namelen, dnamelen, lnamelen;
	struct dirref	dir;		/* the directory the entry is in */
	const char     *name;		/* entry name in dir */
	const char     *dname;		/* destination name when it differs */
	struct finfo	st;
	uint64_t	off, len;	/* chunk range; scan: resume cookie */
	uint64_t	tmpseq;		/* names the temporary of a file */
	struct dirref	ldir;		/* TASK_LINK: the existing copy's dir */
	const char     *lname;		/* TASK_LINK: the existing copy; with
					   TF_NOSRC, a symlink's target */
	const unsigned char *data;	/* TASK_PUT: the bytes to write at off */
	const unsigned char *xattrs;	/* TF_NOSRC: attributes (xblob) */
	uint32_t	datalen, xattrlen;
};

/*
 * What a task came to, in EV_DONE's err besides 0 and errno values:
 * nothing to do (an existing copy kept), copied but some metadata not
 * kept (reported), a file the walk did not stat that needs the
 * coordinator (EV_STAT says why), handed back unstarted (worker/run.c).
 */
#define TASK_SKIPPED	(-1)
#define TASK_PARTIAL	(-2)	/* copied, some metadata not (reported) */
#define TASK_RESTAT	(-3)	/* TF_NOSTAT: plan it again from EV_STAT */
#define TASK_NOTRUN	(-4)	/* handed back unstarted: see worker_run() */

/* Operations named in error messages. */
enum op {
	OP_OPEN = 1, OP_OPENDIR, OP_READDIR, OP_STAT, OP_CREATE, OP_MKDIR,
	OP_READ, OP_WRITE, OP_CLOSE, OP_OWNER, OP_MODE, OP_TIMES, OP_XATTR,
	OP_LINK, OP_READLINK, OP_SYMLINK, OP_MKNOD, OP_RENAME, OP_REMOVE,
	OP_TYPE, OP_OVERDIR, OP_NOTDIR, OP_WORKER, OP_SAME, OP_CLONE,
	OP_REPLACED, OP_SHRANK, OP_MAX
};

enum side { SIDE_SRC, SIDE_DST };

/* What became of a worker process that died (EV_DIED's bytes). */
enum died {
	DIED_ALONE,	/* not replaced: the pool has one process fewer */
	DIED_REPLACED,	/* a new process took its place */
	DIED_STOPPING	/* the pool was stopping: none was needed */
};

enum event_kind {
	EV_DONE = 1,	/* task finished; err != 0 if it failed */
	EV_BYTES,	/* bytes copied so far by a long task */
	EV_ERROR,	/* a failure to report; the task may go on */
	EV_ENTRIES,	/* a batch of directory entries from a scan */
	EV_DIED,	/* worker process `worker' died (err: wait status,
			   bytes: enum died) */
	EV_DATA,	/* TASK_READ's result (see archtask.c) */
	EV_STAT		/* TF_NOSTAT: the source is not a plain small file;
			   data is its struct finfo (see filetask.c) */
};

struct entries;

struct event {
	uint8_t		kind, op, side;
	int32_t		err;
	int32_t		worker;
	uint64_t	task;		/* the coordinator's task handle */
	uint64_t	bytes;
	uint64_t	cookie;		/* EV_DONE of a scan: resume, 0 = end;
					   of a TF_NOSTAT copy: its size */
	char	       *name;		/* EV_ERROR: entry of a scan (owned) */
	struct entries *ents;		/* EV_ENTRIES (owned) */
	unsigned char  *data;		/* EV_DATA (owned) */
	uint32_t	datalen;
};

/*
 * A directory listing as a flat buffer, so that it can be sent between
 * processes as it is.  Records are struct entry, each 8-byte aligned.
 */
#define ENT_FRESH	0x01	/* a subdirectory this scan created */
#define ENT_NOSCAN	0x02	/* -x: another file system, do not list */
#define ENT_NOSTAT	0x04	/* a regular file not stat'ed: st.mode only */

struct entry {
	struct finfo	st;
	uint16_t	namelen;
	uint8_t		flags;
	char		name[];		/* NUL-terminated */
};

struct entries {
	uint32_t	count;
	uint32_t	used, cap;	/* bytes of data */
	uint32_t	refs;		/* coordinator: tasks still using it */
	unsigned char	data[];
};

#define ENTRY_SIZE(namelen) \
	((offsetof(struct entry, name) + (namelen) + 1 + 7) & ~(size_t)7)

struct entries	*entries_new(uint32_t);
struct entry	*entries_add(struct entries **, const char *, size_t);
struct entry	*entries_next(const struct entries *, size_t *);
void		 entries_free(struct entries *);
void		 finfo_from_stat(struct finfo *, const struct stat *);
const char	*task_kind_name(int);
const char	*task_target(const struct task *);

#endif
