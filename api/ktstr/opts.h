/* SPDX-License-Identifier: MIT */
/**
 * @file opts.h
 * @brief Sized option structs and sized ops tables (the libbpf OPTS model).
 *
 * Every struct that crosses the plugin boundary starts with `size_t sz`,
 * set by whoever fills it to `sizeof` the struct as *it* was compiled.
 * Members are only ever appended, so a reader compiled against a newer
 * header reads a field only when `sz` covers it, and a reader compiled
 * against an older header ignores the tail (after checking it is zero).
 */
#ifndef KTSTR_OPTS_H
#define KTSTR_OPTS_H

#include <stddef.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Declare and zero an options struct with its sz set. */
#define KTSTR_OPTS(type, name, ...)                                                                \
	struct type name = ({                                                                      \
		memset(&name, 0, sizeof(struct type)); /* zero the padding too */                  \
		(struct type){ .sz = sizeof(struct type), __VA_ARGS__ };                           \
	})

/** @brief Byte offset just past member @p f of a struct. */
#define KTSTR_OFFSET_END(type, f) (offsetof(type, f) + sizeof(((type *)0)->f))

/** @brief True when the sized struct @p p (with member sz) covers member @p f. */
#define KTSTR_SZ_HAS(p, f) ((p)->sz >= KTSTR_OFFSET_END(__typeof__(*(p)), f))

/** @brief True when sized ops table @p ops covers function @p f and it is set. */
#define KTSTR_OPS_HAS(ops, f) ((ops) != NULL && KTSTR_SZ_HAS(ops, f) && (ops)->f != NULL)

/** @brief Read member @p f of sized struct @p p, or @p dflt when absent/NULL p. */
#define KTSTR_OPTS_GET(p, f, dflt) (((p) != NULL && KTSTR_SZ_HAS(p, f)) ? (p)->f : (dflt))

#ifdef __cplusplus
}
#endif
#endif /* KTSTR_OPTS_H */
