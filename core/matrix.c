#include "matrix.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "topo.h"

/* A bound on the cross product: far more tests than any run could boot. */
#define KTSTR_MATRIX_MAX 1000000

/* ---- expansion ---- */

static uint32_t estimate_s(const struct ktstr_profile *p, size_t topo, size_t scenario)
{
	uint32_t vcpus = ktstr_topo__vcpus(&p->topos[topo].topo);
	uint32_t ms = p->scenarios[scenario].duration_ms;

	ms = ms != 0 ? ms : p->defaults.duration_ms;
	ms = ms != 0 ? ms : 2000;
	/* upstream: boot 10 s, +1 s per 10 vCPUs past 16, the run, 2 s to collect */
	return 10 + (vcpus > 16 ? (vcpus - 16) / 10 : 0) + (ms + 999) / 1000 + 2;
}

static bool any_match(char *const *globs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (fnmatch(globs[i], name, 0) == 0) {
			return true;
		}
	}
	return false;
}

static bool selected(const struct ktstr_profile *p, const char *name)
{
	if (p->ninclude > 0 && !any_match(p->include, p->ninclude, name)) {
		return false;
	}
	return !any_match(p->exclude, p->nexclude, name);
}

static char *test_name(const struct ktstr_profile *p, const struct ktstr_test *t,
		       const char *const *kernel_labels, size_t nkernels)
{
	const char *flagset = p->nflagsets > 0 ? p->flagsets[t->flagset].name : "default";
	const char *kernel = nkernels > 1 ? kernel_labels[t->kernel] : NULL;
	size_t len = strlen(p->scenarios[t->scenario].name) + strlen(p->topos[t->topo].label) +
		     strlen(p->scheds[t->sched].name) + strlen(flagset) +
		     (kernel != NULL ? strlen(kernel) + 1 : 0) + 4;
	char *name = malloc(len);

	if (name != NULL) {
		snprintf(name, len, "%s/%s/%s/%s%s%s", p->scenarios[t->scenario].name,
			 p->topos[t->topo].label, p->scheds[t->sched].name, flagset,
			 kernel != NULL ? "/" : "", kernel != NULL ? kernel : "");
	}
	return name;
}

static int push(struct ktstr_matrix *m, size_t *cap, const struct ktstr_test *t)
{
	if (m->n == *cap) {
		size_t ncap = *cap != 0 ? *cap * 2 : 64;
		struct ktstr_test *nt = realloc(m->tests, ncap * sizeof(*nt));

		if (nt == NULL) {
			return -ENOMEM;
		}
		m->tests = nt;
		*cap = ncap;
	}
	m->tests[m->n++] = *t;
	return 0;
}

/* The product of the dimensions; -E2BIG past KTSTR_MATRIX_MAX. */
static int product(const size_t *dims, size_t n, size_t *total)
{
	*total = 1;
	for (size_t i = 0; i < n; i++) {
		if (dims[i] != 0 && *total > KTSTR_MATRIX_MAX / dims[i]) {
			return -E2BIG;
		}
		*total *= dims[i];
	}
	return 0;
}

/* Test number @p i of the cross product; the last dimension varies fastest. */
static void coords(size_t i, const size_t *dims, struct ktstr_test *t)
{
	size_t *fields[] = {&t->kernel, &t->topo, &t->sched, &t->flagset, &t->scenario};

	for (size_t d = 5; d-- > 0;) {
		*fields[d] = i % dims[d];
		i /= dims[d];
	}
}

static int check_kernels(const struct ktstr_profile *p, const char *const *labels, size_t n,
			 char *err, size_t errlen)
{
	if (n == 0) {
		snprintf(err, errlen,
			 "%s: no kernel to run the tests on (resolve the kernels first)", p->path);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (labels[i] == NULL || labels[i][0] == '\0') {
			snprintf(err, errlen, "%s: kernel %zu has no label", p->path, i + 1);
			return -EINVAL;
		}
		for (size_t j = 0; j < i && n > 1; j++) {
			if (strcmp(labels[i], labels[j]) == 0) {
				snprintf(err, errlen,
					 "%s: two kernels share the label \"%s\"; test names would "
					 "collide",
					 p->path, labels[i]);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* ---- budget: greedy coverage ---- */

enum { F_SCHED, F_TOPO, F_SCENARIO, F_FLAGSET, F_KERNEL, F_VCPUS, F_LLCS, F_SMT, F_NUMA, F_DIMS };
#define MAX_TEST_FEATURES F_DIMS

static size_t bucket(uint32_t v, const uint32_t *upper, size_t n)
{
	size_t i = 0;

	while (i < n && v > upper[i]) {
		i++;
	}
	return i;
}

/*
 * The features a test covers, as indexes into one flat space: one per value
 * of each dimension (scheduler, topology, scenario, flag set, kernel), the
 * vCPU, LLC and NUMA buckets upstream uses, and SMT. Returns how many.
 */
static size_t features(const struct ktstr_profile *p, const struct ktstr_test *t,
		       const size_t *base, size_t *out)
{
	static const uint32_t vcpu_b[] = {8, 16, 64, 128};
	static const uint32_t llc_b[] = {1, 2, 4, 8};
	static const uint32_t numa_b[] = {1, 2, 4};
	const struct ktstr_topo *tp = &p->topos[t->topo].topo;
	size_t n = 0;

	out[n++] = base[F_SCHED] + t->sched;
	out[n++] = base[F_TOPO] + t->topo;
	out[n++] = base[F_SCENARIO] + t->scenario;
	out[n++] = base[F_FLAGSET] + t->flagset;
	out[n++] = base[F_KERNEL] + t->kernel;
	out[n++] = base[F_VCPUS] + bucket(ktstr_topo__vcpus(tp), vcpu_b, 4);
	out[n++] = base[F_LLCS] + bucket(tp->llcs, llc_b, 4);
	if (tp->threads > 1) {
		out[n++] = base[F_SMT];
	}
	out[n++] = base[F_NUMA] + bucket(tp->numa_nodes, numa_b, 3);
	return n;
}

struct cand {
	size_t feat[MAX_TEST_FEATURES];
	size_t nfeat;
	bool picked;
};

static size_t marginal(const struct cand *c, const bool *covered)
{
	size_t m = 0;

	for (size_t i = 0; i < c->nfeat; i++) {
		m += covered[c->feat[i]] ? 0 : 1;
	}
	return m;
}

/* Is candidate a (gain ga) a better pick than b (gain gb)? Higher gain per second, then name. */
static bool better(const struct ktstr_test *a, size_t ga, const struct ktstr_test *b, size_t gb)
{
	uint64_t lhs = (uint64_t)ga * b->est_s, rhs = (uint64_t)gb * a->est_s;

	return lhs != rhs ? lhs > rhs : strcmp(a->name, b->name) < 0;
}

static void budget_pick(struct ktstr_matrix *m, struct cand *cands, bool *covered, uint64_t *left)
{
	for (;;) {
		size_t best = SIZE_MAX, best_gain = 0;

		for (size_t i = 0; i < m->n; i++) {
			size_t gain;

			if (cands[i].picked || m->tests[i].est_s > *left) {
				continue;
			}
			gain = marginal(&cands[i], covered);
			if (gain > 0 && (best == SIZE_MAX ||
					 better(&m->tests[i], gain, &m->tests[best], best_gain))) {
				best = i;
				best_gain = gain;
			}
		}
		if (best == SIZE_MAX) {
			return;
		}
		cands[best].picked = true;
		*left -= m->tests[best].est_s;
		for (size_t f = 0; f < cands[best].nfeat; f++) {
			covered[cands[best].feat[f]] = true;
		}
	}
}

/* Drop the tests not picked, keeping the original order. */
static void keep_picked(struct ktstr_matrix *m, const struct cand *cands)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++) {
		if (cands[i].picked) {
			m->tests[n++] = m->tests[i];
		} else {
			free(m->tests[i].name);
		}
	}
	m->n = n;
}

static size_t count_true(const bool *v, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++) {
		c += v[i] ? 1 : 0;
	}
	return c;
}

static int apply_budget(const struct ktstr_profile *p, size_t nkernels, size_t nflagsets,
			struct ktstr_matrix *m)
{
	size_t dims[F_DIMS] = {p->nscheds, p->ntopos, p->nscenarios, nflagsets, nkernels, 5, 5,
			       1,	   4};
	size_t base[F_DIMS], nfeat = 0, possible, before = m->n;
	uint64_t total = 0, left = (uint64_t)p->budget_s;
	struct cand *cands;
	bool *covered, *present;

	for (size_t i = 0; i < m->n; i++) {
		total += m->tests[i].est_s;
	}
	if (total <= left) {
		KTSTR_INFO("budget: all %zu tests fit (%llu/%us)", m->n, (unsigned long long)total,
			   p->budget_s);
		return 0;
	}
	for (size_t d = 0; d < F_DIMS; d++) {
		base[d] = nfeat;
		nfeat += dims[d];
	}
	cands = calloc(m->n, sizeof(*cands));
	covered = calloc(nfeat, sizeof(*covered));
	present = calloc(nfeat, sizeof(*present));
	if (cands == NULL || covered == NULL || present == NULL) {
		free(cands);
		free(covered);
		free(present);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->n; i++) {
		cands[i].nfeat = features(p, &m->tests[i], base, cands[i].feat);
		for (size_t f = 0; f < cands[i].nfeat; f++) {
			present[cands[i].feat[f]] = true;
		}
	}
	possible = count_true(present, nfeat);
	budget_pick(m, cands, covered, &left);
	keep_picked(m, cands);
	KTSTR_INFO("budget: %zu/%zu tests, %llu/%us used, %zu/%zu features covered", m->n, before,
		   (unsigned long long)(p->budget_s - left), p->budget_s,
		   count_true(covered, nfeat), possible);
	free(cands);
	free(covered);
	free(present);
	return 0;
}

int ktstr_matrix__expand(const struct ktstr_profile *p, const char *const *kernel_labels,
			 size_t nkernels, struct ktstr_matrix *out, char *err, size_t errlen)
{
	size_t nflagsets = p->nflagsets > 0 ? p->nflagsets : 1;
	const size_t dims[5] = {nkernels, p->ntopos, p->nscheds, nflagsets, p->nscenarios};
	struct ktstr_matrix m = {0};
	struct ktstr_test t = {0};
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = check_kernels(p, kernel_labels, nkernels, err, errlen);
	if (rc != 0) {
		return rc;
	}
	if (product(dims, 5, &m.total_before_filter) != 0) {
		snprintf(err, errlen,
			 "%s: the profile expands to more than %d tests; use fewer kernels, "
			 "topologies, schedulers, flag sets or scenarios",
			 p->path, KTSTR_MATRIX_MAX);
		return -E2BIG;
	}
	for (size_t i = 0; i < m.total_before_filter; i++) {
		coords(i, dims, &t);
		t.est_s = estimate_s(p, t.topo, t.scenario);
		t.name = test_name(p, &t, kernel_labels, nkernels);
		if (t.name == NULL) {
			rc = -ENOMEM;
			goto err_m;
		}
		if (!selected(p, t.name)) {
			free(t.name);
			continue;
		}
		rc = push(&m, &cap, &t);
		if (rc != 0) {
			free(t.name);
			goto err_m;
		}
	}
	if (p->budget_s > 0 && m.n > 0) {
		rc = apply_budget(p, nkernels, nflagsets, &m);
		if (rc != 0) {
			goto err_m;
		}
	}
	*out = m;
	return 0;

err_m:
	snprintf(err, errlen, "%s: out of memory while expanding the test matrix", p->path);
	ktstr_matrix__release(&m);
	return rc;
}

void ktstr_matrix__release(struct ktstr_matrix *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->tests[i].name);
	}
	free(m->tests);
	memset(m, 0, sizeof(*m));
}
