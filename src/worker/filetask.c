/*
 * filetask.c - copy a regular file: whole (TASK_FILE), or in chunks that
 * several workers copy at once (TASK_CHUNK) followed by TASK_FINISH.
 *
 * The copy is created without set-user-ID bits, filled, then given its
 * metadata (meta_apply: owner, mode, attributes, times last) and, when it
 * was written under a temporary name, renamed over the target.  A copy
 * that fails is removed, so no half-written file poses as complete.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "dest.h"
#include "meta.h"
#include "safeopen.h"
#include "tasks.h"
#include "util.h"

/* What a regular-file task holds open, released in one place. */
struct ftask {
	int		srcdir, dstdir, sfd, dfd;
	struct dest	d;
	int		created;	/* d.created exists because of us */
};

/* Find both directories and open the source file. */
static int
open_ends(struct worker *w, const struct task *t, struct ftask *f)
{
	f->sfd = f->dfd = -1;
	f->created = 0;
	if ((f->srcdir = worker_src_dir(w, &t->dir)) == -1 ||
	    (f->dstdir = worker_dst_dir(w, &t->dir)) == -1) {
		worker_fail(w, OP_OPENDIR, f->srcdir == -1 ? SIDE_SRC :
		    SIDE_DST, errno, NULL);
		return errno;
	}
	f->sfd = safe_open_source(f->srcdir, t->name);
	if (f->sfd == -1 && worker_relieve(w, errno))
		f->sfd = safe_open_source(f->srcdir, t->name);
	if (f->sfd == -1) {
		if (errno != ECANCELED)
			worker_fail(w, OP_OPEN, SIDE_SRC, errno, NULL);
		return errno;
	}
	return 0;
}

/* Create the copy; with holes to keep, give it its size first. */
static int
create_copy(struct worker *w, const struct task *t, struct ftask *f,
    int flags, mode_t mode, int presize)
{
	int r, absent = 0, whole = t->kind == TASK_FILE;

	if (!(flags & TF_FRESH) && (r = nodetask_check_target(w, t,
	    f->dstdir, task_target(t), &absent)) != 0)
		return r;
	dest_begin(&f->d, f->dstdir, task_target(t), flags, w->rc->pid,
	    t->tmpseq);
	f->d.absent = absent;
	f->dfd = dest_open_file(&f->d, mode, whole);
	if (f->dfd == -1 && worker_relieve(w, errno))
		f->dfd = dest_open_file(&f->d, mode, whole);
	if (f->dfd == -1) {
		worker_fail(w, OP_CREATE, SIDE_DST, errno, NULL);
		return errno;
	}
	f->created = 1;
	if (presize && ftruncate(f->dfd, (off_t)t->st.size) == -1) {
		worker_fail(w, OP_WRITE, SIDE_DST, errno, NULL);
		return errno;
	}
	return 0;
}

static int
copy_data(struct worker *w, const struct task *t, struct ftask *f,
    uint64_t off, uint64_t len)
{
	int side;

	if (copy_range(&w->copy, f->sfd, f->dfd, &t->st, t->dir.root, off,
	    len, &side) == -1) {
		if (errno != ECANCELED)
			worker_fail(w, side == COPY_SRC ? OP_READ :
			    side == COPY_CLONE ? OP_CLONE : OP_WRITE,
			    side == COPY_SRC ? SIDE_SRC : SIDE_DST, errno,
			    NULL);
		return errno;
	}
	return 0;
}

static int
apply_meta(struct worker *w, const struct task *t, struct ftask *f,
    mode_t created)
{
	struct objref src = { f->sfd, f->srcdir, t->name, 0, NULL, 0 };

	/* TASK_PARTIAL is reported already; the data is in place. */
	return nodetask_meta(w, t, &src, f->dfd, f->dstdir, created);
}

/*
 * Close what f holds.  A failed close of the copy fails the copy.  With
 * remove set, the partial copy is removed.  Returns err, or the close's
 * errno when err was 0.
 */
static int
finish(struct worker *w, struct ftask *f, int err, int remove)
{
	if (f->dfd != -1 && close(f->dfd) == -1 && err == 0) {
		err = errno;
		worker_fail(w, OP_WRITE, SIDE_DST, err, NULL);
		remove = 1;
	}
	if (f->sfd != -1)
		(void)close(f->sfd);
	if (remove && f->created)
		dest_abort(&f->d);
	return err;
}

static int
needs_size(const struct worker *w, const struct finfo *st)
{
	return (w->copy.sparse == SPARSE_ALWAYS) ||
	    (w->copy.sparse == SPARSE_AUTO && copy_is_sparse(st));
}

/*
 * TF_NOSTAT: the walk left the source unstat'ed, so stat it through the
 * descriptor the copy opened (one lookup of the name instead of two).
 * known becomes t with the source's metadata.  A file the coordinator
 * must decide on goes back to it in EV_STAT: a hard link to keep, a file
 * big enough for chunks, or one that is no longer a regular file.
 * Returns 0, TASK_RESTAT (sent back) or an errno value (reported).
 */
static int
stat_source(struct worker *w, const struct task *t, int sfd,
    struct task *known)
{
	struct stat sb;
	struct event ev;

	if (fstat(sfd, &sb) == -1) {
		worker_fail(w, OP_STAT, SIDE_SRC, errno, NULL);
		return errno;
	}
	*known = *t;
	finfo_from_stat(&known->st, &sb);
	if (S_ISDIR(sb.st_mode)) {
		/* A directory swapped in since the listing: as a read would. */
		worker_fail(w, OP_READ, SIDE_SRC, EISDIR, NULL);
		return EISDIR;
	}
	if (S_ISREG(sb.st_mode) && (sb.st_nlink == 1 ||
	    !(w->rc->preserve & PRESERVE_LINKS)) &&
	    !runconf_in_chunks(w->rc, &known->st)) {
		w->cookie = known->st.size;
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_STAT;
	ev.task = t->handle;
	ev.data = xmalloc(sizeof(known->st));
	memcpy(ev.data, &known->st, sizeof(known->st));
	ev.datalen = sizeof(known->st);
	w->sink->emit(w->sink, &ev);
	return TASK_RESTAT;
}

/* TASK_FILE: the whole file in one go. */
int
filetask_copy(struct worker *w, const struct task *t)
{
	struct task known;
	struct ftask f;
	mode_t mode = 0;
	int err, merr = 0, known_size = 1;

	err = open_ends(w, t, &f);
	if (err == 0 && (t->flags & TF_NOSTAT)) {
		if ((err = stat_source(w, t, f.sfd, &known)) == 0)
			t = &known;
	}
	if (err == 0) {
		known_size = copy_size_known(&w->copy, f.sfd, &t->st,
		    t->dir.root);
		mode = nodetask_create_mode(w, t);
		err = create_copy(w, t, &f, t->flags, mode, known_size &&
		    needs_size(w, &t->st));
	}
	if (err == 0)
		err = copy_data(w, t, &f, 0, t->st.size);
	/* Read to its end (procfs, sysfs): its size is what was read. */
	if (err == 0 && !known_size && (t->flags & TF_NOSTAT))
		w->cookie = w->copy.copied;
	if (err == 0)
		merr = apply_meta(w, t, &f, mode);
	if (err == 0 && dest_link(&f.d, f.dfd) == -1) {
		err = errno;
		worker_fail(w, OP_CREATE, SIDE_DST, err, NULL);
	}
	err = finish(w, &f, err, err != 0);
	if (err == 0 && dest_commit(&f.d) == -1) {
		err = errno;
		worker_fail(w, OP_RENAME, SIDE_DST, err, NULL);
		dest_abort(&f.d);
	}
	return err != 0 ? err : merr;
}

/*
 * A chunked copy is always written under its temporary name, whatever
 * the directory, and renamed into place by TASK_FINISH: so the later
 * chunks and the finish know the name for sure, and a file at the
 * target is never written by halves.
 */
static int
chunk_flags(const struct task *t)
{
	return t->flags & ~TF_FRESH;
}

/*
 * A chunked copy is put together from several opens of the source, so
 * each must find the file the coordinator planned, still holding the
 * bytes it copies, or the pieces would be of different files (one
 * renamed over the other, as a log rotation does) or end in zeros.
 * A whole file is opened once and copied as far as it reaches, as cp.
 */
static int
same_source(struct worker *w, const struct task *t, int sfd, uint64_t end)
{
	int changed = safe_source_changed(sfd, &t->st, end);

	if (changed == -1) {
		worker_fail(w, OP_STAT, SIDE_SRC, errno, NULL);
		return errno;
	}
	if (changed != 0) {
		worker_fail(w, changed, SIDE_SRC, ESTALE, NULL);
		return ESTALE;
	}
	return 0;
}

/*
 * TASK_CHUNK: one range of a large file.  The first chunk (TF_CREATE)
 * creates the copy at its full size, mode 0600 so later chunks can open it
 * for writing; TASK_FINISH sets the real mode.
 */
int
filetask_chunk(struct worker *w, const struct task *t)
{
	struct ftask f;
	int err;

	err = open_ends(w, t, &f);
	if (err == 0 && (t->flags & TF_CREATE)) {
		err = create_copy(w, t, &f, chunk_flags(t), S_IRUSR | S_IWUSR,
		    1);
	} else if (err == 0) {
		dest_begin(&f.d, f.dstdir, task_target(t), 0, w->rc->pid,
		    t->tmpseq);
		if ((f.dfd = dest_reopen_file(&f.d)) == -1) {
			err = errno;
			worker_fail(w, OP_OPEN, SIDE_DST, err, NULL);
		}
	}
	/* Before (no 64 MiB of another file) and after (it may shrink). */
	if (err == 0)
		err = same_source(w, t, f.sfd, t->off + t->len);
	if (err == 0)
		err = copy_data(w, t, &f, t->off, t->len);
	if (err == 0)
		err = same_source(w, t, f.sfd, t->off + t->len);
	/* A failed first chunk removes the copy; later ones leave that
	 * to TASK_FINISH, which runs when no chunk is writing any more. */
	return finish(w, &f, err, err != 0 && (t->flags & TF_CREATE));
}

/* TASK_FINISH with TF_FAILED: a chunk failed, remove the partial copy. */
static int
remove_failed(struct worker *w, const struct task *t)
{
	struct dest d;
	int dstdir;

	if ((dstdir = worker_dst_dir(w, &t->dir)) == -1) {
		worker_fail(w, OP_OPENDIR, SIDE_DST, errno, NULL);
		return errno;
	}
	dest_begin(&d, dstdir, task_target(t), 0, w->rc->pid, t->tmpseq);
	dest_abort(&d);
	return ECANCELED;
}

/*
 * A retried finish whose temporary is gone: did the attempt that died
 * rename it into place?  Then the target is a regular file with the
 * source's size and modification time, set before the rename.
 */
static int
finished_before(const struct task *t, int dstdir)
{
	struct stat sb;

	return (t->flags & TF_RETRY) &&
	    fstatat(dstdir, task_target(t), &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == t->st.size &&
	    sb.st_mtim.tv_sec == t->st.mtime &&
	    sb.st_mtim.tv_nsec == (long)t->st.mtime_ns;
}

/* TASK_FINISH: metadata for a chunked copy, then its rename into place. */
int
filetask_finish(struct worker *w, const struct task *t)
{
	struct ftask f;
	int err, merr = 0;

	if (t->flags & TF_FAILED)
		return remove_failed(w, t);
	if ((err = open_ends(w, t, &f)) != 0 ||
	    (err = same_source(w, t, f.sfd, 0)) != 0) {
		/* Without its source the copy cannot be finished: drop it. */
		(void)finish(w, &f, err, 0);
		(void)remove_failed(w, t);
		return err;
	}
	dest_begin(&f.d, f.dstdir, task_target(t), 0, w->rc->pid, t->tmpseq);
	f.created = 1;
	if ((f.dfd = dest_reopen_file(&f.d)) == -1) {
		err = errno;
		if (err == ENOENT && finished_before(t, f.dstdir)) {
			f.created = 0;
			return finish(w, &f, 0, 0);
		}
		worker_fail(w, OP_OPEN, SIDE_DST, err, NULL);
	}
	if (err == 0) {
		dest_unmark(&f.d, f.dfd);
		merr = apply_meta(w, t, &f, S_IRUSR | S_IWUSR);
	}
	err = finish(w, &f, err, err != 0);
	if (err == 0 && dest_commit(&f.d) == -1) {
		err = errno;
		worker_fail(w, OP_RENAME, SIDE_DST, err, NULL);
		dest_abort(&f.d);
	}
	return err != 0 ? err : merr;
}
