/*
 * exclude.c - match entries against --exclude patterns with fnmatch(3).
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "exclude.h"
#include "util.h"

/* Prepare n patterns; the strings are copied. */
struct exclude *
exclude_compile(const char **globs, int n)
{
	struct exclude *ex = n > 0 ? xcalloc((size_t)n, sizeof(*ex)) : NULL;

	for (int i = 0; i < n; i++) {
		const char *g = globs[i];
		size_t len;

		while (*g == '/' && g[1] != '\0')
			g++;
		ex[i].by_path = strchr(g, '/') != NULL &&
		    strchr(g, '/') != g + strlen(g) - 1;
		ex[i].by_path |= g != globs[i];	/* anchored: a path */
		ex[i].glob = xstrdup(g);
		len = strlen(ex[i].glob);
		if (len > 1 && ex[i].glob[len - 1] == '/') {
			ex[i].dir_only = 1;
			ex[i].glob[len - 1] = '\0';
		}
	}
	return ex;
}

void
exclude_free(struct exclude *ex, int n)
{
	for (int i = 0; i < n && ex != NULL; i++)
		free(ex[i].glob);
	free(ex);
}

/* Does any pattern need the entry's path, not just its name? */
int
exclude_needs_path(const struct exclude *ex, int n)
{
	for (int i = 0; i < n; i++)
		if (ex[i].by_path)
			return 1;
	return 0;
}

/*
 * Is the entry name (at path below SRC, which may be NULL when no pattern
 * needs it) excluded?  is_dir says whether it is a directory.
 */
int
exclude_match(const struct exclude *ex, int n, const char *name,
    const char *path, int is_dir)
{
	for (int i = 0; i < n; i++) {
		if (ex[i].dir_only && !is_dir)
			continue;
		if (ex[i].by_path) {
			if (path != NULL &&
			    fnmatch(ex[i].glob, path, FNM_PATHNAME) == 0)
				return 1;
		} else if (fnmatch(ex[i].glob, name, 0) == 0) {
			return 1;
		}
	}
	return 0;
}
