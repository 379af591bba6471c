/*
 * backend_proc.h - what the fork and mixed backends share: the loop a
 * worker process runs over the frames of tasks it receives.
 */
#ifndef PCOPY_BACKEND_PROC_H
#define PCOPY_BACKEND_PROC_H

#include "wire.h"
#include "worker.h"

int		proc_run_frame(struct worker *, const struct wbuf *);
_Noreturn void	mixed_child_run(const struct runconf *, int, int, int);

#endif
