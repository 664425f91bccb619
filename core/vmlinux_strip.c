/*
 * vmlinux strip (the reference's §3.4) with libelf: a new ELF written with
 * ELF_F_LAYOUT, section bytes borrowed from the mapped input.
 */
#include "vmlinux.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmlinux_internal.h"

/* A vmlinux aligns sections to 2 MiB at most. */
#define MAX_PADDING (64u << 20)

enum fate { DROP, KEEP, HOLLOW };

typedef enum fate (*fate_fn)(const char *name, const GElf_Shdr *sh);

struct sec {
	GElf_Shdr sh;
	const char *name;
	enum fate fate;
	size_t idx;  /* in the output */
	void *owned; /* bytes made for the output (a renumbered .symtab) */
};

struct pass {
	Elf *in;
	const char *path;
	size_t shnum, shstrndx;
	struct sec *secs;
	char *names; /* the new .shstrtab */
	size_t names_len;
	bool has_symtab;
	size_t named_syms;
	uint64_t padded; /* bytes of alignment padding in the output so far */
};

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(name, list[i]) == 0) {
			return true;
		}
	}
	return false;
}

static enum fate keep_list(const char *name, const GElf_Shdr *sh)
{
	static const char *const keep[] = {".shstrtab", ".symtab", ".strtab",
					   ".bss",	".rodata", ".BTF"};
	static const char *const hollow[] = {".data", ".data..percpu", ".init.data"};

	if (in_list(name, keep, sizeof(keep) / sizeof(keep[0]))) {
		return KEEP;
	}
	if (in_list(name, hollow, sizeof(hollow) / sizeof(hollow[0])) ||
	    (sh->sh_flags & SHF_EXECINSTR) != 0) {
		return HOLLOW;
	}
	return DROP;
}

static enum fate fallback(const char *name, const GElf_Shdr *sh)
{
	static const char *const prefixes[] = {".debug_", ".rela.", ".rel.", ".relr.", ".crel."};

	(void)sh;
	if (strcmp(name, ".comment") == 0) {
		return DROP;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) {
			return DROP;
		}
	}
	return KEEP;
}

static size_t renumber(const struct pass *p, size_t old)
{
	return old < p->shnum && p->secs[old].fate != DROP ? p->secs[old].idx : 0;
}

/* Decide each section's fate, keep what kept sections link to, number the output. */
static int plan(struct pass *p, fate_fn fate, char *err, size_t errlen)
{
	bool changed = true;
	size_t idx = 1;

	for (size_t i = 1; i < p->shnum; i++) {
		struct sec *s = &p->secs[i];

		if (gelf_getshdr(elf_getscn(p->in, i), &s->sh) == NULL) {
			snprintf(err, errlen, "%s: section %zu: %s", p->path, i, elf_errmsg(-1));
			return -EINVAL;
		}
		s->name = elf_strptr(p->in, p->shstrndx, s->sh.sh_name);
		if (s->name == NULL) {
			s->name = "";
		}
		s->fate = i == p->shstrndx ? KEEP : fate(s->name, &s->sh);
	}
	while (changed) {
		changed = false;
		for (size_t i = 1; i < p->shnum; i++) {
			size_t l = p->secs[i].sh.sh_link;

			if (p->secs[i].fate == KEEP && l != 0 && l < p->shnum &&
			    p->secs[l].fate == DROP) {
				p->secs[l].fate = KEEP;
				changed = true;
			}
		}
	}
	p->names_len = 1;
	for (size_t i = 1; i < p->shnum; i++) {
		if (p->secs[i].fate != DROP) {
			p->secs[i].idx = idx++;
			p->names_len += strlen(p->secs[i].name) + 1;
		}
	}
	p->names = calloc(1, p->names_len);
	if (p->names == NULL) {
		snprintf(err, errlen, "%s: out of memory", p->path);
		return -ENOMEM;
	}
	return 0;
}

/* The output's symbol table: a copy with section indexes renumbered. */
static int copy_symtab(struct pass *p, size_t i, Elf_Data *od, char *err, size_t errlen)
{
	Elf_Data *src = elf_getdata(elf_getscn(p->in, i), NULL);
	GElf_Sym sym;

	if (src == NULL || src->d_type != ELF_T_SYM) {
		snprintf(err, errlen, "%s: %s unreadable: %s", p->path, p->secs[i].name,
			 elf_errmsg(-1));
		return -EINVAL;
	}
	p->secs[i].owned = malloc(src->d_size != 0 ? src->d_size : 1);
	if (p->secs[i].owned == NULL) {
		snprintf(err, errlen, "%s: out of memory", p->path);
		return -ENOMEM;
	}
	if (src->d_size != 0) {
		memcpy(p->secs[i].owned, src->d_buf, src->d_size);
	}
	od->d_buf = p->secs[i].owned;
	od->d_size = src->d_size;
	od->d_type = ELF_T_SYM;
	od->d_align = src->d_align;
	p->has_symtab = true;
	for (int j = 0; gelf_getsym(od, j, &sym) != NULL; j++) {
		if (sym.st_shndx == SHN_XINDEX) {
			snprintf(err, errlen,
				 "%s: extended section indexes (SHN_XINDEX) unsupported", p->path);
			return -ENOTSUP;
		}
		if (sym.st_shndx != SHN_UNDEF && sym.st_shndx < SHN_LORESERVE) {
			size_t n = renumber(p, sym.st_shndx);

			/* A symbol of a deleted section keeps its address. */
			sym.st_shndx = n != 0 ? (Elf64_Section)n : SHN_ABS;
		}
		if (sym.st_name != 0) {
			p->named_syms++;
		}
		if (!gelf_update_sym(od, j, &sym)) {
			snprintf(err, errlen, "%s: symbol %d: %s", p->path, j, elf_errmsg(-1));
			return -EINVAL;
		}
	}
	return 0;
}

/* One output section: header renumbered, bytes borrowed, copied, made or dropped. */
static int emit(struct pass *p, Elf *out, size_t i, size_t *name_off, uint64_t *off, char *err,
		size_t errlen)
{
	struct sec *s = &p->secs[i];
	GElf_Shdr sh = s->sh;
	Elf_Scn *scn = elf_newscn(out);
	Elf_Data *od;
	int rc = 0;

	if (scn == NULL || elf_ndxscn(scn) != s->idx) {
		snprintf(err, errlen, "%s: new section: %s", p->path, elf_errmsg(-1));
		return -EINVAL;
	}
	memcpy(p->names + *name_off, s->name, strlen(s->name) + 1);
	sh.sh_name = (Elf64_Word)*name_off;
	*name_off += strlen(s->name) + 1;
	sh.sh_link = (Elf64_Word)renumber(p, sh.sh_link);
	if ((sh.sh_flags & SHF_INFO_LINK) != 0 || sh.sh_type == SHT_REL || sh.sh_type == SHT_RELA) {
		sh.sh_info = (Elf64_Word)renumber(p, sh.sh_info);
	}
	if (s->fate == HOLLOW) {
		sh.sh_type = SHT_NOBITS;
		sh.sh_size = 0;
	} else if (sh.sh_type != SHT_NOBITS) {
		od = elf_newdata(scn);
		if (od == NULL) {
			snprintf(err, errlen, "%s: new data: %s", p->path, elf_errmsg(-1));
			return -EINVAL;
		}
		if (i == p->shstrndx) {
			od->d_buf = p->names;
			od->d_size = p->names_len;
			od->d_type = ELF_T_BYTE;
			od->d_align = 1;
		} else if (sh.sh_type == SHT_SYMTAB) {
			rc = copy_symtab(p, i, od, err, errlen);
		} else {
			Elf_Data *raw = elf_rawdata(elf_getscn(p->in, i), NULL);

			if (raw == NULL || raw->d_size != sh.sh_size) {
				snprintf(err, errlen, "%s: %s: bytes unreadable: %s", p->path,
					 s->name, elf_errmsg(-1));
				return -EINVAL;
			}
			od->d_buf = raw->d_buf;
			od->d_size = raw->d_size;
			od->d_type = ELF_T_BYTE;
			od->d_align = 1;
		}
		if (rc != 0) {
			return rc;
		}
		od->d_off = 0;
		od->d_version = EV_CURRENT;
		/* The file size; a .symtab's memory and file sizes agree for ELF_T_SYM. */
		sh.sh_size = od->d_size;
	}
	if (sh.sh_type != SHT_NOBITS) {
		uint64_t a = sh.sh_addralign > 1 ? sh.sh_addralign : 1;
		uint64_t pad = (a - *off % a) % a;

		/* Hostile alignments must not make a huge, mostly empty file. */
		if (a > MAX_PADDING || p->padded + pad > MAX_PADDING) {
			snprintf(err, errlen,
				 "%s: section alignments (%s: %llu) would pad the output by more "
				 "than %u MiB",
				 p->path, s->name, (unsigned long long)a, MAX_PADDING >> 20);
			return -EFBIG;
		}
		p->padded += pad;
		*off += pad;
	}
	sh.sh_offset = *off;
	if (sh.sh_type != SHT_NOBITS) {
		*off += sh.sh_size;
	}
	if (!gelf_update_shdr(scn, &sh)) {
		snprintf(err, errlen, "%s: %s: %s", p->path, s->name, elf_errmsg(-1));
		return -EINVAL;
	}
	return 0;
}

static int write_out(struct pass *p, int fd, bool need_symbol, char *err, size_t errlen)
{
	Elf *out = elf_begin(fd, ELF_C_WRITE, NULL);
	GElf_Ehdr ein, eout;
	size_t name_off = 1;
	uint64_t off;
	int rc = 0;

	if (out == NULL || gelf_getehdr(p->in, &ein) == NULL ||
	    gelf_newehdr(out, gelf_getclass(p->in)) == NULL || gelf_getehdr(out, &eout) == NULL) {
		snprintf(err, errlen, "%s: new ELF: %s", p->path, elf_errmsg(-1));
		rc = -EINVAL;
		goto out;
	}
	elf_flagelf(out, ELF_C_SET, ELF_F_LAYOUT);
	memcpy(eout.e_ident, ein.e_ident, EI_NIDENT);
	eout.e_type = ein.e_type;
	eout.e_machine = ein.e_machine;
	eout.e_version = ein.e_version;
	eout.e_entry = ein.e_entry;
	eout.e_flags = ein.e_flags;
	eout.e_shstrndx = (Elf64_Half)p->secs[p->shstrndx].idx;
	off = gelf_fsize(out, ELF_T_EHDR, 1, EV_CURRENT);
	for (size_t i = 1; i < p->shnum && rc == 0; i++) {
		if (p->secs[i].fate != DROP) {
			rc = emit(p, out, i, &name_off, &off, err, errlen);
		}
	}
	if (rc != 0) {
		goto out;
	}
	if (need_symbol && p->has_symtab && p->named_syms == 0) {
		snprintf(err, errlen, "%s: no named symbol would remain", p->path);
		rc = -ENOENT;
		goto out;
	}
	eout.e_shoff = (off + 7) / 8 * 8;
	if (!gelf_update_ehdr(out, &eout) || elf_update(out, ELF_C_WRITE) < 0) {
		snprintf(err, errlen, "%s: writing the stripped ELF: %s", p->path, elf_errmsg(-1));
		rc = -EIO;
	}
out:
	if (out != NULL) {
		elf_end(out);
	}
	return rc;
}

static int strip_pass(Elf *in, const char *path, fate_fn fate, const char *out, char *err,
		      size_t errlen)
{
	struct pass p = {.in = in, .path = path};
	struct ktstr_vmlinux_tmp tmp;
	int rc;

	if (elf_getshdrnum(in, &p.shnum) != 0 || elf_getshdrstrndx(in, &p.shstrndx) != 0) {
		snprintf(err, errlen, "%s: section headers unreadable: %s", path, elf_errmsg(-1));
		return -EINVAL;
	}
	if (p.shnum >= SHN_LORESERVE || p.shstrndx == 0 || p.shstrndx >= p.shnum) {
		snprintf(err, errlen, "%s: %zu sections, names in section %zu: unsupported layout",
			 path, p.shnum, p.shstrndx);
		return -ENOTSUP;
	}
	p.secs = calloc(p.shnum, sizeof(*p.secs));
	if (p.secs == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	rc = plan(&p, fate, err, errlen);
	if (rc == 0) {
		rc = ktstr_vmlinux_tmp__open(&tmp, out, err, errlen);
	}
	if (rc == 0) {
		rc = write_out(&p, tmp.fd, fate == keep_list, err, errlen);
		if (rc == 0) {
			rc = ktstr_vmlinux_tmp__commit(&tmp, out, err, errlen);
		} else {
			ktstr_vmlinux_tmp__abort(&tmp);
		}
	}
	for (size_t i = 0; i < p.shnum; i++) {
		free(p.secs[i].owned);
	}
	free(p.secs);
	free(p.names);
	return rc;
}

int ktstr_vmlinux__strip(const char *in, const char *out, char *err, size_t errlen)
{
	char first[512];
	Elf *e;
	int fd, rc;

	elf_version(EV_CURRENT);
	fd = open(in, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", in, strerror(-rc));
		return rc;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e == NULL || elf_kind(e) != ELF_K_ELF) {
		snprintf(err, errlen, "%s: not an ELF file; nothing to strip", in);
		rc = -ENOEXEC;
		goto out;
	}
	rc = strip_pass(e, in, keep_list, out, first, sizeof(first));
	if (rc != 0) {
		rc = strip_pass(e, in, fallback, out, err, errlen);
		if (rc != 0) {
			char second[512];

			snprintf(second, sizeof(second), "%s", err);
			snprintf(err, errlen, "cannot strip: keep-list pass: %s; fallback pass: %s",
				 first, second);
		}
	}
out:
	if (e != NULL) {
		elf_end(e);
	}
	close(fd);
	return rc;
}
