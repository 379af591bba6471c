/*
 * unpack.c - the job that extracts an archive into DST: the coordinator
 * reads the members in order, the workers write the files in parallel.
 *
 * Nothing is written outside DST.  Every member path is checked
 * (relative, no "..", path_safe_relative) and so is every hard-link target,
 * which must be a file this run extracted before, and not the link
 * itself.  Directories are made by the coordinator one component at a
 * time, relative to their parent's descriptor, never through a symlink:
 * not one that was in DST (it is replaced, as in a copy) and not one the
 * archive itself made earlier (the member is refused, the classic
 * symlink-then-file escape).  The workers reach directories with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) and create files with
 * O_EXCL | O_NOFOLLOW.
 *
 * A file's data travels to a worker in pieces of at most ARCH_PIECE
 * bytes, each holding as many extents of the file as fit (one for a plain
 * file, many for a sparse one).  What the pieces hold in memory, buffers
 * and extent tables, is counted against ARCH_WINDOW, and so is a fixed
 * cost per piece, so no member can make the reader hold more.  A file of
 * one piece is written and finished by one TASK_PUT; a larger one is
 * created by its first piece, filled by the others in parallel and
 * finished by TASK_PUTFIN, under its temporary name until then.
 * Directory metadata comes last, deepest first, as in a copy.
 *
 * The reader never waits inside the coordinator's loop: a member whose
 * path is still being written by an earlier task (the same name twice),
 * or whose data would overflow the window, is kept where it is and taken
 * up again at the next fill.  Input that stalls is polled, so a signal
 * stops the run within a tenth of a second whatever the input does.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archfmt.h"
#include "unpack.h"
#include "util.h"
#include "engine/coord.h"
#include "engine/report.h"
#include "engine/signals.h"
#include "engine/strtab.h"
#include "worker/archtask.h"
#include "worker/dest.h"
#include "worker/exclude.h"
#include "worker/meta.h"
#include "worker/runconf.h"
#include "worker/safeopen.h"
#include "worker/tasks.h"
#include "worker/xblob.h"

#define MAX_READY	4096		/* tasks read ahead of the workers */
#define PIECE_COST	1024		/* memory of a piece beyond its data */
#define INBUF		(64u << 10)	/* input read at once */

/* A directory of the extraction. */
struct udir {
	uint64_t	 id;
	char		*path;		/* below DST; "." for DST */
	uint32_t	 depth;
	int		 fresh, pristine, has_meta;
	struct finfo	 st;		/* its member's, when has_meta */
	struct xblob	 xattrs;
	struct udir	*anext;
};

enum { UF_PENDING, UF_DONE, UF_FAILED };

struct utask;

/* A member written by a task: found again by path, for hard links. */
struct ufile {
	char		*path;
	struct udir	*dir;
	const char	*name;		/* in path */
	int		 state, symlink;
	struct utask	*waiters;	/* hard links waiting for it */
};

/* A file of several pieces. */
struct ubig {
	struct utask	*fin;		/* its TASK_PUTFIN, sent at the end */
	struct utask	*held;		/* pieces waiting for the first */
	uint32_t	 left;
	int		 created, failed, skipped, reading;
	struct ubig	*next, *prev;	/* in progress, for a clean-up */
};

struct utask {
	struct ctask	 c;		/* first: what the coordinator sees */
	struct ufile	*file;
	struct ubig	*big;
	char		*name;
	unsigned char	*data, *xattrs;
	char		*target;	/* symlink target */
	uint64_t	 mem;		/* counted against the window */
	struct utask	*jnext;		/* on a waiters or held list */
};

/* The piece of a file being filled from the archive. */
struct fill {
	unsigned char	*buf;		/* struct puthdr, then data */
	size_t		 len, cap;	/* of buf */
	uint64_t	(*ext)[2];	/* extents of it */
	size_t		 next, extcap;
};

/* What the reader holds of the member it is on. */
enum mstate {
	M_NONE,		/* no member: read the next header */
	M_WAIT,		/* its path is still being written by a task */
	M_DATA		/* its data is being read */
};

struct member {
	enum mstate	 state;
	struct archive_entry *e;	/* valid until the next header */
	char		*path;		/* checked, below DST */
	const char	*name;		/* in path */
	struct udir	*dir;
	struct finfo	 st;
	struct xblob	 xb;
	const char	*link;		/* hard-link target, or NULL */
	/* M_DATA: the file it becomes, and its pieces so far. */
	struct ufile	*f;
	struct ubig	*big;
	struct fill	 fl;
	int		 first;
	int		 relink;	/* cpio: link the target to this one */
};

enum phase { PH_READ, PH_DIRS, PH_DONE };

struct unpack {
	const struct runconf *rc;
	struct coord	*c;
	struct counts	*counts;	/* the coordinator's */
	struct totals	*totals;
	struct archive	*a;
	const char	*in;		/* for messages */
	int		 infd, in_regular;
	unsigned char	*inbuf;
	int		 dry, verbose, nul;
	enum phase	 phase;
	uint64_t	 next_id, ahead;
	size_t		 nheld;		/* tasks made, not done */
	struct strtab	*dirs, *files;
	struct udir	*alldirs, *root;
	struct ubig	*bigs;
	struct member	 m;
	int		 cachefd;	/* the last directory mkdir used */
	struct udir	*cachedir;
	struct udir	**dirv;		/* PH_DIRS: deepest first */
	size_t		 ndirs, dirpos;
};

static void
refuse(struct unpack *u, const char *member, const char *why)
{
	char *q = path_quote(member);

	warnx("refusing '%s': %s", q, why);
	free(q);
	u->counts->errors++;
}

/* The archive itself cannot be read on (truncated, damaged). */
static void
archive_fail(struct unpack *u)
{
	const char *why = archive_error_string(u->a);
	char *q;

	if (signals_caught())
		return;		/* the read was cut short: no damage */
	q = path_quote(u->in);
	warnx("cannot read archive '%s': %s", q, why != NULL ? why :
	    "damaged or truncated");
	free(q);
	u->counts->errors++;
}

/* -v: name in the directory at dir (below DST), or dir itself. */
static void
say(struct unpack *u, const char *dir, const char *name)
{
	struct where w = { &u->rc->roots[0], dir, name, NULL };

	if (u->verbose && report_verbose(&w, u->nul) == -1)
		u->counts->errors++;
}

static void
member_error(struct unpack *u, const char *member, int err, const char *what)
{
	char *q = path_quote(member);

	warnc(err, "%s '%s'", what, q);
	free(q);
	u->counts->errors++;
}

/* ---- directories ---- */

static struct udir *
dir_add(struct unpack *u, const char *path, struct udir *parent, int fresh)
{
	struct udir *d = xcalloc(1, sizeof(*d));

	d->id = ++u->next_id;
	d->path = xstrdup(path);
	d->depth = parent != NULL ? parent->depth + 1 : 0;
	d->fresh = fresh;
	d->pristine = fresh && (parent == NULL || parent->pristine);
	strtab_put(u->dirs, d->path, d);
	d->anext = u->alldirs;
	u->alldirs = d;
	say(u, d->path, NULL);
	return d;
}

static struct ufile *
file_add(struct unpack *u, const char *path, struct udir *dir)
{
	struct ufile *f = strtab_get(u->files, path);

	if (f == NULL) {
		f = xcalloc(1, sizeof(*f));
		f->path = xstrdup(path);
		strtab_put(u->files, f->path, f);
	}
	f->dir = dir;
	f->name = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
	f->state = UF_PENDING;
	f->symlink = 0;
	return f;
}

/* A descriptor of parent, from the one-entry cache or opened. */
static int
dir_fd(struct unpack *u, struct udir *parent)
{
	if (u->cachedir == parent && u->cachefd != -1)
		return u->cachefd;
	if (u->cachefd != -1)
		(void)close(u->cachefd);
	u->cachefd = safe_open_below(u->rc->roots[0].dstfd, parent->path);
	if (u->cachefd == -1 && errno == EACCES)	/* mode 0300 */
		u->cachefd = safe_open_below_path(u->rc->roots[0].dstfd,
		    parent->path);
	u->cachedir = u->cachefd != -1 ? parent : NULL;
	return u->cachefd;
}

/* Make name in parent as a directory (never through a symlink). */
static int
make_dir(struct unpack *u, struct udir *parent, const char *name,
    const char *path, int *fresh)
{
	int fd, r, op;

	*fresh = 1;
	if (u->dry)
		return 0;
	if ((fd = dir_fd(u, parent)) == -1) {
		member_error(u, parent->path, errno, "cannot open directory");
		return -1;
	}
	if ((r = dest_mkdir(fd, name, NULL, 0, &op)) == -1) {
		if (op == OP_OVERDIR)
			refuse(u, path, "a non-directory is in the way");
		else
			member_error(u, path, errno, "cannot create directory");
		return -1;
	}
	*fresh = r;
	return 0;
}

/* The next directory down from d towards path, made if missing. */
static struct udir *
step_down(struct unpack *u, struct udir *d, const char *path, size_t end,
    const char *member)
{
	char *sub = xstrndup(path, end);
	const char *name = sub + (d == u->root ? 0 : strlen(d->path) + 1);
	struct udir *next;
	struct ufile *f;
	int fresh;

	if ((next = strtab_get(u->dirs, sub)) != NULL) {
		free(sub);
		return next;
	}
	if ((f = strtab_get(u->files, sub)) != NULL) {
		refuse(u, member, f->symlink ? "it goes through a symbolic "
		    "link the archive made" : "a non-directory is in the way");
		free(sub);
		return NULL;
	}
	if (make_dir(u, d, name, sub, &fresh) == -1) {
		free(sub);
		return NULL;
	}
	u->counts->dirs_total++;
	next = dir_add(u, sub, d, fresh);
	free(sub);
	return next;
}

/*
 * The directory at path (a checked member path), made with every missing
 * directory above it, one component at a time.  NULL when it cannot be
 * (reported), in particular when a symlink made by this archive is on
 * the way.
 */
static struct udir *
get_dir(struct unpack *u, const char *path, const char *member)
{
	struct udir *d;
	size_t i;

	if (strcmp(path, ".") == 0)
		return u->root;
	if ((d = strtab_get(u->dirs, path)) != NULL)
		return d;
	d = u->root;
	for (i = 0; d != NULL; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		d = step_down(u, d, path, i, member);
		if (path[i] == '\0')
			break;
	}
	return d;
}

/* ---- tasks ---- */

static struct utask *
utask_new(struct unpack *u, int kind, struct udir *dir, const char *name,
    const struct finfo *st)
{
	struct utask *ut = xcalloc(1, sizeof(*ut));
	struct task *t = &ut->c.t;

	coord_task_init(&ut->c);
	t->seq = ++u->next_id;
	t->tmpseq = t->seq;
	t->kind = (uint8_t)kind;
	t->flags = TF_NOSRC | (dir->fresh ? TF_FRESH : 0) |
	    (dir->pristine ? TF_PRISTINE : 0);
	t->dir.id = dir->id;
	t->dir.root = 0;
	t->dir.path = dir->path;
	t->dir.pathlen = (uint32_t)strlen(dir->path);
	ut->name = xstrdup(name);
	t->name = ut->name;
	t->namelen = (uint16_t)strlen(name);
	if (st != NULL)
		t->st = *st;
	ut->mem = PIECE_COST;
	u->ahead += ut->mem;
	u->nheld++;
	return ut;
}

static void
utask_free(struct unpack *u, struct utask *ut)
{
	u->ahead -= ut->mem;
	u->nheld--;
	free(ut->name);
	free(ut->data);
	free(ut->xattrs);
	free(ut->target);
	free(ut);
}

/* ut goes to the workers. */
static void
push(struct unpack *u, struct utask *ut)
{
	coord_ready(u->c, &ut->c, ut->c.t.datalen);
}

static void
set_xattrs(struct utask *ut, const struct xblob *b)
{
	if (b->len == 0)
		return;
	ut->xattrs = xmalloc(b->len);
	memcpy(ut->xattrs, b->p, b->len);
	ut->c.t.xattrs = ut->xattrs;
	ut->c.t.xattrlen = (uint32_t)b->len;
}

/* ---- a member's metadata ---- */

/*
 * The local id of a member's owner or group: by name as tar does, else
 * its number.  last and lastid keep the last name looked up.
 */
static int64_t
local_id(const char *name, int64_t num, int group, char *last, size_t lastsz,
    int64_t *lastid)
{
	struct passwd *pw;
	struct group *gr;

	if (name == NULL || *name == '\0' || strlen(name) >= lastsz)
		return num;
	if (strcmp(name, last) != 0) {
		if (group) {
			gr = getgrnam(name);
			*lastid = gr != NULL ? (int64_t)gr->gr_gid : -2;
		} else {
			pw = getpwnam(name);
			*lastid = pw != NULL ? (int64_t)pw->pw_uid : -2;
		}
		(void)snprintf(last, lastsz, "%s", name);
	}
	return *lastid == -2 ? num : *lastid;
}

/*
 * A member's owner and group.  An id that no uid_t can hold (negative,
 * or 2^32 - 1 and above) is not wrapped: the member gets ours, and is
 * reported, as tar does.  Returns -1 when one was out of range.
 */
static int
owner_of(const struct unpack *u, struct archive_entry *e, struct finfo *st)
{
	static char lastu[64], lastg[64];
	static int64_t lastuid, lastgid;
	int64_t uid = local_id(archive_entry_uname(e), archive_entry_uid(e),
	    0, lastu, sizeof(lastu), &lastuid);
	int64_t gid = local_id(archive_entry_gname(e), archive_entry_gid(e),
	    1, lastg, sizeof(lastg), &lastgid);
	int rv = 0;

	if (uid < 0 || uid >= UINT32_MAX) {
		uid = u->rc->euid;
		rv = -1;
	}
	if (gid < 0 || gid >= UINT32_MAX) {
		gid = u->rc->egid;
		rv = -1;
	}
	st->uid = (uint32_t)uid;
	st->gid = (uint32_t)gid;
	return rv;
}

static int
finfo_of(const struct unpack *u, struct archive_entry *e, struct finfo *st)
{
	memset(st, 0, sizeof(*st));
	st->mode = archive_entry_mode(e);
	if (!S_ISLNK(st->mode))
		st->mode &= ~(uint32_t)(u->rc->extract_mask & 07777);
	st->size = archive_entry_size_is_set(e) &&
	    archive_entry_size(e) > 0 ? (uint64_t)archive_entry_size(e) : 0;
	st->mtime_ns = (uint32_t)archive_entry_mtime_nsec(e);
	st->mtime = archfmt_time_in(archive_entry_mtime(e), st->mtime_ns);
	if (archive_entry_atime_is_set(e)) {
		st->atime_ns = (uint32_t)archive_entry_atime_nsec(e);
		st->atime = archfmt_time_in(archive_entry_atime(e),
		    st->atime_ns);
	} else {
		st->atime = st->mtime;
		st->atime_ns = st->mtime_ns;
	}
	st->rdev = archive_entry_rdev(e);
	st->nlink = 1;
	return owner_of(u, e, st);
}

/*
 * A member's attributes: xattrs (each name once) and ACLs.  Returns -1
 * when an ACL names a user or group that is known neither by name nor by
 * number: it is left out.
 */
static int
xattrs_of(struct archive_entry *e, struct xblob *b)
{
	const char *name;
	const void *val;
	size_t len;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK) {
		const char *seen;
		const void *sv;
		size_t pos = 0, sl;
		int dup = 0;

		while (xblob_next(b->p, b->len, &pos, &seen, &sv, &sl) == 1)
			dup |= strcmp(seen, name) == 0;
		if (!dup && strncmp(name, "system.posix_acl_", 17) != 0)
			xblob_add(b, name, val, len);
	}
	return archfmt_acl_from_entry(e, ARCHIVE_ENTRY_ACL_TYPE_ACCESS, b) |
	    archfmt_acl_from_entry(e, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT, b);
}

/* ---- a file's data ---- */

static void file_done(struct unpack *, struct ufile *, int);

/* A file of several pieces: its PUTFIN waits for all of them. */
static struct ubig *
big_new(struct unpack *u, struct member *m)
{
	struct ubig *big = xcalloc(1, sizeof(*big));

	big->reading = 1;
	big->fin = utask_new(u, TASK_PUTFIN, m->dir, m->name, &m->st);
	set_xattrs(big->fin, &m->xb);
	big->fin->file = m->f;
	big->fin->big = big;
	big->next = u->bigs;
	if (u->bigs != NULL)
		u->bigs->prev = big;
	u->bigs = big;
	return big;
}

/*
 * The last of a big file: its PUTFIN goes out (to remove it if a piece
 * failed), or, if -u or --no-clobber kept the file there, nothing.
 */
static void
big_end(struct unpack *u, struct ubig *big)
{
	if (big->prev != NULL)
		big->prev->next = big->next;
	else
		u->bigs = big->next;
	if (big->next != NULL)
		big->next->prev = big->prev;
	if (big->skipped) {
		struct ufile *f = big->fin->file;

		utask_free(u, big->fin);
		u->counts->files_done++;
		u->totals->skipped++;
		file_done(u, f, 1);
	} else {
		if (big->failed)
			big->fin->c.t.flags |= TF_FAILED;
		push(u, big->fin);
	}
	free(big);
}

/* Queue a piece of a file of several pieces. */
static void
big_piece(struct unpack *u, struct ubig *big, struct utask *ut)
{
	ut->big = big;
	ut->c.t.tmpseq = big->fin->c.t.tmpseq;
	if (big->failed || big->skipped) {
		utask_free(u, ut);	/* nothing to write it into */
		return;
	}
	big->left++;
	if (big->created || (ut->c.t.flags & TF_CREATE)) {
		push(u, ut);
	} else {
		ut->jnext = big->held;
		big->held = ut;
	}
}

/* The piece being filled becomes a TASK_PUT (see archtask.h). */
static struct utask *
piece_task(struct unpack *u, struct member *m)
{
	struct fill *fl = &m->fl;
	struct utask *ut = utask_new(u, TASK_PUT, m->dir, m->name, &m->st);
	size_t counted = fl->cap + 16 * fl->extcap, extbytes = 16 * fl->next;
	struct puthdr h;

	if (fl->buf == NULL)
		fl->len = sizeof(h);
	if (fl->len + extbytes > fl->cap) {
		fl->cap = fl->len + extbytes;
		fl->buf = xrealloc(fl->buf, fl->cap);
	}
	h.next = (uint32_t)fl->next;
	h.datalen = (uint32_t)(fl->len - sizeof(h));
	memcpy(fl->buf, &h, sizeof(h));
	if (extbytes > 0)
		memcpy(fl->buf + fl->len, fl->ext, extbytes);
	ut->data = fl->buf;
	ut->c.t.data = fl->buf;
	ut->c.t.datalen = (uint32_t)(fl->len + extbytes);
	/* The buffer moves to the task, and is counted there. */
	u->ahead -= counted;
	u->ahead += fl->cap;
	ut->mem += fl->cap;
	free(fl->ext);
	memset(fl, 0, sizeof(*fl));
	return ut;
}

/* The memory of the piece being filled, as counted against the window. */
static void
fill_count(struct unpack *u, struct fill *fl, size_t oldcap, size_t oldext)
{
	u->ahead += (fl->cap - oldcap) + 16 * (fl->extcap - oldext);
}

/*
 * Add a block of data at off to the piece being filled, growing its
 * buffer and its extent table (a block that starts where the last extent
 * ends extends it).
 */
static void
fill_add(struct unpack *u, struct fill *fl, const void *p, size_t size,
    uint64_t off)
{
	size_t oldcap = fl->cap, oldext = fl->extcap;

	if (fl->buf == NULL)
		fl->len = sizeof(struct puthdr);
	if (fl->len + size > fl->cap) {
		fl->cap = MAX(fl->len + size, MIN(ARCH_PIECE,
		    MAX(fl->cap * 2, 65536)));
		fl->buf = xrealloc(fl->buf, fl->cap);
	}
	memcpy(fl->buf + fl->len, p, size);
	fl->len += size;
	if (fl->next > 0 && fl->ext[fl->next - 1][0] +
	    fl->ext[fl->next - 1][1] == off) {
		fl->ext[fl->next - 1][1] += size;
	} else {
		if (fl->next == fl->extcap) {
			fl->extcap = MAX(16, fl->extcap * 2);
			fl->ext = xrealloc(fl->ext, fl->extcap *
			    sizeof(*fl->ext));
		}
		fl->ext[fl->next][0] = off;
		fl->ext[fl->next][1] = size;
		fl->next++;
	}
	fill_count(u, fl, oldcap, oldext);
}

/* Bytes the piece being filled would hold with size more in a new extent. */
static size_t
fill_size(const struct fill *fl, size_t size)
{
	return (fl->buf == NULL ? sizeof(struct puthdr) : fl->len) + size +
	    16 * (fl->next + 1);
}

/* The piece being filled is full: out it goes, as a piece of a big file. */
static void
flush_piece(struct unpack *u, struct member *m)
{
	struct utask *ut;

	if (m->big == NULL)
		m->big = big_new(u, m);
	ut = piece_task(u, m);
	ut->c.t.flags |= m->first ? TF_CREATE : 0;
	m->first = 0;
	big_piece(u, m->big, ut);
}

/* Is there room for more read-ahead? */
static int
room(const struct unpack *u)
{
	return u->ahead < ARCH_WINDOW && u->nheld < MAX_READY;
}

static void plan_link(struct unpack *, struct udir *, const char *,
    const char *, int);

/* The member's data could not be read: what it made is undone. */
static void
data_failed(struct unpack *u, struct member *m)
{
	size_t cap = m->fl.cap, ext = m->fl.extcap;

	free(m->fl.buf);
	free(m->fl.ext);
	u->ahead -= cap + 16 * ext;
	memset(&m->fl, 0, sizeof(m->fl));
	m->f->state = UF_FAILED;
	file_done(u, m->f, 0);
	if (m->big != NULL) {
		/* Remove what its pieces wrote, once they are done. */
		m->big->failed = 1;
		m->big->reading = 0;
		if (m->big->left == 0)
			big_end(u, m->big);
	}
}

/* The member's data is all read: its last piece goes out. */
static void
data_end(struct unpack *u, struct member *m)
{
	struct utask *ut;

	if (m->big == NULL) {
		ut = piece_task(u, m);
		ut->c.t.flags |= TF_CREATE | TF_LAST;
		ut->file = m->f;
		set_xattrs(ut, &m->xb);
		push(u, ut);
	} else {
		if (m->fl.next > 0)
			flush_piece(u, m);
		m->big->reading = 0;
		if (m->big->left == 0)
			big_end(u, m->big);
	}
	if (m->relink)
		plan_link(u, m->dir, m->path, m->link, 1);
}

/*
 * Read the member's data into pieces while the window has room.  Returns
 * 1 when the member is done (or failed), 0 when the window is full and
 * reading must wait, -1 when the archive cannot be read on (reported).
 */
static int
data_step(struct unpack *u, struct member *m)
{
	const void *p;
	size_t size;
	la_int64_t off;
	int r;

	while (room(u)) {
		r = archive_read_data_block(u->a, &p, &size, &off);
		if (r == ARCHIVE_EOF) {
			data_end(u, m);
			return 1;
		}
		if (r < ARCHIVE_WARN) {
			archive_fail(u);
			data_failed(u, m);
			return r == ARCHIVE_FATAL ? -1 : 1;
		}
		if (size == 0)
			continue;	/* the size alone makes a trailing hole */
		if (off < 0 || (uint64_t)off > m->st.size ||
		    size > m->st.size - (uint64_t)off) {
			refuse(u, m->path, "its data lies outside its size");
			data_failed(u, m);
			return 1;
		}
		/* A new piece when this one is full. */
		if (m->fl.next > 0 && fill_size(&m->fl, size) > ARCH_PIECE)
			flush_piece(u, m);
		fill_add(u, &m->fl, p, size, (uint64_t)off);
	}
	return 0;
}

/* ---- links ---- */

/*
 * A hard link at path to target, a member extracted before: once that is
 * written, link it.  relink: make target a link to path instead (the
 * data came with the later name, as GNU cpio writes them).
 */
static void
plan_link(struct unpack *u, struct udir *dir, const char *path,
    const char *target, int relink)
{
	size_t cap = strlen(target) + 2;
	char *clean = xmalloc(cap);
	struct ufile *f, *from, *to;
	struct utask *ut;
	struct task *t;

	if (path_safe_relative(target, clean, cap) == -1) {
		refuse(u, path, "its hard-link target is not a safe relative "
		    "path");
		free(clean);
		return;
	}
	if (strcmp(clean, path) == 0) {
		/* It would wait for itself; bsdtar skips it too. */
		refuse(u, path, "a hard link to itself");
		free(clean);
		return;
	}
	f = strtab_get(u->files, clean);
	free(clean);
	if (f == NULL || f->state == UF_FAILED) {
		refuse(u, path, "its hard-link target was not extracted "
		    "before it");
		return;
	}
	to = relink ? f : file_add(u, path, dir);
	from = relink ? strtab_get(u->files, path) : f;
	if (from == NULL) {
		refuse(u, path, "its data could not be extracted");
		return;
	}
	ut = utask_new(u, TASK_LINK, to->dir, to->name, NULL);
	t = &ut->c.t;
	t->ldir.id = from->dir->id;
	t->ldir.root = 0;
	t->ldir.path = from->dir->path;
	t->ldir.pathlen = (uint32_t)strlen(from->dir->path);
	ut->target = xstrdup(from->name);
	t->lname = ut->target;
	t->lnamelen = (uint16_t)strlen(from->name);
	/* Over what is there (the earlier name), by rename, not in place. */
	t->flags &= ~(TF_NOSRC | (relink ? TF_FRESH : 0));
	to->symlink = from->symlink;
	ut->file = relink ? NULL : to;
	if (!relink)
		to->state = UF_PENDING;
	if (from->state == UF_PENDING) {
		ut->jnext = from->waiters;
		from->waiters = ut;
	} else {
		push(u, ut);
	}
}

/* ---- members ---- */

static void
member_clear(struct member *m)
{
	free(m->path);
	xblob_free(&m->xb);
	memset(m, 0, sizeof(*m));
}

/* A symbolic link, a device, a fifo or a socket: one task each. */
static void
plan_node(struct unpack *u, struct member *m, int type)
{
	const char *target;
	struct utask *ut;

	if (type == AE_IFLNK) {
		target = archive_entry_symlink(m->e);
		if (target == NULL || strlen(target) >= PATH_MAX) {
			refuse(u, m->path, target == NULL ? "a symbolic link "
			    "without a target" : "a symbolic link target "
			    "longer than PATH_MAX");
			return;
		}
		ut = utask_new(u, TASK_SYMLINK, m->dir, m->name, &m->st);
		ut->target = xstrdup(target);
		ut->c.t.lname = ut->target;
		ut->c.t.lnamelen = (uint16_t)strlen(target);
	} else if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO ||
	    type == AE_IFSOCK) {
		ut = utask_new(u, TASK_SPECIAL, m->dir, m->name, &m->st);
	} else {
		refuse(u, m->path, "of a type that cannot be extracted");
		return;
	}
	set_xattrs(ut, &m->xb);
	ut->file = file_add(u, m->path, m->dir);
	ut->file->symlink = type == AE_IFLNK;
	push(u, ut);
}

/*
 * The member's path is free: make its task.  A regular file (or a link
 * that carries its group's data, as cpio writes them) goes on to M_DATA.
 */
static void
plan_member(struct unpack *u, struct member *m)
{
	int type = archive_entry_filetype(m->e);

	m->state = M_NONE;
	if (m->link != NULL && archive_entry_size(m->e) > 0) {
		/* Write it, then make the earlier name a link to it. */
		m->relink = 1;
		type = AE_IFREG;
	} else if (m->link != NULL) {
		plan_link(u, m->dir, m->path, m->link, 0);
		return;
	}
	if (type != AE_IFREG) {
		plan_node(u, m, type);
		return;
	}
	m->f = file_add(u, m->path, m->dir);
	m->first = 1;
	m->state = M_DATA;
}

/*
 * Take up a member just read: check its path and make its directories.
 * A directory's own metadata waits for the end; anything else may have
 * to wait for an earlier member of the same path (M_WAIT).
 */
static void
member_begin(struct unpack *u, struct member *m)
{
	const char *raw = archive_entry_pathname(m->e);
	size_t cap = raw != NULL ? strlen(raw) + 2 : 2;
	int type = archive_entry_filetype(m->e);
	struct udir *dir;
	struct ufile *f;
	char *up;

	m->path = xmalloc(cap);
	if (path_safe_relative(raw, m->path, cap) == -1) {
		refuse(u, raw ? raw : "", errno == ENAMETOOLONG ? "a name in "
		    "its path is too long" : "not a safe relative path");
		return;
	}
	m->name = strrchr(m->path, '/') ? strrchr(m->path, '/') + 1 : m->path;
	if (u->rc->nexcludes > 0 && exclude_match(u->rc->excludes,
	    u->rc->nexcludes, m->name, m->path, type == AE_IFDIR))
		return;
	/* Owners are kept by root only, as tar does. */
	if (finfo_of(u, m->e, &m->st) == -1 && u->rc->is_root &&
	    (u->rc->preserve & PRESERVE_OWNER)) {
		char *q = path_quote(m->path);

		warnx("'%s': its owner or group is out of range; it is "
		    "extracted with ours", q);
		free(q);
		u->counts->errors++;
	}
	if ((u->rc->preserve & (PRESERVE_XATTR | PRESERVE_ACL)) &&
	    xattrs_of(m->e, &m->xb) == -1 && (u->rc->preserve & PRESERVE_ACL)) {
		char *q = path_quote(m->path);

		warnx("'%s': its ACL names a user or group unknown here; "
		    "it is extracted without it", q);
		free(q);
		u->counts->errors++;
	}
	if (type == AE_IFDIR || strcmp(m->path, ".") == 0) {
		if ((dir = get_dir(u, m->path, raw)) != NULL) {
			dir->has_meta = 1;
			dir->st = m->st;
			xblob_free(&dir->xattrs);
			dir->xattrs = m->xb;
			memset(&m->xb, 0, sizeof(m->xb));
		}
		return;
	}
	up = path_dirname(m->path);
	m->dir = get_dir(u, up, raw);
	free(up);
	if (m->dir == NULL)
		return;
	u->counts->files_total++;
	m->link = archive_entry_hardlink(m->e);
	f = strtab_get(u->files, m->path);
	/* A member again: the later one wins, once the earlier is done. */
	m->state = f != NULL && f->state == UF_PENDING ? M_WAIT : M_NONE;
	if (m->state == M_NONE)
		plan_member(u, m);
}

/*
 * Read the next header.  Returns 1 when there is a member, 0 at the end,
 * -1 when the archive cannot be read on (reported).
 */
static int
next_header(struct unpack *u, struct member *m)
{
	int r;

	do
		r = archive_read_next_header(u->a, &m->e);
	while (r == ARCHIVE_RETRY);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		archive_fail(u);
		return r == ARCHIVE_FATAL ? -1 : 2;
	}
	return 1;
}

/*
 * Read on while the window has room: finish the member in hand, then
 * the next ones.  Returns 0 while there is more to read, 1 at the end of
 * the archive (or when it cannot be read on).
 */
static int
read_step(struct unpack *u)
{
	struct member *m = &u->m;
	struct ufile *f;
	int r;

	while (room(u)) {
		if (m->state == M_WAIT) {
			f = strtab_get(u->files, m->path);
			if (f->state == UF_PENDING)
				return 0;
			plan_member(u, m);
		}
		if (m->state == M_DATA) {
			if ((r = data_step(u, m)) == 0)
				return 0;
			m->state = M_NONE;
			if (r == -1)
				return 1;
		}
		member_clear(m);
		if ((r = next_header(u, m)) == 0 || r == -1)
			return 1;
		if (r == 1)
			member_begin(u, m);
	}
	return 0;
}

/* ---- the end: directory metadata, deepest first ---- */

static int
by_depth(const void *a, const void *b)
{
	const struct udir *x = *(struct udir *const *)a;
	const struct udir *y = *(struct udir *const *)b;

	return (x->depth < y->depth) - (x->depth > y->depth);
}

/*
 * A directory made only for what is below it gets the mode tar gives one:
 * 0777 less the umask.  Through a descriptor opened without following a
 * symlink, never by path.
 */
static void
default_mode(struct unpack *u, struct udir *d)
{
	int fd = safe_open_below(u->rc->roots[0].dstfd, d->path);

	if (fd == -1)
		return;
	(void)fchmod(fd, 0777 & ~u->rc->umask);
	(void)close(fd);
}

/* Every directory, deepest first, for the metadata phase. */
static void
dirs_begin(struct unpack *u)
{
	size_t i = 0;

	for (struct udir *d = u->alldirs; d != NULL; d = d->anext)
		u->ndirs++;
	u->dirv = xcalloc(u->ndirs ? u->ndirs : 1, sizeof(*u->dirv));
	for (struct udir *d = u->alldirs; d != NULL; d = d->anext)
		u->dirv[i++] = d;
	qsort(u->dirv, u->ndirs, sizeof(*u->dirv), by_depth);
	u->phase = PH_DIRS;
}

/*
 * The next depth of directories gets its member's metadata, once the one
 * below is done (a 0500 directory must not be closed before what is
 * below).  A directory made only for what is below it gets the default
 * mode.
 */
static void
dirs_step(struct unpack *u)
{
	uint32_t depth;

	if (u->dirpos == u->ndirs) {
		u->phase = PH_DONE;
		return;
	}
	depth = u->dirv[u->dirpos]->depth;
	for (; u->dirpos < u->ndirs && u->dirv[u->dirpos]->depth == depth;
	    u->dirpos++) {
		struct udir *d = u->dirv[u->dirpos];
		struct utask *ut;

		if (!d->has_meta) {
			if (d->fresh && !u->dry)
				default_mode(u, d);
			continue;
		}
		ut = utask_new(u, TASK_DIRMETA, d, ".", &d->st);
		set_xattrs(ut, &d->xattrs);
		push(u, ut);
	}
}

/* ---- the job ---- */

/* job_ops.fill: read members while the window has room; then the dirs. */
static int
job_fill(void *job, struct coord *c)
{
	struct unpack *u = job;

	if (u->phase == PH_READ && read_step(u) == 1) {
		u->counts->total_final = 1;
		dirs_begin(u);
	}
	if (u->a != NULL)
		u->counts->bytes_done = (uint64_t)archive_filter_bytes(u->a,
		    -1);
	/* Depths with nothing to send go by at once. */
	while (u->phase == PH_DIRS && !coord_busy(c) && u->nheld == 0)
		dirs_step(u);
	return 0;
}

/* job_ops.event: a failure, named by the member's path. */
static void
job_event(void *job, struct coord *c, struct ctask *ct, struct event *ev)
{
	struct unpack *u = job;
	struct where w;

	(void)c;
	if (ev->kind != EV_ERROR)
		return;
	w.root = &u->rc->roots[0];
	w.dir = ct->t.dir.path;
	w.name = ev->name != NULL ? ev->name : ct->t.kind == TASK_DIRMETA ?
	    NULL : ct->t.name;
	w.dname = NULL;
	report_failure(&w, ev->op, ev->side, ev->err);
	u->counts->errors++;
}

/*
 * A file (or link) is written or has failed: its hard links go out, or
 * fail with it, and theirs in turn.
 */
static void
file_done(struct unpack *u, struct ufile *f, int ok)
{
	struct utask *w;

	f->state = ok ? UF_DONE : UF_FAILED;
	while ((w = f->waiters) != NULL) {
		f->waiters = w->jnext;
		if (ok) {
			push(u, w);
		} else {
			struct ufile *wf = w->file;

			refuse(u, wf->path, "its hard-link target could not be "
			    "extracted");
			utask_free(u, w);
			file_done(u, wf, 0);
		}
	}
}

static void
big_done(struct unpack *u, struct utask *ut, int err)
{
	struct ubig *big = ut->big;
	struct utask *h;
	int create = (ut->c.t.flags & TF_CREATE) != 0;

	if (err == TASK_SKIPPED)
		big->skipped = 1;	/* -u, --no-clobber: kept as it was */
	else if (err > 0)
		big->failed = 1;
	if (create && !big->failed && !big->skipped)
		big->created = 1;
	/* Pieces that waited for the first: out now, or dropped. */
	while (create && (h = big->held) != NULL) {
		big->held = h->jnext;
		if (big->created) {
			push(u, h);
		} else {
			big->left--;
			utask_free(u, h);
		}
	}
	if (--big->left == 0 && !big->reading)
		big_end(u, big);
}

static void
tally(struct unpack *u, const struct utask *ut, int err)
{
	const struct task *t = &ut->c.t;

	u->counts->files_done++;
	if (err == 0 || err == TASK_PARTIAL) {
		if (t->kind == TASK_LINK)
			u->totals->links++;
		else if (t->kind == TASK_SYMLINK)
			u->totals->symlinks++;
		else if (t->kind == TASK_SPECIAL)
			u->totals->specials++;
		else
			u->totals->files++;
		if (ut->file != NULL)
			say(u, ut->file->dir->path, ut->file->name);
	}
	if (err == TASK_SKIPPED)
		u->totals->skipped++;
}

/* job_ops.done */
static void
job_done(void *job, struct coord *c, struct ctask *ct, const struct event *ev)
{
	struct unpack *u = job;
	struct utask *ut = (struct utask *)ct;
	const struct task *t = &ct->t;
	int err = ev->err;

	(void)c;
	u->totals->bytes += ev->bytes;
	if (t->kind == TASK_PUT && ut->big != NULL) {
		big_done(u, ut, err);
	} else if (t->kind == TASK_DIRMETA) {
		u->counts->dirs_done++;
	} else {
		tally(u, ut, err);
		if (ut->file != NULL)
			file_done(u, ut->file, err <= 0 &&
			    !(t->flags & TF_FAILED));
	}
	utask_free(u, ut);
}

/* Remove what t may have half written. */
static void
remove_partial(struct unpack *u, const struct task *t)
{
	char tmp[64];
	int fd;

	if (t->kind != TASK_PUT && t->kind != TASK_PUTFIN)
		return;
	if ((fd = safe_open_below(u->rc->roots[0].dstfd, t->dir.path)) == -1)
		return;
	dest_tmpname(tmp, sizeof(tmp), u->rc->pid, t->tmpseq);
	(void)unlinkat(fd, tmp, 0);
	if ((t->flags & (TF_CREATE | TF_LAST | TF_FRESH)) ==
	    (TF_CREATE | TF_LAST | TF_FRESH))
		(void)unlinkat(fd, t->name, 0);
	(void)close(fd);
}

/*
 * job_ops.lost: what a dead worker was writing is removed, and its retry
 * starts afresh (TF_RETRY); given up, it fails.
 */
static int
job_lost(void *job, struct coord *c, struct ctask *ct, int giveup)
{
	struct unpack *u = job;
	struct event ev;
	struct where w;

	/* Other pieces of a big file write into the file its first one
	 * made, and a finish's pieces are all written: only a file's
	 * creator starts over, or a task given up. */
	if (giveup || (ct->t.kind == TASK_PUT && (ct->t.flags & TF_CREATE)))
		remove_partial(u, &ct->t);
	if (!giveup) {
		ct->t.flags |= TF_RETRY;
		return 1;
	}
	w.root = &u->rc->roots[0];
	w.dir = ct->t.dir.path;
	w.name = ct->t.kind == TASK_DIRMETA ? NULL : ct->t.name;
	w.dname = NULL;
	report_failure(&w, OP_WORKER, SIDE_DST, 0);
	u->counts->errors++;
	memset(&ev, 0, sizeof(ev));
	ev.err = EIO;
	job_done(job, c, ct, &ev);
	return 0;
}

/* job_ops.finished */
static int
job_finished(void *job)
{
	const struct unpack *u = job;

	return u->phase == PH_DONE;
}

/* job_ops.undo: the run ended early; t never finished. */
static void
job_undo(void *job, struct ctask *ct)
{
	remove_partial(job, &ct->t);
}

/* job_ops.drop */
static void
job_drop(void *job, struct ctask *ct)
{
	utask_free(job, (struct utask *)ct);
}

/*
 * job_ops.end: after an incomplete run, big files not finished leave
 * nothing behind.  Complete files stay.
 */
static int
job_end(void *job, int complete)
{
	struct unpack *u = job;

	if (!complete)
		for (struct ubig *b = u->bigs; b != NULL; b = b->next)
			remove_partial(u, &b->fin->c.t);
	else
		u->counts->bytes_done = u->counts->bytes_total;
	return 0;
}

const struct job_ops unpack_job = {
	.fill = job_fill,
	.event = job_event,
	.done = job_done,
	.lost = job_lost,
	.finished = job_finished,
	.undo = job_undo,
	.drop = job_drop,
	.end = job_end,
	.verb = "extracted",
	.noun = "the extraction",
};

/* ---- the input ---- */

/*
 * libarchive's read callback: wait for input a tenth of a second at a
 * time, so that a signal is seen however long the input stalls (a slow
 * pipe, a hung network peer).  A signal ends the archive with an error.
 */
static la_ssize_t
read_input(struct archive *a, void *arg, const void **buf)
{
	struct unpack *u = arg;
	struct pollfd pfd = { u->infd, POLLIN, 0 };
	ssize_t n;

	for (;;) {
		if (signals_caught()) {
			archive_set_error(a, EINTR, "interrupted");
			return -1;
		}
		/* Read only what is there: a read that waits is restarted
		 * after the signal's handler and would wait on. */
		if (!u->in_regular && poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(u->infd, u->inbuf, INBUF);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1) {
			archive_set_error(a, errno, "cannot read");
			return -1;
		}
		*buf = u->inbuf;
		return n;
	}
}

/* libarchive's skip callback: a regular file seeks past what is unused. */
static la_int64_t
skip_input(struct archive *a, void *arg, la_int64_t request)
{
	struct unpack *u = arg;

	(void)a;
	if (!u->in_regular || request <= 0 ||
	    lseek(u->infd, request, SEEK_CUR) == -1)
		return 0;
	return request;
}

/*
 * libarchive's seek callback: a regular file can be read out of order,
 * which the zip reader needs to find each member's mode and type in the
 * central directory at the end.
 */
static la_int64_t
seek_input(struct archive *a, void *arg, la_int64_t off, int whence)
{
	struct unpack *u = arg;
	off_t r;

	(void)a;
	if (!u->in_regular)
		return ARCHIVE_FATAL;
	r = lseek(u->infd, off, whence);
	return r == -1 ? ARCHIVE_FATAL : (la_int64_t)r;
}

static int
open_reader(struct unpack *u)
{
	struct stat st;

	u->a = archive_read_new();
	(void)archive_read_support_filter_all(u->a);
	/* Only what pcopy writes and what peers write; not mtree, whose
	 * members can name local files to read. */
	(void)archive_read_support_format_tar(u->a);
	(void)archive_read_support_format_cpio(u->a);
	(void)archive_read_support_format_zip(u->a);
	(void)archive_read_support_format_empty(u->a);
	if (fstat(u->infd, &st) == 0 && S_ISREG(st.st_mode)) {
		u->in_regular = 1;
		u->counts->bytes_total = (uint64_t)st.st_size;
	}
	u->inbuf = xmalloc(INBUF);
	(void)archive_read_set_read_callback(u->a, read_input);
	(void)archive_read_set_skip_callback(u->a, skip_input);
	if (u->in_regular)
		(void)archive_read_set_seek_callback(u->a, seek_input);
	(void)archive_read_set_callback_data(u->a, u);
	if (archive_read_open1(u->a) != ARCHIVE_OK) {
		archive_fail(u);
		return -1;
	}
	return 0;
}

/* Make or open DST, the root of the extraction (root 0 of rc). */
static int
open_dst(struct unpack *u, struct runconf *rc, const char *dst)
{
	struct root *r = &rc->roots[0];
	int fresh = u->dry ? 1 : mkdir(dst, S_IRWXU) == 0;
	struct stat pst;
	char *parent;

	if (!u->dry && !fresh && errno != EEXIST) {
		member_error(u, dst, errno, "cannot create directory");
		return -1;
	}
	if (!u->dry && (r->dstfd = open(dst, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		member_error(u, dst, errno, "cannot open directory");
		return -1;
	}
	r->is_dir = 1;
	r->fresh = fresh;
	parent = path_dirname(dst);
	r->pristine = fresh && stat(parent, &pst) == 0 &&
	    !(pst.st_mode & S_ISGID);
	free(parent);
	u->root = dir_add(u, ".", NULL, fresh);
	u->root->pristine = r->pristine;
	return 0;
}

/*
 * Extracting the archive read from infd (named in for messages) into dst,
 * root 0 of rc, which this sets up, on coordinator c.  -v lists what is
 * extracted on stdout, NUL-terminated with nul.  rc->dry_run checks every
 * member and plans every task but writes nothing (the fuzz target).
 * Returns NULL when the archive or dst cannot be opened (reported).
 */
struct unpack *
unpack_new(struct runconf *rc, struct coord *c, int infd, const char *in,
    const char *dst, int verbose, int nul)
{
	struct unpack *u = xcalloc(1, sizeof(*u));

	u->rc = rc;
	u->c = c;
	u->counts = coord_counts(c);
	u->totals = coord_totals(c);
	u->infd = infd;
	u->in = in;
	u->dry = rc->dry_run;
	u->verbose = verbose;
	u->nul = nul;
	u->cachefd = -1;
	u->dirs = strtab_new();
	u->files = strtab_new();
	if (open_dst(u, rc, dst) == -1 || open_reader(u) == -1) {
		unpack_free(u);
		return NULL;
	}
	return u;
}

static void
free_file(void *val, void *arg)
{
	struct ufile *f = val;
	struct unpack *u = arg;

	for (struct utask *w = f->waiters, *wn; w != NULL; w = wn) {
		wn = w->jnext;
		utask_free(u, w);
	}
	free(f->path);
	free(f);
}

/* Free the job, after its coordinator. */
void
unpack_free(struct unpack *u)
{
	if (u == NULL)
		return;
	member_clear(&u->m);
	free(u->m.fl.buf);
	free(u->m.fl.ext);
	for (struct udir *d = u->alldirs, *next; d != NULL; d = next) {
		next = d->anext;
		xblob_free(&d->xattrs);
		free(d->path);
		free(d);
	}
	strtab_free(u->dirs);
	if (u->files != NULL)
		strtab_each(u->files, free_file, u);
	strtab_free(u->files);
	for (struct ubig *b = u->bigs, *next; b != NULL; b = next) {
		next = b->next;
		for (struct utask *h = b->held, *hn; h != NULL; h = hn) {
			hn = h->jnext;
			utask_free(u, h);
		}
		utask_free(u, b->fin);
		free(b);
	}
	if (u->a != NULL)
		archive_read_free(u->a);
	if (u->cachefd != -1)
		(void)close(u->cachefd);
	free(u->inbuf);
	free(u->dirv);
	free(u);
}
