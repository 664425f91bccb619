#include "cpio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CPIO_HDR_LEN 110
#define CPIO_TRAILER "TRAILER!!!"

void ktstr_cpio__init(struct ktstr_cpio *c)
{
	c->buf = NULL;
	c->len = 0;
	c->cap = 0;
	c->next_ino = 1;
}

void ktstr_cpio__release(struct ktstr_cpio *c)
{
	free(c->buf);
	ktstr_cpio__init(c);
}

static int reserve(struct ktstr_cpio *c, size_t extra)
{
	size_t need, cap;
	uint8_t *nb;

	if (extra > SIZE_MAX - c->len) {
		return -ENOMEM;
	}
	need = c->len + extra;
	if (need <= c->cap) {
		return 0;
	}
	cap = c->cap != 0 ? c->cap : 4096;
	while (cap < need) {
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	}
	nb = realloc(c->buf, cap);
	if (nb == NULL) {
		return -ENOMEM;
	}
	c->buf = nb;
	c->cap = cap;
	return 0;
}

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

/* Writes the entry; @p ino is explicit so the trailer can carry 0 like GNU cpio's. */
static int add_entry(struct ktstr_cpio *c, const char *name, uint32_t ino, uint32_t mode,
		     const void *data, size_t len)
{
	size_t namesz = strlen(name) + 1;
	size_t hpad, dpad, total;
	char hdr[CPIO_HDR_LEN + 1];
	int err;

	if (namesz == 1) {
		return -EINVAL;
	}
	if (namesz > KTSTR_CPIO_NAME_MAX) {
		return -ENAMETOOLONG;
	}
	if (len > UINT32_MAX) {
		return -EFBIG;
	}
	/* The header is 110 bytes, so header+name padding depends on both. */
	hpad = pad4(CPIO_HDR_LEN + namesz);
	dpad = pad4(len);
	total = CPIO_HDR_LEN + namesz + hpad + len + dpad;
	err = reserve(c, total);
	if (err != 0) {
		return err;
	}
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, mode, 0u, 0u, 1u, 0u, (uint32_t)len, 0u, 0u, 0u, 0u, (uint32_t)namesz, 0u);
	memcpy(c->buf + c->len, hdr, CPIO_HDR_LEN);
	c->len += CPIO_HDR_LEN;
	memcpy(c->buf + c->len, name, namesz);
	c->len += namesz;
	memset(c->buf + c->len, 0, hpad);
	c->len += hpad;
	if (len > 0) {
		memcpy(c->buf + c->len, data, len);
		c->len += len;
	}
	memset(c->buf + c->len, 0, dpad);
	c->len += dpad;
	return 0;
}

int ktstr_cpio__add(struct ktstr_cpio *c, const char *name, uint32_t mode, const void *data,
		    size_t len)
{
	int err;

	if (S_ISDIR(mode) && len != 0) {
		return -EINVAL;
	}
	if (len > 0 && data == NULL) {
		return -EINVAL;
	}
	err = add_entry(c, name, c->next_ino, mode, data, len);
	if (err == 0) {
		c->next_ino++;
	}
	return err;
}

int ktstr_cpio__add_dir(struct ktstr_cpio *c, const char *name, uint32_t perm)
{
	return ktstr_cpio__add(c, name, S_IFDIR | (perm & 07777), NULL, 0);
}

int ktstr_cpio__add_symlink(struct ktstr_cpio *c, const char *name, const char *target)
{
	size_t n = strlen(target);

	if (n == 0) {
		return -EINVAL;
	}
	return ktstr_cpio__add(c, name, S_IFLNK | 0777, target, n);
}

int ktstr_cpio__add_trailer(struct ktstr_cpio *c)
{
	return add_entry(c, CPIO_TRAILER, 0, 0, NULL, 0);
}

int ktstr_cpio__pad(struct ktstr_cpio *c, size_t align)
{
	size_t rem, n;
	int err;

	if (align == 0 || (align & (align - 1)) != 0) {
		return -EINVAL;
	}
	rem = c->len & (align - 1);
	if (rem == 0) {
		return 0;
	}
	n = align - rem;
	err = reserve(c, n);
	if (err != 0) {
		return err;
	}
	memset(c->buf + c->len, 0, n);
	c->len += n;
	return 0;
}
