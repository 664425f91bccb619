/* `ktstr kernel clean [--keep N] [--corrupt-only] [--force] [--dry-run]` */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "fsutil.h"
#include "kernel_cache_cli.h"
#include "profile.h"

struct clean_opts {
	long keep; /* -1: not given */
	bool corrupt_only, force, dry_run;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ktstr kernel clean [--keep N | --corrupt-only] [--force] [--dry-run]\n\n"
		"Removes cached kernels: every corrupt entry, and every valid one except the N\n"
		"newest (--keep N; without it, all of them). Leftovers of interrupted installs\n"
		"(.tmp-KEY-PID of a dead PID) go too. An entry in use - a test run booting it, an\n"
		"install replacing it - is skipped and named, never pulled from under it.\n\n"
		"options:\n"
		"      --keep N        keep the N newest valid entries\n"
		"      --corrupt-only  remove only corrupt entries (conflicts with --keep)\n"
		"  -f, --force         do not ask (needed when stdin is not a terminal)\n"
		"  -n, --dry-run       print what would be removed, remove nothing\n"
		"  -h, --help          this text\n\n"
		"examples:\n"
		"  ktstr kernel clean --corrupt-only --force\n"
		"  ktstr kernel clean --keep 2 --dry-run\n");
}

static int parse(int argc, char **argv, struct clean_opts *o)
{
	static const struct option longopts[] = {
	    {"keep", required_argument, NULL, 'k'}, {"corrupt-only", no_argument, NULL, 'c'},
	    {"force", no_argument, NULL, 'f'},	    {"dry-run", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	char *end;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "fnh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			errno = 0;
			o->keep = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || o->keep < 0) {
				fprintf(stderr,
					"ktstr kernel clean: --keep wants a count >= 0, "
					"not \"%s\"\n",
					optarg);
				return KTSTR_EXIT_USAGE;
			}
			break;
		case 'c':
			o->corrupt_only = true;
			break;
		case 'f':
			o->force = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return KTSTR_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ktstr kernel clean: unexpected argument \"%s\"\n", argv[optind]);
		return KTSTR_EXIT_USAGE;
	}
	if (o->corrupt_only && o->keep >= 0) {
		fprintf(stderr, "ktstr kernel clean: --corrupt-only conflicts with --keep\n");
		return KTSTR_EXIT_USAGE;
	}
	return 0;
}

/* Ask on the terminal; false unless the answer starts with y. */
static bool confirm(size_t n)
{
	char line[32];

	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "ktstr kernel clean: confirmation requires a terminal. Use --force "
				"to skip.\n");
		return false;
	}
	fprintf(stderr, "remove %zu entries? [y/N] ", n);
	return fgets(line, sizeof(line), stdin) != NULL && (line[0] == 'y' || line[0] == 'Y');
}

/* Remove what @p sel marks and the dead leftovers; 0, or 1 when a removal failed. */
static int remove_all(const char *root, const struct ktstr_kcache_list *l, const bool *sel)
{
	char err[2048], path[PATH_MAX + NAME_MAX + 2];
	size_t removed = 0, busy = 0;
	int status = 0;

	for (size_t i = 0; i < l->n; i++) {
		int rc = sel[i] ? ktstr_kcache__remove(root, &l->v[i], err, sizeof(err)) : 1;

		if (rc == 0) {
			removed++;
		} else if (rc == -ESTALE) {
			fprintf(stderr, "skipped %s\n", err);
		} else if (rc == -EBUSY) {
			busy++;
			fprintf(stderr, "skipped %s: in use (%s)\n", l->v[i].key, err);
		} else if (rc < 0) {
			fprintf(stderr, "ktstr kernel clean: %s\n", err);
			status = 1;
		}
	}
	for (size_t i = 0; i < l->ntmp; i++) {
		snprintf(path, sizeof(path), "%s/%s", root, l->tmp[i].name);
		if (!l->tmp[i].alive && ktstr_fs__rm_rf(path) == 0) {
			printf("removed leftover %s\n", l->tmp[i].name);
		}
	}
	printf("removed %zu cached kernel(s).\n", removed);
	if (busy > 0) {
		printf("skipped %zu in use; run clean again once they are free.\n", busy);
	}
	return status;
}

static int clean(const char *root, const struct clean_opts *o)
{
	struct ktstr_kcache_list l;
	char err[PATH_MAX + 256];
	size_t n, ndead = 0;
	bool *sel;
	int status = 0;

	if (ktstr_kcache__list(root, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "ktstr kernel clean: %s\n", err);
		return 1;
	}
	sel = calloc(l.n + 1, sizeof(*sel));
	if (sel == NULL) {
		ktstr_kcache_list__free(&l);
		return 1;
	}
	n = ktstr_kcache__clean_select(&l, o->keep, o->corrupt_only, sel);
	for (size_t i = 0; i < l.ntmp; i++) {
		ndead += !l.tmp[i].alive;
	}
	for (size_t i = 0; i < l.n; i++) {
		if (sel[i] && (o->dry_run || !o->force)) {
			printf("%s %s%s\n", o->dry_run ? "would remove" : "remove", l.v[i].key,
			       l.v[i].err != KTSTR_KCACHE_OK ? " (corrupt)" : "");
		}
	}
	if (n + ndead == 0) {
		printf("nothing to remove.\n");
	} else if (o->dry_run) {
		printf("would remove %zu cached kernel(s) and %zu leftover(s).\n", n, ndead);
	} else if (o->force || confirm(n + ndead)) {
		status = remove_all(root, &l, sel);
	} else {
		status = 1;
	}
	free(sel);
	ktstr_kcache_list__free(&l);
	return status;
}

int ktstr_cmd_kernel_clean(int argc, char **argv)
{
	struct clean_opts o = {.keep = -1};
	char root[PATH_MAX];
	int rc = parse(argc, argv, &o);

	if (rc != 0) {
		return rc < 0 ? 0 : rc;
	}
	if (kcli__root("ktstr kernel clean", root, sizeof(root)) < 0) {
		return 1;
	}
	fprintf(stderr, "cache: %s\n", root);
	return clean(root, &o);
}
