/*
 * archtask.c - the workers' side of archives.
 *
 * Creating an archive (pack.c), workers read files ahead of the single
 * writer: TASK_READ returns a range of a file's data, and with the first
 * range its extended attributes and, for a sparse file, its data map.
 * Extracting (unpack.c), workers write what the reader hands them:
 * TASK_PUT writes one piece of a file, its extents (the whole file when
 * TF_LAST), TASK_PUTFIN gives a file of several pieces its metadata and
 * its name.  Files of several pieces are written under their temporary
 * name, as chunked copies are.
 *
 * The result of TASK_READ (EV_DATA) is laid out as a struct rdhdr, the
 * attribute blob, the data map (nmap pairs of offset and length, only
 * with the first range of a sparse file), the extents of this range
 * (next pairs) and their bytes, one after the other.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archtask.h"
#include "context.h"
#include "dest.h"
#include "meta.h"
#include "safeopen.h"
#include "tasks.h"
#include "util.h"
#include "xblob.h"

#define MAX_EXTENTS	1024
#define XATTR_VALUE_MAX	65536	/* the kernel's XATTR_SIZE_MAX */

/*
 * Extended attributes of fd as a blob; a list failure is reported.  The
 * list may be as long as the kernel allows (XATTR_LIST_MAX), so a large
 * one gets a heap buffer.
 */
static void
read_xattrs(struct worker *w, int fd, struct xblob *b)
{
	char stack[4096], *list = stack, *val = NULL;
	ssize_t n, v;

	n = flistxattr(fd, list, sizeof(stack));
	if (n == -1 && errno == ERANGE &&
	    (n = flistxattr(fd, NULL, 0)) > 0) {
		list = xmalloc((size_t)n);
		n = flistxattr(fd, list, (size_t)n);
	}
	if (n == -1 && errno != EOPNOTSUPP)
		worker_fail(w, OP_XATTR, SIDE_SRC, errno, NULL);
	if (n > 0)
		val = xmalloc(XATTR_VALUE_MAX);
	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(list + i) + 1)
		if ((v = fgetxattr(fd, list + i, val, XATTR_VALUE_MAX)) >= 0)
			xblob_add(b, list + i, val, (size_t)v);
	free(val);
	if (list != stack)
		free(list);
}

/*
 * The data extents of [off, end) of fd: one for a file without holes;
 * SEEK_DATA/SEEK_HOLE for a sparse one.  Returns the count (at most max).
 */
static uint32_t
data_map(int fd, const struct finfo *st, int sparse, uint64_t off,
    uint64_t end, uint64_t (*map)[2], uint32_t max)
{
	uint64_t pos = off, data, hole;
	uint32_t n = 0;
	off_t r;

	(void)st;
	if (!sparse) {
		map[0][0] = off;
		map[0][1] = end - off;
		return end > off ? 1 : 0;
	}
	while (pos < end && n < max) {
		if ((r = lseek(fd, (off_t)pos, SEEK_DATA)) == -1)
			break;
		data = (uint64_t)r;
		if (data >= end)
			break;
		r = lseek(fd, (off_t)data, SEEK_HOLE);
		hole = r == -1 ? end : MIN((uint64_t)r, end);
		map[n][0] = data;
		map[n][1] = hole - data;
		n++;
		pos = hole;
	}
	if (n == max && pos < end) {
		/* Too fragmented to list: one extent to the end. */
		map[max - 1][1] = end - map[max - 1][0];
	}
	return n;
}

static int
send_data(struct worker *w, const struct task *t, unsigned char *buf,
    size_t len)
{
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_DATA;
	ev.task = t->handle;
	ev.data = buf;
	ev.datalen = (uint32_t)len;
	w->sink->emit(w->sink, &ev);
	return 0;
}

/*
 * Fill the extents' bytes; a file that shrank gives shorter extents and
 * sets *shrank.
 */
static int
read_extents(int fd, uint64_t (*ext)[2], uint32_t next, unsigned char *out,
    int *shrank)
{
	ssize_t r;

	for (uint32_t i = 0; i < next; i++) {
		uint64_t got = 0;

		while (got < ext[i][1]) {
			r = pread(fd, out + got, (size_t)(ext[i][1] - got),
			    (off_t)(ext[i][0] + got));
			if (r == -1 && errno == EINTR)
				continue;
			if (r == -1)
				return -1;
			if (r == 0)
				break;
			got += (uint64_t)r;
		}
		out += got;
		if (got < ext[i][1])
			*shrank = 1;
		ext[i][1] = got;
	}
	return 0;
}

/*
 * A file of several pieces is read through several opens, so each must
 * find the file that was planned, or the member would be put together
 * from two files (one renamed over the other, as a log rotation does).
 * A file of one piece is read through one open, as far as it reaches,
 * as tar does.
 */
static int
replaced(const struct task *t, int fd, uint64_t end)
{
	/* A short file is found by the read itself (RD_SHRANK). */
	return (t->off > 0 || end < t->st.size) &&
	    safe_source_changed(fd, &t->st, 0) == OP_REPLACED;
}

/* The answer for a piece of a replaced file: its header alone. */
static int
send_replaced(struct worker *w, const struct task *t)
{
	struct rdhdr *h = xcalloc(1, sizeof(*h));

	h->flags = RD_REPLACED;
	return send_data(w, t, (unsigned char *)h, sizeof(*h));
}

/* TASK_READ: [off, off + len) of a file for the archive writer. */
int
archtask_read(struct worker *w, const struct task *t)
{
	uint64_t (*map)[2] = NULL, (*ext)[2];
	struct xblob xb = { NULL, 0, 0 };
	struct rdhdr h;
	uint64_t end = MIN(t->off + t->len, t->st.size), total = 0;
	int srcdir, fd, err = 0, shrank = 0;
	int sparse = w->rc->sparse != SPARSE_NEVER && copy_is_sparse(&t->st);
	unsigned char *buf, *p;
	size_t size;

	if ((srcdir = worker_src_dir(w, &t->dir)) == -1) {
		worker_fail(w, OP_OPENDIR, SIDE_SRC, errno, NULL);
		return errno;
	}
	if ((fd = safe_open_source(srcdir, t->name)) == -1) {
		err = errno;
		if (err != ECANCELED)
			worker_fail(w, OP_OPEN, SIDE_SRC, err, NULL);
		return err;
	}
	if (replaced(t, fd, end)) {
		(void)close(fd);
		return send_replaced(w, t);
	}
	/* Per call: several threads of a process run this at once. */
	ext = xmalloc(MAX_EXTENTS * sizeof(*ext));
	memset(&h, 0, sizeof(h));
	h.flags = sparse ? RD_SPARSE : 0;
	if (t->flags & TF_CREATE) {
		if (w->rc->preserve & (PRESERVE_XATTR | PRESERVE_ACL))
			read_xattrs(w, fd, &xb);
		if (sparse) {
			map = xmalloc(MAX_EXTENTS * sizeof(*map));
			h.nmap = data_map(fd, &t->st, 1, 0, t->st.size, map,
			    MAX_EXTENTS);
		}
	}
	h.next = data_map(fd, &t->st, sparse, t->off, end, ext, MAX_EXTENTS);
	for (uint32_t i = 0; i < h.next; i++)
		total += ext[i][1];
	h.xattrlen = (uint32_t)xb.len;
	size = sizeof(h) + xb.len + 16 * ((size_t)h.nmap + h.next) + total;
	buf = p = xmalloc(size);
	p += sizeof(h) + xb.len + 16 * (size_t)h.nmap + 16 * (size_t)h.next;
	if (read_extents(fd, ext, h.next, p, &shrank) == -1) {
		err = errno;
		worker_fail(w, OP_READ, SIDE_SRC, err, NULL);
		free(buf);
	} else {
		if (shrank || (!sparse && total < end - t->off))
			h.flags |= RD_SHRANK;
		p = buf;
		memcpy(p, &h, sizeof(h));
		p += sizeof(h);
		if (xb.len > 0)
			memcpy(p, xb.p, xb.len);
		p += xb.len;
		if (h.nmap > 0)
			memcpy(p, map, 16 * (size_t)h.nmap);
		p += 16 * (size_t)h.nmap;
		memcpy(p, ext, 16 * (size_t)h.next);
		err = send_data(w, t, buf, size);
		w->reported += total;
	}
	xblob_free(&xb);
	free(map);
	free(ext);
	(void)close(fd);
	return err;
}

static int
write_at(int fd, const unsigned char *p, size_t n, uint64_t off)
{
	ssize_t r;

	while (n > 0) {
		r = pwrite(fd, p, n, (off_t)off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/*
 * Write a TASK_PUT's extents (see archtask.h) into fd.  Returns 0, or -1
 * with errno set; EINVAL for data that does not hold together or falls
 * outside the file's size.
 */
static int
write_extents(int fd, const struct task *t, uint64_t *written)
{
	struct puthdr h;
	const unsigned char *data, *ext;
	uint64_t e[2], sum = 0;

	if (t->datalen < sizeof(h))
		goto bad;
	memcpy(&h, t->data, sizeof(h));
	if ((uint64_t)sizeof(h) + h.datalen + 16 * (uint64_t)h.next !=
	    t->datalen)
		goto bad;
	data = t->data + sizeof(h);
	ext = data + h.datalen;
	for (uint32_t i = 0; i < h.next; i++) {
		memcpy(e, ext + 16 * (size_t)i, sizeof(e));
		if (e[1] > h.datalen - sum || e[0] > t->st.size ||
		    e[1] > t->st.size - e[0])
			goto bad;
		if (write_at(fd, data + sum, (size_t)e[1], e[0]) == -1)
			return -1;
		sum += e[1];
		*written += e[1];
	}
	if (sum == h.datalen)
		return 0;
bad:
	errno = EINVAL;
	return -1;
}

static int
apply(struct worker *w, const struct task *t, int dstdir, int fd,
    mode_t created)
{
	struct objref src = nodetask_src(t, -1);

	return nodetask_meta(w, t, &src, fd, dstdir, created);
}

/*
 * Create t's file: in place in a fresh directory when it is all in this
 * piece, else under its temporary name.  Returns a descriptor or -1
 * (reported); *skip is set when -u or --no-clobber keeps what is there.
 */
static int
create_put(struct worker *w, const struct task *t, int dstdir,
    struct dest *d, mode_t mode, int *skip)
{
	int fresh = (t->flags & TF_FRESH) && (t->flags & TF_LAST), fd, r;
	int absent = 0;

	*skip = 0;
	if (!fresh && (r = nodetask_check_target(w, t, dstdir,
	    task_target(t), &absent)) != 0) {
		*skip = r == TASK_SKIPPED;
		return -1;
	}
	dest_begin(d, dstdir, task_target(t), (fresh ? TF_FRESH : 0) |
	    (t->flags & TF_RETRY), w->rc->pid, t->tmpseq);
	d->absent = absent;
	if ((fd = dest_open_file(d, mode, (t->flags & TF_LAST) != 0)) == -1)
		worker_fail(w, OP_CREATE, SIDE_DST, errno, NULL);
	else if (t->st.size > 0 && ftruncate(fd, (off_t)t->st.size) == -1) {
		worker_fail(w, OP_WRITE, SIDE_DST, errno, NULL);
		(void)close(fd);
		dest_abort(d);
		fd = -1;
	}
	return fd;
}

/* TASK_PUT: write one piece of an extracted file. */
int
archtask_put(struct worker *w, const struct task *t)
{
	mode_t mode = (t->flags & TF_LAST) ? nodetask_create_mode(w, t) :
	    S_IRUSR | S_IWUSR;
	int dstdir, fd, err = 0, merr = 0, skip = 0;
	struct dest d;

	if ((dstdir = worker_dst_dir(w, &t->dir)) == -1) {
		worker_fail(w, OP_OPENDIR, SIDE_DST, errno, NULL);
		return errno;
	}
	if (t->flags & TF_CREATE) {
		if ((fd = create_put(w, t, dstdir, &d, mode, &skip)) == -1)
			return skip ? TASK_SKIPPED : EIO;
	} else {
		dest_begin(&d, dstdir, task_target(t), 0, w->rc->pid, t->tmpseq);
		if ((fd = dest_reopen_file(&d)) == -1) {
			err = errno;
			worker_fail(w, OP_OPEN, SIDE_DST, err, NULL);
			return err;
		}
	}
	if (write_extents(fd, t, &w->reported) == -1) {
		err = errno;
		worker_fail(w, OP_WRITE, SIDE_DST, err, NULL);
	}
	if (err == 0 && (t->flags & TF_LAST)) {
		dest_unmark(&d, fd);
		merr = apply(w, t, dstdir, fd, mode);
		if (dest_link(&d, fd) == -1) {
			err = errno;
			worker_fail(w, OP_CREATE, SIDE_DST, err, NULL);
		}
	}
	if (close(fd) == -1 && err == 0) {
		err = errno;
		worker_fail(w, OP_WRITE, SIDE_DST, err, NULL);
	}
	if (err != 0 && (t->flags & TF_CREATE))
		dest_abort(&d);
	if (err == 0 && (t->flags & TF_LAST) && dest_commit(&d) == -1) {
		err = errno;
		worker_fail(w, OP_RENAME, SIDE_DST, err, NULL);
		dest_abort(&d);
	}
	return err != 0 ? err : merr;
}

/* TASK_PUTFIN: metadata and name of a file written in pieces. */
int
archtask_putfin(struct worker *w, const struct task *t)
{
	int dstdir, fd, err = 0, merr = 0;
	struct dest d;

	if ((dstdir = worker_dst_dir(w, &t->dir)) == -1) {
		worker_fail(w, OP_OPENDIR, SIDE_DST, errno, NULL);
		return errno;
	}
	dest_begin(&d, dstdir, task_target(t), 0, w->rc->pid, t->tmpseq);
	if (t->flags & TF_FAILED) {
		dest_abort(&d);
		return ECANCELED;
	}
	if ((fd = dest_reopen_file(&d)) == -1) {
		err = errno;
		worker_fail(w, OP_OPEN, SIDE_DST, err, NULL);
		dest_abort(&d);
		return err;
	}
	dest_unmark(&d, fd);
	merr = apply(w, t, dstdir, fd, S_IRUSR | S_IWUSR);
	if (close(fd) == -1) {
		err = errno;
		worker_fail(w, OP_WRITE, SIDE_DST, err, NULL);
	}
	if (err == 0 && dest_commit(&d) == -1) {
		err = errno;
		worker_fail(w, OP_RENAME, SIDE_DST, err, NULL);
	}
	if (err != 0)
		dest_abort(&d);
	return err != 0 ? err : merr;
}
