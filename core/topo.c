#include "topo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "suggest.h"

/* QEMU's pc machine allows at most 255 vCPUs; upstream's largest presets
 * (max-cpu, max-cpu-nosmt) use 252, which is the limit we promise. */
#define KTSTR_TOPO_MAX_VCPUS 252

/* Upstream gauntlet_presets() (x86_64), in upstream order. */
/* clang-format off */
static const struct ktstr_topo_preset presets[] = {
	{ "tiny-1llc", { 1, 1, 4, 1 }, 2048 },
	{ "tiny-2llc", { 1, 2, 2, 1 }, 2048 },
	{ "odd-3llc", { 1, 3, 3, 1 }, 2048 },
	{ "odd-5llc", { 1, 5, 3, 1 }, 2048 },
	{ "odd-7llc", { 1, 7, 2, 1 }, 2048 },
	{ "smt-2llc", { 1, 2, 2, 2 }, 2048 },
	{ "smt-3llc", { 1, 3, 2, 2 }, 2048 },
	{ "medium-4llc", { 1, 4, 4, 2 }, 2048 },
	{ "medium-8llc", { 1, 8, 4, 2 }, 2048 },
	{ "large-4llc", { 1, 4, 16, 2 }, 2048 },
	{ "large-8llc", { 1, 8, 8, 2 }, 2048 },
	{ "near-max-llc", { 1, 15, 8, 2 }, 2048 },
	{ "max-cpu", { 1, 14, 9, 2 }, 4096 },
	{ "medium-4llc-nosmt", { 1, 4, 8, 1 }, 2048 },
	{ "medium-8llc-nosmt", { 1, 8, 8, 1 }, 2048 },
	{ "large-4llc-nosmt", { 1, 4, 32, 1 }, 2048 },
	{ "large-8llc-nosmt", { 1, 8, 16, 1 }, 2048 },
	{ "near-max-llc-nosmt", { 1, 15, 16, 1 }, 2048 },
	{ "max-cpu-nosmt", { 1, 14, 18, 1 }, 4096 },
	{ "numa2-4llc", { 2, 4, 4, 1 }, 2048 },
	{ "numa2-8llc", { 2, 8, 8, 2 }, 2048 },
	{ "numa2-8llc-nosmt", { 2, 8, 16, 1 }, 2048 },
	{ "numa4-8llc", { 4, 8, 4, 1 }, 2048 },
	{ "numa4-12llc", { 4, 12, 8, 2 }, 4096 },
};
/* clang-format on */

#define NPRESETS (sizeof(presets) / sizeof(presets[0]))

const struct ktstr_topo_preset *ktstr_topo__presets(size_t *n)
{
	*n = NPRESETS;
	return presets;
}

const struct ktstr_topo_preset *ktstr_topo__preset_find(const char *name)
{
	for (size_t i = 0; i < NPRESETS; i++) {
		if (strcmp(presets[i].name, name) == 0) {
			return &presets[i];
		}
	}
	return NULL;
}

uint32_t ktstr_topo__vcpus(const struct ktstr_topo *t)
{
	uint64_t v = (uint64_t)t->llcs * t->cores * t->threads;

	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

void ktstr_topo__name(const struct ktstr_topo *t, char *buf, size_t len)
{
	snprintf(buf, len, "%un%ul%uc%ut", t->numa_nodes, t->llcs, t->cores, t->threads);
}

int ktstr_topo__validate(const struct ktstr_topo *t, char *err, size_t errlen)
{
	const struct {
		const char *what;
		uint32_t v;
	} fields[] = {
	    {"NUMA nodes", t->numa_nodes},
	    {"LLCs", t->llcs},
	    {"cores per LLC", t->cores},
	    {"threads per core", t->threads},
	};
	uint64_t vcpus = (uint64_t)t->llcs * t->cores * t->threads;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (fields[i].v < 1) {
			snprintf(err, errlen, "%s must be at least 1", fields[i].what);
			return -EINVAL;
		}
	}
	if (t->llcs % t->numa_nodes != 0) {
		snprintf(
		    err, errlen,
		    "%u LLCs do not divide evenly into %u NUMA nodes (LLCs must be a multiple of "
		    "NUMA nodes)",
		    t->llcs, t->numa_nodes);
		return -EINVAL;
	}
	if (vcpus > KTSTR_TOPO_MAX_VCPUS) {
		snprintf(err, errlen, "%llu vCPUs (LLCs x cores x threads) exceed the limit of %d",
			 (unsigned long long)vcpus, KTSTR_TOPO_MAX_VCPUS);
		return -EINVAL;
	}
	return 0;
}

/* One decimal field of the compact form: digits only, no leading zero, fits in 32 bits. */
static int parse_field(const char **p, char unit, uint32_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9')) {
		return -EINVAL;
	}
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX) {
			return -ERANGE;
		}
	}
	if (*s != unit) {
		return -EINVAL;
	}
	*out = (uint32_t)v;
	*p = s + 1;
	return 0;
}

static int parse_compact(const char *s, struct ktstr_topo *out)
{
	uint32_t *fields[] = {&out->numa_nodes, &out->llcs, &out->cores, &out->threads};
	const char units[] = "nlct";
	int rc;

	for (size_t i = 0; i < 4; i++) {
		rc = parse_field(&s, units[i], fields[i]);
		if (rc != 0) {
			return rc;
		}
	}
	return *s == '\0' ? 0 : -EINVAL;
}

int ktstr_topo__parse(const char *s, struct ktstr_topo *out, char *err, size_t errlen)
{
	const struct ktstr_topo_preset *preset = ktstr_topo__preset_find(s);
	const char *names[NPRESETS];
	const char *hint;
	struct ktstr_topo t = {0};
	char why[160];
	int rc;

	if (preset != NULL) {
		*out = preset->topo;
		return 0;
	}
	rc = parse_compact(s, &t);
	if (rc == -ERANGE) {
		snprintf(err, errlen, "topology \"%s\": a count is too large", s);
		return -EINVAL;
	}
	if (rc != 0) {
		for (size_t i = 0; i < NPRESETS; i++) {
			names[i] = presets[i].name;
		}
		hint = ktstr_suggest__closest(s, names, NPRESETS);
		if (hint != NULL) {
			snprintf(err, errlen, "unknown topology \"%s\" (did you mean \"%s\"?)", s,
				 hint);
		} else {
			snprintf(
			    err, errlen,
			    "unknown topology \"%s\": expected a preset name (e.g. tiny-2llc) or "
			    "{numa}n{llcs}l{cores}c{threads}t (e.g. 1n2l4c1t)",
			    s);
		}
		return -EINVAL;
	}
	if (ktstr_topo__validate(&t, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "topology \"%s\": %s", s, why);
		return -EINVAL;
	}
	*out = t;
	return 0;
}
