/*
 * ld.so.cache parser on arbitrary bytes: parse, read every entry, look names
 * up. Only in-bounds reads are allowed (ASan under -DKTSTR_FUZZ=ON or
 * -DKTSTR_SANITIZE=ON); every string handed out must end inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ldcache.h"

static void check_inside(const uint8_t *buf, size_t len, const char *s)
{
	if ((const uint8_t *)s < buf || (const uint8_t *)s >= buf + len ||
	    memchr(s, '\0', len - (size_t)((const uint8_t *)s - buf)) == NULL) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so a read one past the end is caught. */
	uint8_t *buf = malloc(size != 0 ? size : 1);
	struct ktstr_ldcache c;
	const char *names[] = { "libc.so.6", "libm.so.6", "", "ld-linux-x86-64.so.2" };
	const int32_t flags[] = { 0x0303, 0x0003, 0x0a03, -1 };

	if (buf == NULL) {
		return 0;
	}
	memcpy(buf, data, size);
	if (ktstr_ldcache__parse(buf, size, &c) == 0) {
		/* Bounded: the lookup below is linear, and the host cache has ~1000 entries. */
		for (uint32_t i = 0; i <= c.nlibs && i < 64; i++) {
			struct ktstr_ldcache_entry e;

			if (ktstr_ldcache__entry(&c, i, &e) == 0) {
				check_inside(buf, size, e.key);
				check_inside(buf, size, e.value);
				/* The entry's own key must be found again. */
				if (ktstr_ldcache__lookup(&c, e.key, e.flags) == NULL) {
					abort();
				}
			}
		}
		for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
			for (size_t f = 0; f < sizeof(flags) / sizeof(flags[0]); f++) {
				const char *v = ktstr_ldcache__lookup(&c, names[n], flags[f]);

				if (v != NULL) {
					check_inside(buf, size, v);
				}
			}
		}
		ktstr_ldcache__release(&c);
	}
	free(buf);
	return 0;
}
