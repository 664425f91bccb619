#define _GNU_SOURCE
#include "scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Control characters (newlines included) would break a one-line COM2 reason. */
static void one_line(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			*s = ' ';
		}
	}
}

#define LOG_SCAN_MAX (256 * 1024)

int ktstr_sched__log_tail(const char *log_path, char *buf, size_t len)
{
	char *text, *end, *start;
	size_t n;
	int rc = ktstr_file__read_tail(log_path, LOG_SCAN_MAX, &text, &n);

	if (rc) {
		return rc;
	}
	end = text + n;
	while (end > text &&
	       (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t')) {
		end--;
	}
	*end = '\0';
	start = strrchr(text, '\n');
	start = start != NULL ? start + 1 : text;
	rc = *start != '\0' ? 0 : -ENOENT;
	if (rc == 0) {
		snprintf(buf, len, "%s", start);
		one_line(buf);
	}
	free(text);
	return rc;
}

bool ktstr_sched__load_failed(const char *log_path, char *why, size_t len)
{
	static const char *const marks[] = {"-- BEGIN PROG LOAD LOG --", "failed to load",
					    "failed to attach"};
	bool found = false;
	char *text;
	size_t n;

	if (ktstr_file__read_tail(log_path, LOG_SCAN_MAX, &text, &n) != 0) {
		return false;
	}
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]) && !found; i++) {
		found = strstr(text, marks[i]) != NULL;
	}
	free(text);
	if (found && ktstr_sched__log_tail(log_path, why, len) != 0) {
		snprintf(why, len, "the BPF program failed to load");
	}
	return found;
}

enum ktstr_sched_startup ktstr_sched__startup(struct ktstr_sched *s, const char *root,
					      const char *log_path, unsigned survive_ms,
					      unsigned attach_ms, unsigned step_ms, char *why,
					      size_t len)
{
	enum ktstr_sched_attach st = KTSTR_SCHED_DIED;
	char tail[512];

	if (ktstr_sched__survives(s, survive_ms, step_ms)) {
		st = ktstr_sched__wait_attached(s, root, attach_ms, step_ms);
	}
	switch (st) {
	case KTSTR_SCHED_ATTACHED:
		return KTSTR_SCHED_STARTUP_ATTACHED;
	case KTSTR_SCHED_DIED:
		if (ktstr_sched__load_failed(log_path, why, len)) {
			return KTSTR_SCHED_STARTUP_NOT_ATTACHED;
		}
		ktstr_sched__describe(s, why, len);
		return KTSTR_SCHED_STARTUP_DIED;
	case KTSTR_SCHED_NO_SYSFS:
		snprintf(why, len, "sched_ext sysfs absent");
		return KTSTR_SCHED_STARTUP_NOT_ATTACHED;
	case KTSTR_SCHED_ATTACH_TIMEOUT:
		break;
	}
	if (ktstr_sched__log_tail(log_path, tail, sizeof(tail)) == 0) {
		snprintf(why, len, "timeout after %u ms; last log line: %s", attach_ms, tail);
	} else {
		snprintf(why, len, "timeout after %u ms; the scheduler logged nothing", attach_ms);
	}
	return KTSTR_SCHED_STARTUP_NOT_ATTACHED;
}

#define KMSG_RECORD_MAX 8192 /* the kernel's own limit for one /dev/kmsg record */
#define KMSG_LEVEL_ERR 3

/* One kmsg record "<prio>,<seq>,<usec>,<flags>[,...];<text>": its text and level. */
static const char *kmsg_text(char *rec, int *level)
{
	char *semi = strchr(rec, ';');
	char *nl;

	if (semi == NULL) {
		return NULL;
	}
	*level = atoi(rec) & 7; /* prio = facility * 8 + level */
	nl = strchr(semi + 1, '\n');
	if (nl != NULL) {
		*nl = '\0'; /* continuation lines (" KEY=value") follow */
	}
	return semi + 1;
}

struct exit_scan {
	char line[512]; /* `BPF scheduler "x" disabled (reason)` */
	char msg[512];	/* the "sched_ext: x: message" right after it */
	bool error;
	bool want_msg;
};

static void scan_record(struct exit_scan *x, const char *text, int level)
{
	static const char prefix[] = "sched_ext: ";
	const char *body;

	if (strncmp(text, prefix, sizeof(prefix) - 1) != 0) {
		x->want_msg = false;
		return;
	}
	body = text + sizeof(prefix) - 1;
	if (strncmp(body, "BPF scheduler \"", 15) == 0 && strstr(body, "\" disabled (") != NULL) {
		snprintf(x->line, sizeof(x->line), "%s", body);
		x->msg[0] = '\0';
		x->error = level <= KMSG_LEVEL_ERR;
		x->want_msg = x->error;
		return;
	}
	if (x->want_msg) {
		snprintf(x->msg, sizeof(x->msg), "%s", body);
		x->want_msg = false;
	}
}

static void scan_line(struct exit_scan *x, char *line)
{
	const char *text;
	int level;

	if (line[0] != ' ' && (text = kmsg_text(line, &level)) != NULL) {
		scan_record(x, text, level);
	}
}

/*
 * /dev/kmsg returns one record per read (EPIPE when the ring overwrote the
 * next one, EAGAIN at the end); a plain file of records is read in chunks.
 * Both end up as lines: a record's text line, or a continuation line.
 */
static int scan_kmsg(int fd, struct exit_scan *x)
{
	char *buf = malloc(KMSG_RECORD_MAX + 1);
	size_t have = 0;

	if (buf == NULL) {
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + have, KMSG_RECORD_MAX - have);
		char *line = buf, *nl;

		if (r < 0 && (errno == EINTR || errno == EPIPE)) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		have += (size_t)r;
		buf[have] = '\0';
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			scan_line(x, line);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == KMSG_RECORD_MAX) {
			have = 0; /* a line longer than any record: drop it */
		}
	}
	buf[have] = '\0';
	scan_line(x, buf); /* a last line without its newline */
	free(buf);
	return 0;
}

int ktstr_sched__kernel_exit_reason(const char *kmsg_path, char *buf, size_t len, bool *error_exit)
{
	struct exit_scan x = {.line = ""};
	int fd = open(kmsg_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		return -errno;
	}
	rc = scan_kmsg(fd, &x);
	close(fd);
	if (rc) {
		return rc;
	}
	if (x.line[0] == '\0') {
		return -ENOENT;
	}
	if (x.msg[0] != '\0') {
		snprintf(buf, len, "%s: %s", x.line, x.msg);
	} else {
		snprintf(buf, len, "%s", x.line);
	}
	one_line(buf);
	*error_exit = x.error;
	return 0;
}

enum ktstr_sched_health ktstr_sched__health(struct ktstr_sched *s, const char *root,
					    const char *kmsg_path, char *why, size_t len)
{
	bool alive = ktstr_sched__alive(s);
	bool attached = ktstr_sched__attached(root);
	char reason[1024], state[64], how[64];
	bool error_exit = false;
	int rc;

	if (alive && attached) {
		return KTSTR_SCHED_HEALTHY;
	}
	rc = ktstr_sched__kernel_exit_reason(kmsg_path, reason, sizeof(reason), &error_exit);
	if (ktstr_file__read_at(root, "/sys/kernel/sched_ext/state", state, sizeof(state)) != 0) {
		snprintf(state, sizeof(state), "unknown");
	}
	if (alive) {
		snprintf(how, sizeof(how), "still running");
	} else {
		ktstr_sched__describe(s, how, sizeof(how));
	}
	if (rc == 0 && error_exit) {
		snprintf(why, len, "sched_ext disabled the scheduler: %s (state: %s; process: %s)",
			 reason, state, how);
		return KTSTR_SCHED_EJECTED;
	}
	if (alive) {
		snprintf(why, len,
			 "sched_ext no longer runs the scheduler and the kernel logged no reason "
			 "(state: %s; process: still running)",
			 state);
		return KTSTR_SCHED_EJECTED;
	}
	snprintf(why, len, "scheduler process exited (%s; sched_ext state: %s)", how, state);
	return KTSTR_SCHED_GONE;
}

int ktstr_sched__release(struct ktstr_sched *s, const char *root, unsigned grace_ms,
			 unsigned timeout_ms)
{
	char state[64];

	ktstr_sched__stop(s, grace_ms);
	for (uint64_t start = ktstr_now_ns();;) {
		if (ktstr_file__read_at(root, "/sys/kernel/sched_ext/state", state,
					sizeof(state)) != 0 ||
		    strcmp(state, "disabled") == 0) {
			return 0;
		}
		if (ktstr_now_ns() - start >= (uint64_t)timeout_ms * KTSTR_NSEC_PER_MSEC) {
			return -ETIMEDOUT;
		}
		ktstr_sleep_ms(20);
	}
}
