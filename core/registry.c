/* The registry object: its loaded plugins, refusals, lookups and kind names. */
#include "registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"
#include "registry_internal.h"

static const char *const kind_names[] = {
	[KTSTR_PLUGIN_KERNEL_SOURCE] = "kernel-source",
	[KTSTR_PLUGIN_PLANNER] = "planner",
	[KTSTR_PLUGIN_VM] = "vm",
	[KTSTR_PLUGIN_SINK] = "sink",
};

const char *ktstr_plugin_kind__name(enum ktstr_plugin_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]) ||
	    kind_names[kind] == NULL) {
		return "unknown";
	}
	return kind_names[kind];
}

int ktstr_plugin_kind__parse(const char *s, enum ktstr_plugin_kind *out)
{
	for (size_t i = 0; s != NULL && i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (kind_names[i] != NULL && strcmp(kind_names[i], s) == 0) {
			*out = (enum ktstr_plugin_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

int ktstr_registry__new(struct ktstr_registry **out)
{
	struct ktstr_registry *reg = calloc(1, sizeof(*reg));

	if (reg == NULL) {
		return -ENOMEM;
	}
	pthread_mutex_init(&reg->lock, NULL);
	*out = reg;
	return 0;
}

static void plugin__free(struct ktstr_plugin *p)
{
	size_t live = atomic_load(&p->ninst);

	if (live != 0) {
		/* Unloading would leave the instances calling into unmapped code. */
		KTSTR_ERR("plugin \"%s\" (%s) still has %zu instance(s) at registry free; "
			  "keeping the module loaded",
			  p->name, p->path, live);
		return;
	}
	ktstr_loader__close(p->handle);
	ktstr_plugin__drop(p);
}

void ktstr_registry__free(struct ktstr_registry *reg)
{
	if (reg == NULL) {
		return;
	}
	for (size_t i = reg->nplugins; i > 0; i--) {
		plugin__free(reg->plugins[i - 1]);
	}
	free(reg->plugins);
	for (size_t i = 0; i < reg->nrefusals; i++) {
		free(reg->refusals[i]);
	}
	free(reg->refusals);
	if (reg->scratch_tmp != NULL) {
		int ret = ktstr_fs__rm_rf(reg->scratch_tmp);

		if (ret != 0) {
			KTSTR_WARN("cannot remove scratch directory %s: %s", reg->scratch_tmp,
				   strerror(-ret));
		}
		free(reg->scratch_tmp);
	}
	pthread_mutex_destroy(&reg->lock);
	free(reg);
}

int ktstr_registry__add_refusal(struct ktstr_registry *reg, const char *line)
{
	char **grown = realloc(reg->refusals, (reg->nrefusals + 1) * sizeof(*grown));
	char *copy = strdup(line);

	if (grown != NULL) {
		reg->refusals = grown;
	}
	if (grown == NULL || copy == NULL) {
		free(copy);
		return -ENOMEM;
	}
	reg->refusals[reg->nrefusals++] = copy;
	return 0;
}

size_t ktstr_registry__refusal_count(const struct ktstr_registry *reg)
{
	return reg->nrefusals;
}

const char *ktstr_registry__refusal(const struct ktstr_registry *reg, size_t i)
{
	return i < reg->nrefusals ? reg->refusals[i] : NULL;
}

size_t ktstr_registry__count(const struct ktstr_registry *reg)
{
	return reg->nplugins;
}

void ktstr_registry__info(const struct ktstr_registry *reg, size_t i,
			  struct ktstr_plugin_info *out)
{
	const struct ktstr_plugin *p;

	memset(out, 0, sizeof(*out));
	if (i >= reg->nplugins) {
		return;
	}
	p = reg->plugins[i];
	out->name = p->name;
	out->kind = p->desc.kind;
	out->abi_major = p->desc.abi_major;
	out->abi_minor = p->desc.abi_minor;
	out->version = p->version;
	out->description = p->description;
	out->path = p->path;
}

struct ktstr_plugin *ktstr_registry__find(struct ktstr_registry *reg, enum ktstr_plugin_kind kind,
					  const char *name)
{
	for (size_t i = 0; name != NULL && i < reg->nplugins; i++) {
		struct ktstr_plugin *p = reg->plugins[i];

		if (p->desc.kind == kind && strcmp(p->name, name) == 0) {
			return p;
		}
	}
	return NULL;
}
