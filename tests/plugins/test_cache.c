/*
 * kernel-source/cache: the source is the cache's place in the chain. It
 * hands every id to host->kernel_cache_lookup() (the cache logic itself is
 * tested in tests/unit/test_kcache*.c) and turns "not here" into -ENOENT so
 * the chain goes on; real failures stop the chain.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <ktstr/kernel_source.h>

#include "mock_host.h"

static struct ktstr_host_api host;
static char last_id[64];
static int answer;

static int fake_lookup(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *out)
{
	snprintf(last_id, sizeof(last_id), "%s", id);
	if (answer == 0) {
		return host.kernel_set(out, KTSTR_KERNEL_IMAGE, "/cache/k/bzImage");
	}
	host.set_error(inst, "lookup said %d", answer);
	return answer;
}

static const struct ktstr_kernel_source_ops *load(struct ktstr_inst *inst)
{
	const struct ktstr_plugin_desc *d = NULL;

	host = ktstr_mock_host;
	host.kernel_cache_lookup = fake_lookup;
	assert_int_equal(ktstr_plugin_entry_v1(&host, &d), 0);
	assert_string_equal(d->name, "cache");
	assert_int_equal(d->kind, KTSTR_PLUGIN_KERNEL_SOURCE);
	ktstr_mock_inst__new(inst, d);
	return d->ops;
}

static void test_forwards(void **state)
{
	struct ktstr_kernel k = {0};
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);

	(void)state;
	answer = 0;
	assert_int_equal(ops->resolve(&inst, "7.2", &k), 0);
	assert_string_equal(last_id, "7.2");
	assert_string_equal(k.fields[KTSTR_KERNEL_IMAGE], "/cache/k/bzImage");
	ktstr_mock_kernel__free(&k);
	ktstr_mock_inst__free(&inst);
}

static void test_misses_and_failures(void **state)
{
	struct ktstr_kernel k = {0};
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);

	(void)state;
	answer = -ENOENT;
	assert_int_equal(ops->resolve(&inst, "latest", &k), -ENOENT);
	answer = -ENOTDIR;
	assert_int_equal(ops->resolve(&inst, "latest", &k), -ENOENT);
	/* an unreadable cache is not "not mine": the chain must stop and say so */
	answer = -EACCES;
	assert_int_equal(ops->resolve(&inst, "latest", &k), -EACCES);
	assert_string_equal(inst.last_error, "lookup said -13");
	assert_null(k.fields[KTSTR_KERNEL_IMAGE]);
	ktstr_mock_inst__free(&inst);
}

static void test_needs_abi_1_1(void **state)
{
	const struct ktstr_plugin_desc *d = NULL;

	(void)state;
	host = ktstr_mock_host;
	host.kernel_cache_lookup = NULL;
	assert_int_equal(ktstr_plugin_entry_v1(&host, &d), -EPROTO);
	host.sz = offsetof(struct ktstr_host_api, kernel_cache_lookup);
	assert_int_equal(ktstr_plugin_entry_v1(&host, &d), -EPROTO);
	assert_int_equal(ktstr_plugin_entry_v1(NULL, &d), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forwards),
	    cmocka_unit_test(test_misses_and_failures),
	    cmocka_unit_test(test_needs_abi_1_1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
