/*
 * stats.h - the --stats summary at the end of a run, as text or JSON.
 */
#ifndef PCOPY_STATS_H
#define PCOPY_STATS_H

#include <stdio.h>

#include "progress.h"
#include "engine/plan.h"

struct stats_run {
	const char		*backend;
	int			 nprocs, nthreads, nworkers;
	double			 elapsed;
	int			 status;	/* the exit status */
	const struct counts	*counts;
	const struct totals	*totals;
	const struct wstats	*wstats;
};

void	stats_print_text(FILE *, const struct stats_run *);
void	stats_print_json(FILE *, const struct stats_run *);

#endif
