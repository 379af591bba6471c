/*
 * links.h - hard-link groups seen during the walk, keyed by device and
 * inode.  The first name of a group is copied; the others wait for that
 * copy and are then linked to it.  A group is forgotten once all its
 * names were seen, so memory holds only groups still incomplete.
 */
#ifndef PCOPY_LINKS_H
#define PCOPY_LINKS_H

#include <stdint.h>

enum link_state { LINK_COPYING, LINK_DONE, LINK_FAILED };

struct linkrec {
	uint64_t	 dev, ino;
	uint32_t	 nlink, seen;
	uint32_t	 users;		/* link tasks out to be made */
	int		 state;
	void		*first;		/* the copy being made (LINK_COPYING) */
	void		*waiters;	/* names waiting for it (the user's list) */
	void		*dir;		/* dirnode of the finished copy */
	char		*name;		/* its name there */
	struct linkrec	*hnext;
};

struct linktab;

struct linktab	*links_new(void);
void		 links_free(struct linktab *, void (*)(struct linkrec *));
struct linkrec	*links_find(struct linktab *, uint64_t, uint64_t);
struct linkrec	*links_add(struct linktab *, uint64_t, uint64_t, uint32_t);
void		 links_remove(struct linktab *, struct linkrec *);
size_t		 links_count(const struct linktab *);

#endif
