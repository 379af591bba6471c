/*
 * signals.c - the coordinator's signal handling.
 *
 * SIGINT and SIGTERM only set a flag the coordinator's loop looks at (at
 * least ten times a second), so the run stops cleanly: workers told,
 * partial copies removed.  A second such signal kills at once
 * (SA_RESETHAND).  SIGPIPE is ignored, so a closed pipe on standard
 * output is an error pcopy sees and reports, not a silent death.
 */
#include <signal.h>
#include <string.h>

#include "signals.h"

static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
}

void
signals_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	(void)sigaction(SIGPIPE, &sa, NULL);
}

/* The signal that asked the run to stop, or 0. */
int
signals_caught(void)
{
	return caught;
}
