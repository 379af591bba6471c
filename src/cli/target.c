/*
 * target.c - where each SRC goes, and the checks made before anything is
 * written there.
 *
 * The rules are GNU cp's: with -t DIR, or when the last operand is an
 * existing directory, each SRC is copied to DIR/basename(SRC); with -T,
 * or with two operands whose last is not a directory, the last operand is
 * the copy itself.  A directory is never copied into itself or below
 * itself: the destination's parent and each of its ancestors are compared
 * with the source by device and inode, which also sees through symlinks
 * and bind mounts of the path.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "target.h"
#include "util.h"
#include "worker/runconf.h"

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int fail(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *errbuf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(errbuf, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* DIR/basename(src); "src/." and "/" copy into DIR itself, as cp does. */
static char *
into(const char *dir, const char *src)
{
	char *base = path_basename(src), *dst;

	if (strcmp(base, ".") == 0 || strcmp(base, "/") == 0)
		dst = xstrdup(dir);
	else
		dst = path_join(dir, base);
	free(base);
	return dst;
}

/*
 * Pair every SRC with its target.  Returns 0, or -1 with the reason in
 * errbuf (nothing can start).  The pairs and their dst strings are the
 * caller's to free.
 */
int
target_pairs(const struct options *o, struct pair **out, int *nout,
    char *errbuf, size_t len)
{
	int nsrc = o->target_dir ? o->noperands : o->noperands - 1;
	const char *last = o->operands[o->noperands - 1];
	const char *dir = o->target_dir;
	struct pair *pairs;

	if (dir == NULL && !o->no_target_dir && (o->noperands > 2 ||
	    is_dir(last)))
		dir = last;
	if (dir != NULL && !is_dir(dir))
		return fail(errbuf, len, "target '%s' is not a directory", dir);
	pairs = xcalloc((size_t)nsrc, sizeof(*pairs));
	for (int i = 0; i < nsrc; i++) {
		pairs[i].src = o->operands[i];
		pairs[i].dst = dir != NULL ? into(dir, o->operands[i]) :
		    xstrdup(last);
	}
	*out = pairs;
	*nout = nsrc;
	return 0;
}

/* Is (dev, ino) the directory dirfd or one of its ancestors? */
static int
is_ancestor(int dirfd, dev_t dev, ino_t ino)
{
	struct stat st, up;
	int fd = dup(dirfd), nfd, found = 0;

	for (int depth = 0; fd != -1 && depth < 4096; depth++) {
		if (fstat(fd, &st) == -1)
			break;
		if (st.st_dev == dev && st.st_ino == ino) {
			found = 1;
			break;
		}
		nfd = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (nfd == -1 || fstat(nfd, &up) == -1 ||
		    (up.st_dev == st.st_dev && up.st_ino == st.st_ino)) {
			if (nfd != -1)
				(void)close(nfd);
			break;	/* reached / */
		}
		(void)close(fd);
		fd = nfd;
	}
	if (fd != -1)
		(void)close(fd);
	return found;
}

static int
open_dir(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int
has_default_acl(int fd)
{
	return fd != -1 && fgetxattr(fd, "system.posix_acl_default", NULL, 0) > 0;
}

/*
 * Make (or reuse, to merge into) the top directory of a tree copy.  A dry
 * run makes nothing: a missing top is fresh, with no descriptor.
 */
static int
make_top(const struct pair *pr, int parentfd, const char *name,
    const struct stat *sst, struct root *r, int dry_run)
{
	struct stat dst, pst;
	char *qs = path_quote(pr->src), *qd = path_quote(pr->dst);
	int rv = -1;

	if (dry_run && fstatat(parentfd, name, &dst, AT_SYMLINK_NOFOLLOW) == -1 &&
	    errno == ENOENT) {
		r->fresh = r->pristine = 1;
		rv = 0;
		goto out;
	}
	r->fresh = !dry_run && mkdirat(parentfd, name, S_IRWXU) == 0;
	if (!r->fresh && errno != EEXIST && !dry_run) {
		warnc(errno, "cannot create directory '%s'", qd);
		goto out;
	}
	if (!r->fresh && (fstatat(parentfd, name, &dst, AT_SYMLINK_NOFOLLOW)
	    == -1 || !S_ISDIR(dst.st_mode))) {
		warnx("cannot overwrite non-directory '%s' with directory "
		    "'%s'", qd, qs);
		goto out;
	}
	r->dstfd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (r->dstfd == -1) {
		warnc(errno, "cannot open directory '%s'", qd);
		goto out;
	}
	if (fstat(r->dstfd, &dst) == 0 && dst.st_dev == sst->st_dev &&
	    dst.st_ino == sst->st_ino) {
		warnx("cannot copy a directory, '%s', into itself, '%s'", qs,
		    qd);
		goto out;
	}
	r->pristine = r->fresh && fstat(parentfd, &pst) == 0 &&
	    !(pst.st_mode & S_ISGID);
	r->defacl = has_default_acl(r->fresh ? parentfd : r->dstfd);
	rv = 0;
out:
	free(qs);
	free(qd);
	return rv;
}

/*
 * A target written with a trailing slash ("new/") must be a directory, as
 * in cp: an existing file there, or a file to be copied to a name not
 * there yet, is refused (reported).  Returns 1 when dst may be used.
 */
static int
slash_target_ok(const char *dst, int src_is_dir)
{
	size_t n = strlen(dst);
	struct stat st;
	char *q;
	int err;

	if (n < 2 || dst[n - 1] != '/')
		return 1;
	if (stat(dst, &st) == 0)
		return 1;	/* a directory: nothing else has a '/' */
	err = errno;
	if (err == ENOENT && src_is_dir)
		return 1;	/* made as the copy of the directory */
	q = path_quote(dst);
	if (err == ENOENT)
		warnc(ENOTDIR, "cannot create regular file '%s'", q);
	else
		warnc(err, "cannot stat '%s'", q);
	free(q);
	return 0;
}

/*
 * Open the root for pr: for a directory, the source and a destination
 * made now (or merged into; only looked at in a dry run); for anything
 * else, the two parents.  Failures are reported here; returns 0 or -1.
 */
int
target_open(const struct pair *pr, struct root *r, struct rootinfo *ri,
    int dry_run)
{
	size_t sl = strlen(pr->src);
	char *dparent = path_dirname(pr->dst), *dname = path_basename(pr->dst);
	char *sparent = NULL, *qs = path_quote(pr->src);
	char *qd = path_quote(pr->dst);
	struct stat st, pst;
	int parentfd = -1, rv = -1;

	memset(r, 0, sizeof(*r));
	memset(ri, 0, sizeof(*ri));
	r->srcfd = r->dstfd = -1;
	r->src_disp = xstrdup(pr->src);
	r->dst_disp = xstrdup(pr->dst);
	/* A trailing slash means the directory a symlink points to. */
	if ((sl > 1 && pr->src[sl - 1] == '/' ? stat(pr->src, &st) :
	    lstat(pr->src, &st)) == -1) {
		warnc(errno, "cannot open '%s'", qs);
		goto out;
	}
	finfo_from_stat(&ri->st, &st);
	ri->after = -1;
	if (!slash_target_ok(pr->dst, S_ISDIR(st.st_mode)))
		goto out;
	if ((parentfd = open_dir(dparent)) == -1) {
		warnc(errno, "cannot create '%s'", qd);
		goto out;
	}
	if (fstat(parentfd, &pst) == 0) {
		ri->tdev = pst.st_dev;
		ri->tino = pst.st_ino;
	}
	ri->tname = xstrdup(dname);
	if (S_ISDIR(st.st_mode)) {
		r->is_dir = 1;
		if (is_ancestor(parentfd, st.st_dev, st.st_ino)) {
			warnx("cannot copy a directory, '%s', into itself, '%s'",
			    qs, qd);
			goto out;
		}
		if ((r->srcfd = open_dir(pr->src)) == -1) {
			warnc(errno, "cannot open directory '%s'", qs);
			goto out;
		}
		r->src_dev = st.st_dev;
		rv = make_top(pr, parentfd, dname, &st, r, dry_run);
		goto out;
	}
	sparent = path_dirname(pr->src);
	if ((r->srcfd = open_dir(sparent)) == -1) {
		warnc(errno, "cannot open '%s'", qs);
		goto out;
	}
	r->dstfd = parentfd;
	r->defacl = has_default_acl(parentfd);
	parentfd = -1;
	ri->srcname = path_basename(pr->src);
	ri->dstname = dname;
	dname = NULL;
	rv = 0;
out:
	if (parentfd != -1)
		(void)close(parentfd);
	free(dparent);
	free(dname);
	free(sparent);
	free(qs);
	free(qd);
	return rv;
}

void
target_close(struct root *r, struct rootinfo *ri)
{
	if (r->srcfd != -1)
		(void)close(r->srcfd);
	if (r->dstfd != -1)
		(void)close(r->dstfd);
	free(r->src_disp);
	free(r->dst_disp);
	free(ri->srcname);
	free(ri->dstname);
	free(ri->tname);
	r->srcfd = r->dstfd = -1;
	r->src_disp = r->dst_disp = NULL;
	ri->srcname = ri->dstname = ri->tname = NULL;
}

/* Do two roots copy to the same target (pcopy a/d b/d DIR)? */
int
target_same(const struct rootinfo *a, const struct rootinfo *b)
{
	return a->tname != NULL && b->tname != NULL && a->tdev == b->tdev &&
	    a->tino == b->tino && strcmp(a->tname, b->tname) == 0;
}

/*
 * Open SRC as a root that is only read (an archive is written from it):
 * its directory, or a single file's parent.  Failures are reported here;
 * returns 0 or -1.
 */
int
target_open_source(const char *src, const char *dst, struct root *r,
    struct rootinfo *ri)
{
	size_t sl = strlen(src);
	char *parent, *q;
	struct stat st;

	memset(r, 0, sizeof(*r));
	memset(ri, 0, sizeof(*ri));
	r->srcfd = r->dstfd = -1;
	r->src_disp = xstrdup(src);
	r->dst_disp = xstrdup(dst);
	ri->after = -1;
	/* A trailing slash means the directory a symlink points to. */
	if ((sl > 1 && src[sl - 1] == '/' ? stat(src, &st) :
	    lstat(src, &st)) == -1)
		goto fail;
	finfo_from_stat(&ri->st, &st);
	r->is_dir = S_ISDIR(st.st_mode);
	parent = r->is_dir ? xstrdup(src) : path_dirname(src);
	r->srcfd = open_dir(parent);
	free(parent);
	if (r->srcfd == -1)
		goto fail;
	if (!r->is_dir)
		ri->srcname = path_basename(src);
	r->src_dev = st.st_dev;
	return 0;
fail:
	q = path_quote(src);
	warnc(errno, "cannot open '%s'", q);
	free(q);
	return -1;
}
