/*
 * The gha kernel source's parsers of untrusted input: the cache service's
 * JSON answers and the blob (a zstd tar or a plain tar from the network).
 * The first byte picks the parser; the rest is its input. Unpacking writes
 * into a private temporary directory, which must hold nothing afterwards
 * on failure and only the three entry names on success.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The plugin's sources, compiled in (plugins never link into the core). */
#include "../../plugins/kernel-source/gha/gha_blob.c"
#include "../../plugins/kernel-source/gha/gha_wire.c"

static char fuzz_dir[64];

/* Count the files in fuzz_dir, failing on a name an entry may not have; empty it. */
static unsigned drain(void)
{
	DIR *d = opendir(fuzz_dir);
	struct dirent *e;
	unsigned n = 0;
	char path[128];

	if (d == NULL) {
		abort();
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
			continue;
		}
		if (!ktstr_gha_blob__name_ok(e->d_name)) {
			abort();
		}
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, e->d_name);
		unlink(path);
		n++;
	}
	closedir(d);
	return n;
}

static void remove_dir(void)
{
	drain();
	rmdir(fuzz_dir);
}

static void unpack(const uint8_t *data, size_t size)
{
	struct ktstr_gha_blob_info info;
	char err[512];
	FILE *in;
	int ret;

	if (fuzz_dir[0] == '\0') {
		snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/ktstr-fuzz-gha-XXXXXX");
		if (mkdtemp(fuzz_dir) == NULL) {
			abort();
		}
		atexit(remove_dir);
	}
	in = size > 0 ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (in == NULL) {
		return;
	}
	ret = ktstr_gha_blob__unpack(in, fuzz_dir, 1 << 20, &info, err, sizeof(err));
	fclose(in);
	if (drain() > (ret == 0 ? 3u : 0u) || (ret == 0 && info.image_name[0] == '\0')) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], *url = NULL;
	int64_t id;
	int ret = 0;

	if (size == 0) {
		return 0;
	}
	switch (data[0] % 5) {
	case 0:
		ret = ktstr_gha_parse__v1_lookup((const char *)data + 1, size - 1, &url, err,
						 sizeof(err));
		break;
	case 1:
		ktstr_gha_parse__v1_reserve((const char *)data + 1, size - 1, &id, err,
					    sizeof(err));
		break;
	case 2:
		ret = ktstr_gha_parse__v2_download((const char *)data + 1, size - 1, &url, err,
						   sizeof(err));
		break;
	case 3:
		ret = ktstr_gha_parse__v2_create((const char *)data + 1, size - 1, &url, err,
						 sizeof(err));
		break;
	default:
		unpack(data + 1, size - 1);
		return 0;
	}
	if (ret == 0 && url != NULL && strncmp(url, "http", 4) != 0) {
		abort();
	}
	free(url);
	return 0;
}
