/* Helpers for the kernel cache tests: a temp cache root and hand-made entries. */
#ifndef KTSTR_TEST_KCACHE_UTIL_H
#define KTSTR_TEST_KCACHE_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

static char kc_root[PATH_MAX];

__attribute__((unused)) static const char *kc_meta_json(const char *version, const char *built_at,
							const char *image)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\n  \"version\": %s%s%s,\n  \"source\": {\"type\": \"tarball\"},\n"
		 "  \"arch\": \"x86_64\",\n  \"image_name\": \"%s\",\n  \"config_hash\": null,\n"
		 "  \"built_at\": \"%s\",\n  \"ktstr_kconfig_hash\": null,\n"
		 "  \"has_vmlinux\": false,\n  \"vmlinux_stripped\": false\n}\n",
		 version ? "\"" : "", version ? version : "null", version ? "\"" : "", image,
		 built_at);
	return buf;
}

/* Write {root}/{rel} (parents made). */
__attribute__((unused)) static void kc_put(const char *rel, const char *text)
{
	char path[PATH_MAX], dir[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", kc_root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(ktstr_fs__mkdir_p(dir, 0755), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A valid entry: metadata + image, optionally vmlinux and config. */
__attribute__((unused)) static void kc_entry(const char *key, const char *version,
					     const char *built_at, const char *image, bool extras)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/metadata.json", key);
	kc_put(rel, kc_meta_json(version, built_at, image));
	snprintf(rel, sizeof(rel), "%s/%s", key, image);
	kc_put(rel, "image");
	if (extras) {
		snprintf(rel, sizeof(rel), "%s/vmlinux", key);
		kc_put(rel, "elf");
		snprintf(rel, sizeof(rel), "%s/config", key);
		kc_put(rel, "CONFIG_SCHED_CLASS_EXT=y\n");
	}
}

__attribute__((unused)) static int kc_mkroot(const char *tag)
{
	snprintf(kc_root, sizeof(kc_root), "/tmp/ktstr-%s-XXXXXX", tag);
	return mkdtemp(kc_root) != NULL ? 0 : -1;
}

__attribute__((unused)) static int kc_rmroot(void)
{
	return ktstr_fs__rm_rf(kc_root);
}

#endif
