/*
 * tasks.h - the handlers a worker dispatches to, one per task kind.
 *
 * Each returns 0, a TASK_* outcome (task.h) or an errno value after
 * reporting the failure with worker_fail(); the value goes back to the
 * coordinator in EV_DONE.
 */
#ifndef PCOPY_TASKS_H
#define PCOPY_TASKS_H

#include "meta.h"
#include "engine/task.h"

struct worker;

/* scantask.c: list a source directory (in parts of SCAN_CHUNK entries) */
#define SCAN_CHUNK	2048
int	scantask_scan(struct worker *, const struct task *, uint64_t *);

/* filetask.c: regular files */
int	filetask_copy(struct worker *, const struct task *);
int	filetask_chunk(struct worker *, const struct task *);
int	filetask_finish(struct worker *, const struct task *);

/* nodetask.c: everything else a tree holds */
int	nodetask_link(struct worker *, const struct task *);
int	nodetask_symlink(struct worker *, const struct task *);
int	nodetask_special(struct worker *, const struct task *);
int	nodetask_dirmeta(struct worker *, const struct task *);
void	nodetask_meta_fail(void *, int, int);
int	nodetask_check_target(struct worker *, const struct task *, int,
	    const char *, int *);
int	nodetask_dry_run(struct worker *, const struct task *);
struct objref nodetask_src(const struct task *, int);
mode_t	nodetask_create_mode(const struct worker *, const struct task *);
int	nodetask_meta(struct worker *, const struct task *,
	    const struct objref *, int, int, mode_t);

/* archtask.c: the worker's side of archives */
int	archtask_read(struct worker *, const struct task *);
int	archtask_put(struct worker *, const struct task *);
int	archtask_putfin(struct worker *, const struct task *);

#endif
