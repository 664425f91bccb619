/*
 * Kernel identifiers (upstream KernelId): what --kernel, a profile's
 * kernels and KTSTR_KERNEL name. Parsed in this order: git+URL#REF,
 * A..B with both ends version-shaped, a path (contains '/', or starts
 * with '.' or '~'), a version (D+.D+[.D+][-rcD+]), else a cache key.
 */
#ifndef KTSTR_CORE_KERNEL_ID_H
#define KTSTR_CORE_KERNEL_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ktstr_kid_kind {
	KTSTR_KID_GIT,
	KTSTR_KID_RANGE,
	KTSTR_KID_PATH,
	KTSTR_KID_VERSION,
	KTSTR_KID_CACHE_KEY,
};

/** @brief A version tuple; a missing patch is 0, a missing rc is UINT64_MAX. */
struct ktstr_kver {
	uint64_t maj, min, patch, rc;
};

/** @brief A parsed id. Strings are owned; release with ktstr_kernel_id__release(). */
struct ktstr_kernel_id {
	enum ktstr_kid_kind kind;
	char *text; /**< the id as given */
	char *a;    /**< Range: start version; Git: URL (without "git+"); else NULL */
	char *b;    /**< Range: end version; Git: ref; else NULL */
};

/** @brief True when @p s is version-shaped ("6.14", "6.14.2", "6.15-rc3"; not "6", "v6.1"). */
bool ktstr_kver__parse(const char *s, struct ktstr_kver *out);
/** @brief Parse the longest version-shaped prefix of @p s ("7.2.13+deb14" -> 7.2.13). */
bool ktstr_kver__parse_prefix(const char *s, struct ktstr_kver *out);
/** @brief <0, 0, >0 comparing (maj, min, patch, rc): 6.10 > 6.10-rc3. */
int ktstr_kver__cmp(const struct ktstr_kver *x, const struct ktstr_kver *y);

const char *ktstr_kid_kind__name(enum ktstr_kid_kind k);

/**
 * @brief Parse @p s (never fails for a non-empty string: anything else is a
 *        cache key).
 * @return 0; -EINVAL for an empty id (@p err set); -ENOMEM
 */
int ktstr_kernel_id__parse(const char *s, struct ktstr_kernel_id *out, char *err, size_t errlen);
void ktstr_kernel_id__release(struct ktstr_kernel_id *id);

/**
 * @brief Reject an inverted range: "inverted kernel range `A..B`: start
 *        version is greater than end version. Swap the endpoints (`B..A`) or
 *        omit the range to pass a single version."
 * @return 0 or -EINVAL with @p err set
 */
int ktstr_kernel_id__validate(const struct ktstr_kernel_id *id, char *err, size_t errlen);

/**
 * @brief KTSTR_KERNEL's value: trimmed, "" is unset. Path, Version and
 *        CacheKey are accepted; Range and Git are errors (an inverted range
 *        names the inversion first), each "KTSTR_KERNEL=<val>: ...".
 * @return 1 parsed into @p out; 0 unset (NULL or blank); -EINVAL (@p err set); -ENOMEM
 */
int ktstr_kernel_id__from_env(const char *val, struct ktstr_kernel_id *out, char *err,
			      size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
