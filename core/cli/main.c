/* `ktstr`: dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "profile.h"
#include "version.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", ktstr_cmd_run, "run a profile: boot a VM per test and check the scheduler" },
	{ "plugin", ktstr_cmd_plugin, "list the loaded plugins (kernel sources, planners, VMs, sinks)" },
	{ "topo", ktstr_cmd_topo, "list topology presets or explain a topology name" },
	{ "kernel", ktstr_cmd_kernel, "list, fetch, build and clean cached kernels" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ktstr <command> [options]\n\n"
		     "ktstr boots a fresh VM per test with the CPU topology you ask for, runs a\n"
		     "scenario under the scheduler under test (or the kernel's own, \"eevdf\"), and\n"
		     "reports starvation, unfairness and stalls.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	}
	fprintf(out, "\nRun `ktstr <command> --help` for a command's options.\n"
		     "Example: ktstr run configs/smoke.yaml\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return KTSTR_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ktstr %s\n", ktstr_version());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "ktstr: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return KTSTR_EXIT_USAGE;
}
