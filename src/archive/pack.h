/*
 * pack.h - the job that writes a tree as an archive (pcopy SRC -,
 * pcopy SRC out.tar.zst).
 */
#ifndef PCOPY_PACK_H
#define PCOPY_PACK_H

#include "archfmt.h"
#include "engine/coord.h"

struct pack;
struct runconf;

extern const struct job_ops pack_job;

struct pack	*pack_new(const struct runconf *, struct coord *,
		    const struct archspec *, const char *,
		    const char *const *, int, int);
void		 pack_free(struct pack *);

#endif
