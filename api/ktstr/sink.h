/* SPDX-License-Identifier: MIT */
/**
 * @file sink.h
 * @brief Result-sink plugins: receive every test result record.
 *
 * Records are msgpack maps (see docs/result-record.md). Keys follow the
 * upstream sidecar field names; `record_version` says which schema. A
 * sink must ignore keys it does not know, so records can grow.
 */
#ifndef KTSTR_SINK_H
#define KTSTR_SINK_H

#include <ktstr/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Current result-record schema version (key "record_version"). */
#define KTSTR_RESULT_RECORD_VERSION 1

/** @brief Run-wide facts handed to open() (sized; borrowed for the call). */
struct ktstr_sink_open_opts {
	size_t sz;
	const char *run_dir;    /**< the run's output directory (exists) */
	const char *run_id;     /**< unique id of this run */
	uint32_t planned_tests; /**< number of tests the run will emit */
};

/** @brief Result-sink ops (sized; v1.0 members below, append only). */
struct ktstr_sink_ops {
	size_t sz;
	/** @brief Optional: start a run. On failure the sink has released everything. */
	int (*open)(struct ktstr_inst *inst, const struct ktstr_sink_open_opts *opts);
	/**
	 * @brief Take one result record.
	 * @param rec  msgpack-encoded map, borrowed for the call
	 * @param len  its length in bytes
	 */
	int (*emit)(struct ktstr_inst *inst, const void *rec, size_t len);
	/** @brief Optional: end the run; flush and release. Called once after a successful open. */
	int (*close)(struct ktstr_inst *inst);
};

#ifdef __cplusplus
}
#endif
#endif /* KTSTR_SINK_H */
