#define _GNU_SOURCE /* pipe2, execvpe, close_range */
#include "build_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Grace between SIGTERM and SIGKILL of a cancelled group. */
#define KILL_GRACE_MS 5000
#define POLL_MS 200

static int exit_code(int status)
{
	if (WIFEXITED(status)) {
		return WEXITSTATUS(status);
	}
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

extern char **environ;

/* Kept from the children: the GitHub Actions cache credentials (gha) and where they go. */
static bool secret_var(const char *kv)
{
	static const char *const names[] = {
	    "ACTIONS_RUNTIME_TOKEN=", "ACTIONS_RESULTS_URL=", "ACTIONS_CACHE_URL="};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strncmp(kv, names[i], strlen(names[i])) == 0) {
			return true;
		}
	}
	return false;
}

/* Our environment less the secrets (an array of borrowed strings; free the array only). */
static char **child_env(void)
{
	size_t n = 0, j = 0;
	char **env;

	while (environ[n] != NULL) {
		n++;
	}
	env = calloc(n + 1, sizeof(*env));
	if (env == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!secret_var(environ[i])) {
			env[j++] = environ[i];
		}
	}
	env[j] = NULL;
	return env;
}

/* The guardian's answer to ktstr's death: the whole group goes (make, its shells, compilers). */
static void on_parent_death(int sig)
{
	(void)sig;
	kill(0, SIGKILL);
}

/*
 * In the child, the group leader: cwd, stdio, then the command forked and
 * waited for, and its exit status passed on. It stays behind as a guardian:
 * when ktstr dies, even by SIGKILL, the kernel sends it SIGUSR1
 * (PR_SET_PDEATHSIG) and it kills the group, so no make goes on building in
 * the tree. A cancel's SIGTERM is for the command: the guardian ignores it
 * and exits after the command. Only async-signal-safe calls. Never returns.
 */
static void child_exec(const char *const *argv, const char *cwd, int out_fd, int err_fd, char **env,
		       pid_t parent)
{
	struct sigaction sa = {.sa_handler = on_parent_death};
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), status;
	pid_t guard = getpid(), cmd;
	sigset_t none;

	setpgid(0, 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* ktstr may have died before the prctl: then the parent is another process */
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1) != 0 || getppid() != parent) {
		_exit(127);
	}
	if (null < 0 || (cwd != NULL && chdir(cwd) != 0) || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(err_fd < 0 ? null : err_fd, STDERR_FILENO) < 0) {
		_exit(127);
	}
	/* nothing else of ours: lock files, the log, libcurl's sockets of another thread */
	if (close_range(3, ~0U, 0) != 0) {
		for (int fd = 3; fd < 4096; fd++) {
			close(fd);
		}
	}
	cmd = fork();
	if (cmd == 0) {
		/* the guardian gone (killed with the group or before this): so is the command */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != guard) {
			_exit(127);
		}
		signal(SIGUSR1, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvpe(argv[0], (char *const *)argv, env);
		_exit(127);
	}
	if (cmd < 0) {
		_exit(127);
	}
	/* the output pipe is the command's: its end (EOF) must not wait for the guardian */
	dup2(STDIN_FILENO, STDOUT_FILENO);
	dup2(STDIN_FILENO, STDERR_FILENO);
	while (waitpid(cmd, &status, 0) < 0) {
		if (errno != EINTR) {
			_exit(127);
		}
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* Fork @argv in its own process group with stdout (and stderr when @merge) on a pipe. */
static int start_child(const char *const *argv, const char *cwd, bool merge, pid_t *pid,
		       int *read_fd)
{
	char **env = child_env(); /* before fork: the child only calls async-signal-safe code */
	pid_t parent = getpid();
	int fds[2];

	if (env == NULL) {
		return -ENOMEM;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		int e = errno;

		free(env);
		return -e;
	}
	*pid = fork();
	if (*pid < 0) {
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		free(env);
		return -e;
	}
	if (*pid == 0) {
		child_exec(argv, cwd, fds[1], merge ? fds[1] : -1, env, parent);
	}
	free(env);
	setpgid(*pid, *pid); /* also done by the child: whichever runs first */
	close(fds[1]);
	*read_fd = fds[0];
	return 0;
}

int ktstr_build_proc__capture(const char *const *argv, const char *cwd, char *buf, size_t len)
{
	size_t used = 0;
	int rfd, status, ret;
	pid_t pid;

	buf[0] = '\0';
	ret = start_child(argv, cwd, false, &pid, &rfd);
	if (ret != 0) {
		return ret;
	}
	for (;;) {
		char chunk[4096];
		ssize_t n = read(rfd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		if (used + 1 < len) {
			size_t take = (size_t)n < len - 1 - used ? (size_t)n : len - 1 - used;

			memcpy(buf + used, chunk, take);
			used += take;
		}
	}
	close(rfd);
	buf[used] = '\0';
	while (used > 0 && buf[used - 1] == '\n') {
		buf[--used] = '\0';
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			return -errno;
		}
	}
	return exit_code(status);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Kill the group: TERM, then KILL after the grace; reap the leader. */
static void kill_group(pid_t pid)
{
	uint64_t deadline = now_ms() + KILL_GRACE_MS;
	int status;

	kill(-pid, SIGTERM);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		struct timespec ts = {0, 50 * 1000 * 1000};

		if (now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		nanosleep(&ts, NULL);
	}
	/* grandchildren left in the group (make's compilers) */
	kill(-pid, SIGKILL);
}

/* Kbuild step lines start "  XX": two blanks, then an upper-case letter. */
struct step_scan {
	unsigned col;
	bool cand;
	uint64_t steps;
};

static void scan(struct step_scan *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c == '\n') {
			s->col = 0;
			s->cand = true;
			continue;
		}
		if (s->cand && s->col < 2 && c != ' ') {
			s->cand = false;
		} else if (s->cand && s->col == 2) {
			s->steps += c >= 'A' && c <= 'Z';
			s->cand = false;
		}
		s->col++;
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int ktstr_build_proc__run(const struct ktstr_build_run *r)
{
	struct step_scan sc = {.cand = true};
	uint64_t start = now_ms(), reported = 0;
	int rfd, status, ret = 0;
	pid_t pid;

	ret = start_child(r->argv, r->cwd, true, &pid, &rfd);
	if (ret != 0) {
		return ret;
	}
	for (;;) {
		struct pollfd pfd = {.fd = rfd, .events = POLLIN};
		char chunk[8192];
		ssize_t n;

		if (r->cancelled != NULL && r->cancelled()) {
			ret = -ECANCELED;
			break;
		}
		if (r->timeout_s > 0 && now_ms() - start > (uint64_t)r->timeout_s * 1000) {
			ret = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, POLL_MS) <= 0) {
			continue;
		}
		n = read(rfd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break; /* every writer closed: the command is ending */
		}
		scan(&sc, chunk, (size_t)n);
		if (write_all(r->log_fd, chunk, (size_t)n) != 0) {
			ret = -EIO;
			break;
		}
		if (r->progress != NULL && sc.steps != reported) {
			reported = sc.steps;
			r->progress(r->ctx, reported);
		}
	}
	close(rfd);
	if (ret != 0) {
		kill_group(pid);
		return ret;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			return -errno;
		}
	}
	return exit_code(status);
}

void ktstr_build_proc__tail(const char *path, unsigned lines, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	off_t from;
	ssize_t n;
	char *p;

	buf[0] = '\0';
	if (fd < 0 || len < 2) {
		if (fd >= 0) {
			close(fd);
		}
		return;
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		return;
	}
	from = st.st_size > (off_t)(len - 1) ? st.st_size - (off_t)(len - 1) : 0;
	n = pread(fd, buf, len - 1, from);
	close(fd);
	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n') {
		buf[--n] = '\0';
	}
	/* keep the last @lines lines */
	p = buf + n;
	for (unsigned i = 0; i < lines && p > buf; i++) {
		p--;
		while (p > buf && p[-1] != '\n') {
			p--;
		}
	}
	if (p > buf) {
		memmove(buf, p, strlen(p) + 1);
	}
}
