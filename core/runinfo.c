#define _GNU_SOURCE
#include "runinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

void ktstr_runinfo__timestamp(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ktstr_runinfo__run_id(time_t t, char *buf, size_t len)
{
	struct tm tm;
	char stamp[32];

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "%s-%d", stamp, (int)getpid());
}

/* Run git with argv in dir; capture up to len-1 bytes of stdout. Returns exit status or -errno. */
static int run_git(const char *dir, char *const argv[], char *out, size_t len)
{
	int pfd[2], status;
	size_t n = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(devnull, 2);
		if (chdir(dir) != 0) {
			_exit(127);
		}
		execvp("git", argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t r = read(pfd[0], out + n, len - 1 - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		n += (size_t)r;
		if (n == len - 1) {
			char sink[256];
			while (read(pfd[0], sink, sizeof(sink)) > 0) {
			}
			break;
		}
	}
	out[n] = '\0';
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			return -errno;
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -ECHILD;
}

int ktstr_runinfo__project_commit(const char *dir, char *buf, size_t len)
{
	char *rev[] = { "git", "rev-parse", "--short=7", "HEAD", NULL };
	char *st[] = { "git", "status", "--porcelain", "--untracked-files=no", NULL };
	char head[64], status[8];

	if (run_git(dir, rev, head, sizeof(head)) != 0 || strlen(head) < 7) {
		return -ENOENT;
	}
	head[7] = '\0';
	if (run_git(dir, st, status, sizeof(status)) != 0) {
		return -ENOENT;
	}
	snprintf(buf, len, "%s%s", head, status[0] != '\0' ? "-dirty" : "");
	return 0;
}

uint64_t ktstr_runinfo__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
