/* `ktstr topo [NAME...]`: the preset table, or what a topology name means. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "profile.h"
#include "topo.h"

static void print_one(const char *label, const struct ktstr_topo *t, unsigned memory_mb)
{
	char name[64];

	ktstr_topo__name(t, name, sizeof(name));
	printf("%-20s %-10s numa=%u llcs=%u cores/llc=%u threads=%u vcpus=%u", label, name,
	       t->numa_nodes, t->llcs, t->cores, t->threads, ktstr_topo__vcpus(t));
	if (memory_mb > 0) {
		printf(" memory=%uMB", memory_mb);
	}
	printf("\n");
}

int ktstr_cmd_topo(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: ktstr topo [NAME...]\n\n"
		       "Without names: the upstream topology presets usable in profiles.\n"
		       "With names (a preset or the compact form NnLlCcTt, e.g. 1n2l4c1t = 1 NUMA\n"
		       "node, 2 LLCs, 4 cores per LLC, 1 thread per core): what each means.\n");
		return 0;
	}
	if (argc <= 1) {
		size_t n;
		const struct ktstr_topo_preset *p = ktstr_topo__presets(&n);

		for (size_t i = 0; i < n; i++) {
			print_one(p[i].name, &p[i].topo, p[i].memory_mb);
		}
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		struct ktstr_topo t;
		char err[256];

		if (ktstr_topo__parse(argv[i], &t, err, sizeof(err)) != 0) {
			fprintf(stderr, "ktstr topo: %s\n", err);
			return KTSTR_EXIT_USAGE;
		}
		print_one(argv[i], &t, 0);
	}
	return 0;
}
