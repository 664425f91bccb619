/*
 * What the host decides before booting: whether the topology can host the
 * scenario (requires, and every cpuset spec resolving to a non-empty set of
 * existing CPUs, with the guest's formulas over its usable CPUs), and whether
 * default worker counts fit the grouped work types.
 */
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topo.h"

struct shape {
	uint32_t cpus, usable, llcs, nodes, per_llc;
	char name[64];
};

static void shape_of(const struct ktstr_topo *t, struct shape *sh)
{
	sh->cpus = ktstr_topo__vcpus(t);
	/* the last CPU is kept for the root cgroup when there are more than two */
	sh->usable = sh->cpus > 2 ? sh->cpus - 1 : sh->cpus;
	sh->llcs = t->llcs;
	sh->nodes = t->numa_nodes;
	sh->per_llc = t->cores * t->threads;
	ktstr_topo__name(t, sh->name, sizeof(sh->name));
}

static const char *plural(uint32_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static int requires(const struct ktstr_scenario_requires *r, const struct shape *sh,
		    const struct ktstr_topo *t, char *why, size_t len)
{
	if (sh->cpus < r->min_cpus) {
		snprintf(why, len, "needs %u CPUs, topology %s has %u", r->min_cpus, sh->name,
			 sh->cpus);
	} else if (sh->llcs < r->min_llcs) {
		snprintf(why, len, "needs %u LLCs, topology %s has %u", r->min_llcs, sh->name,
			 sh->llcs);
	} else if (sh->nodes < r->min_numa_nodes) {
		snprintf(why, len, "needs %u NUMA nodes, topology %s has %u", r->min_numa_nodes,
			 sh->name, sh->nodes);
	} else if (sh->per_llc < r->min_cpus_per_llc) {
		snprintf(why, len, "needs %u CPUs per LLC, topology %s has %u", r->min_cpus_per_llc,
			 sh->name, sh->per_llc);
	} else if (r->smt && t->threads < 2) {
		snprintf(why, len, "needs SMT, topology %s has 1 thread per core", sh->name);
	} else {
		return 0;
	}
	return 1;
}

/* Size of usable[floor(n*s) .. floor(n*e)), the guest's range formula. */
static uint32_t range_size(uint32_t n, double s, double e)
{
	/* both products are >= 0, where truncation is floor (no libm needed) */
	return (uint32_t)(n * e) - (uint32_t)(n * s);
}

static int cpuset(const json_t *spec, const char *cg, const struct shape *sh, char *why, size_t len)
{
	json_t *v;
	size_t i;

	if ((v = json_object_get(spec, "llc")) != NULL && json_integer_value(v) >= sh->llcs) {
		snprintf(why, len, "needs %lld LLCs (cpuset llc %lld of %s), topology %s has %u",
			 json_integer_value(v) + 1, json_integer_value(v), cg, sh->name, sh->llcs);
	} else if ((v = json_object_get(spec, "numa")) != NULL &&
		   json_integer_value(v) >= sh->nodes) {
		snprintf(why, len,
			 "needs %lld NUMA nodes (cpuset numa %lld of %s), topology %s has %u",
			 json_integer_value(v) + 1, json_integer_value(v), cg, sh->name, sh->nodes);
	} else if ((v = json_object_get(spec, "range")) != NULL &&
		   range_size(sh->usable, json_real_value(json_array_get(v, 0)),
			      json_real_value(json_array_get(v, 1))) == 0) {
		snprintf(why, len, "cpuset range of %s is empty on %u usable CPUs (topology %s)",
			 cg, sh->usable, sh->name);
	} else if (((v = json_object_get(spec, "disjoint")) != NULL ||
		    (v = json_object_get(spec, "overlap")) != NULL) &&
		   json_integer_value(json_object_get(v, "of")) > sh->usable) {
		snprintf(why, len,
			 "needs %lld usable CPUs (cpuset partition of %s), topology %s "
			 "has %u",
			 json_integer_value(json_object_get(v, "of")), cg, sh->name, sh->usable);
	} else if ((v = json_object_get(spec, "exact")) != NULL) {
		json_array_foreach(v, i, spec)
		{
			if (json_integer_value(spec) >= sh->cpus) {
				snprintf(why, len,
					 "needs CPU %lld (cpuset of %s), topology %s has %u "
					 "%s",
					 json_integer_value(spec), cg, sh->name, sh->cpus,
					 plural(sh->cpus, "CPU", "CPUs"));
				return 1;
			}
		}
		return 0;
	} else {
		return 0;
	}
	return 1;
}

static int affinity(const json_t *aff, const char *cg, const struct shape *sh, char *why,
		    size_t len)
{
	json_t *cpu;
	size_t i;

	json_array_foreach(json_object_get(aff, "cpus"), i, cpu)
	{
		if (json_integer_value(cpu) >= sh->cpus) {
			snprintf(why, len, "needs CPU %lld (affinity of %s), topology %s has %u %s",
				 json_integer_value(cpu), cg, sh->name, sh->cpus,
				 plural(sh->cpus, "CPU", "CPUs"));
			return 1;
		}
	}
	return 0;
}

/* Every cpuset and affinity below @p v; @p cg names the nearest cgroup for messages. */
static int walk(const json_t *v, const char *cg, const struct shape *sh, char *why, size_t len)
{
	const char *key;
	json_t *child;
	size_t i;
	int rc;

	if (json_is_array(v)) {
		json_array_foreach(v, i, child)
		{
			rc = walk(child, cg, sh, why, len);
			if (rc != 0) {
				return rc;
			}
		}
		return 0;
	}
	if (!json_is_object(v)) {
		return 0;
	}
	if (json_is_string(json_object_get(v, "name"))) {
		cg = json_string_value(json_object_get(v, "name"));
	} else if (json_is_string(json_object_get(v, "cgroup"))) {
		cg = json_string_value(json_object_get(v, "cgroup"));
	}
	json_object_foreach((json_t *)v, key, child)
	{
		if (strcmp(key, "cpuset") == 0 && json_is_object(child)) {
			rc = cpuset(child, cg, sh, why, len);
		} else if (strcmp(key, "affinity") == 0) {
			rc = affinity(child, cg, sh, why, len);
		} else {
			rc = walk(child, cg, sh, why, len);
		}
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int ktstr_scenario__skip(const struct ktstr_scenario *s, const struct ktstr_topo *t, char *why,
			 size_t len)
{
	struct shape sh;
	int rc;

	shape_of(t, &sh);
	rc = requires(&s->req, &sh, t, why, len);
	if (rc == 0) {
		rc = walk(s->backdrop, "the backdrop", &sh, why, len);
	}
	if (rc == 0) {
		rc = walk(s->steps, "a step", &sh, why, len);
	}
	return rc;
}

/* Each work below @p v whose workers is null gets @p wpc. */
static int works_fit(const json_t *v, uint32_t wpc, const char *scen, char *err, size_t len)
{
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, child)
		{
			if (works_fit(child, wpc, scen, err, len) != 0) {
				return -EINVAL;
			}
		}
		return 0;
	}
	if (!json_is_object(v)) {
		return 0;
	}
	if (json_is_string(json_object_get(v, "type")) &&
	    json_is_null(json_object_get(v, "workers"))) {
		const char *type = json_string_value(json_object_get(v, "type"));
		uint32_t g = ktstr_work__group_size(type, json_object_get(v, "params"));

		if (g > 1 && wpc % g != 0) {
			snprintf(err, len,
				 "scenario %s: %s runs in groups of %u but gets "
				 "workers_per_cgroup %u; give its work workers: or use "
				 "a multiple of %u",
				 scen, type, g, wpc, g);
			return -EINVAL;
		}
		return 0;
	}
	json_object_foreach((json_t *)v, key, child)
	{
		if (works_fit(child, wpc, scen, err, len) != 0) {
			return -EINVAL;
		}
	}
	return 0;
}

int ktstr_scenario__check_workers(const struct ktstr_scenario *s, uint32_t workers_per_cgroup,
				  char *err, size_t errlen)
{
	int rc = works_fit(s->backdrop, workers_per_cgroup, s->name, err, errlen);

	return rc != 0 ? rc : works_fit(s->steps, workers_per_cgroup, s->name, err, errlen);
}
