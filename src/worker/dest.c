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
#include <sys/xattr.h>

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
	d->absent = 0;
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

/* Can a nameless file be given a name here: by /proc or by privilege? */
static int
linkable_init(void)
{
	return access("/proc/self/fd", X_OK) == 0 || geteuid() == 0;
}

static int
nameless_linkable(void)
{
	static int state;	/* 0 unknown, 1 yes, 2 no */
	int s = __atomic_load_n(&state, __ATOMIC_RELAXED);

	if (s == 0) {
		s = linkable_init() ? 1 : 2;
		__atomic_store_n(&state, s, __ATOMIC_RELAXED);
	}
	return s == 1;
}

/*
 * A nameless file in the directory (O_TMPFILE), or -1: errno EOPNOTSUPP
 * (or EISDIR, EINVAL from kernels and file systems without it) asks for a
 * named temporary instead.
 */
static int
open_nameless(struct dest *d, mode_t mode)
{
	int fd;

	if (!nameless_linkable()) {
		errno = EOPNOTSUPP;
		return -1;
	}
	fd = openat(d->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
	if (fd != -1)
		d->created = NULL;
	return fd;
}

static int
wants_named(int err)
{
	return err == EOPNOTSUPP || err == EISDIR || err == EINVAL;
}

/*
 * Mark a new temporary as pcopy's (see dest.h).  A file system without
 * user attributes keeps it unmarked: a crash may then leave it behind,
 * for the user to remove, but nothing of the user's is ever taken.
 */
static void
mark(int fd, const char *name)
{
	(void)fsetxattr(fd, DEST_MARK, name, strlen(name), XATTR_CREATE);
}

/*
 * Create the file to write.  whole says one task writes it and links it
 * in (dest_link) before closing it: then, outside a fresh directory, it
 * is made nameless where the file system allows.  A fresh directory
 * should not hold the name already; if it does (someone else is writing
 * there), fall back to the temporary so nothing is overwritten in place.
 * Returns a descriptor or -1 with errno set.
 */
int
dest_open_file(struct dest *d, mode_t mode, int whole)
{
	const int fl = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd;

	if (whole && d->created != d->target &&
	    ((fd = open_nameless(d, mode)) != -1 || !wants_named(errno)))
		return fd;
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
	if (fd != -1 && d->created == d->tmp)
		mark(fd, d->tmp);
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

/*
 * The data is complete: take the temporary's mark off before the
 * source's attributes are copied (a source may carry the same name).
 */
void
dest_unmark(const struct dest *d, int fd)
{
	if (d->created == d->tmp)
		(void)fremovexattr(fd, DEST_MARK);
}

/* Give the nameless file fd the name name in d's directory. */
static int
link_nameless(const struct dest *d, int fd, const char *name)
{
	char path[32];

	if (linkat(fd, "", d->dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -1;
	/* Without CAP_DAC_READ_SEARCH: through /proc, as open(2) shows. */
	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, path, d->dirfd, name, AT_SYMLINK_FOLLOW);
}

/*
 * A complete nameless copy gets its name, while fd is still open: the
 * target itself when nothing was there (no rename needed), else the
 * temporary that dest_commit() renames over the target.  Nothing to do
 * for a copy that has a name.  Returns 0, or -1 with errno set.
 */
int
dest_link(struct dest *d, int fd)
{
	if (d->created != NULL)
		return 0;
	if (d->absent) {
		if (link_nameless(d, fd, d->target) == 0) {
			d->created = d->target;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	if (link_nameless(d, fd, dest_use_tmp(d)) == -1) {
		if (errno != EEXIST)
			return -1;
		/* Left by a run with our pid that was killed: ours. */
		(void)unlinkat(d->dirfd, d->tmp, 0);
		if (link_nameless(d, fd, d->tmp) == -1)
			return -1;
	}
	return 0;
}

/* Put a complete copy at its name: rename the temporary over the target. */
int
dest_commit(struct dest *d)
{
	if (d->created == d->target)
		return 0;
	if (d->created == NULL) {
		errno = EINVAL;	/* dest_link() was not called */
		return -1;
	}
	if (renameat(d->dirfd, d->created, d->dirfd, d->target) == -1)
		return -1;
	/* Two names of one inode: rename() leaves both (POSIX), so a hard
	 * link made over a name already linked to it would stay behind. */
	if (d->link)
		(void)unlinkat(d->dirfd, d->created, 0);
	d->created = d->target;
	return 0;
}

/*
 * Remove what this copy created (a nameless file goes with its last
 * descriptor); errno is kept for the caller's report.
 */
void
dest_abort(const struct dest *d)
{
	int saved = errno;

	if (d->created != NULL)
		(void)unlinkat(d->dirfd, d->created, 0);
	errno = saved;
}

/*
 * Does name in dirfd carry the mark of a pcopy temporary, naming itself?
 * Opened without following a symlink and without blocking on a fifo.
 */
int
dest_is_marked(int dirfd, const char *name)
{
	char val[DEST_TMPLEN];
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return 0;
	n = fgetxattr(fd, DEST_MARK, val, sizeof(val));
	(void)close(fd);
	return n > 0 && (size_t)n == strlen(name) &&
	    memcmp(val, name, (size_t)n) == 0;
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
