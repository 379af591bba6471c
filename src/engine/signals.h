/*
 * signals.h - SIGINT and SIGTERM ask the run to stop; the coordinator
 * asks whether one came.
 */
#ifndef PCOPY_SIGNALS_H
#define PCOPY_SIGNALS_H

void	signals_setup(void);
int	signals_caught(void);

#endif
