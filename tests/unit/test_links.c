/*
 * test_links.c - the table of hard-link groups: found by device and
 * inode, never confused across devices, still right after it grows, and
 * a removed group is gone while the others stay.
 */
#include <stdint.h>
#include <stdlib.h>

#include "unit.h"
#include "engine/links.h"

#define GROUPS	5000

static int released;

static void
count_release(struct linkrec *r)
{
	(void)r;
	released++;
}

int
main(void)
{
	struct linktab *t = links_new();
	struct linkrec *r, *kept[GROUPS];

	CHECK(links_find(t, 1, 1) == NULL);
	for (uint64_t i = 0; i < GROUPS; i++) {
		/* The same inode numbers on two devices. */
		r = links_add(t, 1 + (i & 1), i / 2, 3);
		CHECK(r->seen == 1 && r->nlink == 3 &&
		    r->state == LINK_COPYING);
		kept[i] = r;
	}
	CHECK(links_count(t) == GROUPS);
	for (uint64_t i = 0; i < GROUPS; i++)
		CHECK(links_find(t, 1 + (i & 1), i / 2) == kept[i]);
	CHECK(links_find(t, 3, 0) == NULL);
	CHECK(links_find(t, 1, GROUPS) == NULL);
	/* Forget every third group; the others are still found. */
	for (uint64_t i = 0; i < GROUPS; i += 3)
		links_remove(t, kept[i]);
	for (uint64_t i = 0; i < GROUPS; i++)
		CHECK((links_find(t, 1 + (i & 1), i / 2) == NULL) ==
		    (i % 3 == 0));
	CHECK(links_count(t) == GROUPS - (GROUPS + 2) / 3);
	links_free(t, count_release);
	CHECK(released == GROUPS - (GROUPS + 2) / 3);
	links_free(NULL, NULL);
	return unit_end("test_links");
}
