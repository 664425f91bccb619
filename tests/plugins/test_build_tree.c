/* kernel-source/build: git state, the source-tree lock, child processes (make's runner). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "build_proc.h"
#include "build_tree.h"

static char tmp[256];

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/ktstr-test-build-XXXXXX");
	return mkdtemp(tmp) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0) {
		fail_msg("command failed: %s", cmd);
	}
}

static bool have_git(void)
{
	return system("git --version >/dev/null 2>&1") == 0;
}

static void test_git(void **state)
{
	struct ktstr_build_git g;
	char dir[512], sub[600], head[64], err[256];
	const char *argv[] = {"git", "-C", dir, "rev-parse", "HEAD", NULL};

	if (!have_git()) {
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/tree", tmp);
	sh("mkdir -p %s/sub && echo a > %s/Makefile && echo b > %s/sub/file", dir, dir, dir);
	/* not git: dirty, no hash */
	assert_int_equal(ktstr_build_tree__git(dir, &g, err, sizeof(err)), 0);
	assert_false(g.is_git);
	assert_true(g.dirty);
	assert_string_equal(g.hash7, "");
	/* a repository without a commit is not usable either */
	sh("git -C %s init -q", dir);
	assert_int_equal(ktstr_build_tree__git(dir, &g, err, sizeof(err)), 0);
	assert_false(g.is_git);
	sh("git -C %s add -A && git -C %s -c user.name=t -c user.email=t@t commit -qm x", dir, dir);
	assert_int_equal(ktstr_build_tree__git(dir, &g, err, sizeof(err)), 0);
	assert_true(g.is_git);
	assert_false(g.dirty);
	assert_int_equal(ktstr_build_proc__capture(argv, NULL, head, sizeof(head)), 0);
	assert_int_equal(strncmp(g.hash7, head, 7), 0);
	assert_int_equal(strlen(g.hash7), 7);
	/* untracked files (build outputs) keep it clean; a tracked change does not */
	sh("echo o > %s/built.o", dir);
	assert_int_equal(ktstr_build_tree__git(dir, &g, err, sizeof(err)), 0);
	assert_false(g.dirty);
	sh("echo c >> %s/sub/file", dir);
	assert_int_equal(ktstr_build_tree__git(dir, &g, err, sizeof(err)), 0);
	assert_true(g.is_git);
	assert_true(g.dirty);
	/* a directory inside a repository is not a git tree of its own */
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(ktstr_build_tree__git(sub, &g, err, sizeof(err)), 0);
	assert_false(g.is_git);
	assert_true(g.dirty);
}

static void test_lock(void **state)
{
	char root[512], err[2048], needle[64];
	struct stat st;
	int fd, fd2, fd3;

	snprintf(root, sizeof(root), "%s/cache/deeper", tmp);
	fd = ktstr_build_tree__lock(root, "/src/linux", err, sizeof(err));
	assert_true(fd >= 0);
	/* the lock file is named by the crc32 of the path */
	snprintf(root, sizeof(root), "%s/cache/deeper/.locks", tmp);
	assert_int_equal(stat(root, &st), 0);
	snprintf(root, sizeof(root), "%s/cache/deeper", tmp);
	/* a second holder fails at once, naming the lockfile and us */
	fd2 = ktstr_build_tree__lock(root, "/src/linux", err, sizeof(err));
	assert_int_equal(fd2, -EBUSY);
	assert_non_null(strstr(err, "source tree /src/linux is being built by another process"));
	assert_non_null(strstr(err, "/.locks/source-"));
	snprintf(needle, sizeof(needle), "pid=%d cmd=", (int)getpid());
	if (strstr(err, needle) == NULL) {
		fail_msg("\"%s\" does not name holder %s", err, needle);
	}
	/* another tree is another lock */
	fd3 = ktstr_build_tree__lock(root, "/src/other", err, sizeof(err));
	assert_true(fd3 >= 0);
	close(fd3);
	close(fd);
	fd = ktstr_build_tree__lock(root, "/src/linux", err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	/* an uncreatable root is an error naming it */
	assert_true(ktstr_build_tree__lock("/proc/ktstr-no/cache", "/src/linux", err, sizeof(err)) <
		    0);
	assert_non_null(strstr(err, "cannot create /proc/ktstr-no"));
}

static void test_capture(void **state)
{
	const char *echo[] = {"sh", "-c", "printf 'a b\\n\\n'; echo err >&2; exit 3", NULL};
	const char *none[] = {"ktstr-no-such-command", NULL};
	const char *pwd[] = {"pwd", NULL};
	char buf[64];

	assert_int_equal(ktstr_build_proc__capture(echo, NULL, buf, sizeof(buf)), 3);
	assert_string_equal(buf, "a b"); /* stderr dropped, trailing newlines cut */
	assert_int_equal(ktstr_build_proc__capture(none, NULL, buf, sizeof(buf)), 127);
	assert_int_equal(ktstr_build_proc__capture(pwd, "/proc", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/proc");
	assert_int_equal(ktstr_build_proc__capture(pwd, "/proc", buf, 3), 0);
	assert_string_equal(buf, "/p");
}

/* The child's descriptors: its stdio and nothing else of ours (here an inheritable fd). */
static void test_capture_fds(void **state)
{
	const char *ls[] = {"sh", "-c", "ls /proc/$$/fd; true", NULL};
	int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: a child would inherit it */
	char buf[256];

	assert_true(leak >= 3);
	assert_int_equal(ktstr_build_proc__capture(ls, NULL, buf, sizeof(buf)), 0);
	close(leak);
	assert_string_equal(buf, "0\n1\n2");
}

static uint64_t last_steps;
static unsigned nr_progress;
static bool cancel_now;

static void on_progress(void *ctx, uint64_t steps)
{
	last_steps = steps;
	nr_progress++;
}

static bool cancelled(void)
{
	return cancel_now;
}

static int open_log(const char *name, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", tmp, name);
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

static void test_run(void **state)
{
	const char *script[] = {
	    "sh", "-c",
	    "echo '  CC      a.o'; echo '  LD      vmlinux'; echo 'make: x'; echo ' CC no';"
	    "echo '  cc no'; echo '  AR      lib.a' >&2; exit 2",
	    NULL};
	struct ktstr_build_run r = {
	    .argv = script, .progress = on_progress, .cancelled = cancelled};
	char path[512], tail[256];

	r.log_fd = open_log("run.log", path, sizeof(path));
	assert_true(r.log_fd >= 0);
	assert_int_equal(ktstr_build_proc__run(&r), 2);
	close(r.log_fd);
	/* three step lines: CC, LD, AR (stderr is in the log too) */
	assert_int_equal(last_steps, 3);
	assert_true(nr_progress >= 1);
	ktstr_build_proc__tail(path, 2, tail, sizeof(tail));
	assert_string_equal(tail, "  cc no\n  AR      lib.a");
	ktstr_build_proc__tail(path, 100, tail, sizeof(tail));
	assert_non_null(strstr(tail, "  CC      a.o\n  LD      vmlinux\nmake: x"));
	ktstr_build_proc__tail(path, 1, tail, 8);
	assert_string_equal(tail, " lib.a"); /* the last 7 bytes, newline cut */
	ktstr_build_proc__tail("/nonexistent", 5, tail, sizeof(tail));
	assert_string_equal(tail, "");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_cancel_and_timeout(void **state)
{
	char pidfile[512], path[512], cmd[1024];
	const char *script[] = {"sh", "-c", cmd, NULL};
	struct ktstr_build_run r = {.argv = script, .cancelled = cancelled};
	char pid[32] = "";
	double t0;
	FILE *f;

	/* a grandchild that ignores nothing: killing the group must reach it */
	snprintf(pidfile, sizeof(pidfile), "%s/grandchild.pid", tmp);
	snprintf(cmd, sizeof(cmd), "sleep 60 & echo $! > %s; wait", pidfile);
	r.log_fd = open_log("cancel.log", path, sizeof(path));
	cancel_now = true;
	t0 = now_s();
	assert_int_equal(ktstr_build_proc__run(&r), -ECANCELED);
	cancel_now = false;
	assert_true(now_s() - t0 < 10);

	r.timeout_s = 1;
	t0 = now_s();
	assert_int_equal(ktstr_build_proc__run(&r), -ETIMEDOUT);
	assert_true(now_s() - t0 < 10);
	close(r.log_fd);
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_non_null(fgets(pid, sizeof(pid), f));
	fclose(f);
	/* the sleep was killed with its group: its pid is gone (or a zombie reaped by init) */
	snprintf(path, sizeof(path), "/proc/%d/stat", atoi(pid));
	for (int i = 0; i < 50; i++) {
		char stat[256] = "";

		f = fopen(path, "r");
		if (f == NULL) {
			return;
		}
		fgets(stat, sizeof(stat), f);
		fclose(f);
		if (strstr(stat, ") Z") != NULL || strstr(stat, "sleep") == NULL) {
			return;
		}
		usleep(100 * 1000);
	}
	fail_msg("grandchild %s outlived its cancelled group", pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_git),
	    cmocka_unit_test(test_lock),
	    cmocka_unit_test(test_capture),
	    cmocka_unit_test(test_capture_fds),
	    cmocka_unit_test(test_run),
	    cmocka_unit_test(test_cancel_and_timeout),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
