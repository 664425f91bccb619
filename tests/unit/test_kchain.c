/*
 * The kernel-source chain against fake in-process sources: resolution order
 * and "not mine" (-ENOENT) fall-through, errors that stop the chain and how
 * they are reported, remote caches (skip the caller, misses silent, first
 * hit wins, stores skip the filler), per-thread errors under concurrent
 * resolves, and the planner's CPU budget (asked once, released at free).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kchain.h"
#include "fake_plugins.h"

static struct ktstr_registry *reg;
static int fetch_calls, store_calls, budget_calls, release_calls;
static char stored_by[256];

/* "a": answers ids starting with "a:"; fails with -EIO on "boom" */
static int a_resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	if (strcmp(id, "boom") == 0) {
		ktstr_host_api_v1.set_error(inst, "disk on fire for %s", id);
		return -EIO;
	}
	if (strncmp(id, "a:", 2) != 0) {
		return -ENOENT;
	}
	return ktstr_kernel__set(k, KTSTR_KERNEL_IMAGE, id + 2);
}

/* "b": answers everything, but says why it did not for "b-miss" */
static int b_resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	if (strcmp(id, "b-miss") == 0) {
		ktstr_host_api_v1.set_error(inst, "no entry %s here", id);
		return -ENOENT;
	}
	if (strcmp(id, "noimage") == 0) {
		return 0;
	}
	return ktstr_kernel__set(k, KTSTR_KERNEL_IMAGE, "/b/image");
}

/* "n": asks the chain's remote caches (a nested op that fails), then fails itself */
static int n_resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	const char *from;

	ktstr_kchain__remote_fetch(ktstr_inst__chain(inst), inst, "key", "/d", &from);
	ktstr_host_api_v1.set_error(inst, "fill of %s failed", id);
	return -EIO;
}

/* "r1": a remote cache that misses; "r2": one that fails, or hits on key "hit" */
static int r1_fetch(struct ktstr_inst *inst, const char *key, const char *dir)
{
	fetch_calls++;
	return -ENOENT;
}

static int r2_fetch(struct ktstr_inst *inst, const char *key, const char *dir)
{
	fetch_calls++;
	if (strcmp(key, "hit") == 0) {
		return 0;
	}
	ktstr_host_api_v1.set_error(inst, "server said 500");
	return -EIO;
}

static int r_store(struct ktstr_inst *inst, const char *key, const char *dir)
{
	store_calls++;
	snprintf(stored_by + strlen(stored_by), sizeof(stored_by) - strlen(stored_by), "%s ",
		 ktstr_inst__name(inst));
	return 0;
}

static int pl_plan(struct ktstr_inst *inst, const struct ktstr_plan_request *req,
		   struct ktstr_plan *out, void **lease)
{
	return -ENOTSUP;
}

static int pl_budget(struct ktstr_inst *inst, uint32_t cap, struct ktstr_plan *out, void **lease)
{
	budget_calls++;
	out->vcpus = cap != 0 ? cap : 3;
	*lease = inst;
	return 0;
}

static void pl_release(struct ktstr_inst *inst, void *lease)
{
	assert_ptr_equal(lease, inst);
	release_calls++;
}

static const struct ktstr_kernel_source_ops a_ops = {.sz = sizeof(a_ops), .resolve = a_resolve};
static const struct ktstr_kernel_source_ops b_ops = {.sz = sizeof(b_ops), .resolve = b_resolve};
static const struct ktstr_kernel_source_ops n_ops = {.sz = sizeof(n_ops), .resolve = n_resolve};
static const struct ktstr_kernel_source_ops r1_ops = {
	.sz = sizeof(r1_ops), .resolve = a_resolve, .remote_fetch = r1_fetch,
	.remote_store = r_store};
static const struct ktstr_kernel_source_ops r2_ops = {
	.sz = sizeof(r2_ops), .resolve = a_resolve, .remote_fetch = r2_fetch,
	.remote_store = r_store};
static const struct ktstr_planner_ops pl_ops = {
	.sz = sizeof(pl_ops), .plan = pl_plan, .release = pl_release, .budget = pl_budget};

static int setup(void **state)
{
	static const struct fake_plugin plugins[] = {
		{KTSTR_PLUGIN_KERNEL_SOURCE, "a", &a_ops},
		{KTSTR_PLUGIN_KERNEL_SOURCE, "b", &b_ops},
		{KTSTR_PLUGIN_KERNEL_SOURCE, "n", &n_ops},
		{KTSTR_PLUGIN_KERNEL_SOURCE, "r1", &r1_ops},
		{KTSTR_PLUGIN_KERNEL_SOURCE, "r2", &r2_ops},
		{KTSTR_PLUGIN_PLANNER, "pl", &pl_ops},
	};

	fetch_calls = store_calls = budget_calls = release_calls = 0;
	stored_by[0] = '\0';
	reg = fake_registry(plugins, sizeof(plugins) / sizeof(plugins[0]));
	return reg != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	ktstr_registry__free(reg);
	return 0;
}

static struct ktstr_inst *inst_of(enum ktstr_plugin_kind kind, const char *name)
{
	return fake_inst(reg, kind, name);
}

/* A chain of the named sources; *insts receives them (freed by free_chain). */
static struct ktstr_kchain *chain_of(struct ktstr_inst **insts, size_t n, const char *const *names,
				     struct ktstr_inst *planner, uint32_t cap)
{
	struct ktstr_kchain *c;

	for (size_t i = 0; i < n; i++) {
		insts[i] = inst_of(KTSTR_PLUGIN_KERNEL_SOURCE, names[i]);
	}
	assert_int_equal(ktstr_kchain__new(insts, n, planner, cap, &c), 0);
	return c;
}

static void free_chain(struct ktstr_kchain *c, struct ktstr_inst **insts, size_t n)
{
	ktstr_kchain__free(c);
	for (size_t i = 0; i < n; i++) {
		assert_null(ktstr_inst__chain(insts[i]));
		ktstr_inst__free(insts[i]);
	}
}

static void test_resolve_order_and_errors(void **state)
{
	static const char *const names[] = {"a", "b"};
	struct ktstr_inst *insts[2];
	struct ktstr_kchain *c = chain_of(insts, 2, names, NULL, 0);
	struct ktstr_kernel *k;
	const char *src = NULL;
	char err[1024];

	assert_ptr_equal(ktstr_inst__chain(insts[0]), c);
	assert_int_equal(ktstr_kchain__count(c), 2);
	assert_ptr_equal(ktstr_kchain__source(c, 1), insts[1]);
	assert_null(ktstr_kchain__source(c, 2));

	/* the first source that answers wins */
	assert_int_equal(ktstr_kernel__new(&k), 0);
	assert_int_equal(ktstr_kchain__resolve(c, "a:/img", k, &src, err, sizeof(err)), 0);
	assert_string_equal(src, "a");
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE), "/img");
	ktstr_kernel__free(k);

	/* a silent "not mine" falls through to b */
	assert_int_equal(ktstr_kernel__new(&k), 0);
	assert_int_equal(ktstr_kchain__resolve(c, "7.2", k, &src, err, sizeof(err)), 0);
	assert_string_equal(src, "b");
	ktstr_kernel__free(k);

	/* every source declines: -ENOENT, with what they had to say */
	assert_int_equal(ktstr_kernel__new(&k), 0);
	assert_int_equal(ktstr_kchain__resolve(c, "b-miss", k, &src, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "b: no entry b-miss here");
	ktstr_kernel__free(k);

	/* an error stops the chain and names the source */
	assert_int_equal(ktstr_kernel__new(&k), 0);
	assert_int_equal(ktstr_kchain__resolve(c, "boom", k, &src, err, sizeof(err)), -EIO);
	assert_string_equal(err, "a: disk on fire for boom");
	ktstr_kernel__free(k);

	/* 0 without an image is a plugin bug, not a kernel */
	assert_int_equal(ktstr_kernel__new(&k), 0);
	assert_int_equal(ktstr_kchain__resolve(c, "noimage", k, &src, err, sizeof(err)), -EPROTO);
	assert_string_equal(err, "b: answered without an image (plugin bug)");
	ktstr_kernel__free(k);
	free_chain(c, insts, 2);
}

static void test_remote_caches(void **state)
{
	static const char *const names[] = {"r1", "a", "r2"};
	struct ktstr_inst *insts[3];
	struct ktstr_kchain *c = chain_of(insts, 3, names, NULL, 0);
	const char *from = NULL;

	/* r1 misses silently, r2 fails (a warning), nobody restores it */
	assert_int_equal(ktstr_kchain__remote_fetch(c, NULL, "key", "/d", &from), -ENOENT);
	assert_int_equal(fetch_calls, 2);
	assert_null(from);
	/* the caller itself is skipped; r2 hits */
	fetch_calls = 0;
	assert_int_equal(ktstr_kchain__remote_fetch(c, insts[0], "hit", "/d", &from), 0);
	assert_int_equal(fetch_calls, 1);
	assert_string_equal(from, "r2");
	/* stores go to every remote cache but the one skipped; a plain source has none */
	ktstr_kchain__remote_store(c, insts[2], "key", "/d");
	assert_int_equal(store_calls, 1);
	assert_string_equal(stored_by, "r1 ");
	ktstr_kchain__remote_store(c, NULL, "key", "/d");
	assert_string_equal(stored_by, "r1 r1 r2 ");
	/* no chain: nothing to ask */
	assert_int_equal(ktstr_kchain__remote_fetch(NULL, NULL, "hit", "/d", &from), -ENOENT);
	free_chain(c, insts, 3);
}

/* An op inside an op (an install asking a remote cache) keeps the outer error. */
static void test_nested_op_errors(void **state)
{
	static const char *const names[] = {"n", "r2"};
	struct ktstr_inst *insts[2];
	struct ktstr_kchain *c = chain_of(insts, 2, names, NULL, 0);
	struct ktstr_kernel *k;
	const char *src;
	char err[512];

	assert_int_equal(ktstr_kernel__new(&k), 0);
	assert_int_equal(ktstr_kchain__resolve(c, "x", k, &src, err, sizeof(err)), -EIO);
	assert_string_equal(err, "n: fill of x failed");
	assert_int_equal(fetch_calls, 1); /* r2 was asked, and failed, in between */
	ktstr_kernel__free(k);
	free_chain(c, insts, 2);
}

static void test_cpu_budget(void **state)
{
	static const char *const names[] = {"a"};
	struct ktstr_inst *insts[1];
	struct ktstr_inst *pl = inst_of(KTSTR_PLUGIN_PLANNER, "pl");
	struct ktstr_kchain *c = chain_of(insts, 1, names, pl, 0);
	struct ktstr_kchain *capped;

	assert_int_equal(ktstr_kchain__cpu_budget(c), 3);
	assert_int_equal(ktstr_kchain__cpu_budget(c), 3);
	assert_int_equal(budget_calls, 1); /* reserved once, kept for the chain's life */
	assert_int_equal(ktstr_host_api_v1.cpu_budget(insts[0]), 3);
	free_chain(c, insts, 1);
	assert_int_equal(release_calls, 1);

	c = chain_of(insts, 1, names, NULL, 0);
	assert_int_equal(ktstr_kchain__cpu_budget(c), 1); /* no planner */
	ktstr_kchain__free(c);
	assert_int_equal(ktstr_kchain__new(insts, 1, pl, 5, &capped), 0);
	assert_int_equal(ktstr_kchain__cpu_budget(capped), 5);
	free_chain(capped, insts, 1);
	ktstr_inst__free(pl);
}

/* Two threads resolve failing ids on one instance: each sees its own error. */
struct err_job {
	struct ktstr_kchain *c;
	const char *id;
	char want[128];
	int mismatches;
};

static void *err_worker(void *arg)
{
	struct err_job *j = arg;

	for (int i = 0; i < 2000; i++) {
		struct ktstr_kernel *k;
		const char *src;
		char err[256];

		if (ktstr_kernel__new(&k) != 0) {
			j->mismatches++;
			continue;
		}
		if (ktstr_kchain__resolve(j->c, j->id, k, &src, err, sizeof(err)) != -ENOENT ||
		    strcmp(err, j->want) != 0) {
			j->mismatches++;
		}
		ktstr_kernel__free(k);
	}
	return NULL;
}

static void test_errors_per_thread(void **state)
{
	static const char *const names[] = {"b"};
	struct ktstr_inst *insts[1];
	struct ktstr_kchain *c = chain_of(insts, 1, names, NULL, 0);
	struct err_job jobs[2] = {{.c = c, .id = "b-miss"}, {.c = c, .id = "b-miss"}};
	pthread_t th[2];

	/* same id, same message: the check is that neither thread sees "" or a torn one */
	for (int i = 0; i < 2; i++) {
		snprintf(jobs[i].want, sizeof(jobs[i].want), "b: no entry %s here", jobs[i].id);
		assert_int_equal(pthread_create(&th[i], NULL, err_worker, &jobs[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(jobs[i].mismatches, 0);
	}
	free_chain(c, insts, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve_order_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote_caches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_op_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_per_thread, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
