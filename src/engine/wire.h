/*
 * wire.h - tasks and events as framed messages between the coordinator and
 * worker processes.
 *
 * A frame is a 32-bit length, a type byte and a payload.  Both ends run
 * the same binary on the same machine, so fixed-size fields go in host
 * byte order; strings carry their length and a NUL so a decoded task can
 * point into the frame it came in.
 */
#ifndef PCOPY_WIRE_H
#define PCOPY_WIRE_H

#include <sys/types.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "task.h"
#include "worker/context.h"

#define FRAME_HDR	5
#define FRAME_MAX	(256u << 20)

enum frame_type { FR_TASKS = 1, FR_EVENTS };

struct wbuf {
	unsigned char	*p;
	size_t		 len, cap;
};

struct rbuf {
	const unsigned char *p;
	size_t		 len, pos;
	int		 bad;
};

void	wbuf_free(struct wbuf *);
void	wbuf_consume(struct wbuf *, size_t);
size_t	wire_begin(struct wbuf *, int);
void	wire_end(struct wbuf *, size_t, uint32_t);
void	wire_put_task(struct wbuf *, const struct task *);
void	wire_put_event(struct wbuf *, const struct event *);
int	wire_get_task(struct rbuf *, struct task *);
int	wire_get_event(struct rbuf *, struct event *);
int	wire_read_frame(int, struct wbuf *);
ssize_t	wire_frame(const unsigned char *, size_t, int *, uint32_t *,
	    struct rbuf *);

/*
 * The event sink of a worker in a process: events are encoded into a
 * frame and written to the socket when flushed.  With several threads in
 * the process, lock serialises whole frames on the socket.
 */
struct wire_sink {
	struct sink	 base;
	int		 fd, index;
	pthread_mutex_t	*lock;
	struct wbuf	 buf;
	size_t		 frame;		/* start of the open frame */
	uint32_t	 count;
	double		 last;
};

void	wire_sink_init(struct wire_sink *, int, int, pthread_mutex_t *);
void	wire_sink_fini(struct wire_sink *);

#endif
