#include "embed.h"

/*
 * KTSTR_BPF_OBJ and KTSTR_BPF_BAD_OBJ are the objects' paths, set by
 * CMakeLists.txt, which also rebuilds this file when they change.
 */
#define KTSTR_INCBIN(sym, path)                                                                    \
	__asm__(".section .rodata\n"                                                               \
		".balign 16\n"                                                                     \
		".global " #sym "\n" #sym ":\n"                                                    \
		".incbin \"" path "\"\n"                                                           \
		".global " #sym "_end\n" #sym "_end:\n"                                            \
		".previous\n")

KTSTR_INCBIN(ktstr_bpf_obj, KTSTR_BPF_OBJ);
KTSTR_INCBIN(ktstr_bpf_bad_obj, KTSTR_BPF_BAD_OBJ);

extern const char ktstr_bpf_obj_end[];
extern const char ktstr_bpf_bad_obj_end[];

size_t ktstr_bpf_obj_len(void)
{
	return (size_t)(ktstr_bpf_obj_end - ktstr_bpf_obj);
}

size_t ktstr_bpf_bad_obj_len(void)
{
	return (size_t)(ktstr_bpf_bad_obj_end - ktstr_bpf_bad_obj);
}
