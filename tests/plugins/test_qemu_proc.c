/* vm/qemu: the process runner (fork/exec, deadline, cancel, kill escalation, reaping). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "qemu_proc.h"

static void assert_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* Gone, or a zombie waiting for init (it was reparented, so not ours to reap). */
static bool pid_gone(pid_t pid)
{
	char path[64], buf[256];
	const char *state;
	FILE *f;

	if (kill(pid, 0) < 0) {
		assert_int_equal(errno, ESRCH);
		return true;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL) {
		return true;
	}
	buf[0] = '\0';
	if (fgets(buf, sizeof(buf), f) == NULL) {
		buf[0] = '\0';
	}
	fclose(f);
	state = strrchr(buf, ')');
	return state == NULL || state[2] == 'Z';
}

/* A SIGKILLed process that is not our child takes a moment to finish exiting. */
static void assert_pid_gone(pid_t pid)
{
	for (int i = 0; i < 200 && !pid_gone(pid); i++) {
		usleep(10000);
	}
	assert_true(pid_gone(pid));
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL) {
		n++;
	}
	closedir(d);
	return n;
}

static int run_sh(const char *script, struct ktstr_proc_spec *s, struct ktstr_proc_result *r,
		  char *err, size_t errlen)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};

	s->argv = argv;
	return ktstr_proc__run(s, r, err, errlen);
}

static int tmp_log(void)
{
	char path[] = "/tmp/ktstr-proc-log-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static void read_log(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	assert_true(n >= 0);
	buf[n] = '\0';
}

static int read_pid_file(const char *path)
{
	FILE *f;
	int pid = 0;

	for (int i = 0; i < 200 && pid == 0; i++) {
		f = fopen(path, "r");
		if (f != NULL) {
			if (fscanf(f, "%d", &pid) != 1) {
				pid = 0;
			}
			fclose(f);
		}
		if (pid == 0) {
			usleep(10000);
		}
	}
	assert_true(pid > 0);
	return pid;
}

static void test_exit_codes_and_log(void **state)
{
	struct ktstr_proc_spec s = {.log_fd = tmp_log(), .cancel_fd = -1, .kill_grace_ms = 100};
	struct ktstr_proc_result r;
	char err[256] = "", log[256];

	assert_int_equal(run_sh("exit 0", &s, &r, err, sizeof(err)), 0);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(r.term_signal, 0);
	assert_false(r.timed_out);
	assert_false(r.cancelled);
	assert_true(r.pid > 0);
	assert_pid_gone(r.pid);

	assert_int_equal(run_sh("echo out; echo err >&2; read x; echo \"stdin:$x\"; exit 3", &s, &r,
				err, sizeof(err)),
			 0);
	assert_int_equal(r.exit_code, 3);
	read_log(s.log_fd, log, sizeof(log));
	/* stdin is /dev/null, so read gets EOF and x stays empty */
	assert_string_equal(log, "out\nerr\nstdin:\n");
	close(s.log_fd);
	assert_no_children();

	s.log_fd = -1;
	assert_int_equal(run_sh("echo to-null; exit 5", &s, &r, err, sizeof(err)), 0);
	assert_int_equal(r.exit_code, 5);
	assert_no_children();
}

/* Every path through the runner gives back the descriptors it opened. */
static void test_no_fd_leak(void **state)
{
	int32_t bad[] = {-1};
	char *missing[] = {"/nonexistent/qemu", NULL};
	struct ktstr_proc_spec s = {
	    .log_fd = -1, .cancel_fd = -1, .timeout_ms = 100, .kill_grace_ms = 100};
	struct ktstr_proc_result r;
	char err[256];
	int before = count_fds();

	assert_int_equal(run_sh("exit 0", &s, &r, err, sizeof(err)), 0);
	assert_int_equal(run_sh("sleep 5", &s, &r, err, sizeof(err)), 0);
	assert_true(r.timed_out);
	s.argv = missing;
	assert_int_equal(ktstr_proc__run(&s, &r, err, sizeof(err)), -ENOENT);
	s.nr_host_cpus = 1;
	s.host_cpus = bad;
	assert_int_equal(run_sh("exit 0", &s, &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(count_fds(), before);
	assert_no_children();
}

static void test_binary_not_found(void **state)
{
	char *argv1[] = {"/nonexistent/qemu-system-x86_64", NULL};
	char *argv2[] = {"ktstr-no-such-qemu", NULL};
	struct ktstr_proc_spec s = {.argv = argv1, .log_fd = -1, .cancel_fd = -1};
	struct ktstr_proc_result r;
	char err[256] = "";

	assert_int_equal(ktstr_proc__run(&s, &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "qemu binary not found: /nonexistent/qemu-system-x86_64"));
	assert_no_children();
	s.argv = argv2;
	assert_int_equal(ktstr_proc__run(&s, &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "qemu binary not found: ktstr-no-such-qemu"));
	assert_no_children();
}

static void test_not_executable(void **state)
{
	char path[] = "/tmp/ktstr-proc-noexec-XXXXXX";
	char *argv[] = {path, NULL};
	struct ktstr_proc_spec s = {.argv = argv, .log_fd = -1, .cancel_fd = -1};
	struct ktstr_proc_result r;
	char err[256] = "", want[300];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0644), 0);
	close(fd);
	assert_int_equal(ktstr_proc__run(&s, &r, err, sizeof(err)), -EACCES);
	snprintf(want, sizeof(want), "cannot start %s: Permission denied", path);
	assert_string_equal(err, want);
	unlink(path);
	assert_no_children();
}

static void test_deadline_sigterm(void **state)
{
	struct ktstr_proc_spec s = {
	    .log_fd = -1, .cancel_fd = -1, .timeout_ms = 300, .kill_grace_ms = 5000};
	struct ktstr_proc_result r;
	char err[256];

	assert_int_equal(run_sh("sleep 30", &s, &r, err, sizeof(err)), 0);
	assert_true(r.timed_out);
	assert_false(r.cancelled);
	assert_int_equal(r.exit_code, -1);
	assert_int_equal(r.term_signal, SIGTERM);
	assert_true(r.wall_ms >= 300);
	assert_true(r.wall_ms < 2000);
	assert_pid_gone(r.pid);
	assert_no_children();
}

/* A child that ignores SIGTERM gets SIGKILL after the grace time; its group goes too. */
static void test_deadline_escalates_to_sigkill(void **state)
{
	char pidfile[] = "/tmp/ktstr-proc-pid-XXXXXX";
	struct ktstr_proc_spec s = {
	    .log_fd = -1, .cancel_fd = -1, .timeout_ms = 200, .kill_grace_ms = 400};
	struct ktstr_proc_result r;
	char script[256], err[256];
	int fd = mkstemp(pidfile);

	assert_true(fd >= 0);
	close(fd);
	snprintf(script, sizeof(script), "trap '' TERM; sleep 30 & echo $! > %s; wait; wait",
		 pidfile);
	assert_int_equal(run_sh(script, &s, &r, err, sizeof(err)), 0);
	assert_true(r.timed_out);
	assert_int_equal(r.term_signal, SIGKILL);
	assert_int_equal(r.exit_code, -1);
	assert_true(r.wall_ms >= 600);
	assert_true(r.wall_ms < 3000);
	assert_pid_gone(r.pid);
	assert_pid_gone(read_pid_file(pidfile));
	unlink(pidfile);
	assert_no_children();
}

/* The caller's blocked SIGTERM must not protect the child from the deadline. */
static void test_deadline_with_sigterm_blocked(void **state)
{
	struct ktstr_proc_spec s = {
	    .log_fd = -1, .cancel_fd = -1, .timeout_ms = 200, .kill_grace_ms = 10000};
	struct ktstr_proc_result r;
	sigset_t set, old;
	char err[256];

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	assert_int_equal(run_sh("sleep 30", &s, &r, err, sizeof(err)), 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	assert_int_equal(r.term_signal, SIGTERM);
	assert_true(r.wall_ms < 3000);
	assert_no_children();
}

static void test_cancel_fd(void **state)
{
	struct itimerspec its = {.it_value = {.tv_nsec = 300 * 1000000L}};
	struct ktstr_proc_spec s = {.log_fd = -1, .timeout_ms = 20000, .kill_grace_ms = 5000};
	struct ktstr_proc_result r;
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	int p[2];
	char err[256];

	/* a timer that becomes readable after 300 ms */
	assert_true(tfd >= 0);
	assert_int_equal(timerfd_settime(tfd, 0, &its, NULL), 0);
	s.cancel_fd = tfd;
	assert_int_equal(run_sh("sleep 30", &s, &r, err, sizeof(err)), 0);
	assert_true(r.cancelled);
	assert_false(r.timed_out);
	assert_true(r.wall_ms >= 250);
	assert_true(r.wall_ms < 3000);
	close(tfd);
	assert_no_children();

	/* a pipe whose writer hung up also means stop */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	close(p[1]);
	s.cancel_fd = p[0];
	assert_int_equal(run_sh("sleep 30", &s, &r, err, sizeof(err)), 0);
	assert_true(r.cancelled);
	assert_true(r.wall_ms < 3000);
	close(p[0]);
	assert_no_children();
}

static void test_bad_cancel_fd(void **state)
{
	struct ktstr_proc_spec s = {.log_fd = -1, .cancel_fd = 987654};
	struct ktstr_proc_result r;
	char err[256] = "";

	assert_int_equal(run_sh("exit 0", &s, &r, err, sizeof(err)), -EBADF);
	assert_non_null(strstr(err, "cancel fd 987654 is not open"));
	assert_no_children();
}

static void test_killed_by_signal(void **state)
{
	struct ktstr_proc_spec s = {.log_fd = -1, .cancel_fd = -1};
	struct ktstr_proc_result r;
	char err[256];

	assert_int_equal(run_sh("kill -SEGV $$", &s, &r, err, sizeof(err)), 0);
	assert_int_equal(r.exit_code, -1);
	assert_int_equal(r.term_signal, SIGSEGV);
	assert_false(r.timed_out);
	assert_no_children();
}

static void test_affinity(void **state)
{
	int32_t cpu0[] = {0}, bad[] = {0, -1};
	struct ktstr_proc_spec s = {
	    .log_fd = tmp_log(), .cancel_fd = -1, .nr_host_cpus = 1, .host_cpus = cpu0};
	struct ktstr_proc_result r;
	char err[256] = "", log[256];

	assert_int_equal(
	    run_sh("grep Cpus_allowed_list /proc/self/status", &s, &r, err, sizeof(err)), 0);
	read_log(s.log_fd, log, sizeof(log));
	assert_string_equal(log, "Cpus_allowed_list:\t0\n");
	close(s.log_fd);

	s.log_fd = -1;
	s.nr_host_cpus = 2;
	s.host_cpus = bad;
	assert_int_equal(run_sh("exit 0", &s, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "host CPU -1 is not a valid CPU number"));
	s.host_cpus = NULL;
	assert_int_equal(run_sh("exit 0", &s, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "2 host CPUs planned but none given"));
	assert_no_children();
}

/* A CPU the machine does not have: sched_setaffinity fails in the child. */
static void test_affinity_offline_cpu(void **state)
{
	int32_t cpus[] = {4000};
	struct ktstr_proc_spec s = {
	    .log_fd = -1, .cancel_fd = -1, .nr_host_cpus = 1, .host_cpus = cpus};
	struct ktstr_proc_result r;
	char err[256] = "";

	assert_int_equal(run_sh("exit 0", &s, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cannot pin /bin/sh to the planned host CPUs"));
	assert_no_children();
}

/* When the caller dies, PR_SET_PDEATHSIG takes the child down with it. */
static void test_parent_death_kills_child(void **state)
{
	char pidfile[] = "/tmp/ktstr-proc-pid-XXXXXX";
	int fd = mkstemp(pidfile);
	char script[256];
	pid_t helper;

	assert_true(fd >= 0);
	close(fd);
	snprintf(script, sizeof(script), "echo $$ > %s; exec sleep 30", pidfile);
	helper = fork();
	assert_true(helper >= 0);
	if (helper == 0) {
		struct ktstr_proc_spec s = {.log_fd = -1, .cancel_fd = -1};
		struct ktstr_proc_result r;
		char err[256];

		run_sh(script, &s, &r, err, sizeof(err));
		_exit(0);
	}
	int child = read_pid_file(pidfile);

	kill(helper, SIGKILL);
	assert_int_equal(waitpid(helper, NULL, 0), helper);
	assert_pid_gone(child);
	unlink(pidfile);
	assert_no_children();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_codes_and_log),
	    cmocka_unit_test(test_no_fd_leak),
	    cmocka_unit_test(test_binary_not_found),
	    cmocka_unit_test(test_not_executable),
	    cmocka_unit_test(test_deadline_sigterm),
	    cmocka_unit_test(test_deadline_escalates_to_sigkill),
	    cmocka_unit_test(test_deadline_with_sigterm_blocked),
	    cmocka_unit_test(test_cancel_fd),
	    cmocka_unit_test(test_bad_cancel_fd),
	    cmocka_unit_test(test_killed_by_signal),
	    cmocka_unit_test(test_affinity),
	    cmocka_unit_test(test_affinity_offline_cpu),
	    cmocka_unit_test(test_parent_death_kills_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
