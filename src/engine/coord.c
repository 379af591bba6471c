/*
 * coord.c - the coordinator's loop, the same for every job: hand out
 * batches, wait for events, give them to the job, draw, and stop when the
 * job is done, a signal came or no worker is left.
 *
 * The loop waits for events at most WAIT_MS at a time, so a signal is
 * acted on promptly whatever the backend.  Stopping is two steps: the
 * backend is told to stop (abort: workers drop what they hold), and the
 * loop goes on taking events until every worker has exited, so nothing a
 * worker still writes is missed.  An incomplete run then undoes what its
 * unfinished tasks may have left.
 *
 * Ready tasks form one list.  A batch takes tasks from its head up to
 * BATCH_MAX tasks or BATCH_BYTES of work, and ends at a directory
 * boundary once it is half full, so the tasks of a directory tend to go
 * to one worker (one open of the directory, not two).  Retried tasks and
 * those a worker handed back go to the front.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "coord.h"
#include "report.h"
#include "signals.h"
#include "util.h"
#include "worker/runconf.h"

#define EVENTS_AT_ONCE	256
#define WAIT_MS		100

struct coord {
	const struct runconf	*rc;
	struct backend		*b;
	struct coord_ui		 ui;
	const struct job_ops	*ops;
	void			*job;
	struct ctask		*ready, *ready_tail, *inflight;
	size_t			 nready;
	struct batch		 held;		/* formed, not yet taken */
	uint64_t		 next_sub, next_batch;
	int			 per_proc;	/* worker threads a process */
	int			 live_procs;
	int			 started, stopping, fatal, failed, signo;
	struct counts		 counts;
	struct totals		 totals;
	struct wstats		*wstats;
};

/* ---- lists ---- */

void
coord_task_init(struct ctask *t)
{
	memset(t, 0, sizeof(*t));
	t->t.handle = (uint64_t)(uintptr_t)t;
	t->wslot = -1;
}

/* t goes out in its turn; cost is its work in bytes, for batching. */
void
coord_ready(struct coord *c, struct ctask *t, uint64_t cost)
{
	t->cost = MAX(cost, COST_MIN);
	t->where = CT_READY;
	t->next = NULL;
	t->prev = c->ready_tail;
	if (c->ready_tail != NULL)
		c->ready_tail->next = t;
	else
		c->ready = t;
	c->ready_tail = t;
	c->nready++;
}

/* t goes out next, before everything ready. */
void
coord_ready_front(struct coord *c, struct ctask *t, uint64_t cost)
{
	t->cost = MAX(cost, COST_MIN);
	t->where = CT_READY;
	t->prev = NULL;
	t->next = c->ready;
	if (c->ready != NULL)
		c->ready->prev = t;
	else
		c->ready_tail = t;
	c->ready = t;
	c->nready++;
}

static struct ctask *
ready_pop(struct coord *c)
{
	struct ctask *t = c->ready;

	c->ready = t->next;
	if (c->ready != NULL)
		c->ready->prev = NULL;
	else
		c->ready_tail = NULL;
	c->nready--;
	t->next = t->prev = NULL;
	t->where = CT_IDLE;
	return t;
}

static void
inflight_add(struct coord *c, struct ctask *t)
{
	t->where = CT_INFLIGHT;
	t->prev = NULL;
	t->next = c->inflight;
	if (c->inflight != NULL)
		c->inflight->prev = t;
	c->inflight = t;
}

static void
inflight_remove(struct coord *c, struct ctask *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		c->inflight = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	t->next = t->prev = NULL;
	t->where = CT_IDLE;
}

size_t
coord_nready(const struct coord *c)
{
	return c->nready;
}

/* Is any task ready or out with a worker? */
int
coord_busy(const struct coord *c)
{
	return c->ready != NULL || c->inflight != NULL || c->held.n > 0;
}

int
coord_stopping(const struct coord *c)
{
	return c->stopping;
}

int
coord_nworkers(const struct coord *c)
{
	return c->b->nworkers;
}

struct counts *
coord_counts(struct coord *c)
{
	return &c->counts;
}

struct totals *
coord_totals(struct coord *c)
{
	return &c->totals;
}

const struct wstats *
coord_wstats(const struct coord *c)
{
	return c->wstats;
}

const struct backend *
coord_backend(const struct coord *c)
{
	return c->b;
}

/* The signal that stopped the run, or 0. */
int
coord_signal(const struct coord *c)
{
	return c->signo;
}

/* ---- handing out work ---- */

/*
 * Form the next batch from the head of the ready list, after the job has
 * topped it up.  Returns 0 when there is nothing to hand out.
 */
static int
make_batch(struct coord *c, struct batch *bt)
{
	uint64_t cost = 0;

	bt->n = 0;
	if (c->ops->fill(c->job, c) == -1) {
		c->failed = 1;
		return 0;
	}
	while (bt->n < BATCH_MAX && c->ready != NULL) {
		struct ctask *t = c->ready;

		if (bt->n > 0 && cost + t->cost > BATCH_BYTES)
			break;
		if (bt->n >= BATCH_MAX / 2 &&
		    t->t.dir.id != bt->t[bt->n - 1]->dir.id)
			break;
		bt->t[bt->n++] = &ready_pop(c)->t;
		cost += t->cost;
	}
	return bt->n > 0;
}

/* Hand out batches while the backend takes them. */
static void
fill(struct coord *c)
{
	while (!c->failed) {
		if (c->held.n == 0 && !make_batch(c, &c->held))
			break;
		c->held.wslot = -1;
		if (!c->b->ops->submit(c->b, &c->held))
			break;
		c->next_batch++;
		for (uint32_t i = 0; i < c->held.n; i++) {
			struct ctask *t = (struct ctask *)c->held.t[i];

			t->subseq = ++c->next_sub;
			t->batchno = c->next_batch;
			t->wslot = c->held.wslot;
			inflight_add(c, t);
		}
		c->held.n = 0;
	}
}

/* ---- events ---- */

static void
on_done(struct coord *c, struct ctask *t, struct event *ev)
{
	inflight_remove(c, t);
	if (ev->err == TASK_NOTRUN) {
		/* A busy worker gave it back: it may be as big as the batch
		 * was, so it goes out in a batch of its own. */
		coord_ready_front(c, t, COST_ALONE);
		return;
	}
	if (ev->worker >= 0 && ev->worker < c->b->nworkers) {
		c->wstats[ev->worker].tasks++;
		c->wstats[ev->worker].bytes += ev->bytes + t->reported;
	}
	c->ops->done(c->job, c, t, ev);
}

static int
by_subseq(const void *a, const void *b)
{
	const struct ctask *x = *(struct ctask *const *)a;
	const struct ctask *y = *(struct ctask *const *)b;

	return (x->subseq > y->subseq) - (x->subseq < y->subseq);
}

/* The tasks out with worker process slot, in the order they went out. */
static struct ctask **
take_lost(struct coord *c, int slot, size_t *np)
{
	struct ctask *t, *next, **lost = NULL;
	size_t n = 0, cap = 0;

	for (t = c->inflight; t != NULL; t = next) {
		next = t->next;
		if (t->wslot != slot)
			continue;
		inflight_remove(c, t);
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			lost = xrealloc(lost, cap * sizeof(*lost));
		}
		lost[n++] = t;
	}
	if (n > 1)
		qsort(lost, n, sizeof(*lost), by_subseq);
	*np = n;
	return lost;
}

/*
 * A worker process died with the tasks it held.  A worker runs a batch's
 * tasks in order, one batch per thread: so the first unfinished task of
 * each of its per_proc oldest batches may have been running, and the
 * rest had not started.  Those that may have been running are charged an
 * attempt; one charged twice is given up, as it may be what kills
 * workers.  The job removes what each may have half written, and the
 * others go out again, in their order, at the front.  The run ends only
 * when no worker process can be had.
 */
static void
on_died(struct coord *c, const struct event *ev)
{
	struct ctask **lost;
	unsigned char *charge;
	uint64_t last_batch = 0;
	size_t n;
	int batches = 0;

	c->totals.deaths++;
	report_died(ev->worker, ev->err, (int)ev->bytes);
	if (ev->bytes == DIED_ALONE && --c->live_procs <= 0)
		c->fatal = 1;
	lost = take_lost(c, ev->worker, &n);
	charge = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++) {
		if (lost[i]->batchno != last_batch) {
			last_batch = lost[i]->batchno;
			charge[i] = batches++ < c->per_proc;
		}
	}
	/* Each goes to the front of the ready list: the last one first. */
	for (size_t i = n; i-- > 0; ) {
		struct ctask *t = lost[i];
		int giveup = charge[i] && ++t->attempts >= 2;

		c->totals.retried++;
		if (t->reported <= c->counts.bytes_done)
			c->counts.bytes_done -= t->reported;
		t->reported = 0;
		if (c->ops->lost(c->job, c, t, giveup))
			coord_ready_front(c, t, t->cost);
	}
	free(charge);
	free(lost);
}

/* One event: the coordinator's own, or the job's. */
static void
on_event(struct coord *c, struct event *ev)
{
	struct ctask *t = (struct ctask *)(uintptr_t)ev->task;

	switch (ev->kind) {
	case EV_BYTES:
		t->reported += ev->bytes;
		c->counts.bytes_done += ev->bytes;
		break;
	case EV_DONE:
		on_done(c, t, ev);
		break;
	case EV_DIED:
		on_died(c, ev);
		break;
	default:
		if (c->ops->event != NULL)
			c->ops->event(c->job, c, t, ev);
		break;
	}
	free(ev->name);
	entries_free(ev->ents);
	free(ev->data);
}

/* ---- the run ---- */

/*
 * A coordinator for a run over rc's roots, on backend b (made with
 * backend_new() by the caller's choice, or a test's).  The coordinator
 * owns b from here.
 */
struct coord *
coord_new(const struct runconf *rc, struct backend *b,
    const struct coord_ui *ui)
{
	struct coord *c = xcalloc(1, sizeof(*c));

	c->rc = rc;
	c->b = b;
	if (ui != NULL)
		c->ui = *ui;
	c->live_procs = b->nprocs;
	c->per_proc = b->nprocs > 0 ? MAX(1, b->nworkers / b->nprocs) : 1;
	c->wstats = xcalloc((size_t)MAX(1, b->nworkers), sizeof(*c->wstats));
	return c;
}

/* Should the run stop now, and if so must the workers drop their work? */
static int
should_stop(struct coord *c, int *abort)
{
	if ((c->signo = signals_caught()) != 0 || c->fatal || c->failed) {
		*abort = 1;
		return 1;
	}
	*abort = 0;
	return !coord_busy(c) && c->ops->finished(c->job);
}

/*
 * The loop: hand out work, wait for events, apply them, draw.  Returns
 * once the backend has stopped and every worker has exited.
 */
static void
loop(struct coord *c)
{
	struct event evs[EVENTS_AT_ONCE];
	struct backend *b = c->b;
	int n, abort;

	for (;;) {
		if (!c->stopping && should_stop(c, &abort)) {
			c->stopping = 1;
			b->ops->stop(b, abort);
		}
		if (!c->stopping)
			fill(c);
		if ((n = b->ops->wait(b, evs, EVENTS_AT_ONCE, WAIT_MS)) < 0)
			break;
		for (int i = 0; i < n; i++)
			on_event(c, &evs[i]);
		if (c->ui.tick != NULL)
			c->ui.tick(c->ui.arg, &c->counts, now_seconds());
	}
	if (!c->signo)
		c->signo = signals_caught();
}

/* The run was cut short: undo what its unfinished tasks left. */
static void
undo_unfinished(struct coord *c)
{
	if (c->ops->undo == NULL)
		return;
	for (uint32_t i = 0; i < c->held.n; i++)
		c->ops->undo(c->job, (struct ctask *)c->held.t[i]);
	for (struct ctask *t = c->inflight; t != NULL; t = t->next)
		c->ops->undo(c->job, t);
	for (struct ctask *t = c->ready; t != NULL; t = t->next)
		c->ops->undo(c->job, t);
}

/* Say how the run ended; returns the exit status. */
static int
report_end(struct coord *c, int complete, int end_failed)
{
	const struct job_ops *o = c->ops;
	uint64_t errors = c->counts.errors;

	if (c->signo)
		warnx("interrupted by %s; %s", c->signo == SIGINT ? "SIGINT" :
		    "SIGTERM", o->interrupted != NULL ?
		    o->interrupted(c->job) : "partial files removed");
	else if (c->fatal)
		warnx("no worker process is left; stopping");
	if (errors > 0 && complete)
		warnx("%llu error%s; everything else was %s",
		    (unsigned long long)errors, errors == 1 ? "" : "s", o->verb);
	else if (errors > 0)
		warnx("%llu error%s; %s is incomplete",
		    (unsigned long long)errors, errors == 1 ? "" : "s", o->noun);
	if (c->signo)
		return 128 + c->signo;
	return errors > 0 || !complete || end_failed ? 1 : 0;
}

/*
 * Run job (ops) to its end: start the workers, loop, stop them, let the
 * job end, draw the last frame and say how it went.  Returns the exit
 * status: 0, 1 (something failed, reported), 128 + the signal.
 */
int
coord_run(struct coord *c, const struct job_ops *ops, void *job)
{
	int complete, end_failed = 0;

	c->ops = ops;
	c->job = job;
	if (c->b->ops->start(c->b) == -1)
		errc(2, errno, "cannot start the %s backend", c->b->name);
	c->started = 1;
	loop(c);
	complete = !c->signo && !c->fatal && !c->failed &&
	    c->ops->finished(c->job);
	if (!complete)
		undo_unfinished(c);
	if (ops->end != NULL && ops->end(job, complete) == -1)
		end_failed = 1;
	c->counts.total_final = 1;
	c->counts.finished = complete && !end_failed;
	if (c->counts.finished && c->ui.finish != NULL)
		c->ui.finish(c->ui.arg, &c->counts, now_seconds());
	else if (c->ui.clear != NULL)
		c->ui.clear(c->ui.arg);
	return report_end(c, complete && !end_failed, end_failed);
}

/* Free the coordinator, its backend and the tasks it still holds. */
void
coord_free(struct coord *c)
{
	struct ctask *t, *next;

	if (c == NULL)
		return;
	backend_free(c->b);
	if (c->ops != NULL && c->ops->drop != NULL) {
		for (uint32_t i = 0; i < c->held.n; i++)
			c->ops->drop(c->job, (struct ctask *)c->held.t[i]);
		for (t = c->ready; t != NULL; t = next) {
			next = t->next;
			c->ops->drop(c->job, t);
		}
		for (t = c->inflight; t != NULL; t = next) {
			next = t->next;
			c->ops->drop(c->job, t);
		}
	}
	free(c->wstats);
	free(c);
}
