/*
 * bzImage -> vmlinux on hand-made images: the setup header (boot protocol
 * fields), every payload compression the kernel's build produces (zstd with
 * and without a content size, gzip, bzip2, lzma, xz, lz4 legacy, raw ELF),
 * the size word kbuild appends, and each error with its exact message. The
 * output must be complete on success and absent (no temp left) on failure.
 */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "compress.h"
#include "fsutil.h"
#include "vmlinux.h"

#define ELF_LEN (300u << 10)

static char dir[64];
static char img[PATH_MAX], out[PATH_MAX];
static char err[1024];
static uint8_t *elf; /* a fake vmlinux: ELF magic, then compressible bytes */

struct bz {
	const char *magic;   /* at 0x202; NULL: "HdrS" */
	uint16_t protocol;   /* 0: 2.15 */
	uint8_t setup_sects; /* as stored (0 means 4) */
	int64_t len_delta;   /* added to the real payload_length */
	size_t cut;	     /* bytes removed from the end of the file */
};

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

/* Setup sectors, then 0x40 bytes of "decompressor", the payload, 16 bytes of tail. */
static void write_bzimage(const struct bz *o, const void *payload, size_t plen)
{
	unsigned sects = o->setup_sects != 0 ? o->setup_sects : 4;
	size_t pm = (sects + 1) * 512, len = pm + 0x40 + plen + 16;
	uint8_t *b = calloc(1, len);

	assert_non_null(b);
	memcpy(b, "MZ", 2);
	b[0x1f1] = o->setup_sects;
	put_le16(b + 0x1fe, 0xaa55);
	memcpy(b + 0x202, o->magic != NULL ? o->magic : "HdrS", 4);
	put_le16(b + 0x206, o->protocol != 0 ? o->protocol : 0x020f);
	put_le32(b + 0x248, 0x40);
	put_le32(b + 0x24c, (uint32_t)((int64_t)plen + o->len_delta));
	memcpy(b + pm + 0x40, payload, plen);
	assert_int_equal(ktstr_fs__write_atomic(img, b, len - o->cut, 0644), 0);
	free(b);
}

static void *with_size_word(const void *z, size_t zlen, uint32_t word, size_t *plen)
{
	uint8_t *p = malloc(zlen + 4);

	assert_non_null(p);
	memcpy(p, z, zlen);
	put_le32(p + zlen, word);
	*plen = zlen + 4;
	return p;
}

/* zstd as kbuild makes it: no content size in the frame (piped), a checksum. */
static void *zstd_kbuild(const void *in, size_t len, bool content_size, size_t *zlen)
{
	ZSTD_CCtx *c = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(len);
	void *z = malloc(cap);
	ZSTD_outBuffer ob = {z, cap, 0};
	ZSTD_inBuffer ib = {in, len, 0};

	assert_non_null(c);
	ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, content_size);
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	if (content_size) {
		ZSTD_CCtx_setPledgedSrcSize(c, len);
	}
	assert_int_equal(ZSTD_compressStream2(c, &ob, &ib, ZSTD_e_end), 0);
	ZSTD_freeCCtx(c);
	*zlen = ob.pos;
	return z;
}

static void *archive_compress(const char *filter, const void *in, size_t len, size_t *zlen)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = len + 65536;
	void *z = malloc(cap);

	assert_int_equal(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, z, cap, zlen), ARCHIVE_OK);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, in, len), (la_ssize_t)len);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	return z;
}

static void assert_out_is(const void *want, size_t len)
{
	char *got;
	size_t glen;

	assert_int_equal(ktstr_fs__read_file(out, &got, &glen), 0);
	assert_int_equal(glen, len);
	assert_memory_equal(got, want, len);
	free(got);
}

/* Nothing at out, and no temp file left in the directory. */
static void assert_no_output(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	assert_int_equal(access(out, F_OK), -1);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		assert_null(strstr(de->d_name, ".tmp-"));
	}
	closedir(d);
}

static int expect_fail(int want_rc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int expect_fail(int want_rc, const char *fmt, ...)
{
	char want[1024];
	va_list ap;
	int rc = ktstr_vmlinux__extract(img, out, err, sizeof(err));

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	assert_int_equal(rc, want_rc);
	assert_string_equal(err, want);
	assert_no_output();
	return 0;
}

/* Only the start of the message: the rest is the library's wording. */
static void expect_fail_prefix(int want_rc, const char *prefix)
{
	assert_int_equal(ktstr_vmlinux__extract(img, out, err, sizeof(err)), want_rc);
	if (strncmp(err, prefix, strlen(prefix)) != 0) {
		fail_msg("message \"%s\" does not start with \"%s\"", err, prefix);
	}
	assert_no_output();
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/ktstr-vmlinux-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(img, sizeof(img), "%s/bzImage", dir);
	snprintf(out, sizeof(out), "%s/vmlinux", dir);
	elf = malloc(ELF_LEN);
	memcpy(elf, "\177ELF\2\1\1", 7);
	for (size_t i = 7; i < ELF_LEN; i++) {
		elf[i] = (uint8_t)((i * 2654435761u) >> 13 & 0x3f);
	}
	return 0;
}

static int teardown(void **state)
{
	free(elf);
	return ktstr_fs__rm_rf(dir);
}

static int reset(void **state)
{
	unlink(out);
	return 0;
}

static void test_zstd_like_kbuild(void **state)
{
	size_t zlen, plen;
	void *z = zstd_kbuild(elf, ELF_LEN, false, &zlen);
	void *p = with_size_word(z, zlen, ELF_LEN, &plen);
	struct bz o = {.setup_sects = 27};

	write_bzimage(&o, p, plen);
	assert_int_equal(ktstr_vmlinux__extract(img, out, err, sizeof(err)), 0);
	assert_out_is(elf, ELF_LEN);
	/* A second extraction replaces the first. */
	assert_int_equal(ktstr_vmlinux__extract(img, out, err, sizeof(err)), 0);
	assert_out_is(elf, ELF_LEN);
	free(p);
	free(z);
}

static void test_zstd_content_size_no_word(void **state)
{
	size_t zlen;
	void *z = zstd_kbuild(elf, ELF_LEN, true, &zlen);
	struct bz o = {.setup_sects = 0}; /* 0 means 4 */

	write_bzimage(&o, z, zlen);
	assert_int_equal(ktstr_vmlinux__extract(img, out, err, sizeof(err)), 0);
	assert_out_is(elf, ELF_LEN);
	free(z);
}

/* The size word may overstate the size: the output is cut to what came out. */
static void test_zstd_word_larger(void **state)
{
	size_t zlen, plen;
	void *z = zstd_kbuild(elf, ELF_LEN, false, &zlen);
	void *p = with_size_word(z, zlen, ELF_LEN + 4096, &plen);
	struct bz o = {0};

	write_bzimage(&o, p, plen);
	assert_int_equal(ktstr_vmlinux__extract(img, out, err, sizeof(err)), 0);
	assert_out_is(elf, ELF_LEN);
	free(p);
	free(z);
}

static void test_archive_formats(void **state)
{
	/* gzip carries its size in its own trailer; kbuild appends one to the others. */
	static const struct {
		const char *filter;
		bool word;
	} f[] = {{"gzip", false}, {"bzip2", true}, {"lzma", true}, {"xz", true}};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		size_t zlen, plen;
		void *z = archive_compress(f[i].filter, elf, ELF_LEN, &zlen);
		void *p = f[i].word ? with_size_word(z, zlen, ELF_LEN, &plen) : z;
		struct bz o = {0};

		if (!f[i].word) {
			plen = zlen;
		}
		assert_string_equal(ktstr_bzimage__payload_format(p, plen), f[i].filter);
		write_bzimage(&o, p, plen);
		if (ktstr_vmlinux__extract(img, out, err, sizeof(err)) != 0) {
			fail_msg("%s: %s", f[i].filter, err);
		}
		assert_out_is(elf, ELF_LEN);
		unlink(out);
		if (p != z) {
			free(p);
		}
		free(z);
	}
}

static void test_lz4_legacy(void **state)
{
	size_t zlen, plen;
	void *z, *p;
	struct bz o = {0};

	assert_int_equal(ktstr_compress__encode(KTSTR_COMPRESS_LZ4, elf, ELF_LEN, &z, &zlen), 0);
	p = with_size_word(z, zlen, ELF_LEN, &plen);
	assert_string_equal(ktstr_bzimage__payload_format(p, plen), "lz4");
	write_bzimage(&o, p, plen);
	if (ktstr_vmlinux__extract(img, out, err, sizeof(err)) != 0) {
		fail_msg("lz4: %s", err);
	}
	assert_out_is(elf, ELF_LEN);
	free(p);
	free(z);
}

static void test_raw_elf_payload(void **state)
{
	struct bz o = {0};

	write_bzimage(&o, elf, 4096);
	assert_int_equal(ktstr_vmlinux__extract(img, out, err, sizeof(err)), 0);
	assert_out_is(elf, 4096);
}

static void test_header_errors(void **state)
{
	struct bz o = {0};
	uint8_t small[100] = {0};

	assert_int_equal(ktstr_fs__write_atomic(img, small, sizeof(small), 0644), 0);
	expect_fail(-ENOEXEC,
		    "%s: not a bzImage: 100 bytes, shorter than the 592-byte setup header", img);

	o.magic = "HdrZ";
	write_bzimage(&o, elf, 64);
	expect_fail(-ENOEXEC, "%s: not a bzImage: no \"HdrS\" magic at 0x202", img);

	o = (struct bz){.protocol = 0x0206};
	write_bzimage(&o, elf, 64);
	expect_fail(-ENOEXEC, "%s: boot protocol 2.06 has no payload fields (2.08 or newer needed)",
		    img);

	o = (struct bz){.len_delta = -64};
	write_bzimage(&o, elf, 64);
	expect_fail(-ENOEXEC, "%s: bzImage header names an empty payload", img);

	/* 4 + 1 sectors + 0x40: the payload starts at 2624; the file has 2624 + 64 + 16. */
	o = (struct bz){.len_delta = 17};
	write_bzimage(&o, elf, 64);
	expect_fail(-ENOEXEC,
		    "%s: payload (81 bytes at offset 2624) lies beyond the end of the file (2704 "
		    "bytes); the image is truncated",
		    img);

	o = (struct bz){.cut = 16 + 10};
	write_bzimage(&o, elf, 64);
	expect_fail(-ENOEXEC,
		    "%s: payload (64 bytes at offset 2624) lies beyond the end of the file (2678 "
		    "bytes); the image is truncated",
		    img);

	assert_int_equal(ktstr_fs__write_atomic(img, elf, 4096, 0644), 0);
	expect_fail(-ENOEXEC,
		    "%s: is an ELF file (already a vmlinux?), not a bzImage; use it as is", img);

	unlink(img);
	expect_fail(-ENOENT, "%s: %s", img, strerror(ENOENT));
}

static void test_payload_errors(void **state)
{
	size_t zlen, plen;
	uint8_t *z = zstd_kbuild(elf, ELF_LEN, false, &zlen), *p;
	char prefix[PATH_MAX + 64];
	struct bz o = {0};

	write_bzimage(&o, "ABCDEFGH", 8);
	expect_fail(-ENOEXEC,
		    "%s: the payload at offset 2624 has an unknown compression (first bytes 41 42 "
		    "43 44)",
		    img);

	/* Truncated frame. */
	write_bzimage(&o, z, zlen / 2);
	expect_fail(-ENOEXEC, "%s: zstd payload is corrupt or truncated: %s", img,
		    ZSTD_getErrorString(ZSTD_error_srcSize_wrong));

	/* No content size and no size word. */
	write_bzimage(&o, z, zlen);
	expect_fail(-ENOEXEC,
		    "%s: zstd payload records no decompressed size (no content size in the "
		    "frame, no size word after it)",
		    img);

	/* A size word smaller than the output. */
	p = with_size_word(z, zlen, ELF_LEN - 1, &plen);
	write_bzimage(&o, p, plen);
	expect_fail(-ENOEXEC, "%s: zstd payload decompresses to more than the %u bytes it declares",
		    img, ELF_LEN - 1);
	free(p);

	p = with_size_word(z, zlen, 0xffffffffu, &plen);
	write_bzimage(&o, p, plen);
	expect_fail(-EFBIG, "%s: zstd payload decompresses to more than %llu bytes; refusing", img,
		    (unsigned long long)KTSTR_VMLINUX_MAX_SIZE);
	free(p);

	p = with_size_word(z, zlen, 0, &plen);
	write_bzimage(&o, p, plen);
	expect_fail(-ENOEXEC, "%s: zstd payload says it decompresses to 0 bytes", img);
	free(p);

	/* Damaged blocks: the checksum or the block decoder notices. */
	p = with_size_word(z, zlen, ELF_LEN, &plen);
	for (size_t i = zlen / 3; i < zlen / 3 + 16; i++) {
		p[i] ^= 0x5a;
	}
	write_bzimage(&o, p, plen);
	snprintf(prefix, sizeof(prefix), "%s: zstd payload is corrupt: ", img);
	expect_fail_prefix(-ENOEXEC, prefix);
	free(p);
	free(z);

	/* Decompresses, but to something that is not an ELF file. */
	z = zstd_kbuild("hello, not a kernel", 19, false, &zlen);
	p = with_size_word(z, zlen, 19, &plen);
	write_bzimage(&o, p, plen);
	expect_fail(-ENOEXEC, "%s: the zstd payload decompressed, but is not an ELF vmlinux", img);
	free(p);
	free(z);
}

static void test_archive_errors(void **state)
{
	size_t zlen;
	uint8_t *z = archive_compress("gzip", elf, ELF_LEN, &zlen);
	char prefix[PATH_MAX + 64];
	struct bz o = {0};

	write_bzimage(&o, z, zlen / 2);
	snprintf(prefix, sizeof(prefix), "%s: gzip payload is corrupt or truncated: ", img);
	expect_fail_prefix(-ENOEXEC, prefix);

	/* kbuild's size word must agree with what came out. */
	free(z);
	z = archive_compress("bzip2", elf, ELF_LEN, &zlen);
	{
		size_t plen;
		void *p = with_size_word(z, zlen, ELF_LEN + 1, &plen);

		write_bzimage(&o, p, plen);
		expect_fail(-ENOEXEC,
			    "%s: bzip2 payload decompressed to %u bytes, but its size word says %u",
			    img, ELF_LEN, ELF_LEN + 1);
		free(p);
	}

	/* An lzma-looking header libarchive does not take: refused, not copied raw. */
	write_bzimage(&o, "\x5d\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 13);
	expect_fail(-ENOEXEC,
		    "%s: libarchive does not recognise the lzma payload (corrupt, or a codec this "
		    "build lacks)",
		    img);
	free(z);
}

static void test_payload_format(void **state)
{
	assert_string_equal(ktstr_bzimage__payload_format("\x28\xb5\x2f\xfd", 4), "zstd");
	assert_string_equal(ktstr_bzimage__payload_format("\x89LZO\0", 5), "lzo");
	assert_string_equal(ktstr_bzimage__payload_format("\177ELF", 4), "elf");
	assert_null(ktstr_bzimage__payload_format("\x28\xb5\x2f", 3));
	assert_null(ktstr_bzimage__payload_format("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_zstd_like_kbuild, reset),
	    cmocka_unit_test_setup(test_zstd_content_size_no_word, reset),
	    cmocka_unit_test_setup(test_zstd_word_larger, reset),
	    cmocka_unit_test_setup(test_archive_formats, reset),
	    cmocka_unit_test_setup(test_lz4_legacy, reset),
	    cmocka_unit_test_setup(test_raw_elf_payload, reset),
	    cmocka_unit_test_setup(test_header_errors, reset),
	    cmocka_unit_test_setup(test_payload_errors, reset),
	    cmocka_unit_test_setup(test_archive_errors, reset),
	    cmocka_unit_test(test_payload_format),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
