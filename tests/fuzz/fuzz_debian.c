/*
 * The debian kernel source's parsers of text it does not control: kernel
 * ids (from users), `apt-cache` output (from the archive's package lists),
 * deb822 sources files and kernel configs. The first byte picks the parser;
 * the rest is its input. Every answer must be a NUL-terminated string of the
 * right shape (a chosen package really is a candidate of the input).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The plugin's sources, compiled in (plugins never link into the core). */
#include "../../plugins/kernel-source/debian/debian_id.c"
#include "../../plugins/kernel-source/debian/debian_pkg.c"

static void fuzz_id(const char *text)
{
	struct debian_id id;

	if (debian_id__parse(text, "sid", &id) == 0) {
		if (!debian_id__is_suite(id.suite) ||
		    (id.version[0] != '\0' && !debian_id__is_version(id.version))) {
			abort();
		}
	}
}

static void fuzz_choose(const char *text, size_t len)
{
	static const char *const flavours[] = {"cloud-amd64", "amd64"};
	static const char *const versions[] = {"", "7.2", "7.2.13"};
	struct debian_pkg p;
	char key[DEBIAN_PKG_MAX + 32];

	for (size_t f = 0; f < 2; f++) {
		for (size_t v = 0; v < 3; v++) {
			if (debian_pkg__choose(text, len, flavours[f], versions[v], &p) != 0) {
				continue;
			}
			/* the name is a line's first word, and the release its tail */
			if (memmem(text, len, p.name, strlen(p.name)) == NULL ||
			    strstr(p.name, p.release) == NULL ||
			    !debian_id__matches(p.release, versions[v]) ||
			    debian_pkg__key(p.release, key, sizeof(key)) != 0) {
				abort();
			}
		}
	}
}

static void fuzz_archive(const char *text, size_t len)
{
	char uri[512], keyring[512];

	debian_pkg__archive(text, len, uri, sizeof(uri), keyring, sizeof(keyring));
	if (strlen(uri) >= sizeof(uri) || (keyring[0] != '\0' && keyring[0] != '/')) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size == 0) {
		return 0;
	}
	/* An exact-size copy plus the NUL, so a read past the end is caught. */
	text = malloc(size);
	if (text == NULL) {
		return 0;
	}
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		fuzz_id(text);
		break;
	case 1:
		fuzz_choose(text, size - 1);
		break;
	case 2:
		fuzz_archive(text, size - 1);
		break;
	default:
		(void)debian_pkg__has_sched_ext(text, size - 1);
		break;
	}
	free(text);
	return 0;
}
