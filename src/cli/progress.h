/*
 * progress.h - counters drawn on stderr as a bar, a log line or JSON.
 *
 * Only the coordinator calls this module.  A NULL struct progress means
 * "off": every function accepts it and does nothing.
 */
#ifndef PCOPY_PROGRESS_H
#define PCOPY_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/counts.h"


struct progress;

struct progress	*progress_new(int, int, int);
void		 progress_update(struct progress *, const struct counts *,
		    double);
void		 progress_finish(struct progress *, const struct counts *,
		    double);
void		 progress_clear(void *);
void		 progress_free(struct progress *);

/* Formatting, exported for tests/unit/test_progress.c. */
double	 progress_fraction(const struct counts *);
void	 fmt_bytes(char *, size_t, double);
void	 fmt_count(char *, size_t, uint64_t);
void	 fmt_eta(char *, size_t, double);
size_t	 fmt_bar_line(char *, size_t, const struct counts *, double, double,
	    double, int);
size_t	 fmt_plain_line(char *, size_t, const struct counts *, double,
	    double, double);
size_t	 fmt_json_line(char *, size_t, const struct counts *, double,
	    double, double);

#endif
