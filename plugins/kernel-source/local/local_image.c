#include "local_image.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* x86 boot protocol (Documentation/arch/x86/boot.rst): setup header fields */
#define BZ_MAGIC_OFF 0x202   /* "HdrS" */
#define BZ_VERSION_OFF 0x206 /* u16 protocol version */
#define BZ_KVER_OFF 0x20E    /* u16 pointer to the version string, minus 0x200 */

static uint16_t kimage__le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void kimage__bz_version(const unsigned char *buf, size_t len, char *version, size_t vlen)
{
	size_t off, n = 0;

	/* the field exists since protocol 2.00; 0 means no string */
	if (len < BZ_KVER_OFF + 2 || kimage__le16(buf + BZ_VERSION_OFF) < 0x200 ||
	    kimage__le16(buf + BZ_KVER_OFF) == 0) {
		return;
	}
	off = 0x200 + (size_t)kimage__le16(buf + BZ_KVER_OFF);
	while (off + n < len && n + 1 < vlen && buf[off + n] > ' ' && buf[off + n] < 0x7f) {
		n++;
	}
	/* a word cut by the end of the buffer or of @p version is not a version */
	if (off + n >= len || (buf[off + n] != ' ' && buf[off + n] != '\0')) {
		return;
	}
	memcpy(version, buf + off, n);
	version[n] = '\0';
}

static bool kimage__is_vmlinux(const unsigned char *buf, size_t len)
{
	GElf_Ehdr eh;
	bool ok = false;
	Elf *elf;

	if (len < 4 || memcmp(buf, ELFMAG, SELFMAG) != 0 || elf_version(EV_CURRENT) == EV_NONE) {
		return false;
	}
	elf = elf_memory((char *)buf, len);
	if (elf == NULL) {
		return false;
	}
	if (elf_kind(elf) == ELF_K_ELF && gelf_getclass(elf) == ELFCLASS64 &&
	    gelf_getehdr(elf, &eh) != NULL) {
		ok = eh.e_type == ET_EXEC && eh.e_machine == EM_X86_64;
	}
	elf_end(elf);
	return ok;
}

enum ktstr_kimage_kind ktstr_kimage__parse(const unsigned char *buf, size_t len, char *version,
					   size_t vlen)
{
	if (vlen > 0) {
		version[0] = '\0';
	}
	if (len >= BZ_MAGIC_OFF + 4 && memcmp(buf + BZ_MAGIC_OFF, "HdrS", 4) == 0) {
		if (vlen > 0) {
			kimage__bz_version(buf, len, version, vlen);
		}
		return KTSTR_KIMAGE_BZIMAGE;
	}
	return kimage__is_vmlinux(buf, len) ? KTSTR_KIMAGE_ELF : KTSTR_KIMAGE_NONE;
}

int ktstr_kimage__inspect(const char *path, enum ktstr_kimage_kind *kind, char *version,
			  size_t vlen)
{
	unsigned char *buf;
	size_t len = 0;
	int fd, rc = 0;

	struct stat st;

	/* O_NONBLOCK: a FIFO's open would wait for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		goto err_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL; /* a FIFO, device or socket */
		goto err_fd;
	}
	buf = malloc(KTSTR_KIMAGE_HEAD_BYTES);
	if (buf == NULL) {
		rc = -ENOMEM;
		goto err_fd;
	}
	while (len < KTSTR_KIMAGE_HEAD_BYTES) {
		ssize_t n = read(fd, buf + len, KTSTR_KIMAGE_HEAD_BYTES - len);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			rc = -errno;
			goto err_buf;
		}
		if (n == 0) {
			break;
		}
		len += (size_t)n;
	}
	*kind = ktstr_kimage__parse(buf, len, version, vlen);
err_buf:
	free(buf);
err_fd:
	close(fd);
	return rc;
}
