/*
 * test_queue.c - the bounded queue: order, capacity, timeouts, closing,
 * and many producers and consumers at once (run under TSan too).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "engine/queue.h"
#include "unit.h"

#define PRODUCERS	4
#define CONSUMERS	4
#define PER_PRODUCER	20000

static struct queue *shared;
static uint64_t sums[CONSUMERS];
static long counts[CONSUMERS];

static void *
producer(void *arg)
{
	uint64_t base = (uint64_t)(uintptr_t)arg * PER_PRODUCER;

	for (uint64_t i = 1; i <= PER_PRODUCER; i++) {
		uint64_t v = base + i;

		if (queue_push(shared, &v) != 0)
			abort();
	}
	return NULL;
}

static void *
consumer(void *arg)
{
	int id = (int)(uintptr_t)arg;
	uint64_t buf[16];
	ssize_t n;

	while ((n = queue_pop(shared, buf, 16, -1)) > 0)
		for (ssize_t i = 0; i < n; i++) {
			sums[id] += buf[i];
			counts[id]++;
		}
	return NULL;
}

static void
test_order_and_capacity(void)
{
	struct queue *q = queue_new(4, sizeof(int));
	int in[6] = { 1, 2, 3, 4, 5, 6 }, out[8];

	CHECK(queue_room(q) == 4);
	CHECK(queue_try_push(q, in, 6) == 4);
	CHECK(queue_room(q) == 0);
	CHECK(queue_length(q) == 4);
	CHECK(queue_pop(q, out, 2, 0) == 2);
	CHECK(out[0] == 1 && out[1] == 2);
	CHECK(queue_try_push(q, in + 4, 2) == 2);	/* wraps around */
	CHECK(queue_pop(q, out, 8, 0) == 4);
	CHECK(out[0] == 3 && out[1] == 4 && out[2] == 5 && out[3] == 6);
	CHECK(queue_pop(q, out, 8, 0) == 0);		/* empty, no wait */
	CHECK(queue_pop(q, out, 8, 30) == 0);		/* empty, timed out */
	queue_free(q);
}

static void
test_close(void)
{
	struct queue *q = queue_new(4, sizeof(int));
	int v = 7, out[4];

	CHECK(queue_push(q, &v) == 0);
	queue_close(q);
	CHECK(queue_push(q, &v) == -1);		/* no pushes once closed */
	CHECK(queue_try_push(q, &v, 1) == 0);
	CHECK(queue_room(q) == 0);
	CHECK(queue_pop(q, out, 4, -1) == 1);	/* drains what is left */
	CHECK(out[0] == 7);
	CHECK(queue_pop(q, out, 4, -1) == -1);	/* then says closed */
	queue_free(q);
	queue_free(NULL);
}

static void
test_push_all(void)
{
	struct queue *q = queue_new(3, sizeof(int));
	int in[2] = { 8, 9 }, out[4];

	CHECK(queue_push_all(q, in, 2, 1) == 0);
	CHECK(queue_pop(q, out, 4, 0) == 2 && out[0] == 8 && out[1] == 9);
	queue_close(q);
	CHECK(queue_push_all(q, in, 2, 1) == -1);
	queue_free(q);
}

static double waited;

/* Pop with a long timeout, as the coordinator waits for events. */
static void *
timed_consumer(void *arg)
{
	struct queue *q = arg;
	struct timespec a, b;
	int out[8];

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (queue_pop(q, out, 8, 20000) != 1 || out[0] != 5)
		abort();
	clock_gettime(CLOCK_MONOTONIC, &b);
	waited = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	return NULL;
}

/*
 * A lazy push below half the capacity leaves a waiting consumer asleep;
 * a push with wake, even of nothing, wakes it to take what is there.
 * (The consumer may not be asleep yet; then it finds the item at once.)
 */
static void
test_lazy_wake(void)
{
	struct queue *q = queue_new(8, sizeof(int));
	pthread_t c;
	int v = 5;

	pthread_create(&c, NULL, timed_consumer, q);
	usleep(50000);
	CHECK(queue_push_all(q, &v, 1, 0) == 0);
	CHECK(queue_push_all(q, NULL, 0, 1) == 0);
	pthread_join(c, NULL);
	CHECK(waited < 10.0);		/* woken, not timed out */
	queue_free(q);
}

static void *
batch_producer(void *arg)
{
	uint64_t v[7];

	(void)arg;
	for (uint64_t i = 0; i < PER_PRODUCER / 7; i++) {
		for (int k = 0; k < 7; k++)
			v[k] = 1;
		if (queue_push_all(shared, v, 7, (int)(i & 1)) != 0)
			abort();
	}
	return NULL;
}

/* Batches larger than the room left wait for it and lose nothing. */
static void
test_push_all_threads(void)
{
	pthread_t p[PRODUCERS], c[CONSUMERS];
	uint64_t total = 0;

	shared = queue_new(5, sizeof(uint64_t));
	memset(sums, 0, sizeof(sums));
	memset(counts, 0, sizeof(counts));
	for (int i = 0; i < CONSUMERS; i++)
		pthread_create(&c[i], NULL, consumer, (void *)(uintptr_t)i);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_create(&p[i], NULL, batch_producer, NULL);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(p[i], NULL);
	queue_close(shared);
	for (int i = 0; i < CONSUMERS; i++) {
		pthread_join(c[i], NULL);
		total += sums[i];
	}
	CHECK(total == (uint64_t)PRODUCERS * (PER_PRODUCER / 7) * 7);
	queue_free(shared);
}

static void
test_threads(void)
{
	pthread_t p[PRODUCERS], c[CONSUMERS];
	uint64_t total = 0, want = 0;
	long n = 0;

	shared = queue_new(64, sizeof(uint64_t));
	for (int i = 0; i < CONSUMERS; i++)
		pthread_create(&c[i], NULL, consumer, (void *)(uintptr_t)i);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_create(&p[i], NULL, producer, (void *)(uintptr_t)i);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(p[i], NULL);
	queue_close(shared);
	for (int i = 0; i < CONSUMERS; i++) {
		pthread_join(c[i], NULL);
		total += sums[i];
		n += counts[i];
	}
	for (uint64_t i = 1; i <= (uint64_t)PRODUCERS * PER_PRODUCER; i++)
		want += i;
	CHECK(n == (long)PRODUCERS * PER_PRODUCER);
	CHECK(total == want);
	queue_free(shared);
}

int
main(void)
{
	test_order_and_capacity();
	test_close();
	test_threads();
	test_push_all();
	test_push_all_threads();
	test_lazy_wake();
	return unit_end("test_queue");
}
