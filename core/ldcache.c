#include "ldcache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

#define LDCACHE_MAGIC "glibc-ld.so.cache1.1"
#define LDCACHE_MAGIC_LEN (sizeof(LDCACHE_MAGIC) - 1)
#define LDCACHE_HDR_LEN 48
#define LDCACHE_ENTRY_LEN 24
/* Header byte 28: endianness in its low two bits (0 unset, 1 invalid, 2 little, 3 big). */
#define LDCACHE_FLAGS_OFF 28
#define LDCACHE_ENDIAN_MASK 3
#define LDCACHE_ENDIAN_UNSET 0
#define LDCACHE_ENDIAN_LITTLE 2

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

int ktstr_ldcache__parse(const void *data, size_t len, struct ktstr_ldcache *c)
{
	const uint8_t *p = data;
	uint32_t nlibs;
	unsigned endian;

	memset(c, 0, sizeof(*c));
	if (len < LDCACHE_HDR_LEN || memcmp(p, LDCACHE_MAGIC, LDCACHE_MAGIC_LEN) != 0) {
		return -EBADMSG;
	}
	endian = p[LDCACHE_FLAGS_OFF] & LDCACHE_ENDIAN_MASK;
	if (endian != LDCACHE_ENDIAN_UNSET && endian != LDCACHE_ENDIAN_LITTLE) {
		return -EBADMSG;
	}
	nlibs = le32(p + LDCACHE_MAGIC_LEN);
	if ((uint64_t)nlibs * LDCACHE_ENTRY_LEN > len - LDCACHE_HDR_LEN) {
		return -EBADMSG;
	}
	c->data = p;
	c->len = len;
	c->nlibs = nlibs;
	return 0;
}

int ktstr_ldcache__load(const char *path, struct ktstr_ldcache *c)
{
	char *buf;
	size_t len;
	int err;

	memset(c, 0, sizeof(*c));
	err = ktstr_fs__read_file(path, &buf, &len);
	if (err != 0) {
		return err;
	}
	err = ktstr_ldcache__parse(buf, len, c);
	if (err != 0) {
		free(buf);
		return err;
	}
	c->owned = buf;
	return 0;
}

void ktstr_ldcache__release(struct ktstr_ldcache *c)
{
	free(c->owned);
	memset(c, 0, sizeof(*c));
}

/* A NUL-terminated string at @p off, entirely inside the file, or NULL. */
static const char *string_at(const struct ktstr_ldcache *c, uint32_t off)
{
	if (off >= c->len || memchr(c->data + off, '\0', c->len - off) == NULL) {
		return NULL;
	}
	return (const char *)c->data + off;
}

int ktstr_ldcache__entry(const struct ktstr_ldcache *c, uint32_t i, struct ktstr_ldcache_entry *out)
{
	const uint8_t *e;

	if (i >= c->nlibs) {
		return -ERANGE;
	}
	e = c->data + LDCACHE_HDR_LEN + (size_t)i * LDCACHE_ENTRY_LEN;
	out->flags = (int32_t)le32(e);
	out->key = string_at(c, le32(e + 4));
	out->value = string_at(c, le32(e + 8));
	out->hwcap = le64(e + 16);
	if (out->key == NULL || out->value == NULL) {
		return -EBADMSG;
	}
	return 0;
}

const char *ktstr_ldcache__lookup(const struct ktstr_ldcache *c, const char *soname, int32_t flags)
{
	const char *found = NULL;

	for (uint32_t i = 0; i < c->nlibs; i++) {
		struct ktstr_ldcache_entry e;

		if (ktstr_ldcache__entry(c, i, &e) != 0 || e.flags != flags ||
		    strcmp(e.key, soname) != 0) {
			continue;
		}
		if (e.hwcap == 0) {
			return e.value;
		}
		if (found == NULL) {
			found = e.value;
		}
	}
	return found;
}
