/* Fake kernel images for the kernel-source tests: a bzImage header and an ELF vmlinux header. */
#ifndef KTSTR_TEST_KIMAGE_FIXTURE_H
#define KTSTR_TEST_KIMAGE_FIXTURE_H

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* A 4 KiB bzImage: "HdrS", protocol 2.15, version string at 0x200 + 0x300. */
static inline void fixture_bzimage(unsigned char *buf, size_t len, const char *version)
{
	memset(buf, 0, len);
	memcpy(buf + 0x202, "HdrS", 4);
	buf[0x206] = 0x0f;
	buf[0x207] = 0x02;
	buf[0x20E] = 0x00;
	buf[0x20F] = 0x03;
	if (version != NULL) {
		snprintf((char *)buf + 0x500, len - 0x500, "%s", version);
	}
}

static inline void fixture_elf(unsigned char *buf, size_t len, unsigned char cls, uint16_t type,
			       uint16_t machine)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;

	memset(buf, 0, len);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = cls;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = type;
	eh->e_machine = machine;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
}

/* Write a file (parents must exist); 0 or -1. */
static inline int fixture_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	size_t n;

	if (f == NULL) {
		return -1;
	}
	n = fwrite(data, 1, len, f);
	return fclose(f) == 0 && n == len ? 0 : -1;
}

static inline int fixture_bzimage_file(const char *path, const char *version)
{
	unsigned char buf[4096];

	fixture_bzimage(buf, sizeof(buf), version);
	return fixture_write(path, buf, sizeof(buf));
}

static inline int fixture_vmlinux_file(const char *path)
{
	unsigned char buf[256];

	fixture_elf(buf, sizeof(buf), ELFCLASS64, ET_EXEC, EM_X86_64);
	return fixture_write(path, buf, sizeof(buf));
}

#endif
