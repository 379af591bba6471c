/*
 * fake.h - a scripted backend for the coordinator's tests and the fuzz
 * target: it runs each task at once, in the coordinator's thread, and
 * can kill its make-believe worker processes when told to.
 *
 * A fake has nprocs processes of one worker each.  Batches go to the
 * processes in turn and are run (or answered) when the coordinator waits
 * for events, at most one batch per wait.  With a worker set, a task is
 * run by the real worker code (worker/run.c) and its events are the real
 * ones; without, every task is simply done (fuzzing: nothing is written).
 */
#ifndef PCOPY_FAKE_H
#define PCOPY_FAKE_H

#include <stdint.h>

#include "engine/backend.h"
#include "engine/task.h"

struct runconf;
struct fake;

/*
 * Asked before each task runs: return 1 to kill the process that holds
 * it instead (its tasks are lost, EV_DIED is sent).
 */
typedef int fake_kill_fn(struct fake *, const struct task *, void *);

struct fake_stats {
	uint64_t submitted;	/* tasks handed to the fake */
	uint64_t run;		/* tasks run (or answered) */
	uint64_t retries;	/* tasks that came with TF_RETRY */
	uint64_t deaths;	/* processes killed */
	int	 stopped, aborted;
};

struct backend	*fake_new(const struct runconf *, int, int);
void		 fake_set_kill(struct backend *, fake_kill_fn *, void *);
void		 fake_set_replace(struct backend *, int);
const struct fake_stats *fake_stats(const struct backend *);

#endif
