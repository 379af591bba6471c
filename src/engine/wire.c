/*
 * wire.c - encode and decode tasks and events for worker processes.
 *
 * Decoding checks every length against the frame, so a damaged frame is
 * reported as bad rather than read past its end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "wire.h"

#define NO_STRING	UINT32_MAX
#define FLUSH_BYTES	(64u << 10)
#define FLUSH_EVENTS	64
#define FLUSH_SECONDS	0.1

void
wbuf_free(struct wbuf *w)
{
	free(w->p);
	w->p = NULL;
	w->len = w->cap = 0;
}

/* Drop the first n bytes (written out). */
void
wbuf_consume(struct wbuf *w, size_t n)
{
	memmove(w->p, w->p + n, w->len - n);
	w->len -= n;
}

static void
put(struct wbuf *w, const void *v, size_t n)
{
	if (n == 0)
		return;
	if (w->len + n > w->cap) {
		w->cap = MAX(w->cap * 2, w->len + n + 4096);
		w->p = xrealloc(w->p, w->cap);
	}
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

static void
put_u8(struct wbuf *w, uint8_t v)
{
	put(w, &v, sizeof(v));
}

static void
put_u16(struct wbuf *w, uint16_t v)
{
	put(w, &v, sizeof(v));
}

static void
put_u32(struct wbuf *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

static void
put_u64(struct wbuf *w, uint64_t v)
{
	put(w, &v, sizeof(v));
}

static void
put_str(struct wbuf *w, const char *s, size_t len)
{
	if (s == NULL) {
		put_u32(w, NO_STRING);
		return;
	}
	put_u32(w, (uint32_t)len);
	put(w, s, len);
	put_u8(w, 0);
}

static void
get(struct rbuf *r, void *v, size_t n)
{
	if (r->bad || r->len - r->pos < n) {
		r->bad = 1;
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p + r->pos, n);
	r->pos += n;
}

static uint8_t
get_u8(struct rbuf *r)
{
	uint8_t v;

	get(r, &v, sizeof(v));
	return v;
}

static uint16_t
get_u16(struct rbuf *r)
{
	uint16_t v;

	get(r, &v, sizeof(v));
	return v;
}

static uint32_t
get_u32(struct rbuf *r)
{
	uint32_t v;

	get(r, &v, sizeof(v));
	return v;
}

static uint64_t
get_u64(struct rbuf *r)
{
	uint64_t v;

	get(r, &v, sizeof(v));
	return v;
}

/* A string that points into the frame; NULL for an absent one. */
static const char *
get_str(struct rbuf *r, uint32_t *lenp)
{
	uint32_t len = get_u32(r);
	const char *s;

	*lenp = 0;
	if (r->bad || len == NO_STRING)
		return NULL;
	if (r->len - r->pos < (size_t)len + 1 || r->p[r->pos + len] != 0) {
		r->bad = 1;
		return NULL;
	}
	s = (const char *)r->p + r->pos;
	r->pos += (size_t)len + 1;
	*lenp = len;
	return s;
}

/* Open a frame of type; returns where it starts, for wire_end(). */
size_t
wire_begin(struct wbuf *w, int type)
{
	size_t start = w->len;

	put_u32(w, 0);
	put_u8(w, (uint8_t)type);
	put_u32(w, 0);		/* item count, patched by wire_end() */
	return start;
}

void
wire_end(struct wbuf *w, size_t start, uint32_t count)
{
	uint32_t len = (uint32_t)(w->len - start - FRAME_HDR);

	memcpy(w->p + start, &len, sizeof(len));
	memcpy(w->p + start + FRAME_HDR, &count, sizeof(count));
}

/*
 * Find a whole frame at the start of buf.  Returns its size and sets
 * *type, *count and *payload (positioned after the count), 0 when more
 * bytes are needed, -1 for a frame that cannot be valid.
 */
ssize_t
wire_frame(const unsigned char *buf, size_t len, int *type, uint32_t *count,
    struct rbuf *payload)
{
	uint32_t plen;

	if (len < FRAME_HDR)
		return 0;
	memcpy(&plen, buf, sizeof(plen));
	if (plen > FRAME_MAX || plen < sizeof(uint32_t))
		return -1;
	if (len < FRAME_HDR + (size_t)plen)
		return 0;
	*type = buf[4];
	payload->p = buf + FRAME_HDR;
	payload->len = plen;
	payload->pos = sizeof(uint32_t);
	payload->bad = 0;
	memcpy(count, buf + FRAME_HDR, sizeof(*count));
	return (ssize_t)(FRAME_HDR + plen);
}

static void
put_dirref(struct wbuf *w, const struct dirref *d)
{
	put_u64(w, d->id);
	put_u32(w, d->root);
	put_str(w, d->path, d->pathlen);
}

static void
get_dirref(struct rbuf *r, struct dirref *d)
{
	d->id = get_u64(r);
	d->root = get_u32(r);
	d->path = get_str(r, &d->pathlen);
}

void
wire_put_task(struct wbuf *w, const struct task *t)
{
	put_u64(w, t->seq);
	put_u64(w, t->handle);
	put_u8(w, t->kind);
	put_u16(w, t->flags);
	put_dirref(w, &t->dir);
	put_str(w, t->name, t->namelen);
	put_str(w, t->dname, t->dnamelen);
	put(w, &t->st, sizeof(t->st));
	put_u64(w, t->off);
	put_u64(w, t->len);
	put_u64(w, t->tmpseq);
	put_dirref(w, &t->ldir);
	put_str(w, t->lname, t->lnamelen);
	put_u32(w, t->datalen);
	put(w, t->data, t->datalen);
	put_u32(w, t->xattrlen);
	put(w, t->xattrs, t->xattrlen);
}

/* len bytes of r that stay in the frame; NULL when there are none. */
static const unsigned char *
get_bytes(struct rbuf *r, uint32_t len)
{
	const unsigned char *p;

	if (r->bad || r->len - r->pos < len) {
		r->bad = 1;
		return NULL;
	}
	p = len > 0 ? r->p + r->pos : NULL;
	r->pos += len;
	return p;
}

/* Decode a task; its strings point into r.  Returns 0, -1 if damaged. */
int
wire_get_task(struct rbuf *r, struct task *t)
{
	uint32_t len;

	memset(t, 0, sizeof(*t));
	t->seq = get_u64(r);
	t->handle = get_u64(r);
	t->kind = get_u8(r);
	t->flags = get_u16(r);
	get_dirref(r, &t->dir);
	t->name = get_str(r, &len);
	t->namelen = (uint16_t)len;
	t->dname = get_str(r, &len);
	t->dnamelen = (uint16_t)len;
	get(r, &t->st, sizeof(t->st));
	t->off = get_u64(r);
	t->len = get_u64(r);
	t->tmpseq = get_u64(r);
	get_dirref(r, &t->ldir);
	t->lname = get_str(r, &len);
	t->lnamelen = (uint16_t)len;
	t->datalen = get_u32(r);
	t->data = get_bytes(r, t->datalen);
	t->xattrlen = get_u32(r);
	t->xattrs = get_bytes(r, t->xattrlen);
	if (r->bad || t->dir.path == NULL ||
	    (t->name == NULL && t->kind != TASK_SCAN &&
	    t->kind != TASK_DIRMETA))
		return -1;
	return 0;
}

void
wire_put_event(struct wbuf *w, const struct event *ev)
{
	put_u8(w, ev->kind);
	put_u8(w, ev->op);
	put_u8(w, ev->side);
	put_u32(w, (uint32_t)ev->err);
	put_u32(w, (uint32_t)ev->worker);
	put_u64(w, ev->task);
	put_u64(w, ev->bytes);
	put_u64(w, ev->cookie);
	put_str(w, ev->name, ev->name ? strlen(ev->name) : 0);
	put_u32(w, ev->datalen);
	put(w, ev->data, ev->datalen);
	if (ev->ents == NULL) {
		put_u32(w, NO_STRING);
		return;
	}
	put_u32(w, ev->ents->used);
	put_u32(w, ev->ents->count);
	put(w, ev->ents->data, ev->ents->used);
}

/* Check that every record of a received listing lies inside it. */
static int
entries_valid(const struct entries *e)
{
	size_t pos = 0;
	uint32_t n = 0;

	while (entries_next(e, &pos) != NULL)
		n++;
	return n == e->count && pos == e->used;
}

/*
 * Decode an event; its name and listing are newly allocated and belong to
 * the caller.  Returns 0, -1 if damaged.
 */
int
wire_get_event(struct rbuf *r, struct event *ev)
{
	const char *name;
	uint32_t len, used;

	memset(ev, 0, sizeof(*ev));
	ev->kind = get_u8(r);
	ev->op = get_u8(r);
	ev->side = get_u8(r);
	ev->err = (int32_t)get_u32(r);
	ev->worker = (int32_t)get_u32(r);
	ev->task = get_u64(r);
	ev->bytes = get_u64(r);
	ev->cookie = get_u64(r);
	name = get_str(r, &len);
	ev->datalen = get_u32(r);
	if (!r->bad && ev->datalen > 0) {
		const unsigned char *d = get_bytes(r, ev->datalen);

		if (d != NULL) {
			ev->data = xmalloc(ev->datalen);
			memcpy(ev->data, d, ev->datalen);
		}
	}
	used = get_u32(r);
	if (!r->bad && used != NO_STRING) {
		if (used > r->len - r->pos) {
			r->bad = 1;
		} else {
			ev->ents = entries_new(used);
			ev->ents->count = get_u32(r);
			ev->ents->used = used;
			get(r, ev->ents->data, used);
			if (!r->bad && !entries_valid(ev->ents))
				r->bad = 1;
		}
	}
	if (r->bad) {
		entries_free(ev->ents);
		ev->ents = NULL;
		free(ev->data);
		ev->data = NULL;
		return -1;
	}
	ev->name = name != NULL ? xstrndup(name, len) : NULL;
	return 0;
}

static void
wsink_flush(struct sink *s, int wake)
{
	struct wire_sink *ws = (struct wire_sink *)s;
	int rv;

	(void)wake;	/* what reaches the socket wakes the coordinator */
	ws->last = now_seconds();
	if (ws->count == 0)
		return;
	wire_end(&ws->buf, ws->frame, ws->count);
	if (ws->lock != NULL)
		(void)pthread_mutex_lock(ws->lock);
	rv = (int)write_full(ws->fd, ws->buf.p, ws->buf.len);
	if (ws->lock != NULL)
		(void)pthread_mutex_unlock(ws->lock);
	if (rv == -1)
		_exit(1);	/* the coordinator is gone: nobody to work for */
	ws->buf.len = 0;
	ws->count = 0;
}

/* Encode the event (taking ownership of its name and listing). */
static void
wsink_emit(struct sink *s, const struct event *ev)
{
	struct wire_sink *ws = (struct wire_sink *)s;
	struct event e = *ev;

	if (ws->count == 0)
		ws->frame = wire_begin(&ws->buf, FR_EVENTS);
	e.worker = ws->index;
	wire_put_event(&ws->buf, &e);
	ws->count++;
	free(ev->name);
	entries_free(ev->ents);
	free(ev->data);
	if (ws->count >= FLUSH_EVENTS || ws->buf.len >= FLUSH_BYTES ||
	    now_seconds() - ws->last > FLUSH_SECONDS)
		wsink_flush(s, 0);
}

void
wire_sink_init(struct wire_sink *ws, int fd, int index, pthread_mutex_t *lock)
{
	memset(ws, 0, sizeof(*ws));
	ws->base.emit = wsink_emit;
	ws->base.flush = wsink_flush;
	ws->fd = fd;
	ws->index = index;
	ws->lock = lock;
	ws->last = now_seconds();
}

void
wire_sink_fini(struct wire_sink *ws)
{
	wsink_flush(&ws->base, 1);
	wbuf_free(&ws->buf);
}

/*
 * Read one whole frame from fd into buf (replacing what it held).  Returns
 * 1, 0 at end of file or when a stop was requested while waiting, -1 on
 * error or a frame that cannot be valid.
 */
int
wire_read_frame(int fd, struct wbuf *buf)
{
	uint32_t plen;
	size_t need = FRAME_HDR;
	ssize_t n;

	buf->len = 0;
	while (buf->len < need) {
		if (need > buf->cap) {
			buf->cap = MAX(need, buf->cap * 2);
			buf->p = xrealloc(buf->p, buf->cap);
		}
		if (worker_stopping())
			return 0;
		n = read(fd, buf->p + buf->len, need - buf->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return buf->len == 0 ? 0 : -1;
		buf->len += (size_t)n;
		if (buf->len == FRAME_HDR && need == FRAME_HDR) {
			memcpy(&plen, buf->p, sizeof(plen));
			if (plen > FRAME_MAX || plen < sizeof(uint32_t))
				return -1;
			need += plen;
		}
	}
	return 1;
}
