/* `ktstr run PROFILE`: parse options, trap Ctrl-C, hand off to the engine. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "engine.h"
#include "profile.h"
#include "registry.h"

#define MAX_LIST 64

static int cancel_pipe[2] = { -1, -1 };

/* Async-signal-safe: wake the engine and the VM backend, which stop the VM. */
static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	ktstr_registry__cancel();
	if (write(cancel_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a stop is already pending */
	}
	errno = saved;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ktstr run [options] PROFILE.yaml\n\n"
		"Expands the profile (kernels x topologies x schedulers x flag sets x scenarios)\n"
		"into tests and runs each in a fresh VM. One line per test; a result record per\n"
		"test goes to every result sink (default: a JSON sidecar in the run directory).\n\n"
		"options:\n"
		"  -n, --dry-run        print the expanded test list; boot nothing\n"
		"  -k, --kernel ID      kernel to use (path, version, cache key, or a range A..B\n"
		"                       of the cached versions); repeatable; replaces the\n"
		"                       profile's kernels; 2+ kernels add a kernel part to names\n"
		"  -f, --filter GLOB    run only tests whose name matches GLOB; repeatable\n"
		"  -o, --output DIR     parent of the run directory (default: profile's output,\n"
		"                       else ./ktstr-runs)\n"
		"      --json           machine-readable plan/summary on stdout (lines go to stderr)\n"
		"  -v, --verbose        guest kernel console at loglevel 7 (as KTSTR_VERBOSE=1)\n"
		"  -h, --help           this text\n\n"
		"without -k or profile kernels: KTSTR_KERNEL_LIST (label=dir;... with 2+ entries),\n"
		"else discovery: KTSTR_TEST_KERNEL (an image), KTSTR_KERNEL, the newest kernel in\n"
		"the cache (`ktstr kernel fetch sid` fills it), ./linux, ../linux,\n"
		"/lib/modules/$(uname -r)/build, then /lib/modules/$(uname -r)/vmlinuz,\n"
		"/boot/vmlinuz-$(uname -r), /boot/vmlinuz (docs/profile.md). Kernels resolve\n"
		"KTSTR_KERNEL_PARALLELISM at a time (default: the CPU count).\n"
		"KTSTR_CI set => results record run_source \"ci\".\n\n"
		"exit status: 0 all tests passed or skipped, 1 a test failed or errored,\n"
		"2 bad input (profile, options, kernel), 130 interrupted.\n"
		"test names: SCENARIO/TOPOLOGY/SCHEDULER/FLAGSET[/KERNEL]\n");
}

static int install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		return -errno;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return 0;
}

int ktstr_cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' }, { "kernel", required_argument, NULL, 'k' },
		{ "filter", required_argument, NULL, 'f' }, { "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'J' },     { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },     { NULL, 0, NULL, 0 },
	};
	const char *kernels[MAX_LIST], *filters[MAX_LIST];
	struct ktstr_run_opts o = { .sz = sizeof(o), .kernels = kernels, .filters = filters,
				    .cancel_fd = -1 };
	struct ktstr_run_summary sum;
	char err[2048];
	int c, ret;

	o.verbose = getenv("KTSTR_VERBOSE") != NULL && strcmp(getenv("KTSTR_VERBOSE"), "1") == 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "nk:f:o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.dry_run = true;
			break;
		case 'k':
			if (o.nkernels == MAX_LIST) {
				fprintf(stderr, "ktstr run: at most %d --kernel options\n", MAX_LIST);
				return KTSTR_EXIT_USAGE;
			}
			kernels[o.nkernels++] = optarg;
			break;
		case 'f':
			if (o.nfilters == MAX_LIST) {
				fprintf(stderr, "ktstr run: at most %d --filter options\n", MAX_LIST);
				return KTSTR_EXIT_USAGE;
			}
			filters[o.nfilters++] = optarg;
			break;
		case 'o':
			o.output_dir = optarg;
			break;
		case 'J':
			o.json = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return KTSTR_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "ktstr run: expected exactly one profile file\n\n");
		usage(stderr);
		return KTSTR_EXIT_USAGE;
	}
	o.profile_path = argv[optind];
	if (install_signals() != 0) {
		fprintf(stderr, "ktstr run: cannot set up signal handling: %s\n", strerror(errno));
		return 1;
	}
	o.cancel_fd = cancel_pipe[0];
	ret = ktstr_engine__run(&o, &sum, err, sizeof(err));
	if (ret == -ECANCELED) {
		fprintf(stderr, "ktstr: %s\n", err);
		return 130;
	}
	if (ret != 0) {
		fprintf(stderr, "ktstr: error: %s\n", err[0] ? err : strerror(-ret));
		return ret == -EINVAL ? KTSTR_EXIT_USAGE : 1;
	}
	if (o.dry_run) {
		return 0;
	}
	return sum.failed + sum.errors > 0 ? 1 : 0;
}
