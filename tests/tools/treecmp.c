/*
 * treecmp - compare two directory trees the way the tests need: every
 * name, file type, mode, owner, size, contents, symlink target, device
 * number, nanosecond times, extended attributes (so ACLs too) and the
 * hard-link structure (which names share an inode).  Optionally the
 * allocated size, for sparse files.
 *
 * usage: treecmp [-A] [-O] [-X] [-B] [-R] A B
 *	-A  ignore access times      -O  ignore owner and group
 *	-X  ignore extended attrs    -B  compare allocated blocks
 *	-R  ignore the roots' own metadata (times, mode)
 *	-T  ignore all times
 * Prints one line per difference; exits 0 when the trees are the same,
 * 1 when they differ, 2 on error.
 *
 * Metadata is read before contents, so reading a file cannot change the
 * access time being compared.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void cmp_dir(const char *, int, const char *, int, const char *);

static int ignore_atime, ignore_owner, ignore_xattr, check_blocks;
static int ignore_root, ignore_times;
static int ndiff;

/* A seen inode and the first relative path it had. */
struct seen {
	dev_t	 dev;
	ino_t	 ino;
	char	*path;
};

struct side {
	const char	*root;
	struct seen	*seen;
	size_t		 nseen, cap;
};

static struct side A, B;

static void
diff(const char *rel, const char *fmt, ...)
{
	va_list ap;

	printf("treecmp: %s: ", *rel ? rel : ".");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (++ndiff > 50) {
		printf("treecmp: too many differences\n");
		exit(1);
	}
}

static char *
join(const char *a, const char *b)
{
	char *p;

	if (*a == '\0')
		return strdup(b);
	if (asprintf(&p, "%s/%s", a, b) == -1)
		exit(2);
	return p;
}

/* The first path seen with st's inode in this tree, recording rel. */
static const char *
link_leader(struct side *s, const struct stat *st, const char *rel)
{
	for (size_t i = 0; i < s->nseen; i++)
		if (s->seen[i].dev == st->st_dev && s->seen[i].ino == st->st_ino)
			return s->seen[i].path;
	if (s->nseen == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->seen = realloc(s->seen, s->cap * sizeof(*s->seen));
	}
	s->seen[s->nseen].dev = st->st_dev;
	s->seen[s->nseen].ino = st->st_ino;
	s->seen[s->nseen].path = strdup(rel);
	return s->seen[s->nseen++].path;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of a directory (fd is consumed), NULL-terminated. */
static char **
list_dir(int fd, size_t *n)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*n + 1 >= cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	if (names == NULL)
		names = calloc(1, sizeof(*names));
	qsort(names, *n, sizeof(*names), cmp_names);
	names[*n] = NULL;
	return names;
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int
cmp_xattr_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "name=hexvalue;..." of all extended attributes, sorted by name. */
static char *
xattr_string(int dirfd, const char *name)
{
	char list[65536], val[65536], *names[1024], *out, path[400];
	ssize_t n, v;
	size_t nn = 0, len = 0;

	if (dirfd == AT_FDCWD)
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);

	n = llistxattr(path, list, sizeof(list));
	if (n <= 0)
		return strdup("");
	for (ssize_t i = 0; i < n && nn < 1024; i += strlen(list + i) + 1)
		names[nn++] = list + i;
	qsort(names, nn, sizeof(*names), cmp_xattr_names);
	out = calloc(1, 1);
	for (size_t i = 0; i < nn; i++) {
		v = lgetxattr(path, names[i], val, sizeof(val));
		if (v < 0)
			v = 0;
		out = realloc(out, len + strlen(names[i]) + 2 * v + 3);
		len += sprintf(out + len, "%s=", names[i]);
		for (ssize_t k = 0; k < v; k++)
			len += sprintf(out + len, "%02x", (unsigned char)val[k]);
		len += sprintf(out + len, ";");
	}
	return out;
}

static void
cmp_contents(const char *rel, int da, const char *na, int db, const char *nb)
{
	static char ba[1 << 20], bb[1 << 20];
	int fa = openat(da, na, O_RDONLY | O_NOFOLLOW);
	int fb = openat(db, nb, O_RDONLY | O_NOFOLLOW);
	ssize_t ra, rb;
	off_t off = 0;

	if (fa == -1 || fb == -1) {
		diff(rel, "cannot open for reading: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		ra = read(fa, ba, sizeof(ba));
		rb = read(fb, bb, sizeof(bb));
		if (ra != rb || (ra > 0 && memcmp(ba, bb, (size_t)ra) != 0)) {
			diff(rel, "contents differ near byte %lld",
			    (long long)off);
			break;
		}
		if (ra <= 0)
			break;
		off += ra;
	}
out:
	if (fa != -1)
		close(fa);
	if (fb != -1)
		close(fb);
}

static int
same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Compare what lstat and the attributes say; 1 if the types match. */
static int
cmp_meta(const char *rel, int da, const char *na, int db, const char *nb,
    const struct stat *a, const struct stat *b, int is_root)
{
	const char *la, *lb;
	char *xa, *xb;

	if ((a->st_mode & S_IFMT) != (b->st_mode & S_IFMT)) {
		diff(rel, "type %o vs %o", a->st_mode & S_IFMT,
		    b->st_mode & S_IFMT);
		return 0;
	}
	if (!(is_root && ignore_root)) {
		if ((a->st_mode & 07777) != (b->st_mode & 07777) &&
		    !S_ISLNK(a->st_mode))
			diff(rel, "mode %04o vs %04o", a->st_mode & 07777,
			    b->st_mode & 07777);
		if (!ignore_times && !same_time(&a->st_mtim, &b->st_mtim))
			diff(rel, "mtime %lld.%09ld vs %lld.%09ld",
			    (long long)a->st_mtim.tv_sec, a->st_mtim.tv_nsec,
			    (long long)b->st_mtim.tv_sec, b->st_mtim.tv_nsec);
		if (!ignore_atime && !ignore_times &&
		    !same_time(&a->st_atim, &b->st_atim))
			diff(rel, "atime %lld.%09ld vs %lld.%09ld",
			    (long long)a->st_atim.tv_sec, a->st_atim.tv_nsec,
			    (long long)b->st_atim.tv_sec, b->st_atim.tv_nsec);
	}
	if (!ignore_owner && (a->st_uid != b->st_uid || a->st_gid != b->st_gid))
		diff(rel, "owner %d:%d vs %d:%d", a->st_uid, a->st_gid,
		    b->st_uid, b->st_gid);
	if (!S_ISDIR(a->st_mode) && a->st_size != b->st_size)
		diff(rel, "size %lld vs %lld", (long long)a->st_size,
		    (long long)b->st_size);
	if ((S_ISCHR(a->st_mode) || S_ISBLK(a->st_mode)) &&
	    a->st_rdev != b->st_rdev)
		diff(rel, "device %u:%u vs %u:%u", major(a->st_rdev),
		    minor(a->st_rdev), major(b->st_rdev), minor(b->st_rdev));
	if (check_blocks && S_ISREG(a->st_mode)) {
		long long ka = a->st_blocks / 2, kb = b->st_blocks / 2;
		long long d = ka > kb ? ka - kb : kb - ka;

		if (d > 256 + (ka > kb ? ka : kb) / 4)
			diff(rel, "allocated %lld KiB vs %lld KiB", ka, kb);
	}
	if (!S_ISDIR(a->st_mode) && a->st_nlink > 1) {
		la = link_leader(&A, a, rel);
		lb = link_leader(&B, b, rel);
		if (strcmp(la, lb) != 0)
			diff(rel, "hard link to '%s' vs '%s'", la, lb);
	} else if (!S_ISDIR(a->st_mode) && b->st_nlink > 1) {
		diff(rel, "hard link count %lu vs %lu",
		    (unsigned long)a->st_nlink, (unsigned long)b->st_nlink);
	}
	if (!ignore_xattr) {
		xa = xattr_string(da, na);
		xb = xattr_string(db, nb);
		if (strcmp(xa, xb) != 0)
			diff(rel, "extended attributes differ: [%s] vs [%s]",
			    xa, xb);
		free(xa);
		free(xb);
	}
	return 1;
}

/*
 * Compare name in the directories da and db (rel is its path for
 * messages).  Everything is relative to directory descriptors, so trees
 * deeper than PATH_MAX compare too.
 */
static void
cmp_path(const char *rel, int da, const char *na, int db, const char *nb,
    int is_root)
{
	char ta[8192], tb[8192];
	struct stat a, b;
	ssize_t la, lb;

	if (fstatat(da, na, &a, AT_SYMLINK_NOFOLLOW) == -1 ||
	    fstatat(db, nb, &b, AT_SYMLINK_NOFOLLOW) == -1) {
		diff(rel, "cannot stat: %s", strerror(errno));
		return;
	}
	if (!cmp_meta(rel, da, na, db, nb, &a, &b, is_root))
		return;
	if (S_ISREG(a.st_mode) && a.st_size == b.st_size) {
		cmp_contents(rel, da, na, db, nb);
	} else if (S_ISLNK(a.st_mode)) {
		la = readlinkat(da, na, ta, sizeof(ta) - 1);
		lb = readlinkat(db, nb, tb, sizeof(tb) - 1);
		if (la != lb || la < 0 || memcmp(ta, tb, (size_t)la) != 0)
			diff(rel, "symlink targets differ");
	} else if (S_ISDIR(a.st_mode)) {
		cmp_dir(rel, da, na, db, nb);
	}
}

/* Compare the entries of directory name in da and db. */
static void
cmp_dir(const char *rel, int da, const char *na, int db, const char *nb)
{
	int fa = openat(da, na, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	int fb = openat(db, nb, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	size_t n1 = 0, n2 = 0, i = 0, j = 0;
	char **l1 = NULL, **l2 = NULL;

	if (fa == -1 || fb == -1) {
		diff(rel, "cannot open: %s", strerror(errno));
		goto out;
	}
	l1 = list_dir(dup(fa), &n1);
	l2 = list_dir(dup(fb), &n2);
	if (l1 == NULL || l2 == NULL) {
		diff(rel, "cannot list: %s", strerror(errno));
		goto out;
	}
	while (i < n1 || j < n2) {
		int c = i == n1 ? 1 : j == n2 ? -1 : strcmp(l1[i], l2[j]);
		char *sub;

		if (c < 0) {
			diff(rel, "only in A: %s", l1[i++]);
		} else if (c > 0) {
			diff(rel, "only in B: %s", l2[j++]);
		} else {
			sub = join(rel, l1[i]);
			cmp_path(sub, fa, l1[i], fb, l1[i], 0);
			free(sub);
			i++;
			j++;
		}
	}
out:
	if (l1)
		free_names(l1, n1);
	if (l2)
		free_names(l2, n2);
	if (fa != -1)
		close(fa);
	if (fb != -1)
		close(fb);
}

/* The roots have different names: compare them through their parents. */
static void
root_compare(const char *a, const char *b)
{
	char *pa = strdup(a), *pb = strdup(b), *sa, *sb;
	const char *da = ".", *db = ".", *na = a, *nb = b;
	int fa, fb;

	/* Split "dir/name" at the last slash (a trailing one is kept). */
	if ((sa = strrchr(pa, '/')) != NULL && sa[1] != '\0') {
		*sa = '\0';
		da = *pa ? pa : "/";
		na = sa + 1;
	}
	if ((sb = strrchr(pb, '/')) != NULL && sb[1] != '\0') {
		*sb = '\0';
		db = *pb ? pb : "/";
		nb = sb + 1;
	}
	fa = open(da, O_RDONLY | O_DIRECTORY);
	fb = open(db, O_RDONLY | O_DIRECTORY);
	if (fa == -1 || fb == -1)
		diff("", "cannot open the parents: %s", strerror(errno));
	else
		cmp_path("", fa, na, fb, nb, 1);
	close(fa);
	close(fb);
	free(pa);
	free(pb);
}

int
main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "AOXBRT")) != -1) {
		switch (c) {
		case 'A':
			ignore_atime = 1;
			break;
		case 'O':
			ignore_owner = 1;
			break;
		case 'X':
			ignore_xattr = 1;
			break;
		case 'B':
			check_blocks = 1;
			break;
		case 'R':
			ignore_root = 1;
			break;
		case 'T':
			ignore_times = 1;
			break;
		default:
			fprintf(stderr, "usage: treecmp [-AOXBRT] A B\n");
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: treecmp [-AOXBRT] A B\n");
		return 2;
	}
	A.root = argv[optind];
	B.root = argv[optind + 1];
	root_compare(A.root, B.root);
	return ndiff ? 1 : 0;
}
