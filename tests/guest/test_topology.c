#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"
#include "topology.h"

#define CPU "sys/devices/system/cpu/"

/*
 * A fake sysfs: @p ncpus CPUs, CPU c in LLC llc_of[c] (written as cache
 * index3, with index0..2 as L1d/L1i/L2 private caches), SMT siblings
 * smt_lists[c], and node lists (NULL: no node directory).
 */
static void make_tree(const char *root, const char *online, int ncpus, const char *const *llc_lists,
		      const char *const *smt_lists, const char *const *node_lists)
{
	char rel[256], val[32];

	fx_write(root, CPU "online", online);
	for (int c = 0; c < ncpus; c++) {
		static const char *const levels[] = {"1", "1", "2"};

		for (int idx = 0; idx < 3; idx++) {
			snprintf(rel, sizeof(rel), CPU "cpu%d/cache/index%d/level", c, idx);
			fx_write(root, rel, levels[idx]);
			snprintf(rel, sizeof(rel), CPU "cpu%d/cache/index%d/shared_cpu_list", c,
				 idx);
			snprintf(val, sizeof(val), "%d\n", c);
			fx_write(root, rel, idx == 2 ? smt_lists[c] : val);
		}
		if (llc_lists != NULL) {
			snprintf(rel, sizeof(rel), CPU "cpu%d/cache/index3/level", c);
			fx_write(root, rel, "3\n");
			snprintf(rel, sizeof(rel), CPU "cpu%d/cache/index3/shared_cpu_list", c);
			fx_write(root, rel, llc_lists[c]);
		}
		snprintf(rel, sizeof(rel), CPU "cpu%d/topology/thread_siblings_list", c);
		fx_write(root, rel, smt_lists[c]);
	}
	for (int n = 0; node_lists != NULL && node_lists[n] != NULL; n++) {
		snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/cpulist", n);
		fx_write(root, rel, node_lists[n]);
	}
}

static char *topo_json(const struct ktstr_guest_topo *t)
{
	json_t *j = ktstr_guest_topo__to_json(t);
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return s;
}

static void two_llcs(void **state)
{
	static const char *const llc[] = {"0-1\n", "0-1\n", "2-3\n", "2-3\n"};
	static const char *const smt[] = {"0\n", "1\n", "2\n", "3\n"};
	static const char *const nodes[] = {"0-3\n", NULL};
	struct ktstr_spec_topo want = {.numa_nodes = 1, .llcs = 2, .cores = 2, .threads = 1};
	struct ktstr_guest_topo t;
	char dir[PATH_MAX], err[256], msg[256], *s;

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	make_tree(dir, "0-3\n", 4, llc, smt, nodes);
	fx_write(dir, "sys/devices/system/node/possible", "0\n"); /* not a node directory */
	assert_int_equal(ktstr_guest_topo__read(dir, &t, err, sizeof(err)), 0);
	s = topo_json(&t);
	assert_string_equal(s, "{\"cpus\":4,\"numa_nodes\":1,\"llcs\":2,\"cores\":2,\"threads\":1,"
			       "\"llc_cpus\":[[0,1],[2,3]],\"node_cpus\":[[0,1,2,3]],"
			       "\"smt_siblings\":[[0],[1],[2],[3]]}");
	free(s);
	assert_true(ktstr_guest_topo__matches(&t, &want, msg, sizeof(msg)));
	assert_string_equal(msg, "");
	want.llcs = 1;
	want.cores = 4;
	assert_false(ktstr_guest_topo__matches(&t, &want, msg, sizeof(msg)));
	assert_string_equal(msg, "guest has 2 LLCs, test asked for 1; guest has 2 cores per LLC, "
				 "test asked for 4");
	want = (struct ktstr_spec_topo){.numa_nodes = 2, .llcs = 2, .cores = 2, .threads = 2};
	assert_false(ktstr_guest_topo__matches(&t, &want, msg, sizeof(msg)));
	assert_string_equal(msg, "guest has 4 CPUs, test asked for 8; guest has 1 NUMA node, test "
				 "asked for 2; guest has 1 thread per core, test asked for 2");
	ktstr_guest_topo__release(&t);
	fx_rmtree(dir);
}

/* SMT pairs, two nodes listed out of order plus a memory-only one, an offline CPU. */
static void smt_numa_offline(void **state)
{
	static const char *const llc[] = {"0-3\n", "0-3\n", "0-3\n", "0-3\n",
					  "4-7\n", "4-7\n", "4-7\n", "4-7\n"};
	static const char *const smt[] = {"0-1\n", "0-1\n", "2-3\n", "2-3\n",
					  "4,6\n", "5,7\n", "4,6\n", "5,7\n"};
	static const char *const nodes[] = {"4-7\n", "0-3\n", "\n", NULL};
	struct ktstr_spec_topo want = {.numa_nodes = 2, .llcs = 2, .cores = 2, .threads = 2};
	struct ktstr_guest_topo t;
	char dir[PATH_MAX], err[256], msg[256], *s;

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	/* cpu7 offline: its LLC and SMT groups shrink, it is not counted. */
	make_tree(dir, "0-6\n", 8, llc, smt, nodes);
	assert_int_equal(ktstr_guest_topo__read(dir, &t, err, sizeof(err)), 0);
	s = topo_json(&t);
	assert_string_equal(s, "{\"cpus\":7,\"numa_nodes\":2,\"llcs\":2,\"cores\":2,\"threads\":2,"
			       "\"llc_cpus\":[[0,1,2,3],[4,5,6]],\"node_cpus\":[[0,1,2,3],[4,5,6]],"
			       "\"smt_siblings\":[[0,1],[2,3],[4,6],[5]]}");
	free(s);
	assert_false(ktstr_guest_topo__matches(&t, &want, msg, sizeof(msg)));
	assert_string_equal(msg, "guest has 7 CPUs, test asked for 8");
	ktstr_guest_topo__release(&t);
	fx_rmtree(dir);
}

/* No cache information: package_cpus_list; no thread_siblings_list: core_cpus_list; no NUMA. */
static void fallbacks(void **state)
{
	struct ktstr_guest_topo t;
	char dir[PATH_MAX], err[256], *s;

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	fx_write(dir, CPU "online", "0-1");
	fx_write(dir, CPU "cpu0/topology/package_cpus_list", "0-1");
	fx_write(dir, CPU "cpu1/topology/package_cpus_list", "0-1");
	fx_write(dir, CPU "cpu0/topology/core_cpus_list", "0-1");
	fx_write(dir, CPU "cpu1/topology/core_cpus_list", "0-1");
	assert_int_equal(ktstr_guest_topo__read(dir, &t, err, sizeof(err)), 0);
	s = topo_json(&t);
	assert_string_equal(s, "{\"cpus\":2,\"numa_nodes\":1,\"llcs\":1,\"cores\":1,\"threads\":2,"
			       "\"llc_cpus\":[[0,1]],\"node_cpus\":[[0,1]],"
			       "\"smt_siblings\":[[0,1]]}");
	free(s);
	ktstr_guest_topo__release(&t);
	fx_rmtree(dir);
}

static void expect_read_error(const char *dir, int rc, const char *want)
{
	struct ktstr_guest_topo t;
	char err[512] = "";

	assert_int_equal(ktstr_guest_topo__read(dir, &t, err, sizeof(err)), rc);
	if (strstr(err, want) == NULL) {
		fail_msg("error '%s' lacks '%s'", err, want);
	}
	assert_null(t.llc);
}

static void errors(void **state)
{
	static const char *const llc[] = {"0-1\n", "0-1\n"};
	static const char *const smt[] = {"0\n", "1\n"};
	static const char *const nodes[] = {"0-1\n", NULL};
	char dir[PATH_MAX];

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	expect_read_error(dir, -ENOENT, CPU "online: No such file or directory");
	fx_write(dir, CPU "online", "\n");
	expect_read_error(dir, -ENOENT, CPU "online lists no CPU");
	fx_write(dir, CPU "online", "0-x");
	expect_read_error(dir, -EINVAL, CPU "online: '0-x' is not a CPU list (bad syntax)");
	fx_write(dir, CPU "online", "0-1");
	expect_read_error(dir, -ENOENT, "cpu0/topology/package_cpus_list");
	make_tree(dir, "0-1\n", 2, llc, smt, nodes);
	fx_write(dir, CPU "cpu1/cache/index3/shared_cpu_list", "5000");
	expect_read_error(dir, -ERANGE,
			  "cpu1/cache/index3/shared_cpu_list: '5000' is not a CPU "
			  "list (CPU number too large)");
	make_tree(dir, "0-1\n", 2, llc, smt, nodes);
	fx_write(dir, "sys/devices/system/node/node0/cpulist", "\n");
	expect_read_error(dir, -ENOENT, "has no node with an online CPU");
	fx_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(two_llcs),
	    cmocka_unit_test(smt_numa_offline),
	    cmocka_unit_test(fallbacks),
	    cmocka_unit_test(errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
