/*
 * unpack.c - extract an archive into DST: the coordinator reads the
 * members in order, the workers write the files in parallel.
 *
 * Nothing is written outside DST.  Every member path is checked
 * (relative, no "..", archfmt_safe_path) and so is every hard-link target,
 * which must be a file this run extracted before.  Directories are made
 * by the coordinator one component at a time, relative to their parent's
 * descriptor, never through a symlink: not one that was in DST (it is
 * replaced, as in a copy) and not one the archive itself made earlier
 * (the member is refused, the classic symlink-then-file escape).  The
 * workers reach directories with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) and create files with O_EXCL | O_NOFOLLOW.
 *
 * A file's data travels to a worker in pieces of at most PIECE bytes,
 * with at most WINDOW bytes read ahead of the workers.  A file of one
 * piece is written and finished by one TASK_PUT; a larger one is created
 * by its first piece, filled by the others in parallel and finished by
 * TASK_PUTFIN, under its temporary name until then.  Directory metadata
 * comes last, deepest first, as in a copy.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archfmt.h"
#include "backend.h"
#include "dest.h"
#include "exclude.h"
#include "meta.h"
#include "pcopy.h"
#include "progress.h"
#include "report.h"
#include "signals.h"
#include "stats.h"
#include "target.h"
#include "tasks.h"
#include "unpack.h"
#include "util.h"
#include "worker.h"

#define PIECE		(4u << 20)
#define WINDOW		(64u << 20)	/* data read ahead of the workers */
#define MAX_READY	4096		/* tasks read ahead of them */
#define HASHSIZE	65536

/* A directory of the extraction. */
struct udir {
	uint64_t	 id;
	char		*path;		/* below DST; "." for DST */
	uint32_t	 depth;
	int		 fresh, pristine, has_meta;
	struct finfo	 st;		/* its member's, when has_meta */
	struct xblob	 xattrs;
	struct udir	*hnext, *anext;
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
	struct ufile	*hnext;
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
	struct task	 t;		/* first: its address is the handle */
	struct ufile	*file;
	struct ubig	*big;
	char		*name;
	unsigned char	*data, *xattrs;
	char		*target;	/* symlink target */
	struct utask	*next, *prev;
};

struct unpack {
	struct pcopy	*pc;
	struct runconf	*rc;
	struct backend	*b;
	struct archive	*a;
	const char	*in, *dst;
	int		 dry, reading, fatal;
	uint64_t	 next_id, ahead;
	struct udir	*dirs[HASHSIZE], *alldirs, *root;
	struct ufile	*files[HASHSIZE];
	struct utask	*ready, *ready_tail, *inflight;
	size_t		 nready;
	struct ubig	*bigs;
	int		 cachefd;	/* the last directory mkdir used */
	struct udir	*cachedir;
	struct counts	 counts;
	struct totals	 totals;
	struct wstats	*wstats;
};

static size_t
hash(const char *s)
{
	return str_hash(s) % HASHSIZE;
}

static void
refuse(struct unpack *u, const char *member, const char *why)
{
	char *q = path_quote(member);

	warnx("refusing '%s': %s", q, why);
	free(q);
	u->counts.errors++;
}

/* The archive itself cannot be read on (truncated, damaged). */
static void
archive_fail(struct unpack *u)
{
	const char *why = archive_error_string(u->a);
	char *q = path_quote(u->in);

	warnx("cannot read archive '%s': %s", q, why != NULL ? why :
	    "damaged or truncated");
	free(q);
	u->counts.errors++;
}

static void
member_error(struct unpack *u, const char *member, int err, const char *what)
{
	char *q = path_quote(member);

	warnc(err, "%s '%s'", what, q);
	free(q);
	u->counts.errors++;
}

/* ---- directories ---- */

static struct udir *
dir_find(struct unpack *u, const char *path)
{
	for (struct udir *d = u->dirs[hash(path)]; d != NULL; d = d->hnext)
		if (strcmp(d->path, path) == 0)
			return d;
	return NULL;
}

static struct udir *
dir_add(struct unpack *u, const char *path, struct udir *parent, int fresh)
{
	struct udir *d = xcalloc(1, sizeof(*d));
	size_t h = hash(path);

	d->id = ++u->next_id;
	d->path = xstrdup(path);
	d->depth = parent != NULL ? parent->depth + 1 : 0;
	d->fresh = fresh;
	d->pristine = fresh && (parent == NULL || parent->pristine);
	d->hnext = u->dirs[h];
	u->dirs[h] = d;
	d->anext = u->alldirs;
	u->alldirs = d;
	return d;
}

static struct ufile *
file_find(struct unpack *u, const char *path)
{
	for (struct ufile *f = u->files[hash(path)]; f != NULL; f = f->hnext)
		if (strcmp(f->path, path) == 0)
			return f;
	return NULL;
}

static struct ufile *
file_add(struct unpack *u, const char *path, struct udir *dir)
{
	struct ufile *f = file_find(u, path);
	size_t h = hash(path);

	if (f == NULL) {
		f = xcalloc(1, sizeof(*f));
		f->path = xstrdup(path);
		f->hnext = u->files[h];
		u->files[h] = f;
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
	u->cachefd = worker_open_below(u->rc->roots[0].dstfd, parent->path);
	if (u->cachefd == -1 && errno == EACCES)	/* mode 0300 */
		u->cachefd = worker_open_below_path(u->rc->roots[0].dstfd,
		    parent->path);
	u->cachedir = u->cachefd != -1 ? parent : NULL;
	return u->cachefd;
}

/* Make name in parent as a directory (never through a symlink). */
static int
make_dir(struct unpack *u, struct udir *parent, const char *name,
    const char *path, int *fresh)
{
	struct stat st;
	int fd;

	*fresh = 1;
	if (u->dry)
		return 0;
	if ((fd = dir_fd(u, parent)) == -1) {
		member_error(u, parent->path, errno, "cannot open directory");
		return -1;
	}
	if (mkdirat(fd, name, S_IRWXU) == 0)
		return 0;
	if (errno != EEXIST || fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW)
	    == -1) {
		member_error(u, path, errno, "cannot create directory");
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		/* One that was in DST: replaced, never followed. */
		if (unlinkat(fd, name, 0) == -1 || mkdirat(fd, name, S_IRWXU)) {
			member_error(u, path, errno, "cannot create directory");
			return -1;
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		refuse(u, path, "a non-directory is in the way");
		return -1;
	}
	*fresh = 0;
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

	if ((next = dir_find(u, sub)) != NULL) {
		free(sub);
		return next;
	}
	if ((f = file_find(u, sub)) != NULL) {
		refuse(u, member, f->symlink ? "it goes through a symbolic "
		    "link the archive made" : "a non-directory is in the way");
		free(sub);
		return NULL;
	}
	if (make_dir(u, d, name, sub, &fresh) == -1) {
		free(sub);
		return NULL;
	}
	u->counts.dirs_total++;
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
	struct udir *d = u->root;
	size_t i;

	if (strcmp(path, ".") == 0)
		return u->root;
	if ((d = dir_find(u, path)) != NULL)
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
	struct task *t = &ut->t;

	t->handle = (uint64_t)(uintptr_t)ut;
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
	t->wslot = -1;
	return ut;
}

static void
utask_free(struct utask *ut)
{
	free(ut->name);
	free(ut->data);
	free(ut->xattrs);
	free(ut->target);
	free(ut);
}

static void
ready_push(struct unpack *u, struct utask *ut)
{
	if (u->dry) {
		/* Fuzzing: nothing is written, so everything is done now. */
		u->ahead -= ut->t.datalen;
		if (ut->file != NULL)
			ut->file->state = UF_DONE;
		utask_free(ut);
		return;
	}
	ut->next = NULL;
	if (u->ready_tail != NULL)
		u->ready_tail->next = ut;
	else
		u->ready = ut;
	u->ready_tail = ut;
	u->nready++;
}

static void
set_xattrs(struct utask *ut, const struct xblob *b)
{
	if (b->len == 0)
		return;
	ut->xattrs = xmalloc(b->len);
	memcpy(ut->xattrs, b->p, b->len);
	ut->t.xattrs = ut->xattrs;
	ut->t.xattrlen = (uint32_t)b->len;
}

/* ---- members ---- */

/* The local id for a member's owner: by name as tar does, else number. */
static void
owner_of(struct archive_entry *e, struct finfo *st)
{
	static char lastu[64], lastg[64];
	static uint32_t lastuid, lastgid;
	static int haveu, haveg;
	const char *un = archive_entry_uname(e), *gn = archive_entry_gname(e);
	struct passwd *pw;
	struct group *gr;

	st->uid = (uint32_t)archive_entry_uid(e);
	st->gid = (uint32_t)archive_entry_gid(e);
	/* Names, as tar does; the last one looked up is kept. */
	if (un != NULL && *un != '\0') {
		if (!haveu || strcmp(un, lastu) != 0) {
			pw = getpwnam(un);
			haveu = pw != NULL && strlen(un) < sizeof(lastu);
			if (haveu) {
				(void)snprintf(lastu, sizeof(lastu), "%s", un);
				lastuid = pw->pw_uid;
			}
		}
		if (haveu && strcmp(un, lastu) == 0)
			st->uid = lastuid;
	}
	if (gn != NULL && *gn != '\0') {
		if (!haveg || strcmp(gn, lastg) != 0) {
			gr = getgrnam(gn);
			haveg = gr != NULL && strlen(gn) < sizeof(lastg);
			if (haveg) {
				(void)snprintf(lastg, sizeof(lastg), "%s", gn);
				lastgid = gr->gr_gid;
			}
		}
		if (haveg && strcmp(gn, lastg) == 0)
			st->gid = lastgid;
	}
}

static void
finfo_of(struct archive_entry *e, struct finfo *st)
{
	memset(st, 0, sizeof(*st));
	st->mode = archive_entry_mode(e);
	st->size = archive_entry_size_is_set(e) ?
	    (uint64_t)archive_entry_size(e) : 0;
	owner_of(e, st);
	st->mtime = archive_entry_mtime(e);
	st->mtime_ns = (uint32_t)archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		st->atime = archive_entry_atime(e);
		st->atime_ns = (uint32_t)archive_entry_atime_nsec(e);
	} else {
		st->atime = st->mtime;
		st->atime_ns = st->mtime_ns;
	}
	st->rdev = archive_entry_rdev(e);
	st->nlink = 1;
}

/* A member's attributes: xattrs (each name once) and ACLs. */
static void
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
	(void)archfmt_acl_from_entry(e, ARCHIVE_ENTRY_ACL_TYPE_ACCESS, b);
	(void)archfmt_acl_from_entry(e, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT, b);
}

static void pump(struct unpack *, int);
static void file_done(struct unpack *, struct ufile *, int);

/* Wait until no task writes path any more (the same member again). */
static void
wait_for(struct unpack *u, struct ufile *f)
{
	while (f->state == UF_PENDING && !u->fatal && !signals_caught())
		pump(u, 100);
}

/* A piece of a file: data[0, len) at off. */
static struct utask *
piece_task(struct unpack *u, struct udir *dir, const char *name,
    const struct finfo *st, unsigned char *data, size_t len, uint64_t off)
{
	struct utask *ut = utask_new(u, TASK_PUT, dir, name, st);

	ut->data = data;
	ut->t.data = data;
	ut->t.datalen = (uint32_t)len;
	ut->t.off = off;
	return ut;
}

/* A file of several pieces: its PUTFIN waits for all of them. */
static struct ubig *
big_new(struct unpack *u, struct udir *dir, const char *name,
    const struct finfo *st, const struct xblob *xb, struct ufile *f)
{
	struct ubig *big = xcalloc(1, sizeof(*big));

	big->reading = 1;
	big->fin = utask_new(u, TASK_PUTFIN, dir, name, st);
	set_xattrs(big->fin, xb);
	big->fin->file = f;
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

		utask_free(big->fin);
		u->counts.files_done++;
		u->totals.skipped++;
		file_done(u, f, 1);
	} else {
		if (big->failed)
			big->fin->t.flags |= TF_FAILED;
		ready_push(u, big->fin);
	}
	free(big);
}

/* Queue a piece of a file of several pieces. */
static void
big_piece(struct unpack *u, struct ubig *big, struct utask *ut)
{
	ut->big = big;
	ut->t.tmpseq = big->fin->t.tmpseq;
	if (big->failed || big->skipped) {
		utask_free(ut);		/* nothing to write it into */
		return;
	}
	u->ahead += ut->t.datalen;
	big->left++;
	if (big->created || (ut->t.flags & TF_CREATE) || u->dry) {
		ready_push(u, ut);
	} else {
		ut->next = big->held;
		big->held = ut;
	}
}

/*
 * Read a regular member's data and queue it: one TASK_PUT when it fits
 * in one piece, else pieces of a big file.  Returns -1 when the archive
 * cannot be read on (reported).
 */
static int
plan_file(struct unpack *u, struct udir *dir, const char *path,
    const char *name, const struct finfo *st, const struct xblob *xb)
{
	struct ufile *f = file_find(u, path);
	struct ubig *big = NULL;
	unsigned char *buf = NULL;
	size_t blen = 0, cap = 0, size;
	la_int64_t off, start = 0;
	const void *p;
	int r, first = 1;

	if (f != NULL)
		wait_for(u, f);	/* a member again: the later one wins */
	f = file_add(u, path, dir);
	for (;;) {
		r = archive_read_data_block(u->a, &p, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			archive_fail(u);
			break;
		}
		if (size == 0)
			continue;	/* the size alone makes a trailing hole */
		/* A new piece at a gap (a hole) or when this one is full. */
		if (buf != NULL && (off != start + (la_int64_t)blen ||
		    blen + size > PIECE)) {
			struct utask *ut;

			if (big == NULL)
				big = big_new(u, dir, name, st, xb, f);
			ut = piece_task(u, dir, name, st, buf, blen,
			    (uint64_t)start);
			ut->t.flags |= first ? TF_CREATE : 0;
			first = 0;
			big_piece(u, big, ut);
			buf = NULL;
			blen = cap = 0;
			/* Hold the window inside a long member too. */
			while (u->ahead >= WINDOW && !u->fatal &&
			    !signals_caught())
				pump(u, 100);
		}
		if (buf == NULL)
			start = off;
		if (blen + size > cap) {
			cap = MAX(blen + size, MIN(PIECE, MAX(cap * 2, 65536)));
			buf = xrealloc(buf, cap);
		}
		memcpy(buf + blen, p, size);
		blen += size;
	}
	if (r < ARCHIVE_WARN) {
		free(buf);
		f->state = UF_FAILED;
		if (big != NULL) {
			/* Remove what its pieces wrote, once they are done. */
			big->failed = 1;
			big->reading = 0;
			if (big->left == 0 || u->dry)
				big_end(u, big);
		}
		return -1;
	}
	if (big == NULL) {
		struct utask *ut = piece_task(u, dir, name, st, buf, blen,
		    (uint64_t)start);

		ut->t.flags |= TF_CREATE | TF_LAST;
		ut->file = f;
		set_xattrs(ut, xb);
		u->ahead += blen;
		ready_push(u, ut);
		return 0;
	}
	if (buf != NULL)
		big_piece(u, big, piece_task(u, dir, name, st, buf, blen,
		    (uint64_t)start));
	big->reading = 0;
	if (big->left == 0 || u->dry)
		big_end(u, big);
	return 0;
}

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

	if (archfmt_safe_path(target, clean, cap) == -1) {
		refuse(u, path, "its hard-link target is not a safe relative "
		    "path");
		free(clean);
		return;
	}
	f = file_find(u, clean);
	free(clean);
	if (f == NULL || f->state == UF_FAILED) {
		refuse(u, path, "its hard-link target was not extracted "
		    "before it");
		return;
	}
	to = relink ? f : file_add(u, path, dir);
	from = relink ? file_find(u, path) : f;
	if (from == NULL) {
		refuse(u, path, "its data could not be extracted");
		return;
	}
	ut = utask_new(u, TASK_LINK, to->dir, to->name, NULL);
	ut->t.ldir.id = from->dir->id;
	ut->t.ldir.root = 0;
	ut->t.ldir.path = from->dir->path;
	ut->t.ldir.pathlen = (uint32_t)strlen(from->dir->path);
	ut->target = xstrdup(from->name);
	ut->t.lname = ut->target;
	ut->t.lnamelen = (uint16_t)strlen(from->name);
	/* Over what is there (the earlier name), by rename, not in place. */
	ut->t.flags &= ~(TF_NOSRC | (relink ? TF_FRESH : 0));
	to->symlink = from->symlink;
	ut->file = relink ? NULL : to;
	if (!relink)
		to->state = UF_PENDING;
	if (from->state == UF_PENDING && !u->dry) {
		ut->next = from->waiters;
		from->waiters = ut;
	} else {
		ready_push(u, ut);
	}
}

/* One member: check its path and make its task.  -1: stop reading. */
static int
plan_member(struct unpack *u, struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e), *link;
	size_t cap = raw != NULL ? strlen(raw) + 2 : 2;
	char *path = xmalloc(cap), *up = NULL;
	struct xblob xb = { NULL, 0, 0 };
	struct finfo st;
	struct udir *dir;
	struct ufile *f;
	const char *name;
	int type = archive_entry_filetype(e), rv = 0;

	if (archfmt_safe_path(raw, path, cap) == -1) {
		refuse(u, raw ? raw : "", errno == ENAMETOOLONG ? "a name in "
		    "its path is too long" : "not a safe relative path");
		free(path);
		return 0;
	}
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (u->rc->nexcludes > 0 && exclude_match(u->rc->excludes,
	    u->rc->nexcludes, name, path, type == AE_IFDIR)) {
		free(path);
		return 0;
	}
	finfo_of(e, &st);
	if (u->rc->preserve & (PRESERVE_XATTR | PRESERVE_ACL))
		xattrs_of(e, &xb);
	link = archive_entry_hardlink(e);
	if (type == AE_IFDIR || strcmp(path, ".") == 0) {
		if ((dir = get_dir(u, path, raw)) != NULL && !u->dry) {
			dir->has_meta = 1;
			dir->st = st;
			xblob_free(&dir->xattrs);
			dir->xattrs = xb;
			xb.p = NULL;
		}
		goto out;
	}
	up = path_dirname(path);
	if ((dir = get_dir(u, up, raw)) == NULL)
		goto out;
	u->counts.files_total++;
	if ((f = file_find(u, path)) != NULL)
		wait_for(u, f);	/* a member again: the later one wins */
	if (link != NULL && archive_entry_size(e) > 0 && type != AE_IFDIR) {
		/* A link that carries the group's data (cpio): write it,
		 * then make the earlier name a link to it. */
		rv = plan_file(u, dir, path, name, &st, &xb);
		if (rv == 0)
			plan_link(u, dir, path, link, 1);
	} else if (link != NULL) {
		plan_link(u, dir, path, link, 0);
	} else if (type == AE_IFREG) {
		rv = plan_file(u, dir, path, name, &st, &xb);
	} else if (type == AE_IFLNK) {
		struct utask *ut;

		if ((link = archive_entry_symlink(e)) == NULL ||
		    strlen(link) >= PATH_MAX) {
			refuse(u, path, link == NULL ? "a symbolic link "
			    "without a target" : "a symbolic link target "
			    "longer than PATH_MAX");
			goto out;
		}
		ut = utask_new(u, TASK_SYMLINK, dir, name, &st);
		ut->target = xstrdup(link);
		ut->t.lname = ut->target;
		ut->t.lnamelen = (uint16_t)strlen(link);
		set_xattrs(ut, &xb);
		ut->file = file_add(u, path, dir);
		ut->file->symlink = 1;
		ready_push(u, ut);
	} else if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO ||
	    type == AE_IFSOCK) {
		struct utask *ut = utask_new(u, TASK_SPECIAL, dir, name, &st);

		set_xattrs(ut, &xb);
		ut->file = file_add(u, path, dir);
		ready_push(u, ut);
	} else {
		refuse(u, path, "of a type that cannot be extracted");
	}
out:
	free(up);
	free(path);
	xblob_free(&xb);
	return rv;
}

/*
 * Read the next member and plan it.  Returns 1 while there is more, 0 at
 * the end, -1 when the archive cannot be read on (reported).
 */
static int
read_member(struct unpack *u)
{
	struct archive_entry *e;
	int r;

	do
		r = archive_read_next_header(u->a, &e);
	while (r == ARCHIVE_RETRY);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		archive_fail(u);
		return r == ARCHIVE_FATAL ? -1 : 1;
	}
	return plan_member(u, e) == -1 ? -1 : 1;
}

/* ---- events ---- */

static void
inflight_add(struct unpack *u, struct utask *ut)
{
	ut->prev = NULL;
	ut->next = u->inflight;
	if (u->inflight != NULL)
		u->inflight->prev = ut;
	u->inflight = ut;
}

static void
inflight_remove(struct unpack *u, struct utask *ut)
{
	if (ut->prev != NULL)
		ut->prev->next = ut->next;
	else
		u->inflight = ut->next;
	if (ut->next != NULL)
		ut->next->prev = ut->prev;
}

static void
submit(struct unpack *u)
{
	struct batch bt;
	uint64_t cost;

	while (u->ready != NULL) {
		struct utask *ut = u->ready;

		bt.n = 0;
		cost = 0;
		while (ut != NULL && bt.n < BATCH_MAX &&
		    (bt.n == 0 || cost + ut->t.datalen <= 16u << 20)) {
			bt.t[bt.n++] = &ut->t;
			cost += ut->t.datalen + 4096;
			ut = ut->next;
		}
		if (!u->b->ops->submit(u->b, &bt))
			return;
		for (uint32_t i = 0; i < bt.n; i++) {
			struct utask *x = u->ready;

			u->ready = x->next;
			u->nready--;
			inflight_add(u, x);
		}
		if (u->ready == NULL)
			u->ready_tail = NULL;
	}
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
		f->waiters = w->next;
		if (ok) {
			ready_push(u, w);
		} else {
			struct ufile *wf = w->file;

			refuse(u, wf->path, "its hard-link target could not be "
			    "extracted");
			utask_free(w);
			file_done(u, wf, 0);
		}
	}
}

static void
big_done(struct unpack *u, struct utask *ut, int err)
{
	struct ubig *big = ut->big;
	struct utask *h;

	if (err == TASK_SKIPPED)
		big->skipped = 1;	/* -u, --no-clobber: kept as it was */
	else if (err > 0)
		big->failed = 1;
	if ((ut->t.flags & TF_CREATE) && !big->failed && !big->skipped)
		big->created = 1;
	/* Pieces that waited for the first: out now, or dropped. */
	while ((ut->t.flags & TF_CREATE) && (h = big->held) != NULL) {
		big->held = h->next;
		if (big->created) {
			ready_push(u, h);
		} else {
			big->left--;
			u->ahead -= h->t.datalen;
			utask_free(h);
		}
	}
	if (--big->left == 0 && !big->reading)
		big_end(u, big);
}

static void
task_done(struct unpack *u, struct utask *ut, int err)
{
	struct task *t = &ut->t;

	u->ahead -= t->datalen;
	u->counts.bytes_done += t->datalen;
	if (t->kind == TASK_PUT && ut->big != NULL) {
		big_done(u, ut, err);
	} else if (t->kind == TASK_DIRMETA) {
		u->counts.dirs_done++;
	} else {
		u->counts.files_done++;
		if (err == 0 || err == TASK_PARTIAL) {
			if (t->kind == TASK_LINK)
				u->totals.links++;
			else if (t->kind == TASK_SYMLINK)
				u->totals.symlinks++;
			else if (t->kind == TASK_SPECIAL)
				u->totals.specials++;
			else
				u->totals.files++;
			if (u->pc->opt.verbose && ut->file != NULL)
				(void)printf("%s\n", ut->file->path);
		}
		if (err == TASK_SKIPPED)
			u->totals.skipped++;
		if (ut->file != NULL)
			file_done(u, ut->file, err <= 0 && !(t->flags &
			    TF_FAILED));
	}
	utask_free(ut);
}

static void
on_event(struct unpack *u, struct event *ev)
{
	struct utask *ut = (struct utask *)(uintptr_t)ev->task;
	struct where w;

	switch (ev->kind) {
	case EV_ERROR:
		w.root = &u->rc->roots[0];
		w.dir = ut->t.dir.path;
		w.name = ev->name != NULL ? ev->name : ut->t.kind ==
		    TASK_DIRMETA ? NULL : ut->t.name;
		w.dname = NULL;
		report_failure(&w, ev->op, ev->side, ev->err);
		u->counts.errors++;
		break;
	case EV_DONE:
		inflight_remove(u, ut);
		if (ev->worker >= 0 && ev->worker < u->b->nworkers) {
			u->wstats[ev->worker].tasks++;
			u->wstats[ev->worker].bytes += ut->t.datalen;
		}
		u->totals.bytes += ut->t.datalen;
		task_done(u, ut, ev->err);
		break;
	case EV_DIED:
		report_died(ev->worker, ev->err, (int)ev->bytes);
		u->totals.deaths++;
		for (struct utask *x = u->inflight, *next; x != NULL; x = next) {
			next = x->next;
			if (x->t.wslot != ev->worker)
				continue;
			inflight_remove(u, x);
			u->totals.retried++;
			x->t.flags |= TF_RETRY;
			if (++x->t.attempts >= 2) {
				member_error(u, x->t.name, 0, "a worker died "
				    "twice writing");
				task_done(u, x, EIO);
			} else {
				ready_push(u, x);
			}
		}
		if (ev->bytes == DIED_ALONE)
			u->fatal = 1;
		break;
	}
	free(ev->name);
	free(ev->data);
	entries_free(ev->ents);
}

/* Hand out what is ready and take events, waiting up to ms for them. */
static void
pump(struct unpack *u, int ms)
{
	struct event evs[256];
	int n;

	if (u->dry)
		return;
	submit(u);
	n = u->b->ops->wait(u->b, evs, 256, ms);
	for (int i = 0; i < n; i++)
		on_event(u, &evs[i]);
	u->counts.bytes_done = (uint64_t)archive_filter_bytes(u->a, -1);
	progress_update(u->pc->progress, &u->counts, now_seconds());
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
	int fd = worker_open_below(u->rc->roots[0].dstfd, d->path);

	if (fd == -1)
		return;
	(void)fchmod(fd, 0777 & ~u->rc->umask);
	(void)close(fd);
}

/*
 * Give every directory its member's metadata, deepest first and one depth
 * at a time (a 0500 directory must not be closed before what is below).
 * A directory made only for what is below it gets the default mode.
 */
static void
fix_dirs(struct unpack *u)
{
	struct udir **v;
	size_t n = 0, i = 0;

	for (struct udir *d = u->alldirs; d != NULL; d = d->anext)
		n++;
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (struct udir *d = u->alldirs; d != NULL; d = d->anext)
		v[i++] = d;
	qsort(v, n, sizeof(*v), by_depth);
	for (i = 0; i < n && !signals_caught(); ) {
		uint32_t depth = v[i]->depth;

		for (; i < n && v[i]->depth == depth; i++) {
			struct udir *d = v[i];
			struct utask *ut;

			if (!d->has_meta) {
				if (d->fresh)
					default_mode(u, d);
				continue;
			}
			ut = utask_new(u, TASK_DIRMETA, d, ".", &d->st);
			set_xattrs(ut, &d->xattrs);
			ready_push(u, ut);
		}
		while ((u->ready != NULL || u->inflight != NULL) && !u->fatal &&
		    !signals_caught())
			pump(u, 100);
	}
	free(v);
}

/* ---- the run ---- */

/* Remove what t may have half written (after an interrupted run). */
static void
remove_partial(struct unpack *u, const struct task *t)
{
	char tmp[64];
	int fd;

	if (t->kind != TASK_PUT && t->kind != TASK_PUTFIN)
		return;
	if ((fd = worker_open_below(u->rc->roots[0].dstfd, t->dir.path)) == -1)
		return;
	dest_tmpname(tmp, sizeof(tmp), u->rc->pid, t->tmpseq);
	(void)unlinkat(fd, tmp, 0);
	if ((t->flags & (TF_CREATE | TF_LAST | TF_FRESH)) ==
	    (TF_CREATE | TF_LAST | TF_FRESH))
		(void)unlinkat(fd, t->name, 0);
	(void)close(fd);
}

/*
 * After an interruption, once the workers have stopped: big files not
 * finished and tasks that never reported leave nothing behind.  Complete
 * files stay.
 */
static void
unpack_cleanup(struct unpack *u)
{
	for (struct ubig *b = u->bigs; b != NULL; b = b->next)
		remove_partial(u, &b->fin->t);
	for (struct utask *x = u->inflight; x != NULL; x = x->next)
		remove_partial(u, &x->t);
}

static void
unpack_free(struct unpack *u)
{
	for (struct udir *d = u->alldirs, *next; d != NULL; d = next) {
		next = d->anext;
		xblob_free(&d->xattrs);
		free(d->path);
		free(d);
	}
	for (size_t h = 0; h < HASHSIZE; h++)
		for (struct ufile *f = u->files[h], *next; f != NULL;
		    f = next) {
			next = f->hnext;
			for (struct utask *w = f->waiters, *wn; w; w = wn) {
				wn = w->next;
				utask_free(w);
			}
			free(f->path);
			free(f);
		}
	for (struct utask *x = u->ready, *next; x != NULL; x = next) {
		next = x->next;
		utask_free(x);
	}
	for (struct utask *x = u->inflight, *next; x != NULL; x = next) {
		next = x->next;
		utask_free(x);
	}
	for (struct ubig *b = u->bigs, *next; b != NULL; b = next) {
		next = b->next;
		for (struct utask *h = b->held, *hn; h != NULL; h = hn) {
			hn = h->next;
			utask_free(h);
		}
		utask_free(b->fin);
		free(b);
	}
	if (u->cachefd != -1)
		(void)close(u->cachefd);
	free(u->wstats);
}

static struct archive *
open_reader(const char *in, int fd)
{
	struct archive *a = archive_read_new();

	(void)archive_read_support_filter_all(a);
	/* Only what pcopy writes and what peers write; not mtree, whose
	 * members can name local files to read. */
	(void)archive_read_support_format_tar(a);
	(void)archive_read_support_format_cpio(a);
	(void)archive_read_support_format_zip(a);
	(void)archive_read_support_format_empty(a);
	(void)in;
	if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK)
		return a;
	return a;
}

/* Make or open DST, the root of the extraction. */
static int
open_dst(struct unpack *u, const char *dst)
{
	struct root *r = &u->rc->roots[0];
	int fresh = mkdir(dst, S_IRWXU) == 0;
	struct stat pst;
	char *parent;

	if (!fresh && errno != EEXIST) {
		member_error(u, dst, errno, "cannot create directory");
		return -1;
	}
	if ((r->dstfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
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

static void
unpack_stats(struct unpack *u, int status)
{
	struct stats_run s;

	s.backend = u->b->name;
	s.nprocs = u->b->nprocs;
	s.nthreads = u->b->nthreads;
	s.nworkers = u->b->nworkers;
	s.elapsed = now_seconds() - u->pc->start;
	s.status = status;
	s.counts = &u->counts;
	s.totals = &u->totals;
	s.wstats = u->wstats;
	if (u->pc->opt.stats == STATS_JSON)
		stats_print_json(stderr, &s);
	else
		stats_print_text(stderr, &s);
}

/* Read members while the window has room; then the workers' events. */
static void
unpack_loop(struct unpack *u)
{
	while (u->reading && !u->fatal && !signals_caught()) {
		while (u->reading && u->ahead < WINDOW && u->nready < MAX_READY &&
		    !u->fatal && !signals_caught())
			if (read_member(u) != 1)
				u->reading = 0;
		/* Wait for the workers only when reading must pause. */
		pump(u, u->reading && u->ahead < WINDOW &&
		    u->nready < MAX_READY ? 0 : 100);
	}
	u->counts.total_final = 1;
	while ((u->ready != NULL || u->inflight != NULL) && !u->fatal &&
	    !signals_caught())
		pump(u, 100);
	if (!u->fatal && !signals_caught())
		fix_dirs(u);
}

/*
 * pcopy - DST and pcopy ARCHIVE DST: extract in ("-": stdin) into dst.
 * Returns the exit status.
 */
int
unpack_run(struct pcopy *pc, const char *in, const char *dst)
{
	struct unpack u;
	struct event evs[64];
	struct stat st;
	int fd = STDIN_FILENO, status, n;

	memset(&u, 0, sizeof(u));
	u.pc = pc;
	u.rc = &pc->rc;
	u.in = strcmp(in, "-") == 0 ? "standard input" : in;
	u.dst = dst;
	u.cachefd = -1;
	u.reading = 1;
	pc->rc.roots = xcalloc(1, sizeof(*pc->rc.roots));
	pc->rinfo = xcalloc(1, sizeof(*pc->rinfo));
	pc->rc.nroots = 1;
	pc->rc.roots[0].srcfd = pc->rc.roots[0].dstfd = -1;
	pc->rc.roots[0].src_disp = xstrdup(in);
	pc->rc.roots[0].dst_disp = xstrdup(dst);
	if (strcmp(in, "-") != 0 && (fd = open(in, O_RDONLY | O_CLOEXEC)) == -1) {
		member_error(&u, in, errno, "cannot open");
		return 1;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		u.counts.bytes_total = (uint64_t)st.st_size;
	if (open_dst(&u, dst) == -1) {
		if (fd != STDIN_FILENO)
			(void)close(fd);
		unpack_free(&u);
		return 1;
	}
	u.a = open_reader(u.in, fd);
	pc->backend = backend_new(pc->opt.backend, &pc->rc, pc->jobs,
	    pc->procs, pc->threads);
	u.b = pc->backend;
	u.wstats = xcalloc((size_t)u.b->nworkers, sizeof(*u.wstats));
	if (u.b->ops->start(u.b) == -1)
		errc(2, errno, "cannot start the %s backend", u.b->name);
	unpack_loop(&u);
	u.b->ops->stop(u.b, u.fatal || signals_caught());
	while ((n = u.b->ops->wait(u.b, evs, 64, 100)) >= 0)
		for (int i = 0; i < n; i++)
			on_event(&u, &evs[i]);
	archive_read_free(u.a);
	if (fd != STDIN_FILENO)
		(void)close(fd);
	if (signals_caught() || u.fatal)
		unpack_cleanup(&u);
	u.counts.finished = !signals_caught() && !u.fatal;
	if (u.counts.finished) {
		u.counts.bytes_done = u.counts.bytes_total;
		progress_finish(pc->progress, &u.counts, now_seconds());
	} else {
		progress_clear(pc->progress);
	}
	status = signals_caught() ? 128 + signals_caught() :
	    u.fatal || u.counts.errors > 0 ? 1 : 0;
	if (u.fatal)
		warnx("no worker process is left; stopping");
	if (u.counts.errors > 0)
		warnx("%llu error%s", (unsigned long long)u.counts.errors,
		    u.counts.errors == 1 ? "" : "s");
	if (pc->opt.stats != STATS_NONE)
		unpack_stats(&u, status);
	unpack_free(&u);
	return status;
}

/*
 * For the fuzz target (tests/fuzz): read an archive from memory the way
 * unpack_run() does, checking every member and building every task, but
 * writing nothing.  Returns the number of errors.
 */
int
unpack_fuzz(const uint8_t *data, size_t size)
{
	static struct root root = { -1, -1, "fuzz", "fuzz", 1, 1, 1, 0, 0 };
	static struct runconf rc;
	struct pcopy pc;
	struct unpack u;

	memset(&pc, 0, sizeof(pc));
	memset(&u, 0, sizeof(u));
	rc.roots = &root;
	rc.nroots = 1;
	rc.preserve = PRESERVE_ALL;
	u.pc = &pc;
	u.rc = &rc;
	u.in = "fuzz";
	u.dry = 1;
	u.cachefd = -1;
	u.root = dir_add(&u, ".", NULL, 1);
	u.a = archive_read_new();
	(void)archive_read_support_filter_all(u.a);
	(void)archive_read_support_format_tar(u.a);
	(void)archive_read_support_format_cpio(u.a);
	(void)archive_read_support_format_zip(u.a);
	(void)archive_read_support_format_empty(u.a);
	if (archive_read_open_memory(u.a, data, size) == ARCHIVE_OK)
		while (read_member(&u) == 1)
			continue;
	archive_read_free(u.a);
	unpack_free(&u);
	return (int)u.counts.errors;
}
