/* A hand-made guest topology for the scenario engine's tests (no sysfs). */
#ifndef KTSTR_TESTS_GUEST_FAKE_TOPO_H
#define KTSTR_TESTS_GUEST_FAKE_TOPO_H

#include <stdlib.h>
#include <string.h>

#include "topology.h"

/* @p cpus CPUs in @p nllc equal LLCs, one NUMA node per @p per_node LLCs. */
static inline void fake_topo(struct ktstr_guest_topo *t, unsigned cpus, unsigned nllc,
			     unsigned per_node)
{
	unsigned per_llc = cpus / nllc;

	memset(t, 0, sizeof(*t));
	t->cpus = cpus;
	t->llcs = nllc;
	t->numa_nodes = nllc / per_node;
	t->llc = calloc(nllc, sizeof(*t->llc));
	t->node = calloc(t->numa_nodes, sizeof(*t->node));
	if (t->llc == NULL || t->node == NULL) {
		abort();
	}
	t->nllc = nllc;
	t->nnode = t->numa_nodes;
	for (unsigned c = 0; c < cpus; c++) {
		ktstr_cpumask__set(&t->online, c);
		ktstr_cpumask__set(&t->llc[c / per_llc], c);
		ktstr_cpumask__set(&t->node[c / per_llc / per_node], c);
	}
}

static inline void fake_topo_release(struct ktstr_guest_topo *t)
{
	free(t->llc);
	free(t->node);
	memset(t, 0, sizeof(*t));
}

#endif
