/*
 * Descriptor checks without modules: static descriptors go through
 * ktstr_registry__adopt, the same path a loaded module's takes after its
 * entry function ran. Covers each refusal (code and exact line), the size
 * boundaries, and the engine-owned copies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "registry_internal.h"

static int emit_ok(struct ktstr_inst *inst, const void *rec, size_t len)
{
	return 0;
}

static int resolve_ok(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	return 0;
}

static int plan_ok(struct ktstr_inst *inst, const struct ktstr_plan_request *req,
		   struct ktstr_plan *out, void **lease)
{
	return 0;
}

static int run_ok(struct ktstr_inst *inst, const struct ktstr_vm_spec *spec,
		  struct ktstr_vm_outcome *out)
{
	return 0;
}

static int close_ok(struct ktstr_inst *inst)
{
	return 0;
}

static const struct ktstr_sink_ops sink_ops = { .sz = sizeof(sink_ops), .emit = emit_ok };

static struct ktstr_plugin_desc sink_desc(const char *name)
{
	return (struct ktstr_plugin_desc){
		KTSTR_PLUGIN_DESC_INIT,
		.kind = KTSTR_PLUGIN_SINK,
		.name = name,
		.version = "v",
		.description = "d",
		.ops = &sink_ops,
	};
}

static struct ktstr_registry *new_reg(void)
{
	struct ktstr_registry *reg;

	assert_int_equal(ktstr_registry__new(&reg), 0);
	return reg;
}

static void test_kind_names(void **state)
{
	static const char *const names[] = { "kernel-source", "planner", "vm", "sink" };
	enum ktstr_plugin_kind k;

	for (int i = 0; i < 4; i++) {
		assert_string_equal(ktstr_plugin_kind__name((enum ktstr_plugin_kind)(i + 1)),
				    names[i]);
		assert_int_equal(ktstr_plugin_kind__parse(names[i], &k), 0);
		assert_int_equal(k, i + 1);
	}
	assert_string_equal(ktstr_plugin_kind__name((enum ktstr_plugin_kind)0), "unknown");
	assert_string_equal(ktstr_plugin_kind__name((enum ktstr_plugin_kind)5), "unknown");
	assert_string_equal(ktstr_plugin_kind__name((enum ktstr_plugin_kind)-1), "unknown");
	assert_int_equal(ktstr_plugin_kind__parse("VM", &k), -EINVAL);
	assert_int_equal(ktstr_plugin_kind__parse("", &k), -EINVAL);
	assert_int_equal(ktstr_plugin_kind__parse("unknown", &k), -EINVAL);
	assert_int_equal(ktstr_plugin_kind__parse(NULL, &k), -EINVAL);
}

static void test_good_and_copies(void **state)
{
	struct ktstr_registry *reg = new_reg();
	struct ktstr_plugin_desc d = sink_desc(NULL);
	struct ktstr_plugin_info info;
	char name[] = "my-sink_2";
	char err[512];

	d.name = name;
	d.version = NULL;
	d.description = NULL;
	assert_int_equal(ktstr_registry__adopt(reg, "/p/my.so", NULL, &d, err, sizeof(err)), 0);
	memset(name, 'z', sizeof(name) - 1); /* the engine kept its own copy */
	ktstr_registry__info(reg, 0, &info);
	assert_string_equal(info.name, "my-sink_2");
	assert_string_equal(info.version, "");
	assert_string_equal(info.description, "");
	assert_string_equal(info.path, "/p/my.so");
	assert_int_equal(info.kind, KTSTR_PLUGIN_SINK);
	assert_int_equal(ktstr_registry__count(reg), 1);
	/* Out of range: zeroed. */
	ktstr_registry__info(reg, 1, &info);
	assert_null(info.name);
	assert_non_null(ktstr_registry__find(reg, KTSTR_PLUGIN_SINK, "my-sink_2"));
	assert_null(ktstr_registry__find(reg, KTSTR_PLUGIN_SINK, NULL));
	ktstr_registry__free(reg);
	ktstr_registry__free(NULL);
}

static void check_refusal(const struct ktstr_plugin_desc *d, int want_ret, const char *want)
{
	struct ktstr_registry *reg = new_reg();
	char err[1024];

	assert_int_equal(ktstr_registry__adopt(reg, "/m/x.so", NULL, d, err, sizeof(err)),
			 want_ret);
	assert_string_equal(err, want);
	assert_int_equal(ktstr_registry__count(reg), 0);
	assert_int_equal(ktstr_registry__refusal_count(reg), 1);
	assert_string_equal(ktstr_registry__refusal(reg, 0), want);
	ktstr_registry__free(reg);
}

static void test_descriptor_sizes(void **state)
{
	struct ktstr_plugin_desc d = sink_desc("s");
	struct {
		struct ktstr_plugin_desc d;
		uint64_t future[4];
	} big = { .d = sink_desc("s"), .future = { 1, 2, 3, 4 } };
	struct ktstr_registry *reg;
	char err[512];

	check_refusal(NULL, -EPROTO,
		      "refusing plugin module /m/x.so: its entry function returned no descriptor; "
		      "its ABI version is unknown, this ktstr supports ABI 1.1");
	d.sz = 0;
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so: its descriptor is 0 bytes, too short to "
		      "hold its ABI version (an ABI 1.0 descriptor is 64 bytes); its ABI version "
		      "is unknown, this ktstr supports ABI 1.1");
	d.sz = 11;
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so: its descriptor is 11 bytes, too short to "
		      "hold its ABI version (an ABI 1.0 descriptor is 64 bytes); its ABI version "
		      "is unknown, this ktstr supports ABI 1.1");
	/* 12 bytes cover the version but not the name. */
	d.sz = 12;
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so: its descriptor is 12 bytes, an ABI 1.0 "
		      "descriptor is at least 64 (through priv_size); built for ABI 1.1, this "
		      "ktstr supports ABI 1.1");
	d.sz = 63;
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so (plugin \"s\"): its descriptor is 63 bytes, "
		      "an ABI 1.0 descriptor is at least 64 (through priv_size); built for ABI "
		      "1.1, this ktstr supports ABI 1.1");
	d.sz = 64;
	reg = new_reg();
	assert_int_equal(ktstr_registry__adopt(reg, "/m/x.so", NULL, &d, err, sizeof(err)), 0);
	/* A larger (newer-minor) descriptor: the known prefix is used. */
	big.d.sz = sizeof(big);
	big.d.abi_minor = 7;
	big.d.name = "t";
	assert_int_equal(ktstr_registry__adopt(reg, "/m/y.so", NULL, &big.d, err, sizeof(err)),
			 0);
	assert_int_equal(ktstr_registry__count(reg), 2);
	ktstr_registry__free(reg);
}

static void test_major_mismatch(void **state)
{
	struct ktstr_plugin_desc d = sink_desc("older");

	d.abi_major = 0;
	d.abi_minor = 5;
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so (plugin \"older\"): built for ABI 0.5, this "
		      "ktstr supports ABI 1.1; rebuild it against this ktstr's plugin headers "
		      "(pkg-config ktstr-plugin)");
	/* The major is checked before the size: a 2.x descriptor may be any size. */
	d.abi_major = 2;
	d.abi_minor = 0;
	d.sz = 24;
	d.name = "newer";
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so (plugin \"newer\"): built for ABI 2.0, this "
		      "ktstr supports ABI 1.1; rebuild it against this ktstr's plugin headers "
		      "(pkg-config ktstr-plugin)");
}

static void test_kinds_and_names(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} names[] = {
		{ "a", true },     { "x_y-9", true },  { "", false },    { "A", false },
		{ "a b", false },  { "a/b", false },   { "a.b", false }, { "caf\xc3\xa9", false },
	};
	struct ktstr_plugin_desc d = sink_desc("k");
	char long_name[80], want[512];

	d.kind = (enum ktstr_plugin_kind)0;
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so (plugin \"k\"): unknown plugin kind 0 "
		      "(kinds: 1 kernel-source, 2 planner, 3 vm, 4 sink); built for ABI 1.1, this "
		      "ktstr supports ABI 1.1");
	d.kind = (enum ktstr_plugin_kind)5;
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so (plugin \"k\"): unknown plugin kind 5 "
		      "(kinds: 1 kernel-source, 2 planner, 3 vm, 4 sink); built for ABI 1.1, this "
		      "ktstr supports ABI 1.1");
	d.kind = KTSTR_PLUGIN_SINK;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct ktstr_registry *reg = new_reg();
		char err[512];

		d.name = names[i].name;
		assert_int_equal(ktstr_registry__adopt(reg, "/m/x.so", NULL, &d, err, sizeof(err)),
				 names[i].ok ? 0 : -EPROTO);
		ktstr_registry__free(reg);
	}
	d.name = NULL;
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so: plugin name NULL is invalid (it must be "
		      "1-64 characters of a-z, 0-9, '_' and '-'); built for ABI 1.1, this ktstr "
		      "supports ABI 1.1");
	d.name = "a\nb";
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so: plugin name \"a?b\" is invalid (it must be "
		      "1-64 characters of a-z, 0-9, '_' and '-'); built for ABI 1.1, this ktstr "
		      "supports ABI 1.1");
	/* 64 characters is the longest name. */
	memset(long_name, 'n', 64);
	long_name[64] = '\0';
	d.name = long_name;
	{
		struct ktstr_registry *reg = new_reg();
		char err[512];

		assert_int_equal(ktstr_registry__adopt(reg, "/m/x.so", NULL, &d, err, sizeof(err)),
				 0);
		ktstr_registry__free(reg);
	}
	long_name[64] = 'n';
	long_name[65] = '\0';
	snprintf(want, sizeof(want),
		 "refusing plugin module /m/x.so: plugin name \"%.64s\" is invalid (it must be "
		 "1-64 characters of a-z, 0-9, '_' and '-'); built for ABI 1.1, this ktstr "
		 "supports ABI 1.1",
		 long_name);
	check_refusal(&d, -EPROTO, want);
}

/* Each kind's minimum ops table: one byte short is refused, exact is accepted. */
static void test_ops_minimum_per_kind(void **state)
{
	static const struct ktstr_kernel_source_ops ks = { .sz = sizeof(ks),
							   .resolve = resolve_ok };
	static const struct ktstr_planner_ops pl = { .sz = sizeof(pl), .plan = plan_ok };
	static const struct ktstr_vm_ops vm = { .sz = sizeof(vm), .run = run_ok };
	static const struct ktstr_sink_ops sk = { .sz = sizeof(sk), .emit = emit_ok };
	static const struct {
		enum ktstr_plugin_kind kind;
		const void *ops;
		size_t opsz, min;
		const char *op;
	} cases[] = {
		{ KTSTR_PLUGIN_KERNEL_SOURCE, &ks, sizeof(ks), 32, "resolve" },
		{ KTSTR_PLUGIN_PLANNER, &pl, sizeof(pl), 32, "plan" },
		{ KTSTR_PLUGIN_VM, &vm, sizeof(vm), 40, "run" },
		{ KTSTR_PLUGIN_SINK, &sk, sizeof(sk), 24, "emit" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char copy[64];
		struct ktstr_plugin_desc d = sink_desc("k");
		struct ktstr_registry *reg;
		char err[512], want[512];
		size_t sz;

		memcpy(copy, cases[i].ops, cases[i].opsz);
		d.kind = cases[i].kind;
		d.ops = copy;
		sz = cases[i].min - 1;
		memcpy(copy, &sz, sizeof(sz));
		snprintf(want, sizeof(want),
			 "refusing plugin module /m/x.so (plugin \"k\"): its %s ops table is %zu "
			 "bytes, too short to hold %s (needs %zu); built for ABI 1.1, this ktstr "
			 "supports ABI 1.1",
			 ktstr_plugin_kind__name(d.kind), sz, cases[i].op, cases[i].min);
		check_refusal(&d, -EPROTO, want);

		sz = cases[i].min;
		memcpy(copy, &sz, sizeof(sz));
		reg = new_reg();
		assert_int_equal(ktstr_registry__adopt(reg, "/m/x.so", NULL, &d, err, sizeof(err)),
				 0);
		ktstr_registry__free(reg);

		/* Long enough, but the required op is NULL. */
		memset(copy + cases[i].min - 8, 0, 8);
		snprintf(want, sizeof(want),
			 "refusing plugin module /m/x.so (plugin \"k\"): its %s ops table leaves "
			 "the required op %s NULL; built for ABI 1.1, this ktstr supports ABI 1.1",
			 ktstr_plugin_kind__name(d.kind), cases[i].op);
		check_refusal(&d, -EPROTO, want);
	}
}

static void test_ops_null_and_copy(void **state)
{
	struct ktstr_plugin_desc d = sink_desc("k");
	struct {
		struct ktstr_sink_ops ops;
		void *future;
	} newer = { .ops = { .sz = sizeof(newer), .emit = emit_ok, .close = close_ok },
		    .future = &newer };
	struct ktstr_sink_ops older = { .sz = 24, .emit = emit_ok, .close = close_ok };
	struct ktstr_registry *reg;
	struct ktstr_plugin *p;
	char err[512];

	d.ops = NULL;
	check_refusal(&d, -EPROTO,
		      "refusing plugin module /m/x.so (plugin \"k\"): the descriptor has no ops "
		      "table (a sink plugin needs one with emit); built for ABI 1.1, this ktstr "
		      "supports ABI 1.1");

	reg = new_reg();
	d.ops = &newer;
	d.name = "newer";
	assert_int_equal(ktstr_registry__adopt(reg, "/m/a.so", NULL, &d, err, sizeof(err)), 0);
	/* `older` says 24 bytes: close lies past its end and must not be copied. */
	d.ops = &older;
	d.name = "older";
	assert_int_equal(ktstr_registry__adopt(reg, "/m/b.so", NULL, &d, err, sizeof(err)), 0);

	p = ktstr_registry__find(reg, KTSTR_PLUGIN_SINK, "newer");
	assert_int_equal(p->ops.sink.sz, sizeof(struct ktstr_sink_ops));
	assert_true(KTSTR_OPS_HAS(&p->ops.sink, close));
	assert_ptr_equal(p->desc.ops, &p->ops); /* the engine's copy, not the module's */
	p = ktstr_registry__find(reg, KTSTR_PLUGIN_SINK, "older");
	assert_int_equal(p->ops.sink.sz, 24);
	assert_null(p->ops.sink.close);
	assert_false(KTSTR_OPS_HAS(&p->ops.sink, close));
	assert_true(KTSTR_OPS_HAS(&p->ops.sink, emit));
	ktstr_registry__free(reg);
}

static void test_duplicates_and_refusal_list(void **state)
{
	static const struct ktstr_planner_ops pl = { .sz = sizeof(pl), .plan = plan_ok };
	struct ktstr_registry *reg = new_reg();
	struct ktstr_plugin_desc d = sink_desc("same");
	char err[1024];

	assert_int_equal(ktstr_registry__adopt(reg, "/a/one.so", NULL, &d, err, sizeof(err)), 0);
	d.kind = KTSTR_PLUGIN_PLANNER;
	d.ops = &pl;
	assert_int_equal(ktstr_registry__adopt(reg, "/b/two.so", NULL, &d, err, sizeof(err)),
			 -EEXIST);
	assert_string_equal(err, "refusing plugin module /b/two.so (plugin \"same\"): a sink "
				 "plugin named \"same\" is already loaded from /a/one.so (rename "
				 "one, or drop one of the modules from the search path); built "
				 "for ABI 1.1, this ktstr supports ABI 1.1");
	/* No error buffer: still refused and still recorded. */
	assert_int_equal(ktstr_registry__adopt(reg, "/c/three.so", NULL, &d, NULL, 0), -EEXIST);
	assert_int_equal(ktstr_registry__refusal_count(reg), 2);
	assert_string_equal(ktstr_registry__refusal(reg, 0), err);
	assert_non_null(strstr(ktstr_registry__refusal(reg, 1), "/c/three.so"));
	assert_null(ktstr_registry__refusal(reg, 2));
	assert_int_equal(ktstr_registry__count(reg), 1);
	ktstr_registry__free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_good_and_copies),
		cmocka_unit_test(test_descriptor_sizes),
		cmocka_unit_test(test_major_mismatch),
		cmocka_unit_test(test_kinds_and_names),
		cmocka_unit_test(test_ops_minimum_per_kind),
		cmocka_unit_test(test_ops_null_and_copy),
		cmocka_unit_test(test_duplicates_and_refusal_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
