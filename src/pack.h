/*
 * pack.h - write a tree as an archive (pcopy SRC -, pcopy SRC out.tar.zst).
 */
#ifndef PCOPY_PACK_H
#define PCOPY_PACK_H

#include "archfmt.h"

struct backend;
struct pcopy;

int	pack_run(struct pcopy *, const struct archspec *, const char *);

#endif
