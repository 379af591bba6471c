/*
 * plan_chunks.c - a file larger than the chunk size is copied in chunks by
 * several workers at once.
 *
 * The first chunk creates the copy at its full size; the others go out
 * when it is done; when all are done the file's own task, kept as a
 * template, goes out as TASK_FINISH to apply the metadata (or remove the
 * copy if a chunk failed).  Progress counts each chunk's bytes as they
 * are copied.
 *
 * Chunks are handed out one file after another in turn (a ring of the
 * files with chunks left), not file by file: writes to one file hold its
 * inode lock, so two workers on chunks of the same file mostly wait for
 * each other, while workers on different files copy side by side.  For
 * the same reason a file has at most its share of the chunk width on it
 * at once (one each when there are as many big files as that): the next
 * chunk of a file goes out when one of its chunks is done, not queued
 * behind a chunk still being written.  The width is rc->chunk_width, two
 * per processor: more workers than that pay for small files, whose opens
 * wait for the disk, but on big files they only fight over inode locks
 * and memory bandwidth (4 x 1 GiB to tmpfs at -j16: 1.63 s with a chunk
 * per worker, 0.97 s at -j4).  A lone big file gets the whole width.
 */
#include <errno.h>
#include <stdlib.h>

#include "coord.h"
#include "plan_int.h"
#include "util.h"
#include "worker/runconf.h"
#include "worker/tasks.h"

/* Take bf off the list of chunked files in progress and free it. */
static void
bigfile_forget(struct plan *p, struct bigfile *bf)
{
	if (bf->prev != NULL)
		bf->prev->next = bf->next;
	else
		p->bigs = bf->next;
	if (bf->next != NULL)
		bf->next->prev = bf->prev;
	p->nbigs--;
	bf->tmpl->big = NULL;
	free(bf);
}

static struct ptask *
chunk_task(struct plan *p, struct bigfile *bf, uint32_t i)
{
	struct ptask *tmpl = bf->tmpl, *pc;
	const struct task *tt = &tmpl->c.t;
	uint64_t chunk = p->rc->chunk_size;
	struct task *c;

	pc = plan_task_new(p, TASK_CHUNK, tmpl->dirnode);
	c = &pc->c.t;
	c->name = tt->name;
	c->namelen = tt->namelen;
	c->dname = tt->dname;
	c->dnamelen = tt->dnamelen;
	c->st = tt->st;
	pc->ents = tmpl->ents;
	pc->ents->refs++;
	c->off = (uint64_t)i * chunk;
	c->len = MIN(chunk, tt->st.size - c->off);
	c->tmpseq = tt->tmpseq;
	pc->big = bf;
	bf->inflight++;
	if (i == 0)
		c->flags |= TF_CREATE;
	return pc;
}

/* A regular file (or the first name of a link group) is to be copied. */
void
plan_schedule_copy(struct plan *p, struct ptask *pt)
{
	const struct task *t = &pt->c.t;
	struct bigfile *bf;

	if (t->kind == TASK_FILE) {
		p->counts->bytes_total += t->st.size;
		if (runconf_in_chunks(p->rc, &t->st)) {
			bf = xcalloc(1, sizeof(*bf));
			bf->tmpl = pt;
			bf->chunks = (uint32_t)((t->st.size + p->rc->chunk_size -
			    1) / p->rc->chunk_size);
			bf->left = bf->chunks;
			bf->next = p->bigs;
			if (p->bigs != NULL)
				p->bigs->prev = bf;
			p->bigs = bf;
			p->nbigs++;
			pt->big = bf;
			plan_ready(p, chunk_task(p, bf, 0));
			return;
		}
	}
	plan_ready(p, pt);
}

static void
ring_push(struct plan *p, struct bigfile *bf)
{
	bf->rnext = NULL;
	if (p->ring_tail != NULL)
		p->ring_tail->rnext = bf;
	else
		p->ring = bf;
	p->ring_tail = bf;
}

/* Unlink bf, which follows prev (NULL: bf is first), from the ring. */
static void
ring_unlink(struct plan *p, struct bigfile *prev, struct bigfile *bf)
{
	if (prev != NULL)
		prev->rnext = bf->rnext;
	else
		p->ring = bf->rnext;
	if (p->ring_tail == bf)
		p->ring_tail = prev;
}

static void
ring_remove(struct plan *p, struct bigfile *bf)
{
	struct bigfile *prev = NULL, *r;

	for (r = p->ring; r != NULL && r != bf; r = r->rnext)
		prev = r;
	if (r != NULL)
		ring_unlink(p, prev, bf);
}

/*
 * A chunk failed, so the copy will be removed: the chunks not handed out
 * yet never go (a replaced 10 GiB file would fail each of them).
 */
static void
drop_unstarted(struct plan *p, struct bigfile *bf)
{
	uint64_t from = (uint64_t)bf->next_chunk * p->rc->chunk_size;

	if (bf->next_chunk >= bf->chunks)
		return;
	ring_remove(p, bf);
	bf->left -= bf->chunks - bf->next_chunk;
	bf->next_chunk = bf->chunks;
	p->counts->bytes_done += bf->tmpl->c.t.st.size - from;
}

/*
 * The next chunk to hand out, from the next file in turn that has fewer
 * than its share of the workers on it; or NULL.
 */
struct ptask *
plan_next_chunk(struct plan *p)
{
	uint32_t share, width = (uint32_t)p->nworkers;
	struct bigfile *bf, *prev = NULL;
	struct ptask *t;

	if (p->ring == NULL)
		return NULL;
	/* rc->chunk_width 0 (not set): every worker may take chunks. */
	if (p->rc->chunk_width > 0)
		width = MIN(width, (uint32_t)p->rc->chunk_width);
	share = (width + p->nbigs - 1) / p->nbigs;
	for (bf = p->ring; bf != NULL && bf->inflight >= share; bf = bf->rnext)
		prev = bf;
	if (bf == NULL)
		return NULL;
	ring_unlink(p, prev, bf);
	t = chunk_task(p, bf, bf->next_chunk++);
	if (bf->next_chunk < bf->chunks)
		ring_push(p, bf);
	return t;
}

void
plan_chunk_done(struct plan *p, struct ptask *pc, int err)
{
	struct bigfile *bf = pc->big;
	struct ptask *tmpl = bf->tmpl;
	const struct task *t = &pc->c.t;
	uint64_t size = tmpl->c.t.st.size, len = t->len;
	int create = (t->flags & TF_CREATE) != 0;

	plan_count_bytes(p, pc);
	plan_task_free(p, pc);
	if (create && err == TASK_SKIPPED) {
		/* -u or --no-clobber kept the copy there: nothing to do. */
		p->counts->bytes_done += size - len;
		bigfile_forget(p, bf);
		tmpl->c.reported = size;
		plan_entry_done(p, tmpl, TASK_SKIPPED);
		return;
	}
	bf->left--;
	bf->inflight--;
	if (err != 0)
		bf->failed = 1;
	if (err != 0 && !create)
		drop_unstarted(p, bf);
	if (create && err == 0 && !coord_stopping(p->c)) {
		bf->next_chunk = 1;
		ring_push(p, bf);
	} else if (create) {
		bf->left = 0;	/* the others never started */
		p->counts->bytes_done += size - len;
	}
	if (bf->left == 0) {
		bf->finishing = 1;
		tmpl->c.t.kind = TASK_FINISH;
		if (bf->failed)
			tmpl->c.t.flags |= TF_FAILED;
		plan_ready(p, tmpl);
	}
}

void
plan_finish_done(struct plan *p, struct ptask *pt, int err)
{
	struct bigfile *bf = pt->big;
	int failed = bf->failed || err > 0;

	bigfile_forget(p, bf);
	pt->c.reported = pt->c.t.st.size;	/* chunks counted the bytes */
	plan_entry_done(p, pt, failed ? (err > 0 ? err : EIO) : err);
}
