/*
 * metadata.json parsing on arbitrary bytes (a cache entry can hold anything:
 * a crash mid-write, another tool, a hostile remote cache). The parser must
 * classify every input: 0 with every string NUL-terminated inside its field
 * and a plain-file image name, or -EINVAL with a known kind and a reason that
 * starts with "metadata.json ".
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kcache.h"

static void check_str(const char *s, size_t cap)
{
	if (memchr(s, '\0', cap) == NULL) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size != 0 ? size : 1); /* exact size: overreads are caught */
	struct ktstr_kcache_meta m;
	enum ktstr_kcache_err kind;
	char why[512];
	int rc;

	if (buf == NULL) {
		return 0;
	}
	memcpy(buf, data, size);
	rc = ktstr_kcache_meta__parse(buf, size, &m, &kind, why, sizeof(why));
	if (rc == 0) {
		check_str(m.version, sizeof(m.version));
		check_str(m.source_type, sizeof(m.source_type));
		check_str(m.source_json, sizeof(m.source_json));
		check_str(m.arch, sizeof(m.arch));
		check_str(m.built_at, sizeof(m.built_at));
		check_str(m.config_hash, sizeof(m.config_hash));
		check_str(m.kconfig_hash, sizeof(m.kconfig_hash));
		if (kind != KTSTR_KCACHE_OK || m.image_name[0] == '\0' ||
		    strchr(m.image_name, '/') != NULL || m.built_at[0] == '\0' ||
		    m.source_type[0] == '\0' || m.source_json[0] != '{' ||
		    m.source_vmlinux_size < -1 || m.source_vmlinux_mtime_secs < -1) {
			abort();
		}
	} else if (rc != -EINVAL || kind <= KTSTR_KCACHE_OK || kind >= KTSTR_KCACHE_UNKNOWN ||
		   strncmp(why, "metadata.json ", 14) != 0 ||
		   memchr(why, '\0', sizeof(why)) == NULL) {
		abort();
	}
	free(buf);
	return 0;
}
