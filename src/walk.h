/*
 * walk.h - scan one source directory: a task like any other, so the walk
 * of a tree is spread over all workers.
 */
#ifndef PCOPY_WALK_H
#define PCOPY_WALK_H

#include "task.h"

/* Entries in one scan task; a larger directory is scanned in parts. */
#define WALK_CHUNK	2048

struct worker;

int	walk_dir(struct worker *, const struct task *, uint64_t *);

#endif
