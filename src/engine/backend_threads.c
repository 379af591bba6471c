/*
 * backend_threads.c - a pthread pool: batches of tasks in one bounded
 * queue, events back in another.
 *
 * Each thread buffers its events and hands them over when the buffer is
 * full, a tenth of a second has passed or a directory listing is done (so
 * its entries are there when the coordinator next looks).  Hand-overs are
 * lazy: they wake the coordinator only once the event queue is half
 * full.  A thread wakes it on purpose when there is work for it: when
 * the task queue runs low (to refill it) and before the thread waits for
 * work.  Waking it at every hand-over cost 8% of a small-file copy on
 * two cores, in futex calls and context switches, and the walk went no
 * faster for it.  Threads block every signal: the coordinator's thread
 * handles them.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "queue.h"
#include "util.h"
#include "worker/run.h"

#define EVBUF		64
#define FLUSH_SECONDS	0.1

struct tpool;

struct tsink {
	struct sink	 base;		/* first, so a sink * is a tsink * */
	struct tpool	*pool;
	int		 index, n;
	double		 last;
	struct event	 buf[EVBUF];
};

struct tthread {
	pthread_t	 tid;
	struct worker	 w;
	struct tsink	 sink;
	int		 started;
};

struct tpool {
	struct queue	*tasks, *events;
	struct tthread	*threads;
	int		 n;
	size_t		 low;		/* refill the task queue below this */
	atomic_int	 live;
};

/* Hand the buffered events over; wake the coordinator if asked to. */
static void
tsink_flush(struct sink *s, int wake)
{
	struct tsink *ts = (struct tsink *)s;

	(void)queue_push_all(ts->pool->events, ts->buf, (size_t)ts->n, wake);
	ts->n = 0;
	ts->last = now_seconds();
}

static void
tsink_emit(struct sink *s, const struct event *ev)
{
	struct tsink *ts = (struct tsink *)s;

	ts->buf[ts->n] = *ev;
	ts->buf[ts->n].worker = ts->index;
	if (++ts->n == EVBUF || now_seconds() - ts->last > FLUSH_SECONDS)
		tsink_flush(s, 0);
}

static void *
thread_main(void *arg)
{
	struct tthread *th = arg;
	struct tpool *p = th->sink.pool;
	struct batch b;
	ssize_t n;

	worker_sched_batch();
	for (;;) {
		n = queue_pop(p->tasks, &b, 1, 0);
		if (n == 0) {
			tsink_flush(&th->sink.base, 1);
			n = queue_pop(p->tasks, &b, 1, -1);
		} else if (queue_length(p->tasks) < p->low) {
			tsink_flush(&th->sink.base, 1);	/* time to refill */
		}
		if (n < 0)
			break;
		worker_batch_begin(&th->w);
		for (uint32_t i = 0; i < b.n; i++)
			worker_run(&th->w, b.t[i]);
		worker_batch_end(&th->w);
	}
	tsink_flush(&th->sink.base, 1);
	if (atomic_fetch_sub(&p->live, 1) == 1)
		queue_close(p->events);
	return NULL;
}

static int
tp_start(struct backend *b)
{
	struct tpool *p = b->impl;
	sigset_t all, old;
	int rc = 0;

	worker_reserve_fds(b->rc, p->n);
	/* Threads inherit this mask: signals stay with the coordinator. */
	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < p->n; i++) {
		struct tthread *th = &p->threads[i];

		th->sink.base.emit = tsink_emit;
		th->sink.base.flush = tsink_flush;
		th->sink.pool = p;
		th->sink.index = i;
		th->sink.last = now_seconds();
		worker_init(&th->w, i, b->rc, &th->sink.base);
		atomic_fetch_add(&p->live, 1);
		if ((rc = pthread_create(&th->tid, NULL, thread_main, th))) {
			atomic_fetch_sub(&p->live, 1);
			break;
		}
		th->started = 1;
	}
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
}

static int
tp_submit(struct backend *b, struct batch *batch)
{
	struct tpool *p = b->impl;

	batch->wslot = -1;
	return queue_try_push(p->tasks, batch, 1) == 1;
}

static int
tp_wait(struct backend *b, struct event *evs, int max, int timeout_ms)
{
	struct tpool *p = b->impl;

	return (int)queue_pop(p->events, evs, (size_t)max, timeout_ms);
}

static void
tp_stop(struct backend *b, int abort)
{
	struct tpool *p = b->impl;

	if (abort)
		atomic_store(&worker_stop, 1);
	queue_close(p->tasks);
	if (atomic_load(&p->live) == 0)
		queue_close(p->events);
}

static void
tp_free(struct backend *b)
{
	struct tpool *p = b->impl;
	struct event ev;

	queue_close(p->tasks);
	for (int i = 0; i < p->n; i++) {
		struct tthread *th = &p->threads[i];

		/* Drain so no thread is stuck pushing an event. */
		while (th->started && queue_pop(p->events, &ev, 1, 10) > 0) {
			free(ev.name);
			entries_free(ev.ents);
			free(ev.data);
		}
		if (th->started)
			(void)pthread_join(th->tid, NULL);
		worker_fini(&th->w);
	}
	queue_free(p->tasks);
	queue_free(p->events);
	free(p->threads);
	free(p);
	free(b);
}

static const struct backend_ops threads_ops = {
	tp_start, tp_submit, tp_wait, tp_stop, tp_free
};

/* A pool of n threads; queues sized so every thread has work in hand. */
struct backend *
threads_backend_new(const struct runconf *rc, int n)
{
	struct backend *b = xcalloc(1, sizeof(*b));
	struct tpool *p = xcalloc(1, sizeof(*p));

	p->n = n;
	p->threads = xcalloc((size_t)n, sizeof(*p->threads));
	p->tasks = queue_new((size_t)(2 * n + 2), sizeof(struct batch));
	p->low = (size_t)n + 1;
	p->events = queue_new(4096, sizeof(struct event));
	b->ops = &threads_ops;
	b->rc = rc;
	b->name = "threads";
	b->nprocs = 0;
	b->nthreads = n;
	b->nworkers = n;
	b->impl = p;
	return b;
}
