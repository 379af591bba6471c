/*
 * worker.c - run one task: find its directories, call the task's handler,
 * report the outcome.
 *
 * A worker keeps a small cache of open directory descriptors, keyed by the
 * directory's id.  A miss opens the directory by its path below the root
 * with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so a directory
 * swapped for a symlink during the copy cannot lead outside the tree;
 * without openat2, or for a path longer than PATH_MAX, it walks the path
 * one component at a time with O_NOFOLLOW.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "tasks.h"
#include "util.h"
#include "walk.h"
#include "worker.h"

#define COPY_BUFSIZE	(1u << 20)
#define DENTS_BUFSIZE	(32u << 10)
#define BYTES_REPORT	(4u << 20)	/* EV_BYTES at most this far apart */

atomic_int worker_stop;

static atomic_int no_openat2;

int
worker_stopping(void)
{
	return atomic_load_explicit(&worker_stop, memory_order_relaxed);
}

/* Count bytes of the current task; long copies report as they go. */
static void
on_progress(void *arg, uint64_t n)
{
	struct worker *w = arg;
	struct event ev;

	w->reported += n;
	w->batch_bytes += n;
	if (w->reported < BYTES_REPORT)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_BYTES;
	ev.task = w->cur->handle;
	ev.bytes = w->reported;
	w->reported = 0;
	w->sink->emit(w->sink, &ev);
}

void
worker_init(struct worker *w, int index, const struct runconf *rc,
    struct sink *sink)
{
	memset(w, 0, sizeof(*w));
	w->index = index;
	w->rc = rc;
	w->sink = sink;
	w->nslots = rc->dircache_slots > 0 ? rc->dircache_slots : 16;
	w->cache = xcalloc((size_t)w->nslots, sizeof(*w->cache));
	for (int i = 0; i < w->nslots; i++) {
		w->cache[i].src = w->cache[i].dst = -1;
		w->cache[i].defacl = -1;
		w->cache[i].src_pos = -1;
	}
	copier_init(&w->copy, COPY_BUFSIZE);
	w->copy.progress = on_progress;
	w->copy.arg = w;
	w->copy.reflink = rc->reflink;
	w->copy.sparse = rc->sparse;
	w->copy.delay_us = rc->delay_ms * 1000;
	w->copy.paths = rc->copy_paths;
	w->dentsize = DENTS_BUFSIZE;
	w->dents = xmalloc(w->dentsize);
}

/* Is a regular file described by st copied in chunks (plan_chunks.c)? */
int
worker_in_chunks(const struct runconf *rc, const struct finfo *st)
{
	return st->size > rc->chunk_size && !rc->dry_run;
}

/*
 * Before a process starts nthreads workers as threads: size its
 * descriptor table for what they will hold (each its directory cache
 * and a few files), see fd_table_reserve().
 */
void
worker_reserve_fds(const struct runconf *rc, int nthreads)
{
	int slots = rc->dircache_slots > 0 ? rc->dircache_slots : 16;

	fd_table_reserve(64 + 4 * (int)rc->nroots + nthreads * (2 * slots + 8));
}

/*
 * Run the calling worker thread as SCHED_BATCH: the same share of the
 * CPU at the same nice value, but a waking worker does not preempt the
 * one running.  What it changes is the coordinator's lot: with more
 * workers than processors it had to wait behind them for the CPU while
 * they waited for the batches only it can form.  61,200 small files to
 * tmpfs at -j16: 0.615 s -> 0.522 s (0.515 s at -j4).  Best effort: a
 * kernel that refuses leaves the thread as it was.
 */
void
worker_sched_batch(void)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof(sp));
	(void)sched_setscheduler(0, SCHED_BATCH, &sp);
}

static void
slot_clear(struct dirslot *s)
{
	if (s->src != -1)
		(void)close(s->src);
	if (s->dst != -1)
		(void)close(s->dst);
	s->src = s->dst = -1;
	s->dst_opath = 0;
	s->src_pos = -1;
	s->defacl = -1;
	s->id = 0;
}

void
worker_fini(struct worker *w)
{
	if (w->cache != NULL)
		for (int i = 0; i < w->nslots; i++)
			slot_clear(&w->cache[i]);
	free(w->cache);
	free(w->dents);
	copier_fini(&w->copy);
	w->cache = NULL;
	w->dents = NULL;
}

/* Open one directory component by component, never following symlinks. */
static int
open_stepwise(int rootfd, const char *path, int mode)
{
	char comp[NAME_MAX + 1];
	const char *p = path, *slash;
	int fd = rootfd, nfd;
	size_t len;

	while (*p != '\0') {
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len > NAME_MAX) {
			errno = ENAMETOOLONG;
			nfd = -1;
		} else {
			memcpy(comp, p, len);
			comp[len] = '\0';
			nfd = len == 0 ? fd : openat(fd, comp, mode |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd != rootfd && nfd != fd) {
			int saved = errno;

			(void)close(fd);
			errno = saved;
		}
		if (nfd == -1)
			return -1;
		fd = nfd;
		p += len;
		if (*p == '/')
			p++;
	}
	return fd == rootfd ? openat(rootfd, ".", mode | O_DIRECTORY |
	    O_CLOEXEC) : fd;
}

static int
open_below_mode(int rootfd, const char *path, int mode)
{
	struct open_how how;
	long fd;

	if (strcmp(path, ".") == 0)
		return openat(rootfd, ".", mode | O_DIRECTORY | O_CLOEXEC);
	if (!atomic_load_explicit(&no_openat2, memory_order_relaxed)) {
		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)(mode | O_DIRECTORY | O_CLOEXEC);
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		    RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno == ENOSYS || errno == E2BIG)
			atomic_store(&no_openat2, 1);
		else if (errno != ENAMETOOLONG)
			return -1;
	}
	return open_stepwise(rootfd, path, mode);
}

/*
 * Open a source file for reading: never through a final symlink, and
 * O_NONBLOCK so that a file swapped for a fifo cannot hang the worker.
 * O_NONBLOCK also fails with EWOULDBLOCK while another process holds a
 * lease on the file (Samba's oplocks).  cp waits until the lease is
 * broken, and so do we: the name is pinned with O_PATH, and once that is
 * a regular file it is opened again through /proc (the same inode, so
 * nothing swapped in at the name can make the blocking open hang).  A
 * stop signal (fork, mixed) ends the wait with ECANCELED, which is not
 * reported; a thread waits until the open returns.
 */
int
worker_open_source(int dirfd, const char *name)
{
	char path[40];
	struct stat sb;
	int fd, pfd, err;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd != -1 || errno != EWOULDBLOCK)
		return fd;
	if ((pfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(pfd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
		while ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 &&
		    errno == EINTR && !worker_stopping())
			;
		if (fd == -1 && errno == EINTR)
			errno = ECANCELED;
	} else {
		errno = EWOULDBLOCK;
	}
	err = fd == -1 && errno == ENOENT ? EWOULDBLOCK : errno;
	(void)close(pfd);	/* ENOENT: no /proc; say what stopped us */
	errno = err;
	return fd;
}

/*
 * Whether fd, a source opened again by name, is no longer the file st was
 * planned from: 0 when it is that file (same dev and ino) and holds at
 * least end bytes, else OP_REPLACED or OP_SHRANK; -1 (errno set) when it
 * cannot be told.  A file copied or archived in pieces is opened once per
 * piece, and the pieces must all be of the planned file.
 */
int
worker_source_changed(int fd, const struct finfo *st, uint64_t end)
{
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return -1;
	if ((uint64_t)sb.st_dev != st->dev || (uint64_t)sb.st_ino != st->ino)
		return OP_REPLACED;
	return (uint64_t)sb.st_size < end ? OP_SHRANK : 0;
}

/*
 * Open the directory at path below rootfd; returns a new descriptor, or
 * -1 with errno set.
 */
int
worker_open_below(int rootfd, const char *path)
{
	return open_below_mode(rootfd, path, O_RDONLY);
}

/* O_PATH: a directory we may search but not read, for *at() calls. */
int
worker_open_below_path(int rootfd, const char *path)
{
	return open_below_mode(rootfd, path, O_PATH);
}

/*
 * A destination directory: like worker_open_below(), but one we may
 * write and search yet not read (mode 0300, an ordinary user) is opened
 * O_PATH, which every name-relative call accepts.
 */
static int
open_dst_below(int rootfd, const char *path, int *opath)
{
	int fd = open_below_mode(rootfd, path, O_RDONLY);

	*opath = 0;
	if (fd == -1 && errno == EACCES) {
		fd = open_below_mode(rootfd, path, O_PATH);
		*opath = 1;
	}
	return fd;
}

static struct dirslot *
slot_for(struct worker *w, const struct dirref *ref)
{
	struct dirslot *s = &w->cache[ref->id % (uint64_t)w->nslots];

	if (s->id != ref->id) {
		slot_clear(s);
		s->id = ref->id;
	}
	return s;
}

/*
 * The source (or destination) directory of ref, from the cache or newly
 * opened.  The descriptor belongs to the cache: do not close it.  Returns
 * -1 with errno set on failure.
 */
int
worker_src_dir(struct worker *w, const struct dirref *ref)
{
	struct dirslot *s = slot_for(w, ref);

	if (s->src == -1) {
		s->src = worker_open_below(w->rc->roots[ref->root].srcfd,
		    ref->path);
		s->src_pos = 0;
	}
	return s->src;
}

/*
 * The source directory of ref, positioned at off for getdents64.  A
 * descriptor just opened is at 0 already: no lseek for it.
 */
int
worker_src_dir_at(struct worker *w, const struct dirref *ref, uint64_t off)
{
	int fd = worker_src_dir(w, ref);
	struct dirslot *s = slot_for(w, ref);

	if (fd == -1 || s->src_pos == (int64_t)off)
		return fd;
	if (lseek(fd, (off_t)off, SEEK_SET) == -1)
		return -1;
	s->src_pos = (int64_t)off;
	return fd;
}

/* The caller read from ref's source descriptor: its offset moved. */
void
worker_src_dir_moved(struct worker *w, const struct dirref *ref)
{
	slot_for(w, ref)->src_pos = -1;
}

int
worker_dst_dir(struct worker *w, const struct dirref *ref)
{
	struct dirslot *s = slot_for(w, ref);

	if (s->dst == -1)
		s->dst = open_dst_below(w->rc->roots[ref->root].dstfd,
		    ref->path, &s->dst_opath);
	return s->dst;
}

/* Was ref's destination opened O_PATH (searchable, not readable)? */
int
worker_dst_dir_opath(struct worker *w, const struct dirref *ref)
{
	return slot_for(w, ref)->dst_opath;
}

/*
 * Does the destination directory of ref have a default ACL, so that what
 * is made in it inherits an ACL?  A pristine directory (new, as are all
 * above it) in a root whose parent has none cannot; others are asked once
 * per worker.
 */
int
worker_dst_defacl(struct worker *w, const struct dirref *ref, int flags)
{
	struct dirslot *s;
	int fd;

	if ((flags & TF_PRISTINE) && !w->rc->roots[ref->root].defacl)
		return 0;
	if ((fd = worker_dst_dir(w, ref)) == -1)
		return 0;
	s = slot_for(w, ref);
	if (s->defacl == -1)
		s->defacl = fgetxattr(fd, "system.posix_acl_default", NULL, 0) > 0;
	return s->defacl;
}

/*
 * Open a destination directory outside the cache, for a second directory
 * in one task whose slot would evict the first.  The caller closes it.
 */
int
worker_dst_dir_uncached(struct worker *w, const struct dirref *ref)
{
	int opath;

	return open_dst_below(w->rc->roots[ref->root].dstfd, ref->path,
	    &opath);
}

int
worker_same_slot(const struct worker *w, const struct dirref *a,
    const struct dirref *b)
{
	return a->id != b->id &&
	    a->id % (uint64_t)w->nslots == b->id % (uint64_t)w->nslots;
}

/*
 * Report a failure of the current task.  name is an entry of the task's
 * directory when the failure is about that entry rather than the task's
 * own object (scans), else NULL.
 */
void
worker_fail(struct worker *w, int op, int side, int err, const char *name)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_ERROR;
	ev.op = (uint8_t)op;
	ev.side = (uint8_t)side;
	ev.err = err;
	ev.task = w->cur->handle;
	ev.name = name != NULL ? xstrdup(name) : NULL;
	w->sink->emit(w->sink, &ev);
}

/* Tests slow workers down to catch them mid-copy (PCOPY_TEST_DELAY_MS). */
void
worker_delay(const struct worker *w)
{
	if (w->rc->delay_ms)
		(void)usleep(w->rc->delay_ms * 1000);
}

static int
dispatch(struct worker *w, const struct task *t)
{
	if (w->rc->dry_run && t->kind != TASK_SCAN)
		return t->kind == TASK_DIRMETA ? 0 : nodetask_dry_run(w, t);
	switch (t->kind) {
	case TASK_SCAN:
		return walk_dir(w, t, &w->cookie);
	case TASK_FILE:
		return filetask_copy(w, t);
	case TASK_CHUNK:
		return filetask_chunk(w, t);
	case TASK_FINISH:
		return filetask_finish(w, t);
	case TASK_LINK:
		return nodetask_link(w, t);
	case TASK_SYMLINK:
		return nodetask_symlink(w, t);
	case TASK_SPECIAL:
		return nodetask_special(w, t);
	case TASK_DIRMETA:
		return nodetask_dirmeta(w, t);
	case TASK_READ:
		return archtask_read(w, t);
	case TASK_PUT:
		return archtask_put(w, t);
	case TASK_PUTFIN:
		return archtask_putfin(w, t);
	default:
		worker_fail(w, OP_TYPE, SIDE_SRC, EINVAL, NULL);
		return EINVAL;
	}
}

/*
 * Has this batch done its share of work, so that the tasks not started
 * should go to other workers?  When the walk does not stat files the
 * coordinator cannot size its batches, and one batch may hold several
 * large files while the other workers run dry.
 */
static int
batch_full(const struct worker *w)
{
	return w->rc->hand_back && w->batch_bytes >= BATCH_BYTES;
}

/* Give t back unstarted: its EV_DONE says TASK_NOTRUN. */
static void
hand_back(struct worker *w, const struct task *t)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_DONE;
	ev.err = TASK_NOTRUN;
	ev.task = t->handle;
	w->sink->emit(w->sink, &ev);
	w->handed_back++;
}

/*
 * Run t and send its EV_DONE.  The task's handle for the coordinator is
 * the task pointer the coordinator made (or, in a forked worker, the one
 * it sent), carried back unchanged.  A stopping worker does not start a
 * task: it reports it cancelled so the coordinator knows nothing was
 * written for it.  In a batch that has done its share (batch_full) the
 * task is handed back unstarted instead.
 */
void
worker_run(struct worker *w, const struct task *t)
{
	struct event ev;
	int err, scan = t->kind == TASK_SCAN;

	if (batch_full(w)) {
		hand_back(w, t);
		return;
	}
	w->cur = t;
	w->reported = 0;
	w->cookie = 0;
	if (worker_stopping()) {
		err = ECANCELED;
	} else {
		worker_delay(w);
		err = dispatch(w, t);
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_DONE;
	ev.err = err;
	ev.task = t->handle;
	ev.bytes = w->reported;
	ev.cookie = w->cookie;
	/* From here on t may be gone: EV_DONE lets the coordinator free it. */
	w->sink->emit(w->sink, &ev);
	/* Entries become the coordinator's tasks: not behind our copies. */
	if (scan)
		w->sink->flush(w->sink, 0);
	w->cur = NULL;
}

/* A batch starts: count the bytes it copies from here. */
void
worker_batch_begin(struct worker *w)
{
	w->batch_bytes = 0;
	w->handed_back = 0;
}

/* A batch is over: what it gave back should go to other workers now. */
void
worker_batch_end(struct worker *w)
{
	if (w->handed_back > 0)
		w->sink->flush(w->sink, 1);
}
