/*
 * unpack.h - the job that extracts an archive into a directory
 * (pcopy - DST, pcopy in.tar.zst DST).
 */
#ifndef PCOPY_UNPACK_H
#define PCOPY_UNPACK_H

#include "engine/coord.h"

struct runconf;
struct unpack;

extern const struct job_ops unpack_job;

struct unpack	*unpack_new(struct runconf *, struct coord *, int,
		    const char *, const char *, int, int);
void		 unpack_free(struct unpack *);

#endif
