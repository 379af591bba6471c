/*
 * floor - the least work a tree copy can do, to show how close pcopy
 * comes to it: per regular file, open the source, create the copy, one
 * kernel copy call, close both; spread over N threads; no walk and no
 * metadata in the timed part (directories are made and files listed
 * before the clock starts, symlinks and the rest are left out).  A
 * sparse file (fewer blocks than its size) has its data extents copied
 * and its size set, as any faithful copier does, rather than gigabytes
 * of zeros written.
 *
 * usage: floor [-j N] SRC DST
 * Prints "floor: FILES files, SECONDS s" where SECONDS covers the copies
 * and a syncfs() of DST.
 */
#define _GNU_SOURCE
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct item {
	char	*src, *dst;
	off_t	 size;
	int	 sparse;
};

static struct item *items;
static size_t nitems, cap;
static atomic_size_t next;
static const char *srcroot, *dstroot;

static char *
dst_of(const char *path)
{
	char *p;

	if (asprintf(&p, "%s%s", dstroot, path + strlen(srcroot)) == -1)
		exit(2);
	return p;
}

static int
collect(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type == FTW_D) {
		char *d = dst_of(path);

		if (mkdir(d, 0755) == -1 && errno != EEXIST) {
			perror(d);
			exit(2);
		}
		free(d);
	} else if (type == FTW_F && S_ISREG(st->st_mode)) {
		if (nitems == cap) {
			cap = cap ? cap * 2 : 4096;
			items = realloc(items, cap * sizeof(*items));
		}
		items[nitems].src = strdup(path);
		items[nitems].dst = dst_of(path);
		items[nitems].sparse = (off_t)st->st_blocks * 512 < st->st_size;
		items[nitems++].size = st->st_size;
	}
	return 0;
}

/* Copy [off, off + len) at the same offset. */
static int
copy_range(int s, int d, off_t off, off_t len)
{
	while (len > 0) {
		off_t so = off, dof = off;
		ssize_t n = copy_file_range(s, &so, d, &dof, (size_t)len, 0);

		if (n == -1 && (errno == EXDEV || errno == EOPNOTSUPP)) {
			so = off;
			if (lseek(d, off, SEEK_SET) == -1)
				return -1;
			n = sendfile(d, s, &so, (size_t)len);
		}
		if (n <= 0)
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

/* The data extents of a sparse file, then its size. */
static void
copy_sparse(int s, int d, off_t size)
{
	off_t data = 0, hole;

	while ((data = lseek(s, data, SEEK_DATA)) != -1 && data < size) {
		if ((hole = lseek(s, data, SEEK_HOLE)) == -1 ||
		    copy_range(s, d, data, hole - data) == -1)
			return;
		data = hole;
	}
	(void)ftruncate(d, size);
}

static void *
copier(void *arg)
{
	size_t i;

	(void)arg;
	while ((i = atomic_fetch_add(&next, 1)) < nitems) {
		struct item *it = &items[i];
		int s = open(it->src, O_RDONLY | O_CLOEXEC);
		int d = open(it->dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
		off_t left = it->size;
		ssize_t n;

		if (it->sparse && s != -1 && d != -1) {
			copy_sparse(s, d, it->size);
			left = 0;
		}
		while (s != -1 && d != -1 && left > 0) {
			n = copy_file_range(s, NULL, d, NULL, (size_t)left, 0);
			if (n == -1 && (errno == EXDEV || errno == EOPNOTSUPP))
				n = sendfile(d, s, NULL, (size_t)left);
			if (n <= 0)
				break;
			left -= n;
		}
		if (s != -1)
			close(s);
		if (d != -1)
			close(d);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct timespec a, b;
	pthread_t t[256];
	int c, jobs = 2, fd;

	while ((c = getopt(argc, argv, "j:")) != -1) {
		if (c != 'j' || (jobs = atoi(optarg)) < 1 || jobs > 256) {
			fprintf(stderr, "usage: floor [-j N] SRC DST\n");
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: floor [-j N] SRC DST\n");
		return 2;
	}
	srcroot = argv[optind];
	dstroot = argv[optind + 1];
	if (nftw(srcroot, collect, 64, FTW_PHYS) == -1) {
		perror(srcroot);
		return 2;
	}
	sync();
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < jobs; i++)
		pthread_create(&t[i], NULL, copier, NULL);
	for (int i = 0; i < jobs; i++)
		pthread_join(t[i], NULL);
	if ((fd = open(dstroot, O_RDONLY | O_DIRECTORY)) != -1) {
		syncfs(fd);
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("floor: %zu files, %.3f s\n", nitems,
	    (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
