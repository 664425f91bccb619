/*
 * Typed op wrappers against fake in-process plugins: kind and presence
 * checks (-ENOTSUP), zeroed out-structs with the engine's sz, clamping of a
 * larger sz, positive returns, last_error reset, the sink open/close pairing
 * and init/fini around an instance's life.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "fake_plugins.h"

static int calls_fini, calls_close, calls_release, init_ret;

static int fake_init(struct ktstr_inst *inst)
{
	return init_ret;
}

static void fake_fini(struct ktstr_inst *inst)
{
	calls_fini++;
}

static int fake_plan(struct ktstr_inst *inst, const struct ktstr_plan_request *req,
		     struct ktstr_plan *out, void **lease)
{
	/* What the engine promises before the call. */
	assert_int_equal(out->sz, sizeof(*out));
	assert_int_equal(out->vcpus, 0);
	assert_null(out->host_cpus);
	assert_null(*lease);
	ktstr_host_api_v1.set_error(inst, "set during plan");
	if (req->memory_mb == 1) {
		return 1; /* not 0 or -errno */
	}
	out->sz = 4096;
	out->vcpus = req->topo.cores;
	*lease = inst;
	return 0;
}

static void fake_release(struct ktstr_inst *inst, void *lease)
{
	assert_ptr_equal(lease, inst);
	calls_release++;
}

static int fake_resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	return ktstr_kernel__set(k, KTSTR_KERNEL_IMAGE, id);
}

static int fake_run(struct ktstr_inst *inst, const struct ktstr_vm_spec *spec,
		    struct ktstr_vm_outcome *out)
{
	assert_int_equal(out->sz, sizeof(*out));
	assert_false(out->timed_out);
	out->wall_ms = spec->timeout_ms;
	return 0;
}

static int fake_open(struct ktstr_inst *inst, const struct ktstr_sink_open_opts *o)
{
	return o->planned_tests == 13 ? -EIO : 0;
}

static int fake_emit(struct ktstr_inst *inst, const void *rec, size_t len)
{
	return (int)len == 2 ? -ENOSPC : 0;
}

static int fake_close(struct ktstr_inst *inst)
{
	calls_close++;
	return 0;
}

static const struct ktstr_kernel_source_ops ks_ops = {
	.sz = sizeof(ks_ops), .init = fake_init, .fini = fake_fini, .resolve = fake_resolve
};
static const struct ktstr_planner_ops pl_ops = {
	.sz = sizeof(pl_ops), .init = fake_init, .fini = fake_fini, .plan = fake_plan,
	.release = fake_release
};
/* Ends before release: plan_release must not call it. */
static const struct ktstr_planner_ops pl_short = {
	.sz = KTSTR_OFFSET_END(struct ktstr_planner_ops, plan), .plan = fake_plan,
	.release = fake_release
};
static const struct ktstr_vm_ops vm_ops = { .sz = sizeof(vm_ops), .run = fake_run };
static const struct ktstr_sink_ops sk_ops = {
	.sz = sizeof(sk_ops), .open = fake_open, .emit = fake_emit, .close = fake_close
};

static struct ktstr_registry *reg;

static int setup(void **state)
{
	static const struct fake_plugin plugins[] = {
		{ KTSTR_PLUGIN_KERNEL_SOURCE, "ks", &ks_ops },
		{ KTSTR_PLUGIN_PLANNER, "pl", &pl_ops },
		{ KTSTR_PLUGIN_PLANNER, "pl-short", &pl_short },
		{ KTSTR_PLUGIN_VM, "vm", &vm_ops },
		{ KTSTR_PLUGIN_SINK, "sk", &sk_ops },
	};

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

static void test_wrong_kind_and_null(void **state)
{
	struct ktstr_inst *sk = inst_of(KTSTR_PLUGIN_SINK, "sk");
	struct ktstr_inst *ks = inst_of(KTSTR_PLUGIN_KERNEL_SOURCE, "ks");
	struct ktstr_kernel *k;
	struct ktstr_plan plan;
	struct ktstr_vm_caps caps;
	struct ktstr_vm_outcome out;
	void *lease;
	KTSTR_OPTS(ktstr_plan_request, req);
	KTSTR_OPTS(ktstr_vm_spec, spec);
	KTSTR_OPTS(ktstr_sink_open_opts, o);

	assert_int_equal(ktstr_kernel__new(&k), 0);
	assert_int_equal(ktstr_inst__kernel_resolve(sk, "x", k), -ENOTSUP);
	assert_int_equal(ktstr_inst__plan(sk, &req, &plan, &lease), -ENOTSUP);
	assert_int_equal(ktstr_inst__vm_probe(sk, &caps), -ENOTSUP);
	assert_int_equal(ktstr_inst__vm_run(sk, &spec, &out), -ENOTSUP);
	assert_int_equal(ktstr_inst__sink_open(ks, &o), -ENOTSUP);
	assert_int_equal(ktstr_inst__sink_emit(ks, "x", 1), -ENOTSUP);
	assert_int_equal(ktstr_inst__sink_close(ks), -ENOTSUP);
	assert_int_equal(ktstr_inst__kernel_resolve(NULL, "x", k), -ENOTSUP);
	assert_int_equal(ktstr_inst__sink_emit(NULL, "x", 1), -ENOTSUP);
	ktstr_inst__plan_release(sk, NULL); /* no-op, no crash */
	ktstr_inst__plan_release(NULL, NULL);
	/* Right kind, missing arguments. */
	assert_int_equal(ktstr_inst__kernel_resolve(ks, NULL, k), -EINVAL);
	assert_int_equal(ktstr_inst__kernel_resolve(ks, "x", NULL), -EINVAL);
	assert_int_equal(ktstr_inst__sink_open(sk, NULL), -EINVAL);
	assert_int_equal(ktstr_inst__sink_emit(sk, NULL, 3), -EINVAL);
	assert_int_equal(ktstr_inst__sink_emit(sk, NULL, 0), 0);
	assert_int_equal(ktstr_inst__kernel_resolve(ks, "/boot/k", k), 0);
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE), "/boot/k");
	ktstr_kernel__free(k);
	ktstr_inst__free(sk);
	ktstr_inst__free(ks);
}

static void test_plan(void **state)
{
	struct ktstr_inst *pl = inst_of(KTSTR_PLUGIN_PLANNER, "pl");
	struct ktstr_inst *ps = inst_of(KTSTR_PLUGIN_PLANNER, "pl-short");
	struct ktstr_plan plan;
	void *lease = (void *)1;
	KTSTR_OPTS(ktstr_plan_request, req, .topo = { 1, 1, 4, 1 });

	memset(&plan, 0xff, sizeof(plan)); /* the wrapper must zero it */
	assert_int_equal(ktstr_inst__plan(pl, &req, &plan, &lease), 0);
	assert_int_equal(plan.sz, sizeof(plan)); /* 4096 not believed */
	assert_int_equal(plan.vcpus, 4);
	assert_ptr_equal(lease, pl);
	assert_string_equal(ktstr_inst__last_error(pl), "set during plan");
	calls_release = 0;
	ktstr_inst__plan_release(pl, lease);
	assert_int_equal(calls_release, 1);

	/* A positive return is a broken contract, reported as -EPROTO. */
	req.memory_mb = 1;
	assert_int_equal(ktstr_inst__plan(pl, &req, &plan, &lease), -EPROTO);
	assert_int_equal(ktstr_inst__plan(pl, NULL, &plan, &lease), -EINVAL);
	assert_int_equal(ktstr_inst__plan(pl, &req, &plan, NULL), -EINVAL);

	/* release lies past pl-short's sz: never called. */
	req.memory_mb = 0;
	assert_int_equal(ktstr_inst__plan(ps, &req, &plan, &lease), 0);
	ktstr_inst__plan_release(ps, lease);
	assert_int_equal(calls_release, 1);
	ktstr_inst__free(pl);
	ktstr_inst__free(ps);
}

static void test_vm(void **state)
{
	struct ktstr_inst *vm = inst_of(KTSTR_PLUGIN_VM, "vm");
	struct ktstr_vm_outcome out;
	struct ktstr_vm_caps caps;
	KTSTR_OPTS(ktstr_vm_spec, spec, .timeout_ms = 1234);

	assert_int_equal(ktstr_inst__vm_probe(vm, &caps), -ENOTSUP); /* probe not provided */
	memset(&out, 0xff, sizeof(out));
	assert_int_equal(ktstr_inst__vm_run(vm, &spec, &out), 0);
	assert_int_equal(out.wall_ms, 1234);
	assert_int_equal(out.sz, sizeof(out));
	assert_string_equal(out.detail, "");
	assert_int_equal(ktstr_inst__vm_run(vm, &spec, NULL), -EINVAL);
	assert_int_equal(ktstr_inst__vm_probe(vm, NULL), -ENOTSUP);
	ktstr_inst__free(vm);
}

static void test_sink_pairing(void **state)
{
	struct ktstr_inst *sk = inst_of(KTSTR_PLUGIN_SINK, "sk");
	KTSTR_OPTS(ktstr_sink_open_opts, o);
	KTSTR_OPTS(ktstr_sink_open_opts, bad, .planned_tests = 13);

	calls_close = 0;
	assert_int_equal(ktstr_inst__sink_close(sk), -EINVAL); /* never opened */
	assert_int_equal(ktstr_inst__sink_open(sk, &bad), -EIO);
	assert_int_equal(ktstr_inst__sink_close(sk), -EINVAL); /* failed open: no close */
	assert_int_equal(ktstr_inst__sink_open(sk, &o), 0);
	assert_int_equal(ktstr_inst__sink_open(sk, &o), -EBUSY);
	assert_int_equal(ktstr_inst__sink_emit(sk, "ab", 2), -ENOSPC);
	assert_int_equal(ktstr_inst__sink_close(sk), 0);
	assert_int_equal(calls_close, 1);
	assert_int_equal(ktstr_inst__sink_open(sk, &o), 0);
	ktstr_inst__free(sk); /* still open: closed on the way out */
	assert_int_equal(calls_close, 2);
}

static void test_init_fini(void **state)
{
	struct ktstr_plugin *p = ktstr_registry__find(reg, KTSTR_PLUGIN_KERNEL_SOURCE, "ks");
	struct ktstr_inst *inst = NULL;
	char err[512];

	calls_fini = 0;
	init_ret = -EACCES;
	assert_int_equal(ktstr_inst__new(p, "k1", NULL, &inst, err, sizeof(err)), -EACCES);
	assert_string_equal(err, "plugin \"ks\" instance \"k1\": init failed: Permission denied");
	assert_null(inst);
	assert_int_equal(atomic_load(&p->ninst), 0);
	init_ret = 7;
	assert_int_equal(ktstr_inst__new(p, "k1", NULL, &inst, err, sizeof(err)), -EPROTO);
	assert_int_equal(calls_fini, 0);

	init_ret = 0;
	assert_int_equal(ktstr_inst__new(p, "k1", NULL, &inst, err, sizeof(err)), 0);
	assert_int_equal(atomic_load(&p->ninst), 1);
	ktstr_inst__free(inst);
	assert_int_equal(calls_fini, 1);
	assert_int_equal(atomic_load(&p->ninst), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_kind_and_null),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_vm),
		cmocka_unit_test(test_sink_pairing),
		cmocka_unit_test(test_init_fini),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
