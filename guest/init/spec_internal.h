/* Helpers shared by the spec parser's files (spec.c, spec_scenario.c, spec_work.c). */
#ifndef KTSTR_GUEST_SPEC_INTERNAL_H
#define KTSTR_GUEST_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "spec.h"

struct ktstr_spec_ctx {
	const char *origin;
	char scope[256]; /* "" or the enclosing path with a dot: "scenario.steps[0]." */
	char *err;
	size_t errlen;
	uint32_t workers_per_cgroup; /* a Work's default worker count */
};

/** @brief Append "<fmt>." to the scope. @return the scope's old length for ktstr_spec_ctx__pop().
 */
size_t ktstr_spec_ctx__push(struct ktstr_spec_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ktstr_spec_ctx__pop(struct ktstr_spec_ctx *c, size_t len);

/** @brief "<origin>: key '<scope><key>': <what>" into the error. @return -EINVAL. */
int ktstr_spec_ctx__bad(struct ktstr_spec_ctx *c, const char *key, const char *what);

/* Members of @p obj; an absent optional one keeps *out. */
int ktstr_spec_ctx__uint(struct ktstr_spec_ctx *c, json_t *obj, const char *key, bool required,
			 uint64_t lo, uint64_t hi, uint64_t *out);
int ktstr_spec_ctx__u32(struct ktstr_spec_ctx *c, json_t *obj, const char *key, bool required,
			uint32_t lo, uint32_t hi, uint32_t *out);
/** @brief A finite number within [lo, hi]. */
int ktstr_spec_ctx__double(struct ktstr_spec_ctx *c, json_t *obj, const char *key, bool required,
			   double lo, double hi, double *out);
/** @brief A required non-empty string, strdup'ed. */
int ktstr_spec_ctx__string(struct ktstr_spec_ctx *c, json_t *obj, const char *key, char **out);
int ktstr_spec_ctx__bool(struct ktstr_spec_ctx *c, json_t *obj, const char *key, bool *out);

/** @brief The member @p key as an object (required) or -EINVAL. */
int ktstr_spec_ctx__object(struct ktstr_spec_ctx *c, json_t *obj, const char *key, json_t **out);

/* spec_scenario.c */
int ktstr_spec__parse_scenario(struct ktstr_spec_ctx *c, json_t *root,
			       struct ktstr_spec_scenario *out);
void ktstr_spec__release_scenario(struct ktstr_spec_scenario *s);

/* spec_work.c: a Work, a CpusetSpec, an affinity (each an object). */
/** @brief A Work through work.h's parser, its message prefixed with the origin and scope. */
int ktstr_spec__parse_work(struct ktstr_spec_ctx *c, json_t *o, struct ktstr_work_spec *out);
int ktstr_spec__parse_cpuset(struct ktstr_spec_ctx *c, json_t *o, struct ktstr_cpuset_spec *out);
int ktstr_spec__parse_affinity(struct ktstr_spec_ctx *c, json_t *o, struct ktstr_affinity *out);

#endif
