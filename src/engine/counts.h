/*
 * counts.h - what a run has done so far (struct counts, drawn as
 * progress) and in all (struct totals and struct wstats, for --stats and
 * the exit status).  The coordinator owns them; jobs add to them.
 */
#ifndef PCOPY_COUNTS_H
#define PCOPY_COUNTS_H

#include <stdint.h>

struct counts {
	uint64_t bytes_done, bytes_total;
	uint64_t files_done, files_total;
	uint64_t dirs_done, dirs_total;
	uint64_t errors;
	int	 total_final;	/* the scan has finished */
	int	 finished;	/* the run is over: draw 100% */
};

/* What the run did, for --stats and the exit status. */
struct totals {
	uint64_t files, dirs, symlinks, links, specials, skipped;
	uint64_t bytes;		/* bytes of data actually copied */
	uint64_t retried;	/* tasks handed out again after a crash */
	uint64_t deaths;	/* worker processes that died */
};

/* Per worker, for --stats. */
struct wstats {
	uint64_t tasks, bytes;
};

#endif
