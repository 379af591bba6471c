/*
 * proc_child.h - the life of a worker process of the process pool: one
 * worker, or a pool of worker threads (proc_child.c).
 */
#ifndef PCOPY_PROC_CHILD_H
#define PCOPY_PROC_CHILD_H

#include <sys/types.h>

#include "worker/runconf.h"

_Noreturn void	proc_child_main(const struct runconf *, int, int, int, pid_t);

#endif
