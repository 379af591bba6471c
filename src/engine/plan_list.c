/*
 * plan_list.c - --files-from: copy only the paths a list names, relative
 * to SRC, one a line (NUL-terminated with -0), as rsync --files-from
 * does: a listed directory is made but not descended into, and the
 * directories above a listed path are made too, with their source's
 * metadata.  The list is read as the copy goes, a few hundred paths ahead
 * of it, so find(1) can still be writing it.
 *
 * The coordinator stats the listed paths and makes the directories
 * itself (there is no scan); every directory stays open until the list
 * ends, since a later line may name something in it.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan_int.h"
#include "report.h"
#include "util.h"
#include "worker/dest.h"
#include "worker/exclude.h"
#include "worker/meta.h"
#include "worker/runconf.h"
#include "worker/safeopen.h"

#define LIST_HASH	1024

struct ldir {
	struct dirnode	*d;
	struct ldir	*next;
};

struct flist {
	FILE		*fp;
	int		 nul, done;
	uint32_t	 root;
	char		*line;
	size_t		 cap;
	struct ldir	*dirs[LIST_HASH];
	struct dirnode	**held;
	size_t		 nheld, heldcap;
	int		 srcfd, dstfd;		/* of cached */
	struct dirnode	*cached;
};

static size_t
hash(const char *s)
{
	return str_hash(s) % LIST_HASH;
}

/* Descriptors of d's source and destination (one directory cached). */
static int
dir_fds(struct plan *p, struct dirnode *d, int *src, int *dst)
{
	struct flist *l = p->flist;
	const struct root *r = &p->rc->roots[d->root];

	if (l->cached != d) {
		if (l->srcfd != -1)
			(void)close(l->srcfd);
		if (l->dstfd != -1)
			(void)close(l->dstfd);
		l->srcfd = safe_open_below(r->srcfd, d->path);
		l->dstfd = safe_open_below(r->dstfd, d->path);
		l->cached = d;
	}
	*src = l->srcfd;
	*dst = l->dstfd;
	/* A dry run looks at the source; its copies need not exist. */
	return l->srcfd != -1 && (l->dstfd != -1 || p->rc->dry_run) ? 0 : -1;
}

static void
fail_at(struct plan *p, struct dirnode *d, const char *name, int op, int side,
    int err)
{
	struct where w = { &p->rc->roots[d->root], d->path, name, NULL };

	report_failure(&w, op, side, err);
	p->counts->errors++;
}

/*
 * Make the copy of directory name in parent (as the walk would).
 * Returns 1 when made now, 0 when it was there, -1 (reported).
 */
static int
make_dir(struct plan *p, struct dirnode *parent, int dstfd, const char *name)
{
	int r, op;

	if (p->rc->dry_run && dstfd == -1)
		return 1;
	if ((r = dest_mkdir(dstfd, name, NULL, p->rc->dry_run, &op)) == -1)
		fail_at(p, parent, name, op, SIDE_DST, errno);
	return r;
}

static void
hold(struct flist *l, struct dirnode *d)
{
	if (l->nheld == l->heldcap) {
		l->heldcap = l->heldcap ? 2 * l->heldcap : 64;
		l->held = xrealloc(l->held, l->heldcap * sizeof(*l->held));
	}
	l->held[l->nheld++] = d;
}

/* The dirnode of path (made, with those above it, if new); NULL: failed. */
static struct dirnode *
list_dir(struct plan *p, const char *path)
{
	struct flist *l = p->flist;
	struct dirnode *parent, *d;
	struct ldir *ld;
	const char *name;
	struct finfo fi;
	struct stat st;
	int src, dst, fresh;
	char *up;

	if (strcmp(path, ".") == 0)
		return p->deferred_list_root;
	for (ld = l->dirs[hash(path)]; ld != NULL; ld = ld->next)
		if (strcmp(ld->d->path, path) == 0)
			return ld->d;
	up = path_dirname(path);
	parent = list_dir(p, up);
	free(up);
	if (parent == NULL)
		return NULL;
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (dir_fds(p, parent, &src, &dst) == -1) {
		fail_at(p, parent, NULL, OP_OPENDIR, SIDE_SRC, errno);
		return NULL;
	}
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		fail_at(p, parent, name, OP_STAT, SIDE_SRC, errno);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		fail_at(p, parent, name, OP_NOTDIR, SIDE_SRC, ENOTDIR);
		return NULL;
	}
	if ((fresh = make_dir(p, parent, dst, name)) == -1)
		return NULL;
	finfo_from_stat(&fi, &st);
	d = plan_dirnode_new(p, parent, parent->root, name, strlen(name), &fi);
	d->fresh = (uint8_t)fresh;
	d->pristine = d->fresh && parent->pristine;
	d->ours = 1;
	d->pending = 1;		/* held until the list ends */
	parent->pending++;
	p->counts->dirs_total++;
	hold(l, d);
	ld = xcalloc(1, sizeof(*ld));
	ld->d = d;
	ld->next = l->dirs[hash(path)];
	l->dirs[hash(path)] = ld;
	return d;
}

/* One line of the list: the entry at path (a clean relative path). */
static void
list_entry(struct plan *p, const char *path)
{
	struct dirnode *d;
	struct entries *ents;
	struct entry *e;
	const char *name;
	struct stat st;
	int src, dst;
	char *up;

	if (strcmp(path, ".") == 0)
		return;
	up = path_dirname(path);
	d = list_dir(p, up);
	free(up);
	if (d == NULL || dir_fds(p, d, &src, &dst) == -1)
		return;
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		fail_at(p, d, name, OP_STAT, SIDE_SRC, errno);
		return;
	}
	if (p->rc->nexcludes > 0 && exclude_match(p->rc->excludes,
	    p->rc->nexcludes, name, path, S_ISDIR(st.st_mode)))
		return;
	if (S_ISDIR(st.st_mode)) {
		(void)list_dir(p, path);
		return;
	}
	ents = entries_new(64);
	e = entries_add(&ents, name, strlen(name));
	finfo_from_stat(&e->st, &st);
	plan_add_entry(p, d, ents, e);
}

/*
 * The list has ended: let go of every directory it kept open, so each
 * gets its metadata once what is in it is done.
 */
static void
list_end(struct plan *p)
{
	struct flist *l = p->flist;

	l->done = 1;
	p->counts->total_final = 1;
	for (size_t i = l->nheld; i-- > 0; )
		plan_child_done(p, l->held[i]);
	plan_child_done(p, p->deferred_list_root);
}

/*
 * A listed path is below SRC; one that starts with SRC as the operand
 * gave it (find SRC ... prints those) has that taken off first.
 */
static const char *
below_src(const struct plan *p, const char *line)
{
	const char *src = p->rc->roots[p->flist->root].src_disp;
	size_t n = strlen(src);

	while (n > 1 && src[n - 1] == '/')
		n--;
	if (n == 1 && src[0] == '/')		/* SRC is the root */
		return line[0] == '/' ? line + 1 : line;
	if (strncmp(line, src, n) == 0 && (line[n] == '/' || line[n] == '\0'))
		return line[n] == '/' ? line + n + 1 : ".";
	return line;
}

/* Read up to n more lines of the list into tasks. */
void
plan_list_feed(struct plan *p, int n)
{
	struct flist *l = p->flist;
	char *clean;
	ssize_t len;

	while (n-- > 0 && !l->done) {
		len = getdelim(&l->line, &l->cap, l->nul ? '\0' : '\n', l->fp);
		if (len == -1) {
			list_end(p);
			return;
		}
		if (len > 0 && l->line[len - 1] == (l->nul ? '\0' : '\n'))
			l->line[--len] = '\0';
		if (len == 0)
			continue;
		clean = xmalloc((size_t)len + 2);
		if (path_safe_relative(below_src(p, l->line), clean,
		    (size_t)len + 2) == -1) {
			char *q = path_quote(l->line);

			warnx("--files-from: '%s' is not a path below SRC", q);
			free(q);
			p->counts->errors++;
		} else {
			list_entry(p, clean);
		}
		free(clean);
	}
}

/*
 * Copy root r's tree as far as fp lists it; the plan has made the root's
 * dirnode and holds it while the list is read.
 */
void
plan_list_start(struct plan *p, struct dirnode *root, FILE *fp, int nul)
{
	struct flist *l = xcalloc(1, sizeof(*l));

	l->fp = fp;
	l->nul = nul;
	l->srcfd = l->dstfd = -1;
	p->flist = l;
	p->deferred_list_root = root;
}

int
plan_list_pending(const struct plan *p)
{
	return p->flist != NULL && !p->flist->done;
}

void
plan_list_free(struct plan *p)
{
	struct flist *l = p->flist;

	if (l == NULL)
		return;
	for (size_t i = 0; i < LIST_HASH; i++)
		for (struct ldir *ld = l->dirs[i], *next; ld; ld = next) {
			next = ld->next;
			free(ld);
		}
	if (l->srcfd != -1)
		(void)close(l->srcfd);
	if (l->dstfd != -1)
		(void)close(l->dstfd);
	if (l->fp != stdin)
		(void)fclose(l->fp);
	free(l->held);
	free(l->line);
	free(l);
	p->flist = NULL;
}
