/* Parse the test spec's Work objects into struct ktstr_work_spec (docs/protocol.md). */
#include "work.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct name_val {
	const char *name;
	int val;
};

static const struct name_val policies[] = {
    {"normal", KTSTR_POLICY_NORMAL}, {"batch", KTSTR_POLICY_BATCH}, {"idle", KTSTR_POLICY_IDLE},
    {"fifo", KTSTR_POLICY_FIFO},     {"rr", KTSTR_POLICY_RR},	    {NULL, 0},
};

static const struct name_val affinities[] = {
    {"inherit", KTSTR_AFFINITY_INHERIT},
    {"random_subset", KTSTR_AFFINITY_RANDOM_SUBSET},
    {"llc_aligned", KTSTR_AFFINITY_LLC_ALIGNED},
    {"cross_cgroup", KTSTR_AFFINITY_CROSS_CGROUP},
    {"single_cpu", KTSTR_AFFINITY_SINGLE_CPU},
    {"exact", KTSTR_AFFINITY_EXACT},
    {NULL, 0},
};

static const struct name_val mem_policies[] = {
    {"default", KTSTR_MPOL_DEFAULT},
    {"bind", KTSTR_MPOL_BIND},
    {"preferred", KTSTR_MPOL_PREFERRED},
    {"interleave", KTSTR_MPOL_INTERLEAVE},
    {"local", KTSTR_MPOL_LOCAL},
    {"preferred_many", KTSTR_MPOL_PREFERRED_MANY},
    {"weighted_interleave", KTSTR_MPOL_WEIGHTED_INTERLEAVE},
    {NULL, 0},
};

static const struct name_val mpol_flags[] = {
    {"static_nodes", (int)KTSTR_MPOL_F_STATIC_NODES},
    {"relative_nodes", (int)KTSTR_MPOL_F_RELATIVE_NODES},
    {"numa_balancing", (int)KTSTR_MPOL_F_NUMA_BALANCING},
    {NULL, 0},
};

static const struct name_val phase_kinds[] = {
    {"spin", KTSTR_PHASE_SPIN},
    {"sleep", KTSTR_PHASE_SLEEP},
    {"yield", KTSTR_PHASE_YIELD},
    {"io", KTSTR_PHASE_IO},
    {NULL, 0},
};

/* The u32 type parameters, by upstream's snake_case name. */
struct param_field {
	const char *name;
	size_t off;
};

#define PARAM(f)                                                                                   \
	{                                                                                          \
#f, offsetof(struct ktstr_work_params, f)                                          \
	}
static const struct param_field param_fields[] = {
    PARAM(burst_ms),   PARAM(sleep_ms),	  PARAM(burst_iters), PARAM(spin_iters),
    PARAM(size_kb),    PARAM(stride),	  PARAM(fan_out),     PARAM(cache_footprint_kb),
    PARAM(operations), PARAM(sleep_usec), PARAM(region_kb),   PARAM(touches_per_cycle),
    PARAM(contenders), PARAM(hold_iters), PARAM(work_iters),
};
#undef PARAM

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int lookup(const struct name_val *t, const json_t *v, const char *key, int *out, char *err,
		  size_t errlen)
{
	const char *s = json_string_value(v);

	if (s != NULL) {
		for (; t->name != NULL; t++) {
			if (strcmp(t->name, s) == 0) {
				*out = t->val;
				return 0;
			}
		}
	}
	return fail(err, errlen, "work: key '%s': unknown value '%s'", key,
		    s ? s : "(not a string)");
}

/* A JSON integer in [lo, hi]. */
static int get_uint(const json_t *v, const char *key, uint64_t lo, uint64_t hi, uint64_t *out,
		    char *err, size_t errlen)
{
	json_int_t i;

	if (!json_is_integer(v)) {
		return fail(err, errlen, "work: key '%s': expected an integer", key);
	}
	i = json_integer_value(v);
	if (i < 0 || (uint64_t)i < lo || (uint64_t)i > hi) {
		return fail(err, errlen, "work: key '%s': %lld is outside %llu..%llu", key,
			    (long long)i, (unsigned long long)lo, (unsigned long long)hi);
	}
	*out = (uint64_t)i;
	return 0;
}

/* An array of small integers as bits of @p out. */
static int get_set(const json_t *arr, const char *key, struct ktstr_cpumask *out, char *err,
		   size_t errlen)
{
	size_t i;
	json_t *e;

	memset(out, 0, sizeof(*out));
	if (arr == NULL || json_is_null(arr)) {
		return 0;
	}
	if (!json_is_array(arr)) {
		return fail(err, errlen, "work: key '%s': expected an array of integers", key);
	}
	json_array_foreach(arr, i, e)
	{
		uint64_t v;
		int rc = get_uint(e, key, 0, KTSTR_MAX_CPUS - 1, &v, err, errlen);

		if (rc) {
			return rc;
		}
		ktstr_cpumask__set(out, (unsigned)v);
	}
	return 0;
}

static int parse_params(const json_t *p, struct ktstr_work_params *out, char *err, size_t errlen)
{
	const json_t *phases;
	size_t i;
	json_t *ph;

	if (p == NULL || json_is_null(p)) {
		return 0;
	}
	if (!json_is_object(p)) {
		return fail(err, errlen, "work: key 'params': expected an object");
	}
	for (i = 0; i < sizeof(param_fields) / sizeof(param_fields[0]); i++) {
		const json_t *v = json_object_get(p, param_fields[i].name);
		uint64_t u;
		int rc;

		if (v == NULL || json_is_null(v)) {
			continue;
		}
		rc = get_uint(v, param_fields[i].name, 0, UINT32_MAX, &u, err, errlen);
		if (rc) {
			return rc;
		}
		*(uint32_t *)((char *)out + param_fields[i].off) = (uint32_t)u;
	}
	phases = json_object_get(p, "phases");
	if (phases == NULL || json_is_null(phases)) {
		return 0;
	}
	if (!json_is_array(phases) || json_array_size(phases) == 0 ||
	    json_array_size(phases) > KTSTR_WORK_MAX_PHASES) {
		return fail(err, errlen, "work: key 'phases': expected 1..%d phases",
			    KTSTR_WORK_MAX_PHASES);
	}
	out->nphases = 0;
	json_array_foreach(phases, i, ph)
	{
		int kind, rc;
		uint64_t ms;

		rc = lookup(phase_kinds, json_object_get(ph, "kind"), "phases.kind", &kind, err,
			    errlen);
		if (rc == 0) {
			rc = get_uint(json_object_get(ph, "ms"), "phases.ms", 1, UINT32_MAX, &ms,
				      err, errlen);
		}
		if (rc) {
			return rc;
		}
		out->phases[i] = (struct ktstr_work_phase){.kind = kind, .ms = (uint32_t)ms};
		out->nphases++;
	}
	return 0;
}

static int parse_policy(const json_t *p, struct ktstr_work_spec *out, char *err, size_t errlen)
{
	const json_t *prio;
	uint64_t u = 0;
	int kind, rc;

	if (p == NULL || json_is_null(p)) {
		return 0;
	}
	rc = lookup(policies, json_object_get(p, "kind"), "policy.kind", &kind, err, errlen);
	if (rc) {
		return rc;
	}
	out->policy = kind;
	prio = json_object_get(p, "priority");
	if (kind == KTSTR_POLICY_FIFO || kind == KTSTR_POLICY_RR) {
		/* RT priorities are 1..99 (sched_get_priority_min/max for FIFO and RR). */
		rc = get_uint(prio, "policy.priority", 1, 99, &u, err, errlen);
	} else if (prio != NULL && !json_is_null(prio)) {
		rc = get_uint(prio, "policy.priority", 0, 0, &u, err, errlen);
	}
	out->priority = (uint32_t)u;
	return rc;
}

static int parse_affinity(const json_t *a, struct ktstr_work_spec *out, char *err, size_t errlen)
{
	int kind, rc;

	if (a == NULL || json_is_null(a)) {
		return 0;
	}
	rc = lookup(affinities, json_object_get(a, "kind"), "affinity.kind", &kind, err, errlen);
	if (rc) {
		return rc;
	}
	out->affinity = kind;
	rc = get_set(json_object_get(a, "cpus"), "affinity.cpus", &out->affinity_cpus, err, errlen);
	if (rc == 0 && kind == KTSTR_AFFINITY_EXACT &&
	    ktstr_cpumask__count(&out->affinity_cpus) == 0) {
		rc = fail(err, errlen, "work: key 'affinity.cpus': exact affinity needs CPUs");
	}
	return rc;
}

static int parse_mem_policy(const json_t *m, struct ktstr_work_spec *out, char *err, size_t errlen)
{
	const json_t *flags;
	unsigned nodes;
	size_t i;
	json_t *f;
	int kind, rc;

	if (m == NULL || json_is_null(m)) {
		return 0;
	}
	rc =
	    lookup(mem_policies, json_object_get(m, "kind"), "mem_policy.kind", &kind, err, errlen);
	if (rc == 0) {
		rc = get_set(json_object_get(m, "nodes"), "mem_policy.nodes", &out->mem_nodes, err,
			     errlen);
	}
	if (rc) {
		return rc;
	}
	out->mem_policy = kind;
	nodes = ktstr_cpumask__count(&out->mem_nodes);
	if ((kind == KTSTR_MPOL_DEFAULT || kind == KTSTR_MPOL_LOCAL) && nodes != 0) {
		return fail(err, errlen, "work: key 'mem_policy.nodes': must be empty for '%s'",
			    json_string_value(json_object_get(m, "kind")));
	}
	if (kind == KTSTR_MPOL_PREFERRED && nodes != 1) {
		return fail(err, errlen, "work: key 'mem_policy.nodes': preferred takes one node");
	}
	if (kind != KTSTR_MPOL_DEFAULT && kind != KTSTR_MPOL_LOCAL &&
	    kind != KTSTR_MPOL_PREFERRED && nodes == 0) {
		return fail(err, errlen, "work: key 'mem_policy.nodes': needs at least one node");
	}
	flags = json_object_get(m, "flags");
	if (flags == NULL || json_is_null(flags)) {
		return 0;
	}
	if (!json_is_array(flags)) {
		return fail(err, errlen, "work: key 'mem_policy.flags': expected an array");
	}
	json_array_foreach(flags, i, f)
	{
		int bit;

		rc = lookup(mpol_flags, f, "mem_policy.flags", &bit, err, errlen);
		if (rc) {
			return rc;
		}
		out->mpol_flags |= (uint32_t)bit;
	}
	return 0;
}

static int copy_str(char *dst, size_t cap, const json_t *v, const char *key, char *err,
		    size_t errlen)
{
	const char *s = json_string_value(v);

	if (s == NULL) {
		return fail(err, errlen, "work: key '%s': expected a string", key);
	}
	if (strlen(s) >= cap) {
		return fail(err, errlen, "work: key '%s': longer than %zu bytes", key, cap - 1);
	}
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int parse_payload(const json_t *p, struct ktstr_work_spec *out, char *err, size_t errlen)
{
	const json_t *args;
	size_t i;
	json_t *a;
	int rc;

	if (!json_is_object(p)) {
		return fail(err, errlen, "work: key 'payload': type 'payload' needs {\"path\":..}");
	}
	rc = copy_str(out->payload_path, sizeof(out->payload_path), json_object_get(p, "path"),
		      "payload.path", err, errlen);
	if (rc) {
		return rc;
	}
	if (out->payload_path[0] != '/') {
		return fail(err, errlen, "work: key 'payload.path': '%s' is not absolute",
			    out->payload_path);
	}
	args = json_object_get(p, "args");
	if (args == NULL || json_is_null(args)) {
		return 0;
	}
	if (!json_is_array(args) || json_array_size(args) > KTSTR_WORK_MAX_ARGS) {
		return fail(err, errlen, "work: key 'payload.args': expected up to %d strings",
			    KTSTR_WORK_MAX_ARGS);
	}
	json_array_foreach(args, i, a)
	{
		rc = copy_str(out->payload_args[i], KTSTR_WORK_MAX_ARG, a, "payload.args", err,
			      errlen);
		if (rc) {
			return rc;
		}
		out->npayload_args = i + 1;
	}
	return 0;
}

void ktstr_work_spec__defaults(struct ktstr_work_spec *out, const struct ktstr_work_type *type)
{
	memset(out, 0, sizeof(*out));
	out->type = type;
	out->params = (struct ktstr_work_params){
	    .burst_ms = 50,
	    .sleep_ms = 100,
	    .burst_iters = 1024,
	    .spin_iters = 1024,
	    .size_kb = 32,
	    .stride = 64,
	    .fan_out = 4,
	    .cache_footprint_kb = 256,
	    .operations = 5,
	    .sleep_usec = 100,
	    .region_kb = 4096,
	    .touches_per_cycle = 256,
	    .contenders = 4,
	    .hold_iters = 256,
	    .work_iters = 1024,
	    .phases = {{KTSTR_PHASE_SPIN, 100}, {KTSTR_PHASE_SLEEP, 100}},
	    .nphases = 2,
	};
	/* PageFaultChurn's spin is shorter than the others' (upstream default 64). */
	if (type != NULL && strcmp(type->name, "PageFaultChurn") == 0) {
		out->params.spin_iters = 64;
	}
	out->workers = ktstr_work_spec__group_size(out);
}

unsigned ktstr_work_spec__group_size(const struct ktstr_work_spec *spec)
{
	const char *n = spec->type != NULL ? spec->type->name : "";

	if (strcmp(n, "PipeIo") == 0 || strcmp(n, "FutexPingPong") == 0 ||
	    strcmp(n, "CachePipe") == 0) {
		return 2;
	}
	if (strcmp(n, "FutexFanOut") == 0 || strcmp(n, "FanOutCompute") == 0) {
		return spec->params.fan_out + 1;
	}
	if (strcmp(n, "MutexContention") == 0) {
		return spec->params.contenders;
	}
	return 1;
}

/* Values a type cannot run with (a zero stride would never advance, ...). */
static int check_params(const struct ktstr_work_spec *s, char *err, size_t errlen)
{
	const struct ktstr_work_params *p = &s->params;

	if (p->stride == 0 || p->size_kb == 0 || p->region_kb == 0 || p->fan_out == 0 ||
	    p->contenders == 0 || p->cache_footprint_kb == 0) {
		return fail(err, errlen,
			    "work: key 'params': stride, size_kb, region_kb, fan_out, contenders "
			    "and cache_footprint_kb must be > 0");
	}
	if (p->fan_out > KTSTR_WORK_MAX_GROUP || p->contenders > KTSTR_WORK_MAX_GROUP) {
		return fail(err, errlen,
			    "work: key 'params': fan_out and contenders are at most %d",
			    KTSTR_WORK_MAX_GROUP);
	}
	return 0;
}

int ktstr_work_spec__parse(const json_t *work, uint32_t default_workers,
			   struct ktstr_work_spec *out, char *err, size_t errlen)
{
	const json_t *workers;
	const char *tname;
	uint64_t n = default_workers;
	unsigned group;
	int rc;

	if (!json_is_object(work)) {
		return fail(err, errlen, "work: expected an object");
	}
	tname = json_string_value(json_object_get(work, "type"));
	if (tname == NULL) {
		tname = "CpuSpin";
	}
	if (ktstr_work__find(tname) == NULL) {
		return fail(err, errlen, "work: key 'type': unknown work type '%s'", tname);
	}
	ktstr_work_spec__defaults(out, ktstr_work__find(tname));
	workers = json_object_get(work, "workers");
	if (workers != NULL && !json_is_null(workers)) {
		rc = get_uint(workers, "workers", 1, KTSTR_WORK_MAX_WORKERS, &n, err, errlen);
		if (rc) {
			return rc;
		}
	}
	if (n == 0 || n > KTSTR_WORK_MAX_WORKERS) {
		return fail(err, errlen, "work: key 'workers': %llu is outside 1..%d",
			    (unsigned long long)n, KTSTR_WORK_MAX_WORKERS);
	}
	rc = parse_params(json_object_get(work, "params"), &out->params, err, errlen);
	rc = rc ? rc : check_params(out, err, errlen);
	rc = rc ? rc : parse_policy(json_object_get(work, "policy"), out, err, errlen);
	rc = rc ? rc : parse_affinity(json_object_get(work, "affinity"), out, err, errlen);
	rc = rc ? rc : parse_mem_policy(json_object_get(work, "mem_policy"), out, err, errlen);
	if (rc == 0 && strcmp(tname, "payload") == 0) {
		rc = parse_payload(json_object_get(work, "payload"), out, err, errlen);
	}
	if (rc) {
		return rc;
	}
	group = ktstr_work_spec__group_size(out);
	if (n % group != 0) {
		return fail(err, errlen,
			    "work: key 'workers': %s needs a multiple of %u workers, got %llu",
			    tname, group, (unsigned long long)n);
	}
	out->workers = (uint32_t)n;
	return 0;
}
