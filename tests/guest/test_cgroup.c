#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cgroup.h"
#include "fixture.h"

/*
 * A plain directory stands in for cgroupfs: interface files are pre-created
 * (the manager never creates files), and rmdir of a directory that still
 * holds them fails, unlike on cgroupfs.
 */
static void setup_create_move(void **state)
{
	struct ktstr_cgroup_mgr m;
	char dir[PATH_MAX], err[512], buf[64];

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	fx_write(dir, "cgroup.subtree_control", "");
	fx_write(dir, "ktstr/cgroup.subtree_control", "");
	assert_int_equal(ktstr_cgroup__setup(&m, dir, "ktstr", err, sizeof(err)), 0);
	assert_string_equal(fx_read(dir, "cgroup.subtree_control", buf, sizeof(buf)),
			    "+cpuset +cpu");
	assert_string_equal(fx_read(dir, "ktstr/cgroup.subtree_control", buf, sizeof(buf)),
			    "+cpuset +cpu");
	assert_int_equal(ktstr_cgroup__create(&m, "cg_0", err, sizeof(err)), 0);
	assert_int_equal(ktstr_cgroup__create(&m, "cg_0", err, sizeof(err)), 0); /* reused */
	fx_write(dir, "ktstr/cg_0/cgroup.procs", "");
	assert_int_equal(ktstr_cgroup__move(&m, "cg_0", 4242, err, sizeof(err)), 0);
	assert_string_equal(fx_read(dir, "ktstr/cg_0/cgroup.procs", buf, sizeof(buf)), "4242");

	/* remove drains what is left to the root, then rmdir (fails on a plain dir). */
	fx_write(dir, "cgroup.procs", "");
	fx_write(dir, "ktstr/cg_0/cgroup.procs", "11\n12\n");
	assert_int_equal(ktstr_cgroup__remove(&m, "cg_0", err, sizeof(err)), -ENOTEMPTY);
	assert_string_equal(fx_read(dir, "cgroup.procs", buf, sizeof(buf)), "12");
	assert_non_null(strstr(err, "cannot remove cgroup "));
	assert_non_null(strstr(err, "/ktstr/cg_0: Directory not empty"));
	assert_int_equal(ktstr_cgroup__teardown(&m, err, sizeof(err)), -ENOTEMPTY);
	assert_non_null(strstr(err, "/ktstr: Directory not empty"));
	fx_rmtree(dir);
}

static void errors(void **state)
{
	struct ktstr_cgroup_mgr m;
	char dir[PATH_MAX], err[512];

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	/* No cgroup2 (or no such controllers): subtree_control is missing. */
	assert_int_equal(ktstr_cgroup__setup(&m, dir, "ktstr", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot write '+cpuset +cpu' to "));
	assert_non_null(strstr(err, "/cgroup.subtree_control: No such file or directory (the "
				    "guest kernel needs CONFIG_CPUSETS and CONFIG_CGROUP_SCHED)"));
	/* The root accepts, ktstr was created but its file is missing. */
	fx_write(dir, "cgroup.subtree_control", "");
	assert_int_equal(ktstr_cgroup__setup(&m, dir, "ktstr", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/ktstr/cgroup.subtree_control"));
	fx_write(dir, "ktstr/cgroup.subtree_control", "");
	assert_int_equal(ktstr_cgroup__setup(&m, dir, "ktstr", err, sizeof(err)), 0);
	/* Moving into a cgroup that does not exist. */
	assert_int_equal(ktstr_cgroup__move(&m, "nope", 1, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot move pid 1 into cgroup "));
	assert_non_null(strstr(err, "/ktstr/nope: No such file or directory"));
	assert_int_equal(ktstr_cgroup__remove(&m, "nope", err, sizeof(err)), -ENOENT);
	/* A file where the cgroup should be. */
	fx_write(dir, "ktstr/cg_x", "");
	assert_int_equal(ktstr_cgroup__create(&m, "cg_x/sub", err, sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, "cannot create cgroup "));
	fx_rmtree(dir);
}

/* The files the scenario engine's ops write: controllers, cpuset.cpus, moving every task. */
static void cpusets_and_moves(void **state)
{
	struct ktstr_cgroup_mgr m;
	char dir[PATH_MAX], err[512], buf[64];

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	fx_write(dir, "cgroup.subtree_control", "");
	fx_write(dir, "ktstr/cgroup.subtree_control", "");
	assert_int_equal(ktstr_cgroup__setup(&m, dir, "ktstr", err, sizeof(err)), 0);
	fx_write(dir, "ktstr/a/cgroup.subtree_control", "");
	fx_write(dir, "ktstr/a/cpuset.cpus", "");
	fx_write(dir, "ktstr/a/cgroup.procs", "5\n6\n");
	fx_write(dir, "ktstr/b/cgroup.procs", "");
	assert_int_equal(ktstr_cgroup__enable(&m, "a", err, sizeof(err)), 0);
	assert_string_equal(fx_read(dir, "ktstr/a/cgroup.subtree_control", buf, sizeof(buf)),
			    "+cpuset +cpu");
	assert_int_equal(ktstr_cgroup__disable(&m, "a", err, sizeof(err)), 0);
	assert_string_equal(fx_read(dir, "ktstr/a/cgroup.subtree_control", buf, sizeof(buf)),
			    "-cpuset -cpu");
	assert_int_equal(ktstr_cgroup__set_cpus(&m, "a", "0-2,5", err, sizeof(err)), 0);
	assert_string_equal(fx_read(dir, "ktstr/a/cpuset.cpus", buf, sizeof(buf)), "0-2,5");
	assert_int_equal(ktstr_cgroup__set_cpus(&m, "a", "", err, sizeof(err)), 0);
	assert_string_equal(fx_read(dir, "ktstr/a/cpuset.cpus", buf, sizeof(buf)), "\n");
	/* Every pid, one write each (a plain file keeps the last). */
	assert_int_equal(ktstr_cgroup__move_all(&m, "a", "b", err, sizeof(err)), 0);
	assert_string_equal(fx_read(dir, "ktstr/b/cgroup.procs", buf, sizeof(buf)), "6");
	/* Errors name the file and the cgroups. */
	assert_int_equal(ktstr_cgroup__set_cpus(&m, "b", "1", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot write '1' to "));
	assert_non_null(strstr(err, "/ktstr/b/cpuset.cpus: No such file or directory"));
	assert_int_equal(ktstr_cgroup__enable(&m, "b", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/ktstr/b/cgroup.subtree_control: No such file"));
	assert_int_equal(ktstr_cgroup__move_all(&m, "nope", "b", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot move the tasks of cgroup "));
	assert_non_null(strstr(err, "/ktstr/nope to b: No such file or directory"));
	fx_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(setup_create_move),
	    cmocka_unit_test(errors),
	    cmocka_unit_test(cpusets_and_moves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
