/* `ktstr kernel <list|fetch|clean|build>`: the kernel cache and sources. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "profile.h"

struct kernel_sub {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct kernel_sub subs[] = {
	{ "list", ktstr_cmd_kernel_list, "list cached kernels (valid and corrupt) [--json]" },
	{ "fetch", ktstr_cmd_kernel_fetch, "resolve kernels through the sources and cache them" },
	{ "build", ktstr_cmd_kernel_build, "configure and build a kernel source tree, cache it" },
	{ "clean", ktstr_cmd_kernel_clean, "remove corrupt entries and all but the N newest" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ktstr kernel <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		fprintf(out, "  %-6s %s\n", subs[i].name, subs[i].summary);
	}
	fprintf(out, "\nThe cache lives in $KTSTR_CACHE_DIR, else $XDG_CACHE_HOME/ktstr/kernels,\n"
		     "else ~/.cache/ktstr/kernels. Run `ktstr kernel <command> --help` for "
		     "details.\n");
}

int ktstr_cmd_kernel(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return KTSTR_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			return subs[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "ktstr kernel: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return KTSTR_EXIT_USAGE;
}
