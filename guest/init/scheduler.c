#define _GNU_SOURCE
#include "scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "timeutil.h"

static __attribute__((noreturn)) void child_exec(char *const argv[], const char *log_path)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;
	int fd;

	/* exec keeps ignored signals and the mask; give the scheduler a clean slate. */
	for (int sig = 1; sig < NSIG; sig++) {
		sigaction(sig, &sa, NULL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		_exit(126);
	}
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	execv(argv[0], argv);
	dprintf(STDERR_FILENO, "ktstr-init: cannot execute %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int ktstr_sched__start(struct ktstr_sched *s, char *const argv[], const char *log_path, char *err,
		       size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->pid = fork();
	if (s->pid < 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot fork the scheduler %s: %s", argv[0], strerror(-rc));
		return rc;
	}
	if (s->pid == 0) {
		child_exec(argv, log_path);
	}
	return 0;
}

bool ktstr_sched__alive(struct ktstr_sched *s)
{
	pid_t r;

	if (s->exited) {
		return false;
	}
	do {
		r = waitpid(s->pid, &s->status, WNOHANG);
	} while (r < 0 && errno == EINTR);
	if (r == 0) {
		return true;
	}
	s->exited = true; /* r == pid, or ECHILD: gone either way */
	if (r < 0) {
		s->status = 0;
	}
	return false;
}

bool ktstr_sched__survives(struct ktstr_sched *s, unsigned ms, unsigned step_ms)
{
	for (unsigned waited = 0; waited < ms; waited += step_ms) {
		if (!ktstr_sched__alive(s)) {
			return false;
		}
		ktstr_sleep_ms(step_ms);
	}
	return ktstr_sched__alive(s);
}

bool ktstr_sched__attached(const char *root)
{
	char buf[256];

	if (ktstr_file__read_at(root, "/sys/kernel/sched_ext/root/ops", buf, sizeof(buf)) == 0 &&
	    buf[0] != '\0') {
		return true;
	}
	return ktstr_file__read_at(root, "/sys/kernel/sched_ext/state", buf, sizeof(buf)) == 0 &&
	       strcmp(buf, "enabled") == 0;
}

enum ktstr_sched_attach ktstr_sched__wait_attached(struct ktstr_sched *s, const char *root,
						   unsigned timeout_ms, unsigned step_ms)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/sys/kernel/sched_ext", root);
	if (stat(path, &st) != 0) {
		return KTSTR_SCHED_NO_SYSFS;
	}
	for (uint64_t start = ktstr_now_ns();;) {
		if (ktstr_sched__attached(root)) {
			return KTSTR_SCHED_ATTACHED;
		}
		if (!ktstr_sched__alive(s)) {
			return KTSTR_SCHED_DIED;
		}
		if (ktstr_now_ns() - start >= (uint64_t)timeout_ms * KTSTR_NSEC_PER_MSEC) {
			return KTSTR_SCHED_ATTACH_TIMEOUT;
		}
		ktstr_sleep_ms(step_ms);
	}
}

void ktstr_sched__stop(struct ktstr_sched *s, unsigned grace_ms)
{
	if (!ktstr_sched__alive(s)) {
		return;
	}
	kill(s->pid, SIGTERM);
	if (!ktstr_sched__survives(s, grace_ms, 20)) {
		return;
	}
	kill(s->pid, SIGKILL);
	while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR) {
	}
	s->exited = true;
}

void ktstr_sched__describe(const struct ktstr_sched *s, char *buf, size_t len)
{
	if (WIFSIGNALED(s->status)) {
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(s->status),
			 sigabbrev_np(WTERMSIG(s->status)) ? sigabbrev_np(WTERMSIG(s->status))
							   : "?");
	} else {
		snprintf(buf, len, "exit status %d", WEXITSTATUS(s->status));
	}
}
