/*
 * plan.c - the coordinator: turn scans into tasks and events into
 * progress, and decide when each directory is complete.
 *
 * Every directory in flight has a count of unfinished children, plus one
 * while it is being listed.  When the count reaches zero its metadata task
 * goes out, and when that is done its parent's count drops: so a
 * directory's mode and times are set after everything in it.  The walk is
 * depth first (a stack of directories to list) and listing waits while
 * enough tasks are ready, so memory holds the directories in flight and a
 * bounded number of ready tasks, not the tree.
 *
 * Task lists: a task is on exactly one of ready (waiting to be handed
 * out), inflight (handed to the backend), a link group's waiters, or none
 * (a chunked file's template while its chunks run).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "dest.h"
#include "links.h"
#include "meta.h"
#include "plan.h"
#include "plan_int.h"
#include "report.h"
#include "tasks.h"
#include "util.h"
#include "worker.h"

#define TASK_SLAB	1024
#define COST_MIN	4096		/* what any task costs, in bytes */
#define SCAN_AHEAD	16384		/* ready tasks before the walk waits */

static void remove_output(const struct plan *, const struct task *);
static void add_file(struct plan *, struct task *);

/* ---- tasks and lists ---- */

struct task *
plan_task_new(struct plan *p, int kind, struct dirnode *d)
{
	struct task *t;

	if (p->free_tasks == NULL) {
		struct task *slab = xcalloc(TASK_SLAB, sizeof(*slab));

		p->slabs = xrealloc(p->slabs, (p->nslabs + 1) *
		    sizeof(*p->slabs));
		p->slabs[p->nslabs++] = slab;
		for (size_t i = 0; i < TASK_SLAB; i++) {
			slab[i].next = p->free_tasks;
			p->free_tasks = &slab[i];
		}
	}
	t = p->free_tasks;
	p->free_tasks = t->next;
	memset(t, 0, sizeof(*t));
	t->seq = ++p->next_seq;
	t->tmpseq = t->seq;
	t->handle = (uint64_t)(uintptr_t)t;
	t->kind = (uint8_t)kind;
	t->wslot = -1;
	t->dirnode = d;
	t->dir.id = d->id;
	t->dir.root = d->root;
	t->dir.path = d->path;
	t->dir.pathlen = d->pathlen;
	t->flags = (d->fresh ? TF_FRESH : 0) | (d->pristine ? TF_PRISTINE : 0);
	return t;
}

void
plan_ents_release(struct entries *e)
{
	if (e != NULL && --e->refs == 0)
		entries_free(e);
}

void
plan_task_free(struct plan *p, struct task *t)
{
	plan_ents_release(t->ents);
	t->next = p->free_tasks;
	p->free_tasks = t;
}

void
plan_ready(struct plan *p, struct task *t)
{
	t->next = NULL;
	if (p->ready_tail != NULL)
		p->ready_tail->next = t;
	else
		p->ready = t;
	p->ready_tail = t;
	p->nready++;
}

static void
ready_push_front(struct plan *p, struct task *t)
{
	t->next = p->ready;
	p->ready = t;
	if (p->ready_tail == NULL)
		p->ready_tail = t;
	p->nready++;
}

static struct task *
ready_pop(struct plan *p)
{
	struct task *t = p->ready;

	p->ready = t->next;
	if (p->ready == NULL)
		p->ready_tail = NULL;
	p->nready--;
	return t;
}

static void
inflight_add(struct plan *p, struct task *t)
{
	t->prev = NULL;
	t->next = p->inflight;
	if (p->inflight != NULL)
		p->inflight->prev = t;
	p->inflight = t;
}

static void
inflight_remove(struct plan *p, struct task *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		p->inflight = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	t->next = t->prev = NULL;
}

/* ---- directories ---- */

struct dirnode *
plan_dirnode_new(struct plan *p, struct dirnode *parent, uint32_t root,
    const char *name, size_t namelen, const struct finfo *st)
{
	size_t plen = parent == NULL ? 1 : strcmp(parent->path, ".") == 0 ?
	    namelen : parent->pathlen + 1 + namelen;
	struct dirnode *d = xcalloc(1, sizeof(*d) + plen + 1);

	d->id = ++p->next_id;
	d->parent = parent;
	d->anext = p->dirs;
	if (p->dirs != NULL)
		p->dirs->aprev = d;
	p->dirs = d;
	d->root = root;
	d->st = *st;
	d->pathlen = (uint32_t)plen;
	if (parent == NULL)
		memcpy(d->path, ".", 2);
	else if (strcmp(parent->path, ".") == 0)
		memcpy(d->path, name, namelen);
	else {
		memcpy(d->path, parent->path, parent->pathlen);
		d->path[parent->pathlen] = '/';
		memcpy(d->path + parent->pathlen + 1, name, namelen);
	}
	d->path[plen] = '\0';
	return d;
}

static void
dirnode_free(struct plan *p, struct dirnode *d)
{
	if (d->aprev != NULL)
		d->aprev->anext = d->anext;
	else
		p->dirs = d->anext;
	if (d->anext != NULL)
		d->anext->aprev = d->aprev;
	free(d);
}

/* Free d once it is complete and no link group points into it. */
void
plan_dirnode_release(struct plan *p, struct dirnode *d)
{
	if (d->done && d->links == 0)
		dirnode_free(p, d);
}

static void
scan_push(struct plan *p, struct dirnode *d)
{
	d->snext = p->scans;
	p->scans = d;
}


/* Root r is complete: start the roots that merge into the same target. */
static void
root_done(struct plan *p, uint32_t r)
{
	p->roots_left--;
	for (uint32_t i = 0; i < p->rc->nroots; i++) {
		if (p->after[i] != (int)r || p->deferred[i] == NULL)
			continue;
		scan_push(p, p->deferred[i]);
		p->deferred[i] = NULL;
	}
}

/* d and all it holds are complete. */
static void
dir_done(struct plan *p, struct dirnode *d)
{
	struct dirnode *parent = d->parent;

	if (d->ours)
		p->counts.dirs_done++;
	d->done = 1;
	d->parent = NULL;
	if (parent != NULL)
		plan_child_done(p, parent);
	else
		root_done(p, d->root);
	plan_dirnode_release(p, d);
}

/* One child of d finished; when none is left, d's metadata goes out. */
void
plan_child_done(struct plan *p, struct dirnode *d)
{
	if (--d->pending > 0)
		return;
	if (d->ours) {
		struct task *t = plan_task_new(p, TASK_DIRMETA, d);

		t->st = d->st;
		plan_ready(p, t);
	} else {
		dir_done(p, d);
	}
}

static struct where
where_of(const struct plan *p, const struct task *t, const char *name)
{
	const struct dirnode *d = t->dirnode;
	struct where w;

	w.root = &p->rc->roots[d->root];
	w.dir = d->path;
	w.name = name != NULL ? name : t->name;
	w.dname = name != NULL ? NULL : t->dname;
	return w;
}

static void
verbose(struct plan *p, const struct task *t, const char *name)
{
	struct where w;

	if (!p->verbose)
		return;
	w = where_of(p, t, name);
	(void)report_verbose(&w, p->nul);
}

/* ---- hard links and chunked files ---- */

int
plan_kind_for(const struct finfo *st)
{
	if (S_ISREG(st->mode))
		return TASK_FILE;
	if (S_ISLNK(st->mode))
		return TASK_SYMLINK;
	return TASK_SPECIAL;
}







/* ---- scan results ---- */

static void
add_subdir(struct plan *p, struct dirnode *d, const struct entry *e)
{
	struct dirnode *c = plan_dirnode_new(p, d, d->root, e->name, e->namelen,
	    &e->st);
	struct task probe;

	c->fresh = (e->flags & ENT_FRESH) != 0;
	c->pristine = c->fresh && d->pristine;
	c->ours = 1;
	c->pending = 1;
	d->pending++;
	p->counts.dirs_total++;
	if (p->verbose) {
		memset(&probe, 0, sizeof(probe));
		probe.dirnode = d;
		verbose(p, &probe, e->name);
	}
	if (e->flags & ENT_NOSCAN)
		plan_child_done(p, c);	/* -x: the directory, not its contents */
	else
		scan_push(p, c);
}

static void
add_entry(struct plan *p, struct dirnode *d, struct entries *ents,
    struct entry *e)
{
	struct task *t;

	if (S_ISDIR(e->st.mode)) {
		add_subdir(p, d, e);
		return;
	}
	t = plan_task_new(p, plan_kind_for(&e->st), d);
	t->name = e->name;
	t->namelen = e->namelen;
	t->st = e->st;
	t->ents = ents;
	ents->refs++;
	d->pending++;
	p->counts.files_total++;
	if (e->flags & ENT_NOSTAT) {
		t->flags |= TF_NOSTAT;	/* its worker stats it: see on_done */
		plan_ready(p, t);
		return;
	}
	add_file(p, t);
}

/*
 * A file whose metadata is known joins its hard-link group or goes out
 * to be copied, whole or in chunks.
 */
static void
add_file(struct plan *p, struct task *t)
{
	if (t->st.nlink > 1 && (p->rc->preserve & PRESERVE_LINKS) &&
	    plan_link_join(p, t))
		return;
	plan_schedule_copy(p, t);
}

static void
scan_done(struct plan *p, struct task *t, const struct event *ev)
{
	struct dirnode *d = t->dirnode;
	struct entries *ents = t->ents;
	struct entry *e;
	size_t pos = 0;

	p->scans_inflight--;
	t->ents = NULL;
	if (ents != NULL) {
		ents->refs = 1;		/* held while its entries are added */
		while ((e = entries_next(ents, &pos)) != NULL)
			add_entry(p, d, ents, e);
		plan_ents_release(ents);
	}
	if (ev->err == 0 && ev->cookie != 0) {
		d->cookie = ev->cookie;
		scan_push(p, d);
	} else {
		plan_child_done(p, d);	/* the +1 held while listing */
	}
	plan_task_free(p, t);
}

/* ---- task completion ---- */

/* Count a finished task's bytes as done, whatever it reported so far. */
void
plan_count_bytes(struct plan *p, struct task *t)
{
	uint64_t size = t->kind == TASK_FILE ? t->st.size :
	    t->kind == TASK_CHUNK ? t->len : 0;

	if (size > t->reported)
		p->counts.bytes_done += size - t->reported;
}

static void
tally(struct plan *p, const struct task *t, int kind)
{
	switch (kind) {
	case TASK_LINK:
		p->totals.links++;
		break;
	case TASK_SYMLINK:
		p->totals.symlinks++;
		break;
	case TASK_SPECIAL:
		p->totals.specials++;
		break;
	default:
		p->totals.files++;
		break;
	}
	verbose(p, t, NULL);
}

/*
 * A non-directory entry is finished: err is 0, TASK_SKIPPED,
 * TASK_PARTIAL (copied, metadata not all kept) or > 0 (failed).
 */
void
plan_entry_done(struct plan *p, struct task *t, int err)
{
	struct dirnode *d = t->dirnode;
	struct linkrec *rec = t->link;

	plan_count_bytes(p, t);
	p->counts.files_done++;
	if (err == 0 || err == TASK_PARTIAL)
		tally(p, t, t->kind == TASK_FINISH ? TASK_FILE : t->kind);
	else if (err == TASK_SKIPPED)
		p->totals.skipped++;
	if (rec != NULL && t->kind == TASK_LINK)
		plan_link_done(p, t);
	else if (rec != NULL)
		plan_link_copied(p, t, err <= 0);
	plan_task_free(p, t);
	plan_child_done(p, d);
}



static void
task_done(struct plan *p, struct task *t, int err)
{
	switch (t->kind) {
	case TASK_CHUNK:
		plan_chunk_done(p, t, err);
		break;
	case TASK_FINISH:
		plan_finish_done(p, t, err);
		break;
	case TASK_DIRMETA: {
		struct dirnode *d = t->dirnode;

		plan_task_free(p, t);
		dir_done(p, d);
		break;
	}
	default:
		plan_entry_done(p, t, err);
		break;
	}
}

/*
 * A TF_NOSTAT copy is done.  TASK_RESTAT: its worker found (EV_STAT) a
 * file the plan must decide on, so it is planned again, as if the walk
 * had stat'ed it.  Otherwise its size, which only the worker knew, is
 * counted now.  Returns 1 when the task went out again.
 */
static int
nostat_done(struct plan *p, struct task *t, const struct event *ev)
{
	t->flags &= (uint16_t)~TF_NOSTAT;
	if (ev->err == TASK_RESTAT) {
		t->reported = 0;
		t->kind = (uint8_t)plan_kind_for(&t->st);
		add_file(p, t);
		return 1;
	}
	t->st.size = ev->cookie;
	p->counts.bytes_total += t->st.size;
	return 0;
}

static void
on_done(struct plan *p, const struct event *ev)
{
	struct task *t = (struct task *)(uintptr_t)ev->task;

	inflight_remove(p, t);
	if (ev->err == TASK_NOTRUN) {
		/* A busy worker gave it back: it may be as big as the batch
		 * was, so it goes out in a batch of its own. */
		t->handed_back = 1;
		ready_push_front(p, t);
		return;
	}
	if ((t->flags & TF_NOSTAT) && nostat_done(p, t, ev))
		return;
	if (ev->worker >= 0 && ev->worker < p->nworkers) {
		p->wstats[ev->worker].tasks++;
		p->wstats[ev->worker].bytes += ev->bytes + t->reported;
	}
	if (t->kind == TASK_CHUNK || t->kind == TASK_FILE)
		p->totals.bytes += ev->bytes + t->reported;
	if (t->kind == TASK_SCAN) {
		scan_done(p, t, ev);
		return;
	}
	task_done(p, t, ev->err);
}

static void
on_error(struct plan *p, const struct event *ev)
{
	struct task *t = (struct task *)(uintptr_t)ev->task;
	struct where w = where_of(p, t, ev->name);
	struct bigfile *bf = t->big;

	/* Every chunk in flight finds a changed file: say it once. */
	if ((ev->op == OP_REPLACED || ev->op == OP_SHRANK) && bf != NULL) {
		if (bf->told_changed)
			return;
		bf->told_changed = 1;
	}
	if (t->kind == TASK_SCAN || t->kind == TASK_DIRMETA ||
	    ev->op == OP_OPENDIR) {
		if (ev->name == NULL)
			w.name = w.dname = NULL;
	}
	report_failure(&w, ev->op, ev->side, ev->err);
	p->counts.errors++;
}

/*
 * A task lost with a dead worker goes out again, marked as a retry so
 * that what the dead attempt left is removed first.  Only a task that
 * was running when its worker died is charged an attempt (charge); one
 * charged twice is given up: it may be what kills workers.
 */
static void
retry(struct plan *p, struct task *t, int charge)
{
	struct where w;

	p->totals.retried++;
	if (charge && ++t->attempts >= 2) {
		w = where_of(p, t, NULL);
		if (t->kind == TASK_SCAN || t->kind == TASK_DIRMETA)
			w.name = NULL;
		report_failure(&w, OP_WORKER, SIDE_SRC, 0);
		p->counts.errors++;
		if (t->kind == TASK_SCAN) {
			struct event ev = { .err = EIO };

			entries_free(t->ents);
			t->ents = NULL;
			scan_done(p, t, &ev);
		} else {
			task_done(p, t, EIO);
		}
		return;
	}
	if (t->reported <= p->counts.bytes_done)
		p->counts.bytes_done -= t->reported;
	t->reported = 0;
	if (t->kind != TASK_CHUNK || (t->flags & TF_CREATE))
		t->flags |= TF_RETRY;
	if (t->kind == TASK_SCAN) {
		entries_free(t->ents);	/* a dead scan's partial list */
		t->ents = NULL;
	}
	ready_push_front(p, t);
}

static int
by_subseq(const void *a, const void *b)
{
	const struct task *x = *(struct task *const *)a;
	const struct task *y = *(struct task *const *)b;

	return (x->subseq > y->subseq) - (x->subseq < y->subseq);
}

/*
 * A worker process died with the tasks it held.  A worker runs a batch's
 * tasks in order, one batch per thread: so the first unfinished task of
 * each of its per_proc oldest batches may have been running, and the
 * rest had not started.  What they may have half written is removed and
 * all go out again, in their order, only the possibly running ones
 * charged an attempt.
 */
static void
on_died(struct plan *p, const struct event *ev)
{
	struct task *t, *next, **lost = NULL;
	unsigned char *charge;
	size_t n = 0, cap = 0;
	uint64_t last_batch = 0;
	int batches = 0;

	p->totals.deaths++;
	report_died(ev->worker, ev->err, (int)ev->bytes);
	if (ev->bytes == DIED_ALONE && --p->live_procs <= 0)
		p->fatal = 1;
	for (t = p->inflight; t != NULL; t = next) {
		next = t->next;
		if (t->wslot != ev->worker)
			continue;
		inflight_remove(p, t);
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			lost = xrealloc(lost, cap * sizeof(*lost));
		}
		lost[n++] = t;
	}
	if (n > 1)
		qsort(lost, n, sizeof(*lost), by_subseq);
	charge = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++) {
		if (lost[i]->batchno != last_batch) {
			last_batch = lost[i]->batchno;
			charge[i] = batches++ < p->per_proc;
		}
		/* A finish's chunks are all written: its retry completes it. */
		if (lost[i]->kind != TASK_FINISH)
			remove_output(p, lost[i]);
	}
	/* Each goes to the front of the ready list: the last one first. */
	for (size_t i = n; i-- > 0; )
		retry(p, lost[i], charge[i]);
	free(charge);
	free(lost);
}

/*
 * Take one event from a worker.  The plan takes ownership of the event's
 * name and listing.
 */
void
plan_event(struct plan *p, const struct event *ev)
{
	struct task *t = (struct task *)(uintptr_t)ev->task;

	switch (ev->kind) {
	case EV_BYTES:
		t->reported += ev->bytes;
		p->counts.bytes_done += ev->bytes;
		break;
	case EV_ERROR:
		on_error(p, ev);
		break;
	case EV_ENTRIES:
		entries_free(t->ents);
		t->ents = ev->ents;
		return;
	case EV_STAT:
		if (ev->data != NULL && ev->datalen == sizeof(t->st))
			memcpy(&t->st, ev->data, sizeof(t->st));
		break;
	case EV_DONE:
		on_done(p, ev);
		break;
	case EV_DIED:
		on_died(p, ev);
		break;
	}
	free(ev->name);
	entries_free(ev->ents);
	free(ev->data);
}

/* ---- handing out work ---- */

static uint64_t
task_cost(const struct task *t)
{
	if (t->handed_back)
		return BATCH_BYTES;
	if (t->kind == TASK_FILE)
		return MAX(t->st.size, COST_MIN);
	if (t->kind == TASK_CHUNK)
		return t->len;
	return COST_MIN;
}

static int
scan_batch(struct plan *p, struct batch *bt)
{
	struct dirnode *d = p->scans;
	struct task *t;

	p->scans = d->snext;
	t = plan_task_new(p, TASK_SCAN, d);
	t->off = d->cookie;
	t->st = d->st;
	p->scans_inflight++;
	bt->t[0] = t;
	bt->n = 1;
	return 1;
}

/*
 * Form the next batch: a directory to list while fewer than SCAN_AHEAD
 * tasks are ready (so the totals are known early, yet memory stays
 * bounded), else ready tasks up to BATCH_MAX or BATCH_BYTES of work.
 * Returns 0 when there is nothing to hand out.
 */
static int
make_batch(struct plan *p, struct batch *bt)
{
	size_t low = MAX(SCAN_AHEAD, (size_t)(2 * p->nworkers * BATCH_MAX));
	int can_scan = p->scans != NULL && p->scans_inflight < p->nworkers;
	uint64_t cost = 0, c;

	bt->n = 0;
	if (p->stopping)
		return 0;
	if (can_scan && p->nready < low)
		return scan_batch(p, bt);
	/* --files-from: the list takes the place of the walk. */
	while (plan_list_pending(p) && p->nready < low &&
	    (p->ready == NULL || p->nready < (size_t)BATCH_MAX))
		plan_list_feed(p, 256);
	while (bt->n < BATCH_MAX) {
		if (p->ready == NULL) {
			struct task *chunk = plan_next_chunk(p);

			if (chunk == NULL)
				break;
			ready_push_front(p, chunk);
		}
		c = task_cost(p->ready);
		if (bt->n > 0 && cost + c > BATCH_BYTES)
			break;
		if (bt->n >= BATCH_MAX / 2 &&
		    p->ready->dir.id != bt->t[bt->n - 1]->dir.id)
			break;
		bt->t[bt->n++] = ready_pop(p);
		cost += c;
	}
	if (bt->n == 0 && can_scan)
		return scan_batch(p, bt);
	return bt->n > 0;
}

/* Hand out batches while the backend takes them.  Returns how many. */
int
plan_fill(struct plan *p, struct backend *b)
{
	int n = 0;

	for (;;) {
		if (p->held.n == 0 && !make_batch(p, &p->held))
			break;
		if (!b->ops->submit(b, &p->held))
			break;
		p->next_batch++;
		for (uint32_t i = 0; i < p->held.n; i++) {
			p->held.t[i]->subseq = ++p->next_sub;
			p->held.t[i]->batchno = p->next_batch;
			inflight_add(p, p->held.t[i]);
		}
		p->held.n = 0;
		n++;
	}
	return n;
}

/* ---- the run ---- */

static void release_list(struct task *);

static void
release_waiters(struct linkrec *rec)
{
	release_list(rec->waiters);
}

/*
 * A plan for nworkers workers in nprocs processes (0 for threads), -v
 * output when verbose, NUL-terminated with nul.
 */
struct plan *
plan_new(const struct runconf *rc, int nworkers, int nprocs, int verbose,
    int nul)
{
	struct plan *p = xcalloc(1, sizeof(*p));

	p->rc = rc;
	p->nworkers = nworkers;
	p->live_procs = nprocs;
	p->per_proc = nprocs > 0 ? MAX(1, nworkers / nprocs) : 1;
	p->verbose = verbose;
	p->nul = nul;
	p->links = links_new();
	p->wstats = xcalloc((size_t)nworkers, sizeof(*p->wstats));
	p->deferred = xcalloc(MAX(1, rc->nroots), sizeof(*p->deferred));
	p->after = xcalloc(MAX(1, rc->nroots), sizeof(*p->after));
	return p;
}

/*
 * Add root r of the run: the tree when its source is a directory, else
 * the single file srcname, copied to dstname in the root's directory.
 * A tree with after >= 0 starts once root `after' is complete.
 */
void
plan_add_root(struct plan *p, uint32_t r, const struct finfo *st,
    const char *srcname, const char *dstname, int after)
{
	const struct root *root = &p->rc->roots[r];
	struct dirnode *d = plan_dirnode_new(p, NULL, r, NULL, 0, st);
	struct entries *names;
	struct entry *e;
	struct task *t;

	p->roots_left++;
	p->after[r] = -1;
	if (root->is_dir) {
		d->fresh = (uint8_t)root->fresh;
		d->pristine = (uint8_t)root->pristine;
		d->ours = 1;
		d->pending = 1;
		p->counts.dirs_total++;
		p->after[r] = after;
		if (p->list_fp != NULL)
			plan_list_start(p, d, p->list_fp, p->list_nul);
		else if (after >= 0)
			p->deferred[r] = d;
		else
			scan_push(p, d);
		if (p->verbose) {
			struct where w = { root, ".", NULL, NULL };

			(void)report_verbose(&w, p->nul);
		}
		return;
	}
	/* A single file: its names live in a one-entry listing. */
	names = entries_new(256);
	e = entries_add(&names, srcname, strlen(srcname));
	e->st = *st;
	t = plan_task_new(p, plan_kind_for(st), d);
	t->name = e->name;
	t->namelen = e->namelen;
	e = entries_add(&names, dstname, strlen(dstname));
	t->name = ((struct entry *)(void *)names->data)->name;
	t->dname = e->name;
	t->dnamelen = e->namelen;
	t->st = *st;
	t->ents = names;
	names->refs = 1;
	d->pending = 1;
	p->counts.files_total++;
	if (st->nlink > 1 && (p->rc->preserve & PRESERVE_LINKS) &&
	    plan_link_join(p, t))
		return;
	plan_schedule_copy(p, t);
}

/*
 * --files-from: the next root (the only one, a directory) copies what fp
 * lists, one path a line or NUL-terminated (nul).  The plan owns fp.
 */
void
plan_set_list(struct plan *p, FILE *fp, int nul)
{
	p->list_fp = fp;
	p->list_nul = nul;
}

int
plan_finished(const struct plan *p)
{
	return p->roots_left == 0 && p->inflight == NULL;
}

int
plan_failed_fatally(const struct plan *p)
{
	return p->fatal;
}

/* No more work goes out; what is in flight finishes or is dropped. */
void
plan_stopping(struct plan *p)
{
	p->stopping = 1;
}

/* Remove what t may have half written (after an interrupted run). */
static void
remove_output(const struct plan *p, const struct task *t)
{
	const struct dirnode *d = t->dirnode;
	const char *target = task_target(t);
	char tmp[64];
	int fd;

	if (target == NULL || t->kind == TASK_SCAN || t->kind == TASK_DIRMETA)
		return;
	if (t->kind == TASK_CHUNK && !(t->flags & TF_CREATE))
		return;	/* its file is removed through the bigfile list */
	fd = worker_open_below(p->rc->roots[d->root].dstfd, d->path);
	if (fd == -1)
		return;
	dest_tmpname(tmp, sizeof(tmp), p->rc->pid, t->tmpseq);
	(void)unlinkat(fd, tmp, 0);
	/* A chunked copy reaches its name only complete, by rename. */
	if (d->fresh && t->big == NULL && t->kind != TASK_CHUNK &&
	    t->kind != TASK_FINISH)
		(void)unlinkat(fd, target, 0);
	(void)close(fd);
}

/*
 * After an interrupted run, once every worker has stopped: remove the
 * partial copies of tasks that never reported back and of chunked files
 * that were not finished.  Complete copies stay.
 */
void
plan_cleanup(struct plan *p)
{
	for (struct task *t = p->inflight; t != NULL; t = t->next)
		remove_output(p, t);
	for (struct bigfile *bf = p->bigs; bf != NULL; bf = bf->next)
		remove_output(p, bf->tmpl);
}

const struct counts *
plan_counts(const struct plan *p)
{
	return &p->counts;
}

const struct totals *
plan_totals(const struct plan *p)
{
	return &p->totals;
}

const struct wstats *
plan_wstats(const struct plan *p)
{
	return p->wstats;
}

/* Drop the listings a list of tasks (linked by next) still holds. */
static void
release_list(struct task *t)
{
	for (; t != NULL; t = t->next)
		plan_ents_release(t->ents);
}

/*
 * Free the plan.  After an interrupted run tasks may still be queued,
 * in flight or waiting; their listings and directories go too.
 */
void
plan_free(struct plan *p)
{
	if (p == NULL)
		return;
	release_list(p->ready);
	release_list(p->inflight);
	for (uint32_t i = 0; i < p->held.n; i++)
		plan_ents_release(p->held.t[i]->ents);
	links_free(p->links, release_waiters);
	if (p->flist == NULL && p->list_fp != NULL && p->list_fp != stdin)
		(void)fclose(p->list_fp);
	plan_list_free(p);
	for (struct bigfile *bf = p->bigs, *next; bf != NULL; bf = next) {
		next = bf->next;
		if (!bf->finishing)	/* else a list above had it */
			plan_ents_release(bf->tmpl->ents);
		free(bf);
	}
	while (p->dirs != NULL)
		dirnode_free(p, p->dirs);
	for (size_t i = 0; i < p->nslabs; i++)
		free(p->slabs[i]);
	free(p->slabs);
	free(p->wstats);
	free(p->deferred);
	free(p->after);
	free(p);
}
