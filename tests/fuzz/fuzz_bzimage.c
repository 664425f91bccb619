/*
 * bzImage setup-header parse and payload locate on arbitrary bytes (the
 * decompression itself is libzstd's and libarchive's). Only in-bounds reads
 * are allowed (ASan under -DKTSTR_FUZZ=ON or -DKTSTR_SANITIZE=ON); a located
 * payload must lie inside the input, and a parse of the header bytes alone
 * (what ktstr_vmlinux__extract reads) must agree with a parse of the whole.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmlinux.h"

#define MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so a read one past the end is caught. */
	uint8_t *buf;
	struct ktstr_bzimage bz, hdr_only;
	char err[512] = "", err2[512] = "";
	size_t hlen;
	int rc, rc2;

	if (size > MAX_INPUT) {
		return 0;
	}
	buf = malloc(size != 0 ? size : 1);
	if (buf == NULL) {
		return 0;
	}
	memcpy(buf, data, size);
	/* Zeroed padding, for the memcmp below. */
	memset(&bz, 0, sizeof(bz));
	memset(&hdr_only, 0, sizeof(hdr_only));
	rc = ktstr_bzimage__parse(buf, size, size, "fuzz", &bz, err, sizeof(err));
	hlen = size < KTSTR_BZIMAGE_HDR_LEN ? size : KTSTR_BZIMAGE_HDR_LEN;
	rc2 = ktstr_bzimage__parse(buf, hlen, size, "fuzz", &hdr_only, err2, sizeof(err2));
	if (rc != rc2 || strcmp(err, err2) != 0 || memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	if (rc == 0) {
		if (bz.payload_len == 0 || bz.payload_off > size ||
		    bz.payload_len > size - bz.payload_off || bz.setup_sects == 0 ||
		    bz.protocol < 0x0208 || memcmp(&bz, &hdr_only, sizeof(bz)) != 0) {
			abort();
		}
		ktstr_bzimage__payload_format(buf + bz.payload_off, bz.payload_len);
	} else if (rc != -ENOEXEC || err[0] == '\0') {
		abort();
	}
	ktstr_bzimage__payload_format(buf, size);
	free(buf);
	return 0;
}
