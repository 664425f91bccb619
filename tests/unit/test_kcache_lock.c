/*
 * Cache-entry locks: shared readers together, a writer waits for readers,
 * a timeout names the holder (pid and command line from /proc/locks), a
 * non-blocking try fails at once, bad keys and refused filesystems, a run's
 * shared lock on the cached image it boots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kcache.h"
#include "test_kcache_util.h"

static int setup(void **state)
{
	(void)state;
	return kc_mkroot("kcache-lock");
}

static int teardown(void **state)
{
	(void)state;
	return kc_rmroot();
}

/* A child that holds @p op on @p key until killed; returns once it holds it. */
static pid_t hold(const char *key, int op)
{
	int pipefd[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char err[512];
		int fd;

		close(pipefd[0]);
		if (ktstr_kcache__lock(kc_root, key, op, 0, &fd, err, sizeof(err)) != 0) {
			_exit(1);
		}
		if (write(pipefd[1], "x", 1) != 1) {
			_exit(1);
		}
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	return pid;
}

static void release(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_timeout_names_holder(void **state)
{
	char err[2048], needle[64], path[PATH_MAX];
	pid_t pid = hold("6.1-tarball-x86_64-kc1", LOCK_SH);
	struct timespec t0, t1;
	struct stat st;
	int fd;

	(void)state;
	/* readers share */
	assert_int_equal(ktstr_kcache__lock(kc_root, "6.1-tarball-x86_64-kc1", LOCK_SH, 0, &fd, err,
					    sizeof(err)),
			 0);
	ktstr_kcache__unlock(fd);
	/* a writer waits its timeout (polled every 100 ms), then names the reader */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ktstr_kcache__lock(kc_root, "6.1-tarball-x86_64-kc1", LOCK_EX, 1000, &fd,
					    err, sizeof(err)),
			 -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 1000);
	assert_int_equal(fd, -1);
	snprintf(path, sizeof(path), "%s/.locks/6.1-tarball-x86_64-kc1.lock", kc_root);
	assert_non_null(strstr(err, "flock LOCK_EX on cache entry \"6.1-tarball-x86_64-kc1\" "
				    "timed out after 1s (lockfile "));
	assert_non_null(strstr(err, path));
	snprintf(needle, sizeof(needle), "holders:   pid=%d cmd=", (int)pid);
	if (strstr(err, needle) == NULL) {
		fail_msg("no holder in: %s", err);
	}
	assert_non_null(strstr(err, "unit_test_kcache_lock"));
	/* the lockfile is 0666 before umask, the key's own */
	assert_int_equal(stat(path, &st), 0);
	/* non-blocking */
	assert_int_equal(ktstr_kcache__lock(kc_root, "6.1-tarball-x86_64-kc1", LOCK_EX, 0, &fd, err,
					    sizeof(err)),
			 -EWOULDBLOCK);
	assert_non_null(strstr(err, "is held"));
	release(pid);
	assert_int_equal(ktstr_kcache__lock(kc_root, "6.1-tarball-x86_64-kc1", LOCK_EX, 0, &fd, err,
					    sizeof(err)),
			 0);
	/* with nobody else holding: only ourselves, nothing of the dead child */
	ktstr_kcache__lock_holders(fd, path, err, sizeof(err));
	snprintf(needle, sizeof(needle), "pid=%d ", (int)getpid());
	assert_non_null(strstr(err, needle));
	ktstr_kcache__unlock(fd);
}

static void test_writer_gets_it_when_freed(void **state)
{
	pid_t pid = hold("k2", LOCK_EX);
	char err[2048];
	int fd;

	(void)state;
	if (fork() == 0) {
		usleep(300 * 1000);
		kill(pid, SIGKILL);
		_exit(0);
	}
	assert_int_equal(ktstr_kcache__lock(kc_root, "k2", LOCK_SH, 5000, &fd, err, sizeof(err)),
			 0);
	ktstr_kcache__unlock(fd);
	waitpid(pid, NULL, 0);
	wait(NULL);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A patient writer outlasts its timeout behind an installer, not behind readers. */
static void test_patient_waits_for_installers(void **state)
{
	pid_t pid = hold("k3", LOCK_EX);
	struct timespec t0;
	char err[2048];
	int fd;

	(void)state;
	if (fork() == 0) {
		usleep(900 * 1000); /* the installer needs 3 timeouts */
		kill(pid, SIGKILL);
		_exit(0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ktstr_kcache__lock(kc_root, "k3", LOCK_EX | KTSTR_KCACHE_LOCK_PATIENT, 300,
					    &fd, err, sizeof(err)),
			 0);
	assert_true(ms_since(&t0) >= 800);
	ktstr_kcache__unlock(fd);
	waitpid(pid, NULL, 0);
	wait(NULL);

	pid = hold("k3", LOCK_SH);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ktstr_kcache__lock(kc_root, "k3", LOCK_EX | KTSTR_KCACHE_LOCK_PATIENT, 300,
					    &fd, err, sizeof(err)),
			 -ETIMEDOUT);
	assert_true(ms_since(&t0) < 2000);
	assert_non_null(strstr(err, "flock LOCK_EX on cache entry \"k3\""));
	release(pid);
}

static void test_refusals(void **state)
{
	char err[512];
	int fd;

	(void)state;
	assert_int_equal(ktstr_kcache__lock(kc_root, "../x", LOCK_EX, 0, &fd, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not a valid cache key"));
	assert_string_equal(ktstr_kcache__fs_refused(0x6969), "NFS");
	assert_string_equal(ktstr_kcache__fs_refused(0xFF534D42), "CIFS");
	assert_string_equal(ktstr_kcache__fs_refused(0xFE534D42), "SMB2");
	assert_string_equal(ktstr_kcache__fs_refused(0x00C36400), "Ceph");
	assert_string_equal(ktstr_kcache__fs_refused(0x6B414653), "AFS");
	assert_string_equal(ktstr_kcache__fs_refused(0x65735546), "FUSE");
	assert_null(ktstr_kcache__fs_refused(0xEF53));	   /* ext4 */
	assert_null(ktstr_kcache__fs_refused(0x01021994)); /* tmpfs */
	assert_int_equal(ktstr_kcache__lock_fs_check(kc_root, err, sizeof(err)), 0);
}

static void test_remove_skips_held(void **state)
{
	pid_t pid;
	char err[2048], path[PATH_MAX];
	struct stat st;

	(void)state;
	struct ktstr_kcache_entry *seen = malloc(sizeof(*seen));

	kc_entry("busy", "6.1.1", "2026-01-01T00:00:00Z", "bzImage", false);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "busy", seen), 0);
	pid = hold("busy", LOCK_SH);
	assert_int_equal(ktstr_kcache__remove(kc_root, seen, err, sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "pid="));
	snprintf(path, sizeof(path), "%s/busy", kc_root);
	assert_int_equal(stat(path, &st), 0);
	release(pid);
	/* reinstalled since it was listed: left alone */
	kc_entry("busy", "6.1.1", "2026-02-01T00:00:00Z", "bzImage", false);
	assert_int_equal(ktstr_kcache__remove(kc_root, seen, err, sizeof(err)), -ESTALE);
	assert_string_equal(err, "busy changed since it was listed; left alone");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "busy", seen), 0);
	assert_int_equal(ktstr_kcache__remove(kc_root, seen, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), -1);
	/* corrupt when listed, repaired since: left alone; still corrupt: removed */
	kc_put("fixed/metadata.json", "{}");
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "fixed", seen), -EINVAL);
	kc_entry("fixed", "6.1.2", "2026-01-01T00:00:00Z", "bzImage", false);
	assert_int_equal(ktstr_kcache__remove(kc_root, seen, err, sizeof(err)), -ESTALE);
	kc_put("fixed/metadata.json", "{}");
	assert_int_equal(ktstr_kcache__remove(kc_root, seen, err, sizeof(err)), 0);
	/* a corrupt entry with a name no key can have still goes */
	kc_put(".tmp-x-1/y", "");
	snprintf(seen->key, sizeof(seen->key), ".tmp-x-1");
	assert_int_equal(ktstr_kcache__remove(kc_root, seen, err, sizeof(err)), 0);
	free(seen);
}

static void test_read_lock(void **state)
{
	char img[PATH_MAX], link[PATH_MAX], err[2048];
	int fd, other;

	(void)state;
	setenv("KTSTR_CACHE_DIR", kc_root, 1);
	kc_entry("6.2.1-tarball-x86_64-kc1", "6.2.1", "2026-01-01T00:00:00Z", "bzImage", false);
	snprintf(img, sizeof(img), "%s/6.2.1-tarball-x86_64-kc1/bzImage", kc_root);
	/* reached through a symlink: still the cache's entry */
	snprintf(link, sizeof(link), "%s.link", kc_root);
	unlink(link);
	assert_int_equal(symlink(kc_root, link), 0);
	snprintf(img, sizeof(img), "%s/6.2.1-tarball-x86_64-kc1/bzImage", link);
	assert_int_equal(ktstr_kcache__read_lock(img, &fd, err, sizeof(err)), 0);
	assert_true(fd >= 0);
	/* an install (LOCK_EX) cannot take it while the run holds it */
	assert_int_equal(ktstr_kcache__lock(kc_root, "6.2.1-tarball-x86_64-kc1", LOCK_EX, 0, &other,
					    err, sizeof(err)),
			 -EWOULDBLOCK);
	ktstr_kcache__unlock(fd);
	assert_int_equal(ktstr_kcache__lock(kc_root, "6.2.1-tarball-x86_64-kc1", LOCK_EX, 0, &other,
					    err, sizeof(err)),
			 0);
	ktstr_kcache__unlock(other);
	unlink(link);
	/* images outside the cache, missing ones, the root's own files: no lock */
	assert_int_equal(ktstr_kcache__read_lock("/bin/sh", &fd, err, sizeof(err)), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(ktstr_kcache__read_lock("/no/such/image", &fd, err, sizeof(err)), 0);
	assert_int_equal(fd, -1);
	kc_put("loose-image", "x");
	snprintf(img, sizeof(img), "%s/loose-image", kc_root);
	assert_int_equal(ktstr_kcache__read_lock(img, &fd, err, sizeof(err)), 0);
	assert_int_equal(fd, -1);
	assert_int_equal(ktstr_kcache__read_lock(NULL, &fd, err, sizeof(err)), 0);
	assert_int_equal(fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timeout_names_holder),
	    cmocka_unit_test(test_writer_gets_it_when_freed),
	    cmocka_unit_test(test_patient_waits_for_installers),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_remove_skips_held),
	    cmocka_unit_test(test_read_lock),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
