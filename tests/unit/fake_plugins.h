/*
 * Registries of fake in-process plugins for unit tests: descriptors adopted
 * without a module, and instances of them. Include after <cmocka.h>.
 */
#ifndef KTSTR_TESTS_FAKE_PLUGINS_H
#define KTSTR_TESTS_FAKE_PLUGINS_H

#include "registry_internal.h"

struct fake_plugin {
	enum ktstr_plugin_kind kind;
	const char *name;
	const void *ops;
};

/* A new registry holding @n fakes; NULL on failure (for a cmocka setup). */
static inline struct ktstr_registry *fake_registry(const struct fake_plugin *p, size_t n)
{
	struct ktstr_registry *reg;
	char err[512];

	if (ktstr_registry__new(&reg) != 0) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct ktstr_plugin_desc d = {
			KTSTR_PLUGIN_DESC_INIT,
			.kind = p[i].kind,
			.name = p[i].name,
			.ops = p[i].ops,
		};

		if (ktstr_registry__adopt(reg, "/m/x.so", NULL, &d, err, sizeof(err)) != 0) {
			ktstr_registry__free(reg);
			return NULL;
		}
	}
	return reg;
}

/* An instance of the fake @name of @kind (asserts it can be made). */
static inline struct ktstr_inst *fake_inst(struct ktstr_registry *reg, enum ktstr_plugin_kind kind,
					   const char *name)
{
	struct ktstr_inst *inst;
	char err[512];

	assert_int_equal(ktstr_inst__new(ktstr_registry__find(reg, kind, name), NULL, NULL, &inst,
					 err, sizeof(err)),
			 0);
	return inst;
}

#endif
