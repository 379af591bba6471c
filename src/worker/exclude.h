/*
 * exclude.h - --exclude=GLOB patterns, matched in the walk.
 *
 * A GLOB without a slash is matched against the name of every entry at any
 * depth; one with a slash against the path below SRC (a leading slash
 * anchors it there and is dropped; '*' does not cross a slash).  A
 * trailing slash matches directories only.  An excluded directory is
 * skipped with everything below it.
 */
#ifndef PCOPY_EXCLUDE_H
#define PCOPY_EXCLUDE_H

struct exclude {
	char	*glob;
	int	 dir_only;	/* the GLOB ended in '/' */
	int	 by_path;	/* the GLOB has a '/': match the path */
};

struct exclude	*exclude_compile(const char **, int);
void		 exclude_free(struct exclude *, int);
int		 exclude_needs_path(const struct exclude *, int);
int		 exclude_match(const struct exclude *, int, const char *,
		    const char *, int);

#endif
