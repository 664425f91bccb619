/*
 * The fill of a debian cache entry: download the kernel package, extract
 * the image, find the config (in the package, else in linux-base-<release>),
 * refuse a kernel without sched_ext, leave vmlinuz + config in the entry.
 */
#ifndef KTSTR_DEBIAN_FETCH_H
#define KTSTR_DEBIAN_FETCH_H

#include <ktstr/kernel_source.h>

#include "debian_apt.h"
#include "debian_pkg.h"

struct debian_fetch {
	const struct ktstr_host_api *host;
	struct debian_apt *apt;
	struct debian_pkg pkg;
	char source_json[512]; /* metadata.json's "source" */
};

/** @brief A ktstr_kernel_fill_fn; @p ctx is a struct debian_fetch. */
int debian_fetch__fill(struct ktstr_inst *inst, void *ctx, const char *dir,
		       struct ktstr_entry_meta *meta);

#endif
