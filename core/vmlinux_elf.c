/* A read-only view of a vmlinux through libelf: BTF, release banner, symbols, PVH note. */
#define _GNU_SOURCE /* memmem */
#include "vmlinux.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BANNER "Linux version "

struct ktstr_vmlinux {
	int fd;
	Elf *elf;
	GElf_Ehdr eh;
};

int ktstr_vmlinux__open(const char *path, struct ktstr_vmlinux **out, char *err, size_t errlen)
{
	struct ktstr_vmlinux *v = calloc(1, sizeof(*v));
	int rc;

	if (v == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	elf_version(EV_CURRENT);
	v->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (v->fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		free(v);
		return rc;
	}
	v->elf = elf_begin(v->fd, ELF_C_READ_MMAP, NULL);
	if (v->elf == NULL || elf_kind(v->elf) != ELF_K_ELF ||
	    gelf_getehdr(v->elf, &v->eh) == NULL) {
		snprintf(err, errlen, "%s: not an ELF file (a bzImage needs extracting first)",
			 path);
		ktstr_vmlinux__free(v);
		return -ENOEXEC;
	}
	*out = v;
	return 0;
}

void ktstr_vmlinux__free(struct ktstr_vmlinux *v)
{
	if (v == NULL) {
		return;
	}
	if (v->elf != NULL) {
		elf_end(v->elf);
	}
	close(v->fd);
	free(v);
}

uint16_t ktstr_vmlinux__machine(const struct ktstr_vmlinux *v)
{
	return v->eh.e_machine;
}

int ktstr_vmlinux__elf_class(const struct ktstr_vmlinux *v)
{
	return v->eh.e_ident[EI_CLASS];
}

/* The first section named @p name with bytes in the file, or NULL. */
static Elf_Scn *find_section(const struct ktstr_vmlinux *v, const char *name, GElf_Shdr *sh)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(v->elf, &shstrndx) != 0) {
		return NULL;
	}
	while ((scn = elf_nextscn(v->elf, scn)) != NULL) {
		const char *n;

		if (gelf_getshdr(scn, sh) == NULL) {
			continue;
		}
		n = elf_strptr(v->elf, shstrndx, sh->sh_name);
		if (n != NULL && strcmp(n, name) == 0 && sh->sh_type != SHT_NOBITS) {
			return scn;
		}
	}
	return NULL;
}

int ktstr_vmlinux__btf(const struct ktstr_vmlinux *v, const void **data, size_t *size)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(v, ".BTF", &sh);
	Elf_Data *d = scn != NULL ? elf_rawdata(scn, NULL) : NULL;

	if (d == NULL || d->d_size == 0) {
		return -ENOENT;
	}
	*data = d->d_buf;
	*size = d->d_size;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "Linux version <release> (": <digits>.<digit> first, printable, no spaces, < 65 bytes (UTS). */
static size_t release_at(const char *p, const char *end)
{
	size_t n = 0;

	while (p + n < end && is_digit(p[n])) {
		n++;
	}
	if (n == 0 || p + n + 1 >= end || p[n] != '.' || !is_digit(p[n + 1])) {
		return 0;
	}
	while (p + n < end && p[n] > ' ' && p[n] < 0x7f && n < 65) {
		n++;
	}
	if (n == 65 || p + n + 1 >= end || p[n] != ' ' || p[n + 1] != '(') {
		return 0;
	}
	return n;
}

int ktstr_vmlinux__release(const struct ktstr_vmlinux *v, char *buf, size_t len)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_section(v, ".rodata", &sh);
	Elf_Data *d = scn != NULL ? elf_rawdata(scn, NULL) : NULL;
	const char *p, *end;

	if (d == NULL || d->d_buf == NULL) {
		return -ENOENT;
	}
	p = d->d_buf;
	end = p + d->d_size;
	while ((p = memmem(p, (size_t)(end - p), BANNER, strlen(BANNER))) != NULL) {
		size_t n;

		p += strlen(BANNER);
		n = release_at(p, end);
		if (n != 0) {
			if (n >= len) {
				return -ENOSPC;
			}
			memcpy(buf, p, n);
			buf[n] = '\0';
			return 0;
		}
	}
	return -ENOENT;
}

int ktstr_vmlinux__symbol(const struct ktstr_vmlinux *v, const char *name, uint64_t *addr)
{
	Elf_Scn *scn = NULL;
	Elf_Data *d;
	GElf_Shdr sh;
	GElf_Sym sym;

	while ((scn = elf_nextscn(v->elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &sh) != NULL && sh.sh_type == SHT_SYMTAB) {
			break;
		}
	}
	if (scn == NULL) {
		return -ENODATA;
	}
	d = elf_getdata(scn, NULL);
	for (int i = 0; d != NULL && gelf_getsym(d, i, &sym) != NULL; i++) {
		const char *n = elf_strptr(v->elf, sh.sh_link, sym.st_name);

		if (sym.st_name != 0 && n != NULL && strcmp(n, name) == 0) {
			*addr = sym.st_value;
			return 0;
		}
	}
	return -ENOENT;
}

/* Scan one block of notes for Xen's PHYS32_ENTRY. */
static int pvh_in(const struct ktstr_vmlinux *v, Elf_Data *d, uint64_t *addr)
{
	GElf_Nhdr nh;
	size_t off = 0, name_off, desc_off, next;

	while (d != NULL && (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const uint8_t *desc = (const uint8_t *)d->d_buf + desc_off;

		off = next;
		if (nh.n_namesz != 4 || memcmp((const char *)d->d_buf + name_off, "Xen", 4) != 0 ||
		    nh.n_type != KTSTR_XEN_ELFNOTE_PHYS32_ENTRY ||
		    (nh.n_descsz != 4 && nh.n_descsz != 8)) {
			continue;
		}
		*addr = 0;
		for (size_t b = 0; b < nh.n_descsz; b++) {
			size_t k = v->eh.e_ident[EI_DATA] == ELFDATA2MSB ? b : nh.n_descsz - 1 - b;

			*addr = *addr << 8 | desc[k];
		}
		return 0;
	}
	return -ENOENT;
}

int ktstr_vmlinux__pvh_entry(const struct ktstr_vmlinux *v, uint64_t *addr)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t phnum;

	while ((scn = elf_nextscn(v->elf, scn)) != NULL) {
		if (gelf_getshdr(scn, &sh) != NULL && sh.sh_type == SHT_NOTE &&
		    pvh_in(v, elf_getdata(scn, NULL), addr) == 0) {
			return 0;
		}
	}
	if (elf_getphdrnum(v->elf, &phnum) != 0) {
		return -ENOENT;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(v->elf, (int)i, &ph) != NULL && ph.p_type == PT_NOTE &&
		    pvh_in(
			v,
			elf_getdata_rawchunk(v->elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR),
			addr) == 0) {
			return 0;
		}
	}
	return -ENOENT;
}
