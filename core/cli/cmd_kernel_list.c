/* `ktstr kernel list [--json]`: what the local kernel cache holds, valid and corrupt. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "kernel_cache_cli.h"
#include "profile.h"

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: ktstr kernel list [--json]\n\n"
	    "Lists the kernels in the local cache, newest first. A corrupt entry (metadata.json\n"
	    "missing or unreadable, its image gone) is shown with the reason and is never\n"
	    "used; `ktstr kernel clean --corrupt-only` removes it. Stores in progress\n"
	    "(.tmp-KEY-PID) are shown apart: live ones are another ktstr installing, dead\n"
	    "ones are leftovers of an interrupted install that the next install or\n"
	    "`kernel clean` removes.\n\n"
	    "tags: (stale kconfig) built with another configs/ktstr.kconfig than this ktstr's;\n"
	    "      (untracked kconfig) built without the fragment (e.g. a distribution kernel).\n\n"
	    "options:\n"
	    "      --json   one JSON object: cache_root, current_ktstr_kconfig_hash, entries\n"
	    "               (valid: key, path, image_path, size_bytes, kconfig_status and the\n"
	    "               metadata fields; corrupt: key, path, error, error_kind), in_progress,\n"
	    "               leftovers\n"
	    "  -h, --help   this text\n\n"
	    "examples:\n"
	    "  ktstr kernel list\n"
	    "  ktstr kernel list --json | jq -r '.entries[] | select(.error == null) | .key'\n\n"
	    "The cache is $KTSTR_CACHE_DIR, else $XDG_CACHE_HOME/ktstr/kernels, else\n"
	    "~/.cache/ktstr/kernels.\n");
}

static const char *source_word(const struct ktstr_kcache_meta *m)
{
	return m->source_type[0] != '\0' ? m->source_type : "-";
}

/* Column widths: the reference's 48 and 12, wider when a key or version needs it. */
struct cols {
	int key;
	int ver;
};

static struct cols widths(const struct ktstr_kcache_list *l)
{
	struct cols c = {48, 12};

	for (size_t i = 0; i < l->n; i++) {
		int k = (int)strlen(l->v[i].key), v = (int)strlen(l->v[i].meta.version);

		c.key = k > c.key ? k : c.key;
		c.ver = l->v[i].err == KTSTR_KCACHE_OK && v > c.ver ? v : c.ver;
	}
	return c;
}

static void print_row(const struct ktstr_kcache_entry *e, const char *kc, struct cols c,
		      unsigned *tags)
{
	const char *status;
	char size[16];

	if (e->err != KTSTR_KCACHE_OK) {
		printf("  %-*s (corrupt: %s)\n", c.key, e->key, e->why);
		return;
	}
	status = ktstr_kcache__kconfig_status(&e->meta, kc);
	kcli__human_size(e->size_bytes, size, sizeof(size));
	printf("  %-*s %-*s %-8s %-7s %7s %s%s\n", c.key, e->key, c.ver,
	       e->meta.version[0] != '\0' ? e->meta.version : "-", source_word(&e->meta),
	       e->meta.arch, size, e->meta.built_at,
	       strcmp(status, "stale") == 0	  ? " (stale kconfig)"
	       : strcmp(status, "untracked") == 0 ? " (untracked kconfig)"
						  : "");
	*tags |= strcmp(status, "stale") == 0 ? 1 : strcmp(status, "untracked") == 0 ? 2 : 0;
}

static void print_tmp(const struct ktstr_kcache_tmp *t, struct cols c)
{
	if (t->alive && t->pid > 0) {
		printf("  %-*s (in progress: pid %d is installing it)\n", c.key, t->name,
		       (int)t->pid);
	} else if (t->alive) {
		printf("  %-*s (in progress: no pid in the name)\n", c.key, t->name);
	} else {
		printf("  %-*s (leftover of dead pid %d: not an entry; the next install or "
		       "`ktstr kernel clean` removes it)\n",
		       c.key, t->name, (int)t->pid);
	}
}

static void print_table(const struct ktstr_kcache_list *l, const char *kc)
{
	struct cols c = widths(l);
	unsigned tags = 0;

	if (l->n == 0 && l->ntmp == 0) {
		fprintf(stderr, "no cached kernels. Run `ktstr kernel fetch VERSION` or `ktstr "
				"kernel build` to add one.\n");
		return;
	}
	printf("  %-*s %-*s %-8s %-7s %7s BUILT\n", c.key, "KEY", c.ver, "VERSION", "SOURCE",
	       "ARCH", "SIZE");
	for (size_t i = 0; i < l->n; i++) {
		print_row(&l->v[i], kc, c, &tags);
	}
	for (size_t i = 0; i < l->ntmp; i++) {
		print_tmp(&l->tmp[i], c);
	}
	if (tags & 1) {
		fprintf(stderr, "(stale kconfig): built with another configs/ktstr.kconfig; "
				"`ktstr kernel build --force` rebuilds it.\n");
	}
	if (tags & 2) {
		fprintf(stderr, "(untracked kconfig): not built from ktstr's kconfig fragment; "
				"sched_ext support is whatever the kernel ships.\n");
	}
}

int ktstr_cmd_kernel_list(int argc, char **argv)
{
	struct ktstr_kcache_list l;
	char root[PATH_MAX], err[PATH_MAX + 256], kc[9];
	bool json = false, have_kc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "ktstr kernel list: unknown argument \"%s\"\n\n", argv[i]);
			usage(stderr);
			return KTSTR_EXIT_USAGE;
		}
	}
	if (kcli__root("ktstr kernel list", root, sizeof(root)) < 0) {
		return 1;
	}
	fprintf(stderr, "cache: %s\n", root);
	if (ktstr_kcache__list(root, &l, err, sizeof(err)) < 0) {
		fprintf(stderr, "ktstr kernel list: %s\n", err);
		return 1;
	}
	have_kc = ktstr_kcache__current_kc(kc);
	if (json) {
		kcli__print_json(root, &l, have_kc ? kc : NULL);
	} else {
		print_table(&l, have_kc ? kc : NULL);
	}
	ktstr_kcache_list__free(&l);
	return 0;
}
