/*
 * links.c - a chained hash table of hard-link groups.
 */
#include <stdlib.h>

#include "links.h"
#include "util.h"

struct linktab {
	struct linkrec	**buckets;
	size_t		  nbuckets, count;
};

static size_t
hash(uint64_t dev, uint64_t ino, size_t n)
{
	uint64_t h = ino * 0x9e3779b97f4a7c15ULL ^ dev * 0xc2b2ae3d27d4eb4fULL;

	return (size_t)(h ^ (h >> 29)) & (n - 1);
}

struct linktab *
links_new(void)
{
	struct linktab *t = xcalloc(1, sizeof(*t));

	t->nbuckets = 256;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	return t;
}

/* Free the table; release() is called on each record still in it. */
void
links_free(struct linktab *t, void (*release)(struct linkrec *))
{
	struct linkrec *r, *next;

	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nbuckets; i++)
		for (r = t->buckets[i]; r != NULL; r = next) {
			next = r->hnext;
			if (release != NULL)
				release(r);
			free(r->name);
			free(r);
		}
	free(t->buckets);
	free(t);
}

struct linkrec *
links_find(struct linktab *t, uint64_t dev, uint64_t ino)
{
	struct linkrec *r;

	for (r = t->buckets[hash(dev, ino, t->nbuckets)]; r; r = r->hnext)
		if (r->dev == dev && r->ino == ino)
			return r;
	return NULL;
}

static void
grow(struct linktab *t)
{
	size_t n = t->nbuckets * 2;
	struct linkrec **b = xcalloc(n, sizeof(*b)), *r, *next;

	for (size_t i = 0; i < t->nbuckets; i++)
		for (r = t->buckets[i]; r != NULL; r = next) {
			size_t h = hash(r->dev, r->ino, n);

			next = r->hnext;
			r->hnext = b[h];
			b[h] = r;
		}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

/* A new group, first seen now; the caller sets its first copy. */
struct linkrec *
links_add(struct linktab *t, uint64_t dev, uint64_t ino, uint32_t nlink)
{
	struct linkrec *r = xcalloc(1, sizeof(*r));
	size_t h;

	if (t->count >= t->nbuckets)
		grow(t);
	r->dev = dev;
	r->ino = ino;
	r->nlink = nlink;
	r->seen = 1;
	r->state = LINK_COPYING;
	h = hash(dev, ino, t->nbuckets);
	r->hnext = t->buckets[h];
	t->buckets[h] = r;
	t->count++;
	return r;
}

/* Unlink r from the table and free it (its name too). */
void
links_remove(struct linktab *t, struct linkrec *r)
{
	struct linkrec **pp = &t->buckets[hash(r->dev, r->ino, t->nbuckets)];

	while (*pp != NULL && *pp != r)
		pp = &(*pp)->hnext;
	if (*pp == r) {
		*pp = r->hnext;
		t->count--;
	}
	free(r->name);
	free(r);
}

size_t
links_count(const struct linktab *t)
{
	return t->count;
}
