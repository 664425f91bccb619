/*
 * A mock engine for plugin tests: a host table that records errors, logs
 * and kernel fields, and instances whose options start at their defaults.
 */
#ifndef KTSTR_TEST_MOCK_HOST_H
#define KTSTR_TEST_MOCK_HOST_H

#include <stdbool.h>

#include <ktstr/plugin.h>

/** @brief An instance as the mock engine keeps it. */
struct ktstr_inst {
	const struct ktstr_plugin_desc *desc;
	void *priv;
	char *owned_strs[16]; /* option values set by the test */
	unsigned nr_owned;
	char last_error[512];
	unsigned nr_errors;
	char last_log[512];
	unsigned nr_logs;
};

/** @brief A kernel being resolved: one string per field. */
struct ktstr_kernel {
	char *fields[KTSTR_KERNEL_ORIGIN + 1];
};

extern const struct ktstr_host_api ktstr_mock_host;
/** @brief What host->cancelled() answers. */
extern bool ktstr_mock_cancelled;
/** @brief What host->scratch_dir() answers (may be NULL). */
extern const char *ktstr_mock_scratch_dir;

/** @brief Load @p entry's descriptor through the mock host. 0 or its -errno. */
int ktstr_mock__load(int (*entry)(const struct ktstr_host_api *, const struct ktstr_plugin_desc **),
		     const struct ktstr_plugin_desc **out);
/** @brief Allocate priv and fill every option with its default. */
void ktstr_mock_inst__new(struct ktstr_inst *inst, const struct ktstr_plugin_desc *desc);
/** @brief Override one option (converted like the engine does). */
void ktstr_mock_inst__set(struct ktstr_inst *inst, const char *name, const char *value);
/** @brief Call ops->init when the kind's ops table has one. */
int ktstr_mock_inst__init(struct ktstr_inst *inst);
void ktstr_mock_inst__free(struct ktstr_inst *inst);
void ktstr_mock_kernel__free(struct ktstr_kernel *k);

#endif
