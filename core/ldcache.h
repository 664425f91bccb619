/*
 * Reader for glibc's /etc/ld.so.cache in the "glibc-ld.so.cache1.1" format
 * (the only one glibc >= 2.32 writes): a 48-byte header, nlibs 24-byte
 * entries, then a string table. String offsets count from the file start.
 * The file is untrusted input: every offset is bounds-checked.
 */
#ifndef KTSTR_CORE_LDCACHE_H
#define KTSTR_CORE_LDCACHE_H

#include <stddef.h>
#include <stdint.h>

/* Entry flags (glibc sysdeps/generic/ldconfig.h). */
#define KTSTR_LDCACHE_FLAG_ELF_LIBC6 0x0003
#define KTSTR_LDCACHE_FLAG_X8664_LIB64 0x0300
#define KTSTR_LDCACHE_FLAG_AARCH64_LIB64 0x0a00

struct ktstr_ldcache {
	const uint8_t *data; /* whole file */
	size_t len;
	uint32_t nlibs;
	void *owned; /* what ktstr_ldcache__load allocated, else NULL */
};

struct ktstr_ldcache_entry {
	int32_t flags;
	const char *key;   /* soname, e.g. "libc.so.6" */
	const char *value; /* path, e.g. "/lib/x86_64-linux-gnu/libc.so.6" */
	uint64_t hwcap;	   /* 0 for the baseline entry of a soname */
};

/**
 * @brief Check the header of @p data (borrowed: it must outlive @p c).
 * @return 0, -EBADMSG (bad magic, wrong endianness, entries past the end)
 */
int ktstr_ldcache__parse(const void *data, size_t len, struct ktstr_ldcache *c);

/** @brief Read and parse a cache file; ktstr_ldcache__release frees it. */
int ktstr_ldcache__load(const char *path, struct ktstr_ldcache *c);

void ktstr_ldcache__release(struct ktstr_ldcache *c);

/**
 * @brief Entry @p i (< c->nlibs).
 * @return 0, -ERANGE (i out of range), -EBADMSG (a string offset outside the
 *         file or a string without its NUL)
 */
int ktstr_ldcache__entry(const struct ktstr_ldcache *c, uint32_t i,
			 struct ktstr_ldcache_entry *out);

/**
 * @brief Path of @p soname among entries whose flags equal @p flags, preferring
 *        the baseline entry (hwcap 0) over hardware-specific ones. Corrupt
 *        entries are skipped.
 * @return the path inside the cache data, or NULL
 */
const char *ktstr_ldcache__lookup(const struct ktstr_ldcache *c, const char *soname, int32_t flags);

#endif
