/*
 * xblob.c - extended attributes as one flat blob, so a task can carry
 * them (an archive member's, extracted) and a worker can send them (a
 * file's, archived).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xblob.h"

/* Add one attribute. */
void
xblob_add(struct xblob *b, const char *name, const void *val, size_t vlen)
{
	uint32_t nl = (uint32_t)strlen(name), vl = (uint32_t)vlen;
	size_t need = b->len + 8 + nl + 1 + vlen;

	if (need > b->cap) {
		b->cap = MAX(need, b->cap * 2 + 256);
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, &nl, 4);
	memcpy(b->p + b->len + 4, name, (size_t)nl + 1);
	b->len += 4 + (size_t)nl + 1;
	memcpy(b->p + b->len, &vl, 4);
	memcpy(b->p + b->len + 4, val, vlen);
	b->len += 4 + vlen;
}

/*
 * Iterate a blob: *pos starts at 0.  Returns 1 with the next name and
 * value, 0 at the end, -1 for a damaged blob.
 */
int
xblob_next(const unsigned char *p, size_t len, size_t *pos, const char **name,
    const void **val, size_t *vlen)
{
	uint32_t nl, vl;

	if (*pos == len)
		return 0;
	if (len - *pos < 4)
		return -1;
	memcpy(&nl, p + *pos, 4);
	if (len - *pos - 4 < (size_t)nl + 1 + 4 || p[*pos + 4 + nl] != '\0')
		return -1;
	*name = (const char *)p + *pos + 4;
	*pos += 4 + (size_t)nl + 1;
	memcpy(&vl, p + *pos, 4);
	if (len - *pos - 4 < vl)
		return -1;
	*val = p + *pos + 4;
	*vlen = vl;
	*pos += 4 + (size_t)vl;
	return 1;
}

void
xblob_free(struct xblob *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
