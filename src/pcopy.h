/*
 * pcopy.h - the state of one run, all in one place so it can all be freed.
 */
#ifndef PCOPY_PCOPY_H
#define PCOPY_PCOPY_H

#include "options.h"
#include "target.h"
#include "util.h"
#include "worker.h"

struct backend;
struct plan;
struct progress;

struct pcopy {
	struct options	  opt;
	struct runconf	  rc;
	struct pair	 *pairs;
	int		  npairs;
	struct rootinfo	 *rinfo;
	struct backend	 *backend;
	struct plan	 *plan;
	struct progress	 *progress;
	int		  ncpu, jobs, procs, threads;
	int		  signo;	/* the signal that stopped the run */
	enum status	  st;
	double		  start;
};

#endif
