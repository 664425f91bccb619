/*
 * The kernel's vmlinux: pulled out of a bzImage, stripped for the cache, and
 * read through libelf (BTF, symbols, version banner) for later features.
 *
 * Files: vmlinux_bzimage.c (setup header, no I/O), vmlinux_extract.c
 * (decompression: libzstd, libarchive for gzip/bzip2/lzma/xz/lzo/lz4),
 * vmlinux_strip.c (libelf), vmlinux_elf.c (the reader).
 */
#ifndef KTSTR_CORE_VMLINUX_H
#define KTSTR_CORE_VMLINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of a bzImage the setup-header parse needs (through payload_length). */
#define KTSTR_BZIMAGE_HDR_LEN 0x250
/* Refuse to decompress more than this (a corrupt or hostile payload). */
#define KTSTR_VMLINUX_MAX_SIZE (2ull << 30)
/* Xen's XEN_ELFNOTE_PHYS32_ENTRY: the PVH 32-bit entry point QEMU boots. */
#define KTSTR_XEN_ELFNOTE_PHYS32_ENTRY 18

/** Where the compressed kernel lies in a bzImage (x86 boot protocol >= 2.08). */
struct ktstr_bzimage {
	uint16_t protocol;    /* e.g. 0x020f */
	unsigned setup_sects; /* 0 in the header means 4 */
	uint64_t payload_off; /* absolute file offset */
	uint32_t payload_len; /* bytes, including any appended size word */
};

/**
 * @brief Parse the setup header in the first @p len bytes of a file of
 *        @p file_size bytes named @p what (used in messages). Pure; no I/O.
 * @return 0 and *out filled; -ENOEXEC (err says why: an ELF file, too short,
 *         no "HdrS" at 0x202, boot protocol older than 2.08, empty payload,
 *         payload beyond the end of the file)
 */
int ktstr_bzimage__parse(const void *hdr, size_t len, uint64_t file_size, const char *what,
			 struct ktstr_bzimage *out, char *err, size_t errlen);

/**
 * @brief Name the compression of a payload from its first bytes: "zstd",
 *        "gzip", "xz", "lzma", "bzip2", "lz4", "lzo", or "elf" (stored raw).
 * @return a static string; NULL when the magic is none of these
 */
const char *ktstr_bzimage__payload_format(const void *payload, size_t len);

/**
 * @brief Write the uncompressed ELF vmlinux inside bzImage @p image to @p out,
 *        atomically (a temp file beside @p out, fsync, rename). Streams: the
 *        output is never held in memory. Trailing bytes after the compressed
 *        stream (the size word the kernel's build appends) are tolerated.
 * @return 0; -ENOEXEC when @p image is not a bzImage with a payload this
 *         build can decompress, or the payload is corrupt (@p err says which);
 *         -EFBIG over KTSTR_VMLINUX_MAX_SIZE; -errno (err set). On error
 *         @p out is untouched.
 */
int ktstr_vmlinux__extract(const char *image, const char *out, char *err, size_t errlen);

/**
 * @brief Copy ELF @p in to @p out keeping what later features read, per the
 *        reference's strip rules, atomically.
 *
 * Keep-list pass: bytes kept for the null section, .shstrtab (rebuilt),
 * .symtab, .strtab, .bss, .rodata and .BTF; header kept with no bytes
 * (SHT_NOBITS, size 0) for .data, .data..percpu, .init.data and every
 * SHF_EXECINSTR section; everything else deleted. Section links and symbol
 * section indexes are renumbered (a symbol of a deleted section becomes
 * SHN_ABS, its address kept). Program headers are dropped: the result is for
 * reading (libelf, libbpf's btf__parse), not for booting.
 *
 * "At least one named symbol must remain" applies only when @p in has a
 * .symtab: a vmlinux taken out of a bzImage has none (kbuild's objcopy -S),
 * and the keep-list pass is then valid without symbols.
 *
 * Fallback when the keep-list pass fails: delete only .debug_*, .comment,
 * .rela.*, .rel.*, .relr.* and .crel.* sections.
 * Alignment padding in the output is capped at 64 MiB (-EFBIG beyond), so a
 * hostile sh_addralign cannot make a huge file.
 * @return 0; -ENOEXEC (@p in is not an ELF file); -errno (err set) when
 *         neither pass works, and @p out is then untouched
 */
int ktstr_vmlinux__strip(const char *in, const char *out, char *err, size_t errlen);

/* ---- Reader ---- */

struct ktstr_vmlinux;

/**
 * @brief Open ELF file @p path read-only (mapped) for the queries below.
 * @return 0 and *out (free with ktstr_vmlinux__free); -ENOEXEC not an ELF
 *         file; -errno (err set)
 */
int ktstr_vmlinux__open(const char *path, struct ktstr_vmlinux **out, char *err, size_t errlen);

/** @brief Close; NULL is a no-op. Pointers handed out by the queries die here. */
void ktstr_vmlinux__free(struct ktstr_vmlinux *v);

/** @brief e_machine (EM_X86_64 = 62, EM_AARCH64 = 183, ...). */
uint16_t ktstr_vmlinux__machine(const struct ktstr_vmlinux *v);

/** @brief ELFCLASS32 (1) or ELFCLASS64 (2). */
int ktstr_vmlinux__elf_class(const struct ktstr_vmlinux *v);

/**
 * @brief The bytes of the .BTF section (valid until ktstr_vmlinux__free).
 * @return 0; -ENOENT no .BTF section with bytes
 */
int ktstr_vmlinux__btf(const struct ktstr_vmlinux *v, const void **data, size_t *size);

/**
 * @brief The release in the "Linux version <release> (" banner in .rodata,
 *        e.g. "7.2.13+deb14-cloud-amd64", as a NUL-terminated copy.
 * @return 0; -ENOENT no .rodata or no banner; -ENOSPC @p len too small
 */
int ktstr_vmlinux__release(const struct ktstr_vmlinux *v, char *buf, size_t len);

/**
 * @brief The value (address) of the first .symtab symbol named @p name.
 * @return 0; -ENODATA the file has no .symtab; -ENOENT no such symbol
 */
int ktstr_vmlinux__symbol(const struct ktstr_vmlinux *v, const char *name, uint64_t *addr);

/**
 * @brief The Xen PVH entry (note "Xen", type XEN_ELFNOTE_PHYS32_ENTRY), from
 *        SHT_NOTE sections, else PT_NOTE segments.
 * @return 0; -ENOENT no such note
 */
int ktstr_vmlinux__pvh_entry(const struct ktstr_vmlinux *v, uint64_t *addr);

#ifdef __cplusplus
}
#endif

#endif
