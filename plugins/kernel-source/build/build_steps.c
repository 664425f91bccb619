#include "build_steps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_conf.h"
#include "build_proc.h"

/* Upstream's limit for defconfig, olddefconfig and mrproper. */
#define CONFIG_TIMEOUT_S (30 * 60)
/* Lines of make's log shown when it fails. */
#define TAIL_LINES 40

char *ktstr_build__slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	ssize_t n;

	if (fd < 0) {
		return NULL;
	}
	if (fstat(fd, &st) != 0 || (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	n = st.st_size > 0 ? read(fd, buf, (size_t)st.st_size) : 0;
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

struct step_ctx {
	struct ktstr_build_steps *s;
	const char *what;
};

static void on_steps(void *ctx, uint64_t steps)
{
	struct step_ctx *c = ctx;

	c->s->progress(c->s->ctx, c->what, steps, false);
}

/* make @target... in the tree, output appended to the log. */
static int make(struct ktstr_build_steps *s, const char *what, const char *const *argv,
		unsigned timeout_s, char *err, size_t errlen)
{
	int fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	struct step_ctx c = {s, what};
	struct ktstr_build_run r = {
	    .argv = argv,
	    .cwd = s->tree,
	    .timeout_s = timeout_s,
	    .cancelled = s->cancelled,
	    .progress = s->progress != NULL ? on_steps : NULL,
	    .ctx = &c,
	};
	char tail[4096];
	int rc;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot write the build log %s: %s", s->log_path,
			 strerror(-rc));
		return rc;
	}
	dprintf(fd, "$");
	for (const char *const *a = argv; *a != NULL; a++) {
		dprintf(fd, " %s", *a);
	}
	dprintf(fd, "\n");
	r.log_fd = fd;
	rc = ktstr_build_proc__run(&r);
	close(fd);
	if (s->progress != NULL && rc == 0) {
		s->progress(s->ctx, what, 0, true);
	}
	if (rc == 0) {
		return 0;
	}
	if (rc == -ECANCELED) {
		snprintf(err, errlen, "%s in %s: cancelled", what, s->tree);
		return rc;
	}
	if (rc == -ETIMEDOUT) {
		ktstr_build_proc__tail(s->log_path, TAIL_LINES, tail, sizeof(tail));
		snprintf(err, errlen,
			 "%s in %s: timed out after %u s; last lines of its output:\n%s", what,
			 s->tree, timeout_s, tail);
		return rc;
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot run %s in %s: %s", what, s->tree, strerror(-rc));
		return rc;
	}
	ktstr_build_proc__tail(s->log_path, TAIL_LINES, tail, sizeof(tail));
	/* the log is in the scratch directory, gone at exit: show its end */
	snprintf(err, errlen, "%s failed in %s (exit %d%s); last lines of its output:\n%s", what,
		 s->tree, rc, rc == 127 ? ": is make installed?" : "", tail);
	return -EIO;
}

/* Append the fragment to {tree}/.config. */
static int append_fragment(const char *tree, char *err, size_t errlen)
{
	char path[PATH_MAX + 16];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%s/.config", tree);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || write(fd, ktstr_build_kconfig, ktstr_build_kconfig_len) !=
			  (ssize_t)ktstr_build_kconfig_len) {
		rc = -errno;
		snprintf(err, errlen, "cannot append the ktstr kconfig fragment to %s: %s", path,
			 strerror(-rc));
	}
	if (fd >= 0 && close(fd) != 0 && rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	}
	return rc;
}

/* Step 4: configure when .config lacks CONFIG_SCHED_CLASS_EXT=y. */
static int configure(struct ktstr_build_steps *s, char *err, size_t errlen)
{
	static const char *const defconfig[] = {"make", "defconfig", NULL};
	static const char *const olddefconfig[] = {"make", "olddefconfig", NULL};
	char path[PATH_MAX + 16];
	size_t len = 0;
	char *config;
	bool present;
	int rc;

	snprintf(path, sizeof(path), "%s/.config", s->tree);
	config = ktstr_build__slurp(path, &len);
	if (config != NULL && ktstr_build__has_line(config, len, "CONFIG_SCHED_CLASS_EXT=y")) {
		free(config);
		return 0;
	}
	if (config == NULL) {
		rc = make(s, "make defconfig", defconfig, CONFIG_TIMEOUT_S, err, errlen);
		if (rc != 0) {
			return rc;
		}
		config = ktstr_build__slurp(path, &len);
		if (config == NULL) {
			rc = -errno;
			snprintf(err, errlen, "make defconfig left no readable %s: %s", path,
				 strerror(-rc));
			return rc;
		}
	}
	present = ktstr_build__fragment_present(config, len, (const char *)ktstr_build_kconfig,
						ktstr_build_kconfig_len);
	free(config);
	if (present) {
		return 0;
	}
	rc = append_fragment(s->tree, err, errlen);
	return rc != 0 ? rc
		       : make(s, "make olddefconfig", olddefconfig, CONFIG_TIMEOUT_S, err, errlen);
}

/* Step 6: the options a ktstr guest needs must have survived olddefconfig. */
static int validate(struct ktstr_build_steps *s, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], missing[256];
	size_t len = 0;
	char *config;
	unsigned n;

	snprintf(path, sizeof(path), "%s/.config", s->tree);
	config = ktstr_build__slurp(path, &len);
	if (config == NULL) {
		int rc = -errno;

		snprintf(err, errlen, "cannot read %s after the build: %s", path, strerror(-rc));
		return rc;
	}
	n = ktstr_build__missing(config, len, missing, sizeof(missing));
	free(config);
	if (n == 0) {
		return 0;
	}
	snprintf(err, errlen,
		 "%s: %u required option%s not set to y after configuring: %s. A dependency is "
		 "off or the toolchain lacks support (DEBUG_INFO_BTF needs pahole from dwarves; "
		 "SCHED_CLASS_EXT needs BPF_JIT and DEBUG_INFO_BTF): check with `make menuconfig`, "
		 "or start over with --clean",
		 path, n, n == 1 ? "" : "s", missing);
	return -ENOEXEC;
}

static void stat_vmlinux(struct ktstr_build_steps *s)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/vmlinux", s->tree);
	s->vmlinux_size = -1;
	s->vmlinux_mtime = -1;
	if (stat(path, &st) == 0) {
		s->vmlinux_size = (int64_t)st.st_size;
		s->vmlinux_mtime = (int64_t)st.st_mtim.tv_sec;
	}
}

int ktstr_build_steps__run(struct ktstr_build_steps *s, char *err, size_t errlen)
{
	static const char *const mrproper[] = {"make", "mrproper", NULL};
	static const char *const release[] = {"make", "-s", "kernelrelease", NULL};
	char jobs[32], what[64];
	const char *build[] = {"make", jobs, "KCFLAGS=-Wno-error", "bzImage", NULL};
	int rc;

	snprintf(jobs, sizeof(jobs), "-j%u", s->jobs > 0 ? s->jobs : 1);
	snprintf(what, sizeof(what), "make %s bzImage", jobs);
	if (s->clean) {
		rc = make(s, "make mrproper", mrproper, CONFIG_TIMEOUT_S, err, errlen);
		if (rc != 0) {
			return rc;
		}
	}
	/* upstream checks after the build; the .config is final here, so fail fast */
	rc = configure(s, err, errlen);
	rc = rc ?: validate(s, err, errlen);
	rc = rc ?: make(s, what, build, 0, err, errlen);
	if (rc != 0) {
		return rc;
	}
	rc = ktstr_build_proc__capture(release, s->tree, s->version, sizeof(s->version));
	if (rc != 0) {
		s->version[0] = '\0'; /* metadata says null; the build itself is fine */
	}
	stat_vmlinux(s);
	return 0;
}
