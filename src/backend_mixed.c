/*
 * backend_mixed.c - the inside of a mixed-backend worker process: a thread
 * pool fed by the frames the process receives.
 *
 * The process pool itself is backend_fork.c's; it runs this instead of the
 * single-threaded loop when there is more than one thread per process.
 * The main thread reads frames and queues them; each frame is run whole
 * by one thread, which then frees it.  Threads share the socket for their
 * events, one whole frame at a time under a mutex.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend_proc.h"
#include "queue.h"
#include "util.h"
#include "wire.h"
#include "worker.h"

struct mthread {
	pthread_t	 tid;
	struct worker	 w;
	struct wire_sink sink;
	struct queue	*frames;
	int		 started;
};

static void *
mthread_main(void *arg)
{
	struct mthread *mt = arg;
	struct wbuf *frame;
	ssize_t n;

	worker_sched_batch();
	for (;;) {
		n = queue_pop(mt->frames, &frame, 1, 0);
		if (n == 0) {
			mt->sink.base.flush(&mt->sink.base, 1);
			n = queue_pop(mt->frames, &frame, 1, -1);
		}
		if (n < 0)
			break;
		if (proc_run_frame(&mt->w, frame) == -1)
			_exit(3);
		wbuf_free(frame);
		free(frame);
	}
	mt->sink.base.flush(&mt->sink.base, 1);
	return NULL;
}

/*
 * Run nthreads workers in this process (slot) until the coordinator
 * closes the socket or asks to stop.  Worker indexes are slot * nthreads
 * + thread, so they are unique across the pool.
 */
_Noreturn void
mixed_child_run(const struct runconf *rc, int fd, int slot, int nthreads)
{
	struct mthread *mts = xcalloc((size_t)nthreads, sizeof(*mts));
	struct queue *frames = queue_new((size_t)(2 * nthreads + 2),
	    sizeof(struct wbuf *));
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct wbuf *frame;
	sigset_t all, old;
	int r = 0;

	worker_reserve_fds(rc, nthreads);
	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < nthreads; i++) {
		struct mthread *mt = &mts[i];

		mt->frames = frames;
		wire_sink_init(&mt->sink, fd, slot * nthreads + i, &lock);
		worker_init(&mt->w, slot * nthreads + i, rc, &mt->sink.base);
		if (pthread_create(&mt->tid, NULL, mthread_main, mt) != 0)
			_exit(2);
		mt->started = 1;
	}
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (;;) {
		frame = xcalloc(1, sizeof(*frame));
		if ((r = wire_read_frame(fd, frame)) != 1) {
			wbuf_free(frame);
			free(frame);
			break;
		}
		if (queue_push(frames, &frame) == -1)
			break;
	}
	queue_close(frames);
	for (int i = 0; i < nthreads; i++) {
		if (mts[i].started)
			(void)pthread_join(mts[i].tid, NULL);
		wire_sink_fini(&mts[i].sink);
		worker_fini(&mts[i].w);
	}
	_exit(r == -1 ? 3 : 0);
}
