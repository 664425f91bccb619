#define _GNU_SOURCE
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "timeutil.h"
#include "worker_internal.h"

static volatile sig_atomic_t worker_stop;

static void on_sigusr1(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

int ktstr_worker_set__init(struct ktstr_worker_set *ws)
{
	memset(ws, 0, sizeof(*ws));
	ws->barrier[0] = ws->barrier[1] = ws->report[0] = ws->report[1] = -1;
	if (pipe2(ws->barrier, O_CLOEXEC) != 0) {
		return -errno;
	}
	if (pipe2(ws->report, O_CLOEXEC) != 0) {
		int err = -errno;

		close_fd(&ws->barrier[0]);
		close_fd(&ws->barrier[1]);
		return err;
	}
	return 0;
}

/* The child's start: PID 1's handlers and mask must not leak into workers. */
static void child_signals(void)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++) {
		sigaction(sig, &sa, NULL); /* fails harmlessly for SIGKILL/SIGSTOP */
	}
	sa.sa_handler = on_sigusr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The legacy spawn's body: @p arg is the work type, duration in the worker. */
struct legacy_job {
	const struct ktstr_work_type *wt;
	uint64_t duration_ms;
};

static int legacy_body(struct ktstr_worker_set *ws, unsigned index, const void *arg,
		       struct ktstr_worker_report *rep)
{
	const struct legacy_job *job = arg;

	ktstr_work__run(job->wt, job->duration_ms * KTSTR_NSEC_PER_MSEC, &worker_stop, rep);
	return 0;
}

static __attribute__((noreturn)) void child_main(struct ktstr_worker_set *ws,
						 ktstr_worker_body_fn body, const void *arg,
						 unsigned index, pid_t parent)
{
	struct ktstr_worker_report rep;
	struct pollfd pfd;
	char byte;
	int rc;

	child_signals();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
		_exit(KTSTR_WORKER_EXIT_BARRIER);
	}
	/* Its own group, so work types that fork can be killed as a whole. */
	setpgid(0, 0);
	close(ws->barrier[1]);
	close(ws->report[0]);
	pfd = (struct pollfd){.fd = ws->barrier[0], .events = POLLIN};
	if (poll(&pfd, 1, KTSTR_WORKER_BARRIER_MS) != 1 || read(ws->barrier[0], &byte, 1) != 0) {
		_exit(KTSTR_WORKER_EXIT_BARRIER); /* never released (EOF is the release) */
	}
	memset(&rep, 0, sizeof(rep));
	rc = body(ws, index, arg, &rep);
	if (rc != 0) {
		_exit(rc);
	}
	rep.pid = getpid();
	if (write(ws->report[1], &rep, sizeof(rep)) != (ssize_t)sizeof(rep)) {
		_exit(1);
	}
	_exit(0);
}

volatile sig_atomic_t *ktstr_worker__stop_flag(void)
{
	return &worker_stop;
}

int ktstr_worker_set__fork(struct ktstr_worker_set *ws, ktstr_worker_body_fn body, const void *arg,
			   unsigned group, unsigned index, struct ktstr_worker **out)
{
	pid_t parent = getpid(), pid;
	sigset_t usr1, old;
	struct ktstr_worker *w;

	if (ws->barrier[1] < 0) {
		return -EINVAL;
	}
	if (ws->n == ws->cap) {
		size_t cap = ws->cap ? ws->cap * 2 : 8;

		w = realloc(ws->w, cap * sizeof(*w));
		if (w == NULL) {
			return -ENOMEM;
		}
		ws->w = w;
		ws->cap = cap;
	}
	/* Blocked across fork: a stop that arrives before the child's handler waits for it. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	pid = fork();
	if (pid == 0) {
		child_main(ws, body, arg, ws->n, parent);
	}
	if (pid < 0) {
		int err = -errno;

		sigprocmask(SIG_SETMASK, &old, NULL);
		return err;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	w = &ws->w[ws->n++];
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->group = group;
	w->index = index;
	*out = w;
	return 0;
}

int ktstr_worker_set__spawn(struct ktstr_worker_set *ws, const struct ktstr_work_type *wt,
			    uint64_t duration_ms, unsigned group, unsigned index,
			    struct ktstr_worker **out)
{
	struct legacy_job job = {.wt = wt, .duration_ms = duration_ms};

	return ktstr_worker_set__fork(ws, legacy_body, &job, group, index, out);
}

int ktstr_worker_set__start(struct ktstr_worker_set *ws)
{
	if (ws->barrier[1] < 0) {
		return -EINVAL;
	}
	/* Workers hold the write end closed; the parent's copy is the last one. */
	close_fd(&ws->barrier[1]);
	close_fd(&ws->report[1]);
	ktstr_work_group__close_pipes(&ws->grp);
	ws->start_ns = ktstr_now_ns();
	return 0;
}

void ktstr_worker_set__stop(struct ktstr_worker_set *ws)
{
	for (size_t i = 0; i < ws->n; i++) {
		if (!ws->w[i].reported && !ws->w[i].reaped) {
			kill(ws->w[i].pid, SIGUSR1);
		}
	}
}

static struct ktstr_worker *find_pid(struct ktstr_worker_set *ws, pid_t pid)
{
	for (size_t i = 0; i < ws->n; i++) {
		if (ws->w[i].pid == pid) {
			return &ws->w[i];
		}
	}
	return NULL;
}

/* Accumulate bytes; every complete record is matched to its worker by pid. */
static void take_bytes(struct ktstr_worker_set *ws, const unsigned char *p, size_t len)
{
	while (len > 0) {
		size_t want = sizeof(ws->rbuf) - ws->rbuf_used;
		size_t take = len < want ? len : want;
		struct ktstr_worker_report rep;
		struct ktstr_worker *w;

		memcpy(ws->rbuf + ws->rbuf_used, p, take);
		ws->rbuf_used += take;
		p += take;
		len -= take;
		if (ws->rbuf_used < sizeof(ws->rbuf)) {
			return;
		}
		ws->rbuf_used = 0;
		memcpy(&rep, ws->rbuf, sizeof(rep));
		w = find_pid(ws, rep.pid);
		if (rep.magic == KTSTR_REPORT_MAGIC && w != NULL && !w->reported) {
			w->rep = rep;
			w->reported = true;
		}
	}
}

static size_t count_unreported(const struct ktstr_worker_set *ws)
{
	size_t n = 0;

	for (size_t i = 0; i < ws->n; i++) {
		n += !ws->w[i].reported;
	}
	return n;
}

static void kill_and_reap(struct ktstr_worker_set *ws)
{
	for (size_t i = 0; i < ws->n; i++) {
		struct ktstr_worker *w = &ws->w[i];

		pid_t got;

		if (w->reaped) {
			continue;
		}
		/* Exited on its own: keep the status; still running: it timed out. */
		got = waitpid(w->pid, &w->status, WNOHANG);
		w->timed_out = got == 0 && !w->reported;
		killpg(w->pid, SIGKILL); /* also what it forked (ForkExit, payload) */
		if (got == 0) {
			kill(w->pid, SIGKILL); /* in case it died before setpgid */
			while (waitpid(w->pid, &w->status, 0) < 0 && errno == EINTR) {
			}
		}
		w->reaped = true;
	}
}

int ktstr_worker_set__collect(struct ktstr_worker_set *ws, uint64_t deadline_ns)
{
	unsigned char buf[4096];
	int err = 0;

	if (ws->report[0] < 0) {
		return -EINVAL;
	}
	while (count_unreported(ws) > 0) {
		uint64_t now = ktstr_now_ns();
		struct pollfd pfd = {.fd = ws->report[0], .events = POLLIN};
		ssize_t n;
		int rc;

		if (now >= deadline_ns) {
			break;
		}
		rc = poll(
		    &pfd, 1,
		    (int)((deadline_ns - now + KTSTR_NSEC_PER_MSEC - 1) / KTSTR_NSEC_PER_MSEC));
		if (rc < 0 && errno == EINTR) {
			continue;
		}
		if (rc < 0) {
			err = -errno;
			break;
		}
		if (rc == 0) {
			continue;
		}
		n = read(ws->report[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			err = -errno;
			break;
		}
		if (n == 0) {
			break; /* every worker has exited */
		}
		take_bytes(ws, buf, (size_t)n);
	}
	kill_and_reap(ws);
	return err ? err : (int)count_unreported(ws);
}

void ktstr_worker_set__destroy(struct ktstr_worker_set *ws)
{
	kill_and_reap(ws);
	close_fd(&ws->barrier[0]);
	close_fd(&ws->barrier[1]);
	close_fd(&ws->report[0]);
	close_fd(&ws->report[1]);
	for (size_t i = 0; i < ws->n; i++) {
		if (ws->w[i].shm != NULL) {
			munmap(ws->w[i].shm, sizeof(*ws->w[i].shm));
		}
	}
	ktstr_work_group__release(&ws->grp);
	free(ws->w);
	memset(ws, 0, sizeof(*ws));
	ws->barrier[0] = ws->barrier[1] = ws->report[0] = ws->report[1] = -1;
}
