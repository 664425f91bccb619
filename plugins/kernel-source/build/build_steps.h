/* kernel-source/build: configure, make and check one source tree in place. */
#ifndef KTSTR_BUILD_STEPS_H
#define KTSTR_BUILD_STEPS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief The ktstr kconfig fragment compiled into the plugin (configs/ktstr.kconfig). */
extern const unsigned char ktstr_build_kconfig[];
extern const size_t ktstr_build_kconfig_len;

/** @brief What a build needs and what it learns. */
struct ktstr_build_steps {
	const char *tree;     /**< canonical source tree */
	const char *log_path; /**< make's output is appended here */
	unsigned jobs;	      /**< make -j */
	bool clean;	      /**< make mrproper first */
	bool (*cancelled)(void);
	void (*progress)(void *ctx, const char *what, uint64_t steps, bool done);
	void *ctx;
	/* results */
	char version[128];		     /**< `make -s kernelrelease` */
	int64_t vmlinux_size, vmlinux_mtime; /**< of {tree}/vmlinux */
};

/**
 * @brief Upstream's pipeline steps 3-6 (reference kernels.md 3.3): mrproper
 *        when asked; configure when .config lacks CONFIG_SCHED_CLASS_EXT=y
 *        (defconfig when there is none; the fragment appended and
 *        olddefconfig unless every fragment line is there); check the
 *        required options (before the build, not after as upstream: the
 *        .config is final once configured); make bzImage with
 *        KCFLAGS=-Wno-error.
 * @return 0; -ECANCELED; -EIO when make failed (@p err has the tail of the
 *         log); -ENOEXEC when a required option is missing; -errno
 */
int ktstr_build_steps__run(struct ktstr_build_steps *s, char *err, size_t errlen);

/** @brief Read a whole (small) file: malloc'd, NUL-terminated; NULL with errno set. */
char *ktstr_build__slurp(const char *path, size_t *len);

#endif
