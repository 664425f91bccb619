/*
 * Strip and reader on a tiny vmlinux-shaped ELF made with libelf here:
 * .text, .rodata (with decoy banners), .data, .comment, .debug_info,
 * .rela.text, .BTF, .notes (Xen notes), .bss, .symtab, .strtab. Variants
 * drop the symbols, leave them unnamed (the keep-list pass then fails and
 * the fallback runs), use an extended section index (both passes fail), or
 * put the PVH note only behind a PT_NOTE segment.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fsutil.h"
#include "vmlinux.h"

enum variant {
	V_FULL = 0,
	V_NO_SYMTAB = 1,
	V_UNNAMED_SYMS = 2,
	V_XINDEX = 4,
	V_NOTE_PHDR_ONLY = 8,
	V_NO_BANNER = 16,
};

/* Section indexes of the input (1-based, fixed order; .symtab/.strtab last). */
enum {
	S_TEXT = 1,
	S_RODATA,
	S_DATA,
	S_COMMENT,
	S_DEBUG,
	S_RELA,
	S_BTF,
	S_NOTES,
	S_BSS,
	S_SYMTAB,
	S_STRTAB
};

#define TEXT_ADDR 0xffffffff81000000ull
#define PVH_ENTRY 0x01000100u

static char dir[64], in[PATH_MAX], out[PATH_MAX];
static char err[2048];

static const char rodata[] = "junk\0Linux version %s\0Linux version 9x (bad)\0"
			     "Linux version 6.99.1-ktstr-test (me@host) (gcc 12) #1 SMP\n";
static const char rodata_nobanner[] = "junk\0Linux version %s\0no banner here\n";
static const char strtab[] = "\0_text\0banner\0cmt\0abs_sym";
static uint8_t text[256], data[128], debug[64], rela[24], btf[100];

/* Two Xen notes (namesz 4, "Xen\0"): type 6 "linux\0\0\0", then type 18 (PHYS32_ENTRY). */
static const uint8_t notes[] = {
    4, 0, 0, 0, 6, 0, 0, 0, 6, 0, 0,  0, 'X', 'e', 'n', 0,   'l', 'i', 'n',  'u',  'x',	 0,
    0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 18, 0, 0,   0,   'X', 'e', 'n', 0,   0x00, 0x01, 0x00, 0x01,
};

struct tsec {
	const char *name;
	uint32_t type;
	uint64_t flags, addr;
	const void *bytes;
	size_t size;
	uint32_t link, info;
	uint64_t entsize, align;
};

static void syms(enum variant v, Elf64_Sym *s)
{
	memset(s, 0, 6 * sizeof(*s));
	s[1] = (Elf64_Sym){.st_info = ELF64_ST_INFO(STB_LOCAL, STT_SECTION),
			   .st_shndx = S_TEXT,
			   .st_value = TEXT_ADDR};
	s[2] = (Elf64_Sym){.st_name = 1,
			   .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC),
			   .st_shndx = S_TEXT,
			   .st_value = TEXT_ADDR};
	s[3] = (Elf64_Sym){.st_name = 7,
			   .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
			   .st_shndx = S_RODATA,
			   .st_value = 0xffffffff82000040ull};
	s[4] = (Elf64_Sym){.st_name = 14,
			   .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT),
			   .st_shndx = S_COMMENT,
			   .st_value = 0x1234};
	s[5] = (Elf64_Sym){.st_name = 18,
			   .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE),
			   .st_shndx = SHN_ABS,
			   .st_value = 42};
	if (v & V_UNNAMED_SYMS) {
		for (int i = 0; i < 6; i++) {
			s[i].st_name = 0;
		}
	}
	if (v & V_XINDEX) {
		s[3].st_shndx = SHN_XINDEX;
	}
}

static void build(enum variant v)
{
	Elf64_Sym sym[6];
	const struct tsec secs[] = {
	    [S_TEXT] = {".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, TEXT_ADDR, text,
			sizeof(text), 0, 0, 0, 16},
	    [S_RODATA] = {".rodata", SHT_PROGBITS, SHF_ALLOC, 0xffffffff82000000ull,
			  v & V_NO_BANNER ? rodata_nobanner : rodata,
			  v & V_NO_BANNER ? sizeof(rodata_nobanner) : sizeof(rodata), 0, 0, 0, 32},
	    [S_DATA] = {".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0xffffffff83000000ull, data,
			sizeof(data), 0, 0, 0, 64},
	    [S_COMMENT] = {".comment", SHT_PROGBITS, SHF_MERGE | SHF_STRINGS, 0, "GCC: test", 10, 0,
			   0, 1, 1},
	    [S_DEBUG] = {".debug_info", SHT_PROGBITS, 0, 0, debug, sizeof(debug), 0, 0, 0, 1},
	    [S_RELA] = {".rela.text", SHT_RELA, SHF_INFO_LINK, 0, rela, sizeof(rela),
			v & V_NO_SYMTAB ? 0 : S_SYMTAB, S_TEXT, 24, 8},
	    [S_BTF] = {".BTF", SHT_PROGBITS, SHF_ALLOC, 0xffffffff82100000ull, btf, sizeof(btf), 0,
		       0, 0, 4},
	    [S_NOTES] = {".notes", v & V_NOTE_PHDR_ONLY ? SHT_PROGBITS : SHT_NOTE, SHF_ALLOC,
			 0xffffffff82200000ull, notes, sizeof(notes), 0, 0, 0, 4},
	    [S_BSS] = {".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0xffffffff84000000ull, NULL, 4096,
		       0, 0, 0, 4096},
	    [S_SYMTAB] = {".symtab", SHT_SYMTAB, 0, 0, sym, sizeof(sym), S_STRTAB, 2, 24, 8},
	    [S_STRTAB] = {".strtab", SHT_STRTAB, 0, 0, strtab, sizeof(strtab), 0, 0, 0, 1},
	};
	size_t nsec = v & V_NO_SYMTAB ? S_BSS + 1 : S_STRTAB + 1;
	char names[256];
	size_t nlen = 1;
	uint64_t off = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr), note_off = 0;
	int fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	Elf *e;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	Elf_Scn *scn;
	Elf_Data *d;
	Elf64_Shdr *sh;

	syms(v, sym);
	assert_true(fd >= 0);
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	assert_non_null(e);
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	eh = elf64_newehdr(e);
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x1000000;
	ph = elf64_newphdr(e, 1);
	names[0] = '\0';
	for (size_t i = 1; i <= nsec; i++) {
		bool is_names = i == nsec;
		const struct tsec *t = &secs[i];
		uint64_t a;

		scn = elf_newscn(e);
		assert_int_equal(elf_ndxscn(scn), i);
		sh = elf64_getshdr(scn);
		sh->sh_name = (Elf64_Word)nlen;
		strcpy(names + nlen, is_names ? ".shstrtab" : t->name);
		nlen += strlen(names + nlen) + 1;
		if (is_names) {
			sh->sh_type = SHT_STRTAB;
			sh->sh_addralign = 1;
		} else {
			sh->sh_type = t->type;
			sh->sh_flags = t->flags;
			sh->sh_addr = t->addr;
			sh->sh_link = t->link;
			sh->sh_info = t->info;
			sh->sh_entsize = t->entsize;
			sh->sh_addralign = t->align;
		}
		a = sh->sh_addralign > 1 ? sh->sh_addralign : 1;
		off = (off + a - 1) / a * a;
		sh->sh_offset = off;
		if (i == S_NOTES) {
			note_off = off;
		}
		if (!is_names && t->type == SHT_NOBITS) {
			sh->sh_size = t->size;
			continue;
		}
		d = elf_newdata(scn);
		d->d_buf = is_names ? names : (void *)t->bytes;
		d->d_size = is_names ? sizeof(names) : t->size;
		d->d_type = !is_names && t->type == SHT_SYMTAB ? ELF_T_SYM : ELF_T_BYTE;
		d->d_align = 1;
		sh->sh_size = d->d_size;
		off += d->d_size;
	}
	eh->e_shstrndx = (Elf64_Half)nsec;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_shoff = (off + 7) / 8 * 8;
	*ph = (Elf64_Phdr){.p_type = PT_NOTE,
			   .p_offset = note_off,
			   .p_filesz = sizeof(notes),
			   .p_memsz = sizeof(notes),
			   .p_align = 4};
	if (elf_update(e, ELF_C_WRITE) < 0) {
		fail_msg("libelf: %s", elf_errmsg(-1));
	}
	elf_end(e);
	close(fd);
}

struct osec {
	GElf_Shdr sh;
	char name[32];
};

/* The output's sections, in order, and its ELF header. */
static size_t read_sections(const char *path, struct osec *o, size_t max, GElf_Ehdr *eh)
{
	int fd = open(path, O_RDONLY);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t n, stridx;

	assert_non_null(e);
	assert_non_null(gelf_getehdr(e, eh));
	assert_int_equal(elf_getshdrnum(e, &n), 0);
	assert_int_equal(elf_getshdrstrndx(e, &stridx), 0);
	assert_true(n <= max);
	for (size_t i = 0; i < n; i++) {
		gelf_getshdr(elf_getscn(e, i), &o[i].sh);
		snprintf(o[i].name, sizeof(o[i].name), "%s",
			 elf_strptr(e, stridx, o[i].sh.sh_name));
	}
	elf_end(e);
	close(fd);
	return n;
}

static size_t index_of(const struct osec *o, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(o[i].name, name) == 0) {
			return i;
		}
	}
	return 0;
}

/* readelf (binutils) reads the whole file without a warning. */
static void readelf_clean(const char *path)
{
	char cmd[PATH_MAX + 64];
	char *log;
	size_t len;

	if (system("command -v readelf >/dev/null 2>&1") != 0) {
		return;
	}
	snprintf(cmd, sizeof(cmd), "readelf -a -W %s >/dev/null 2>%s/readelf.err", path, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/readelf.err", dir);
	assert_int_equal(ktstr_fs__read_file(cmd, &log, &len), 0);
	if (len != 0) {
		fail_msg("readelf on %s: %s", path, log);
	}
	free(log);
}

static void symbol_of(const char *path, const char *name, GElf_Sym *out_sym)
{
	int fd = open(path, O_RDONLY);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	bool found = false;

	while ((scn = elf_nextscn(e, scn)) != NULL && !found) {
		Elf_Data *d;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_SYMTAB) {
			continue;
		}
		d = elf_getdata(scn, NULL);
		for (int i = 0; gelf_getsym(d, i, out_sym) != NULL; i++) {
			if (strcmp(elf_strptr(e, sh.sh_link, out_sym->st_name), name) == 0) {
				found = true;
				break;
			}
		}
	}
	elf_end(e);
	close(fd);
	assert_true(found);
}

static int setup(void **state)
{
	elf_version(EV_CURRENT);
	snprintf(dir, sizeof(dir), "/tmp/ktstr-vmlinux-elf-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(in, sizeof(in), "%s/vmlinux", dir);
	snprintf(out, sizeof(out), "%s/vmlinux.stripped", dir);
	memset(text, 0xcc, sizeof(text));
	memset(data, 0x11, sizeof(data));
	memset(debug, 0x22, sizeof(debug));
	for (size_t i = 0; i < sizeof(btf); i++) {
		btf[i] = (uint8_t)(i * 7);
	}
	return 0;
}

static int teardown(void **state)
{
	return ktstr_fs__rm_rf(dir);
}

static void test_reader(void **state)
{
	struct ktstr_vmlinux *v;
	const void *b;
	size_t blen;
	char rel[65];
	uint64_t addr;

	build(V_FULL);
	readelf_clean(in);
	assert_int_equal(ktstr_vmlinux__open(in, &v, err, sizeof(err)), 0);
	assert_int_equal(ktstr_vmlinux__machine(v), EM_X86_64);
	assert_int_equal(ktstr_vmlinux__elf_class(v), ELFCLASS64);
	assert_int_equal(ktstr_vmlinux__btf(v, &b, &blen), 0);
	assert_int_equal(blen, sizeof(btf));
	assert_memory_equal(b, btf, sizeof(btf));
	/* The decoys ("%s", "9x (bad)") are skipped. */
	assert_int_equal(ktstr_vmlinux__release(v, rel, sizeof(rel)), 0);
	assert_string_equal(rel, "6.99.1-ktstr-test");
	assert_int_equal(ktstr_vmlinux__release(v, rel, 17), -ENOSPC);
	assert_int_equal(ktstr_vmlinux__release(v, rel, 18), 0);
	assert_int_equal(ktstr_vmlinux__symbol(v, "_text", &addr), 0);
	assert_int_equal(addr, TEXT_ADDR);
	assert_int_equal(ktstr_vmlinux__symbol(v, "abs_sym", &addr), 0);
	assert_int_equal(addr, 42);
	assert_int_equal(ktstr_vmlinux__symbol(v, "nope", &addr), -ENOENT);
	assert_int_equal(ktstr_vmlinux__symbol(v, "", &addr), -ENOENT);
	assert_int_equal(ktstr_vmlinux__pvh_entry(v, &addr), 0);
	assert_int_equal(addr, PVH_ENTRY);
	ktstr_vmlinux__free(v);
}

static void test_reader_variants(void **state)
{
	struct ktstr_vmlinux *v;
	char rel[65];
	uint64_t addr = 0;

	build(V_NO_SYMTAB | V_NO_BANNER | V_NOTE_PHDR_ONLY);
	assert_int_equal(ktstr_vmlinux__open(in, &v, err, sizeof(err)), 0);
	assert_int_equal(ktstr_vmlinux__symbol(v, "_text", &addr), -ENODATA);
	assert_int_equal(ktstr_vmlinux__release(v, rel, sizeof(rel)), -ENOENT);
	assert_int_equal(ktstr_vmlinux__pvh_entry(v, &addr), 0);
	assert_int_equal(addr, PVH_ENTRY);
	ktstr_vmlinux__free(v);

	assert_int_equal(ktstr_fs__write_atomic(in, "MZ not an elf", 13, 0644), 0);
	assert_int_equal(ktstr_vmlinux__open(in, &v, err, sizeof(err)), -ENOEXEC);
	assert_true(strstr(err, "not an ELF file (a bzImage needs extracting first)") != NULL);
	unlink(in);
	assert_int_equal(ktstr_vmlinux__open(in, &v, err, sizeof(err)), -ENOENT);
	ktstr_vmlinux__free(NULL);
}

static void test_strip_keep_list(void **state)
{
	struct osec o[32];
	GElf_Ehdr eh;
	GElf_Sym s;
	struct ktstr_vmlinux *v;
	char rel[65];
	uint64_t addr;
	const char *const want[] = {"",	    ".text",   ".rodata", ".data",    ".BTF",
				    ".bss", ".symtab", ".strtab", ".shstrtab"};
	size_t n;

	build(V_FULL);
	assert_int_equal(ktstr_vmlinux__strip(in, out, err, sizeof(err)), 0);
	readelf_clean(out);
	n = read_sections(out, o, 32, &eh);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(o[i].name, want[i]);
	}
	assert_int_equal(eh.e_phnum, 0);
	assert_int_equal(eh.e_machine, EM_X86_64);
	assert_int_equal(eh.e_entry, 0x1000000);
	assert_int_equal(eh.e_shstrndx, 8);
	/* Hollowed: headers kept, no bytes. */
	for (size_t i = 1; i <= 3; i += 2) {
		assert_int_equal(o[i].sh.sh_type, SHT_NOBITS);
		assert_int_equal(o[i].sh.sh_size, 0);
	}
	assert_int_equal(o[1].sh.sh_addr, TEXT_ADDR);
	assert_int_equal(o[2].sh.sh_type, SHT_PROGBITS);
	assert_int_equal(o[2].sh.sh_size, sizeof(rodata));
	assert_int_equal(o[5].sh.sh_type, SHT_NOBITS);
	assert_int_equal(o[5].sh.sh_size, 4096);
	assert_int_equal(o[6].sh.sh_link, 7);
	assert_int_equal(o[6].sh.sh_info, 2);
	/* Symbols follow their sections; one of a deleted section keeps its address. */
	symbol_of(out, "_text", &s);
	assert_int_equal(s.st_shndx, 1);
	symbol_of(out, "banner", &s);
	assert_int_equal(s.st_shndx, 2);
	symbol_of(out, "cmt", &s);
	assert_int_equal(s.st_shndx, SHN_ABS);
	assert_int_equal(s.st_value, 0x1234);
	symbol_of(out, "abs_sym", &s);
	assert_int_equal(s.st_shndx, SHN_ABS);

	assert_int_equal(ktstr_vmlinux__open(out, &v, err, sizeof(err)), 0);
	assert_int_equal(ktstr_vmlinux__release(v, rel, sizeof(rel)), 0);
	assert_string_equal(rel, "6.99.1-ktstr-test");
	assert_int_equal(ktstr_vmlinux__symbol(v, "banner", &addr), 0);
	assert_int_equal(addr, 0xffffffff82000040ull);
	assert_int_equal(ktstr_vmlinux__pvh_entry(v, &addr), -ENOENT);
	ktstr_vmlinux__free(v);
}

/* Without a .symtab (a vmlinux from a bzImage) the keep-list pass stands. */
static void test_strip_no_symtab(void **state)
{
	struct osec o[32];
	GElf_Ehdr eh;
	size_t n;

	build(V_NO_SYMTAB);
	assert_int_equal(ktstr_vmlinux__strip(in, out, err, sizeof(err)), 0);
	readelf_clean(out);
	n = read_sections(out, o, 32, &eh);
	assert_int_equal(n, 7);
	assert_int_equal(o[index_of(o, n, ".text")].sh.sh_type, SHT_NOBITS);
	assert_int_equal(index_of(o, n, ".notes"), 0);
}

/* Only unnamed symbols: the keep-list pass fails its rule, the fallback runs. */
static void test_strip_fallback(void **state)
{
	struct osec o[32];
	GElf_Ehdr eh;
	size_t n;

	build(V_UNNAMED_SYMS);
	assert_int_equal(ktstr_vmlinux__strip(in, out, err, sizeof(err)), 0);
	readelf_clean(out);
	n = read_sections(out, o, 32, &eh);
	assert_int_equal(n, 10); /* 12 - .comment, .debug_info, .rela.text + null */
	assert_int_equal(o[index_of(o, n, ".text")].sh.sh_type, SHT_PROGBITS);
	assert_int_equal(o[index_of(o, n, ".text")].sh.sh_size, sizeof(text));
	assert_int_equal(o[index_of(o, n, ".notes")].sh.sh_type, SHT_NOTE);
	assert_int_equal(o[index_of(o, n, ".data")].sh.sh_size, sizeof(data));
	assert_int_equal(index_of(o, n, ".comment"), 0);
	assert_int_equal(index_of(o, n, ".debug_info"), 0);
	assert_int_equal(index_of(o, n, ".rela.text"), 0);
}

/* Rewrite one section's sh_addralign in place (the builder lays out by it). */
static void set_align(size_t idx, uint64_t align)
{
	int fd = open(in, O_RDWR);
	Elf *e = elf_begin(fd, ELF_C_RDWR, NULL);
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(e, idx);

	assert_non_null(gelf_getshdr(scn, &sh));
	sh.sh_addralign = align;
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	assert_true(gelf_update_shdr(scn, &sh));
	assert_true(elf_update(e, ELF_C_WRITE) >= 0);
	elf_end(e);
	close(fd);
}

static void test_strip_errors(void **state)
{
	char want[4096];

	/* A hostile alignment would make a huge, mostly empty output. */
	build(V_FULL);
	set_align(S_BTF, 1ull << 40);
	unlink(out);
	assert_int_equal(ktstr_vmlinux__strip(in, out, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want),
		 "cannot strip: keep-list pass: %s: section alignments (.BTF: 1099511627776) would "
		 "pad the output by more than 64 MiB; fallback pass: %s: section alignments "
		 "(.BTF: 1099511627776) would pad the output by more than 64 MiB",
		 in, in);
	assert_string_equal(err, want);
	assert_int_equal(access(out, F_OK), -1);

	build(V_XINDEX);
	unlink(out);
	assert_int_equal(ktstr_vmlinux__strip(in, out, err, sizeof(err)), -ENOTSUP);
	snprintf(want, sizeof(want),
		 "cannot strip: keep-list pass: %s: extended section indexes (SHN_XINDEX) "
		 "unsupported; fallback pass: %s: extended section indexes (SHN_XINDEX) "
		 "unsupported",
		 in, in);
	assert_string_equal(err, want);
	assert_int_equal(access(out, F_OK), -1);

	assert_int_equal(ktstr_fs__write_atomic(in, "\x28\xb5\x2f\xfd junk", 9, 0644), 0);
	assert_int_equal(ktstr_vmlinux__strip(in, out, err, sizeof(err)), -ENOEXEC);
	snprintf(want, sizeof(want), "%s: not an ELF file; nothing to strip", in);
	assert_string_equal(err, want);
	assert_int_equal(access(out, F_OK), -1);

	unlink(in);
	assert_int_equal(ktstr_vmlinux__strip(in, out, err, sizeof(err)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reader),	    cmocka_unit_test(test_reader_variants),
	    cmocka_unit_test(test_strip_keep_list), cmocka_unit_test(test_strip_no_symtab),
	    cmocka_unit_test(test_strip_fallback),  cmocka_unit_test(test_strip_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
