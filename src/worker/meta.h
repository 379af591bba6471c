/*
 * meta.h - owner, mode, extended attributes, ACLs and times of a copy, in
 * that fixed order.
 */
#ifndef PCOPY_META_H
#define PCOPY_META_H

#include <sys/types.h>

#include "engine/task.h"

#define PRESERVE_MODE	0x01
#define PRESERVE_OWNER	0x02
#define PRESERVE_TIMES	0x04
#define PRESERVE_LINKS	0x08
#define PRESERVE_XATTR	0x10
#define PRESERVE_ACL	0x20
#define PRESERVE_ALL	0x3f

/*
 * The object is new and so are all directories above it up to a root that
 * is not set-group-ID: it already has pcopy's user and group ids.
 */
#define META_OWN_IDS	0x01
/* Its directory has a default ACL: drop what was inherited, as cp -a. */
#define META_DEFACL	0x02
/* The source could not be opened: keep no attributes, keep the rest. */
#define META_NO_SRC	0x04

/*
 * A file system object: by descriptor when fd != -1, else by name in dirfd
 * (never following a final symlink, unless follow says the name is our
 * own /proc/self/fd link, as for a directory we could only open O_PATH).
 */
struct objref {
	int	    fd;
	int	    dirfd;
	const char *name;
	int	    follow;	/* name is a /proc/self/fd path: follow it */
	/* A source with no file: its attributes as an xblob (xblob.h). */
	const unsigned char *blob;
	size_t	    bloblen;
};

struct runconf;

/* Told of each failure: the operation (enum op) and errno. */
typedef void meta_fail_fn(void *, int, int);

mode_t	meta_create_mode(const struct runconf *, const struct finfo *,
	    unsigned);
mode_t	meta_final_mode(const struct runconf *, const struct finfo *);
int	meta_apply(const struct runconf *, const struct finfo *, unsigned,
	    mode_t, const struct objref *, const struct objref *,
	    meta_fail_fn *, void *);
int	meta_copy_xattrs(const struct runconf *, const struct objref *,
	    const struct objref *, meta_fail_fn *, void *);

#endif
