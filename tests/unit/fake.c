/*
 * fake.c - the scripted backend of fake.h.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "util.h"
#include "engine/backend.h"
#include "worker/context.h"
#include "worker/run.h"

#define CREDIT		2		/* batches a process holds at once */
#define EVQ		(1u << 16)

struct fbatch {
	struct batch	 b;
	int		 slot;
	struct fbatch	*next;
};

struct fake {
	struct backend	 *b;
	struct sink	  sink;
	struct worker	  w;
	int		  use_worker, replace;
	int		  nprocs, next_slot, stopping;
	int		 *dead, *held;	/* per process */
	struct fbatch	 *head, *tail;
	struct event	 *evq;
	size_t		  evhead, evlen;
	fake_kill_fn	 *kill;
	void		 *kill_arg;
	struct fake_stats st;
};

static struct fake *
sink_fake(struct sink *s)
{
	return (struct fake *)(void *)((char *)s - offsetof(struct fake, sink));
}

static void
push_event(struct fake *f, const struct event *ev)
{
	if (f->evhead == f->evlen)
		f->evhead = f->evlen = 0;
	if (f->evlen == EVQ)
		abort();	/* a test that floods its own queue */
	f->evq[f->evlen++] = *ev;
}

static void
sink_emit(struct sink *s, const struct event *ev)
{
	struct fake *f = sink_fake(s);
	struct event e = *ev;

	e.worker = f->w.index;
	push_event(f, &e);
}

static void
sink_flush(struct sink *s, int wake)
{
	(void)s;
	(void)wake;
}

static int
fk_start(struct backend *b)
{
	struct fake *f = b->impl;

	if (f->use_worker)
		worker_init(&f->w, 0, b->rc, &f->sink);
	return 0;
}

/* A live process with room, in turn; -1 when none has. */
static int
pick_slot(struct fake *f)
{
	for (int k = 0; k < f->nprocs; k++) {
		int s = (f->next_slot + k) % f->nprocs;

		if (!f->dead[s] && f->held[s] < CREDIT) {
			f->next_slot = s + 1;
			return s;
		}
	}
	return -1;
}

static int
fk_submit(struct backend *b, struct batch *batch)
{
	struct fake *f = b->impl;
	struct fbatch *fb;
	int slot;

	if (f->stopping || (slot = pick_slot(f)) == -1)
		return 0;
	fb = xcalloc(1, sizeof(*fb));
	fb->b = *batch;
	fb->slot = slot;
	if (f->tail != NULL)
		f->tail->next = fb;
	else
		f->head = fb;
	f->tail = fb;
	f->held[slot]++;
	batch->wslot = b->nprocs > 0 ? slot : -1;
	f->st.submitted += batch->n;
	for (uint32_t i = 0; i < batch->n; i++)
		f->st.retries += (batch->t[i]->flags & TF_RETRY) != 0;
	return 1;
}

static struct fbatch *
pop_batch(struct fake *f)
{
	struct fbatch *fb = f->head;

	if (fb != NULL) {
		f->head = fb->next;
		if (f->head == NULL)
			f->tail = NULL;
		f->held[fb->slot]--;
	}
	return fb;
}

/*
 * Process slot dies: the batches it holds are lost without a word, and
 * EV_DIED says so (and whether a new process took its place).
 */
static void
kill_slot(struct fake *f, int slot)
{
	struct fbatch **pp = &f->head, *fb;
	struct event ev;

	f->tail = NULL;
	while ((fb = *pp) != NULL) {
		if (fb->slot == slot) {
			*pp = fb->next;
			f->held[slot]--;
			free(fb);
			continue;
		}
		f->tail = fb;
		pp = &fb->next;
	}
	f->st.deaths++;
	if (!f->replace)
		f->dead[slot] = 1;
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_DIED;
	ev.worker = slot;
	ev.err = SIGKILL;	/* a wait status: killed by signal 9 */
	ev.bytes = f->replace ? DIED_REPLACED : DIED_ALONE;
	push_event(f, &ev);
}

/* What one task comes to: run by the worker, or simply done. */
static void
run_task(struct fake *f, const struct task *t, int cancel)
{
	struct event ev;

	f->st.run++;
	if (f->use_worker && !cancel) {
		worker_run(&f->w, t);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_DONE;
	ev.task = t->handle;
	ev.err = cancel ? ECANCELED : 0;
	ev.worker = f->w.index;
	push_event(f, &ev);
}

/* Run the oldest batch, unless the kill script stops its process. */
static void
run_batch(struct fake *f)
{
	struct fbatch *fb = pop_batch(f);
	int slot = fb->slot;

	f->w.index = slot;
	if (f->use_worker)
		worker_batch_begin(&f->w);
	for (uint32_t i = 0; i < fb->b.n; i++) {
		if (f->kill != NULL && f->kill(f, fb->b.t[i], f->kill_arg)) {
			/* The rest of this batch dies with the process. */
			f->held[slot]++;
			fb->next = f->head;
			f->head = fb;
			if (f->tail == NULL)
				f->tail = fb;
			kill_slot(f, slot);
			return;
		}
		run_task(f, fb->b.t[i], 0);
	}
	if (f->use_worker)
		worker_batch_end(&f->w);
	free(fb);
}

static int
fk_wait(struct backend *b, struct event *evs, int max, int timeout_ms)
{
	struct fake *f = b->impl;
	int n = 0;

	(void)timeout_ms;
	if (f->evhead == f->evlen && f->head != NULL)
		run_batch(f);
	while (n < max && f->evhead < f->evlen)
		evs[n++] = f->evq[f->evhead++];
	if (n == 0 && f->stopping && f->head == NULL)
		return -1;
	return n;
}

/* Stop: with abort, what is held is cancelled, as workers do. */
static void
fk_stop(struct backend *b, int abort)
{
	struct fake *f = b->impl;
	struct fbatch *fb;

	f->stopping = 1;
	f->st.stopped = 1;
	f->st.aborted = abort;
	while (abort && (fb = pop_batch(f)) != NULL) {
		for (uint32_t i = 0; i < fb->b.n; i++)
			run_task(f, fb->b.t[i], 1);
		free(fb);
	}
}

static void
fk_free(struct backend *b)
{
	struct fake *f = b->impl;
	struct fbatch *fb;

	while ((fb = pop_batch(f)) != NULL)
		free(fb);
	for (size_t i = f->evhead; i < f->evlen; i++) {
		free(f->evq[i].name);
		entries_free(f->evq[i].ents);
		free(f->evq[i].data);
	}
	if (f->use_worker)
		worker_fini(&f->w);
	free(f->evq);
	free(f->dead);
	free(f->held);
	free(f);
	free(b);
}

static const struct backend_ops fake_ops = {
	fk_start, fk_submit, fk_wait, fk_stop, fk_free
};

/*
 * A fake of nprocs processes (0: one, as threads are, and never dies);
 * with_worker runs the tasks with the real worker code.
 */
struct backend *
fake_new(const struct runconf *rc, int nprocs, int with_worker)
{
	struct backend *b = xcalloc(1, sizeof(*b));
	struct fake *f = xcalloc(1, sizeof(*f));

	f->b = b;
	f->nprocs = nprocs > 0 ? nprocs : 1;
	f->use_worker = with_worker;
	f->replace = 1;
	f->sink.emit = sink_emit;
	f->sink.flush = sink_flush;
	f->dead = xcalloc((size_t)f->nprocs, sizeof(*f->dead));
	f->held = xcalloc((size_t)f->nprocs, sizeof(*f->held));
	f->evq = xcalloc(EVQ, sizeof(*f->evq));
	b->ops = &fake_ops;
	b->rc = rc;
	b->name = "fake";
	b->nprocs = nprocs;
	b->nthreads = 1;
	b->nworkers = f->nprocs;
	b->impl = f;
	return b;
}

/* Call kill before each task runs; it says whether its process dies. */
void
fake_set_kill(struct backend *b, fake_kill_fn *kill, void *arg)
{
	struct fake *f = b->impl;

	f->kill = kill;
	f->kill_arg = arg;
}

/* Whether a dead process is replaced (the default) or the pool shrinks. */
void
fake_set_replace(struct backend *b, int replace)
{
	((struct fake *)b->impl)->replace = replace;
}

const struct fake_stats *
fake_stats(const struct backend *b)
{
	return &((const struct fake *)b->impl)->st;
}
