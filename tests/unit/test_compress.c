/* LZ4 legacy and zstd: stream layout, round trips across chunk boundaries, corrupt input. */
#define _GNU_SOURCE
#include <errno.h>
#include <lz4.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include <cmocka.h>

#include "compress.h"
#include "fsutil.h"

#define MIB (1u << 20)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Half text-like (compressible), half xorshift noise, so both block kinds occur. */
static uint8_t *make_input(size_t len)
{
	uint8_t *b = malloc(len != 0 ? len : 1);
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < len; i++) {
		if ((i / 65536) % 2 == 0) {
			b[i] = (uint8_t)("ktstr initramfs "[i % 16]);
		} else {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			b[i] = (uint8_t)x;
		}
	}
	return b;
}

static void roundtrip(enum ktstr_compress comp, size_t len)
{
	uint8_t *in = make_input(len);
	void *z, *back;
	size_t zlen, blen;

	assert_int_equal(ktstr_compress__encode(comp, in, len, &z, &zlen), 0);
	assert_true(ktstr_compress__has_magic(comp, z, zlen));
	assert_int_equal(ktstr_compress__decode(comp, z, zlen, SIZE_MAX, &back, &blen), 0);
	assert_int_equal(blen, len);
	assert_memory_equal(back, in, len);
	free(back);
	free(z);
	free(in);
}

static void test_roundtrip_sizes(void **state)
{
	const size_t sizes[] = { 0, 1, 4095, KTSTR_LZ4_LEGACY_CHUNK - 1, KTSTR_LZ4_LEGACY_CHUNK,
				 KTSTR_LZ4_LEGACY_CHUNK + 1, 2 * KTSTR_LZ4_LEGACY_CHUNK + 12345 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		roundtrip(KTSTR_COMPRESS_LZ4, sizes[i]);
		roundtrip(KTSTR_COMPRESS_ZSTD, sizes[i]);
	}
}

/* The layout the kernel's unlz4 expects: magic, then {LE size, block <= 8 MiB out}. */
static void test_lz4_legacy_layout(void **state)
{
	size_t len = 2 * KTSTR_LZ4_LEGACY_CHUNK + 100, zlen, pos = 4, nblocks = 0, total = 0;
	uint8_t *in = make_input(len), *z;
	char *out = malloc(KTSTR_LZ4_LEGACY_CHUNK);

	assert_int_equal(ktstr_compress__encode(KTSTR_COMPRESS_LZ4, in, len, (void **)&z, &zlen),
			 0);
	assert_memory_equal(z, "\x02\x21\x4c\x18", 4);
	while (pos < zlen) {
		uint32_t bs = le32(z + pos);
		int r;

		pos += 4;
		assert_true(bs > 0 && bs <= zlen - pos);
		r = LZ4_decompress_safe((const char *)z + pos, out, (int)bs,
					KTSTR_LZ4_LEGACY_CHUNK);
		assert_true(r > 0);
		assert_memory_equal(out, in + total, (size_t)r);
		total += (size_t)r;
		pos += bs;
		nblocks++;
	}
	assert_int_equal(pos, zlen);
	assert_int_equal(nblocks, 3);
	assert_int_equal(total, len);
	free(out);
	free(z);
	free(in);
}

static void test_zstd_has_content_size(void **state)
{
	uint8_t *in = make_input(100000);
	size_t zlen;
	void *z;

	assert_int_equal(ktstr_compress__encode(KTSTR_COMPRESS_ZSTD, in, 100000, &z, &zlen), 0);
	assert_memory_equal(z, "\x28\xb5\x2f\xfd", 4);
	assert_int_equal(ZSTD_getFrameContentSize(z, zlen), 100000);
	free(z);
	free(in);
}

/* The kernel accepts concatenated streams; so must the decoder. */
static void concat(enum ktstr_compress comp)
{
	void *a, *b, *back;
	size_t alen, blen, outlen;
	uint8_t *both;

	assert_int_equal(ktstr_compress__encode(comp, "hello ", 6, &a, &alen), 0);
	assert_int_equal(ktstr_compress__encode(comp, "world", 5, &b, &blen), 0);
	both = malloc(alen + blen);
	memcpy(both, a, alen);
	memcpy(both + alen, b, blen);
	assert_int_equal(ktstr_compress__decode(comp, both, alen + blen, SIZE_MAX, &back, &outlen),
			 0);
	assert_int_equal(outlen, 11);
	assert_memory_equal(back, "hello world", 11);
	free(back);
	free(both);
	free(a);
	free(b);
}

static void test_concatenated(void **state)
{
	concat(KTSTR_COMPRESS_LZ4);
	concat(KTSTR_COMPRESS_ZSTD);
}

static int decode_copy(enum ktstr_compress comp, const uint8_t *z, size_t zlen, size_t max)
{
	/* A private copy, so ASan catches a read past the end. */
	uint8_t *copy = malloc(zlen != 0 ? zlen : 1);
	void *out = NULL;
	size_t outlen;
	int rc;

	memcpy(copy, z, zlen);
	rc = ktstr_compress__decode(comp, copy, zlen, max, &out, &outlen);
	free(copy);
	if (rc == 0) {
		free(out);
	}
	return rc;
}

static void test_corrupt(void **state)
{
	uint8_t *in = make_input(300000), *z;
	size_t zlen;

	for (int comp = KTSTR_COMPRESS_LZ4; comp <= KTSTR_COMPRESS_ZSTD; comp++) {
		assert_int_equal(
			ktstr_compress__encode((enum ktstr_compress)comp, in, 300000, (void **)&z,
					       &zlen),
			0);
		assert_int_equal(decode_copy((enum ktstr_compress)comp, z, 3, SIZE_MAX), -EBADMSG);
		assert_int_equal(decode_copy((enum ktstr_compress)comp, z, zlen - 1, SIZE_MAX),
				 -EBADMSG);
		assert_int_equal(decode_copy((enum ktstr_compress)comp, z, zlen / 2, SIZE_MAX),
				 -EBADMSG);
		assert_int_equal(decode_copy((enum ktstr_compress)comp, z, zlen, 299999), -EFBIG);
		assert_int_equal(decode_copy((enum ktstr_compress)comp, z, zlen, 300000), 0);
		z[0] ^= 0xff;
		assert_int_equal(decode_copy((enum ktstr_compress)comp, z, zlen, SIZE_MAX),
				 -EBADMSG);
		free(z);
	}
	/* LZ4: a zero block size, a size past the end, a garbage block. */
	assert_int_equal(decode_copy(KTSTR_COMPRESS_LZ4,
				     (const uint8_t *)"\x02\x21\x4c\x18\0\0\0\0", 8, SIZE_MAX),
			 -EBADMSG);
	assert_int_equal(decode_copy(KTSTR_COMPRESS_LZ4,
				     (const uint8_t *)"\x02\x21\x4c\x18\x05\0\0\0ab", 10, SIZE_MAX),
			 -EBADMSG);
	assert_int_equal(decode_copy(KTSTR_COMPRESS_LZ4,
				     (const uint8_t *)"\x02\x21\x4c\x18\x02\0\0\0\xff\xff", 10,
				     SIZE_MAX),
			 -EBADMSG);
	assert_int_equal(decode_copy((enum ktstr_compress)7, in, 10, SIZE_MAX), -EINVAL);
	free(in);
}

static void test_names_and_magic(void **state)
{
	void *z;
	size_t zlen;

	assert_string_equal(ktstr_compress__ext(KTSTR_COMPRESS_LZ4), "lz4");
	assert_string_equal(ktstr_compress__ext(KTSTR_COMPRESS_ZSTD), "zst");
	assert_null(ktstr_compress__ext((enum ktstr_compress)0));
	assert_false(ktstr_compress__has_magic(KTSTR_COMPRESS_LZ4, "\x02\x21\x4c", 3));
	assert_false(ktstr_compress__has_magic(KTSTR_COMPRESS_LZ4, "\x28\xb5\x2f\xfd", 4));
	assert_false(ktstr_compress__has_magic(KTSTR_COMPRESS_ZSTD, "\x02\x21\x4c\x18", 4));
	assert_int_equal(ktstr_compress__encode((enum ktstr_compress)9, "x", 1, &z, &zlen),
			 -EINVAL);
	assert_int_equal(ktstr_compress__encode(KTSTR_COMPRESS_LZ4, NULL, 1, &z, &zlen), -EINVAL);
}

/* The reference tools decode our streams: lz4 -d reads the legacy frame, zstd -d the frame. */
static void cli_decodes(const char *tool, enum ktstr_compress comp)
{
	size_t len = KTSTR_LZ4_LEGACY_CHUNK + 4242, zlen, blen;
	char dir[] = "/tmp/ktstr-compress-XXXXXX", cmd[512], zpath[128], opath[128];
	uint8_t *in = make_input(len);
	char *back;
	void *z;

	snprintf(cmd, sizeof(cmd), "%s --version >/dev/null 2>&1", tool);
	if (system(cmd) != 0) {
		fprintf(stderr, "SKIP (loudly): %s CLI not installed; its interop check did not "
			"run\n", tool);
		free(in);
		skip();
	}
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ktstr_compress__encode(comp, in, len, &z, &zlen), 0);
	snprintf(zpath, sizeof(zpath), "%s/in.z", dir);
	snprintf(opath, sizeof(opath), "%s/out", dir);
	assert_int_equal(ktstr_fs__write_atomic(zpath, z, zlen, 0644), 0);
	snprintf(cmd, sizeof(cmd), "%s -q -d -c %s > %s", tool, zpath, opath);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ktstr_fs__read_file(opath, &back, &blen), 0);
	assert_int_equal(blen, len);
	assert_memory_equal(back, in, len);
	free(back);
	free(z);
	free(in);
	assert_int_equal(ktstr_fs__rm_rf(dir), 0);
}

static void test_lz4_cli(void **state)
{
	cli_decodes("lz4", KTSTR_COMPRESS_LZ4);
}

static void test_zstd_cli(void **state)
{
	cli_decodes("zstd", KTSTR_COMPRESS_ZSTD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_sizes),
		cmocka_unit_test(test_lz4_legacy_layout),
		cmocka_unit_test(test_zstd_has_content_size),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_names_and_magic),
		cmocka_unit_test(test_lz4_cli),
		cmocka_unit_test(test_zstd_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
