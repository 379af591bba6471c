/*
 * nodetask.c - recreate what is not a regular file's data: hard links,
 * symlinks, fifos, sockets and device nodes, and a directory's metadata
 * once its contents are complete.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "context.h"
#include "dest.h"
#include "meta.h"
#include "tasks.h"
#include "util.h"

/* Makes one entry at name in dirfd; -1 with errno set on failure. */
typedef int make_fn(const struct task *, int, const char *, void *);

/* meta_fail_fn for meta_apply(): report against the current task. */
void
nodetask_meta_fail(void *arg, int op, int err)
{
	worker_fail(arg, op, SIDE_DST, err, NULL);
}

/*
 * Before replacing target in a directory that existed before this run:
 * refuse to put a non-directory over a directory (as cp), and refuse to
 * copy a file onto itself.  With --no-clobber anything there is kept;
 * with --update a copy of the same type, size and mtime is.  Returns 0 to
 * go on, TASK_SKIPPED, or the errno reported; *absent (when not NULL)
 * says nothing was there.
 */
int
nodetask_check_target(struct worker *w, const struct task *t, int dstdir,
    const char *target, int *absent)
{
	struct stat st;

	if (absent != NULL)
		*absent = 0;
	switch (dest_probe(dstdir, target, &st)) {
	case -1:
		worker_fail(w, OP_STAT, SIDE_DST, errno, NULL);
		return errno;
	case 0:
		if (absent != NULL)
			*absent = 1;
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		worker_fail(w, OP_OVERDIR, SIDE_DST, EISDIR, NULL);
		return EISDIR;
	}
	if (st.st_dev == t->st.dev && st.st_ino == t->st.ino) {
		worker_fail(w, OP_SAME, SIDE_DST, 0, NULL);
		return EEXIST;
	}
	if (w->rc->no_clobber)
		return TASK_SKIPPED;
	if (w->rc->update && (st.st_mode & S_IFMT) == (t->st.mode & S_IFMT) &&
	    (uint64_t)st.st_size == t->st.size &&
	    st.st_mtim.tv_sec == t->st.mtime &&
	    (uint32_t)st.st_mtim.tv_nsec == t->st.mtime_ns)
		return TASK_SKIPPED;
	return 0;
}

/*
 * --dry-run: would t write anything?  Returns 0 (it would), TASK_SKIPPED,
 * or the errno of a failure the real run would meet (reported).
 */
int
nodetask_dry_run(struct worker *w, const struct task *t)
{
	int dstdir;

	if (t->flags & TF_FRESH)
		return 0;
	if ((dstdir = worker_dst_dir(w, &t->dir)) == -1)
		return 0;	/* its directory is not there yet */
	return nodetask_check_target(w, t, dstdir, task_target(t), NULL);
}

/*
 * Create t's entry with make(), under its name in a fresh directory or a
 * temporary renamed over the target otherwise.  op names the creation in
 * a failure report.  Returns 0 or the errno reported.
 */
static int
make_entry(struct worker *w, const struct task *t, int dstdir, make_fn *make,
    void *arg, int op)
{
	struct dest d;
	int err, r;

	if (!(t->flags & TF_FRESH) &&
	    (err = nodetask_check_target(w, t, dstdir, task_target(t),
	    NULL)) != 0)
		return err;
	dest_begin(&d, dstdir, task_target(t), t->flags, w->rc->pid, t->tmpseq);
	d.link = op == OP_LINK;
	r = make(t, dstdir, d.created, arg);
	if (r == -1 && errno == EEXIST) {
		/* Something is in the way of a fresh name, or a stale
		 * temporary of ours: never overwrite in place. */
		(void)unlinkat(dstdir, dest_use_tmp(&d), 0);
		r = make(t, dstdir, d.created, arg);
	}
	if (r == -1) {
		err = errno;
		worker_fail(w, op, SIDE_DST, err, NULL);
		return err;
	}
	if (dest_commit(&d) == -1) {
		err = errno;
		worker_fail(w, OP_RENAME, SIDE_DST, err, NULL);
		dest_abort(&d);
		return err;
	}
	return 0;
}

/*
 * The source of t's attributes: the source file by name in srcdir, or,
 * with TF_NOSRC (extracting an archive), the blob the task carries.
 */
struct objref
nodetask_src(const struct task *t, int srcdir)
{
	static const unsigned char empty[1];
	struct objref src = { -1, srcdir, t->name, 0, NULL, 0 };

	if (t->flags & TF_NOSRC) {
		src.dirfd = -1;
		src.name = NULL;
		src.blob = t->xattrs != NULL ? t->xattrs : empty;
		src.bloblen = t->xattrlen;
	}
	return src;
}

/* META_OWN_IDS when new objects in t's directory get pcopy's ids. */
static unsigned
own_ids(const struct task *t)
{
	return (t->flags & TF_PRISTINE) ? META_OWN_IDS : 0;
}

/* The mode to create t's copy with (meta_create_mode). */
mode_t
nodetask_create_mode(const struct worker *w, const struct task *t)
{
	return meta_create_mode(w->rc, &t->st, own_ids(t));
}

/*
 * Give t's copy (dstfd, or task_target(t) in dstdir when dstfd is -1)
 * the metadata of src.  Returns TASK_PARTIAL when some of it could not
 * be kept (reported), else 0.
 */
int
nodetask_meta(struct worker *w, const struct task *t,
    const struct objref *src, int dstfd, int dstdir, mode_t created)
{
	struct objref dst = { dstfd, dstdir, task_target(t), 0, NULL, 0 };
	unsigned flags = own_ids(t);

	if (worker_dst_defacl(w, &t->dir, t->flags))
		flags |= META_DEFACL;
	return meta_apply(w->rc, &t->st, flags, created, src, &dst,
	    nodetask_meta_fail, w) > 0 ? TASK_PARTIAL : 0;
}

static int
meta_by_name(struct worker *w, const struct task *t, int srcdir, int dstdir,
    mode_t created)
{
	struct objref src = nodetask_src(t, srcdir);

	return nodetask_meta(w, t, &src, -1, dstdir, created);
}

static int
open_dirs(struct worker *w, const struct task *t, int *srcdir, int *dstdir)
{
	*srcdir = -1;
	if (((t->flags & TF_NOSRC) == 0 &&
	    (*srcdir = worker_src_dir(w, &t->dir)) == -1) ||
	    (*dstdir = worker_dst_dir(w, &t->dir)) == -1) {
		worker_fail(w, OP_OPENDIR, *srcdir == -1 ? SIDE_SRC : SIDE_DST,
		    errno, NULL);
		return errno;
	}
	return 0;
}

static int
make_link(const struct task *t, int dirfd, const char *name, void *arg)
{
	return linkat(*(int *)arg, t->lname, dirfd, name, 0);
}

/*
 * TASK_LINK: link to the copy of the first name of a hard-link group.  In
 * a directory that existed before, a name that already is that link is
 * left alone (a repeated run).
 */
int
nodetask_link(struct worker *w, const struct task *t)
{
	struct stat cur, first;
	int dstdir, ldir, own = 0, err;

	if ((dstdir = worker_dst_dir(w, &t->dir)) == -1) {
		worker_fail(w, OP_OPENDIR, SIDE_DST, errno, NULL);
		return errno;
	}
	if (t->ldir.id == t->dir.id)
		ldir = dstdir;
	else if (worker_same_slot(w, &t->dir, &t->ldir))
		own = (ldir = worker_dst_dir_uncached(w, &t->ldir)) != -1;
	else
		ldir = worker_dst_dir(w, &t->ldir);
	if (ldir == -1) {
		worker_fail(w, OP_LINK, SIDE_DST, errno, NULL);
		return errno;
	}
	if (!(t->flags & TF_FRESH) &&
	    dest_probe(dstdir, task_target(t), &cur) == 1 &&
	    fstatat(ldir, t->lname, &first, AT_SYMLINK_NOFOLLOW) == 0 &&
	    cur.st_dev == first.st_dev && cur.st_ino == first.st_ino)
		err = TASK_SKIPPED;
	else
		err = make_entry(w, t, dstdir, make_link, &ldir, OP_LINK);
	if (own)
		(void)close(ldir);
	return err;
}

static int
make_symlink(const struct task *t, int dirfd, const char *name, void *arg)
{
	(void)t;
	return symlinkat(arg, dirfd, name);
}

/* TASK_SYMLINK: the same target text; the link is never followed. */
int
nodetask_symlink(struct worker *w, const struct task *t)
{
	int srcdir, dstdir, err;
	char *text = w->copy.buf;
	ssize_t n;

	if ((err = open_dirs(w, t, &srcdir, &dstdir)) != 0)
		return err;
	if (t->flags & TF_NOSRC) {
		text = (char *)(uintptr_t)t->lname;	/* from the archive */
	} else if ((n = readlinkat(srcdir, t->name, text,
	    w->copy.bufsize - 1)) == -1) {
		worker_fail(w, OP_READLINK, SIDE_SRC, errno, NULL);
		return errno;
	} else {
		text[n] = '\0';
	}
	if ((err = make_entry(w, t, dstdir, make_symlink, text, OP_SYMLINK)))
		return err;
	return meta_by_name(w, t, srcdir, dstdir, 0);
}

static int
make_node(const struct task *t, int dirfd, const char *name, void *arg)
{
	return mknodat(dirfd, name, (t->st.mode & S_IFMT) | *(mode_t *)arg,
	    (dev_t)t->st.rdev);
}

/* TASK_SPECIAL: fifos, sockets and device nodes, as cp -a makes them. */
int
nodetask_special(struct worker *w, const struct task *t)
{
	mode_t mode = nodetask_create_mode(w, t);
	int srcdir, dstdir, err;

	switch (t->st.mode & S_IFMT) {
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFCHR:
	case S_IFBLK:
		break;
	default:
		worker_fail(w, OP_TYPE, SIDE_SRC, EINVAL, NULL);
		return EINVAL;
	}
	if ((err = open_dirs(w, t, &srcdir, &dstdir)) != 0)
		return err;
	if ((err = make_entry(w, t, dstdir, make_node, &mode, OP_MKNOD)))
		return err;
	return meta_by_name(w, t, srcdir, dstdir, mode);
}

/*
 * TASK_DIRMETA: a directory's owner, mode, attributes and times, once all
 * it holds is complete (so a 0500 directory could be filled, and writing
 * its entries did not disturb its times).  A directory this run made in a
 * pristine tree is known to be mode 0700; any other is set regardless.
 */
int
nodetask_dirmeta(struct worker *w, const struct task *t)
{
	struct objref src = { -1, -1, NULL, 0, NULL, 0 };
	struct objref dst = { -1, -1, NULL, 0, NULL, 0 };
	unsigned flags = own_ids(t);
	mode_t created = (t->flags & TF_PRISTINE) ? S_IRWXU : (mode_t)-1;
	char path[40];

	if ((dst.fd = worker_dst_dir(w, &t->dir)) == -1) {
		worker_fail(w, OP_OPENDIR, SIDE_DST, errno, NULL);
		return errno;
	}
	if (worker_dst_dir_opath(w, &t->dir)) {
		/* Opened O_PATH (not readable): reach it by its fd link. */
		(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", dst.fd);
		dst = (struct objref){ -1, AT_FDCWD, path, 1, NULL, 0 };
	}
	/* A source the scan could not open was reported then; what the
	 * stat says is still applied, only its attributes are not. */
	if (t->flags & TF_NOSRC)
		src = nodetask_src(t, -1);
	else if ((src.fd = worker_src_dir(w, &t->dir)) == -1)
		flags |= META_NO_SRC;
	/* It may have inherited ACLs from where it was made. */
	if (!(t->flags & TF_PRISTINE) || w->rc->roots[t->dir.root].defacl)
		flags |= META_DEFACL;
	return meta_apply(w->rc, &t->st, flags, created, &src, &dst,
	    nodetask_meta_fail, w) > 0 ? TASK_PARTIAL : 0;
}
