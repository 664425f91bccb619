/*
 * The build kernel source's readers of a tree's .config (text it does not
 * control) and its JSON writer of the tree's path. The input is split at its
 * first NUL: a .config, then a fragment (or a path). Answers must agree with
 * each other and stay inside their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The plugin's sources, compiled in (plugins never link into the core). */
#include "../../plugins/kernel-source/build/build_conf.c"

/* Every line of @frag present in @config means each single line is present too. */
static void check_fragment(const char *config, size_t clen, const char *frag, size_t flen)
{
	bool all = ktstr_build__fragment_present(config, clen, frag, flen);
	const char *nl = memchr(frag, '\n', flen);
	size_t first = nl != NULL ? (size_t)(nl - frag) : flen;

	if (all && !ktstr_build__fragment_present(config, clen, frag, first)) {
		abort();
	}
}

static void check_missing(const char *config, size_t clen)
{
	char out[256];
	unsigned n = ktstr_build__missing(config, clen, out, sizeof(out)), want = 0;

	for (const char *const *r = ktstr_build_required; *r != NULL; r++) {
		want += !ktstr_build__has_line(config, clen, *r);
	}
	if (n != want || strlen(out) >= sizeof(out) || (n == 0) != (out[0] == '\0')) {
		abort();
	}
}

/* The path comes back out of the JSON string unchanged. */
static void check_json(const char *path)
{
	char out[512], back[512];
	size_t n = 0;
	const char *p;

	if (ktstr_build__source_json(out, sizeof(out), path, "abc1234") != 0) {
		return;
	}
	p = strstr(out, "\"source_tree_path\":\"");
	if (p == NULL) {
		abort();
	}
	for (p += strlen("\"source_tree_path\":\""); *p != '"'; p++) {
		if (*p == '\0' || (unsigned char)*p < 0x20) {
			abort();
		}
		if (*p == '\\' && p[1] == 'u') {
			back[n++] = (char)strtol((char[]){p[4], p[5], 0}, NULL, 16);
			p += 5;
		} else {
			back[n++] = *p == '\\' ? *++p : *p;
		}
	}
	back[n] = '\0';
	if (strcmp(back, path) != 0 || strcmp(p, "\",\"git_hash\":\"abc1234\"}") != 0) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	const char *second;
	size_t clen;

	if (buf == NULL) {
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = '\0';
	clen = strlen(buf);
	second = clen < size ? buf + clen + 1 : buf + size;
	check_fragment(buf, clen, second, strlen(second));
	check_missing(buf, clen);
	check_json(second);
	free(buf);
	return 0;
}
