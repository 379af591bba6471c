/*
 * copy.c - move the bytes of one file, or one range of it, cheapest way
 * first.
 *
 * Each fast path answers done, unsupported or error.  Unsupported falls
 * through to the next path and is remembered for this pair of source
 * device and destination root.  Work goes in pieces of at most PIECE
 * bytes so that a stop request and progress reports are never far apart.
 */
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/types.h>
#include <sys/vfs.h>

#include <linux/fs.h>
#include <linux/magic.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "copy.h"
#include "util.h"

#define PIECE		(8u << 20)
#define ZERO_BLOCK	4096

void
copier_init(struct copier *c, size_t bufsize)
{
	memset(c, 0, sizeof(*c));
	c->bufsize = bufsize;
	c->buf = xmalloc(bufsize);
}

void
copier_fini(struct copier *c)
{
	free(c->buf);
	c->buf = NULL;
}

/* A file whose blocks cover less than its size has holes worth keeping. */
int
copy_is_sparse(const struct finfo *st)
{
	return st->blocks * 512 + 4096 <= st->size;
}

/* File systems whose sizes are not the amount of data. */
static int
is_pseudo_fs(long type)
{
	static const long types[] = {
		PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC,
		SECURITYFS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC,
		BPF_FS_MAGIC, PSTOREFS_MAGIC, EFIVARFS_MAGIC
	};

	for (size_t i = 0; i < NELEM(types); i++)
		if (type == types[i])
			return 1;
	return 0;
}

static struct copy_memo *
memo_for(struct copier *c, uint64_t sdev, uint32_t dkey)
{
	struct copy_memo *m;

	for (unsigned i = 0; i < COPY_MEMO; i++) {
		m = &c->memo[i];
		if (m->used && m->sdev == sdev && m->dkey == dkey)
			return m;
	}
	m = &c->memo[c->next_memo++ % COPY_MEMO];
	memset(m, 0, sizeof(*m));
	m->used = 1;
	m->sdev = sdev;
	m->dkey = dkey;
	m->no_cfr = (c->paths & COPY_NO_CFR) != 0;
	m->no_sendfile = (c->paths & COPY_NO_SENDFILE) != 0;
	m->no_clone = (c->paths & COPY_NO_CLONE) != 0;
	return m;
}

/*
 * Does the source's size say how much there is to copy?  Not when it is 0
 * (procfs shows most files so), nor on the pseudo file systems whose
 * sizes are placeholders (sysfs says 4096 for 23 bytes): those are read
 * to the end, as cp does.  Asked once per source device.
 */
int
copy_size_known(struct copier *c, int sfd, const struct finfo *st,
    uint32_t dkey)
{
	struct copy_memo *m = memo_for(c, st->dev, dkey);
	struct statfs sf;

	if (st->size == 0)
		return 0;
	if (m->pseudo == 0)
		m->pseudo = fstatfs(sfd, &sf) == 0 && is_pseudo_fs(sf.f_type) ?
		    1 : 2;
	return m->pseudo == 2;
}

static void
advance(struct copier *c, uint64_t n)
{
	c->copied += n;
	if (c->progress != NULL)
		c->progress(c->arg, n);
	if (c->delay_us)
		(void)usleep(c->delay_us);
}

static int
unsupported(int err)
{
	return err == EOPNOTSUPP || err == ENOTTY || err == EXDEV ||
	    err == EINVAL || err == ENOSYS || err == EBADF;
}

/*
 * Share the source's extents (btrfs, XFS, ...).  Returns 1 when done, 0
 * when the file system cannot (fall through), -1 on error.
 */
static int
try_clone(struct copier *c, struct copy_memo *m, int sfd, int dfd,
    const struct finfo *st, uint64_t off, uint64_t len)
{
	struct file_clone_range r;
	int rv;

	if (c->reflink == REFLINK_NEVER || m->no_clone || len == 0)
		return 0;
	if (off == 0 && len >= st->size) {
		rv = ioctl(dfd, FICLONE, sfd);
	} else {
		memset(&r, 0, sizeof(r));
		r.src_fd = sfd;
		r.src_offset = off;
		r.src_length = off + len >= st->size ? 0 : len;
		r.dest_offset = off;
		rv = ioctl(dfd, FICLONERANGE, &r);
	}
	if (rv == 0) {
		advance(c, len);
		return 1;
	}
	if (c->reflink == REFLINK_ALWAYS)
		return -1;	/* the caller reports COPY_CLONE */
	if (unsupported(errno))
		m->no_clone = 1;
	return 0;
}

static int
all_zero(const char *p, size_t n)
{
	return n > 0 && p[0] == 0 && memcmp(p, p + 1, n - 1) == 0;
}

/*
 * Write n bytes at off, leaving out whole zero blocks when asked to make
 * holes (--sparse=always); the caller has sized the file already.
 */
static int
write_out(struct copier *c, int dfd, const char *p, size_t n, uint64_t off)
{
	size_t i, step;
	ssize_t w;

	for (i = 0; i < n; i += step) {
		step = MIN(n - i, c->sparse == SPARSE_ALWAYS ? ZERO_BLOCK : n);
		if (c->sparse == SPARSE_ALWAYS && all_zero(p + i, step))
			continue;
		for (size_t done = 0; done < step; done += (size_t)w) {
			w = pwrite(dfd, p + i + done, step - done,
			    (off_t)(off + i + done));
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w == -1)
				return -1;
		}
	}
	return 0;
}

/* One piece through the buffer.  Returns bytes copied, 0 at EOF, -1. */
static ssize_t
piece_rw(struct copier *c, int sfd, int dfd, uint64_t off, size_t n,
    int *side)
{
	ssize_t r;

	do
		r = pread(sfd, c->buf, MIN(n, c->bufsize), (off_t)off);
	while (r == -1 && errno == EINTR);
	if (r == -1) {
		*side = COPY_SRC;
		return -1;
	}
	if (r > 0 && write_out(c, dfd, c->buf, (size_t)r, off) == -1) {
		*side = COPY_DST;
		return -1;
	}
	return r;
}

/*
 * sendfile(2) copies in the kernel between any two files, also across file
 * systems where copy_file_range refuses; it writes at dfd's position,
 * which *dpos tracks (-1: unknown).
 */
static ssize_t
piece_sendfile(struct copy_memo *m, int sfd, int dfd, uint64_t off, size_t n,
    int64_t *dpos)
{
	off_t so = (off_t)off;
	ssize_t r;

	if (*dpos != (int64_t)off && lseek(dfd, (off_t)off, SEEK_SET) == -1)
		return -1;
	*dpos = (int64_t)off;
	r = sendfile(dfd, sfd, &so, n);
	if (r == -1 && (errno == EINVAL || errno == ENOSYS))
		m->no_sendfile = 1;
	if (r > 0)
		*dpos += r;
	else
		*dpos = -1;
	return r;
}

/*
 * Copy [off, off + len) without regard to holes: copy_file_range while the
 * kernel takes it, else sendfile, else read/write.  A short source ends
 * the copy early (the file shrank while we copied it); that is not an
 * error.
 */
static int
copy_plain(struct copier *c, struct copy_memo *m, int sfd, int dfd,
    uint64_t off, uint64_t len, int *side, int64_t *dpos)
{
	ssize_t r;
	size_t n;

	while (len > 0) {
		if (worker_stopping()) {
			errno = ECANCELED;
			*side = COPY_DST;
			return -1;
		}
		n = (size_t)MIN(len, PIECE);
		r = -1;
		if (!m->no_cfr && c->sparse != SPARSE_ALWAYS) {
			loff_t so = (loff_t)off, dof = (loff_t)off;

			r = copy_file_range(sfd, &so, dfd, &dof, n, 0);
			if (r == -1 && unsupported(errno))
				m->no_cfr = 1;
		}
		if (r == -1 && m->no_cfr && !m->no_sendfile &&
		    c->sparse != SPARSE_ALWAYS)
			r = piece_sendfile(m, sfd, dfd, off, n, dpos);
		/* On any other failure read/write names the failing side. */
		if (r == -1 && (r = piece_rw(c, sfd, dfd, off, n, side)) == -1)
			return -1;
		if (r == 0)
			break;
		off += (uint64_t)r;
		len -= (uint64_t)r;
		advance(c, (uint64_t)r);
	}
	return 0;
}

/*
 * Copy only the data extents of [off, off + len); holes stay holes because
 * the caller has set the file's size first.  File systems without
 * SEEK_DATA get a plain copy.
 */
static int
copy_extents(struct copier *c, struct copy_memo *m, int sfd, int dfd,
    uint64_t off, uint64_t len, int *side, int64_t *dpos)
{
	uint64_t end = off + len, pos = off, data, hole;
	off_t r;

	while (pos < end) {
		r = lseek(sfd, (off_t)pos, SEEK_DATA);
		if (r == -1 && errno == ENXIO)
			break;			/* a hole up to the end */
		if (r == -1) {
			if (errno == EINVAL && pos == off)
				return copy_plain(c, m, sfd, dfd, off, len,
				    side, dpos);
			*side = COPY_SRC;
			return -1;
		}
		data = (uint64_t)r;
		if (data >= end)
			break;
		if ((r = lseek(sfd, (off_t)data, SEEK_HOLE)) == -1) {
			*side = COPY_SRC;
			return -1;
		}
		hole = MIN((uint64_t)r, end);
		advance(c, data - pos);
		if (copy_plain(c, m, sfd, dfd, data, hole - data, side,
		    dpos) == -1)
			return -1;
		pos = hole;
	}
	if (pos < end)
		advance(c, end - pos);
	return 0;
}

/*
 * A source whose size says nothing: read it from off to its end through
 * the buffer, whatever that size was.
 */
static int
copy_stream(struct copier *c, int sfd, int dfd, uint64_t off, int *side)
{
	ssize_t r;

	for (;;) {
		if (worker_stopping()) {
			errno = ECANCELED;
			*side = COPY_DST;
			return -1;
		}
		if ((r = piece_rw(c, sfd, dfd, off, c->bufsize, side)) == -1)
			return -1;
		if (r == 0)
			return 0;
		off += (uint64_t)r;
		advance(c, (uint64_t)r);
	}
}

/*
 * Copy [off, off + len) of sfd, described by st, to the same offsets of
 * dfd, a descriptor opened for this copy (so at file position 0).  dkey
 * names the destination file system for the memo (the root).  Returns 0,
 * or -1 with errno set and *side saying which end failed.  With holes to
 * keep (st sparse, or --sparse=always) the caller must have set the
 * destination's size.
 */
int
copy_range(struct copier *c, int sfd, int dfd, const struct finfo *st,
    uint32_t dkey, uint64_t off, uint64_t len, int *side)
{
	struct copy_memo *m = memo_for(c, st->dev, dkey);
	int64_t dpos = 0;
	int r;

	c->copied = 0;
	if (!copy_size_known(c, sfd, st, dkey))
		return copy_stream(c, sfd, dfd, off, side);
	*side = COPY_CLONE;
	if ((r = try_clone(c, m, sfd, dfd, st, off, len)) != 0)
		return r == 1 ? 0 : -1;
	*side = COPY_DST;
	if (c->sparse != SPARSE_NEVER && copy_is_sparse(st))
		return copy_extents(c, m, sfd, dfd, off, len, side, &dpos);
	return copy_plain(c, m, sfd, dfd, off, len, side, &dpos);
}
