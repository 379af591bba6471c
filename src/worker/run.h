/*
 * run.h - the top of a worker: run the tasks of a batch, each through its
 * handler, and send each one's EV_DONE.  Backends call this; handlers
 * never do.
 */
#ifndef PCOPY_RUN_H
#define PCOPY_RUN_H

#include "context.h"
#include "engine/task.h"

void	worker_run(struct worker *, const struct task *);
void	worker_batch_begin(struct worker *);
void	worker_batch_end(struct worker *);

#endif
