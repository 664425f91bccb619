/*
 * Which kernel to use when none is named (upstream find_kernel):
 *   1. KTSTR_TEST_KERNEL: an image path, used verbatim;
 *   2. KTSTR_KERNEL: a path (a directory probed for arch/x86/boot/bzImage,
 *      then bzImage; a file is the image), or a version or cache key
 *      resolved through the kernel-source chain (a miss skips step 3);
 *   3. the newest cached kernel (the chain asked for "latest");
 *   4. the first of ./linux, ../linux (holding vmlinux, arch/x86/boot/bzImage
 *      or bzImage) and /lib/modules/{rel}/build (a directory), probed for
 *      an image; only that one directory;
 *   5. /lib/modules/{rel}/vmlinuz, /boot/vmlinuz-{rel}, /boot/vmlinuz.
 * The filesystem, the environment, the release and the chain are injected
 * so tests can run it against a fake root.
 */
#ifndef KTSTR_CORE_KERNEL_DISCOVER_H
#define KTSTR_CORE_KERNEL_DISCOVER_H

#include <limits.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Resolve @p id through the chain: 0 found, -ENOENT a miss, another -errno (@p err). */
typedef int (*ktstr_kdisc_resolve_fn)(void *ctx, const char *id, char *err, size_t errlen);

struct ktstr_kdisc_env {
	const char *(*getenv)(const char *name); /**< NULL: getenv() */
	const char *root;			 /**< prefix of absolute paths; NULL: none */
	const char *cwd;			 /**< base of relative paths; NULL: the process's */
	const char *release;			 /**< uname -r; NULL: uname() */
	ktstr_kdisc_resolve_fn resolve;		 /**< the chain; required */
	void *ctx;
};

enum ktstr_kdisc_kind {
	KTSTR_KDISC_IMAGE,    /**< path: an image file (or a directory holding one) */
	KTSTR_KDISC_RESOLVED, /**< path: the id the chain resolved */
};

struct ktstr_kdisc_result {
	enum ktstr_kdisc_kind kind;
	char path[PATH_MAX];
	const char *step; /**< "KTSTR_TEST_KERNEL", "KTSTR_KERNEL", "cache", "./linux", ... */
};

/** @brief The hint that ends discovery errors (mentions `ktstr kernel list|fetch`). */
extern const char ktstr_kdisc_hint[];

/**
 * @brief Run the chain above.
 * @return 0; -ENOENT "no kernel found" with both hints; -EINVAL for a bad
 *         KTSTR_KERNEL or a missing KTSTR_TEST_KERNEL; the resolver's error
 */
int ktstr_kernel__discover(const struct ktstr_kdisc_env *env, struct ktstr_kdisc_result *out,
			   char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
