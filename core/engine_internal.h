/* State shared by the engine's files (engine*.c); not part of any API. */
#ifndef KTSTR_CORE_ENGINE_INTERNAL_H
#define KTSTR_CORE_ENGINE_INTERNAL_H

#include <jansson.h>
#include <limits.h>
#include <stdio.h>

#include "engine.h"
#include "initramfs.h"
#include "kchain.h"
#include "matrix.h"
#include "profile.h"
#include "registry.h"
#include "result.h"

struct ktstr_engine_kernel {
	char *id;                   /* as the user wrote it (or what discovery found) */
	char *raw_label;            /* readable label (KTSTR_KERNEL_LIST): 6.14.2, path_x_abc123 */
	char *label;                /* sanitized: kernel_6_14_2 (test names, sidecars) */
	char *dir;                  /* the kernel's directory (KTSTR_KERNEL, KTSTR_KERNEL_LIST) */
	struct ktstr_kernel *k;     /* resolved description */
	const char *source;         /* instance name of the source that resolved it */
	bool locked;                /* cache_lock holds LOCK_SH on its cache entry */
	int cache_lock;             /* for the whole run: no clean or --force swaps it */
};

struct ktstr_engine {
	const struct ktstr_run_opts *opts;
	struct ktstr_profile *profile;
	struct ktstr_registry *reg;
	struct ktstr_inst **sources;
	size_t nsources;
	struct ktstr_inst *planner;
	struct ktstr_kchain *kchain; /* the sources in order, with the planner */
	struct ktstr_inst *vm;
	struct ktstr_inst **sinks;
	size_t nsinks;
	bool *sink_open;
	struct ktstr_engine_kernel *kernels;
	size_t nkernels;
	struct ktstr_matrix matrix;
	struct ktstr_vm_caps caps;
	char init_path[PATH_MAX];   /* the guest's ktstr-init */
	char cache_root[PATH_MAX];  /* ~/.cache/ktstr */
	char run_dir[PATH_MAX];
	char run_id[64];
	char timestamp[32];
	char project_commit[32];    /* "" when unknown */
	bool ci;
	json_t *summary_tests;      /* --json: one object per finished test */
	struct ktstr_run_summary *sum;
	FILE *human;                /* where per-test lines go (stdout, or stderr under --json) */
};

/* engine_plugins.c */
int ktstr_engine__load_plugins(struct ktstr_engine *e, char *err, size_t errlen);
void ktstr_engine__unload_plugins(struct ktstr_engine *e);

/* engine_kernels.c */
int ktstr_engine__resolve_kernels(struct ktstr_engine *e, char *err, size_t errlen);
void ktstr_engine__free_kernels(struct ktstr_engine *e);
/* The kernel set for --dry-run: text lines, or a JSON array. */
void ktstr_engine__print_kernels(const struct ktstr_engine *e, FILE *out);
json_t *ktstr_engine__kernels_json(const struct ktstr_engine *e);

/* engine_test.c: run test i and hand its record to the sinks. */
int ktstr_engine__run_test(struct ktstr_engine *e, size_t i);

/* engine_report.c */
void ktstr_engine__print_plan(struct ktstr_engine *e, FILE *out);
void ktstr_engine__report_test(struct ktstr_engine *e, const struct ktstr_test *t,
			       const struct ktstr_result_in *in, enum ktstr_verdict v,
			       const char *reason);
void ktstr_engine__print_summary(struct ktstr_engine *e, uint64_t wall_ms);

#endif
