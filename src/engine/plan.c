/*
 * plan.c - the copy job: turn scans into tasks and events into progress,
 * and decide when each directory is complete.
 *
 * Every directory in flight has a count of unfinished children, plus one
 * while it is being listed.  When the count reaches zero its metadata task
 * goes out, and when that is done its parent's count drops: so a
 * directory's mode and times are set after everything in it.  The walk is
 * depth first (a stack of directories to list) and listing waits while
 * enough tasks are ready, so memory holds the directories in flight and a
 * bounded number of ready tasks, not the tree.
 *
 * A task is on exactly one of the coordinator's lists (ready, in flight),
 * a link group's waiters, or none (a chunked file's template while its
 * chunks run).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coord.h"
#include "links.h"
#include "plan.h"
#include "plan_int.h"
#include "report.h"
#include "util.h"
#include "worker/dest.h"
#include "worker/meta.h"
#include "worker/runconf.h"
#include "worker/safeopen.h"
#include "worker/tasks.h"

#define TASK_SLAB	1024
#define SCAN_AHEAD	16384		/* ready tasks before the walk waits */

static void remove_output(const struct plan *, const struct ptask *);
static void add_file(struct plan *, struct ptask *);

/* ---- tasks ---- */

struct ptask *
plan_task_new(struct plan *p, int kind, struct dirnode *d)
{
	struct ptask *pt;
	struct task *t;

	if (p->free_tasks == NULL) {
		struct ptask *slab = xcalloc(TASK_SLAB, sizeof(*slab));

		p->slabs = xrealloc(p->slabs, (p->nslabs + 1) *
		    sizeof(*p->slabs));
		p->slabs[p->nslabs++] = slab;
		for (size_t i = 0; i < TASK_SLAB; i++) {
			slab[i].jnext = p->free_tasks;
			p->free_tasks = &slab[i];
		}
	}
	pt = p->free_tasks;
	p->free_tasks = pt->jnext;
	memset(pt, 0, sizeof(*pt));
	coord_task_init(&pt->c);
	t = &pt->c.t;
	t->seq = ++p->next_seq;
	t->tmpseq = t->seq;
	t->kind = (uint8_t)kind;
	pt->dirnode = d;
	t->dir.id = d->id;
	t->dir.root = d->root;
	t->dir.path = d->path;
	t->dir.pathlen = d->pathlen;
	t->flags = (d->fresh ? TF_FRESH : 0) | (d->pristine ? TF_PRISTINE : 0);
	return pt;
}

void
plan_ents_release(struct entries *e)
{
	if (e != NULL && --e->refs == 0)
		entries_free(e);
}

void
plan_task_free(struct plan *p, struct ptask *pt)
{
	plan_ents_release(pt->ents);
	pt->jnext = p->free_tasks;
	p->free_tasks = pt;
}

/* What a task costs a worker, in bytes, for forming batches. */
static uint64_t
task_cost(const struct ptask *pt)
{
	const struct task *t = &pt->c.t;

	if (t->kind == TASK_FILE)
		return t->st.size;
	if (t->kind == TASK_CHUNK)
		return t->len;
	return 0;
}

/* pt goes out in its turn. */
void
plan_ready(struct plan *p, struct ptask *pt)
{
	coord_ready(p->c, &pt->c, task_cost(pt));
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
		p->counts->dirs_done++;
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
		struct ptask *pt = plan_task_new(p, TASK_DIRMETA, d);

		pt->c.t.st = d->st;
		plan_ready(p, pt);
	} else {
		dir_done(p, d);
	}
}

static struct where
where_of(const struct plan *p, const struct ptask *pt, const char *name)
{
	const struct dirnode *d = pt->dirnode;
	struct where w;

	w.root = &p->rc->roots[d->root];
	w.dir = d->path;
	w.name = name != NULL ? name : pt->c.t.name;
	w.dname = name != NULL ? NULL : pt->c.t.dname;
	return w;
}

/* -v: name in d, or pt's own name when name is NULL. */
static void
verbose(struct plan *p, const struct dirnode *d, const struct ptask *pt,
    const char *name)
{
	struct where w;

	if (!p->verbose)
		return;
	w.root = &p->rc->roots[d->root];
	w.dir = d->path;
	w.name = name != NULL ? name : pt->c.t.name;
	w.dname = name != NULL ? NULL : pt->c.t.dname;
	if (report_verbose(&w, p->nul) == -1)
		p->counts->errors++;
}

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

	c->fresh = (e->flags & ENT_FRESH) != 0;
	c->pristine = c->fresh && d->pristine;
	c->ours = 1;
	c->pending = 1;
	d->pending++;
	p->counts->dirs_total++;
	verbose(p, d, NULL, e->name);
	if (e->flags & ENT_NOSCAN)
		plan_child_done(p, c);	/* -x: the directory, not its contents */
	else
		scan_push(p, c);
}

/*
 * A non-directory entry of d's listing ents becomes a task: planned now,
 * or, not stat'ed by the walk, sent to a worker that stats it.
 */
void
plan_add_entry(struct plan *p, struct dirnode *d, struct entries *ents,
    const struct entry *e)
{
	struct ptask *pt = plan_task_new(p, plan_kind_for(&e->st), d);
	struct task *t = &pt->c.t;

	t->name = e->name;
	t->namelen = e->namelen;
	t->st = e->st;
	pt->ents = ents;
	ents->refs++;
	d->pending++;
	p->counts->files_total++;
	if (e->flags & ENT_NOSTAT) {
		t->flags |= TF_NOSTAT;	/* its worker stats it: see done */
		plan_ready(p, pt);
		return;
	}
	add_file(p, pt);
}

/*
 * A file whose metadata is known joins its hard-link group or goes out
 * to be copied, whole or in chunks.
 */
static void
add_file(struct plan *p, struct ptask *pt)
{
	const struct finfo *st = &pt->c.t.st;

	if (st->nlink > 1 && (p->rc->preserve & PRESERVE_LINKS) &&
	    plan_link_join(p, pt))
		return;
	plan_schedule_copy(p, pt);
}

static void
scan_done(struct plan *p, struct ptask *pt, int err, uint64_t cookie)
{
	struct dirnode *d = pt->dirnode;
	struct entries *ents = pt->ents;
	struct entry *e;
	size_t pos = 0;

	p->scans_inflight--;
	pt->ents = NULL;
	if (ents != NULL) {
		ents->refs = 1;		/* held while its entries are added */
		while ((e = entries_next(ents, &pos)) != NULL) {
			if (S_ISDIR(e->st.mode))
				add_subdir(p, d, e);
			else
				plan_add_entry(p, d, ents, e);
		}
		plan_ents_release(ents);
	}
	if (err == 0 && cookie != 0) {
		d->cookie = cookie;
		scan_push(p, d);
	} else {
		plan_child_done(p, d);	/* the +1 held while listing */
	}
	plan_task_free(p, pt);
}

/* ---- task completion ---- */

/* Count a finished task's bytes as done, whatever it reported so far. */
void
plan_count_bytes(struct plan *p, struct ptask *pt)
{
	const struct task *t = &pt->c.t;
	uint64_t size = t->kind == TASK_FILE ? t->st.size :
	    t->kind == TASK_CHUNK ? t->len : 0;

	if (size > pt->c.reported)
		p->counts->bytes_done += size - pt->c.reported;
}

static void
tally(struct plan *p, const struct ptask *pt, int kind)
{
	switch (kind) {
	case TASK_LINK:
		p->totals->links++;
		break;
	case TASK_SYMLINK:
		p->totals->symlinks++;
		break;
	case TASK_SPECIAL:
		p->totals->specials++;
		break;
	default:
		p->totals->files++;
		break;
	}
	verbose(p, pt->dirnode, pt, NULL);
}

/*
 * A non-directory entry is finished: err is 0, TASK_SKIPPED,
 * TASK_PARTIAL (copied, metadata not all kept) or > 0 (failed).
 */
void
plan_entry_done(struct plan *p, struct ptask *pt, int err)
{
	struct dirnode *d = pt->dirnode;
	int kind = pt->c.t.kind;

	plan_count_bytes(p, pt);
	p->counts->files_done++;
	if (err == 0 || err == TASK_PARTIAL)
		tally(p, pt, kind == TASK_FINISH ? TASK_FILE : kind);
	else if (err == TASK_SKIPPED)
		p->totals->skipped++;
	if (pt->link != NULL && kind == TASK_LINK)
		plan_link_done(p, pt);
	else if (pt->link != NULL)
		plan_link_copied(p, pt, err <= 0);
	plan_task_free(p, pt);
	plan_child_done(p, d);
}

static void
task_done(struct plan *p, struct ptask *pt, int err)
{
	switch (pt->c.t.kind) {
	case TASK_CHUNK:
		plan_chunk_done(p, pt, err);
		break;
	case TASK_FINISH:
		plan_finish_done(p, pt, err);
		break;
	case TASK_DIRMETA: {
		struct dirnode *d = pt->dirnode;

		plan_task_free(p, pt);
		dir_done(p, d);
		break;
	}
	default:
		plan_entry_done(p, pt, err);
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
nostat_done(struct plan *p, struct ptask *pt, const struct event *ev)
{
	struct task *t = &pt->c.t;

	t->flags &= (uint16_t)~TF_NOSTAT;
	if (ev->err == TASK_RESTAT) {
		pt->c.reported = 0;
		t->kind = (uint8_t)plan_kind_for(&t->st);
		add_file(p, pt);
		return 1;
	}
	t->st.size = ev->cookie;
	p->counts->bytes_total += t->st.size;
	return 0;
}

/* job_ops.done */
static void
job_done(void *job, struct coord *c, struct ctask *ct, const struct event *ev)
{
	struct plan *p = job;
	struct ptask *pt = (struct ptask *)ct;
	int kind = ct->t.kind;

	(void)c;
	if ((ct->t.flags & TF_NOSTAT) && nostat_done(p, pt, ev))
		return;
	if (kind == TASK_CHUNK || kind == TASK_FILE)
		p->totals->bytes += ev->bytes + ct->reported;
	if (kind == TASK_SCAN) {
		scan_done(p, pt, ev->err, ev->cookie);
		return;
	}
	task_done(p, pt, ev->err);
}

static void
on_error(struct plan *p, struct ptask *pt, const struct event *ev)
{
	struct where w = where_of(p, pt, ev->name);
	struct bigfile *bf = pt->big;
	int kind = pt->c.t.kind;

	/* Every chunk in flight finds a changed file: say it once. */
	if ((ev->op == OP_REPLACED || ev->op == OP_SHRANK) && bf != NULL) {
		if (bf->told_changed)
			return;
		bf->told_changed = 1;
	}
	if ((kind == TASK_SCAN || kind == TASK_DIRMETA ||
	    ev->op == OP_OPENDIR) && ev->name == NULL)
		w.name = w.dname = NULL;
	report_failure(&w, ev->op, ev->side, ev->err);
	p->counts->errors++;
}

/* job_ops.event: failures, a scan's entries, a restat's metadata. */
static void
job_event(void *job, struct coord *c, struct ctask *ct, struct event *ev)
{
	struct plan *p = job;
	struct ptask *pt = (struct ptask *)ct;

	(void)c;
	switch (ev->kind) {
	case EV_ERROR:
		on_error(p, pt, ev);
		break;
	case EV_ENTRIES:
		entries_free(pt->ents);
		pt->ents = ev->ents;
		ev->ents = NULL;
		break;
	case EV_STAT:
		if (ev->data != NULL && ev->datalen == sizeof(ct->t.st))
			memcpy(&ct->t.st, ev->data, sizeof(ct->t.st));
		break;
	}
}

/*
 * job_ops.lost: a worker died holding pt.  What it may have half written
 * is removed (a finish's chunks are all written: its retry completes it).
 * Given up, it fails as if its worker had reported EIO; else it goes out
 * again marked as a retry (a chunk only when it creates the file).
 */
static int
job_lost(void *job, struct coord *c, struct ctask *ct, int giveup)
{
	struct plan *p = job;
	struct ptask *pt = (struct ptask *)ct;
	struct task *t = &ct->t;
	struct where w;

	(void)c;
	if (t->kind != TASK_FINISH)
		remove_output(p, pt);
	if (t->kind == TASK_SCAN) {
		entries_free(pt->ents);	/* a dead scan's partial list */
		pt->ents = NULL;
	}
	if (giveup) {
		w = where_of(p, pt, NULL);
		if (t->kind == TASK_SCAN || t->kind == TASK_DIRMETA)
			w.name = w.dname = NULL;
		report_failure(&w, OP_WORKER, SIDE_SRC, 0);
		p->counts->errors++;
		if (t->kind == TASK_SCAN)
			scan_done(p, pt, EIO, 0);
		else
			task_done(p, pt, EIO);
		return 0;
	}
	if (t->kind != TASK_CHUNK || (t->flags & TF_CREATE))
		t->flags |= TF_RETRY;
	return 1;
}

/* ---- handing out work ---- */

/* A task to list the next part of the directory on top of the stack. */
static void
push_scan(struct plan *p)
{
	struct dirnode *d = p->scans;
	struct ptask *pt;

	p->scans = d->snext;
	pt = plan_task_new(p, TASK_SCAN, d);
	pt->c.t.off = d->cookie;
	pt->c.t.st = d->st;
	p->scans_inflight++;
	/* Its entries are the next tasks: it goes first, and alone. */
	coord_ready_front(p->c, &pt->c, COST_ALONE);
}

/*
 * job_ops.fill: a directory to list while fewer than SCAN_AHEAD tasks are
 * ready (so the totals are known early, yet memory stays bounded), the
 * --files-from list likewise, and the next chunk of a big file when
 * nothing else is ready.
 */
static int
job_fill(void *job, struct coord *c)
{
	struct plan *p = job;
	size_t low = MAX(SCAN_AHEAD, (size_t)(2 * p->nworkers * BATCH_MAX));
	int can_scan = p->scans != NULL && p->scans_inflight < p->nworkers;
	struct ptask *chunk;

	if (can_scan && coord_nready(c) < low) {
		push_scan(p);
		return 0;
	}
	/* --files-from: the list takes the place of the walk. */
	while (plan_list_pending(p) && coord_nready(c) < low &&
	    (coord_nready(c) == 0 || coord_nready(c) < (size_t)BATCH_MAX))
		plan_list_feed(p, 256);
	if (coord_nready(c) == 0 && (chunk = plan_next_chunk(p)) != NULL)
		coord_ready_front(c, &chunk->c, task_cost(chunk));
	if (coord_nready(c) == 0 && can_scan)
		push_scan(p);
	return 0;
}

/* job_ops.finished: every root is complete. */
static int
job_finished(void *job)
{
	const struct plan *p = job;

	return p->roots_left == 0;
}

/* Remove what pt may have half written (after an interrupted run). */
static void
remove_output(const struct plan *p, const struct ptask *pt)
{
	const struct dirnode *d = pt->dirnode;
	const struct task *t = &pt->c.t;
	const char *target = task_target(t);
	char tmp[64];
	int fd;

	if (target == NULL || t->kind == TASK_SCAN || t->kind == TASK_DIRMETA)
		return;
	if (t->kind == TASK_CHUNK && !(t->flags & TF_CREATE))
		return;	/* its file is removed through the bigfile list */
	fd = safe_open_below(p->rc->roots[d->root].dstfd, d->path);
	if (fd == -1)
		return;
	dest_tmpname(tmp, sizeof(tmp), p->rc->pid, t->tmpseq);
	(void)unlinkat(fd, tmp, 0);
	/* A chunked copy reaches its name only complete, by rename. */
	if (d->fresh && pt->big == NULL && t->kind != TASK_CHUNK &&
	    t->kind != TASK_FINISH)
		(void)unlinkat(fd, target, 0);
	(void)close(fd);
}

/* job_ops.undo: the run ended early; pt never finished. */
static void
job_undo(void *job, struct ctask *ct)
{
	remove_output(job, (struct ptask *)ct);
}

/* job_ops.drop */
static void
job_drop(void *job, struct ctask *ct)
{
	(void)job;
	plan_ents_release(((struct ptask *)ct)->ents);
	((struct ptask *)ct)->ents = NULL;
}

/*
 * job_ops.end: after an incomplete run, chunked files that were not
 * finished leave nothing behind.  Complete copies stay.
 */
static int
job_end(void *job, int complete)
{
	struct plan *p = job;

	if (!complete)
		for (struct bigfile *bf = p->bigs; bf != NULL; bf = bf->next)
			remove_output(p, bf->tmpl);
	return 0;
}

const struct job_ops plan_job = {
	.fill = job_fill,
	.event = job_event,
	.done = job_done,
	.lost = job_lost,
	.finished = job_finished,
	.undo = job_undo,
	.drop = job_drop,
	.end = job_end,
	.verb = "copied",
	.noun = "the copy",
};

/* ---- the run ---- */

static void release_list(struct ptask *);

static void
release_waiters(struct linkrec *rec)
{
	release_list(rec->waiters);
}

/*
 * The plan of a copy over rc's roots, run on coordinator c; -v output
 * when verbose, NUL-terminated with nul.
 */
struct plan *
plan_new(const struct runconf *rc, struct coord *c, int verbose, int nul)
{
	struct plan *p = xcalloc(1, sizeof(*p));

	p->rc = rc;
	p->c = c;
	p->counts = coord_counts(c);
	p->totals = coord_totals(c);
	p->nworkers = coord_nworkers(c);
	p->verbose = verbose;
	p->nul = nul;
	p->links = links_new();
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
	struct ptask *pt;
	struct task *t;

	p->roots_left++;
	p->after[r] = -1;
	if (root->is_dir) {
		d->fresh = (uint8_t)root->fresh;
		d->pristine = (uint8_t)root->pristine;
		d->ours = 1;
		d->pending = 1;
		p->counts->dirs_total++;
		p->after[r] = after;
		if (p->list_fp != NULL)
			plan_list_start(p, d, p->list_fp, p->list_nul);
		else if (after >= 0)
			p->deferred[r] = d;
		else
			scan_push(p, d);
		if (p->verbose) {
			struct where w = { root, ".", NULL, NULL };

			if (report_verbose(&w, p->nul) == -1)
				p->counts->errors++;
		}
		return;
	}
	/* A single file: its names live in a one-entry listing. */
	names = entries_new(256);
	e = entries_add(&names, srcname, strlen(srcname));
	e->st = *st;
	pt = plan_task_new(p, plan_kind_for(st), d);
	t = &pt->c.t;
	e = entries_add(&names, dstname, strlen(dstname));
	t->name = ((struct entry *)(void *)names->data)->name;
	t->namelen = (uint16_t)strlen(t->name);
	t->dname = e->name;
	t->dnamelen = e->namelen;
	t->st = *st;
	pt->ents = names;
	names->refs = 1;
	d->pending = 1;
	p->counts->files_total++;
	add_file(p, pt);
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

/* Drop the listings a list of tasks (linked by jnext) still holds. */
static void
release_list(struct ptask *pt)
{
	for (; pt != NULL; pt = pt->jnext)
		plan_ents_release(pt->ents);
}

/*
 * Free the plan, after its coordinator (which drops the tasks it still
 * holds).  After an interrupted run tasks may still be waiting in link
 * groups; their listings and directories go too.
 */
void
plan_free(struct plan *p)
{
	if (p == NULL)
		return;
	links_free(p->links, release_waiters);
	if (p->flist == NULL && p->list_fp != NULL && p->list_fp != stdin)
		(void)fclose(p->list_fp);
	plan_list_free(p);
	for (struct bigfile *bf = p->bigs, *next; bf != NULL; bf = next) {
		next = bf->next;
		if (!bf->finishing)	/* else the coordinator had it */
			plan_ents_release(bf->tmpl->ents);
		free(bf);
	}
	while (p->dirs != NULL)
		dirnode_free(p, p->dirs);
	for (size_t i = 0; i < p->nslabs; i++)
		free(p->slabs[i]);
	free(p->slabs);
	free(p->deferred);
	free(p->after);
	free(p);
}
