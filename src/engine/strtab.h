/*
 * strtab.h - a hash table of strings (paths) to the caller's records.
 *
 * Keys come from archives and file lists, so from whoever made them: the
 * hash is keyed with a secret drawn at random for each table (XXH3 with a
 * custom secret), so no input can be made to collide on purpose, and the
 * table grows with its contents.  Lookups stay constant time whatever the
 * names look like.
 */
#ifndef PCOPY_STRTAB_H
#define PCOPY_STRTAB_H

#include <stddef.h>

struct strtab;

struct strtab	*strtab_new(void);
void		*strtab_get(const struct strtab *, const char *);
void		 strtab_put(struct strtab *, const char *, void *);
size_t		 strtab_count(const struct strtab *);
size_t		 strtab_longest(const struct strtab *);
void		 strtab_each(const struct strtab *, void (*)(void *, void *),
		    void *);
void		 strtab_free(struct strtab *);

#endif
