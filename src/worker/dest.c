/*
 * dest.c - name and create destination entries safely.
 *
 * Every call is relative to the destination directory's descriptor and
 * none follows a symlink at the final component (O_NOFOLLOW, O_EXCL,
 * AT_SYMLINK_NOFOLLOW), so an entry swapped for a symlink cannot redirect
 * a write outside the destination.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dest.h"
#include "util.h"
#include "engine/task.h"

void
dest_tmpname(char *buf, size_t len, pid_t pid, uint64_t seq)
{
	(void)snprintf(buf, len, ".pcopy.%ld.%llx", (long)pid,
	    (unsigned long long)seq);
}

/*
 * Look at what sits at name before replacing it.  Returns 1 and fills *st
 * when something is there, 0 when nothing is, -1 on error.
 */
int
dest_probe(int dirfd, const char *name, struct stat *st)
{
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

/*
 * Decide the name to create for target in dirfd.  flags are the task's:
 * TF_FRESH writes in place; TF_RETRY first removes what an earlier,
 * crashed attempt may have left at that name.  seq names the temporary.
 */
void
dest_begin(struct dest *d, int dirfd, const char *target, int flags,
    pid_t pid, uint64_t seq)
{
	d->dirfd = dirfd;
	d->target = target;
	d->pid = pid;
	d->seq = seq;
	d->link = 0;
	d->tmp[0] = '\0';
	d->created = (flags & TF_FRESH) ? target : dest_use_tmp(d);
	if (flags & TF_RETRY)
		(void)unlinkat(dirfd, d->created, 0);
}

/*
 * Switch to the temporary name and return it.  It is formatted here, not
 * in dest_begin(): most copies land in fresh directories and never use
 * it, and snprintf per file showed in profiles.
 */
const char *
dest_use_tmp(struct dest *d)
{
	if (d->tmp[0] == '\0')
		dest_tmpname(d->tmp, sizeof(d->tmp), d->pid, d->seq);
	d->created = d->tmp;
	return d->tmp;
}

/*
 * Create the file to write.  A fresh directory should not hold the name
 * already; if it does (someone else is writing there), fall back to the
 * temporary so nothing is overwritten in place.  Returns a descriptor or
 * -1 with errno set.
 */
int
dest_open_file(struct dest *d, mode_t mode)
{
	const int fl = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd;

	fd = openat(d->dirfd, d->created, fl, mode);
	if (fd == -1 && errno == EEXIST && d->created == d->target) {
		(void)dest_use_tmp(d);
		fd = openat(d->dirfd, d->created, fl, mode);
	}
	if (fd == -1 && errno == EEXIST && d->created == d->tmp) {
		/* Left by a run with our pid that was killed: ours to take. */
		(void)unlinkat(d->dirfd, d->tmp, 0);
		fd = openat(d->dirfd, d->created, fl, mode);
	}
	return fd;
}

/*
 * Open the file a first chunk created, to write a later chunk.  It must
 * still be a plain file of one name: a temporary swapped for a hard link
 * to some other file is refused (EPERM), not written into.
 */
int
dest_reopen_file(const struct dest *d)
{
	int fd = openat(d->dirfd, d->created, O_WRONLY | O_NOFOLLOW |
	    O_CLOEXEC);
	struct stat st;

	if (fd != -1 && (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_nlink != 1)) {
		(void)close(fd);
		errno = EPERM;
		fd = -1;
	}
	return fd;
}

/* Put a complete copy at its name: rename the temporary over the target. */
int
dest_commit(struct dest *d)
{
	if (d->created == d->target)
		return 0;
	if (renameat(d->dirfd, d->created, d->dirfd, d->target) == -1)
		return -1;
	/* Two names of one inode: rename() leaves both (POSIX), so a hard
	 * link made over a name already linked to it would stay behind. */
	if (d->link)
		(void)unlinkat(d->dirfd, d->created, 0);
	d->created = d->target;
	return 0;
}

/* Remove what this copy created; errno is kept for the caller's report. */
void
dest_abort(const struct dest *d)
{
	int saved = errno;

	(void)unlinkat(d->dirfd, d->created, 0);
	errno = saved;
}

/*
 * Make directory name in dirfd, mode 0700 so the copy can fill it, over
 * whatever is there: a directory is kept (merged into); a symlink is
 * removed and replaced, never followed; anything else is refused, and so
 * is the directory src itself (a tree copied into itself) when src is
 * given.  A dry run (dry) changes nothing and answers what would happen.
 * Returns 1 when made (or to be made), 0 when a directory was there, -1
 * with errno set and *op the step that failed: OP_MKDIR, OP_STAT,
 * OP_OVERDIR (errno ENOTDIR) or OP_SAME (errno 0).
 */
int
dest_mkdir(int dirfd, const char *name, const struct stat *src, int dry,
    int *op)
{
	struct stat st;

	*op = OP_MKDIR;
	if (!dry && mkdirat(dirfd, name, S_IRWXU) == 0)
		return 1;
	if (!dry && errno != EEXIST)
		return -1;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT) {
			*op = OP_STAT;
			return -1;
		}
		/* Gone since (or a dry run): make it now. */
		return dry || mkdirat(dirfd, name, S_IRWXU) == 0 ? 1 : -1;
	}
	if (S_ISLNK(st.st_mode)) {
		if (dry)
			return 1;
		if (unlinkat(dirfd, name, 0) == -1 ||
		    mkdirat(dirfd, name, S_IRWXU) == -1)
			return -1;
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		*op = OP_OVERDIR;
		errno = ENOTDIR;
		return -1;
	}
	if (src != NULL && st.st_dev == src->st_dev &&
	    st.st_ino == src->st_ino) {
		*op = OP_SAME;
		errno = 0;
		return -1;
	}
	return 0;
}
