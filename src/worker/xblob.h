/*
 * xblob.h - extended attributes as one flat blob: records of a 32-bit
 * name length, the name and a NUL, a 32-bit value length and the value.
 */
#ifndef PCOPY_XBLOB_H
#define PCOPY_XBLOB_H

#include <stddef.h>

struct xblob {
	unsigned char	*p;
	size_t		 len, cap;
};

void	xblob_add(struct xblob *, const char *, const void *, size_t);
int	xblob_next(const unsigned char *, size_t, size_t *, const char **,
	    const void **, size_t *);
void	xblob_free(struct xblob *);

#endif
