/*
 * Work, CpusetSpec and affinity objects of spec v2 (docs/protocol.md). Only
 * their shape is checked here; what a cpuset means on this topology is
 * checked when a step applies it (cpuset.c), so the step reports it.
 */
#include "spec_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "work.h"

/* In enum order (work.h). */
static const char *const affinity_names[] = {
    [KTSTR_AFFINITY_INHERIT] = "inherit",	  [KTSTR_AFFINITY_RANDOM_SUBSET] = "random_subset",
    [KTSTR_AFFINITY_LLC_ALIGNED] = "llc_aligned", [KTSTR_AFFINITY_CROSS_CGROUP] = "cross_cgroup",
    [KTSTR_AFFINITY_SINGLE_CPU] = "single_cpu",	  [KTSTR_AFFINITY_EXACT] = "exact",
};

/* A non-empty array of CPU numbers. */
static int parse_cpus(struct ktstr_spec_ctx *c, json_t *a, const char *key,
		      struct ktstr_cpumask *out)
{
	size_t i;
	json_t *v;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(a) || json_array_size(a) == 0) {
		return ktstr_spec_ctx__bad(c, key, "must be a non-empty array of CPU numbers");
	}
	json_array_foreach(a, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) >= KTSTR_MAX_CPUS) {
			return ktstr_spec_ctx__bad(c, key, "must hold CPU numbers in 0..1023");
		}
		ktstr_cpumask__set(out, (unsigned)json_integer_value(v));
	}
	return 0;
}

int ktstr_spec__parse_affinity(struct ktstr_spec_ctx *c, json_t *o, struct ktstr_affinity *out)
{
	json_t *kind = json_object_get(o, "kind");

	memset(out, 0, sizeof(*out));
	if (!json_is_string(kind)) {
		return ktstr_spec_ctx__bad(c, "kind",
					   "must be one of inherit, random_subset, "
					   "llc_aligned, cross_cgroup, single_cpu, exact");
	}
	for (size_t i = 0; i < sizeof(affinity_names) / sizeof(affinity_names[0]); i++) {
		if (strcmp(json_string_value(kind), affinity_names[i]) == 0) {
			out->kind = (enum ktstr_affinity_kind)i;
			return out->kind == KTSTR_AFFINITY_EXACT
				   ? parse_cpus(c, json_object_get(o, "cpus"), "cpus", &out->cpus)
				   : 0;
		}
	}
	return ktstr_spec_ctx__bad(c, "kind",
				   "must be one of inherit, random_subset, "
				   "llc_aligned, cross_cgroup, single_cpu, exact");
}

static int parse_partition(struct ktstr_spec_ctx *c, json_t *o, const char *key, bool overlap,
			   struct ktstr_cpuset_spec *out)
{
	size_t scope;
	int err;

	if (!json_is_object(o)) {
		return ktstr_spec_ctx__bad(c, key, "must be an object {index, of}");
	}
	scope = ktstr_spec_ctx__push(c, "%s", key);
	err = ktstr_spec_ctx__u32(c, o, "index", true, 0, UINT32_MAX, &out->index);
	if (!err) {
		err = ktstr_spec_ctx__u32(c, o, "of", true, 0, UINT32_MAX, &out->of);
	}
	if (!err && overlap) {
		err = ktstr_spec_ctx__double(c, o, "frac", true, -1e9, 1e9, &out->frac);
	}
	ktstr_spec_ctx__pop(c, scope);
	return err;
}

int ktstr_spec__parse_cpuset(struct ktstr_spec_ctx *c, json_t *o, struct ktstr_cpuset_spec *out)
{
	static const char shape[] = "must have exactly one of llc, numa, range, disjoint, "
				    "overlap, exact";
	const char *key;
	json_t *v;
	uint64_t idx = 0;

	memset(out, 0, sizeof(*out));
	if (json_object_size(o) != 1) {
		return ktstr_spec_ctx__bad(c, "", shape);
	}
	json_object_foreach(o, key, v)
	{
		if (strcmp(key, "llc") == 0 || strcmp(key, "numa") == 0) {
			out->kind = key[0] == 'l' ? KTSTR_CPUSET_LLC : KTSTR_CPUSET_NUMA;
			if (ktstr_spec_ctx__uint(c, o, key, true, 0, UINT32_MAX, &idx) != 0) {
				return -EINVAL;
			}
			out->index = (unsigned)idx;
			return 0;
		}
		if (strcmp(key, "range") == 0) {
			out->kind = KTSTR_CPUSET_RANGE;
			if (!json_is_array(v) || json_array_size(v) != 2 ||
			    !json_is_number(json_array_get(v, 0)) ||
			    !json_is_number(json_array_get(v, 1))) {
				return ktstr_spec_ctx__bad(c, key,
							   "must be [start, end] fractions");
			}
			out->start = json_number_value(json_array_get(v, 0));
			out->end = json_number_value(json_array_get(v, 1));
			return 0;
		}
		if (strcmp(key, "disjoint") == 0 || strcmp(key, "overlap") == 0) {
			out->kind = key[0] == 'd' ? KTSTR_CPUSET_DISJOINT : KTSTR_CPUSET_OVERLAP;
			return parse_partition(c, v, key, key[0] == 'o', out);
		}
		if (strcmp(key, "exact") == 0) {
			out->kind = KTSTR_CPUSET_EXACT;
			return parse_cpus(c, v, key, &out->cpus);
		}
	}
	return ktstr_spec_ctx__bad(c, "", shape);
}

int ktstr_spec__parse_work(struct ktstr_spec_ctx *c, json_t *o, struct ktstr_work_spec *out)
{
	char msg[384];
	size_t len = strlen(c->scope);

	if (ktstr_work_spec__parse(o, c->workers_per_cgroup, out, msg, sizeof(msg)) == 0) {
		return 0;
	}
	snprintf(c->err, c->errlen, "%s: in '%.*s': %s", c->origin, len ? (int)len - 1 : 0,
		 c->scope, msg);
	return -EINVAL;
}
