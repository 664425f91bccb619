#include "vmlinux_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ktstr_vmlinux_tmp__open(struct ktstr_vmlinux_tmp *t, const char *out, char *err, size_t errlen)
{
	int n = snprintf(t->path, sizeof(t->path), "%s.tmp-XXXXXX", out);

	if (n < 0 || (size_t)n >= sizeof(t->path)) {
		snprintf(err, errlen, "%s: path too long", out);
		return -ENAMETOOLONG;
	}
	t->fd = mkstemp(t->path);
	if (t->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: cannot create a temp file: %s", t->path, strerror(e));
		return -e;
	}
	if (fchmod(t->fd, 0644) != 0) {
		int e = errno;

		snprintf(err, errlen, "%s: chmod: %s", t->path, strerror(e));
		ktstr_vmlinux_tmp__abort(t);
		return -e;
	}
	return 0;
}

int ktstr_vmlinux_tmp__commit(struct ktstr_vmlinux_tmp *t, const char *out, char *err,
			      size_t errlen)
{
	int rc = fsync(t->fd);
	int e = errno;

	if (close(t->fd) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	t->fd = -1;
	if (rc != 0) {
		snprintf(err, errlen, "%s: write failed: %s", t->path, strerror(e));
		ktstr_vmlinux_tmp__abort(t);
		return -e;
	}
	if (rename(t->path, out) != 0) {
		e = errno;
		snprintf(err, errlen, "%s: cannot rename to %s: %s", t->path, out, strerror(e));
		ktstr_vmlinux_tmp__abort(t);
		return -e;
	}
	return 0;
}

void ktstr_vmlinux_tmp__abort(struct ktstr_vmlinux_tmp *t)
{
	if (t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
	unlink(t->path);
}
