/*
 * queue.c - bounded ring buffer guarded by one mutex and two condition
 * variables.  Items are copied in and out by value, so the queue owns no
 * pointers and a consumer never races the producer for an item's memory.
 * Waiters are signalled after the lock is released, so a woken thread
 * does not at once block on the lock its waker still holds.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "queue.h"
#include "util.h"

struct queue {
	pthread_mutex_t	 lock;
	pthread_cond_t	 not_empty, not_full;
	unsigned char	*items;
	size_t		 cap, size, head, len;
	int		 closed;
};

/*
 * A queue of cap items of size bytes each.  Setup failures are fatal:
 * without its queues the run cannot start.
 */
struct queue *
queue_new(size_t cap, size_t size)
{
	struct queue *q = xcalloc(1, sizeof(*q));
	pthread_condattr_t ca;
	int rc;

	q->items = xcalloc(cap, size);
	q->cap = cap;
	q->size = size;
	if ((rc = pthread_mutex_init(&q->lock, NULL)) != 0 ||
	    (rc = pthread_condattr_init(&ca)) != 0)
		errc(2, rc, "cannot create a queue");
	/* Timed waits must not jump when the wall clock is set. */
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if ((rc = pthread_cond_init(&q->not_empty, &ca)) != 0 ||
	    (rc = pthread_cond_init(&q->not_full, &ca)) != 0)
		errc(2, rc, "cannot create a queue");
	(void)pthread_condattr_destroy(&ca);
	return q;
}

void
queue_free(struct queue *q)
{
	if (q == NULL)
		return;
	(void)pthread_cond_destroy(&q->not_empty);
	(void)pthread_cond_destroy(&q->not_full);
	(void)pthread_mutex_destroy(&q->lock);
	free(q->items);
	free(q);
}

static void
put_one(struct queue *q, const void *item)
{
	size_t tail = (q->head + q->len) % q->cap;

	memcpy(q->items + tail * q->size, item, q->size);
	q->len++;
}

/*
 * Append one item, waiting while the queue is full.  Returns 0, or -1 if
 * the queue was closed (the item is dropped).
 */
int
queue_push(struct queue *q, const void *item)
{
	int rv = -1;

	(void)pthread_mutex_lock(&q->lock);
	while (q->len == q->cap && !q->closed)
		(void)pthread_cond_wait(&q->not_full, &q->lock);
	if (!q->closed) {
		put_one(q, item);
		rv = 0;
	}
	(void)pthread_mutex_unlock(&q->lock);
	if (rv == 0)
		(void)pthread_cond_signal(&q->not_empty);
	return rv;
}

/*
 * Append all n items, waiting for room as needed, under one lock.  With
 * wake, consumers are woken once per stretch of room, so a batch costs one
 * wake-up rather than n.  Without it (lazy) they are woken only when the
 * queue is half full or the producer has to wait for room: a consumer
 * that polls with a timeout then takes many batches per wake-up.  With
 * wake and n == 0 this only wakes the consumers.  Returns 0, or -1 if the
 * queue was closed (the rest is dropped).
 */
int
queue_push_all(struct queue *q, const void *items, size_t n, int wake)
{
	const unsigned char *p = items;
	size_t done = 0;

	(void)pthread_mutex_lock(&q->lock);
	for (;;) {
		while (done < n && q->len < q->cap && !q->closed) {
			put_one(q, p + done * q->size);
			done++;
		}
		if (done == n || q->closed)
			break;
		/* Full: the consumers must run before there is room. */
		(void)pthread_cond_broadcast(&q->not_empty);
		while (q->len == q->cap && !q->closed)
			(void)pthread_cond_wait(&q->not_full, &q->lock);
	}
	wake = wake || q->len >= (q->cap + 1) / 2;
	(void)pthread_mutex_unlock(&q->lock);
	if (wake)
		(void)pthread_cond_broadcast(&q->not_empty);
	return done == n ? 0 : -1;
}

/* Append as many of n items as fit without waiting; returns how many. */
size_t
queue_try_push(struct queue *q, const void *items, size_t n)
{
	const unsigned char *p = items;
	size_t done = 0;

	(void)pthread_mutex_lock(&q->lock);
	while (done < n && q->len < q->cap && !q->closed) {
		put_one(q, p + done * q->size);
		done++;
	}
	(void)pthread_mutex_unlock(&q->lock);
	if (done == 1)
		(void)pthread_cond_signal(&q->not_empty);
	else if (done > 1)
		(void)pthread_cond_broadcast(&q->not_empty);
	return done;
}

static void
deadline_after(struct timespec *ts, int ms)
{
	(void)clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/*
 * Take up to max items into out, waiting up to timeout_ms for the first
 * (-1: forever, 0: not at all).  Returns the number taken, 0 on timeout,
 * or -1 when the queue is closed and empty.
 */
ssize_t
queue_pop(struct queue *q, void *out, size_t max, int timeout_ms)
{
	unsigned char *o = out;
	struct timespec deadline;
	ssize_t n = 0;

	if (timeout_ms > 0)
		deadline_after(&deadline, timeout_ms);
	(void)pthread_mutex_lock(&q->lock);
	while (q->len == 0 && !q->closed && timeout_ms != 0) {
		if (timeout_ms < 0)
			(void)pthread_cond_wait(&q->not_empty, &q->lock);
		else if (pthread_cond_timedwait(&q->not_empty, &q->lock,
		    &deadline) == ETIMEDOUT)
			break;
	}
	while (q->len > 0 && (size_t)n < max) {
		memcpy(o + (size_t)n * q->size, q->items + q->head * q->size,
		    q->size);
		q->head = (q->head + 1) % q->cap;
		q->len--;
		n++;
	}
	if (n == 0 && q->closed)
		n = -1;
	(void)pthread_mutex_unlock(&q->lock);
	if (n > 0)
		(void)pthread_cond_broadcast(&q->not_full);
	return n;
}

/* No more pushes; waiting consumers drain what is left, then see -1. */
void
queue_close(struct queue *q)
{
	(void)pthread_mutex_lock(&q->lock);
	q->closed = 1;
	(void)pthread_cond_broadcast(&q->not_empty);
	(void)pthread_cond_broadcast(&q->not_full);
	(void)pthread_mutex_unlock(&q->lock);
}

size_t
queue_room(struct queue *q)
{
	size_t room;

	(void)pthread_mutex_lock(&q->lock);
	room = q->closed ? 0 : q->cap - q->len;
	(void)pthread_mutex_unlock(&q->lock);
	return room;
}

size_t
queue_length(struct queue *q)
{
	size_t len;

	(void)pthread_mutex_lock(&q->lock);
	len = q->len;
	(void)pthread_mutex_unlock(&q->lock);
	return len;
}
