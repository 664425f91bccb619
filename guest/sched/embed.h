/*
 * The BPF objects, compiled by clang -target bpf at build time and embedded
 * in ktstr-sched (embed.c), so the initramfs needs nothing beside the loader.
 */
#ifndef KTSTR_SCHED_EMBED_H
#define KTSTR_SCHED_EMBED_H

#include <stddef.h>

extern const char ktstr_bpf_obj[];     /* ktstr.bpf.o */
extern const char ktstr_bpf_bad_obj[]; /* ktstr_bad.bpf.o, for --fault=fail-verify */

size_t ktstr_bpf_obj_len(void);
size_t ktstr_bpf_bad_obj_len(void);

#endif
