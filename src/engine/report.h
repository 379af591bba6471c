/*
 * report.h - the coordinator's messages: failures named by the path the
 * user would type, worker deaths, and the -v list of copied paths.
 */
#ifndef PCOPY_REPORT_H
#define PCOPY_REPORT_H

#include "task.h"

struct root;

/* Where in a root an object is: its directory and its names there. */
struct where {
	const struct root *root;
	const char	  *dir;		/* path below the root, "." at the top */
	const char	  *name;	/* NULL: the directory itself */
	const char	  *dname;	/* destination name when it differs */
};

char	*report_path(const struct where *, int);
void	 report_failure(const struct where *, int, int, int);
void	 report_died(int, int, int);
int	 report_verbose(const struct where *, int);

#endif
