/*
 * copy.h - copy the data of one file or one range of it.
 *
 * The ladder: FICLONE/FICLONERANGE (share extents), copy_file_range (copy
 * in the kernel), read/write with a reused buffer.  Holes are kept through
 * SEEK_DATA/SEEK_HOLE.  A fast path that a file system refuses is
 * remembered per source device and destination root, so it is tried once,
 * not once per file.
 */
#ifndef PCOPY_COPY_H
#define PCOPY_COPY_H

#include <stdint.h>

#include "engine/task.h"

/* Rungs of the ladder that can be left out (measurement, tests). */
#define COPY_NO_CLONE		0x01
#define COPY_NO_CFR		0x02
#define COPY_NO_SENDFILE	0x04

enum reflink_mode { REFLINK_AUTO, REFLINK_ALWAYS, REFLINK_NEVER };
enum sparse_mode { SPARSE_AUTO, SPARSE_ALWAYS, SPARSE_NEVER };

#define COPY_MEMO	8

struct copy_memo {
	uint64_t sdev;
	uint32_t dkey;
	uint8_t	 no_clone, no_cfr, no_sendfile, used;
	uint8_t	 pseudo;		/* 0: not asked, 1: procfs..., 2: no */
};

struct copier {
	char		*buf;
	size_t		 bufsize;
	int		 reflink, sparse;
	unsigned	 delay_us;	/* tests: pause per piece */
	unsigned	 paths;		/* COPY_NO_*: rungs not to try */
	struct copy_memo memo[COPY_MEMO];
	unsigned	 next_memo;
	uint64_t	 copied;	/* by the last copy_range() */
	/* Told of progress every piece; may be NULL. */
	void		(*progress)(void *, uint64_t);
	void		*arg;
};

/* Where a failed copy failed: reading the source or writing the copy. */
enum copy_side { COPY_SRC, COPY_DST, COPY_CLONE };

void	copier_init(struct copier *, size_t);
void	copier_fini(struct copier *);
int	copy_range(struct copier *, int, int, const struct finfo *, uint32_t,
	    uint64_t, uint64_t, int *);
int	copy_is_sparse(const struct finfo *);
int	copy_size_known(struct copier *, int, const struct finfo *, uint32_t);

#endif
