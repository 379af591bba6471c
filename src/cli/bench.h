/*
 * bench.h - pcopy --bench: compare the backends at several worker counts
 * on the user's own tree.
 */
#ifndef PCOPY_BENCH_H
#define PCOPY_BENCH_H

struct options;

int	bench_run(const struct options *);

#endif
