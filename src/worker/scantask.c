/*
 * walk.c - list part of a source directory and create its subdirectories
 * in the destination.
 *
 * The scan reads getdents64 records and stats each entry relative to the
 * directory's descriptor (never following symlinks); when nobody looks at
 * the totals (rc->stat_at_copy), regular files are left to the worker
 * that copies them.  Subdirectories are created here, in the destination,
 * mode 0700 so the copy can fill them; their real mode and times come
 * last, from TASK_DIRMETA.  A directory with more than SCAN_CHUNK entries
 * is listed in parts: the task returns a cookie (the d_off of the last
 * entry taken) where the next part resumes, so the coordinator's memory
 * stays bounded however large it is.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "context.h"
#include "dest.h"
#include "exclude.h"
#include "tasks.h"
#include "util.h"

static int
is_dot(const char *name)
{
	return name[0] == '.' && (name[1] == '\0' ||
	    (name[1] == '.' && name[2] == '\0'));
}

/*
 * Make the destination directory for subdirectory name (dest_mkdir).
 * Returns 1 when it was created now, 0 when a directory was already there
 * (merge), -1 when the entry must be skipped (reported already).  A dry
 * run only looks, and not at all below a directory it would make.
 */
static int
make_subdir(struct worker *w, int dstfd, const char *name,
    const struct stat *sst)
{
	int r, op;

	if (w->rc->dry_run && dstfd == -1)
		return 1;
	if ((r = dest_mkdir(dstfd, name, sst, w->rc->dry_run, &op)) == -1)
		worker_fail(w, op, SIDE_DST, errno, name);
	return r;
}

/*
 * Is name a temporary of a pcopy that is gone: .pcopy.PID.HEX, owned by
 * us, PID a process id that is not running, and carrying the mark pcopy
 * puts on each temporary while it writes it (dest.h)?  A run killed with
 * SIGKILL leaves one beside the intact file it was replacing; the next
 * run into that directory removes it.  A file of the user's that only
 * looks like one has no mark and is kept.
 */
static int
stale_temp(int dirfd, const char *name, const struct runconf *rc)
{
	const char *p = name + 7;
	struct stat st;
	char *end;
	long pid;

	if (strncmp(name, ".pcopy.", 7) != 0)
		return 0;
	errno = 0;
	pid = strtol(p, &end, 10);
	if (errno != 0 || end == p || *end != '.' || end[1] == '\0' ||
	    strspn(end + 1, "0123456789abcdef") != strlen(end + 1) ||
	    pid <= 1 || pid > 4194304 || pid == rc->pid)
		return 0;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(st.st_mode) || st.st_uid != rc->euid)
		return 0;
	return kill((pid_t)pid, 0) == -1 && errno == ESRCH &&
	    dest_is_marked(dirfd, name);
}

/* Remove stale temporaries from a destination directory that existed. */
static void
clean_stale(struct worker *w, int dstfd)
{
	int fd = openat(dstfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return;
	while ((n = getdents64(fd, w->dents, w->dentsize)) > 0) {
		for (ssize_t pos = 0; pos < n; ) {
			struct dirent64 *d = (struct dirent64 *)(void *)
			    (w->dents + pos);

			pos += d->d_reclen;
			if (stale_temp(dstfd, d->d_name, w->rc))
				(void)unlinkat(dstfd, d->d_name, 0);
		}
	}
	(void)close(fd);
}

/* Is name, in t's directory, excluded by --exclude? */
static int
excluded(const struct worker *w, const char *name, int is_dir)
{
	const struct runconf *rc = w->rc;
	const struct dirref *d = &w->cur->dir;
	char *path = NULL;
	int r;

	if (rc->nexcludes == 0)
		return 0;
	if (rc->exclude_paths)
		path = strcmp(d->path, ".") == 0 ? xstrdup(name) :
		    path_join(d->path, name);
	r = exclude_match(rc->excludes, rc->nexcludes, name, path, is_dir);
	free(path);
	return r;
}

/* Stat one entry and add it to the batch; skips it after reporting. */
static void
take_entry(struct worker *w, struct entries **ents, int srcfd, int *dstfd,
    const char *name, int dtype)
{
	const struct root *root = &w->rc->roots[w->cur->dir.root];
	struct entry *e;
	struct stat st;
	int fresh = 0, flags = 0;

	/* Names alone (the common case) are excluded before any stat. */
	if (dtype != DT_UNKNOWN && excluded(w, name, dtype == DT_DIR))
		return;
	if (dtype == DT_REG && w->rc->stat_at_copy) {
		/* Its copy stats it through the open descriptor: one lookup
		 * of the name instead of two.  See filetask_copy(). */
		e = entries_add(ents, name, strlen(name));
		e->st.mode = S_IFREG;
		e->flags = ENT_NOSTAT;
		return;
	}
	if (fstatat(srcfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		worker_fail(w, OP_STAT, SIDE_SRC, errno, name);
		return;
	}
	if (dtype == DT_UNKNOWN && excluded(w, name, S_ISDIR(st.st_mode)))
		return;
	if (S_ISDIR(st.st_mode)) {
		if (*dstfd == -1 &&
		    (*dstfd = worker_dst_dir(w, &w->cur->dir)) == -1 &&
		    !w->rc->dry_run) {
			worker_fail(w, OP_OPENDIR, SIDE_DST, errno, NULL);
			return;
		}
		if ((fresh = make_subdir(w, *dstfd, name, &st)) == -1)
			return;
		flags = fresh ? ENT_FRESH : 0;
		if (w->rc->one_fs && st.st_dev != root->src_dev)
			flags |= ENT_NOSCAN;
	}
	e = entries_add(ents, name, strlen(name));
	finfo_from_stat(&e->st, &st);
	e->flags = (uint8_t)flags;
}

/*
 * Scan the part of t's directory that starts at cookie t->off.  Entries go
 * to the coordinator as one EV_ENTRIES event.  *next is set to where the
 * next part starts, 0 when the directory is done.  Returns 0, or an errno
 * value when the directory could not be read (reported already).
 */
int
scantask_scan(struct worker *w, const struct task *t, uint64_t *next)
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
	if (t->off == 0 && !(t->flags & TF_FRESH) && !w->rc->dry_run &&
	    (dstfd = worker_dst_dir(w, &t->dir)) != -1)
		clean_stale(w, dstfd);
	if (worker_src_dir_at(w, &t->dir, t->off) == -1) {
		err = errno;
		worker_fail(w, OP_READDIR, SIDE_SRC, err, NULL);
		return err;
	}
	worker_src_dir_moved(w, &t->dir);
	ents = entries_new(64 * 1024);
	while (ents->count < SCAN_CHUNK &&
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
			if (ents->count >= SCAN_CHUNK) {
				*next = last;
				break;
			}
			last = (uint64_t)d->d_off;
			if (!is_dot(d->d_name))
				take_entry(w, &ents, srcfd, &dstfd, d->d_name,
				    d->d_type);
		}
		if (worker_stopping()) {
			err = ECANCELED;
			break;
		}
	}
	if (ents->count == SCAN_CHUNK && *next == 0 && err == 0)
		*next = last;	/* full exactly at a buffer's end */
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_ENTRIES;
	ev.task = t->handle;
	ev.ents = ents;
	w->sink->emit(w->sink, &ev);
	return err;
}
