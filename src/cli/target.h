/*
 * target.h - turn the operands into SRC -> target pairs (GNU cp's rules)
 * and open each pair as a root of the run.
 */
#ifndef PCOPY_TARGET_H
#define PCOPY_TARGET_H

#include "engine/task.h"

struct options;
struct root;

struct pair {
	const char	*src;		/* the operand as given */
	char		*dst;		/* the path the copy gets */
};

/* A root ready to copy: its descriptors, and what the plan needs. */
struct rootinfo {
	struct finfo	 st;		/* of SRC */
	char		*srcname;	/* single file: names in the parents */
	char		*dstname;
	/* The target: its parent directory and name, to find duplicates. */
	dev_t		 tdev;
	ino_t		 tino;
	char		*tname;
	int		 after;		/* a root to wait for, or -1 */
};

int	target_pairs(const struct options *, struct pair **, int *, char *,
	    size_t);
int	target_open(const struct pair *, struct root *, struct rootinfo *,
	    int);
void	target_close(struct root *, struct rootinfo *);
int	target_same(const struct rootinfo *, const struct rootinfo *);
int	target_open_source(const char *, const char *, struct root *,
	    struct rootinfo *);

#endif
