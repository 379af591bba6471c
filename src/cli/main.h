/*
 * main.h - the state of one run, all in one place so it can all be freed.
 */
#ifndef PCOPY_MAIN_H
#define PCOPY_MAIN_H

#include "options.h"
#include "shape.h"
#include "target.h"
#include "util.h"
#include "worker/runconf.h"

struct coord;
struct job_ops;
struct progress;

struct pcopy {
	struct options	  opt;
	struct runconf	  rc;
	struct pair	 *pairs;
	int		  npairs;
	struct rootinfo	 *rinfo;
	const char	**srcnames;	/* archives: single-file roots' names */
	int		  infd;		/* extraction: the archive */
	struct coord	 *coord;
	const struct job_ops *ops;	/* the job: copy, pack or unpack */
	void		 *job;
	void		(*job_free)(void *);
	struct progress	 *progress;
	struct shape	  shape;
	enum status	  st;
	double		  start;
};

#endif
