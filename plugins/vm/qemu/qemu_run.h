/* One VM run through QEMU: command line, process, outcome (no host table needed). */
#ifndef KTSTR_QEMU_RUN_H
#define KTSTR_QEMU_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include <ktstr/vm.h>

#include "qemu_cmd.h"

/** @brief SIGTERM first, SIGKILL this long after. */
#define KTSTR_QEMU_KILL_GRACE_MS 2000

/** @brief How to launch, besides the VM spec (all borrowed). */
struct ktstr_qemu_launch {
	const struct ktstr_qemu_cfg *cfg;
	const char *log_dir;	/**< QEMU's own stdout/stderr go to a file here */
	bool keep_log;		/**< keep that file (named in outcome->detail) */
	uint32_t kill_grace_ms; /**< normally KTSTR_QEMU_KILL_GRACE_MS */
};

/**
 * @brief Boot @p spec and wait until QEMU exits, the deadline passes or the
 *        cancel fd fires. Nothing started here outlives the call.
 * @return 0 when QEMU ran (@p out says how it ended); -EINVAL for a bad spec;
 *         -ENOENT when the binary is missing; another -errno when it could
 *         not be started. One line in @p err on failure.
 */
int ktstr_qemu__run(const struct ktstr_qemu_launch *l, const struct ktstr_vm_spec *spec,
		    struct ktstr_vm_outcome *out, char *err, size_t errlen);

/**
 * @brief The last @p max_lines non-blank lines of @p buf joined with " | ",
 *        control characters replaced by spaces, truncated to fit @p out.
 */
void ktstr_qemu_log__tail(const char *buf, size_t len, unsigned max_lines, char *out,
			  size_t outlen);

#endif
