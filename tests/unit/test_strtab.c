/*
 * test_strtab.c - the keyed table of paths: every key found, absent keys
 * not, names that collided in the old djb2 table (all "ab"/"bA" pairs of
 * equal length) still found at once, and two tables keyed differently.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "engine/strtab.h"

#define KEYS	16384

/* The i-th of 2^14 names of 14 pairs, each "ab" or "bA": one djb2 hash. */
static char *
colliding(unsigned i)
{
	char *s = malloc(29);

	for (int k = 0; k < 14; k++)
		memcpy(s + 2 * k, (i >> k) & 1 ? "bA" : "ab", 2);
	s[28] = '\0';
	return s;
}

static void
tally(void *val, void *arg)
{
	(void)val;
	(*(size_t *)arg)++;
}

int
main(void)
{
	struct strtab *t = strtab_new(), *t2 = strtab_new();
	char **keys = calloc(KEYS, sizeof(*keys));
	size_t n = 0;
	int all = 1;

	for (unsigned i = 0; i < KEYS; i++) {
		keys[i] = colliding(i);
		strtab_put(t, keys[i], keys[i]);
		strtab_put(t2, keys[i], keys[i]);
	}
	for (unsigned i = 0; i < KEYS; i++)
		all &= strtab_get(t, keys[i]) == keys[i] &&
		    strtab_get(t2, keys[i]) == keys[i];
	CHECK(all);
	CHECK(strtab_count(t) == KEYS);
	CHECK(strtab_get(t, "abababababababababababababab!") == NULL);
	CHECK(strtab_get(t, "") == NULL);
	strtab_each(t, tally, &n);
	CHECK(n == KEYS);
	/* One chain of all 16,384 in the old table; short ones now (a
	 * random hash puts at most about 8 in one bucket at this load). */
	CHECK(strtab_longest(t) <= 24 && strtab_longest(t2) <= 24);
	printf("test_strtab: %u colliding names, longest chain %zu\n", KEYS,
	    strtab_longest(t));
	strtab_free(t);
	strtab_free(t2);
	strtab_free(NULL);
	for (unsigned i = 0; i < KEYS; i++)
		free(keys[i]);
	free(keys);
	return unit_end("test_strtab");
}
