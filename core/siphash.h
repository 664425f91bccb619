/*
 * SipHash-1-3 with a 128-bit key: the hash upstream ktstr uses for sidecar
 * variant hashes and initramfs cache keys, kept so names stay comparable.
 */
#ifndef KTSTR_CORE_SIPHASH_H
#define KTSTR_CORE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct ktstr_siphash {
	uint64_t v0, v1, v2, v3;
	uint64_t tail;   /* pending bytes, little-endian */
	size_t ntail;    /* bytes in tail (0..7) */
	uint64_t total;  /* bytes fed so far */
};

void ktstr_siphash13__init(struct ktstr_siphash *s, uint64_t k0, uint64_t k1);
void ktstr_siphash13__update(struct ktstr_siphash *s, const void *data, size_t len);
uint64_t ktstr_siphash13__final(struct ktstr_siphash *s);
/** @brief One-shot SipHash-1-3. */
uint64_t ktstr_siphash13(uint64_t k0, uint64_t k1, const void *data, size_t len);

#endif
