/*
 * test_shape.c - the pool fits the limit on open descriptors: whatever
 * the backend and the limit, what the coordinator and each process hold
 * stays under it, a high limit changes nothing, and a limit that cuts a
 * pool asked for with -j says so.
 */
#include <string.h>

#include "unit.h"
#include "cli/options.h"
#include "cli/shape.h"
#include "engine/backend.h"

/* What shape.c counts: 8 for the coordinator, 7 a worker's task. */
static int
fits(const struct shape *s, int nroots)
{
	int worker = 2 * s->slots + 7, coord = 8 + 2 * nroots;

	if (s->procs == 0)
		return coord + s->threads * worker <= s->fdlimit;
	return coord + 2 * s->procs <= s->fdlimit &&
	    coord + 1 + s->threads * worker <= s->fdlimit;
}

int
main(void)
{
	static const int kinds[] = { BK_THREADS, BK_FORK, BK_MIXED };
	static const int limits[] = { 16, 24, 32, 64, 256, 1024, 1048576 };
	struct options o;
	struct shape s;

	for (size_t k = 0; k < 3; k++)
		for (size_t l = 0; l < 7; l++)
			for (int jobs = 0; jobs <= 64; jobs += 16) {
				memset(&o, 0, sizeof(o));
				o.backend = kinds[k];
				o.jobs = jobs;
				shape_decide(&o, 2, 1, limits[l], &s);
				CHECK(s.jobs >= 1 && s.slots >= 1);
				CHECK(limits[l] < 32 || fits(&s, 1));
				CHECK(s.jobs == (s.procs ? s.procs * s.threads :
				    s.threads));
			}
	/* A high limit: 16 workers (8 a processor), up to 64 cached. */
	memset(&o, 0, sizeof(o));
	shape_decide(&o, 2, 1, 1048576, &s);
	CHECK(s.jobs == 16 && s.slots == 64 && !s.cut);
	/* ulimit -n 16: one worker, as cp -a needs little more. */
	o.jobs = 16;
	shape_decide(&o, 2, 1, 16, &s);
	CHECK(s.jobs == 1 && s.slots == 1 && s.cut);
	o.backend = BK_FORK;
	shape_decide(&o, 2, 1, 64, &s);
	CHECK(s.procs == 16 && fits(&s, 1) && !s.cut);
	shape_decide(&o, 2, 1, 32, &s);
	CHECK(s.procs >= 2 && s.procs < 16 && fits(&s, 1) && s.cut);
	return unit_end("test_shape");
}
