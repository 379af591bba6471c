/*
 * tasks.h - the handlers a worker dispatches to, one per task kind.
 *
 * Each returns 0, TASK_SKIPPED when there was nothing to do (an existing
 * copy kept), TASK_PARTIAL when the copy is made but some metadata could
 * not be kept, TASK_RESTAT when a file the walk did not stat turned out
 * to need the coordinator (EV_STAT says why), or an errno value after
 * reporting the failure with worker_fail(); the value goes back to the
 * coordinator in EV_DONE.
 */
#ifndef PCOPY_TASKS_H
#define PCOPY_TASKS_H

#include "meta.h"
#include "task.h"

#define TASK_SKIPPED	(-1)
#define TASK_PARTIAL	(-2)	/* copied, some metadata not (reported) */
#define TASK_RESTAT	(-3)	/* TF_NOSTAT: plan it again from EV_STAT */
#define TASK_NOTRUN	(-4)	/* handed back unstarted: see worker_run() */

struct worker;

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
	    const char *);
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
