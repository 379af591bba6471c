/*
 * walk.c - list part of a source directory and create its subdirectories
 * in the destination.
 *
 * The scan reads getdents64 records and stats each entry relative to the
 * directory's descriptor (never following symlinks).  Subdirectories are
 * created here, in the destination, mode 0700 so the copy can fill them;
 * their real mode and times come last, from TASK_DIRMETA.  A directory
 * with more than WALK_CHUNK entries is listed in parts: the task returns a
 * cookie (the d_off of the last entry taken) where the next part resumes,
 * so the coordinator's memory stays bounded however large it is.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "walk.h"
#include "worker.h"

static int
is_dot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' ||
	    (name[1] == '.' && name[2] == '\0'));
}

/*
 * Make the destination directory for subdirectory name.  Returns 1 when
 * it was created now, 0 when a directory was already there (merge), -1
 * when the entry must be skipped (reported already).
 */
static int
make_subdir(struct worker *w, int dstfd, const char *name,
    const struct stat *sst)
{
	struct stat dst;

	if (mkdirat(dstfd, name, S_IRWXU) == 0)
		return 1;
	if (errno != EEXIST) {
		worker_fail(w, OP_MKDIR, SIDE_DST, errno, name);
		return -1;
	}
	if (fstatat(dstfd, name, &dst, AT_SYMLINK_NOFOLLOW) == -1) {
		worker_fail(w, OP_STAT, SIDE_DST, errno, name);
		return -1;
	}
	if (S_ISLNK(dst.st_mode)) {
		/* Replace, never follow, a symlink where a directory goes. */
		if (unlinkat(dstfd, name, 0) == -1 ||
		    mkdirat(dstfd, name, S_IRWXU) == -1) {
			worker_fail(w, OP_MKDIR, SIDE_DST, errno, name);
			return -1;
		}
		return 1;
	}
	if (!S_ISDIR(dst.st_mode)) {
		worker_fail(w, OP_OVERDIR, SIDE_DST, ENOTDIR, name);
		return -1;
	}
	if (dst.st_dev == sst->st_dev && dst.st_ino == sst->st_ino) {
		worker_fail(w, OP_SAME, SIDE_DST, 0, name);
		return -1;
	}
	return 0;
}

/* Stat one entry and add it to the batch; skips it after reporting. */
static void
take_entry(struct worker *w, struct entries **ents, int srcfd, int *dstfd,
    const char *name)
{
	struct entry *e;
	struct stat st;
	int fresh = 0;

	if (fstatat(srcfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		worker_fail(w, OP_STAT, SIDE_SRC, errno, name);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (*dstfd == -1 &&
		    (*dstfd = worker_dst_dir(w, &w->cur->dir)) == -1) {
			worker_fail(w, OP_OPENDIR, SIDE_DST, errno, NULL);
			return;
		}
		if ((fresh = make_subdir(w, *dstfd, name, &st)) == -1)
			return;
	}
	e = entries_add(ents, name, strlen(name));
	finfo_from_stat(&e->st, &st);
	e->flags = fresh ? ENT_FRESH : 0;
}

/*
 * Scan the part of t's directory that starts at cookie t->off.  Entries go
 * to the coordinator as one EV_ENTRIES event.  *next is set to where the
 * next part starts, 0 when the directory is done.  Returns 0, or an errno
 * value when the directory could not be read (reported already).
 */
int
walk_dir(struct worker *w, const struct task *t, uint64_t *next)
{
	struct entries *ents = NULL;
	struct event ev;
	int srcfd, dstfd = -1, err = 0;
	uint64_t last = 0;
	ssize_t n;

	*next = 0;
	if ((srcfd = worker_src_dir(w, &t->dir)) == -1) {
		err = errno;
		worker_fail(w, OP_OPENDIR, SIDE_SRC, err, NULL);
		return err;
	}
	if (lseek(srcfd, (off_t)t->off, SEEK_SET) == -1) {
		err = errno;
		worker_fail(w, OP_READDIR, SIDE_SRC, err, NULL);
		return err;
	}
	ents = entries_new(64 * 1024);
	while (ents->count < WALK_CHUNK &&
	    (n = getdents64(srcfd, w->dents, w->dentsize)) != 0) {
		if (n == -1) {
			err = errno;
			worker_fail(w, OP_READDIR, SIDE_SRC, err, NULL);
			break;
		}
		for (ssize_t pos = 0; pos < n; ) {
			struct dirent64 *d = (struct dirent64 *)(void *)
			    (w->dents + pos);

			pos += d->d_reclen;
			if (ents->count >= WALK_CHUNK) {
				*next = last;
				break;
			}
			last = (uint64_t)d->d_off;
			if (!is_dot(d->d_name))
				take_entry(w, &ents, srcfd, &dstfd, d->d_name);
		}
		if (worker_stopping()) {
			err = ECANCELED;
			break;
		}
	}
	if (ents->count == WALK_CHUNK && *next == 0 && err == 0)
		*next = last;	/* full exactly at a buffer's end */
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_ENTRIES;
	ev.task = t->handle;
	ev.ents = ents;
	w->sink->emit(w->sink, &ev);
	return err;
}
