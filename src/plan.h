/*
 * plan.h - the coordinator's plan of the copy.
 *
 * The plan owns what must be decided in one place: which directories are
 * in flight and when each is complete, hard-link groups, totals for the
 * progress display, failures and the order work is handed out in.  It
 * turns scan results into tasks, tasks into batches for the backend, and
 * events back into progress.
 */
#ifndef PCOPY_PLAN_H
#define PCOPY_PLAN_H

#include <stdint.h>
#include <stdio.h>

#include "progress.h"
#include "task.h"

struct backend;
struct runconf;

/* Per worker, for --stats. */
struct wstats {
	uint64_t tasks, bytes;
};

/* What the run did, for --stats and the exit status. */
struct totals {
	uint64_t files, dirs, symlinks, links, specials, skipped;
	uint64_t bytes;		/* bytes of data actually copied */
	uint64_t retried;	/* tasks handed out again after a crash */
	uint64_t deaths;	/* worker processes that died */
};

struct plan;

struct plan	*plan_new(const struct runconf *, int, int, int, int);
void		 plan_add_root(struct plan *, uint32_t, const struct finfo *,
		    const char *, const char *, int);
int		 plan_fill(struct plan *, struct backend *);
void		 plan_set_list(struct plan *, FILE *, int);
void		 plan_event(struct plan *, const struct event *);
int		 plan_finished(const struct plan *);
int		 plan_failed_fatally(const struct plan *);
void		 plan_stopping(struct plan *);
void		 plan_cleanup(struct plan *);
const struct counts *plan_counts(const struct plan *);
const struct totals *plan_totals(const struct plan *);
const struct wstats *plan_wstats(const struct plan *);
void		 plan_free(struct plan *);

#endif
