#include "topology.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

#define CPU_DIR "/sys/devices/system/cpu"
#define NODE_DIR "/sys/devices/system/node"

struct groups {
	struct ktstr_cpumask *v;
	size_t n, cap;
};

/* Add @p m unless an equal group is already there. */
static int groups_add(struct groups *g, const struct ktstr_cpumask *m)
{
	for (size_t i = 0; i < g->n; i++) {
		if (ktstr_cpumask__equal(&g->v[i], m)) {
			return 0;
		}
	}
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 8;
		struct ktstr_cpumask *v = realloc(g->v, cap * sizeof(*v));

		if (v == NULL) {
			return -ENOMEM;
		}
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = *m;
	return 0;
}

static int cmp_first_cpu(const void *a, const void *b)
{
	return ktstr_cpumask__next(a, -1) - ktstr_cpumask__next(b, -1);
}

/* Read a cpulist file "<root><rel>" into @p m. */
static int read_list(const char *root, const char *rel, struct ktstr_cpumask *m, char *err,
		     size_t errlen)
{
	char buf[4096];
	int rc = ktstr_file__read_at(root, rel, buf, sizeof(buf));

	if (rc) {
		snprintf(err, errlen, "cannot read %s%s: %s", root, rel, strerror(-rc));
		return rc;
	}
	rc = ktstr_cpumask__parse(buf, m);
	if (rc) {
		snprintf(err, errlen, "%s%s: '%.64s' is not a CPU list (%s)", root, rel, buf,
			 rc == -ERANGE ? "CPU number too large" : "bad syntax");
	}
	return rc;
}

/*
 * The LLC is the cache index with the highest "level" below cpuN/cache.
 * Returns -ENOENT (and no message) when the CPU has no cache information.
 */
static int read_llc(const char *root, int cpu, struct ktstr_cpumask *m, char *err, size_t errlen)
{
	char rel[128], buf[32];
	long best_level = -1;
	int best = -1;

	for (int idx = 0; idx < 16; idx++) {
		long level;

		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%d/cache/index%d/level", cpu, idx);
		if (ktstr_file__read_at(root, rel, buf, sizeof(buf)) != 0) {
			continue;
		}
		level = strtol(buf, NULL, 10);
		if (level > best_level) {
			best_level = level;
			best = idx;
		}
	}
	if (best < 0) {
		return -ENOENT;
	}
	snprintf(rel, sizeof(rel), CPU_DIR "/cpu%d/cache/index%d/shared_cpu_list", cpu, best);
	return read_list(root, rel, m, err, errlen);
}

static int read_cpu_groups(const char *root, struct ktstr_guest_topo *t, struct groups *llc,
			   struct groups *smt, char *err, size_t errlen)
{
	char rel[128];
	int rc;

	for (int cpu = ktstr_cpumask__next(&t->online, -1); cpu >= 0;
	     cpu = ktstr_cpumask__next(&t->online, cpu)) {
		struct ktstr_cpumask m;

		rc = read_llc(root, cpu, &m, err, errlen);
		if (rc == -ENOENT) {
			snprintf(rel, sizeof(rel), CPU_DIR "/cpu%d/topology/package_cpus_list",
				 cpu);
			rc = read_list(root, rel, &m, err, errlen);
		}
		if (rc) {
			return rc;
		}
		ktstr_cpumask__and(&m, &t->online);
		ktstr_cpumask__set(&m, (unsigned)cpu);
		rc = groups_add(llc, &m);
		if (rc) {
			return rc;
		}
		snprintf(rel, sizeof(rel), CPU_DIR "/cpu%d/topology/thread_siblings_list", cpu);
		rc = read_list(root, rel, &m, err, errlen);
		if (rc == -ENOENT) {
			snprintf(rel, sizeof(rel), CPU_DIR "/cpu%d/topology/core_cpus_list", cpu);
			rc = read_list(root, rel, &m, err, errlen);
		}
		if (rc) {
			return rc;
		}
		ktstr_cpumask__and(&m, &t->online);
		ktstr_cpumask__set(&m, (unsigned)cpu);
		rc = groups_add(smt, &m);
		if (rc) {
			return rc;
		}
	}
	return 0;
}

static int read_nodes(const char *root, struct ktstr_guest_topo *t, struct groups *nodes, char *err,
		      size_t errlen)
{
	char path[PATH_MAX], rel[128];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "%s" NODE_DIR, root);
	d = opendir(path);
	if (d == NULL && errno == ENOENT) {
		/* CONFIG_NUMA=n: one node with every CPU. */
		return groups_add(nodes, &t->online);
	}
	if (d == NULL) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-rc));
		return rc;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct ktstr_cpumask m;
		const char *p = de->d_name + 4;

		if (strncmp(de->d_name, "node", 4) != 0 || !isdigit((unsigned char)*p)) {
			continue;
		}
		while (isdigit((unsigned char)*p)) {
			p++;
		}
		if (*p != '\0') {
			continue;
		}
		snprintf(rel, sizeof(rel), NODE_DIR "/%.32s/cpulist", de->d_name);
		rc = read_list(root, rel, &m, err, errlen);
		if (rc == 0) {
			ktstr_cpumask__and(&m, &t->online);
			/* Memory-only (or offline) nodes do not count. */
			rc = ktstr_cpumask__count(&m) > 0 ? groups_add(nodes, &m) : 0;
		}
	}
	closedir(d);
	if (rc == 0 && nodes->n == 0) {
		snprintf(err, errlen, "%s has no node with an online CPU", path);
		rc = -ENOENT;
	}
	return rc;
}

static unsigned largest(const struct groups *g)
{
	unsigned best = 0;

	for (size_t i = 0; i < g->n; i++) {
		unsigned c = ktstr_cpumask__count(&g->v[i]);

		best = c > best ? c : best;
	}
	return best;
}

int ktstr_guest_topo__read(const char *root, struct ktstr_guest_topo *out, char *err, size_t errlen)
{
	struct groups llc = {0}, smt = {0}, nodes = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = read_list(root, CPU_DIR "/online", &out->online, err, errlen);
	if (rc) {
		return rc;
	}
	out->cpus = ktstr_cpumask__count(&out->online);
	if (out->cpus == 0) {
		snprintf(err, errlen, "%s" CPU_DIR "/online lists no CPU", root);
		return -ENOENT;
	}
	rc = read_cpu_groups(root, out, &llc, &smt, err, errlen);
	if (rc == 0) {
		rc = read_nodes(root, out, &nodes, err, errlen);
	}
	if (rc) {
		if (rc == -ENOMEM) {
			snprintf(err, errlen, "out of memory reading the topology");
		}
		free(llc.v);
		free(smt.v);
		free(nodes.v);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	qsort(llc.v, llc.n, sizeof(*llc.v), cmp_first_cpu);
	qsort(smt.v, smt.n, sizeof(*smt.v), cmp_first_cpu);
	qsort(nodes.v, nodes.n, sizeof(*nodes.v), cmp_first_cpu);
	out->llc = llc.v;
	out->nllc = llc.n;
	out->smt = smt.v;
	out->nsmt = smt.n;
	out->node = nodes.v;
	out->nnode = nodes.n;
	out->llcs = (unsigned)llc.n;
	out->numa_nodes = (unsigned)nodes.n;
	out->threads = largest(&smt);
	out->cores = largest(&llc) / out->threads;
	return 0;
}

void ktstr_guest_topo__release(struct ktstr_guest_topo *t)
{
	free(t->llc);
	free(t->node);
	free(t->smt);
	memset(t, 0, sizeof(*t));
}

static json_t *mask_json(const struct ktstr_cpumask *m)
{
	json_t *a = json_array();

	for (int c = ktstr_cpumask__next(m, -1); a != NULL && c >= 0;
	     c = ktstr_cpumask__next(m, c)) {
		if (json_array_append_new(a, json_integer(c)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

static json_t *groups_json(const struct ktstr_cpumask *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++) {
		if (json_array_append_new(a, mask_json(&v[i])) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

json_t *ktstr_guest_topo__to_json(const struct ktstr_guest_topo *t)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o}", "cpus", (json_int_t)t->cpus,
			 "numa_nodes", (json_int_t)t->numa_nodes, "llcs", (json_int_t)t->llcs,
			 "cores", (json_int_t)t->cores, "threads", (json_int_t)t->threads,
			 "llc_cpus", groups_json(t->llc, t->nllc), "node_cpus",
			 groups_json(t->node, t->nnode), "smt_siblings",
			 groups_json(t->smt, t->nsmt));
}

/* Append "guest has N <what>, test asked for M" to msg when they differ. */
static bool same(unsigned have, unsigned want, const char *one, const char *many, char *msg,
		 size_t msglen)
{
	size_t used = strlen(msg);

	if (have == want) {
		return true;
	}
	snprintf(msg + used, msglen - used, "%sguest has %u %s, test asked for %u",
		 used ? "; " : "", have, have == 1 ? one : many, want);
	return false;
}

bool ktstr_guest_topo__matches(const struct ktstr_guest_topo *t, const struct ktstr_spec_topo *want,
			       char *msg, size_t msglen)
{
	unsigned want_cpus = want->llcs * want->cores * want->threads;
	bool ok = true;

	msg[0] = '\0';
	ok &= same(t->cpus, want_cpus, "CPU", "CPUs", msg, msglen);
	ok &= same(t->numa_nodes, want->numa_nodes, "NUMA node", "NUMA nodes", msg, msglen);
	ok &= same(t->llcs, want->llcs, "LLC", "LLCs", msg, msglen);
	ok &= same(t->cores, want->cores, "core per LLC", "cores per LLC", msg, msglen);
	ok &= same(t->threads, want->threads, "thread per core", "threads per core", msg, msglen);
	return ok;
}
