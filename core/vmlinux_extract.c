/*
 * bzImage -> vmlinux. The payload is decompressed by libraries: zstd (the
 * format Debian and most distributions use) by libzstd in one pass straight
 * into the mapped output file, since kbuild's "zstd -22 --ultra" frames
 * declare a 128 MiB window that streaming would have to allocate; gzip,
 * bzip2, lzma, xz, lzo and lz4 by libarchive (raw format, all filters),
 * streamed to the output file. kbuild appends the decompressed size (LE32)
 * to every payload but gzip's, whose own trailer holds it.
 */
#include "vmlinux.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "fsutil.h"
#include "vmlinux_internal.h"

#define STREAM_BUF (256u << 10)

struct payload {
	const char *what; /* the image path, for messages */
	const char *fmt;  /* ktstr_bzimage__payload_format() */
	const uint8_t *p;
	size_t len;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int too_big(const struct payload *pl, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s payload decompresses to more than %llu bytes; refusing",
		 pl->what, pl->fmt, (unsigned long long)KTSTR_VMLINUX_MAX_SIZE);
	return -EFBIG;
}

static int unzstd(const struct payload *pl, int fd, char *err, size_t errlen)
{
	size_t flen = ZSTD_findFrameCompressedSize(pl->p, pl->len);
	unsigned long long want = ZSTD_getFrameContentSize(pl->p, pl->len);
	ZSTD_DCtx *dctx;
	void *dst;
	size_t got;
	int rc = 0;

	if (ZSTD_isError(flen) || want == ZSTD_CONTENTSIZE_ERROR) {
		snprintf(err, errlen, "%s: zstd payload is corrupt or truncated: %s", pl->what,
			 ZSTD_isError(flen) ? ZSTD_getErrorName(flen) : "bad frame header");
		return -ENOEXEC;
	}
	if (want == ZSTD_CONTENTSIZE_UNKNOWN) {
		if (pl->len - flen < 4) {
			snprintf(err, errlen,
				 "%s: zstd payload records no decompressed size (no content size "
				 "in the frame, no size word after it)",
				 pl->what);
			return -ENOEXEC;
		}
		want = le32(pl->p + flen);
	}
	if (want > KTSTR_VMLINUX_MAX_SIZE) {
		return too_big(pl, err, errlen);
	}
	if (want == 0) {
		snprintf(err, errlen, "%s: zstd payload says it decompresses to 0 bytes", pl->what);
		return -ENOEXEC;
	}
	rc = posix_fallocate(fd, 0, (off_t)want);
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot reserve %llu bytes for the vmlinux: %s", pl->what,
			 want, strerror(rc));
		return -rc;
	}
	dst = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (dst == MAP_FAILED) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot map %llu bytes of output: %s", pl->what, want,
			 strerror(-rc));
		return rc;
	}
	dctx = ZSTD_createDCtx();
	if (dctx == NULL) {
		munmap(dst, want);
		snprintf(err, errlen, "%s: out of memory", pl->what);
		return -ENOMEM;
	}
	got = ZSTD_decompressDCtx(dctx, dst, want, pl->p, flen);
	ZSTD_freeDCtx(dctx);
	munmap(dst, want);
	if (ZSTD_isError(got)) {
		if (ZSTD_getErrorCode(got) == ZSTD_error_dstSize_tooSmall) {
			snprintf(err, errlen,
				 "%s: zstd payload decompresses to more than the %llu bytes it "
				 "declares",
				 pl->what, want);
		} else {
			snprintf(err, errlen, "%s: zstd payload is corrupt: %s", pl->what,
				 ZSTD_getErrorName(got));
		}
		return -ENOEXEC;
	}
	if (got < want && ftruncate(fd, (off_t)got) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: truncate output: %s", pl->what, strerror(-rc));
	}
	return rc;
}

static int unarchive(const struct payload *pl, int fd, char *err, size_t errlen)
{
	/* kbuild appends the size (LE32) to all but gzip, whose trailer holds it. */
	bool word = strcmp(pl->fmt, "gzip") != 0 && pl->len >= 4;
	size_t in_len = word ? pl->len - 4 : pl->len;
	struct archive *a = archive_read_new();
	struct archive_entry *entry;
	uint64_t written = 0;
	char *buf = malloc(STREAM_BUF);
	int rc = 0;

	if (a == NULL || buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", pl->what);
		rc = -ENOMEM;
		goto out;
	}
	/* Returns ARCHIVE_WARN when some filters would run external programs. */
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_memory(a, pl->p, in_len) < ARCHIVE_WARN ||
	    archive_read_next_header(a, &entry) < ARCHIVE_WARN) {
		snprintf(err, errlen, "%s: %s payload: %s", pl->what, pl->fmt,
			 archive_error_string(a) != NULL ? archive_error_string(a) : "unreadable");
		rc = -ENOEXEC;
		goto out;
	}
	if (archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE) {
		snprintf(err, errlen,
			 "%s: libarchive does not recognise the %s payload (corrupt, or a codec "
			 "this build lacks)",
			 pl->what, pl->fmt);
		rc = -ENOEXEC;
		goto out;
	}
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, STREAM_BUF);

		if (n == 0) {
			break;
		}
		if (n < 0) {
			snprintf(err, errlen, "%s: %s payload is corrupt or truncated: %s",
				 pl->what, pl->fmt,
				 archive_error_string(a) != NULL ? archive_error_string(a)
								 : "error");
			rc = -ENOEXEC;
			goto out;
		}
		if (written + (uint64_t)n > KTSTR_VMLINUX_MAX_SIZE) {
			rc = too_big(pl, err, errlen);
			goto out;
		}
		rc = ktstr_fs__write_all(fd, buf, (size_t)n);
		if (rc != 0) {
			snprintf(err, errlen, "%s: writing the vmlinux: %s", pl->what,
				 strerror(-rc));
			goto out;
		}
		written += (uint64_t)n;
	}
	if (word && written != le32(pl->p + in_len)) {
		snprintf(err, errlen,
			 "%s: %s payload decompressed to %llu bytes, but its size word says %u",
			 pl->what, pl->fmt, (unsigned long long)written, le32(pl->p + in_len));
		rc = -ENOEXEC;
	}
out:
	free(buf);
	if (a != NULL) {
		archive_read_free(a);
	}
	return rc;
}

static int check_elf(const struct payload *pl, int fd, char *err, size_t errlen)
{
	uint8_t magic[4];

	if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, "\177ELF", 4) != 0) {
		snprintf(err, errlen, "%s: the %s payload decompressed, but is not an ELF vmlinux",
			 pl->what, pl->fmt);
		return -ENOEXEC;
	}
	return 0;
}

static int decompress(const struct payload *pl, const char *out, char *err, size_t errlen)
{
	struct ktstr_vmlinux_tmp tmp;
	int rc = ktstr_vmlinux_tmp__open(&tmp, out, err, errlen);

	if (rc != 0) {
		return rc;
	}
	if (strcmp(pl->fmt, "zstd") == 0) {
		rc = unzstd(pl, tmp.fd, err, errlen);
	} else if (strcmp(pl->fmt, "elf") == 0) {
		rc = ktstr_fs__write_all(tmp.fd, pl->p, pl->len);
		if (rc != 0) {
			snprintf(err, errlen, "%s: writing the vmlinux: %s", tmp.path,
				 strerror(-rc));
		}
	} else {
		rc = unarchive(pl, tmp.fd, err, errlen);
	}
	if (rc == 0) {
		rc = check_elf(pl, tmp.fd, err, errlen);
	}
	if (rc != 0) {
		ktstr_vmlinux_tmp__abort(&tmp);
		return rc;
	}
	return ktstr_vmlinux_tmp__commit(&tmp, out, err, errlen);
}

int ktstr_vmlinux__extract(const char *image, const char *out, char *err, size_t errlen)
{
	uint8_t hdr[KTSTR_BZIMAGE_HDR_LEN];
	struct ktstr_bzimage bz;
	struct payload pl = {.what = image};
	struct stat st;
	void *map;
	ssize_t n;
	int fd, rc;

	fd = open(image, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", image, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", image, strerror(-rc));
		goto out_fd;
	}
	n = pread(fd, hdr, sizeof(hdr), 0);
	if (n < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", image, strerror(-rc));
		goto out_fd;
	}
	rc = ktstr_bzimage__parse(hdr, (size_t)n, (uint64_t)st.st_size, image, &bz, err, errlen);
	if (rc != 0) {
		goto out_fd;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		rc = -errno;
		snprintf(err, errlen, "%s: mmap: %s", image, strerror(-rc));
		goto out_fd;
	}
	pl.p = (const uint8_t *)map + bz.payload_off;
	pl.len = bz.payload_len;
	pl.fmt = ktstr_bzimage__payload_format(pl.p, pl.len);
	if (pl.fmt == NULL) {
		const uint8_t *b = pl.p;

		snprintf(err, errlen,
			 "%s: the payload at offset %llu has an unknown compression (first bytes "
			 "%02x %02x %02x %02x)",
			 image, (unsigned long long)bz.payload_off, b[0], pl.len > 1 ? b[1] : 0,
			 pl.len > 2 ? b[2] : 0, pl.len > 3 ? b[3] : 0);
		rc = -ENOEXEC;
	} else {
		rc = decompress(&pl, out, err, errlen);
	}
	munmap(map, (size_t)st.st_size);
out_fd:
	close(fd);
	return rc;
}
