/*
 * runconf.h - what every worker and the coordinator share about a run:
 * the roots (SRC DST pairs, opened once) and the settings, read-only once
 * workers start.
 */
#ifndef PCOPY_RUNCONF_H
#define PCOPY_RUNCONF_H

#include <sys/types.h>

#include <stdint.h>

#include "engine/task.h"

/*
 * One SRC DST pair of the command line.  Paths in tasks are relative to
 * these directories, opened by the coordinator before any worker starts
 * (so forked workers inherit them).
 */
struct root {
	int	 srcfd, dstfd;
	char	*src_disp, *dst_disp;	/* as the user wrote them */
	int	 is_dir;		/* SRC is a directory (the root) */
	int	 fresh;			/* the top directory was created now */
	int	 pristine;		/* ... in a directory not set-group-ID */
	int	 defacl;		/* new directories inherit a default ACL */
	dev_t	 src_dev;		/* -x: the file system to stay on */
};

struct exclude;

/* Settings every worker shares; read-only once workers start. */
struct runconf {
	struct root	*roots;
	uint32_t	 nroots;
	uint64_t	 chunk_size;
	uid_t		 euid;
	gid_t		 egid;
	int		 is_root;	/* may keep any owner */
	pid_t		 pid;		/* names temporaries: .pcopy.PID.SEQ */
	unsigned	 delay_ms;	/* PCOPY_TEST_DELAY_MS, tests only */
	int		 dircache_slots;
	int		 chunk_width;	/* chunks copied at once, at most */
	unsigned	 preserve;	/* PRESERVE_* of meta.h */
	mode_t		 umask;		/* the user's, for --no-preserve=mode */
	mode_t		 extract_mask;	/* mode bits an extraction drops */
	int		 reflink, sparse;
	unsigned	 copy_paths;	/* COPY_NO_* rungs left out */
	int		 update, no_clobber, one_fs, dry_run;
	int		 stat_at_copy;	/* the walk does not stat files */
	int		 hand_back;	/* see batch_full() in run.c */
	struct exclude	*excludes;
	int		 nexcludes, exclude_paths;
};

/* Is a regular file described by st copied in chunks (plan_chunks.c)? */
static inline int
runconf_in_chunks(const struct runconf *rc, const struct finfo *st)
{
	return st->size > rc->chunk_size && !rc->dry_run;
}

#endif
