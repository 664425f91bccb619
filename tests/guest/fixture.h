/* Temporary file trees for the guest module tests (fake sysfs, cgroupfs, logs). */
#ifndef KTSTR_TESTS_GUEST_FIXTURE_H
#define KTSTR_TESTS_GUEST_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Create a fresh directory under $TMPDIR (or /tmp); abort() on failure. */
static inline void fx_mkdtemp(char *out, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(out, len, "%s/ktstr-guest-test-XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(out) == NULL) {
		abort();
	}
}

/* mkdir -p of the directory part of "<root>/<rel>" (rel may end with '/'). */
static inline void fx_mkparents(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
}

/* Write "<root>/<rel>" (creating parents) with @p text. */
static inline void fx_write(const char *root, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	fx_mkparents(root, rel);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f == NULL) {
		abort();
	}
	fputs(text, f);
	fclose(f);
}

/* Read "<root>/<rel>" into buf (NUL-terminated); "" when missing. */
static inline const char *fx_read(const char *root, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "r");
	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static inline int fx_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void fx_rmtree(const char *root)
{
	nftw(root, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
