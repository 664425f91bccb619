/* Guest topology names: upstream presets ("tiny-2llc") and the compact form "1n2l4c1t". */
#ifndef KTSTR_CORE_TOPO_H
#define KTSTR_CORE_TOPO_H

#include <stddef.h>
#include <stdint.h>

#include <ktstr/topology.h>

/** @brief An upstream gauntlet preset. */
struct ktstr_topo_preset {
	const char *name;
	struct ktstr_topo topo;
	uint32_t memory_mb;
};

/** @brief Parse a preset name or "{n}n{l}l{c}c{t}t". 0, or -EINVAL with a message in err. */
int ktstr_topo__parse(const char *s, struct ktstr_topo *out, char *err, size_t errlen);
/** @brief Check limits: all >= 1, llcs % numa_nodes == 0, vCPUs <= 252. */
int ktstr_topo__validate(const struct ktstr_topo *t, char *err, size_t errlen);
/** @brief Write "{n}n{l}l{c}c{t}t" into buf. */
void ktstr_topo__name(const struct ktstr_topo *t, char *buf, size_t len);
uint32_t ktstr_topo__vcpus(const struct ktstr_topo *t);
/** @brief The preset table (24 entries) and its size. */
const struct ktstr_topo_preset *ktstr_topo__presets(size_t *n);
const struct ktstr_topo_preset *ktstr_topo__preset_find(const char *name);

#endif
