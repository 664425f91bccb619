#include "compress.h"

#include <errno.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static const uint8_t zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};

const char *ktstr_compress__ext(enum ktstr_compress comp)
{
	switch (comp) {
	case KTSTR_COMPRESS_LZ4:
		return "lz4";
	case KTSTR_COMPRESS_ZSTD:
		return "zst";
	}
	return NULL;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool ktstr_compress__has_magic(enum ktstr_compress comp, const void *buf, size_t len)
{
	if (len < 4) {
		return false;
	}
	switch (comp) {
	case KTSTR_COMPRESS_LZ4:
		return get_le32(buf) == KTSTR_LZ4_LEGACY_MAGIC;
	case KTSTR_COMPRESS_ZSTD:
		return memcmp(buf, zstd_magic, 4) == 0;
	}
	return false;
}

static int lz4_encode(const uint8_t *in, size_t len, void **out, size_t *outlen)
{
	size_t nchunks = len / KTSTR_LZ4_LEGACY_CHUNK + 1;
	size_t bound = (size_t)LZ4_compressBound(KTSTR_LZ4_LEGACY_CHUNK);
	size_t cap, pos = 4;
	uint8_t *buf;

	/* Worst case: every chunk incompressible, plus a size word each. */
	cap = 4 + nchunks * (4 + bound);
	buf = malloc(cap);
	if (buf == NULL) {
		return -ENOMEM;
	}
	put_le32(buf, KTSTR_LZ4_LEGACY_MAGIC);
	for (size_t off = 0; off < len; off += KTSTR_LZ4_LEGACY_CHUNK) {
		size_t n = len - off < KTSTR_LZ4_LEGACY_CHUNK ? len - off : KTSTR_LZ4_LEGACY_CHUNK;
		int r = LZ4_compress_default((const char *)in + off, (char *)buf + pos + 4, (int)n,
					     (int)bound);

		if (r <= 0) {
			free(buf);
			return -EIO;
		}
		put_le32(buf + pos, (uint32_t)r);
		pos += 4 + (size_t)r;
	}
	*out = buf;
	*outlen = pos;
	return 0;
}

static int zstd_encode(const void *in, size_t len, void **out, size_t *outlen)
{
	size_t cap = ZSTD_compressBound(len);
	void *buf = malloc(cap != 0 ? cap : 1);
	size_t r;

	if (buf == NULL) {
		return -ENOMEM;
	}
	/* ZSTD_compress writes the content size into the frame header. */
	r = ZSTD_compress(buf, cap, in, len, KTSTR_ZSTD_LEVEL);
	if (ZSTD_isError(r)) {
		free(buf);
		return -EIO;
	}
	*out = buf;
	*outlen = r;
	return 0;
}

int ktstr_compress__encode(enum ktstr_compress comp, const void *in, size_t len, void **out,
			   size_t *outlen)
{
	if (len > 0 && in == NULL) {
		return -EINVAL;
	}
	switch (comp) {
	case KTSTR_COMPRESS_LZ4:
		return lz4_encode(in, len, out, outlen);
	case KTSTR_COMPRESS_ZSTD:
		return zstd_encode(in, len, out, outlen);
	}
	return -EINVAL;
}

/* Grows *buf so that @p need bytes fit, refusing more than @p max. */
static int grow(uint8_t **buf, size_t *cap, size_t need, size_t max)
{
	size_t ncap = *cap != 0 ? *cap : 65536;
	uint8_t *nb;

	if (need > max) {
		return -EFBIG;
	}
	if (need <= *cap) {
		return 0;
	}
	while (ncap < need) {
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	}
	if (ncap > max) {
		ncap = max;
	}
	nb = realloc(*buf, ncap);
	if (nb == NULL) {
		return -ENOMEM;
	}
	*buf = nb;
	*cap = ncap;
	return 0;
}

/* Mirrors the kernel's unlz4: a size word equal to the magic starts a new stream. */
static int lz4_decode(const uint8_t *in, size_t len, size_t max_out, void **out, size_t *outlen)
{
	size_t pos = 4, olen = 0, cap = 0;
	uint8_t *buf = NULL;
	int err = 0;

	if (!ktstr_compress__has_magic(KTSTR_COMPRESS_LZ4, in, len)) {
		return -EBADMSG;
	}
	while (pos < len) {
		uint32_t csize;
		int r;

		if (len - pos < 4) {
			err = -EBADMSG;
			goto err_buf;
		}
		csize = get_le32(in + pos);
		pos += 4;
		if (csize == KTSTR_LZ4_LEGACY_MAGIC) {
			continue;
		}
		if (csize == 0 || csize > len - pos || csize > (uint32_t)INT32_MAX) {
			err = -EBADMSG;
			goto err_buf;
		}
		err = grow(&buf, &cap, olen + KTSTR_LZ4_LEGACY_CHUNK,
			   max_out > SIZE_MAX - KTSTR_LZ4_LEGACY_CHUNK
			       ? SIZE_MAX
			       : max_out + KTSTR_LZ4_LEGACY_CHUNK);
		if (err != 0) {
			goto err_buf;
		}
		r = LZ4_decompress_safe((const char *)in + pos, (char *)buf + olen, (int)csize,
					KTSTR_LZ4_LEGACY_CHUNK);
		if (r < 0) {
			err = -EBADMSG;
			goto err_buf;
		}
		olen += (size_t)r;
		pos += csize;
		if (olen > max_out) {
			err = -EFBIG;
			goto err_buf;
		}
	}
	*out = buf;
	*outlen = olen;
	return 0;
err_buf:
	free(buf);
	return err;
}

static int zstd_decode(const void *in, size_t len, size_t max_out, void **out, size_t *outlen)
{
	size_t max = max_out == SIZE_MAX ? SIZE_MAX : max_out + 1;
	ZSTD_inBuffer ib = {in, len, 0};
	size_t cap = 0, olen = 0, last = 0, in_before, r;
	uint8_t *buf = NULL;
	ZSTD_DCtx *dctx;
	int err = 0;

	if (!ktstr_compress__has_magic(KTSTR_COMPRESS_ZSTD, in, len)) {
		return -EBADMSG;
	}
	dctx = ZSTD_createDCtx();
	if (dctx == NULL) {
		return -ENOMEM;
	}
	for (;;) {
		ZSTD_outBuffer ob;

		if (olen == cap) {
			err = grow(&buf, &cap, cap + 1, max);
			if (err != 0) {
				goto err_buf;
			}
		}
		ob = (ZSTD_outBuffer){buf + olen, cap - olen, 0};
		in_before = ib.pos;
		r = ZSTD_decompressStream(dctx, &ob, &ib);
		if (ZSTD_isError(r)) {
			err = -EBADMSG;
			goto err_buf;
		}
		/* A call that moves nothing after a finished frame hints at the next header. */
		if (ob.pos > 0 || ib.pos != in_before) {
			last = r;
		}
		olen += ob.pos;
		if (olen > max_out) {
			err = -EFBIG;
			goto err_buf;
		}
		/* Input used up and room left over: the decoder has flushed everything. */
		if (ib.pos == ib.size && ob.pos < ob.size) {
			break;
		}
	}
	/* A non-zero hint after all input is consumed means a truncated frame. */
	if (last != 0) {
		err = -EBADMSG;
		goto err_buf;
	}
	ZSTD_freeDCtx(dctx);
	*out = buf;
	*outlen = olen;
	return 0;
err_buf:
	free(buf);
	ZSTD_freeDCtx(dctx);
	return err;
}

int ktstr_compress__decode(enum ktstr_compress comp, const void *in, size_t len, size_t max_out,
			   void **out, size_t *outlen)
{
	switch (comp) {
	case KTSTR_COMPRESS_LZ4:
		return lz4_decode(in, len, max_out, out, outlen);
	case KTSTR_COMPRESS_ZSTD:
		return zstd_decode(in, len, max_out, out, outlen);
	}
	return -EINVAL;
}
