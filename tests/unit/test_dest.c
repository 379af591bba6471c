/*
 * test_dest.c - how a copy reaches its name: a whole file outside a fresh
 * directory is nameless until linked (to the target when nothing was
 * there, else through the temporary), a named temporary carries the mark
 * until its data is complete, an aborted copy leaves nothing, and only a
 * file marked for itself counts as a temporary of pcopy's.
 */
#include <sys/stat.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "engine/task.h"
#include "worker/dest.h"

/* How many entries dir holds besides . and .. */
static int
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	(void)closedir(d);
	return n;
}

static int
content_is(int dirfd, const char *name, const char *want)
{
	char buf[64];
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY);

	if (fd == -1)
		return 0;
	n = read(fd, buf, sizeof(buf));
	(void)close(fd);
	return n == (ssize_t)strlen(want) && memcmp(buf, want, (size_t)n) == 0;
}

/*
 * Write a whole file over "f" (absent or not) and commit it; the
 * directory holds before entries meanwhile.
 */
static void
whole_file(int dirfd, const char *dir, int absent, int before)
{
	struct dest d;
	int fd;

	dest_begin(&d, dirfd, "f", 0, 4242, 7);
	d.absent = absent;
	fd = dest_open_file(&d, 0644, 1);
	CHECK(fd != -1);
	if (d.created == NULL)	/* nameless: nothing shows yet */
		CHECK(entries(dir) == before);
	CHECK(write(fd, "new", 3) == 3);
	CHECK(dest_link(&d, fd) == 0);
	CHECK(d.created != NULL);
	CHECK(close(fd) == 0);
	CHECK(dest_commit(&d) == 0);
	CHECK(content_is(dirfd, "f", "new"));
	CHECK(entries(dir) == 1);
}

static void
test_whole(int dirfd, const char *dir)
{
	struct dest d;
	int fd;

	whole_file(dirfd, dir, 1, 0);
	whole_file(dirfd, dir, 0, 1);
	/* A stale temporary of our own pid and seq is taken over. */
	CHECK(close(openat(dirfd, ".pcopy.4242.7", O_CREAT | O_WRONLY,
	    0600)) == 0);
	whole_file(dirfd, dir, 0, 2);
	/* "absent" but something appeared: through the temporary. */
	CHECK(unlinkat(dirfd, "f", 0) == 0);
	CHECK(close(openat(dirfd, "f", O_CREAT | O_WRONLY, 0600)) == 0);
	whole_file(dirfd, dir, 1, 1);
	/* Aborted before its link: nothing at all remains. */
	dest_begin(&d, dirfd, "g", 0, 4242, 8);
	fd = dest_open_file(&d, 0644, 1);
	CHECK(fd != -1);
	dest_abort(&d);
	CHECK(close(fd) == 0);
	CHECK(entries(dir) == 1);
	/* A commit without the link is refused, not a rename of NULL. */
	dest_begin(&d, dirfd, "g", 0, 4242, 9);
	fd = dest_open_file(&d, 0644, 1);
	if (d.created == NULL)
		CHECK(dest_commit(&d) == -1);
	CHECK(close(fd) == 0);
}

/* A file written by parts: a marked temporary, unmarked when complete. */
static void
test_named(int dirfd, const char *dir)
{
	struct dest d;
	char val[64];
	ssize_t n;
	int fd;

	dest_begin(&d, dirfd, "big", 0, 4242, 10);
	fd = dest_open_file(&d, 0600, 0);
	CHECK(fd != -1);
	CHECK(d.created == d.tmp);
	CHECK(strcmp(d.tmp, ".pcopy.4242.a") == 0);
	n = fgetxattr(fd, DEST_MARK, val, sizeof(val));
	if (n == -1) {
		fprintf(stderr, "test_dest: no user xattrs in %s\n", dir);
	} else {
		CHECK(n == 13 && memcmp(val, ".pcopy.4242.a", 13) == 0);
		CHECK(dest_is_marked(dirfd, ".pcopy.4242.a"));
		dest_unmark(&d, fd);
		CHECK(fgetxattr(fd, DEST_MARK, val, sizeof(val)) == -1);
		CHECK(!dest_is_marked(dirfd, ".pcopy.4242.a"));
	}
	CHECK(close(fd) == 0);
	CHECK(dest_commit(&d) == 0);
	CHECK(faccessat(dirfd, "big", F_OK, AT_SYMLINK_NOFOLLOW) == 0);
	CHECK(faccessat(dirfd, ".pcopy.4242.a", F_OK, 0) == -1);
	(void)unlinkat(dirfd, "big", 0);
}

/* Only a mark that names the file itself counts. */
static void
test_marks(int dirfd)
{
	int fd = openat(dirfd, ".pcopy.99.1", O_CREAT | O_WRONLY, 0600);

	CHECK(fd != -1);
	CHECK(!dest_is_marked(dirfd, ".pcopy.99.1"));
	if (fsetxattr(fd, DEST_MARK, ".pcopy.99.2", 11, 0) == 0) {
		CHECK(!dest_is_marked(dirfd, ".pcopy.99.1"));
		CHECK(fsetxattr(fd, DEST_MARK, ".pcopy.99.1", 11, 0) == 0);
		CHECK(dest_is_marked(dirfd, ".pcopy.99.1"));
		CHECK(fsetxattr(fd, DEST_MARK, ".pcopy.99.1x", 12, 0) == 0);
		CHECK(!dest_is_marked(dirfd, ".pcopy.99.1"));
	}
	CHECK(close(fd) == 0);
	CHECK(symlinkat(".pcopy.99.1", dirfd, ".pcopy.99.3") == 0);
	CHECK(!dest_is_marked(dirfd, ".pcopy.99.3"));
	CHECK(!dest_is_marked(dirfd, "missing"));
	(void)unlinkat(dirfd, ".pcopy.99.1", 0);
	(void)unlinkat(dirfd, ".pcopy.99.3", 0);
}

int
main(void)
{
	char dir[] = "/tmp/test_dest.XXXXXX";
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	int dirfd;

	if (tmp != NULL && *tmp != '\0') {
		(void)snprintf(path, sizeof(path), "%s/test_dest.XXXXXX", tmp);
		if (mkdtemp(path) == NULL)
			return 99;
	} else {
		if (mkdtemp(dir) == NULL)
			return 99;
		(void)strcpy(path, dir);
	}
	if ((dirfd = open(path, O_RDONLY | O_DIRECTORY)) == -1)
		return 99;
	test_whole(dirfd, path);
	test_named(dirfd, path);
	test_marks(dirfd);
	(void)unlinkat(dirfd, "f", 0);
	(void)close(dirfd);
	CHECK(rmdir(path) == 0);
	return unit_end("test_dest");
}
