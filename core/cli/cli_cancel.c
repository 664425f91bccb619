/* Signals that cancel the plugins' work: ktstr_registry__cancel() is async-signal-safe. */
#include "cli_cancel.h"

#include <signal.h>

#include "registry.h"

static void on_signal(int sig)
{
	(void)sig;
	ktstr_registry__cancel();
}

void kcli__catch_cancel(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}
