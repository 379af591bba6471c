/*
 * shape.h - how many workers, in what shape, with how large a cache of
 * open directories each: from the options, the processors and the limit
 * on open descriptors, so a low limit gives a smaller pool, not failures.
 */
#ifndef PCOPY_SHAPE_H
#define PCOPY_SHAPE_H

struct options;

struct shape {
	int	ncpu;
	int	fdlimit;	/* RLIMIT_NOFILE, raised to the hard limit */
	int	jobs;		/* workers in all */
	int	procs, threads;	/* procs 0: threads of this process */
	int	slots;		/* cached directories a worker */
	int	cut;		/* the limit made the pool smaller */
};

int	shape_fd_limit(void);
void	shape_decide(const struct options *, int, int, int, struct shape *);

#endif
