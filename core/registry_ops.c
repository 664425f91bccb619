/*
 * Typed op wrappers. Each checks the instance's kind and that the op is in
 * the (size-checked) ops table, hands the plugin a zeroed out-struct whose
 * sz is the engine's, and never believes a returned sz above the engine's.
 * last_error is cleared before each call so it always tells about this one.
 */
#include "registry_internal.h"

#include <errno.h>
#include <string.h>

/* The ops table of @inst when it has kind @kind, else NULL. */
static const void *ops_of(struct ktstr_inst *inst, enum ktstr_plugin_kind kind)
{
	if (inst == NULL || inst->plugin->desc.kind != kind) {
		return NULL;
	}
	ktstr_inst__error_begin(inst);
	return &inst->plugin->ops;
}

/* 0 or -errno: a positive return breaks the plugin contract. */
static int checked(int ret)
{
	return ret > 0 ? -EPROTO : ret;
}

#define CLAMP_SZ(p)                                                                                \
	do {                                                                                       \
		if ((p)->sz > sizeof(*(p))) {                                                      \
			(p)->sz = sizeof(*(p));                                                    \
		}                                                                                  \
	} while (0)

int ktstr_inst__kernel_resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	const struct ktstr_kernel_source_ops *ops = ops_of(inst, KTSTR_PLUGIN_KERNEL_SOURCE);

	if (!KTSTR_OPS_HAS(ops, resolve)) {
		return -ENOTSUP;
	}
	if (id == NULL || k == NULL) {
		return -EINVAL;
	}
	return checked(ops->resolve(inst, id, k));
}

int ktstr_inst__remote_fetch(struct ktstr_inst *inst, const char *key, const char *dir)
{
	const struct ktstr_kernel_source_ops *ops = ops_of(inst, KTSTR_PLUGIN_KERNEL_SOURCE);

	if (!KTSTR_OPS_HAS(ops, remote_fetch)) {
		return -ENOTSUP;
	}
	if (key == NULL || dir == NULL) {
		return -EINVAL;
	}
	return checked(ops->remote_fetch(inst, key, dir));
}

int ktstr_inst__remote_store(struct ktstr_inst *inst, const char *key, const char *dir)
{
	const struct ktstr_kernel_source_ops *ops = ops_of(inst, KTSTR_PLUGIN_KERNEL_SOURCE);

	if (!KTSTR_OPS_HAS(ops, remote_store)) {
		return -ENOTSUP;
	}
	if (key == NULL || dir == NULL) {
		return -EINVAL;
	}
	return checked(ops->remote_store(inst, key, dir));
}

bool ktstr_inst__is_remote_cache(struct ktstr_inst *inst)
{
	const struct ktstr_kernel_source_ops *ops;

	if (inst == NULL || inst->plugin->desc.kind != KTSTR_PLUGIN_KERNEL_SOURCE) {
		return false;
	}
	ops = &inst->plugin->ops.kernel_source;
	return KTSTR_OPS_HAS(ops, remote_fetch) || KTSTR_OPS_HAS(ops, remote_store);
}

int ktstr_inst__plan_budget(struct ktstr_inst *inst, uint32_t cap, struct ktstr_plan *out,
			    void **lease)
{
	const struct ktstr_planner_ops *ops = ops_of(inst, KTSTR_PLUGIN_PLANNER);
	int ret;

	if (!KTSTR_OPS_HAS(ops, budget)) {
		return -ENOTSUP;
	}
	if (out == NULL || lease == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->sz = sizeof(*out);
	*lease = NULL;
	ret = checked(ops->budget(inst, cap, out, lease));
	CLAMP_SZ(out);
	return ret;
}

int ktstr_inst__plan(struct ktstr_inst *inst, const struct ktstr_plan_request *req,
		     struct ktstr_plan *out, void **lease)
{
	const struct ktstr_planner_ops *ops = ops_of(inst, KTSTR_PLUGIN_PLANNER);
	int ret;

	if (!KTSTR_OPS_HAS(ops, plan)) {
		return -ENOTSUP;
	}
	if (req == NULL || out == NULL || lease == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->sz = sizeof(*out);
	*lease = NULL;
	ret = checked(ops->plan(inst, req, out, lease));
	CLAMP_SZ(out);
	return ret;
}

void ktstr_inst__plan_release(struct ktstr_inst *inst, void *lease)
{
	const struct ktstr_planner_ops *ops = ops_of(inst, KTSTR_PLUGIN_PLANNER);

	if (KTSTR_OPS_HAS(ops, release)) {
		ops->release(inst, lease);
	}
}

int ktstr_inst__vm_probe(struct ktstr_inst *inst, struct ktstr_vm_caps *caps)
{
	const struct ktstr_vm_ops *ops = ops_of(inst, KTSTR_PLUGIN_VM);
	int ret;

	if (!KTSTR_OPS_HAS(ops, probe)) {
		return -ENOTSUP;
	}
	if (caps == NULL) {
		return -EINVAL;
	}
	memset(caps, 0, sizeof(*caps));
	caps->sz = sizeof(*caps);
	ret = checked(ops->probe(inst, caps));
	CLAMP_SZ(caps);
	caps->detail[sizeof(caps->detail) - 1] = '\0';
	return ret;
}

int ktstr_inst__vm_run(struct ktstr_inst *inst, const struct ktstr_vm_spec *spec,
		       struct ktstr_vm_outcome *out)
{
	const struct ktstr_vm_ops *ops = ops_of(inst, KTSTR_PLUGIN_VM);
	int ret;

	if (!KTSTR_OPS_HAS(ops, run)) {
		return -ENOTSUP;
	}
	if (spec == NULL || out == NULL) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->sz = sizeof(*out);
	ret = checked(ops->run(inst, spec, out));
	CLAMP_SZ(out);
	out->detail[sizeof(out->detail) - 1] = '\0';
	return ret;
}

int ktstr_inst__sink_open(struct ktstr_inst *inst, const struct ktstr_sink_open_opts *opts)
{
	const struct ktstr_sink_ops *ops = ops_of(inst, KTSTR_PLUGIN_SINK);
	int ret;

	if (!KTSTR_OPS_HAS(ops, open)) {
		return -ENOTSUP;
	}
	if (opts == NULL) {
		return -EINVAL;
	}
	if (inst->sink_opened) {
		return -EBUSY;
	}
	ret = checked(ops->open(inst, opts));
	inst->sink_opened = ret == 0;
	return ret;
}

int ktstr_inst__sink_emit(struct ktstr_inst *inst, const void *rec, size_t len)
{
	const struct ktstr_sink_ops *ops = ops_of(inst, KTSTR_PLUGIN_SINK);

	if (!KTSTR_OPS_HAS(ops, emit)) {
		return -ENOTSUP;
	}
	if (rec == NULL && len > 0) {
		return -EINVAL;
	}
	return checked(ops->emit(inst, rec, len));
}

int ktstr_inst__sink_close(struct ktstr_inst *inst)
{
	const struct ktstr_sink_ops *ops = ops_of(inst, KTSTR_PLUGIN_SINK);

	if (!KTSTR_OPS_HAS(ops, close)) {
		return -ENOTSUP;
	}
	/* close() is promised once per successful open(), never otherwise. */
	if (!inst->sink_opened) {
		return -EINVAL;
	}
	inst->sink_opened = false;
	return checked(ops->close(inst));
}
