/*
 * meta.c - make a copy's metadata match the source's.
 *
 * The order matters: owner first (chown clears set-user-ID bits and file
 * capabilities), then the mode, then extended attributes and ACLs (ACLs
 * are the system.posix_acl_* attributes, so copying the attributes copies
 * them too; they come last, since setting one sets the mode's bits), and
 * the times last, since every other change touches ctime and some file
 * systems mtime.  Every step runs even if an earlier one failed; each
 * failure is handed to the caller's fail function.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meta.h"
#include "runconf.h"
#include "util.h"
#include "xblob.h"

#define ACL_PREFIX	"system.posix_acl_"

/*
 * Will the copy get another owner or group than it was created with?
 * flags as for meta_apply (META_OWN_IDS).  The same test set_owner()
 * makes before it calls chown.
 */
static int
owner_changes(const struct runconf *rc, const struct finfo *st,
    unsigned flags)
{
	int as_created = (flags & META_OWN_IDS) != 0;

	if (!(rc->preserve & PRESERVE_OWNER))
		return 0;
	if (rc->is_root)
		return !as_created || st->uid != rc->euid ||
		    st->gid != rc->egid;
	return !as_created || st->gid != rc->egid;
}

/*
 * The mode a new file is created with, before any fix-up.  As cp: while
 * the copy still has pcopy's owner and group (or a set-group-ID
 * directory's group), its group and others get no access, or they could
 * open a file that is not theirs; meta_apply() sets the real mode after
 * the chown.
 */
mode_t
meta_create_mode(const struct runconf *rc, const struct finfo *st,
    unsigned flags)
{
	mode_t mode = (rc->preserve & PRESERVE_MODE) ? st->mode & 0777 :
	    meta_final_mode(rc, st);

	if (owner_changes(rc, st, flags))
		mode &= S_IRWXU;
	return mode;
}

/*
 * The mode a copy ends with, before set-ID bits are dropped.  Without
 * --preserve=mode it is cp's default: 0666 (0777 for a directory) less
 * the umask.
 */
mode_t
meta_final_mode(const struct runconf *rc, const struct finfo *st)
{
	if (rc->preserve & PRESERVE_MODE)
		return st->mode & 07777;
	return (S_ISDIR(st->mode) ? 0777 : 0666) & ~rc->umask;
}

/* A path that reaches name in dirfd without following it, for l*xattr. */
static const char *
proc_path(char *buf, size_t len, const struct objref *o)
{
	if (o->follow)
		return o->name;
	(void)snprintf(buf, len, "/proc/self/fd/%d/%s", o->dirfd, o->name);
	return buf;
}

static int
at_flags(const struct objref *o)
{
	return o->follow ? 0 : AT_SYMLINK_NOFOLLOW;
}

static int
do_chown(const struct objref *o, uid_t uid, gid_t gid)
{
	if (o->fd != -1)
		return fchown(o->fd, uid, gid);
	return fchownat(o->dirfd, o->name, uid, gid, at_flags(o));
}

/*
 * Keep the owner where permitted.  Returns 1 when owner and group are
 * both the source's, 2 when they were not to be kept, 0 when they could
 * not be (an ordinary user, as cp, keeps quiet), -1 when root failed to
 * set them (*err says why).
 */
static int
set_owner(const struct runconf *rc, const struct finfo *st, unsigned flags,
    const struct objref *dst, int *err)
{
	if (!(rc->preserve & PRESERVE_OWNER))
		return 2;
	if (rc->is_root) {
		if (!owner_changes(rc, st, flags))
			return 1;
		if (do_chown(dst, st->uid, st->gid) == 0)
			return 1;
		*err = errno;
		return -1;
	}
	if (owner_changes(rc, st, flags) &&
	    do_chown(dst, (uid_t)-1, st->gid) == -1)
		return 0;
	return st->uid == rc->euid;
}

static int
set_mode(const struct objref *o, mode_t mode)
{
	if (o->fd != -1)
		return fchmod(o->fd, mode);
	/* Never through a symlink swapped in at the name. */
	return fchmodat(o->dirfd, o->name, mode, at_flags(o));
}

static int
set_times(const struct objref *o, const struct finfo *st)
{
	struct timespec ts[2];

	ts[0].tv_sec = st->atime;
	ts[0].tv_nsec = st->atime_ns;
	ts[1].tv_sec = st->mtime;
	ts[1].tv_nsec = st->mtime_ns;
	if (o->fd != -1)
		return futimens(o->fd, ts);
	return utimensat(o->dirfd, o->name, ts, at_flags(o));
}

/* The names of a blob, as listxattr() lists them. */
static ssize_t
blob_list(const struct objref *o, char *buf, size_t len)
{
	const char *name;
	const void *val;
	size_t pos = 0, vlen, n = 0, nl;

	while (xblob_next(o->blob, o->bloblen, &pos, &name, &val, &vlen) == 1) {
		nl = strlen(name) + 1;
		if (buf != NULL && len > 0) {
			if (n + nl > len) {
				errno = ERANGE;
				return -1;
			}
			memcpy(buf + n, name, nl);
		}
		n += nl;
	}
	return (ssize_t)n;
}

static ssize_t
blob_get(const struct objref *o, const char *want, void *buf, size_t len)
{
	const char *name;
	const void *val;
	size_t pos = 0, vlen;

	while (xblob_next(o->blob, o->bloblen, &pos, &name, &val, &vlen) == 1) {
		if (strcmp(name, want) != 0)
			continue;
		if (buf != NULL && len > 0) {
			if (vlen > len) {
				errno = ERANGE;
				return -1;
			}
			memcpy(buf, val, vlen);
		}
		return (ssize_t)vlen;
	}
	errno = ENODATA;
	return -1;
}

static ssize_t
x_list(const struct objref *o, char *buf, size_t len)
{
	char p[320];

	if (o->blob != NULL)
		return blob_list(o, buf, len);
	if (o->fd != -1)
		return flistxattr(o->fd, buf, len);
	if (o->follow)
		return listxattr(o->name, buf, len);
	return llistxattr(proc_path(p, sizeof(p), o), buf, len);
}

static ssize_t
x_get(const struct objref *o, const char *name, void *buf, size_t len)
{
	char p[320];

	if (o->blob != NULL)
		return blob_get(o, name, buf, len);
	if (o->fd != -1)
		return fgetxattr(o->fd, name, buf, len);
	if (o->follow)
		return getxattr(o->name, name, buf, len);
	return lgetxattr(proc_path(p, sizeof(p), o), name, buf, len);
}

static int
x_set(const struct objref *o, const char *name, const void *v, size_t len)
{
	char p[320];

	if (o->fd != -1)
		return fsetxattr(o->fd, name, v, len, 0);
	if (o->follow)
		return setxattr(o->name, name, v, len, 0);
	return lsetxattr(proc_path(p, sizeof(p), o), name, v, len, 0);
}

/*
 * Read into *buf (of *cap bytes, growing it on the heap when stack is not
 * enough).  getter is x_list when name is NULL, x_get otherwise.
 */
static ssize_t
x_read(const struct objref *o, const char *name, char **buf, size_t *cap,
    char *stackbuf)
{
	ssize_t n;

	for (;;) {
		n = name == NULL ? x_list(o, *buf, *cap) :
		    x_get(o, name, *buf, *cap);
		if (n != -1 || errno != ERANGE)
			return n;
		n = name == NULL ? x_list(o, NULL, 0) : x_get(o, name, NULL, 0);
		if (n == -1)
			return -1;
		if (*buf != stackbuf)
			free(*buf);
		*cap = (size_t)n + 256;
		*buf = xmalloc(*cap);
	}
}

static int
is_acl(const char *name)
{
	return strncmp(name, ACL_PREFIX, sizeof(ACL_PREFIX) - 1) == 0;
}

/* Failures that mean "this attribute cannot exist there", not an error. */
static int
quiet_xattr_error(const struct runconf *rc, const char *name, int err)
{
	if (err == ENODATA)
		return 1;	/* removed since it was listed */
	if (is_acl(name))
		return 0;	/* losing an ACL loses permissions: say so */
	if (err == EOPNOTSUPP)
		return 1;
	return !rc->is_root && (err == EPERM || err == EACCES);
}

static int
wanted(const struct runconf *rc, const char *name)
{
	if (is_acl(name))
		return (rc->preserve & PRESERVE_ACL) != 0;
	return (rc->preserve & PRESERVE_XATTR) != 0;
}

/*
 * Copy every extended attribute (and so every POSIX ACL) of src to dst.
 * Returns the number of failures reported.
 */
int
meta_copy_xattrs(const struct runconf *rc, const struct objref *src,
    const struct objref *dst, meta_fail_fn *fail, void *arg)
{
	char lstack[1024], vstack[4096];
	char *list = lstack, *val = vstack;
	size_t lcap = sizeof(lstack), vcap = sizeof(vstack);
	ssize_t n, v;
	int nfail = 0;

	n = x_read(src, NULL, &list, &lcap, lstack);
	if (n == -1 && errno != EOPNOTSUPP) {
		fail(arg, OP_XATTR, errno);
		nfail++;
	}
	/* ACLs last: setting one sets the mode bits (see meta_apply). */
	for (int acls = 0; acls < 2; acls++) {
		for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1) {
			const char *name = list + i;

			if (is_acl(name) != acls || !wanted(rc, name))
				continue;
			v = x_read(src, name, &val, &vcap, vstack);
			if ((v == -1 || x_set(dst, name, val, (size_t)v) == -1)
			    && !quiet_xattr_error(rc, name, errno)) {
				fail(arg, OP_XATTR, errno);
				nfail++;
			}
		}
	}
	if (list != lstack)
		free(list);
	if (val != vstack)
		free(val);
	return nfail;
}

static int
x_remove(const struct objref *o, const char *name)
{
	char p[320];

	if (o->fd != -1)
		return fremovexattr(o->fd, name);
	if (o->follow)
		return removexattr(o->name, name);
	return lremovexattr(proc_path(p, sizeof(p), o), name);
}

/*
 * A copy made in a directory with a default ACL inherits an ACL.  cp -a
 * leaves only what the source has: drop each ACL of dst that src lacks
 * (or all, when ACLs are not kept).
 */
static int
drop_inherited_acls(const struct runconf *rc, const struct objref *src,
    const struct objref *dst, int is_dir, meta_fail_fn *fail, void *arg)
{
	static const char *const names[] = {
		ACL_PREFIX "access", ACL_PREFIX "default"
	};
	int nfail = 0;

	for (int i = 0; i < (is_dir ? 2 : 1); i++) {
		if ((rc->preserve & PRESERVE_ACL) &&
		    x_get(src, names[i], NULL, 0) >= 0)
			continue;	/* the source has one: it is copied */
		if (x_remove(dst, names[i]) == -1 && errno != ENODATA &&
		    errno != EOPNOTSUPP) {
			fail(arg, OP_XATTR, errno);
			nfail++;
		}
	}
	return nfail;
}

/*
 * Apply st to the copy dst: owner, mode, extended attributes, times.
 * created is the mode dst was created with (umask is 0 in pcopy), so a
 * chmod happens only when it changes something.  src is needed for the
 * extended attributes.  Returns the number of failures passed to fail().
 */
int
meta_apply(const struct runconf *rc, const struct finfo *st, unsigned flags,
    mode_t created, const struct objref *src, const struct objref *dst,
    meta_fail_fn *fail, void *arg)
{
	int nfail = 0, owned, err = 0, xattrs, unwritable;
	mode_t mode;

	owned = set_owner(rc, st, flags, dst, &err);
	if (owned == -1) {
		fail(arg, OP_OWNER, err);
		nfail++;
	}
	if ((flags & META_DEFACL) && !S_ISLNK(st->mode))
		nfail += drop_inherited_acls(rc, src, dst, S_ISDIR(st->mode),
		    fail, arg);
	xattrs = (rc->preserve & (PRESERVE_XATTR | PRESERVE_ACL)) &&
	    !(flags & META_NO_SRC);
	mode = meta_final_mode(rc, st);
	/*
	 * As cp: when the owner was not kept, set-ID bits go, and so does
	 * the sticky bit of anything but a directory.
	 */
	if (owned == 0 || owned == -1)
		mode &= ~(mode_t)(S_ISUID | S_ISGID |
		    (S_ISDIR(st->mode) ? 0 : S_ISVTX));
	/*
	 * As cp: an ordinary user needs write permission on a file to set
	 * its user.* attributes, so a read-only copy is writable for them
	 * and gets its real mode after.
	 */
	unwritable = xattrs && (rc->preserve & PRESERVE_XATTR) &&
	    !rc->is_root && !S_ISLNK(st->mode) && !(mode & S_IWUSR);
	if (!S_ISLNK(st->mode) && (mode != created || unwritable ||
	    (flags & META_DEFACL)) &&
	    set_mode(dst, unwritable ? mode | S_IRUSR | S_IWUSR : mode) == -1) {
		fail(arg, OP_MODE, errno);
		nfail++;
		unwritable = 0;		/* the mode is as it was: once is enough */
	}
	if (xattrs)
		nfail += meta_copy_xattrs(rc, src, dst, fail, arg);
	if (unwritable && set_mode(dst, mode) == -1) {
		fail(arg, OP_MODE, errno);
		nfail++;
	}
	if ((rc->preserve & PRESERVE_TIMES) && set_times(dst, st) == -1) {
		fail(arg, OP_TIMES, errno);
		nfail++;
	}
	return nfail;
}
