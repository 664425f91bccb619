/*
 * The "payload" work type: exec a binary from the initramfs in the worker's
 * cgroup, capture its exit code and the first KTSTR_PAYLOAD_STDOUT_MAX bytes
 * of its stdout (the rest is read and dropped so it never blocks on a full pipe).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "timeutil.h"
#include "work_internal.h"

#define POLL_MS 100
#define TERM_GRACE_MS 1000 /* after SIGTERM, the payload gets this long before SIGKILL */

static __attribute__((noreturn)) void exec_payload(const struct ktstr_work_spec *spec, int out)
{
	char *argv[KTSTR_WORK_MAX_ARGS + 2];
	size_t n = 0;

	argv[n++] = (char *)spec->payload_path;
	for (size_t i = 0; i < spec->npayload_args; i++) {
		argv[n++] = (char *)spec->payload_args[i];
	}
	argv[n] = NULL;
	if (dup2(out, STDOUT_FILENO) < 0) {
		_exit(127);
	}
	execv(spec->payload_path, argv);
	_exit(127); /* the shell's "command not found" code */
}

/* Keep what fits in the capture buffer, drop the rest. @return false at EOF or error. */
static bool drain(struct ktstr_work_ctx *ctx, int fd)
{
	unsigned char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		return true;
	}
	if (n <= 0) {
		return false;
	}
	for (ssize_t i = 0;
	     ctx->stdout_buf != NULL && i < n && ctx->rep->stdout_len < KTSTR_PAYLOAD_STDOUT_MAX;
	     i++) {
		ctx->stdout_buf[ctx->rep->stdout_len++] = tmp[i];
	}
	return true;
}

void ktstr_work_payload__run(struct ktstr_work_ctx *ctx)
{
	uint64_t term_at = 0;
	int fds[2], status = 0;
	bool open_out = true;
	pid_t pid;

	ctx->rep->flags |= KTSTR_REPORT_F_PAYLOAD;
	ctx->rep->payload_exit = 127;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		exec_payload(ctx->spec, fds[1]);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return;
	}
	while (open_out) {
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		uint64_t now = ktstr_now_ns();

		if (term_at == 0 && (*ctx->stop || now >= ctx->deadline_ns)) {
			kill(pid, SIGTERM);
			term_at = now;
		}
		if (term_at != 0 && now - term_at > TERM_GRACE_MS * KTSTR_NSEC_PER_MSEC) {
			kill(pid, SIGKILL);
		}
		if (poll(&pfd, 1, POLL_MS) > 0) {
			open_out = drain(ctx, fds[0]);
		}
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	ctx->rep->payload_exit = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	ctx->rep->work_units++;
	ktstr_work__checkpoint(ctx);
}
