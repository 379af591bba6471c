/*
 * dest.h - where a copy is written, and how it replaces what was there.
 *
 * In a directory this run created, a copy is written under its own name:
 * nothing can be there to lose.  In a directory that existed before, a
 * file one task writes whole is made nameless (O_TMPFILE) and linked in
 * only complete, so a crash leaves nothing behind; anything else is
 * written under a temporary name (.pcopy.PID.SEQ) and renamed over the
 * target once complete, so an interrupted run never leaves a truncated
 * file where a good one was, and a symlink sitting at the target is
 * replaced, never followed.  The coordinator can tell from the same rule
 * which name to remove after an interruption.
 *
 * A temporary file left by a run killed outright is removed by the next
 * run into its directory only if it carries the mark (the xattr
 * DEST_MARK naming the file itself) that pcopy gives each one while it
 * is being written: a user's file that merely looks like a temporary
 * is never touched.
 */
#ifndef PCOPY_DEST_H
#define PCOPY_DEST_H

#include <sys/stat.h>
#include <sys/types.h>

#include <stdint.h>

#define DEST_TMPLEN	64
#define DEST_MARK	"user.pcopy.temporary"

struct dest {
	int	    dirfd;
	const char *target;		/* the final name */
	const char *created;		/* target, tmp, or NULL: nameless */
	pid_t	    pid;		/* these two name tmp */
	uint64_t    seq;
	int	    link;		/* tmp is a hard link: see commit */
	int	    absent;		/* nothing was at target: link there */
	char	    tmp[DEST_TMPLEN];	/* formatted once needed */
};

void	dest_tmpname(char *, size_t, pid_t, uint64_t);
int	dest_probe(int, const char *, struct stat *);
void	dest_begin(struct dest *, int, const char *, int, pid_t, uint64_t);
const char *dest_use_tmp(struct dest *);
int	dest_open_file(struct dest *, mode_t, int);
int	dest_reopen_file(const struct dest *);
void	dest_unmark(const struct dest *, int);
int	dest_link(struct dest *, int);
int	dest_commit(struct dest *);
int	dest_is_marked(int, const char *);
void	dest_abort(const struct dest *);
int	dest_mkdir(int, const char *, const struct stat *, int, int *);

#endif
