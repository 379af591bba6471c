/*
 * safeopen.h - opening what a task names without being led astray: a
 * directory below a root never through a symlink, a source file never
 * through a final symlink and never blocking on a fifo swapped in.
 */
#ifndef PCOPY_SAFEOPEN_H
#define PCOPY_SAFEOPEN_H

#include <stdint.h>

#include "engine/task.h"

int	safe_open_below(int, const char *);
int	safe_open_below_path(int, const char *);
int	safe_open_dst_below(int, const char *, int *);
int	safe_open_source(int, const char *);
int	safe_source_changed(int, const struct finfo *, uint64_t);

#endif
