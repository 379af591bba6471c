/*
 * context.c - a worker's context: its cache of open directories, its copy
 * buffer, and how the task it runs reports.
 *
 * A worker keeps a small cache of open directory descriptors, keyed by the
 * directory's id; a miss opens the directory by its path below the root
 * (safeopen.c), so nothing swapped in during the copy leads outside the
 * tree.
 */
#include <sys/xattr.h>

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "safeopen.h"
#include "util.h"

#define COPY_BUFSIZE	(1u << 20)
#define DENTS_BUFSIZE	(32u << 10)
#define BYTES_REPORT	(4u << 20)	/* EV_BYTES at most this far apart */
#define DEEP_PATH	256	/* a path this long opens below its ancestor */
#define ANC_STEP	2048	/* ... opened this far above it when none is */

atomic_int worker_stop;

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
	w->anc.src = w->anc.dst = -1;
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
	free(s->path);
	s->path = NULL;
	s->pathlen = 0;
}

void
worker_fini(struct worker *w)
{
	if (w->cache != NULL)
		for (int i = 0; i < w->nslots; i++)
			slot_clear(&w->cache[i]);
	slot_clear(&w->anc);
	free(w->cache);
	free(w->dents);
	copier_fini(&w->copy);
	w->cache = NULL;
	w->dents = NULL;
}

static struct dirslot *
slot_for(struct worker *w, const struct dirref *ref)
{
	struct dirslot *s = &w->cache[ref->id % (uint64_t)w->nslots];

	if (s->id != ref->id) {
		slot_clear(s);
		s->id = ref->id;
		s->root = ref->root;
		if (ref->pathlen >= DEEP_PATH) {
			s->path = xstrndup(ref->path, ref->pathlen);
			s->pathlen = ref->pathlen;
		}
	}
	return s;
}

/*
 * Could s, a cached directory, be above ref's (its path not compared
 * yet), and deeper than best?
 */
static int
may_be_above(const struct dirslot *s, int fd, const struct dirref *ref,
    uint32_t best)
{
	return fd != -1 && s->pathlen > best && s->root == ref->root &&
	    s->pathlen < ref->pathlen && ref->path[s->pathlen] == '/';
}

/*
 * The deepest cached directory above ref's on one side (src: its source,
 * else its copy), as a descriptor and the path of ref below it (*rest);
 * -1 when none is.  Only deep paths look: a short one costs the kernel
 * little to resolve from the root.  The deepest candidate is compared
 * first, so a path of many kilobytes is compared about once.
 */
static int
ancestor(const struct worker *w, const struct dirref *ref, int src,
    const char **rest)
{
	const struct dirslot *best;
	uint32_t cap = ref->pathlen, top;

	if (ref->pathlen < DEEP_PATH)
		return -1;
	do {
		best = NULL;
		top = 0;
		for (int i = 0; i <= w->nslots; i++) {
			const struct dirslot *s = i < w->nslots ?
			    &w->cache[i] : &w->anc;

			if (s->pathlen < cap && may_be_above(s, src ? s->src :
			    s->dst, ref, top)) {
				best = s;
				top = s->pathlen;
			}
		}
		if (best == NULL)
			return -1;
		cap = best->pathlen;	/* not above it: the next deepest */
	} while (memcmp(best->path, ref->path, best->pathlen) != 0);
	*rest = ref->path + best->pathlen + 1;
	return src ? best->src : best->dst;
}

static int
open_side(int base, const char *path, int src, int *opath)
{
	*opath = 0;
	return src ? safe_open_below(base, path) :
	    safe_open_dst_below(base, path, opath);
}

/*
 * No cached directory is above ref's deep one: open one about ANC_STEP
 * bytes above it from the root and keep it (w->anc), so that the next
 * directories on the way up (directory metadata goes deepest first) open
 * below it, and one long walk from the root serves a thousand levels.
 * Returns its descriptor and *rest, or -1.
 */
static int
new_ancestor(struct worker *w, const struct dirref *ref, int src,
    const char **rest)
{
	const struct root *r = &w->rc->roots[ref->root];
	struct dirslot *a = &w->anc;
	uint32_t cut = ref->pathlen - ANC_STEP;
	int *fd, opath;

	if (ref->pathlen < DEEP_PATH + ANC_STEP)
		return -1;
	while (cut > 0 && ref->path[cut] != '/')
		cut--;
	if (cut == 0)
		return -1;
	if (a->pathlen != cut || a->root != ref->root ||
	    memcmp(a->path, ref->path, cut) != 0) {
		slot_clear(a);
		a->root = ref->root;
		a->path = xstrndup(ref->path, cut);
		a->pathlen = cut;
	}
	fd = src ? &a->src : &a->dst;
	if (*fd == -1)
		*fd = open_side(src ? r->srcfd : r->dstfd, a->path, src,
		    &opath);
	*rest = ref->path + cut + 1;
	return *fd;
}

/* Open ref's directory on one side: below a cached ancestor if any. */
static int
open_dir_of(struct worker *w, const struct dirref *ref, int src, int *opath)
{
	const struct root *r = &w->rc->roots[ref->root];
	const char *path = ref->path;
	int base = ancestor(w, ref, src, &path);

	if (base == -1)
		base = new_ancestor(w, ref, src, &path);
	if (base == -1) {
		base = src ? r->srcfd : r->dstfd;
		path = ref->path;
	}
	return open_side(base, path, src, opath);
}

/*
 * An open failed with err.  If that was the descriptor limit (EMFILE,
 * ENFILE), close every cached directory the current task does not use.
 * Returns 1 when that freed any, so the open is worth trying again; the
 * pool is sized to fit the limit (cli/shape.c), so this is for the
 * descriptors of others: libraries, or a limit lowered under us.
 */
int
worker_relieve(struct worker *w, int err)
{
	const struct task *t = w->cur;
	int freed = 0;

	if (err != EMFILE && err != ENFILE)
		return 0;
	for (int i = 0; i < w->nslots; i++) {
		struct dirslot *s = &w->cache[i];

		if (s->id == 0 || (t != NULL && (s->id == t->dir.id ||
		    s->id == t->ldir.id)))
			continue;
		freed |= s->src != -1 || s->dst != -1;
		slot_clear(s);
	}
	errno = err;
	return freed;
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
	int opath;

	if (s->src == -1) {
		s->src = open_dir_of(w, ref, 1, &opath);
		if (s->src == -1 && worker_relieve(w, errno))
			s->src = open_dir_of(w, ref, 1, &opath);
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

	if (s->dst == -1) {
		s->dst = open_dir_of(w, ref, 0, &s->dst_opath);
		if (s->dst == -1 && worker_relieve(w, errno))
			s->dst = open_dir_of(w, ref, 0, &s->dst_opath);
	}
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

	return open_dir_of(w, ref, 0, &opath);
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

