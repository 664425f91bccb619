#include "guard.h"

#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>

static int guard_fd = -1;
static pid_t guard_pid;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

/* Async-signal-safe: plain write() of a prepared buffer. */
static void say(const char *s, size_t len)
{
	if (guard_fd >= 0 && write(guard_fd, s, len) < 0) {
		return; /* nothing else can be done from here */
	}
}

void ktstr_guard__poweroff(int com2_fd)
{
	if (com2_fd >= 0 && isatty(com2_fd)) {
		tcdrain(com2_fd);
	}
	sync();
	reboot(RB_AUTOBOOT);
	/* Only reached without CAP_SYS_BOOT: exiting PID 1 panics, which ends the VM too. */
	_exit(1);
}

static void on_alarm(int sig)
{
	/* The leading newline ends a line the watchdog may have interrupted. */
	static const char msg[] = "\nKTSTR_INIT_FAILED: watchdog\nKTSTR_EXIT=1\n";

	(void)sig;
	say(msg, sizeof(msg) - 1);
	ktstr_guard__poweroff(guard_fd);
}

static void on_fatal(int sig)
{
	char msg[64] = "\nKTSTR_INIT_FAILED: fatal signal ";
	size_t len = strlen(msg);
	static const char tail[] = "\nKTSTR_EXIT=1\n";

	if (getpid() != guard_pid) {
		/* A forked child before it reset its handlers: die as it would have. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	if (sig >= 10) {
		msg[len++] = (char)('0' + sig / 10);
	}
	msg[len++] = (char)('0' + sig % 10);
	memcpy(msg + len, tail, sizeof(tail) - 1);
	say(msg, len + sizeof(tail) - 1);
	ktstr_guard__poweroff(guard_fd);
}

void ktstr_guard__install(int com2_fd)
{
	struct sigaction sa = {.sa_handler = on_fatal};

	guard_fd = com2_fd;
	guard_pid = getpid();
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		sigaction(fatal_signals[i], &sa, NULL);
	}
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
}

void ktstr_guard__arm(unsigned seconds)
{
	alarm(seconds);
}
