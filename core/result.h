/*
 * The result record (docs/result-record.md): one msgpack map per test,
 * handed to every sink. Keys follow the upstream sidecar field names plus
 * ktstr's own (accelerator, wall_ms, stage, reason, console_tail, ...).
 */
#ifndef KTSTR_CORE_RESULT_H
#define KTSTR_CORE_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/topology.h>
#include <ktstr/vm.h>

#include "guest_output.h"

enum ktstr_verdict {
	KTSTR_VERDICT_PASS = 0,
	KTSTR_VERDICT_FAIL = 1,
	KTSTR_VERDICT_SKIP = 2,
	KTSTR_VERDICT_ERROR = 3, /* the harness could not produce a verdict (boot failure, timeout, ...) */
};

/** @brief Everything the engine knows about one finished test. */
struct ktstr_result_in {
	const char *test_name;
	const char *scenario;
	struct ktstr_topo topo;
	const char *scheduler;            /* "eevdf" or the scheduler's name */
	const char *flagset;              /* "default" when none */
	const char *const *active_flags;  /* NULL-terminated, may be NULL */
	const char *kernel_label;
	const char *kernel_image;
	const char *kernel_version;       /* from the source, else the guest's uname -r */
	const char *project_commit;       /* 7 hex [+ "-dirty"], or NULL */
	const char *run_id;
	const char *timestamp;            /* YYYY-MM-DDTHH:MM:SSZ */
	bool ci;                          /* run_source "ci" */
	enum ktstr_accel accel;
	uint64_t wall_ms;
	uint64_t boot_ms;                 /* VM start to KTSTR_INIT_STARTED, 0 if unknown */
	const struct ktstr_vm_outcome *vm; /* may be NULL when the VM never ran */
	const struct ktstr_guest_report *guest; /* may be NULL */
	const char *console_tail;         /* may be NULL */
	const char *error;                /* harness error text, NULL if none */
	const char *skip_reason;          /* NULL unless skipped by the host */
	const char *sidecar_hash_input;   /* unused by encode; reserved */
	uint64_t cleanup_ms;
};

/** @brief Decide the verdict and a one-line reason (static or into buf). */
enum ktstr_verdict ktstr_result__verdict(const struct ktstr_result_in *in, char *reason,
					 size_t reasonlen);

/**
 * @brief Encode the record (msgpack map) into a malloc'd buffer. The guest's
 *        result JSON is converted into msgpack as-is (passed, skipped,
 *        stats, details, guest_topology, ...), the engine's fields added.
 */
int ktstr_result__encode(const struct ktstr_result_in *in, void **out, size_t *len);

/** @brief Convert a msgpack object to a jansson value (for sinks and tests). */
struct json_t;
int ktstr_msgpack__to_json(const void *buf, size_t len, struct json_t **out);

/**
 * @brief The record's variant_hash: SipHash-1-3 (keys 0, 0) over the test's
 *        variant (byte layout in docs/result-record.md) as 16 hex digits.
 * @return 0 (buf holds the digits when @p len >= 17), -ENOMEM.
 */
int ktstr_result__variant_hash(const struct ktstr_result_in *in, char *buf, size_t len);

/** @brief "PASS", "FAIL", "SKIP", "ERROR". */
const char *ktstr_verdict__name(enum ktstr_verdict v);

#endif
