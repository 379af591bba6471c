/*
 * run.c - the top of a worker: run one task through its handler and
 * report the outcome (EV_DONE), batch by batch.
 */
#include <errno.h>
#include <string.h>

#include "context.h"
#include "run.h"
#include "tasks.h"
#include "engine/backend.h"

static int
dispatch(struct worker *w, const struct task *t)
{
	if (w->rc->dry_run && t->kind != TASK_SCAN)
		return t->kind == TASK_DIRMETA ? 0 : nodetask_dry_run(w, t);
	switch (t->kind) {
	case TASK_SCAN:
		return scantask_scan(w, t, &w->cookie);
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

