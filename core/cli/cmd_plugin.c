/*
 * `ktstr plugin list [--json] [--verbose]`: what the plugin search path holds.
 * Exit 0 listed, KTSTR_EXIT_USAGE (2) on a usage error, 1 when nothing could be scanned.
 */
#include "commands.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "profile.h"
#include "registry.h"

static const char usage[] =
	"usage: ktstr plugin list [--json] [--verbose]\n"
	"\n"
	"List the plugin modules found on the search path: each directory of\n"
	"KTSTR_PLUGIN_PATH (colon-separated), then the build tree's plugin\n"
	"directory when ktstr runs from its build tree, else the installed one.\n"
	"Modules that were refused (other ABI, bad descriptor, duplicate name)\n"
	"are listed after the table, one line each.\n"
	"\n"
	"  --json         print {\"plugins\": [...], \"refused\": [...]} instead\n"
	"  -v, --verbose  add a DESCRIPTION column\n"
	"  -h, --help     show this help\n";

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "ktstr plugin: %s \"%s\" (see `ktstr plugin --help`)\n", what, arg);
	return KTSTR_EXIT_USAGE;
}

static int print_json(const struct ktstr_registry *reg)
{
	json_t *root = json_object(), *plugins = json_array(), *refused = json_array();
	int ret = 1;

	if (root == NULL || plugins == NULL || refused == NULL ||
	    json_object_set(root, "plugins", plugins) != 0 ||
	    json_object_set(root, "refused", refused) != 0) {
		goto out;
	}
	for (size_t i = 0; i < ktstr_registry__count(reg); i++) {
		struct ktstr_plugin_info info;
		char abi[16];

		ktstr_registry__info(reg, i, &info);
		snprintf(abi, sizeof(abi), "%u.%u", info.abi_major, info.abi_minor);
		if (json_array_append_new(plugins,
					  json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "name",
						    info.name, "kind",
						    ktstr_plugin_kind__name(info.kind), "abi", abi,
						    "version", info.version, "description",
						    info.description, "path", info.path)) != 0) {
			goto out;
		}
	}
	for (size_t i = 0; i < ktstr_registry__refusal_count(reg); i++) {
		if (json_array_append_new(refused,
					  json_string(ktstr_registry__refusal(reg, i))) != 0) {
			goto out;
		}
	}
	if (json_dumpf(root, stdout, JSON_INDENT(2)) == 0 && fputc('\n', stdout) != EOF &&
	    fflush(stdout) == 0) {
		ret = 0;
	}
out:
	if (ret != 0) {
		fprintf(stderr, "ktstr plugin list: cannot write the JSON listing\n");
	}
	json_decref(plugins);
	json_decref(refused);
	json_decref(root);
	return ret;
}

static int width(int cur, const char *s)
{
	int n = (int)strlen(s);

	return n > cur ? n : cur;
}

static int print_table(const struct ktstr_registry *reg, bool verbose)
{
	int wname = 4, wkind = 4, wver = 7, wpath = 4;
	size_t n = ktstr_registry__count(reg);

	for (size_t i = 0; i < n; i++) {
		struct ktstr_plugin_info info;

		ktstr_registry__info(reg, i, &info);
		wname = width(wname, info.name);
		wkind = width(wkind, ktstr_plugin_kind__name(info.kind));
		wver = width(wver, info.version);
		wpath = width(wpath, info.path);
	}
	if (!verbose) {
		wpath = 0; /* the last column needs no padding */
	}
	if (n == 0) {
		puts("no plugins found; point KTSTR_PLUGIN_PATH at a directory of *.so modules");
	} else {
		printf("%-*s  %-*s  %-5s  %-*s  %-*s%s\n", wname, "NAME", wkind, "KIND", "ABI",
		       wver, "VERSION", wpath, "PATH", verbose ? "  DESCRIPTION" : "");
	}
	for (size_t i = 0; i < n; i++) {
		struct ktstr_plugin_info info;
		char abi[16];

		ktstr_registry__info(reg, i, &info);
		snprintf(abi, sizeof(abi), "%u.%u", info.abi_major, info.abi_minor);
		printf("%-*s  %-*s  %-5s  %-*s  %-*s%s%s\n", wname, info.name, wkind,
		       ktstr_plugin_kind__name(info.kind), abi, wver, info.version, wpath,
		       info.path, verbose ? "  " : "", verbose ? info.description : "");
	}
	if (ktstr_registry__refusal_count(reg) > 0) {
		printf("\nrefused modules:\n");
	}
	for (size_t i = 0; i < ktstr_registry__refusal_count(reg); i++) {
		printf("  %s\n", ktstr_registry__refusal(reg, i));
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ktstr plugin list: cannot write the listing\n");
		return 1;
	}
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	struct ktstr_registry *reg;
	bool json = false, verbose = false;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else {
			return usage_error("list: unknown argument", argv[i]);
		}
	}
	ret = ktstr_registry__new(&reg);
	if (ret != 0) {
		fprintf(stderr, "ktstr plugin list: cannot create the registry: %s\n",
			strerror(-ret));
		return 1;
	}
	ret = ktstr_registry__load_default(reg);
	if (ret != 0) {
		/* load_default has said which directories it tried. */
		ktstr_registry__free(reg);
		return 1;
	}
	if (json) {
		ret = print_json(reg);
	} else {
		ret = print_table(reg, verbose);
	}
	ktstr_registry__free(reg);
	return ret;
}

int ktstr_cmd_plugin(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return KTSTR_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "list") == 0) {
		return cmd_list(argc - 1, argv + 1);
	}
	return usage_error("unknown subcommand", argv[1]);
}
