/* fork and exec with captured output and cancellation (see debian_run.h). */
#define _GNU_SOURCE
#include "debian_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define OUT_MAX (64u << 20) /* apt-cache output far below this */

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

/*
 * The child's environment: ours with LC_ALL=C, so messages and output do not
 * vary, and without the secrets.
 */
static char **child_env(void)
{
	size_t n = 0, j = 0;
	char **env;

	while (environ[n] != NULL) {
		n++;
	}
	env = calloc(n + 2, sizeof(*env));
	if (env == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (strncmp(environ[i], "LC_ALL=", 7) != 0 &&
		    strncmp(environ[i], "LANGUAGE=", 9) != 0 && !secret_var(environ[i])) {
			env[j++] = environ[i];
		}
	}
	env[j++] = "LC_ALL=C";
	env[j] = NULL;
	return env;
}

/* The guardian's answer to ktstr's death: the whole group goes (apt and its methods). */
static void on_parent_death(int sig)
{
	(void)sig;
	kill(0, SIGKILL);
}

/*
 * In the child, the group leader: stdio, cwd, then the program forked and
 * waited for, and its exit status passed on. It stays behind as a guardian:
 * when ktstr dies, even by SIGKILL, the kernel sends it SIGUSR1
 * (PR_SET_PDEATHSIG) and it kills the group, so no apt goes on downloading.
 * A cancel's SIGTERM is for the program: the guardian ignores it and exits
 * after it. An exec failure's errno goes to @exec_fd. Only async-signal-safe
 * calls. Never returns.
 */
static void guard(struct debian_cmd *c, int out_fd, int err_fd, int exec_fd, char **env,
		  pid_t parent)
{
	struct sigaction sa = {.sa_handler = on_parent_death};
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), status, e;
	pid_t self = getpid(), cmd;
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
	if (null < 0 || dup2(null, 0) < 0 || dup2(out_fd >= 0 ? out_fd : null, 1) < 0 ||
	    dup2(err_fd, 2) < 0 || (exec_fd != 3 && dup3(exec_fd, 3, O_CLOEXEC) < 0) ||
	    (c->cwd != NULL && chdir(c->cwd) != 0)) {
		e = errno;
		(void)!write(exec_fd, &e, sizeof(e));
		_exit(127);
	}
	/* nothing else of ours: lock files, libcurl's sockets of another thread; 3 is exec_fd */
	if (close_range(4, ~0U, 0) != 0) {
		for (int fd = 4; fd < 4096; fd++) {
			close(fd);
		}
	}
	cmd = fork();
	if (cmd == 0) {
		/* the guardian gone (killed with the group or before this): so is the program */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != self) {
			_exit(127);
		}
		signal(SIGUSR1, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvpe(c->argv[0], (char *const *)c->argv, env);
		e = errno;
		(void)!write(3, &e, sizeof(e));
		_exit(127);
	}
	if (cmd < 0) {
		e = errno;
		(void)!write(3, &e, sizeof(e));
		_exit(127);
	}
	/* the pipes are the program's: their end (EOF) must not wait for the guardian */
	close(3);
	dup2(0, 1);
	dup2(0, 2);
	while (waitpid(cmd, &status, 0) < 0) {
		if (errno != EINTR) {
			_exit(127);
		}
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* Start @c in its own process group; -errno when it cannot be (-ENOENT: no such program). */
static int spawn(struct debian_cmd *c, int out_fd, int err_fd, pid_t *pid)
{
	char **env = child_env(); /* before fork: the child only calls async-signal-safe code */
	pid_t parent = getpid();
	int ep[2], e = 0;
	ssize_t n;

	if (env == NULL) {
		return -ENOMEM;
	}
	if (pipe2(ep, O_CLOEXEC) != 0) {
		e = errno;
		free(env);
		return -e;
	}
	*pid = fork();
	if (*pid == 0) {
		close(ep[0]);
		guard(c, out_fd, err_fd, ep[1], env, parent);
	}
	e = *pid < 0 ? errno : 0;
	close(ep[1]);
	free(env);
	if (*pid < 0) {
		close(ep[0]);
		return -e;
	}
	setpgid(*pid, *pid); /* also done by the child: whichever runs first */
	/* EOF: exec'd (the copy in the program closed on exec, the guardian's closed) */
	while ((n = read(ep[0], &e, sizeof(e))) < 0 && errno == EINTR) {
	}
	close(ep[0]);
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR) {
		}
		return -(e != 0 ? e : EIO);
	}
	return 0;
}

/* Append what @p fd has to the growing stdout buffer. 0, 1 at EOF, or -errno. */
static int read_out(struct debian_cmd *c, int fd, size_t *cap)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n == 0) {
		return 1;
	}
	if (n < 0) {
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	}
	if (c->out_len + (size_t)n + 1 > *cap) {
		size_t ncap = *cap != 0 ? *cap : 65536;
		char *p;

		while (c->out_len + (size_t)n + 1 > ncap) {
			ncap *= 2;
		}
		if (ncap > OUT_MAX) {
			return -EFBIG;
		}
		p = realloc(c->out, ncap);
		if (p == NULL) {
			return -ENOMEM;
		}
		c->out = p;
		*cap = ncap;
	}
	memcpy(c->out + c->out_len, buf, (size_t)n);
	c->out_len += (size_t)n;
	c->out[c->out_len] = '\0';
	return 0;
}

/* Keep the last DEBIAN_RUN_ERR_MAX - 1 bytes of stderr. 0, 1 at EOF. */
static int read_err(struct debian_cmd *c, int fd, size_t *len)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	size_t keep = sizeof(c->err) - 1;

	if (n <= 0) {
		return n == 0 || (errno != EINTR && errno != EAGAIN) ? 1 : 0;
	}
	if ((size_t)n >= keep) {
		memcpy(c->err, buf + n - keep, keep);
		*len = keep;
	} else {
		size_t drop = *len + (size_t)n > keep ? *len + (size_t)n - keep : 0;

		memmove(c->err, c->err + drop, *len - drop);
		memcpy(c->err + *len - drop, buf, (size_t)n);
		*len = *len - drop + (size_t)n;
	}
	c->err[*len] = '\0';
	return 0;
}

/* Trim trailing whitespace and turn newlines into "; " style separators for one line. */
static void tidy_err(char *err)
{
	size_t n = strlen(err);

	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' ' || err[n - 1] == '\r')) {
		err[--n] = '\0';
	}
	for (size_t i = 0; i < n; i++) {
		if (err[i] == '\n') {
			err[i] = ' ';
		}
	}
}

static void kill_group(pid_t pid)
{
	struct timespec ts = {0, 50 * 1000 * 1000};

	kill(-pid, SIGTERM);
	for (int i = 0; i < 40; i++) { /* 2 s to clean up, then SIGKILL */
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			kill(-pid, SIGKILL); /* helpers it left behind */
			return;
		}
		nanosleep(&ts, NULL);
	}
	kill(-pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
	}
}

int debian_run(struct debian_cmd *c)
{
	int outp[2] = {-1, -1}, errp[2] = {-1, -1}, rc, ws;
	size_t cap = 0, elen = 0;
	bool out_open, err_open = true;
	pid_t pid = -1;

	c->out = NULL;
	c->out_len = 0;
	c->status = -1;
	c->err[0] = '\0';
	if (pipe2(errp, O_CLOEXEC) != 0 || (c->capture && pipe2(outp, O_CLOEXEC) != 0)) {
		rc = -errno;
		goto out_close;
	}
	rc = spawn(c, outp[1], errp[1], &pid);
	if (rc < 0) {
		goto out_close;
	}
	close(errp[1]);
	errp[1] = -1;
	if (outp[1] >= 0) {
		close(outp[1]);
		outp[1] = -1;
	}
	out_open = c->capture;
	while (out_open || err_open) {
		struct pollfd pfd[2] = {{errp[0], POLLIN, 0}, {outp[0], POLLIN, 0}};

		if (c->cancelled != NULL && c->cancelled()) {
			kill_group(pid);
			rc = -ECANCELED;
			goto out_close;
		}
		pfd[0].fd = err_open ? errp[0] : -1;
		pfd[1].fd = out_open ? outp[0] : -1;
		if (poll(pfd, 2, 100) < 0 && errno != EINTR) {
			rc = -errno;
			kill_group(pid);
			goto out_close;
		}
		if (c->tick != NULL) {
			c->tick(c->tick_ctx);
		}
		if (err_open && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
			err_open = read_err(c, errp[0], &elen) == 0;
		}
		if (out_open && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
			rc = read_out(c, outp[0], &cap);
			if (rc < 0) {
				kill_group(pid);
				goto out_close;
			}
			out_open = rc == 0;
		}
	}
	/* Both pipes closed: wait for the exit, still answering a cancel. */
	while ((rc = waitpid(pid, &ws, WNOHANG)) == 0 || (rc < 0 && errno == EINTR)) {
		struct timespec ts = {0, 20 * 1000 * 1000};

		if (c->cancelled != NULL && c->cancelled()) {
			kill_group(pid);
			rc = -ECANCELED;
			goto out_close;
		}
		nanosleep(&ts, NULL);
	}
	if (rc < 0) {
		rc = -errno;
		goto out_close;
	}
	c->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	rc = c->status == 0 ? 0 : -EIO;
	tidy_err(c->err);
out_close:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0) {
			close(outp[i]);
		}
		if (errp[i] >= 0) {
			close(errp[i]);
		}
	}
	if (rc < 0 && rc != -EIO) {
		free(c->out);
		c->out = NULL;
		c->out_len = 0;
	}
	return rc;
}
