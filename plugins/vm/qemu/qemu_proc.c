#define _GNU_SOURCE
#include "qemu_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the child sends back over the CLOEXEC pipe when it cannot exec. */
enum proc_stage {
	PROC_STAGE_PDEATHSIG = 1,
	PROC_STAGE_STDIO,
	PROC_STAGE_AFFINITY,
	PROC_STAGE_EXEC,
};

struct proc_child_err {
	int stage;
	int err;
};

/* Everything the child needs, prepared before fork (the child only makes syscalls). */
struct proc_child {
	char *const *argv;
	pid_t parent;
	int null_fd;
	int log_fd;
	int err_fd;
	cpu_set_t *cpus;
	size_t cpus_size;
};

static uint64_t proc__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int proc__poll_ms(uint64_t ms)
{
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static __attribute__((noreturn)) void proc__child_fail(const struct proc_child *c, int stage,
						       int err)
{
	struct proc_child_err ce = {.stage = stage, .err = err};
	ssize_t n;

	n = write(c->err_fd, &ce, sizeof(ce));
	(void)n;
	_exit(127);
}

/* Runs between fork and exec: async-signal-safe calls only. */
static __attribute__((noreturn)) void proc__child(const struct proc_child *c)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;

	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		proc__child_fail(c, PROC_STAGE_PDEATHSIG, errno);
	}
	/* the parent may have died before prctl took effect */
	if (getppid() != c->parent) {
		_exit(127);
	}
	/* blocked and ignored signals survive exec; QEMU must see SIGTERM */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++) {
		sigaction(sig, &dfl, NULL);
	}
	if (dup2(c->null_fd, STDIN_FILENO) < 0 || dup2(c->log_fd, STDOUT_FILENO) < 0 ||
	    dup2(c->log_fd, STDERR_FILENO) < 0) {
		proc__child_fail(c, PROC_STAGE_STDIO, errno);
	}
	if (c->cpus != NULL && sched_setaffinity(0, c->cpus_size, c->cpus) < 0) {
		proc__child_fail(c, PROC_STAGE_AFFINITY, errno);
	}
	/* keep the engine's other descriptors out of QEMU (best effort on old kernels) */
	syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
	execvp(c->argv[0], c->argv);
	proc__child_fail(c, PROC_STAGE_EXEC, errno);
}

static int proc__cpuset(const struct ktstr_proc_spec *s, cpu_set_t **out, size_t *size, char *err,
			size_t errlen)
{
	int32_t max = 0;
	cpu_set_t *set;

	if (s->host_cpus == NULL) {
		snprintf(err, errlen, "%u host CPUs planned but none given", s->nr_host_cpus);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < s->nr_host_cpus; i++) {
		if (s->host_cpus[i] < 0 || s->host_cpus[i] >= 65536) {
			snprintf(err, errlen, "host CPU %d is not a valid CPU number",
				 (int)s->host_cpus[i]);
			return -EINVAL;
		}
		max = s->host_cpus[i] > max ? s->host_cpus[i] : max;
	}
	set = CPU_ALLOC(max + 1);
	if (set == NULL) {
		snprintf(err, errlen, "out of memory for a CPU set");
		return -ENOMEM;
	}
	*size = CPU_ALLOC_SIZE(max + 1);
	CPU_ZERO_S(*size, set);
	for (uint32_t i = 0; i < s->nr_host_cpus; i++) {
		CPU_SET_S(s->host_cpus[i], *size, set);
	}
	*out = set;
	return 0;
}

/* Wait for the child's exec; 0 once it ran, -errno when it reported a failure. */
static int proc__await_exec(int err_fd, const char *argv0, char *err, size_t errlen)
{
	struct proc_child_err ce;
	ssize_t n;

	do {
		n = read(err_fd, &ce, sizeof(ce));
	} while (n < 0 && errno == EINTR);
	if (n == 0) {
		return 0; /* EOF: the pipe closed on a successful exec */
	}
	if (n != (ssize_t)sizeof(ce)) {
		snprintf(err, errlen, "lost contact with the child starting %s", argv0);
		return -EIO;
	}
	if (ce.stage == PROC_STAGE_EXEC && ce.err == ENOENT) {
		snprintf(err, errlen,
			 "qemu binary not found: %s (install qemu-system-x86 or set "
			 "the binary option)",
			 argv0);
	} else if (ce.stage == PROC_STAGE_AFFINITY) {
		snprintf(err, errlen, "cannot pin %s to the planned host CPUs: %s", argv0,
			 strerror(ce.err));
	} else {
		snprintf(err, errlen, "cannot start %s: %s", argv0, strerror(ce.err));
	}
	return -ce.err;
}

static void proc__reap(pid_t pid, struct ktstr_proc_result *r)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (WIFSIGNALED(status)) {
		r->exit_code = -1;
		r->term_signal = WTERMSIG(status);
	} else {
		r->exit_code = WEXITSTATUS(status);
	}
}

/*
 * Poll the pidfd, the cancel fd and the deadline. At the deadline or on
 * cancel: SIGTERM to the process group, SIGKILL kill_grace_ms later.
 * Returns once the child has exited (it is not reaped yet).
 */
static void proc__wait(const struct ktstr_proc_spec *s, pid_t pid, int pidfd, uint64_t t0,
		       struct ktstr_proc_result *r)
{
	uint64_t deadline = s->timeout_ms ? t0 + s->timeout_ms : 0;
	uint64_t kill_at = 0; /* 0: not asked to stop yet */
	bool killed = false;

	for (;;) {
		struct pollfd pfd[2] = {{.fd = pidfd, .events = POLLIN},
					{.fd = s->cancel_fd, .events = POLLIN}};
		nfds_t nfds = s->cancel_fd >= 0 && kill_at == 0 ? 2 : 1;
		uint64_t now = proc__now_ms();
		uint64_t wake = 0;
		int rc;

		if (kill_at == 0 && deadline != 0 && now >= deadline) {
			r->timed_out = true;
			kill(-pid, SIGTERM);
			kill_at = now + s->kill_grace_ms;
		}
		if (kill_at != 0 && !killed && now >= kill_at) {
			kill(-pid, SIGKILL);
			killed = true;
		}
		if (kill_at == 0) {
			wake = deadline;
		} else if (!killed) {
			wake = kill_at;
		}
		rc = poll(pfd, nfds, wake ? proc__poll_ms(wake - now) : -1);
		if (rc < 0 && errno != EINTR) {
			/* cannot wait any more: make sure it ends, reaping waits for it */
			kill(-pid, SIGKILL);
			return;
		}
		if (rc > 0 && pfd[0].revents != 0) {
			return;
		}
		if (rc > 0 && nfds == 2 && pfd[1].revents != 0) {
			r->cancelled = true;
			kill(-pid, SIGTERM);
			kill_at = proc__now_ms() + s->kill_grace_ms;
		}
	}
}

int ktstr_proc__run(const struct ktstr_proc_spec *s, struct ktstr_proc_result *r, char *err,
		    size_t errlen)
{
	struct proc_child c = {.argv = s->argv, .parent = getpid(), .log_fd = s->log_fd};
	int pipefd[2];
	int pidfd, rc;
	uint64_t t0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (s->cancel_fd >= 0 && fcntl(s->cancel_fd, F_GETFD) < 0) {
		snprintf(err, errlen, "cancel fd %d is not open", s->cancel_fd);
		return -EBADF;
	}
	if (s->nr_host_cpus > 0) {
		rc = proc__cpuset(s, &c.cpus, &c.cpus_size, err, errlen);
		if (rc < 0) {
			return rc;
		}
	}
	c.null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (c.null_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open /dev/null: %s", strerror(errno));
		goto err_cpus;
	}
	if (c.log_fd < 0) {
		c.log_fd = c.null_fd;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		goto err_null;
	}
	c.err_fd = pipefd[1];
	t0 = proc__now_ms();
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot fork to start %s: %s", s->argv[0], strerror(errno));
		goto err_pipe;
	}
	if (pid == 0) {
		proc__child(&c);
	}
	/* also here, so the group exists before any kill(-pid) whoever runs first */
	setpgid(pid, pid);
	close(pipefd[1]);
	pipefd[1] = -1;
	r->pid = pid;
	rc = proc__await_exec(pipefd[0], s->argv[0], err, errlen);
	if (rc < 0) {
		proc__reap(pid, r);
		goto err_pipe;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "pidfd_open(%d) failed: %s", (int)pid, strerror(errno));
		kill(-pid, SIGKILL);
		proc__reap(pid, r);
		goto err_pipe;
	}
	proc__wait(s, pid, pidfd, t0, r);
	/* the leader is a zombie until reaped, so -pid still names only its group */
	kill(-pid, SIGKILL);
	proc__reap(pid, r);
	r->wall_ms = proc__now_ms() - t0;
	close(pidfd);
	rc = 0;
err_pipe:
	close(pipefd[0]);
	if (pipefd[1] >= 0) {
		close(pipefd[1]);
	}
err_null:
	close(c.null_fd);
err_cpus:
	CPU_FREE(c.cpus);
	return rc;
}
