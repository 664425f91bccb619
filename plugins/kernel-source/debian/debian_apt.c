/* The private apt configuration of the debian source (see debian_apt.h). */
#define _GNU_SOURCE
#include "debian_apt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debian_pkg.h"

/* a->err = "<what> <path>: <strerror(-rc)>" */
static int fail(struct debian_apt *a, int rc, const char *what, const char *path)
{
	snprintf(a->err, sizeof(a->err), "%s %s: %s", what, path, strerror(-rc));
	return rc;
}

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0755) != 0 && errno != EEXIST) {
				*p = '/';
				return -errno;
			}
			*p = '/';
		}
	}
	return mkdir(path, 0755) != 0 && errno != EEXIST ? -errno : 0;
}

/* Write @p text to @p path unless it already holds exactly that (tmp + rename). 0, 1 written. */
static int write_if_changed(struct debian_apt *a, const char *path, const char *text)
{
	char old[2048], tmp[PATH_MAX + 64];
	size_t n = strlen(text);
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f != NULL) {
		size_t got = fread(old, 1, sizeof(old), f);

		fclose(f);
		if (got == n && memcmp(old, text, n) == 0) {
			return 0;
		}
	}
	/* per thread: resolves of one suite may run on several threads at once */
	snprintf(tmp, sizeof(tmp), "%s.%d.%d", path, (int)getpid(), (int)gettid());
	f = fopen(tmp, "w");
	if (f == NULL) {
		return fail(a, -errno, "cannot write", tmp);
	}
	if (fwrite(text, 1, n, f) != n) {
		rc = -EIO;
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -errno;
	}
	if (rc != 0) {
		unlink(tmp);
		return fail(a, rc, "cannot write", path);
	}
	return 1;
}

static void add_opt(struct debian_apt *a, const char *name, const char *value)
{
	snprintf(a->opt[a->nopt++], sizeof(a->opt[0]), "%s=%s", name, value);
}

int debian_apt__open(struct debian_apt *a, const char *cache_dir, const char *suite,
		     const char *mirror, const char *keyring, bool (*cancelled)(void))
{
	char path[PATH_MAX + 32], line[2048];
	int rc;

	memset(a, 0, sizeof(*a));
	a->lock_fd = -1;
	a->cancelled = cancelled;
	snprintf(a->suite, sizeof(a->suite), "%s", suite);
	snprintf(a->mirror, sizeof(a->mirror), "%s", mirror);
	if (snprintf(a->dir, sizeof(a->dir), "%s/apt-%s", cache_dir, suite) >=
	    (int)sizeof(a->dir)) {
		return fail(a, -ENAMETOOLONG, "apt directory under", cache_dir);
	}
	for (const char *sub = "/lists/partial\0/cache/archives/partial\0"; *sub != '\0';
	     sub += strlen(sub) + 1) {
		snprintf(path, sizeof(path), "%s%s", a->dir, sub);
		rc = mkdir_p(path);
		if (rc != 0) {
			return fail(a, rc, "cannot create", path);
		}
	}
	snprintf(line, sizeof(line), "deb [signed-by=%s] %s %s main\n", keyring, mirror, suite);
	snprintf(path, sizeof(path), "%s/sources.list", a->dir);
	add_opt(a, "Dir::Etc::SourceList", path);
	rc = write_if_changed(a, path, line);
	if (rc < 0) {
		return rc;
	}
	if (rc == 1) {
		/* another mirror or keyring: the lists on disk are not its lists */
		snprintf(path, sizeof(path), "%s/updated", a->dir);
		unlink(path);
	}
	add_opt(a, "Dir::Etc::SourceParts", "/dev/null");
	add_opt(a, "Dir::Etc::Preferences", "/dev/null");
	add_opt(a, "Dir::Etc::PreferencesParts", "/dev/null");
	snprintf(path, sizeof(path), "%s/lists", a->dir);
	add_opt(a, "Dir::State::Lists", path);
	snprintf(path, sizeof(path), "%s/cache", a->dir);
	add_opt(a, "Dir::Cache", path);
	/* With these settings apt keeps no binary cache: every call would parse the
	 * whole Packages file again (2 s). One cache, no source cache. */
	snprintf(path, sizeof(path), "%s/cache/pkgcache.bin", a->dir);
	add_opt(a, "Dir::Cache::pkgcache", path);
	add_opt(a, "Dir::Cache::srcpkgcache", "");
	add_opt(a, "Dir::State::status", "/dev/null");
	add_opt(a, "APT::Architecture", "amd64");
	add_opt(a, "APT::Architectures", "amd64");
	add_opt(a, "Acquire::Languages", "none");
	if (geteuid() == 0) {
		/* root's apt drops to _apt, which cannot write to a private dir in root's home */
		add_opt(a, "APT::Sandbox::User", "root");
	}
	return 0;
}

int debian_apt__lock(struct debian_apt *a, int timeout_s, void (*waiting)(void *ctx), void *ctx)
{
	char path[PATH_MAX + 8];
	struct timespec ts = {0, 100 * 1000 * 1000};
	int fd;

	snprintf(path, sizeof(path), "%s/lock", a->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		return fail(a, -errno, "cannot open lock file", path);
	}
	for (long waited = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; waited++) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int rc = -errno;

			close(fd);
			return fail(a, rc, "cannot lock", path);
		}
		if (waited == 0 && waiting != NULL) {
			waiting(ctx);
		}
		if (a->cancelled != NULL && a->cancelled()) {
			close(fd);
			return fail(a, -ECANCELED, "waiting for", path);
		}
		if (waited >= (long)timeout_s * 10) {
			close(fd);
			snprintf(
			    a->err, sizeof(a->err),
			    "another ktstr has held %s for %d s; if none is running, remove the "
			    "file",
			    path, timeout_s);
			return -ETIMEDOUT;
		}
		nanosleep(&ts, NULL);
	}
	a->lock_fd = fd;
	return 0;
}

void debian_apt__unlock(struct debian_apt *a)
{
	if (a->lock_fd >= 0) {
		close(a->lock_fd); /* releases the flock */
		a->lock_fd = -1;
	}
}

long debian_apt__age(const struct debian_apt *a)
{
	char path[PATH_MAX + 16];
	struct stat st;
	time_t now = time(NULL);

	snprintf(path, sizeof(path), "%s/updated", a->dir);
	if (stat(path, &st) != 0) {
		return -1;
	}
	return now > st.st_mtime ? (long)(now - st.st_mtime) : 0;
}

/* Run @p tool with the private options, then @p args (NULL-terminated). */
static int apt_run(struct debian_apt *a, const char *tool, const char *const *args,
		   struct debian_cmd *c)
{
	const char *argv[2 + 2 * DEBIAN_APT_OPTS + 8];
	int n = 0;

	argv[n++] = tool;
	argv[n++] = "-q";
	for (int i = 0; i < a->nopt; i++) {
		argv[n++] = "-o";
		argv[n++] = a->opt[i];
	}
	for (; *args != NULL && n < (int)(sizeof(argv) / sizeof(argv[0])) - 1; args++) {
		argv[n++] = *args;
	}
	argv[n] = NULL;
	c->argv = argv;
	c->cancelled = a->cancelled;
	return debian_run(c);
}

/* a->err for a failed run of @p what. */
static int run_failed(struct debian_apt *a, const char *what, int rc, const struct debian_cmd *c)
{
	if (rc == -EIO) {
		snprintf(a->err, sizeof(a->err), "%s failed (exit %d): %s", what, c->status,
			 c->err[0] != '\0' ? c->err : "no message");
	} else if (rc == -ENOENT) {
		snprintf(a->err, sizeof(a->err), "%s: program not found (install apt and dpkg)",
			 what);
	} else {
		snprintf(a->err, sizeof(a->err), "%s: %s", what, strerror(-rc));
	}
	return rc;
}

int debian_apt__update(struct debian_apt *a)
{
	static const char *const args[] = {"--error-on=any", "update", NULL};
	struct debian_cmd c = {0};
	char what[700], path[PATH_MAX + 16];
	int rc, fd;

	snprintf(what, sizeof(what), "apt-get update of suite %s from %s", a->suite, a->mirror);
	rc = apt_run(a, "apt-get", args, &c);
	if (rc != 0) {
		return run_failed(a, what, rc, &c);
	}
	snprintf(path, sizeof(path), "%s/updated", a->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		return fail(a, -errno, "cannot write", path);
	}
	close(fd);
	return 0;
}

int debian_apt__names(struct debian_apt *a, char **out, size_t *len)
{
	static const char *const args[] = {"pkgnames", "linux-", NULL};
	struct debian_cmd c = {.capture = true};
	int rc = apt_run(a, "apt-cache", args, &c);

	if (rc != 0) {
		free(c.out);
		return run_failed(a, "apt-cache pkgnames linux-", rc, &c);
	}
	*out = c.out;
	*len = c.out_len;
	return 0;
}

/* The one "<pkg>_*.deb" in @p dir. */
static int find_deb(struct debian_apt *a, const char *pkg, const char *dir, char *path,
		    size_t pathlen)
{
	size_t np = strlen(pkg);
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = -ENOENT;

	if (d == NULL) {
		return fail(a, -errno, "cannot read", dir);
	}
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (n > np + 5 && strncmp(e->d_name, pkg, np) == 0 && e->d_name[np] == '_' &&
		    strcmp(e->d_name + n - 4, ".deb") == 0) {
			snprintf(path, pathlen, "%s/%s", dir, e->d_name);
			rc = 0;
			break;
		}
	}
	closedir(d);
	if (rc != 0) {
		snprintf(a->err, sizeof(a->err), "apt-get download %s left no %s_*.deb in %s", pkg,
			 pkg, dir);
	}
	return rc;
}

int debian_apt__download(struct debian_apt *a, const char *pkg, const char *dir, char *path,
			 size_t pathlen)
{
	const char *args[] = {"download", pkg, NULL};
	struct debian_cmd c = {.cwd = dir};
	char what[DEBIAN_PKG_MAX + 700];
	int rc;

	snprintf(what, sizeof(what), "apt-get download %s (suite %s, %s)", pkg, a->suite,
		 a->mirror);
	rc = apt_run(a, "apt-get", args, &c);
	if (rc != 0) {
		return run_failed(a, what, rc, &c);
	}
	return find_deb(a, pkg, dir, path, pathlen);
}

int debian_apt__extract(struct debian_apt *a, const char *deb, const char *dir)
{
	const char *argv[] = {"dpkg-deb", "-x", deb, dir, NULL};
	struct debian_cmd c = {.argv = argv, .cancelled = a->cancelled};
	char what[PATH_MAX + 16];
	int rc = debian_run(&c);

	if (rc != 0) {
		snprintf(what, sizeof(what), "dpkg-deb -x %s", deb);
		return run_failed(a, what, rc, &c);
	}
	return 0;
}
