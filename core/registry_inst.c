/*
 * Instances: a plugin plus its options, priv area and per-instance host
 * state. init/fini (kernel sources, planners, VM backends) run here.
 */
#include "registry_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Instance names become directory names (scratch_dir): at most NAME_MAX bytes. */
#define INST_NAME_MAX 255

/* The profile's name rule (letters, digits, . _ + -) and no dot-names, no '/'. */
static bool inst_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > INST_NAME_MAX || s[0] == '.') {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.' || c == '+')) {
			return false;
		}
	}
	return true;
}

static int call_init(struct ktstr_inst *inst)
{
	struct ktstr_plugin *p = inst->plugin;

	switch (p->desc.kind) {
	case KTSTR_PLUGIN_KERNEL_SOURCE:
		return KTSTR_OPS_HAS(&p->ops.kernel_source, init) ? p->ops.kernel_source.init(inst)
								   : 0;
	case KTSTR_PLUGIN_PLANNER:
		return KTSTR_OPS_HAS(&p->ops.planner, init) ? p->ops.planner.init(inst) : 0;
	case KTSTR_PLUGIN_VM:
		return KTSTR_OPS_HAS(&p->ops.vm, init) ? p->ops.vm.init(inst) : 0;
	case KTSTR_PLUGIN_SINK:
		return 0; /* sinks start in open() */
	}
	return 0;
}

static void call_fini(struct ktstr_inst *inst)
{
	struct ktstr_plugin *p = inst->plugin;

	switch (p->desc.kind) {
	case KTSTR_PLUGIN_KERNEL_SOURCE:
		if (KTSTR_OPS_HAS(&p->ops.kernel_source, fini)) {
			p->ops.kernel_source.fini(inst);
		}
		break;
	case KTSTR_PLUGIN_PLANNER:
		if (KTSTR_OPS_HAS(&p->ops.planner, fini)) {
			p->ops.planner.fini(inst);
		}
		break;
	case KTSTR_PLUGIN_VM:
		if (KTSTR_OPS_HAS(&p->ops.vm, fini)) {
			p->ops.vm.fini(inst);
		}
		break;
	case KTSTR_PLUGIN_SINK:
		break;
	}
}

/* Free what the instance holds; the plugin's ops are not called. */
static void inst__release(struct ktstr_inst *inst)
{
	for (size_t i = 0; i < inst->nstrs; i++) {
		free(inst->strs[i]);
	}
	free(inst->strs);
	free(inst->priv);
	free(inst->cache_dir);
	free(inst->scratch_dir);
	free(inst->kcache_root);
	free(inst->name);
	free(inst);
}

int ktstr_inst__new(struct ktstr_plugin *plugin, const char *inst_name,
		    const struct ktstr_cfg *cfg, struct ktstr_inst **out, char *err, size_t errlen)
{
	struct ktstr_inst *inst;
	char dummy[1];
	int ret;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (plugin == NULL || out == NULL) {
		return -EINVAL;
	}
	if (inst_name != NULL && !inst_name_valid(inst_name)) {
		snprintf(err, errlen,
			 "plugin \"%s\": instance name \"%.64s\" is invalid (use 1-%d characters "
			 "of letters, digits, '_', '-', '+' and '.', not starting with '.')",
			 plugin->name, inst_name, INST_NAME_MAX);
		return -EINVAL;
	}
	inst = calloc(1, sizeof(*inst));
	if (inst == NULL) {
		return -ENOMEM;
	}
	inst->plugin = plugin;
	inst->name = strdup(inst_name != NULL ? inst_name : plugin->name);
	if (plugin->desc.priv_size > 0) {
		inst->priv = calloc(1, plugin->desc.priv_size);
	}
	if (inst->name == NULL || (plugin->desc.priv_size > 0 && inst->priv == NULL)) {
		ret = -ENOMEM;
		goto err_release;
	}
	ret = ktstr_opt__fill(inst, cfg, err, errlen);
	if (ret != 0) {
		goto err_release;
	}
	atomic_fetch_add(&plugin->ninst, 1);
	ret = call_init(inst);
	if (ret != 0) {
		if (ret > 0) {
			ret = -EPROTO; /* plugins return 0 or -errno */
		}
		snprintf(err, errlen, "plugin \"%s\" instance \"%s\": init failed: %s",
			 plugin->name, inst->name,
			 ktstr_inst__last_error(inst)[0] != '\0' ? ktstr_inst__last_error(inst) : strerror(-ret));
		goto err_counted;
	}
	*out = inst;
	return 0;

err_counted:
	atomic_fetch_sub(&plugin->ninst, 1);
err_release:
	inst__release(inst);
	return ret;
}

void ktstr_inst__free(struct ktstr_inst *inst)
{
	struct ktstr_plugin *p;

	if (inst == NULL) {
		return;
	}
	p = inst->plugin;
	if (inst->sink_opened) {
		/* Closing here keeps the sink's "close after a successful open" promise. */
		int ret = ktstr_inst__sink_close(inst);

		if (ret != 0 && ret != -ENOTSUP) {
			KTSTR_WARN("sink %s: close failed while freeing it: %s", inst->name,
				   ktstr_inst__last_error(inst)[0] != '\0' ? ktstr_inst__last_error(inst) : strerror(-ret));
		}
	}
	call_fini(inst);
	ktstr_inst__error_forget(inst);
	inst__release(inst);
	atomic_fetch_sub(&p->ninst, 1);
}

const char *ktstr_inst__name(const struct ktstr_inst *inst)
{
	return inst->name;
}

const char *ktstr_inst__plugin_name(const struct ktstr_inst *inst)
{
	return inst->plugin->name;
}

enum ktstr_plugin_kind ktstr_inst__kind(const struct ktstr_inst *inst)
{
	return inst->plugin->desc.kind;
}

/*
 * Per-thread error slots of the instances in an op on this thread. Ops nest
 * (a source's fill runs while the engine asks another source's
 * remote_fetch), so each instance keeps its own slot until the thread
 * starts OP_SLOTS other instances' ops after it.
 */
#define OP_SLOTS 8

static __thread struct op_slot {
	const struct ktstr_inst *inst;
	char error[KTSTR_INST_ERR_MAX];
} op_slots[OP_SLOTS];
static __thread unsigned op_next; /* the slot reused next when none is free */

static struct op_slot *op_slot_of(const struct ktstr_inst *inst)
{
	for (unsigned i = 0; i < OP_SLOTS; i++) {
		if (op_slots[i].inst == inst) {
			return &op_slots[i];
		}
	}
	return NULL;
}

void ktstr_inst__error_begin(struct ktstr_inst *inst)
{
	struct op_slot *slot = op_slot_of(inst);

	if (slot == NULL) {
		slot = op_slot_of(NULL);
	}
	if (slot == NULL) {
		slot = &op_slots[op_next++ % OP_SLOTS];
	}
	slot->inst = inst;
	slot->error[0] = '\0';
	inst->last_error[0] = '\0';
}

void ktstr_inst__error_forget(const struct ktstr_inst *inst)
{
	struct op_slot *slot = op_slot_of(inst);

	if (slot != NULL) {
		slot->inst = NULL; /* a later instance may get the same address */
	}
}

char *ktstr_inst__error_slot(struct ktstr_inst *inst)
{
	struct op_slot *slot = op_slot_of(inst);

	return slot != NULL ? slot->error : inst->last_error;
}

const char *ktstr_inst__last_error(const struct ktstr_inst *inst)
{
	struct op_slot *slot = op_slot_of(inst);

	return slot != NULL && slot->error[0] != '\0' ? slot->error : inst->last_error;
}

void ktstr_inst__set_chain(struct ktstr_inst *inst, struct ktstr_kchain *chain)
{
	inst->chain = chain;
}

struct ktstr_kchain *ktstr_inst__chain(const struct ktstr_inst *inst)
{
	return inst->chain;
}
