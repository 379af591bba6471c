/*
 * safeopen.c - open what a task names without being led astray.
 *
 * A directory below a root is opened with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS), so a directory swapped for a symlink during the
 * copy cannot lead outside the tree; without openat2, or for a path
 * longer than PATH_MAX, the path is walked one component at a time with
 * O_NOFOLLOW.  A source file is opened never through a final symlink and
 * never blocking on a fifo swapped in for it.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "safeopen.h"

static atomic_int no_openat2;

/* Open one directory component by component, never following symlinks. */
static int
open_stepwise(int rootfd, const char *path, int mode)
{
	char comp[NAME_MAX + 1];
	const char *p = path, *slash;
	int fd = rootfd, nfd;
	size_t len;

	while (*p != '\0') {
		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (len > NAME_MAX) {
			errno = ENAMETOOLONG;
			nfd = -1;
		} else {
			memcpy(comp, p, len);
			comp[len] = '\0';
			nfd = len == 0 ? fd : openat(fd, comp, mode |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd != rootfd && nfd != fd) {
			int saved = errno;

			(void)close(fd);
			errno = saved;
		}
		if (nfd == -1)
			return -1;
		fd = nfd;
		p += len;
		if (*p == '/')
			p++;
	}
	return fd == rootfd ? openat(rootfd, ".", mode | O_DIRECTORY |
	    O_CLOEXEC) : fd;
}

/*
 * A path longer than PATH_MAX, by openat2 a part of it at a time: parts
 * of up to PATH_MAX - 1 bytes cut at a '/', each resolved below the
 * directory the one before it opened (O_PATH: only searched), the last
 * with mode.  A few calls, not one a component.
 */
static int
open_in_parts(int rootfd, const char *path, int mode, struct open_how *how)
{
	char part[PATH_MAX];
	const char *p = path, *cut;
	int fd = rootfd, nfd, err;
	size_t len;

	while (*p != '\0') {
		len = strlen(p);
		if (len >= PATH_MAX) {
			for (cut = p + PATH_MAX - 1; cut > p && *cut != '/'; cut--)
				;
			if (cut == p) {
				nfd = -1;
				errno = ENAMETOOLONG;
				goto out;
			}
			len = (size_t)(cut - p);
		}
		memcpy(part, p, len);
		part[len] = '\0';
		p += len;
		while (*p == '/')
			p++;
		how->flags = (uint64_t)((*p == '\0' ? mode : O_PATH) |
		    O_DIRECTORY | O_CLOEXEC);
		nfd = (int)syscall(SYS_openat2, fd, part, how, sizeof(*how));
out:
		if (fd != rootfd) {
			err = errno;
			(void)close(fd);
			errno = err;
		}
		if (nfd == -1)
			return -1;
		fd = nfd;
	}
	return fd;
}

static int
open_below_mode(int rootfd, const char *path, int mode)
{
	struct open_how how;
	long fd;

	if (strcmp(path, ".") == 0)
		return openat(rootfd, ".", mode | O_DIRECTORY | O_CLOEXEC);
	if (!atomic_load_explicit(&no_openat2, memory_order_relaxed)) {
		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)(mode | O_DIRECTORY | O_CLOEXEC);
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		    RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno == ENOSYS || errno == E2BIG)
			atomic_store(&no_openat2, 1);
		else if (errno != ENAMETOOLONG)
			return -1;
		else if (strlen(path) >= PATH_MAX)
			return open_in_parts(rootfd, path, mode, &how);
	}
	return open_stepwise(rootfd, path, mode);
}

/*
 * Open a source file for reading: never through a final symlink, and
 * O_NONBLOCK so that a file swapped for a fifo cannot hang the worker.
 * O_NONBLOCK also fails with EWOULDBLOCK while another process holds a
 * lease on the file (Samba's oplocks).  cp waits until the lease is
 * broken, and so do we: the name is pinned with O_PATH, and once that is
 * a regular file it is opened again through /proc (the same inode, so
 * nothing swapped in at the name can make the blocking open hang).  A
 * stop signal (fork, mixed) ends the wait with ECANCELED, which is not
 * reported; a thread waits until the open returns.
 */
int
safe_open_source(int dirfd, const char *name)
{
	char path[40];
	struct stat sb;
	int fd, pfd, err;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd != -1 || errno != EWOULDBLOCK)
		return fd;
	if ((pfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(pfd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
		while ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 &&
		    errno == EINTR && !worker_stopping())
			;
		if (fd == -1 && errno == EINTR)
			errno = ECANCELED;
	} else {
		errno = EWOULDBLOCK;
	}
	err = fd == -1 && errno == ENOENT ? EWOULDBLOCK : errno;
	(void)close(pfd);	/* ENOENT: no /proc; say what stopped us */
	errno = err;
	return fd;
}

/*
 * Whether fd, a source opened again by name, is no longer the file st was
 * planned from: 0 when it is that file (same dev and ino) and holds at
 * least end bytes, else OP_REPLACED or OP_SHRANK; -1 (errno set) when it
 * cannot be told.  A file copied or archived in pieces is opened once per
 * piece, and the pieces must all be of the planned file.
 */
int
safe_source_changed(int fd, const struct finfo *st, uint64_t end)
{
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return -1;
	if ((uint64_t)sb.st_dev != st->dev || (uint64_t)sb.st_ino != st->ino)
		return OP_REPLACED;
	return (uint64_t)sb.st_size < end ? OP_SHRANK : 0;
}

/*
 * Open the directory at path below rootfd; returns a new descriptor, or
 * -1 with errno set.
 */
int
safe_open_below(int rootfd, const char *path)
{
	return open_below_mode(rootfd, path, O_RDONLY);
}

/* O_PATH: a directory we may search but not read, for *at() calls. */
int
safe_open_below_path(int rootfd, const char *path)
{
	return open_below_mode(rootfd, path, O_PATH);
}

/*
 * A destination directory: like safe_open_below(), but one we may
 * write and search yet not read (mode 0300, an ordinary user) is opened
 * O_PATH, which every name-relative call accepts.
 */
int
safe_open_dst_below(int rootfd, const char *path, int *opath)
{
	int fd = open_below_mode(rootfd, path, O_RDONLY);

	*opath = 0;
	if (fd == -1 && errno == EACCES) {
		fd = open_below_mode(rootfd, path, O_PATH);
		*opath = 1;
	}
	return fd;
}
