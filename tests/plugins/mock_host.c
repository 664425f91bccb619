#define _GNU_SOURCE
#include "mock_host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/kernel_source.h>
#include <ktstr/planner.h>
#include <ktstr/vm.h>

bool ktstr_mock_cancelled;
const char *ktstr_mock_scratch_dir = "/tmp";

static void mock__log(struct ktstr_inst *inst, enum ktstr_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (inst != NULL) {
		vsnprintf(inst->last_log, sizeof(inst->last_log), fmt, ap);
		inst->nr_logs++;
	}
	va_end(ap);
}

static void mock__set_error(struct ktstr_inst *inst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(inst->last_error, sizeof(inst->last_error), fmt, ap);
	va_end(ap);
	inst->nr_errors++;
}

static void *mock__priv(struct ktstr_inst *inst)
{
	return inst->priv;
}

static const char *mock__inst_name(struct ktstr_inst *inst)
{
	return inst->desc->name;
}

static const char *mock__dir(struct ktstr_inst *inst)
{
	return ktstr_mock_scratch_dir;
}

static int mock__kernel_set(struct ktstr_kernel *k, enum ktstr_kernel_field f, const char *v)
{
	if (f < KTSTR_KERNEL_IMAGE || f > KTSTR_KERNEL_ORIGIN || v == NULL) {
		return -EINVAL;
	}
	free(k->fields[f]);
	k->fields[f] = strdup(v);
	return k->fields[f] != NULL ? 0 : -ENOMEM;
}

static bool mock__cancelled(void)
{
	return ktstr_mock_cancelled;
}

const struct ktstr_host_api ktstr_mock_host = {
    .sz = sizeof(struct ktstr_host_api),
    .abi_major = KTSTR_ABI_MAJOR,
    .abi_minor = KTSTR_ABI_MINOR,
    .log = mock__log,
    .set_error = mock__set_error,
    .priv = mock__priv,
    .inst_name = mock__inst_name,
    .cache_dir = mock__dir,
    .scratch_dir = mock__dir,
    .kernel_set = mock__kernel_set,
    .cancelled = mock__cancelled,
};

int ktstr_mock__load(int (*entry)(const struct ktstr_host_api *, const struct ktstr_plugin_desc **),
		     const struct ktstr_plugin_desc **out)
{
	return entry(&ktstr_mock_host, out);
}

static void mock__store(struct ktstr_inst *inst, const struct ktstr_opt_spec *o, const char *v)
{
	char *at = (char *)inst->priv + o->offset;

	switch (o->type) {
	case KTSTR_OPT_STR:
		*(const char **)at = v;
		break;
	case KTSTR_OPT_INT:
		*(int64_t *)at = v != NULL ? strtoll(v, NULL, 0) : 0;
		break;
	case KTSTR_OPT_BOOL:
		*(bool *)at = v != NULL && strcmp(v, "true") == 0;
		break;
	}
}

void ktstr_mock_inst__new(struct ktstr_inst *inst, const struct ktstr_plugin_desc *desc)
{
	memset(inst, 0, sizeof(*inst));
	inst->desc = desc;
	inst->priv = calloc(1, desc->priv_size ? desc->priv_size : 1);
	for (const struct ktstr_opt_spec *o = desc->opts; o != NULL && o->name != NULL; o++) {
		mock__store(inst, o, o->dflt);
	}
}

void ktstr_mock_inst__set(struct ktstr_inst *inst, const char *name, const char *value)
{
	for (const struct ktstr_opt_spec *o = inst->desc->opts; o->name != NULL; o++) {
		if (strcmp(o->name, name) == 0 && inst->nr_owned < 16) {
			char *copy = strdup(value);

			inst->owned_strs[inst->nr_owned++] = copy;
			mock__store(inst, o, copy);
			return;
		}
	}
	abort(); /* a test asked for an option the plugin does not have */
}

int ktstr_mock_inst__init(struct ktstr_inst *inst)
{
	int (*init)(struct ktstr_inst *) = NULL;

	switch (inst->desc->kind) {
	case KTSTR_PLUGIN_KERNEL_SOURCE:
		init = ((const struct ktstr_kernel_source_ops *)inst->desc->ops)->init;
		break;
	case KTSTR_PLUGIN_PLANNER:
		init = ((const struct ktstr_planner_ops *)inst->desc->ops)->init;
		break;
	case KTSTR_PLUGIN_VM:
		init = ((const struct ktstr_vm_ops *)inst->desc->ops)->init;
		break;
	case KTSTR_PLUGIN_SINK:
		break;
	}
	return init != NULL ? init(inst) : 0;
}

void ktstr_mock_inst__free(struct ktstr_inst *inst)
{
	for (unsigned i = 0; i < inst->nr_owned; i++) {
		free(inst->owned_strs[i]);
	}
	free(inst->priv);
	memset(inst, 0, sizeof(*inst));
}

void ktstr_mock_kernel__free(struct ktstr_kernel *k)
{
	for (size_t i = 0; i < sizeof(k->fields) / sizeof(k->fields[0]); i++) {
		free(k->fields[i]);
		k->fields[i] = NULL;
	}
}
