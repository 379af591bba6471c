/*
 * coord.h - the coordinator: the one loop every job runs on.
 *
 * A job (the copy plan, writing an archive, extracting one) decides what
 * to do; the coordinator does the rest.  It makes and starts the backend,
 * forms batches of the job's ready tasks and hands them out, takes the
 * workers' events and gives the job those about its tasks, sends a dead
 * worker's tasks out again, stops on a signal, keeps the counts, draws
 * progress through the caller's hooks, and ends the run with an exit
 * status.  There is one of each of these, whatever the job.
 *
 * A job's task is a struct ctask, which starts with the struct task a
 * worker sees; the job keeps its own state around it (its first member
 * is the struct ctask, so the job can get from one to the other).
 */
#ifndef PCOPY_COORD_H
#define PCOPY_COORD_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "counts.h"
#include "task.h"

/* What the coordinator knows of a task, around what the worker sees. */
struct ctask {
	struct task	 t;		/* first: its address is the handle */
	struct ctask	*next, *prev;	/* on the ready or in-flight list */
	uint64_t	 cost;		/* bytes of work, for batching */
	uint64_t	 reported;	/* bytes it counted through EV_BYTES */
	uint64_t	 subseq;	/* order it was handed out in */
	uint64_t	 batchno;	/* the batch it went in */
	int32_t		 wslot;		/* process it went to, -1: none */
	uint8_t		 attempts;	/* deaths of workers running it */
	uint8_t		 where;		/* CT_IDLE, CT_READY, CT_INFLIGHT */
};

enum { CT_IDLE, CT_READY, CT_INFLIGHT };

/* Any task costs at least this; one of COST_ALONE goes out alone. */
#define COST_MIN	4096
#define COST_ALONE	BATCH_BYTES

struct coord;

/*
 * A job: callbacks the coordinator makes, each given the job's own
 * pointer.  Only fill, done and finished are required.
 */
struct job_ops {
	/*
	 * Put tasks on the ready list (coord_ready) if it runs short; called
	 * before each batch is formed.  Returns 0, or -1 when the job
	 * cannot go on (reported): the run stops and is incomplete.
	 */
	int	(*fill)(void *, struct coord *);
	/* An event about t other than EV_DONE; the job may take what it
	 * carries (set the pointer in ev to NULL). */
	void	(*event)(void *, struct coord *, struct ctask *,
		    struct event *);
	/* t is done; ev->err is 0, a TASK_* value or an errno value. */
	void	(*done)(void *, struct coord *, struct ctask *,
		    const struct event *);
	/*
	 * The worker running t died.  Remove what t may have half written.
	 * With giveup (a worker died running it twice) report and finish it
	 * as failed.  Returns 1 when t is to go out again (with TF_RETRY
	 * set as the job wants), 0 when the job has finished it.
	 */
	int	(*lost)(void *, struct coord *, struct ctask *, int);
	/* Everything is done (the coordinator checks nothing is out). */
	int	(*finished)(void *);
	/* The run ended early: remove what t, never finished, may have
	 * left; every worker has exited. */
	void	(*undo)(void *, struct ctask *);
	/* Free t, which the coordinator still holds at the end. */
	void	(*drop)(void *, struct ctask *);
	/*
	 * The run is over and every worker has exited; complete says
	 * whether it ran to its end.  Returns 0, or -1 when the job's own
	 * end failed (reported).
	 */
	int	(*end)(void *, int);
	/* What was done to the rest when some failed: "copied"; and what is
	 * incomplete after an interruption: "the copy". */
	const char *verb, *noun;
	/* Said after "interrupted by SIGINT; ": what became of the output
	 * (NULL: "partial files removed"). */
	const char *(*interrupted)(void *);
};

/* How the run is drawn; each hook may be NULL. */
struct coord_ui {
	void	(*tick)(void *, const struct counts *, double);
	void	(*finish)(void *, const struct counts *, double);
	void	(*clear)(void *);
	void	 *arg;
};

struct runconf;

struct coord	*coord_new(const struct runconf *, struct backend *,
		    const struct coord_ui *);
int		 coord_run(struct coord *, const struct job_ops *, void *);
void		 coord_free(struct coord *);

/* For jobs. */
void		 coord_task_init(struct ctask *);
void		 coord_ready(struct coord *, struct ctask *, uint64_t);
void		 coord_ready_front(struct coord *, struct ctask *, uint64_t);
size_t		 coord_nready(const struct coord *);
int		 coord_busy(const struct coord *);
int		 coord_stopping(const struct coord *);
int		 coord_nworkers(const struct coord *);
struct counts	*coord_counts(struct coord *);
struct totals	*coord_totals(struct coord *);

/* For the summary after a run. */
const struct wstats *coord_wstats(const struct coord *);
const struct backend *coord_backend(const struct coord *);
int		 coord_signal(const struct coord *);

#endif
