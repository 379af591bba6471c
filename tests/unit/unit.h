/*
 * unit.h - the smallest test harness: CHECK() counts, prints a failure
 * with its line, and unit_end() gives the exit status.
 */
#ifndef PCOPY_UNIT_H
#define PCOPY_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_checks, unit_failures;

#define CHECK(cond) do {						\
	unit_checks++;							\
	if (!(cond)) {							\
		unit_failures++;					\
		fprintf(stderr, "%s:%d: failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	unit_checks++;							\
	if (strcmp(g_, w_) != 0) {					\
		unit_failures++;					\
		fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n",	\
		    __FILE__, __LINE__, g_, w_);			\
	}								\
} while (0)

static inline int
unit_end(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks,
	    unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
