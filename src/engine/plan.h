/*
 * plan.h - the copy job: the plan of a tree copy, run on the coordinator.
 *
 * The plan owns what must be decided in one place: which directories are
 * in flight and when each is complete, hard-link groups, totals for the
 * progress display, failures and the order work is handed out in.  It
 * turns scan results into tasks and events back into progress; the
 * coordinator (coord.c) hands the tasks out.
 */
#ifndef PCOPY_PLAN_H
#define PCOPY_PLAN_H

#include <stdint.h>
#include <stdio.h>

#include "coord.h"
#include "task.h"

struct runconf;
struct plan;

extern const struct job_ops plan_job;

struct plan	*plan_new(const struct runconf *, struct coord *, int, int);
void		 plan_add_root(struct plan *, uint32_t, const struct finfo *,
		    const char *, const char *, int);
void		 plan_set_list(struct plan *, FILE *, int);
void		 plan_free(struct plan *);

#endif
