/*
 * options.h - the command line: getopt_long table, conflict checks, usage.
 */
#ifndef PCOPY_OPTIONS_H
#define PCOPY_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* PROG_AUTO: bar on a terminal, else none; PROG_ON: bar or line. */
enum progress_mode {
	PROG_AUTO, PROG_ON, PROG_BAR, PROG_LINE, PROG_JSON, PROG_NONE
};
enum stats_mode { STATS_NONE, STATS_TEXT, STATS_JSON };

/* What options_parse() asks the caller to do next. */
enum parse_result { PARSE_RUN, PARSE_HELP, PARSE_VERSION, PARSE_USAGE };

#define DEFAULT_CHUNK_SIZE	(64ULL << 20)

struct options {
	int		 backend, backend_given;
	int		 jobs, procs, threads;	/* 0: not given */
	int		 bench;			/* --bench SRC [SCRATCH] */
	int		 progress;
	int		 stats;
	int		 verbose, quiet;
	int		 no_target_dir;		/* -T */
	const char	*target_dir;		/* -t DIR */
	uint64_t	 chunk_size;
	unsigned	 preserve;		/* PRESERVE_* of meta.h */
	int		 keep_modes;		/* -p, --preserve=mode: also
						   when extracting as a user */
	int		 sparse, reflink;	/* SPARSE_*, REFLINK_* of copy.h */
	int		 update, no_clobber, one_fs, dry_run;
	int		 format, compress;	/* archives: AF_*, AZ_*; -1 */
	const char	*files_from;		/* --files-from FILE, "-" */
	int		 null;			/* -0 */
	const char	**excludes;		/* --exclude, in order */
	int		 nexcludes;
	char		**operands;
	int		 noperands;
};

int	 options_parse(struct options *, int, char **, char *, size_t);
void	 options_free(struct options *);
void	 options_usage(FILE *);
void	 options_help(FILE *);
int	 options_default_jobs(int);

#endif
