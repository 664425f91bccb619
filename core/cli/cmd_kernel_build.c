/*
 * `ktstr kernel build --source DIR [--force] [--clean] [--cpu-cap N] [--json]`
 *
 * The chain is the "build" source (with --force and --clean as its instance
 * options force/clean) followed by "gha" when it is loaded, so a remote
 * cache is asked before building and given the result after.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "cli_cancel.h"
#include "commands.h"
#include "kchain.h"
#include "kernel_fetch.h"
#include "profile.h"
#include "registry.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ktstr kernel build --source DIR [options]\n\n"
		"Configures and builds the kernel source tree DIR (a directory with Makefile\n"
		"and Kconfig) for ktstr: `make defconfig` when it has no .config, the ktstr\n"
		"kconfig fragment appended, `make olddefconfig`, `make bzImage`. A clean git\n"
		"tree is cached as local-{hash7}-x86_64-kc{kc} (with -cfg{crc} when it had its\n"
		"own .config); a tree with uncommitted changes, or not a git tree, is built in\n"
		"place and not cached. A Debian linux-source tree is not a git checkout:\n"
		"`git init && git add -f -A && git commit` it once to make it cacheable.\n\n"
		"options:\n"
		"  -s, --source DIR     the kernel source tree (required)\n"
		"      --force          rebuild and replace the cache entry even when cached\n"
		"      --clean          `make mrproper` first (drops the tree's .config)\n"
		"      --cpu-cap N      make -jN (default: KTSTR_CPU_CAP, else 30%% of the CPUs\n"
		"                       this process may use)\n"
		"      --json           one JSON object on stdout\n"
		"  -h, --help           this text\n\n"
		"exit status: 0 built or cached, 1 the build failed (the end of make's log is\n"
		"shown), 2 bad usage, 130 interrupted.\n");
}

/* --cpu-cap / KTSTR_CPU_CAP (@what): digits only, at least 1. */
static int parse_cap(const char *what, const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v > UINT32_MAX) {
		fprintf(stderr, "ktstr kernel build: %s is not a valid integer: \"%s\"\n", what, s);
		return -EINVAL;
	}
	if (v == 0) {
		fprintf(stderr,
			"ktstr kernel build: --cpu-cap must be \xe2\x89\xa5 1 CPU (got 0)\n");
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static void report(const struct ktstr_kernel *k, const char *status, double secs, bool json)
{
	const char *key = ktstr_kernel__get(k, KTSTR_KERNEL_CACHE_KEY);
	const char *image = ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE);
	const char *version = ktstr_kernel__get(k, KTSTR_KERNEL_VERSION);
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", image);
	if (json) {
		json_t *o =
		    json_pack("{s:o,s:s,s:o,s:o,s:s,s:f}", "key", str_or_null(key), "image", image,
			      "vmlinux", str_or_null(ktstr_kernel__get(k, KTSTR_KERNEL_VMLINUX)),
			      "version", str_or_null(version), "status", status, "elapsed_s", secs);
		char *text = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

		if (text != NULL) {
			printf("%s\n", text);
		}
		free(text);
		json_decref(o);
		return;
	}
	if (strcmp(status, "cached") == 0) {
		printf("cached kernel found: %s\n", dirname(dir));
		fprintf(stderr, "use --force to rebuild\n");
	} else if (strcmp(status, "installed") == 0) {
		printf("\xe2\x9c\x93 Kernel cached: %s\n  %s\n", key, image);
	} else {
		printf("built (not cached): %s\n", image);
	}
	fprintf(stderr, "%s %s in %.1f s\n", version != NULL ? version : "version unknown",
		strcmp(status, "cached") == 0 ? "found" : "ready", secs);
}

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Build @dir through the chain @o names. */
static int build(const struct ktstr_kchain_opts *o, const char *dir, bool json)
{
	struct ktstr_kchain_set *set;
	struct ktstr_kernel *k = NULL;
	const char *src = NULL;
	struct timespec t0;
	char err[8192];
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ktstr_kchain__open(o, &set, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "ktstr kernel build: %s\n", err);
		return 1;
	}
	kcli__catch_cancel();
	rc = ktstr_kchain__reserve_budget(ktstr_kchain_set__chain(set), err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "ktstr kernel build: %s\n", err);
		ktstr_kchain_set__close(set);
		return KTSTR_EXIT_USAGE;
	}
	rc = ktstr_kernel__new(&k);
	if (rc == 0) {
		rc = ktstr_kchain__resolve(ktstr_kchain_set__chain(set), dir, k, &src, err,
					   sizeof(err));
	} else {
		snprintf(err, sizeof(err), "out of memory");
	}
	if (rc == 0) {
		report(k, kfetch__how(k), since(&t0), json);
	} else if (rc == -ENOENT && err[0] == '\0') {
		fprintf(stderr,
			"ktstr kernel build: %s is not a kernel source tree (a directory with "
			"Makefile and Kconfig)\n",
			dir);
	} else {
		fprintf(stderr, "ktstr kernel build: %s\n", err[0] != '\0' ? err : strerror(-rc));
	}
	ktstr_kernel__free(k);
	ktstr_kchain_set__close(set);
	return rc == 0 ? 0 : rc == -ECANCELED ? 130 : 1;
}

int ktstr_cmd_kernel_build(int argc, char **argv)
{
	enum { OPT_FORCE = 256, OPT_CLEAN, OPT_CAP, OPT_JSON };
	static const struct option longopts[] = {
	    {"source", required_argument, NULL, 's'},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"clean", no_argument, NULL, OPT_CLEAN},
	    {"cpu-cap", required_argument, NULL, OPT_CAP},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ktstr_cfg_kv kv[2] = {{.key = "force", .value = "true"},
				     {.key = "clean", .value = "true"}};
	struct ktstr_plugin_use uses[2] = {{.plugin = "build"}, {.plugin = "gha"}};
	struct ktstr_kchain_opts o = {.uses = uses, .nuses = 2, .noptional = 1};
	const char *dir = NULL, *bypass = getenv("KTSTR_BYPASS_LLC_LOCKS");
	const char *env_cap = getenv("KTSTR_CPU_CAP");
	bool force = false, clean = false, json = false, flag_cap;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			dir = optarg;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_CLEAN:
			clean = true;
			break;
		case OPT_CAP:
			if (parse_cap("--cpu-cap", optarg, &o.cpu_cap) != 0) {
				return KTSTR_EXIT_USAGE;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return KTSTR_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr,
			"ktstr kernel build: unexpected \"%s\"; only --source DIR builds are "
			"supported (`ktstr kernel fetch VERSION` downloads a kernel)\n\n",
			argv[optind]);
		usage(stderr);
		return KTSTR_EXIT_USAGE;
	}
	flag_cap = o.cpu_cap != 0;
	if (dir == NULL) {
		fprintf(stderr, "ktstr kernel build: name the source tree with --source DIR\n\n");
		usage(stderr);
		return KTSTR_EXIT_USAGE;
	}
	/*
	 * The flag wins over KTSTR_CPU_CAP. Both are checked here, as upstream's
	 * CLI does: the chain only warns when the planner refuses a budget.
	 */
	if (o.cpu_cap == 0 && env_cap != NULL && env_cap[0] != '\0' &&
	    parse_cap("KTSTR_CPU_CAP", env_cap, &o.cpu_cap) != 0) {
		return KTSTR_EXIT_USAGE;
	}
	if (o.cpu_cap != 0 && bypass != NULL && bypass[0] != '\0') {
		fprintf(stderr,
			"ktstr kernel build: %s conflicts with KTSTR_BYPASS_LLC_LOCKS=1; unset one "
			"of them. %s is a resource contract; bypass disables the contract "
			"entirely.\n",
			flag_cap ? "--cpu-cap" : "KTSTR_CPU_CAP",
			flag_cap ? "--cpu-cap" : "KTSTR_CPU_CAP");
		return KTSTR_EXIT_USAGE;
	}
	/* --force and --clean reach the plugin as its instance options */
	uses[0].cfg.kv = force ? kv : clean ? kv + 1 : NULL;
	uses[0].cfg.n = (size_t)force + (size_t)clean;
	return build(&o, dir, json);
}
