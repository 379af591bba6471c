/*
 * proc_child.c - the inside of a worker process of the process pool
 * (backend_procs.c): it reads frames of tasks from its socket, runs them
 * and writes frames of events back, until the coordinator closes the
 * socket or asks it to stop.
 *
 * A process runs either one worker (--backend=fork) or a pool of worker
 * threads fed by the frames it receives (--backend=mixed).  Workers
 * ignore SIGINT and SIGTERM (the coordinator decides how to stop) and stop
 * on SIGUSR1, which the coordinator sends to abort and the kernel sends if
 * the coordinator dies.
 */
#include <sys/prctl.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_child.h"
#include "queue.h"
#include "util.h"
#include "wire.h"
#include "worker/run.h"

static void
on_stop_signal(int sig)
{
	(void)sig;
	atomic_store(&worker_stop, 1);
}

/* Signals in a worker process; see the comment at the top. */
static void
child_signals(pid_t parent)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_stop_signal;	/* no SA_RESTART: wake a read */
	(void)sigaction(SIGUSR1, &sa, NULL);
	(void)sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)prctl(PR_SET_PDEATHSIG, SIGUSR1);
	if (getppid() != parent)
		_exit(1);
}

/*
 * Decode the tasks of one frame and run them in order.  Returns 0, -1 for
 * a frame that is not a valid frame of tasks.
 */
static int
run_frame(struct worker *w, const struct wbuf *frame)
{
	struct rbuf rb;
	struct task t;
	uint32_t count;
	int type;

	if (wire_frame(frame->p, frame->len, &type, &count, &rb) <= 0 ||
	    type != FR_TASKS)
		return -1;
	worker_batch_begin(w);
	for (uint32_t i = 0; i < count; i++) {
		if (wire_get_task(&rb, &t) == -1)
			return -1;
		worker_run(w, &t);
	}
	worker_batch_end(w);
	return 0;
}

/* The whole life of a process of one worker (--backend=fork). */
static _Noreturn void
run_one_worker(const struct runconf *rc, int fd, int slot)
{
	struct wire_sink sink;
	struct wbuf frame = { NULL, 0, 0 };
	struct worker w;
	int r;

	worker_sched_batch();
	wire_sink_init(&sink, fd, slot, NULL);
	worker_init(&w, slot, rc, &sink.base);
	while ((r = wire_read_frame(fd, &frame)) == 1) {
		if (run_frame(&w, &frame) == -1)
			_exit(3);
		sink.base.flush(&sink.base, 1);
	}
	wire_sink_fini(&sink);
	worker_fini(&w);
	_exit(r == -1 ? 3 : 0);
}

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
		if (run_frame(&mt->w, frame) == -1)
			_exit(3);
		wbuf_free(frame);
		free(frame);
	}
	mt->sink.base.flush(&mt->sink.base, 1);
	return NULL;
}

/*
 * The whole life of a process of nthreads workers (--backend=mixed): the
 * main thread reads frames and queues them; each frame is run whole by
 * one thread, which then frees it.  Threads share the socket for their
 * events, one whole frame at a time under a mutex.  Worker indexes are
 * slot * nthreads + thread, so they are unique across the pool.
 */
static _Noreturn void
run_thread_pool(const struct runconf *rc, int fd, int slot, int nthreads)
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

/*
 * Run as worker process slot of nthreads workers, talking to the
 * coordinator (pid parent) over fd.  Never returns.
 */
_Noreturn void
proc_child_main(const struct runconf *rc, int fd, int slot, int nthreads,
    pid_t parent)
{
	child_signals(parent);
	if (nthreads > 1)
		run_thread_pool(rc, fd, slot, nthreads);
	run_one_worker(rc, fd, slot);
}
