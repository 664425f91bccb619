/*
 * The x86 bzImage setup header (Documentation/arch/x86/boot.rst) and the
 * magic of the compressed kernel it points at. Pure functions on bytes.
 */
#include "vmlinux.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define OFF_SETUP_SECTS 0x1f1
#define OFF_HEADER 0x202
#define OFF_VERSION 0x206
#define OFF_PAYLOAD_OFFSET 0x248
#define OFF_PAYLOAD_LENGTH 0x24c

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int ktstr_bzimage__parse(const void *hdr, size_t len, uint64_t file_size, const char *what,
			 struct ktstr_bzimage *out, char *err, size_t errlen)
{
	const uint8_t *h = hdr;
	uint64_t pm_start;

	if (len >= 4 && memcmp(h, "\177ELF", 4) == 0) {
		snprintf(err, errlen,
			 "%s: is an ELF file (already a vmlinux?), not a bzImage; use it as is",
			 what);
		return -ENOEXEC;
	}
	if (len < KTSTR_BZIMAGE_HDR_LEN || file_size < KTSTR_BZIMAGE_HDR_LEN) {
		snprintf(err, errlen,
			 "%s: not a bzImage: %llu bytes, shorter than the %d-byte setup header",
			 what, (unsigned long long)(len < file_size ? len : file_size),
			 KTSTR_BZIMAGE_HDR_LEN);
		return -ENOEXEC;
	}
	if (memcmp(h + OFF_HEADER, "HdrS", 4) != 0) {
		snprintf(err, errlen, "%s: not a bzImage: no \"HdrS\" magic at 0x%x", what,
			 OFF_HEADER);
		return -ENOEXEC;
	}
	out->protocol = le16(h + OFF_VERSION);
	if (out->protocol < 0x0208) {
		snprintf(err, errlen,
			 "%s: boot protocol %u.%02u has no payload fields (2.08 or newer needed)",
			 what, out->protocol >> 8, out->protocol & 0xff);
		return -ENOEXEC;
	}
	out->setup_sects = h[OFF_SETUP_SECTS] != 0 ? h[OFF_SETUP_SECTS] : 4;
	pm_start = ((uint64_t)out->setup_sects + 1) * 512;
	out->payload_off = pm_start + le32(h + OFF_PAYLOAD_OFFSET);
	out->payload_len = le32(h + OFF_PAYLOAD_LENGTH);
	if (out->payload_len == 0) {
		snprintf(err, errlen, "%s: bzImage header names an empty payload", what);
		return -ENOEXEC;
	}
	if (out->payload_off > file_size || out->payload_len > file_size - out->payload_off) {
		snprintf(err, errlen,
			 "%s: payload (%u bytes at offset %llu) lies beyond the end of the file "
			 "(%llu bytes); the image is truncated",
			 what, out->payload_len, (unsigned long long)out->payload_off,
			 (unsigned long long)file_size);
		return -ENOEXEC;
	}
	return 0;
}

const char *ktstr_bzimage__payload_format(const void *payload, size_t len)
{
	static const struct {
		const char *name;
		size_t len;
		const char *magic;
	} fmts[] = {
	    {"zstd", 4, "\x28\xb5\x2f\xfd"},
	    {"gzip", 2, "\x1f\x8b"},
	    {"xz", 6,
	     "\xfd"
	     "7zXZ\0"},
	    {"lzma", 3, "\x5d\x00\x00"},
	    {"bzip2", 3, "BZh"},
	    {"lz4", 4, "\x02\x21\x4c\x18"},
	    {"lzo", 4, "\x89LZO"},
	    {"elf", 4, "\177ELF"},
	};

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		if (len >= fmts[i].len && memcmp(payload, fmts[i].magic, fmts[i].len) == 0) {
			return fmts[i].name;
		}
	}
	return NULL;
}
