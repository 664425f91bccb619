/* `ktstr kernel fetch [--source NAME]... [--profile FILE] [--json] ID...` */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_cancel.h"
#include "commands.h"
#include "kchain.h"
#include "kernel_fetch.h"
#include "profile.h"
#include "registry.h"

#define MAX_SOURCES 32

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: ktstr kernel fetch [options] ID...\n\n"
	    "Resolves each ID through the kernel sources in order and makes sure it is in\n"
	    "the local kernel cache: a source that downloads or builds a kernel installs it\n"
	    "there once (concurrent fetches of the same kernel wait for the first one and\n"
	    "then share its entry). One line per ID:\n"
	    "  ID: KEY-or-IMAGE (VERSION, via SOURCE, cached|installed|local)\n\n"
	    "ID: a version (7.2, 7.2.13, 7.2-rc3), a cache key (see `ktstr kernel list`),\n"
	    "\"latest\", or a path to a kernel tree or image.\n\n"
	    "options:\n"
	    "  -s, --source NAME    ask this kernel-source plugin; repeatable, asked in order\n"
	    "                       (default chain: local, cache, gha, debian - those loaded)\n"
	    "  -p, --profile FILE   use the kernel_sources of this profile, with their options\n"
	    "      --json           a JSON array on stdout instead of the lines\n"
	    "  -h, --help           this text\n\n"
	    "examples:\n"
	    "  ktstr kernel fetch 7.2                 # highest 7.2.x: cached, else fetched\n"
	    "  ktstr kernel fetch --source debian 7.2 # only ask the debian source\n"
	    "  ktstr kernel fetch --json latest ../linux\n\n"
	    "exit status: 0 every ID resolved, 1 one did not (the sources' messages say\n"
	    "why), 2 bad usage, 130 interrupted (a half-done install leaves nothing behind).\n");
}

static const char *why(const struct kfetch_result *r)
{
	if (r->err[0] != '\0') {
		return r->err;
	}
	return r->rc == -ENOENT ? "no source knows this id" : strerror(-r->rc);
}

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static void print_json(const struct kfetch_result *r, size_t n)
{
	json_t *arr = json_array();
	char *text;

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s}", "id", r[i].id);

		if (r[i].rc == 0) {
			json_object_set_new(o, "key", str_or_null(r[i].key));
			json_object_set_new(o, "image", json_string(r[i].image));
			json_object_set_new(o, "version", str_or_null(r[i].version));
			json_object_set_new(o, "source", json_string(r[i].source));
			json_object_set_new(o, "status", json_string(r[i].how));
		} else {
			json_object_set_new(o, "error", json_string(why(&r[i])));
		}
		json_array_append_new(arr, o);
	}
	text = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text != NULL) {
		printf("%s\n", text);
	}
	free(text);
	json_decref(arr);
}

/* Print the results; the exit status: 0, 1 (an id failed) or 130 (interrupted). */
static int report(const struct kfetch_result *r, size_t n, bool json)
{
	int status = 0;

	if (json) {
		print_json(r, n);
	}
	for (size_t i = 0; i < n; i++) {
		if (r[i].rc == 0 && !json) {
			printf("%s: %s (%s, via %s, %s)\n", r[i].id,
			       r[i].key != NULL ? r[i].key : r[i].image,
			       r[i].version != NULL ? r[i].version : "version unknown", r[i].source,
			       r[i].how);
		}
		if (r[i].rc == -ECANCELED) {
			fprintf(stderr, "ktstr kernel fetch: %s: interrupted\n", r[i].id);
			status = 130;
		} else if (r[i].rc != 0) {
			fprintf(stderr, "ktstr kernel fetch: %s: %s\n", r[i].id, why(&r[i]));
			status = status ?: 1;
		}
	}
	return status;
}

static int fetch(struct ktstr_kchain_opts *o, char **ids, size_t n, bool json)
{
	struct kfetch_result *r = calloc(n, sizeof(*r));
	struct ktstr_kchain_set *set;
	char err[2048];
	int status;

	if (r == NULL) {
		fprintf(stderr, "ktstr kernel fetch: out of memory\n");
		return 1;
	}
	if (ktstr_kchain__open(o, &set, err, sizeof(err)) != 0) {
		fprintf(stderr, "ktstr kernel fetch: %s\n", err);
		free(r);
		return 1;
	}
	kcli__catch_cancel();
	kfetch__resolve_all(ktstr_kchain_set__chain(set), ids, n, r);
	status = report(r, n, json);
	if (ktstr_registry__cancelled()) {
		status = 130; /* whatever the sources made of the cancellation */
	}
	for (size_t i = 0; i < n; i++) {
		kfetch_result__free(&r[i]);
	}
	free(r);
	ktstr_kchain_set__close(set);
	return status;
}

int ktstr_cmd_kernel_fetch(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"source", required_argument, NULL, 's'},
	    {"profile", required_argument, NULL, 'p'},
	    {"json", no_argument, NULL, 'J'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *names[MAX_SOURCES], *profile_path = NULL;
	struct ktstr_kchain_opts o = {.names = names};
	struct ktstr_profile *profile = NULL;
	bool json = false;
	char err[2048];
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (o.nnames == MAX_SOURCES) {
				fprintf(stderr, "ktstr kernel fetch: at most %d --source\n",
					MAX_SOURCES);
				return KTSTR_EXIT_USAGE;
			}
			names[o.nnames++] = optarg;
			break;
		case 'p':
			profile_path = optarg;
			break;
		case 'J':
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
	if (optind >= argc) {
		fprintf(stderr, "ktstr kernel fetch: name at least one kernel ID\n\n");
		usage(stderr);
		return KTSTR_EXIT_USAGE;
	}
	if (profile_path != NULL && o.nnames > 0) {
		fprintf(stderr, "ktstr kernel fetch: --profile and --source exclude each other\n");
		return KTSTR_EXIT_USAGE;
	}
	if (profile_path != NULL) {
		if (ktstr_profile__load(profile_path, &profile, err, sizeof(err)) != 0) {
			fprintf(stderr, "ktstr kernel fetch: %s\n", err);
			return KTSTR_EXIT_USAGE;
		}
		o.uses = profile->kernel_sources;
		o.nuses = profile->nkernel_sources;
	}
	status = fetch(&o, argv + optind, (size_t)(argc - optind), json);
	ktstr_profile__free(profile);
	return status;
}
