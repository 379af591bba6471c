/*
 * backend_procs.c - a pool of worker processes forked once at start: the
 * fork backend (one worker in each) and the mixed one (a pool of threads
 * in each, see proc_child.c).
 *
 * Each process has its own socket pair.  The coordinator writes frames of
 * tasks into it (non-blocking, through a per-process output buffer, so it
 * never blocks on a busy worker) and reads frames of events back.  It
 * keeps at most two batches per worker thread in flight in a process, so
 * work is spread by demand and a crash loses little.
 *
 * A process that dies is noticed by the end of file on its socket.  It is
 * reaped, and the coordinator is told (EV_DIED) so it can hand that
 * process's unfinished tasks to others.  The replacement is forked only
 * when that event is delivered: the coordinator takes back the tasks of
 * the slot, so none of the new process's may be among them.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "proc_child.h"
#include "util.h"
#include "wire.h"

#define READ_CHUNK	(256u << 10)
#define READ_END	1	/* read_in(): the socket ended */
#define READ_DAMAGED	2	/* read_in(): a frame did not decode */

struct proc {
	pid_t		 pid;
	int		 fd;		/* coordinator's end; -1 when gone */
	struct wbuf	 out;		/* frames not yet written */
	unsigned char	*in;		/* bytes read, not yet decoded */
	size_t		 inlen, incap;
	uint32_t	*ring;		/* tasks left in each batch in flight */
	int		 rhead, rlen;
};

struct fpool {
	struct backend	*b;
	struct proc	*procs;
	int		 nprocs, nthreads, credit;
	int		 stopping, deaths, max_deaths, rr;
	struct event	*evq;
	size_t		 evhead, evlen, evcap;
	pid_t		 parent;
};


/*
 * The forked child of slot: it keeps only its own socket, then lives as
 * a worker process (proc_child.c).
 */
static _Noreturn void
child_main(struct fpool *fp, int slot, int fd)
{
	for (int i = 0; i < fp->nprocs; i++)
		if (i != slot && fp->procs[i].fd != -1)
			(void)close(fp->procs[i].fd);
	proc_child_main(fp->b->rc, fd, slot, fp->nthreads, fp->parent);
}

static void
proc_reset(struct proc *p)
{
	p->fd = -1;
	p->pid = -1;
	p->out.len = 0;
	p->inlen = 0;
	p->rhead = p->rlen = 0;
}

/* Fork the worker of slot i.  Returns 0, or -1 with errno set. */
static int
spawn(struct fpool *fp, int i)
{
	struct proc *p = &fp->procs[i];
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	/* A child must not inherit output still buffered: it would be
	 * written twice if anything in the child ever flushed it. */
	(void)fflush(stdout);
	(void)fflush(stderr);
	if ((pid = fork()) == -1) {
		int saved = errno;

		(void)close(sv[0]);
		(void)close(sv[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0) {
		(void)close(sv[0]);
		child_main(fp, i, sv[1]);
	}
	(void)close(sv[1]);
	(void)fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	proc_reset(p);
	p->pid = pid;
	p->fd = sv[0];
	return 0;
}

static int
fp_start(struct backend *b)
{
	struct fpool *fp = b->impl;

	fp->parent = getpid();
	for (int i = 0; i < fp->nprocs; i++)
		if (spawn(fp, i) == -1)
			return -1;
	return 0;
}

static void
evq_push(struct fpool *fp, const struct event *ev)
{
	if (fp->evhead == fp->evlen)
		fp->evhead = fp->evlen = 0;
	if (fp->evlen == fp->evcap) {
		fp->evcap = MAX(256, fp->evcap * 2);
		fp->evq = xrealloc(fp->evq, fp->evcap * sizeof(*fp->evq));
	}
	fp->evq[fp->evlen++] = *ev;
}

/* Write what the output buffer holds, as far as the socket takes it. */
static void
flush_out(struct proc *p)
{
	ssize_t n;

	while (p->out.len > 0) {
		n = write(p->fd, p->out.p, p->out.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;	/* full, or dead: the read side will tell */
		wbuf_consume(&p->out, (size_t)n);
	}
}

static int
alive_count(const struct fpool *fp)
{
	int n = 0;

	for (int i = 0; i < fp->nprocs; i++)
		n += fp->procs[i].fd != -1;
	return n;
}

/*
 * Take a batch: to the live process with the fewest batches in flight,
 * if any has room; batch->wslot says which.
 */
static int
fp_submit(struct backend *b, struct batch *batch)
{
	struct fpool *fp = b->impl;
	struct proc *best = NULL, *p;
	size_t start;

	for (int k = 0; k < fp->nprocs; k++) {
		p = &fp->procs[(fp->rr + k) % fp->nprocs];
		if (p->fd != -1 && p->rlen < fp->credit &&
		    (best == NULL || p->rlen < best->rlen))
			best = p;
	}
	if (best == NULL || fp->stopping)
		return 0;
	fp->rr = (fp->rr + 1) % fp->nprocs;
	start = wire_begin(&best->out, FR_TASKS);
	batch->wslot = (int32_t)(best - fp->procs);
	for (uint32_t i = 0; i < batch->n; i++)
		wire_put_task(&best->out, batch->t[i]);
	wire_end(&best->out, start, batch->n);
	best->ring[(best->rhead + best->rlen) % fp->credit] = batch->n;
	best->rlen++;
	flush_out(best);
	return 1;
}

/* A task of p's is done: count it against its oldest batch. */
static void
task_done(struct fpool *fp, struct proc *p)
{
	if (p->rlen == 0)
		return;
	if (--p->ring[p->rhead] == 0) {
		p->rhead = (p->rhead + 1) % fp->credit;
		p->rlen--;
	}
}

/* Decode the whole frames of events p has sent.  -1: a damaged frame. */
static int
decode_in(struct fpool *fp, struct proc *p)
{
	struct event ev;
	struct rbuf rb;
	uint32_t count;
	size_t used = 0;
	ssize_t fs;
	int type;

	while ((fs = wire_frame(p->in + used, p->inlen - used, &type, &count,
	    &rb)) > 0) {
		if (type != FR_EVENTS)
			return -1;
		for (uint32_t i = 0; i < count; i++) {
			if (wire_get_event(&rb, &ev) == -1)
				return -1;
			if (ev.kind == EV_DONE)
				task_done(fp, p);
			evq_push(fp, &ev);
		}
		used += (size_t)fs;
	}
	memmove(p->in, p->in + used, p->inlen - used);
	p->inlen -= used;
	return fs == -1 ? -1 : 0;
}

/*
 * Read what p has sent.  Returns 0, READ_END at end of file, READ_DAMAGED
 * for a frame that does not decode.
 */
static int
read_in(struct fpool *fp, struct proc *p)
{
	ssize_t n;

	for (;;) {
		if (p->incap - p->inlen < READ_CHUNK) {
			p->incap = MAX(p->incap * 2, p->inlen + READ_CHUNK);
			p->in = xrealloc(p->in, p->incap);
		}
		n = read(p->fd, p->in + p->inlen, p->incap - p->inlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0) {
			/* The last events may have come with the end. */
			(void)decode_in(fp, p);
			return READ_END;
		}
		p->inlen += (size_t)n;
	}
	return decode_in(fp, p) == -1 ? READ_DAMAGED : 0;
}

/*
 * p's socket ended (how: READ_END or READ_DAMAGED).  Reap the process
 * and, unless the pool is stopping, queue EV_DIED behind the events it
 * sent; deliver() replaces it.  A process whose frames do not decode may
 * still be running: it is killed, not waited for.
 */
static void
proc_gone(struct fpool *fp, struct proc *p, int how)
{
	struct event ev;
	int status = 0, slot = (int)(p - fp->procs);

	if (how == READ_DAMAGED && p->pid > 0) {
		warnx("worker process %d sent a damaged message; stopping it",
		    slot);
		(void)kill(p->pid, SIGKILL);
	}
	(void)close(p->fd);
	if (p->pid > 0 && waitpid(p->pid, &status, 0) == -1)
		status = 0;
	proc_reset(p);
	if (fp->stopping)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_DIED;
	ev.worker = slot;
	ev.err = status;
	evq_push(fp, &ev);
}

/*
 * EV_DIED is about to reach the coordinator: fork the slot's replacement
 * (up to a limit, so a task that kills every worker cannot make us fork
 * forever) and say in the event whether there is one (enum died).  A
 * pool that is stopping needs none.
 */
static void
replace(struct fpool *fp, struct event *ev)
{
	if (fp->stopping)
		ev->bytes = DIED_STOPPING;
	else if (++fp->deaths <= fp->max_deaths && spawn(fp, ev->worker) == 0)
		ev->bytes = DIED_REPLACED;
	else
		ev->bytes = DIED_ALONE;
}

static int
deliver(struct fpool *fp, struct event *evs, int max)
{
	int n = 0;

	while (n < max && fp->evhead < fp->evlen) {
		evs[n] = fp->evq[fp->evhead++];
		if (evs[n].kind == EV_DIED)
			replace(fp, &evs[n]);
		n++;
	}
	return n;
}

static int
fp_wait(struct backend *b, struct event *evs, int max, int timeout_ms)
{
	struct fpool *fp = b->impl;
	struct pollfd *pfd;
	int n = 0, how, idx[1024];

	if (fp->evhead < fp->evlen)
		return deliver(fp, evs, max);
	if (fp->stopping && alive_count(fp) == 0)
		return -1;
	pfd = xcalloc((size_t)fp->nprocs, sizeof(*pfd));
	for (int i = 0; i < fp->nprocs && n < (int)NELEM(idx); i++) {
		struct proc *p = &fp->procs[i];

		if (p->fd == -1)
			continue;
		pfd[n].fd = p->fd;
		pfd[n].events = POLLIN | (p->out.len > 0 ? POLLOUT : 0);
		idx[n++] = i;
	}
	if (poll(pfd, (nfds_t)n, timeout_ms) > 0) {
		for (int k = 0; k < n; k++) {
			struct proc *p = &fp->procs[idx[k]];

			if (pfd[k].revents & POLLOUT)
				flush_out(p);
			if ((pfd[k].revents & (POLLIN | POLLHUP | POLLERR)) &&
			    (how = read_in(fp, p)) != 0)
				proc_gone(fp, p, how);
		}
	}
	free(pfd);
	if (fp->evhead == fp->evlen && fp->stopping && alive_count(fp) == 0)
		return -1;
	return deliver(fp, evs, max);
}

/*
 * Stop: no more tasks.  Closing our sending side ends each worker's loop
 * once it has done what it holds; abort also signals it to drop that.
 */
static void
fp_stop(struct backend *b, int abort)
{
	struct fpool *fp = b->impl;

	fp->stopping = 1;
	for (int i = 0; i < fp->nprocs; i++) {
		struct proc *p = &fp->procs[i];

		if (p->fd == -1)
			continue;
		if (abort) {
			p->out.len = 0;
			(void)kill(p->pid, SIGUSR1);
		}
		if (p->out.len == 0)
			(void)shutdown(p->fd, SHUT_WR);
	}
}

/* Reap everything still running; no orphans even after an error. */
static void
fp_free(struct backend *b)
{
	struct fpool *fp = b->impl;

	fp->stopping = 1;
	for (int i = 0; i < fp->nprocs; i++) {
		struct proc *p = &fp->procs[i];

		if (p->fd != -1) {
			(void)kill(p->pid, SIGUSR1);
			(void)close(p->fd);
			(void)waitpid(p->pid, NULL, 0);
		}
		wbuf_free(&p->out);
		free(p->in);
		free(p->ring);
	}
	for (size_t i = fp->evhead; i < fp->evlen; i++) {
		free(fp->evq[i].name);
		entries_free(fp->evq[i].ents);
		free(fp->evq[i].data);
	}
	free(fp->evq);
	free(fp->procs);
	free(fp);
	free(b);
}

static const struct backend_ops procs_ops = {
	fp_start, fp_submit, fp_wait, fp_stop, fp_free
};

/*
 * A pool of nprocs processes of nthreads worker threads each: the fork
 * backend is nthreads 1 (no threads at all in the workers), mixed more.
 */
struct backend *
procs_backend_new(const struct runconf *rc, int nprocs, int nthreads)
{
	struct backend *b = xcalloc(1, sizeof(*b));
	struct fpool *fp = xcalloc(1, sizeof(*fp));

	fp->b = b;
	fp->nprocs = nprocs;
	fp->nthreads = nthreads;
	fp->credit = 2 * nthreads;
	fp->max_deaths = 2 * nprocs + 8;
	fp->procs = xcalloc((size_t)nprocs, sizeof(*fp->procs));
	for (int i = 0; i < nprocs; i++) {
		proc_reset(&fp->procs[i]);
		fp->procs[i].ring = xcalloc((size_t)fp->credit,
		    sizeof(uint32_t));
	}
	b->ops = &procs_ops;
	b->rc = rc;
	b->name = nthreads > 1 ? "mixed" : "fork";
	b->nprocs = nprocs;
	b->nthreads = nthreads;
	b->nworkers = nprocs * nthreads;
	b->impl = fp;
	return b;
}
