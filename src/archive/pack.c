/*
 * pack.c - write SRC as an archive: a stream on stdout (pcopy SRC -) or a
 * file chosen by its name (pcopy SRC out.tar.zst).
 *
 * The archive holds SRC's contents, as pcopy's copy does: `pcopy dir
 * out.tar` is `tar -C dir -cf out.tar .`, its first member "." carrying
 * dir's own metadata; with several SRC operands each goes under its
 * basename.  The coordinator walks the tree itself, sorted by name, so
 * the same tree always gives the same archive; the workers read files
 * ahead of it (TASK_READ, at most ARCH_WINDOW bytes ahead), in parallel, and
 * the single writer takes their data in archive order.
 *
 * An archive file is written under a temporary name beside it and
 * renamed when complete, so an interrupted run leaves no truncated
 * archive posing as a good one.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archfmt.h"
#include "pack.h"
#include "util.h"
#include "engine/coord.h"
#include "engine/links.h"
#include "engine/report.h"
#include "worker/archtask.h"
#include "worker/exclude.h"
#include "worker/meta.h"
#include "worker/runconf.h"
#include "worker/xblob.h"

#define MAX_ITEMS	8192		/* entries ahead of the writer */
#define XATTR_MAX	65536		/* the kernel's XATTR_SIZE_MAX */

/* A directory being walked: its names, sorted, and where we are. */
struct frame {
	int		 fd;
	uint64_t	 id;
	uint32_t	 root;
	char		*path;		/* below the root, for the workers */
	char		*member;	/* its member name in the archive */
	char		**names;
	size_t		 n, i;
	struct frame	*up;
};

struct piece {
	unsigned char	*buf;		/* a TASK_READ result; NULL: not yet */
	uint32_t	 len;		/* of buf */
	int		 failed, issued, retired;
};

/* One archive member, in the order they are written. */
struct pitem {
	char		*member;
	char		*link;		/* symlink target, or hard-link member */
	int		 hardlink;
	struct linkrec	*group;		/* its hard-link group, if any */
	struct finfo	 st;
	struct xblob	 xattrs;	/* of anything but regular files */
	uint32_t	 npieces, issued, written, outstanding;
	struct piece	*pieces;
	uint64_t	 pos;		/* data written so far */
	int		 header_done, skip, sparse, finished;
	int		 changed;	/* shrank or replaced: zeros from here */
	/* Where workers find it: its directory and name. */
	uint64_t	 dirid;
	uint32_t	 root;
	char		*dirpath, *name;
	struct pitem	*next;
};

/* A TASK_READ of one piece of a member. */
struct rdtask {
	struct ctask	 c;		/* first: what the coordinator sees */
	struct pitem	*item;
	uint32_t	 piece;
};

struct pack {
	const struct runconf *rc;
	struct coord	*c;
	const char *const *srcnames;	/* of roots that are single files */
	struct counts	*counts;	/* the coordinator's */
	struct totals	*totals;
	int		 verbose, nul;
	struct archive	*a;
	struct archspec	 spec;
	const char	*out;
	char		*tmp;		/* the archive file being written */
	int		 outfd, to_stdout;
	dev_t		 self_dev;	/* the archive file: never archive it */
	ino_t		 self_ino;
	struct frame	*top;
	uint32_t	 root;		/* the next root to walk */
	uint64_t	 next_id;
	struct pitem	*head, *tail;
	struct pitem	*issue;		/* first with reads to issue, or NULL */
	size_t		 nitems;
	uint64_t	 ahead;		/* bytes read or being read ahead */
	struct linktab	*links;		/* hard-link groups: their members */
	struct pitem	*zombies;	/* written, reads still out */
	unsigned char	 zeros[65536];
};

static void
fail_path(const char *member, int err, const char *what)
{
	char *q = path_quote(member);

	warnc(err, "%s '%s'", what, q);
	free(q);
}

/* ---- the walk ---- */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd, sorted (the order of the archive). */
static char **
list_sorted(int fd, size_t *np)
{
	int dfd = dup(fd);
	DIR *d = dfd == -1 ? NULL : fdopendir(dfd);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	*np = 0;
	if (d == NULL) {
		if (dfd != -1)
			(void)close(dfd);
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	(void)closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	*np = n;
	return names != NULL ? names : xcalloc(1, sizeof(*names));
}

static void
frame_pop(struct pack *k)
{
	struct frame *f = k->top;

	k->top = f->up;
	for (size_t i = 0; i < f->n; i++)
		free(f->names[i]);
	free(f->names);
	if (f->fd != -1)
		(void)close(f->fd);
	free(f->path);
	free(f->member);
	free(f);
}

static void
frame_push(struct pack *k, int fd, uint32_t root, const char *path,
    const char *member)
{
	struct frame *f = xcalloc(1, sizeof(*f));

	f->fd = fd;
	f->id = ++k->next_id;
	f->root = root;
	f->path = xstrdup(path);
	f->member = xstrdup(member);
	f->names = list_sorted(fd, &f->n);
	if (f->names == NULL) {
		fail_path(member, errno, "cannot read directory");
		k->counts->errors++;
		f->names = xcalloc(1, sizeof(*f->names));
	}
	f->up = k->top;
	k->top = f;
}

static char *
member_of(const char *dir, const char *name)
{
	return strcmp(dir, ".") == 0 || *dir == '\0' ? xstrdup(name) :
	    path_join(dir, name);
}

/* Attributes of an entry that is not read by a worker: by name. */
static void
read_xattrs_by_name(int dirfd, const char *name, struct xblob *b)
{
	char path[320], *list, *val;
	ssize_t n, v;

	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
	if ((n = llistxattr(path, NULL, 0)) <= 0)
		return;
	list = xmalloc((size_t)n);
	val = xmalloc(XATTR_MAX);
	n = llistxattr(path, list, (size_t)n);
	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(list + i) + 1)
		if ((v = lgetxattr(path, list + i, val, XATTR_MAX)) >= 0)
			xblob_add(b, list + i, val, (size_t)v);
	free(list);
	free(val);
}


/*
 * The group of a hard link: found, or made with member as its first name
 * (*first set).  The group's name is that member; its state says whether
 * the member was written (LINK_DONE) or left out (LINK_FAILED).
 */
static struct linkrec *
link_group(struct pack *k, const struct finfo *st, const char *member,
    int *first)
{
	struct linkrec *l = links_find(k->links, st->dev, st->ino);

	*first = l == NULL;
	if (l == NULL) {
		l = links_add(k->links, st->dev, st->ino, st->nlink);
		l->name = xstrdup(member);
	}
	return l;
}

static void
item_append(struct pack *k, struct pitem *it)
{
	if (k->tail != NULL)
		k->tail->next = it;
	else
		k->head = it;
	k->tail = it;
	if (k->issue == NULL)
		k->issue = it;
	k->nitems++;
}

/*
 * Make the member for name in frame f (dirfd is f's), stat-ed as st: its
 * link target or attributes now, its data by workers.
 */
static struct pitem *
make_item(struct pack *k, struct frame *f, int dirfd, const char *name,
    const char *member, const struct stat *st)
{
	struct pitem *it = xcalloc(1, sizeof(*it));
	char target[PATH_MAX + 1];
	int first = 1;
	ssize_t n;

	it->member = xstrdup(member);
	finfo_from_stat(&it->st, st);
	it->dirid = f->id;
	it->root = f->root;
	it->dirpath = xstrdup(f->path);
	it->name = xstrdup(name);
	/* pax keeps hard links of any kind; zip and cpio store copies. */
	if (!S_ISDIR(st->st_mode) && st->st_nlink > 1 &&
	    (k->rc->preserve & PRESERVE_LINKS) &&
	    (k->spec.format == AF_PAX || k->spec.format == AF_TAR)) {
		it->group = link_group(k, &it->st, member, &first);
		if (!first) {
			it->hardlink = 1;
			it->link = xstrdup(it->group->name);
		}
	}
	if (S_ISREG(st->st_mode) && !it->hardlink) {
		it->npieces = it->st.size == 0 ? 1 :
		    (uint32_t)((it->st.size + ARCH_PIECE - 1) / ARCH_PIECE);
		it->pieces = xcalloc(it->npieces, sizeof(*it->pieces));
	} else if (S_ISLNK(st->st_mode) && !it->hardlink) {
		if ((n = readlinkat(dirfd, name, target, PATH_MAX)) == -1) {
			fail_path(member, errno, "cannot read symbolic link");
			k->counts->errors++;
			it->skip = 1;
		} else {
			target[n] = '\0';
			it->link = xstrdup(target);
		}
	}
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode) && !it->skip &&
	    !it->hardlink && (k->rc->preserve & (PRESERVE_XATTR | PRESERVE_ACL)))
		read_xattrs_by_name(dirfd, name, &it->xattrs);
	if (S_ISREG(st->st_mode) && !it->hardlink)
		k->counts->bytes_total += it->st.size;
	if (!S_ISDIR(st->st_mode))
		k->counts->files_total++;
	else
		k->counts->dirs_total++;
	return it;
}

/* A directory's own member: attributes through its descriptor. */
static void
dir_xattrs(struct pack *k, int fd, struct pitem *it)
{
	char *list, *val;
	ssize_t n, v;

	if (!(k->rc->preserve & (PRESERVE_XATTR | PRESERVE_ACL)) ||
	    (n = flistxattr(fd, NULL, 0)) <= 0)
		return;
	list = xmalloc((size_t)n);
	val = xmalloc(XATTR_MAX);
	n = flistxattr(fd, list, (size_t)n);
	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(list + i) + 1)
		if ((v = fgetxattr(fd, list + i, val, XATTR_MAX)) >= 0)
			xblob_add(&it->xattrs, list + i, val, (size_t)v);
	free(list);
	free(val);
}

static int
excluded(const struct pack *k, const struct frame *f, const char *name,
    int is_dir)
{
	char *path;
	int r;

	if (k->rc->nexcludes == 0)
		return 0;
	path = member_of(f->path, name);
	r = exclude_match(k->rc->excludes, k->rc->nexcludes, name, path,
	    is_dir);
	free(path);
	return r;
}

/* The next entry of the current directory, or of a root; 0 at the end. */
static int
walk_one(struct pack *k)
{
	struct frame *f;
	struct stat st;
	char *member, *path, *name;
	int fd;

	while ((f = k->top) != NULL && f->i == f->n)
		frame_pop(k);
	if (f == NULL)
		return 0;
	name = f->names[f->i++];
	if (fstatat(f->fd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		member = member_of(f->member, name);
		fail_path(member, errno, "cannot stat");
		free(member);
		k->counts->errors++;
		return 1;
	}
	if (excluded(k, f, name, S_ISDIR(st.st_mode)))
		return 1;
	member = member_of(f->member, name);
	if (k->self_ino != 0 && st.st_dev == k->self_dev &&
	    st.st_ino == k->self_ino) {
		fail_path(member, 0, "is the archive itself; not archived:");
		free(member);
		return 1;
	}
	item_append(k, make_item(k, f, f->fd, name, member, &st));
	if (S_ISDIR(st.st_mode) && k->rc->one_fs &&
	    st.st_dev != k->rc->roots[f->root].src_dev) {
		free(member);	/* -x: the directory, not what is in it */
		return 1;
	}
	if (S_ISDIR(st.st_mode)) {
		fd = openat(f->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (fd == -1) {
			fail_path(member, errno, "cannot open directory");
			k->counts->errors++;
		} else {
			dir_xattrs(k, fd, k->tail);
			path = member_of(f->path, name);
			frame_push(k, fd, f->root, path, member);
			free(path);
		}
	}
	free(member);
	return 1;
}

/* Start the walk of root r: its top member, and its directory. */
static void
walk_root(struct pack *k, uint32_t r)
{
	const struct root *root = &k->rc->roots[r];
	char *base = path_basename(root->src_disp);
	const char *member = k->rc->nroots > 1 ? base : ".";
	struct frame pseudo;
	struct stat st;
	int fd;

	memset(&pseudo, 0, sizeof(pseudo));
	pseudo.root = r;
	pseudo.path = ".";
	pseudo.id = ++k->next_id;
	if (!root->is_dir) {
		pseudo.fd = root->srcfd;
		if (fstatat(root->srcfd, k->srcnames[r], &st, AT_SYMLINK_NOFOLLOW)
		    == 0)
			item_append(k, make_item(k, &pseudo, root->srcfd,
			    k->srcnames[r], base, &st));
		free(base);
		return;
	}
	if ((fd = openat(root->srcfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1) {
		fail_path(root->src_disp, errno, "cannot open directory");
		k->counts->errors++;
		if (fd != -1)
			(void)close(fd);
		free(base);
		return;
	}
	item_append(k, make_item(k, &pseudo, fd, ".", member, &st));
	dir_xattrs(k, fd, k->tail);
	frame_push(k, fd, r, ".", k->rc->nroots > 1 ? base : "");
	free(base);
}

/* ---- reading ahead ---- */

/* A READ task for piece i of it. */
static struct rdtask *
read_task(struct pack *k, struct pitem *it, uint32_t i)
{
	struct rdtask *rt = xmalloc(sizeof(*rt));
	struct task *t = &rt->c.t;

	coord_task_init(&rt->c);
	rt->item = it;
	rt->piece = i;
	t->seq = ++k->next_id;
	t->kind = TASK_READ;
	t->flags = i == 0 ? TF_CREATE : 0;
	t->dir.id = it->dirid;
	t->dir.root = it->root;
	t->dir.path = it->dirpath;
	t->dir.pathlen = (uint32_t)strlen(it->dirpath);
	t->name = it->name;
	t->namelen = (uint16_t)strlen(it->name);
	t->st = it->st;
	t->off = (uint64_t)i * ARCH_PIECE;
	t->len = MIN(ARCH_PIECE, it->st.size - t->off);
	return rt;
}

static uint64_t
piece_cost(const struct pitem *it, uint32_t i)
{
	return MIN(ARCH_PIECE, it->st.size - (uint64_t)i * ARCH_PIECE) + 4096;
}

/*
 * Issue the reads of the pieces still to come, in archive order, while
 * less than ARCH_WINDOW bytes are read ahead of the writer: so however
 * large the files, memory holds at most about ARCH_WINDOW bytes of data.
 */
static void
issue_pieces(struct pack *k)
{
	struct pitem *it;

	/* Start at the cursor, not the head: with small files the window
	 * holds thousands of members already issued, and walking past them
	 * on every event made writing an archive quadratic. */
	while ((it = k->issue) != NULL && k->ahead < ARCH_WINDOW) {
		while (!it->skip && it->issued < it->npieces &&
		    k->ahead < ARCH_WINDOW) {
			struct piece *pc = &it->pieces[it->issued];
			struct rdtask *rt;

			pc->issued = 1;
			k->ahead += piece_cost(it, it->issued);
			it->outstanding++;
			rt = read_task(k, it, it->issued++);
			coord_ready(k->c, &rt->c, rt->c.t.len);
		}
		if (!it->skip && it->issued < it->npieces)
			break;		/* the window is full */
		k->issue = it->next;
	}
}

/* A piece is no longer ahead of the writer: written or given up. */
static void
retire(struct pack *k, struct pitem *it, uint32_t i)
{
	struct piece *pc = &it->pieces[i];

	if (pc->issued && !pc->retired)
		k->ahead -= piece_cost(it, i);
	pc->retired = 1;
	free(pc->buf);
	pc->buf = NULL;
}

/* Walk on while the window has room, and read ahead. */
static void
walk_ahead(struct pack *k)
{
	issue_pieces(k);
	while (k->ahead < ARCH_WINDOW && k->nitems < MAX_ITEMS) {
		if (walk_one(k)) {
			issue_pieces(k);
			continue;
		}
		if (k->root >= k->rc->nroots) {
			k->counts->total_final = 1;
			break;
		}
		walk_root(k, k->root++);
	}
}

/* ---- writing ---- */

static const char *
user_name(uid_t uid)
{
	static uid_t last = (uid_t)-1;
	static char name[64];
	struct passwd *pw;

	if (uid != last) {
		pw = getpwuid(uid);
		(void)snprintf(name, sizeof(name), "%s", pw ? pw->pw_name : "");
		last = uid;
	}
	return name[0] ? name : NULL;
}

static const char *
group_name(gid_t gid)
{
	static gid_t last = (gid_t)-1;
	static char name[64];
	struct group *gr;

	if (gid != last) {
		gr = getgrgid(gid);
		(void)snprintf(name, sizeof(name), "%s", gr ? gr->gr_name : "");
		last = gid;
	}
	return name[0] ? name : NULL;
}

/*
 * Attributes: ACLs as the format's ACLs, the rest as xattrs; only tar
 * formats hold either (and an ACL given to cpio or zip would only change
 * the mode libarchive writes).
 */
static void
entry_xattrs(struct pack *k, struct archive_entry *e, const unsigned char *b,
    size_t len)
{
	const char *name;
	const void *val;
	size_t pos = 0, vlen;

	if (k->spec.format != AF_PAX && k->spec.format != AF_TAR)
		return;
	while (xblob_next(b, len, &pos, &name, &val, &vlen) == 1) {
		if (strcmp(name, "system.posix_acl_access") == 0) {
			if (k->rc->preserve & PRESERVE_ACL)
				(void)archfmt_acl_to_entry(e,
				    ARCHIVE_ENTRY_ACL_TYPE_ACCESS, val, vlen);
		} else if (strcmp(name, "system.posix_acl_default") == 0) {
			if (k->rc->preserve & PRESERVE_ACL)
				(void)archfmt_acl_to_entry(e,
				    ARCHIVE_ENTRY_ACL_TYPE_DEFAULT, val, vlen);
		} else if (k->rc->preserve & PRESERVE_XATTR) {
			archive_entry_xattr_add_entry(e, name, val, vlen);
		}
	}
}

/*
 * Check a TASK_READ result against its own lengths (archtask.c makes it;
 * a mismatch would be a bug, never a reason to read past the buffer).
 * Fills h and returns 0, or -1.
 */
static int
piece_header(const struct piece *pc, struct rdhdr *h)
{
	uint64_t need, e[2];
	const unsigned char *ext;

	if (pc->buf == NULL || pc->len < sizeof(*h))
		return -1;
	memcpy(h, pc->buf, sizeof(*h));
	need = sizeof(*h) + (uint64_t)h->xattrlen + 16 * ((uint64_t)h->nmap +
	    h->next);
	if (need > pc->len)
		return -1;
	ext = pc->buf + sizeof(*h) + h->xattrlen + 16 * (size_t)h->nmap;
	for (uint32_t i = 0; i < h->next; i++) {
		memcpy(e, ext + 16 * (size_t)i, 16);
		need += e[1];
	}
	return need > pc->len ? -1 : 0;
}

/* The first piece of a file: its header's attributes and data map. */
static void
first_piece(struct pack *k, struct pitem *it, struct archive_entry *e)
{
	const unsigned char *buf = it->pieces[0].buf;
	struct rdhdr h;
	uint64_t m[2];

	if (piece_header(&it->pieces[0], &h) == -1)
		return;
	entry_xattrs(k, e, buf + sizeof(h), h.xattrlen);
	if ((k->spec.format != AF_PAX && k->spec.format != AF_TAR) ||
	    !(h.flags & RD_SPARSE))
		return;		/* only tar keeps holes */
	it->sparse = 1;
	for (uint32_t i = 0; i < h.nmap; i++) {
		memcpy(m, buf + sizeof(h) + h.xattrlen + 16 * (size_t)i, 16);
		archive_entry_sparse_add_entry(e, (la_int64_t)m[0],
		    (la_int64_t)m[1]);
	}
	if (h.nmap == 0)	/* all hole: one empty extent at its end */
		archive_entry_sparse_add_entry(e, (la_int64_t)it->st.size, 0);
}

static int
write_header(struct pack *k, struct pitem *it)
{
	struct archive_entry *e;
	const struct finfo *st = &it->st;
	int r;

	if (it->hardlink && it->group->state != LINK_DONE) {
		warnx("'%s' is left out: its hard-link target '%s' was",
		    it->member, it->link);
		it->skip = 1;
		return 0;
	}
	e = archive_entry_new();
	archive_entry_copy_pathname(e, it->member);
	archive_entry_set_mode(e, st->mode);
	if (k->rc->preserve & PRESERVE_OWNER) {
		archive_entry_set_uid(e, st->uid);
		archive_entry_set_gid(e, st->gid);
		archive_entry_copy_uname(e, user_name(st->uid));
		archive_entry_copy_gname(e, group_name(st->gid));
	}
	archive_entry_set_mtime(e, archfmt_time_out(st->mtime, st->mtime_ns),
	    st->mtime_ns);
	if (k->spec.format == AF_PAX)
		archive_entry_set_atime(e, archfmt_time_out(st->atime,
		    st->atime_ns), st->atime_ns);
	if (S_ISCHR(st->mode) || S_ISBLK(st->mode))
		archive_entry_set_rdev(e, (dev_t)st->rdev);
	archive_entry_set_size(e, S_ISREG(st->mode) && !it->hardlink ?
	    (la_int64_t)st->size : 0);
	if (S_ISLNK(st->mode) && !it->hardlink)
		archive_entry_copy_symlink(e, it->link);
	if (it->hardlink)
		archive_entry_copy_hardlink(e, it->link);
	if (S_ISREG(st->mode) && !it->hardlink)
		first_piece(k, it, e);
	else
		entry_xattrs(k, e, it->xattrs.p, it->xattrs.len);
	r = archive_write_header(k->a, e);
	archive_entry_free(e);
	if (r == ARCHIVE_FAILED) {
		/* The format cannot hold it (a socket in tar, a device in
		 * zip...): tar's way, a warning and on. */
		warnx("'%s' is left out: %s", it->member,
		    archive_error_string(k->a) ? archive_error_string(k->a) :
		    "the format cannot hold it");
		it->skip = 1;
		return 0;
	}
	/* ARCHIVE_WARN: a name stored as bytes, not UTF-8; that is fine. */
	if (r < ARCHIVE_WARN)
		return -1;
	/*
	 * The pax writer puts a sparse member's map (GNU sparse 1.0) at the
	 * start of its data, on the first archive_write_data() call.  A file
	 * that is all hole has no data to write: without this call the
	 * header would promise a map that never comes, and every member
	 * after it would be read from the wrong offset.
	 */
	if (it->sparse && archive_write_data(k->a, k->zeros, 0) < 0)
		return -1;
	it->header_done = 1;
	return 0;
}

static int
write_zeros(struct pack *k, uint64_t n)
{
	while (n > 0) {
		size_t c = (size_t)MIN(n, sizeof(k->zeros));

		if (archive_write_data(k->a, k->zeros, c) < 0)
			return -1;
		n -= c;
	}
	return 0;
}

/*
 * The file shrank or was replaced while its pieces were read: the header
 * is out, so the rest of the member is zeros, as tar pads a file that
 * shrank, and it counts as an error, as in tar.  Said once per file.
 */
static void
file_changed(struct pack *k, struct pitem *it, const char *how)
{
	if (it->changed)
		return;
	it->changed = 1;
	warnx("'%s' %s while it was read; padded with zeros", it->member,
	    how);
	k->counts->errors++;
}

/* Zeros up to end, the offset of the end of a piece. */
static int
pad_piece(struct pack *k, struct pitem *it, uint64_t end)
{
	if (it->pos < end && write_zeros(k, end - it->pos) == -1)
		return -1;
	it->pos = MAX(it->pos, end);
	return 0;
}

/*
 * Write one piece's extents in order, zeros for what lies between (the
 * pax writer drops those that fall in holes).  A piece that could not be
 * read is written as zeros, as tar does for a file that shrank; so is the
 * end of a file shorter than its header said.  A sparse file in tar ends
 * with its last extent: the rest is a hole.
 */
static int
write_piece(struct pack *k, struct pitem *it, uint32_t idx)
{
	const struct piece *pc = &it->pieces[idx];
	uint64_t end = MIN((uint64_t)idx * ARCH_PIECE + ARCH_PIECE, it->st.size), e[2];
	const unsigned char *ext, *data;
	struct rdhdr h;

	if (pc->failed || it->changed || piece_header(pc, &h) == -1)
		return pad_piece(k, it, end);
	if (h.flags & RD_REPLACED) {
		file_changed(k, it, "was replaced");
		return pad_piece(k, it, end);
	}
	ext = pc->buf + sizeof(h) + h.xattrlen + 16 * (size_t)h.nmap;
	data = ext + 16 * (size_t)h.next;
	for (uint32_t i = 0; i < h.next; i++) {
		memcpy(e, ext + 16 * (size_t)i, 16);
		if (e[0] > it->pos && write_zeros(k, e[0] - it->pos) == -1)
			return -1;
		if (e[1] > 0 && archive_write_data(k->a, data, e[1]) < 0)
			return -1;
		data += e[1];
		it->pos = e[0] + e[1];
	}
	if (h.flags & RD_SHRANK) {
		file_changed(k, it, "shrank");
		return pad_piece(k, it, end);
	}
	if (idx + 1 < it->npieces || it->sparse)
		return 0;
	return pad_piece(k, it, end);
}

static void
item_free(struct pitem *it)
{
	for (uint32_t i = 0; i < it->npieces; i++)
		free(it->pieces[i].buf);
	free(it->pieces);
	free(it->member);
	free(it->link);
	free(it->dirpath);
	free(it->name);
	xblob_free(&it->xattrs);
	free(it);
}

/*
 * The head member is written (or left out): count it, and free it, or
 * keep it aside until the reads still out for it come back.
 */
static void
item_done(struct pack *k, struct pitem *it)
{
	if (S_ISDIR(it->st.mode))
		k->counts->dirs_done++;
	else
		k->counts->files_done++;
	if (it->group != NULL && !it->hardlink)
		it->group->state = it->skip ? LINK_FAILED : LINK_DONE;
	if (!it->skip) {
		if (S_ISREG(it->st.mode) && !it->hardlink)
			k->totals->files++;
		else if (it->hardlink)
			k->totals->links++;
		else if (S_ISLNK(it->st.mode))
			k->totals->symlinks++;
		else if (!S_ISDIR(it->st.mode))
			k->totals->specials++;
		if (k->verbose)
			(void)fprintf(k->to_stdout ? stderr : stdout, "%s%c",
			    it->member, k->nul ? '\0' : '\n');
	}
	if (S_ISREG(it->st.mode) && !it->hardlink) {
		if (it->skip)
			k->counts->bytes_done += it->st.size;
		k->totals->bytes += it->skip ? 0 : it->st.size;
		for (uint32_t i = 0; i < it->npieces; i++)
			if (it->pieces[i].buf != NULL || it->pieces[i].failed ||
			    !it->pieces[i].issued)
				retire(k, it, i);
	}
	if (k->issue == it)
		k->issue = it->next;
	k->head = it->next;
	if (k->head == NULL)
		k->tail = NULL;
	k->nitems--;
	it->finished = 1;
	if (it->outstanding == 0) {
		item_free(it);
	} else {
		it->next = k->zombies;
		k->zombies = it;
	}
}

/* Whether the first piece found another file than the one planned. */
static int
first_replaced(const struct pitem *it)
{
	struct rdhdr h;

	return piece_header(&it->pieces[0], &h) == 0 &&
	    (h.flags & RD_REPLACED);
}

/* Write every member at the head whose data is here.  -1: fatal. */
static int
drain(struct pack *k)
{
	struct pitem *it;

	while ((it = k->head) != NULL) {
		int is_data = S_ISREG(it->st.mode) && !it->hardlink;

		if (is_data && !it->header_done && !it->pieces[0].buf &&
		    !it->pieces[0].failed)
			return 0;	/* the header waits for the first read */
		if (is_data && it->pieces[0].failed && !it->header_done)
			it->skip = 1;	/* unreadable: left out, reported */
		if (is_data && !it->header_done && !it->skip &&
		    first_replaced(it)) {
			warnx("'%s' is left out: it was replaced while it "
			    "was read", it->member);
			k->counts->errors++;
			it->skip = 1;
		}
		if (!it->skip && !it->header_done && write_header(k, it) == -1)
			return -1;
		while (!it->skip && is_data && it->written < it->npieces) {
			struct piece *pc = &it->pieces[it->written];

			if (pc->buf == NULL && !pc->failed)
				return 0;
			if (write_piece(k, it, it->written) == -1)
				return -1;
			k->counts->bytes_done += piece_cost(it, it->written) -
			    4096;
			retire(k, it, it->written);
			it->written++;
		}
		item_done(k, it);
	}
	return 0;
}

/* ---- the job ---- */

/* A read came back (or was lost for good): account for it. */
static void
read_done(struct pack *k, struct rdtask *rt, int failed)
{
	struct pitem *it = rt->item;
	struct piece *pc = &it->pieces[rt->piece];

	if (failed && pc->buf == NULL)
		pc->failed = 1;
	it->outstanding--;
	if (it->finished) {
		retire(k, it, rt->piece);
		if (it->outstanding == 0) {
			struct pitem **pp = &k->zombies;

			while (*pp != it)
				pp = &(*pp)->next;
			*pp = it->next;
			item_free(it);
		}
	}
	free(rt);
}

/*
 * job_ops.fill: write every member at the head whose data is here, then
 * walk on and read ahead while the window has room.  -1 when the archive
 * cannot be written (reported).
 */
static int
job_fill(void *job, struct coord *c)
{
	struct pack *k = job;

	(void)c;
	if (drain(k) == -1) {
		fail_path(k->out, archive_errno(k->a), "cannot write");
		k->counts->errors++;
		return -1;
	}
	walk_ahead(k);
	return 0;
}

/* job_ops.event: a piece's data, or a failure to read it. */
static void
job_event(void *job, struct coord *c, struct ctask *ct, struct event *ev)
{
	struct pack *k = job;
	struct rdtask *rt = (struct rdtask *)ct;
	struct piece *pc = &rt->item->pieces[rt->piece];
	struct where w;

	(void)c;
	switch (ev->kind) {
	case EV_DATA:
		if (!rt->item->finished) {
			free(pc->buf);
			pc->buf = ev->data;
			pc->len = ev->datalen;
			ev->data = NULL;
		}
		break;
	case EV_ERROR:
		w.root = &k->rc->roots[ct->t.dir.root];
		w.dir = ct->t.dir.path;
		w.name = ev->name != NULL ? ev->name : ct->t.name;
		w.dname = NULL;
		report_failure(&w, ev->op, ev->side, ev->err);
		k->counts->errors++;
		break;
	}
}

/* job_ops.done */
static void
job_done(void *job, struct coord *c, struct ctask *ct, const struct event *ev)
{
	(void)c;
	read_done(job, (struct rdtask *)ct, ev->err != 0);
}

/*
 * job_ops.lost: a read wrote nothing, so it goes out again, unless its
 * data came before its worker died or its member is written already.
 * Given up, it failed: its member is left out or padded, as for a read
 * that failed.
 */
static int
job_lost(void *job, struct coord *c, struct ctask *ct, int giveup)
{
	struct pack *k = job;
	struct rdtask *rt = (struct rdtask *)ct;
	struct where w;

	(void)c;
	if (rt->item->pieces[rt->piece].buf != NULL || rt->item->finished) {
		read_done(k, rt, 0);
		return 0;
	}
	if (giveup) {
		w.root = &k->rc->roots[ct->t.dir.root];
		w.dir = ct->t.dir.path;
		w.name = ct->t.name;
		w.dname = NULL;
		report_failure(&w, OP_WORKER, SIDE_SRC, 0);
		k->counts->errors++;
		read_done(k, rt, 1);
		return 0;
	}
	return 1;
}

/* job_ops.finished: every member is written. */
static int
job_finished(void *job)
{
	const struct pack *k = job;

	return k->root >= k->rc->nroots && k->top == NULL &&
	    k->head == NULL && k->zombies == NULL;
}

/* job_ops.drop */
static void
job_drop(void *job, struct ctask *ct)
{
	(void)job;
	free(ct);
}

/* Point the archive's descriptor at /dev/null, and close the archive. */
static void
drop_output(struct pack *k)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null != -1) {
		(void)dup2(null, k->outfd);
		(void)close(null);
	}
	(void)archive_write_close(k->a);
}

/*
 * job_ops.end: close the archive; an archive file gets its name only
 * complete, and is removed otherwise.
 */
static int
job_end(void *job, int complete)
{
	struct pack *k = job;
	int ok = complete ? 0 : -1;

	/*
	 * Incomplete, an archive must not end as if it were whole: what
	 * libarchive still holds and its end-of-archive blocks go to
	 * /dev/null.  (archive_write_fail() would keep them back too, but
	 * then libarchive leaks its output buffer.)
	 */
	if (!complete)
		drop_output(k);

	if (ok == 0 && archive_write_close(k->a) != ARCHIVE_OK) {
		fail_path(k->out, archive_errno(k->a), "cannot write");
		k->counts->errors++;
		ok = -1;
	}
	if (k->tmp == NULL)
		return complete ? ok : 0;
	if (close(k->outfd) == -1 && ok == 0) {
		fail_path(k->out, errno, "cannot write");
		ok = -1;
	}
	k->outfd = -1;
	if (ok == 0 && rename(k->tmp, k->out) == -1) {
		fail_path(k->out, errno, "cannot move the archive into "
		    "place as");
		ok = -1;
	}
	if (ok != 0)
		(void)unlink(k->tmp);
	return complete ? ok : 0;
}

static const char *
job_interrupted(void *job)
{
	const struct pack *k = job;

	return k->tmp != NULL ? "no archive was written" :
	    "the archive stream is incomplete";
}

const struct job_ops pack_job = {
	.fill = job_fill,
	.event = job_event,
	.done = job_done,
	.lost = job_lost,
	.finished = job_finished,
	.drop = job_drop,
	.end = job_end,
	.verb = "archived",
	.noun = "the archive",
	.interrupted = job_interrupted,
};

/* ---- the run ---- */

/*
 * Open where the archive goes: stdout, or a temporary beside the named
 * file.  Returns 0, or -1 (reported).
 */
static int
open_output(struct pack *k, dev_t *dev, ino_t *ino)
{
	char *dir, *base;
	struct stat st;

	if (strcmp(k->out, "-") == 0) {
		k->outfd = STDOUT_FILENO;
		k->to_stdout = 1;
	} else {
		dir = path_dirname(k->out);
		base = path_basename(k->out);
		k->tmp = xasprintf("%s/.pcopy.%ld.%s", dir, (long)getpid(),
		    base);
		free(dir);
		free(base);
		k->outfd = open(k->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0666 & ~k->rc->umask);
		if (k->outfd == -1) {
			fail_path(k->out, errno, "cannot create");
			free(k->tmp);
			k->tmp = NULL;
			return -1;
		}
	}
	if (fstat(k->outfd, &st) == 0) {
		*dev = st.st_dev;
		*ino = S_ISREG(st.st_mode) ? st.st_ino : 0;
	}
	return 0;
}

/*
 * Writing the archive of rc's roots (their sources, opened already) to
 * out ("-": stdout) in spec's format, on coordinator c.  srcnames[r] is the
 * name of root r's source when it is a single file.  -v lists the members
 * written (on stderr when the archive goes to stdout), NUL-terminated with
 * nul.  Returns NULL when the archive cannot be opened (reported).
 */
struct pack *
pack_new(const struct runconf *rc, struct coord *c,
    const struct archspec *spec, const char *out,
    const char *const *srcnames, int verbose, int nul)
{
	struct pack *k = xcalloc(1, sizeof(*k));
	dev_t odev = 0;
	ino_t oino = 0;

	k->rc = rc;
	k->c = c;
	k->counts = coord_counts(c);
	k->totals = coord_totals(c);
	k->srcnames = srcnames;
	k->spec = *spec;
	k->out = out;
	k->verbose = verbose;
	k->nul = nul;
	k->outfd = -1;
	k->links = links_new();
	if (open_output(k, &odev, &oino) == -1) {
		pack_free(k);
		return NULL;
	}
	k->self_dev = odev;
	k->self_ino = oino;
	k->a = archive_write_new();
	if (archfmt_setup_writer(k->a, spec) != ARCHIVE_OK ||
	    archive_write_open_fd(k->a, k->outfd) != ARCHIVE_OK)
		errx(2, "cannot set up the archive: %s",
		    archive_error_string(k->a));
	return k;
}

/* Free the job, after its coordinator. */
void
pack_free(struct pack *k)
{
	if (k == NULL)
		return;
	while (k->top != NULL)
		frame_pop(k);
	while (k->head != NULL) {
		struct pitem *it = k->head;

		k->head = it->next;
		item_free(it);
	}
	while (k->zombies != NULL) {
		struct pitem *it = k->zombies;

		k->zombies = it->next;
		item_free(it);
	}
	links_free(k->links, NULL);
	if (k->a != NULL)
		archive_write_free(k->a);
	if (k->tmp != NULL && k->outfd != -1) {
		(void)close(k->outfd);
		(void)unlink(k->tmp);
	}
	free(k->tmp);
	free(k);
}
