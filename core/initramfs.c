#define _GNU_SOURCE

#include "initramfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "compress.h"
#include "cpio.h"
#include "elf_closure.h"
#include "fsutil.h"
#include "log.h"
#include "siphash.h"

/* Bump when the archive layout changes, so old cache files stop matching. */
#define BASE_FORMAT "ktstr-initramfs-base-1"
#define MARKER ".ktstr_init_ok"
#define RESERVED_PREFIX ".ktstr_"
#define DIR_PERM 0755
#define LIB_MODE (S_IFREG | 0755)
#define MARKER_MODE (S_IFREG | 0644)
#define SUFFIX_ALIGN 512

struct entry {
	char *path; /* in the archive, no leading '/' */
	uint32_t mode;
	const char *host;   /* where a regular file's content comes from (borrowed) */
	const char *origin; /* what put it there, for messages (borrowed) */
	char *data;	    /* content: file data or symlink target */
	size_t len;
	bool borrowed; /* data belongs to the caller (suffix blobs) */
	bool mapped;   /* data is a read-only mapping of host */
};

struct plan {
	struct entry *v;
	size_t n, cap;
	char **dirs; /* parent directories, sorted */
	size_t ndirs;
};

static void plan__release(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		if (p->v[i].mapped) {
			munmap(p->v[i].data, p->v[i].len);
		} else if (!p->v[i].borrowed) {
			free(p->v[i].data);
		}
	}
	free(p->v);
	for (size_t i = 0; i < p->ndirs; i++) {
		free(p->dirs[i]);
	}
	free(p->dirs);
	memset(p, 0, sizeof(*p));
}

static struct entry *plan__push(struct plan *p, const char *path, uint32_t mode)
{
	struct entry *e;

	if (p->n == p->cap) {
		size_t cap = p->cap != 0 ? p->cap * 2 : 32;
		struct entry *nv = realloc(p->v, cap * sizeof(*nv));

		if (nv == NULL) {
			return NULL;
		}
		p->v = nv;
		p->cap = cap;
	}
	e = &p->v[p->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (e->path == NULL) {
		return NULL;
	}
	e->mode = mode;
	p->n++;
	return e;
}

/* Relative, no empty, "." or ".." component, and not in the engine's namespace. */
static int check_path(const char *path, char *err, size_t errlen)
{
	const char *p = path;

	if (path == NULL || path[0] == '\0') {
		snprintf(err, errlen, "empty archive path; give a path such as \"init\"");
		return -EINVAL;
	}
	if (strncmp(path, RESERVED_PREFIX, strlen(RESERVED_PREFIX)) == 0) {
		snprintf(err, errlen,
			 "archive path \"%s\": names starting with \"%s\" are "
			 "reserved for ktstr; rename it",
			 path, RESERVED_PREFIX);
		return -EINVAL;
	}
	for (;;) {
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			snprintf(err, errlen,
				 "archive path \"%s\" must be relative, without empty, "
				 "\".\" or \"..\" components (e.g. \"bin/tool\")",
				 path);
			return -EINVAL;
		}
		if (*end == '\0') {
			return 0;
		}
		p = end + 1;
	}
}

/* A regular-file mode: the type bits may be left out, any other type is refused. */
static int file_mode(const char *path, uint32_t mode, uint32_t *out, char *err, size_t errlen)
{
	if ((mode & S_IFMT) == 0) {
		mode |= S_IFREG;
	}
	if ((mode & S_IFMT) != S_IFREG || (mode & ~(uint32_t)(S_IFMT | 07777)) != 0) {
		snprintf(err, errlen,
			 "archive path \"%s\": mode 0%o is not a regular-file mode "
			 "(e.g. 0100755)",
			 path, mode);
		return -EINVAL;
	}
	*out = mode;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_entry_path(const void *a, const void *b)
{
	return strcmp((*(const struct entry *const *)a)->path,
		      (*(const struct entry *const *)b)->path);
}

/*
 * Collects every parent directory (sorted, so a parent precedes its children)
 * and refuses a path used twice or used both as a file and as a directory.
 */
static int plan__finish(struct plan *p, char *err, size_t errlen)
{
	const struct entry **byname;
	size_t cap = 0, u = 0;
	int rc = -ENOMEM;

	byname = malloc((p->n != 0 ? p->n : 1) * sizeof(*byname));
	if (byname == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->n; i++) {
		byname[i] = &p->v[i];
		for (const char *s = strchr(p->v[i].path, '/'); s != NULL; s = strchr(s + 1, '/')) {
			if (p->ndirs == cap) {
				size_t ncap = cap != 0 ? cap * 2 : 64;
				char **nd = realloc(p->dirs, ncap * sizeof(*nd));

				if (nd == NULL) {
					goto out;
				}
				p->dirs = nd;
				cap = ncap;
			}
			p->dirs[p->ndirs] = strndup(p->v[i].path, (size_t)(s - p->v[i].path));
			if (p->dirs[p->ndirs] == NULL) {
				goto out;
			}
			p->ndirs++;
		}
	}
	/* qsort and bsearch are not defined on a NULL array, even an empty one. */
	if (p->ndirs > 0) {
		qsort(p->dirs, p->ndirs, sizeof(*p->dirs), cmp_str);
	}
	for (size_t i = 0; i < p->ndirs; i++) {
		if (u > 0 && strcmp(p->dirs[u - 1], p->dirs[i]) == 0) {
			free(p->dirs[i]);
			continue;
		}
		p->dirs[u++] = p->dirs[i];
	}
	p->ndirs = u;
	qsort(byname, p->n, sizeof(*byname), cmp_entry_path);
	rc = 0;
	for (size_t i = 1; i < p->n && rc == 0; i++) {
		if (strcmp(byname[i - 1]->path, byname[i]->path) == 0) {
			snprintf(err, errlen,
				 "archive path \"%s\" is used twice (%s and %s); give one "
				 "of them another path",
				 byname[i]->path, byname[i - 1]->origin, byname[i]->origin);
			rc = -EINVAL;
		}
	}
	for (size_t i = 0; i < p->n && rc == 0 && p->ndirs > 0; i++) {
		if (bsearch(&p->v[i].path, p->dirs, p->ndirs, sizeof(*p->dirs), cmp_str) != NULL) {
			snprintf(err, errlen,
				 "archive path \"%s\" (%s) is also the parent directory "
				 "of another entry; rename one of them",
				 p->v[i].path, p->v[i].origin);
			rc = -EINVAL;
		}
	}
out:
	free(byname);
	return rc;
}

/* Files of the list, then the closure: each real file once, the other names as symlinks. */
static int plan__add_closure(struct plan *p, const struct ktstr_elf_closure *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct ktstr_elf_lib *lib = &c->libs[i];
		bool first = true;
		struct entry *e;

		for (size_t j = 0; j < i && first; j++) {
			first = strcmp(c->libs[j].real, lib->real) != 0;
		}
		if (first) {
			e = plan__push(p, lib->real + 1, LIB_MODE);
			if (e == NULL) {
				return -ENOMEM;
			}
			e->host = lib->real;
			e->origin = lib->real;
		}
		if (strcmp(lib->path, lib->real) == 0) {
			continue;
		}
		e = plan__push(p, lib->path + 1, S_IFLNK | 0777);
		if (e == NULL) {
			return -ENOMEM;
		}
		e->origin = lib->path;
		e->data = strdup(lib->real);
		if (e->data == NULL) {
			return -ENOMEM;
		}
		e->len = strlen(e->data);
	}
	return 0;
}

/* Maps a regular file: a hit hashes tens of MB, a copy would double the work. */
static int map_file(struct entry *e, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc = 0;

	fd = open(e->host, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot read %s (for archive path \"%s\"): %s", e->host,
			 e->path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot stat %s: %s", e->host, strerror(-rc));
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(err, errlen,
			 "%s (for archive path \"%s\") is not a regular file; pack "
			 "only regular files",
			 e->host, e->path);
	} else if ((uint64_t)st.st_size > UINT32_MAX) {
		rc = -EFBIG;
		snprintf(err, errlen, "%s is over 4 GiB, the cpio newc limit", e->host);
	} else if (st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m == MAP_FAILED) {
			rc = -errno;
			snprintf(err, errlen, "cannot map %s: %s", e->host, strerror(-rc));
		} else {
			e->data = m;
			e->len = (size_t)st.st_size;
			e->mapped = true;
		}
	}
	close(fd);
	return rc;
}

static int plan__load(struct plan *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->n; i++) {
		int rc;

		if (p->v[i].host == NULL) {
			continue;
		}
		rc = map_file(&p->v[i], err, errlen);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

static void hash_entry(struct ktstr_siphash *h, const char *path, uint32_t mode, const void *data,
		       uint64_t len)
{
	uint64_t plen = strlen(path);

	ktstr_siphash13__update(h, &mode, sizeof(mode));
	ktstr_siphash13__update(h, &plen, sizeof(plen));
	ktstr_siphash13__update(h, path, plen);
	ktstr_siphash13__update(h, &len, sizeof(len));
	if (len > 0) {
		ktstr_siphash13__update(h, data, len);
	}
}

/* Over everything that ends up in the archive, in archive order. */
static uint64_t plan__hash(const struct plan *p, enum ktstr_compress comp)
{
	uint32_t c = (uint32_t)comp;
	struct ktstr_siphash h;

	ktstr_siphash13__init(&h, 0, 0);
	ktstr_siphash13__update(&h, BASE_FORMAT, sizeof(BASE_FORMAT));
	ktstr_siphash13__update(&h, &c, sizeof(c));
	for (size_t i = 0; i < p->ndirs; i++) {
		hash_entry(&h, p->dirs[i], S_IFDIR | DIR_PERM, NULL, 0);
	}
	for (size_t i = 0; i < p->n; i++) {
		hash_entry(&h, p->v[i].path, p->v[i].mode, p->v[i].data, p->v[i].len);
	}
	hash_entry(&h, MARKER, MARKER_MODE, NULL, 0);
	return ktstr_siphash13__final(&h);
}

static int plan__write(const struct plan *p, struct ktstr_cpio *cp)
{
	int rc = 0;

	for (size_t i = 0; i < p->ndirs && rc == 0; i++) {
		rc = ktstr_cpio__add_dir(cp, p->dirs[i], DIR_PERM);
	}
	for (size_t i = 0; i < p->n && rc == 0; i++) {
		rc = ktstr_cpio__add(cp, p->v[i].path, p->v[i].mode, p->v[i].data, p->v[i].len);
	}
	return rc;
}

/* A cache hit: the file exists and starts with the magic of its compression. */
static bool cache_hit(const char *path, enum ktstr_compress comp)
{
	uint8_t magic[4];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return false;
	}
	n = pread(fd, magic, sizeof(magic), 0);
	close(fd);
	return n == (ssize_t)sizeof(magic) && ktstr_compress__has_magic(comp, magic, sizeof(magic));
}

/* Under the lock nobody else is building, so a leftover temp file is from a crash. */
static void remove_stale_temps(const char *cache_dir)
{
	DIR *d = opendir(cache_dir);
	struct dirent *de;

	if (d == NULL) {
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "base-", 5) == 0 && strstr(de->d_name, ".tmp-") != NULL) {
			unlinkat(dirfd(d), de->d_name, 0);
		}
	}
	closedir(d);
}

static int build_base(const struct plan *p, enum ktstr_compress comp, const char *path, char *err,
		      size_t errlen)
{
	struct timespec t0, t1;
	struct ktstr_cpio cp;
	size_t zlen = 0;
	void *z = NULL;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ktstr_cpio__init(&cp);
	rc = plan__write(p, &cp);
	if (rc == 0) {
		/* Last, so the guest can tell a complete extraction from a cut-off one. */
		rc = ktstr_cpio__add(&cp, MARKER, MARKER_MODE, NULL, 0);
	}
	if (rc != 0) {
		snprintf(err, errlen, "cannot build the initramfs cpio: %s", strerror(-rc));
		goto err_cpio;
	}
	rc = ktstr_compress__encode(comp, cp.buf, cp.len, &z, &zlen);
	if (rc != 0) {
		snprintf(err, errlen, "cannot %s-compress the initramfs: %s",
			 ktstr_compress__ext(comp), strerror(-rc));
		goto err_cpio;
	}
	rc = ktstr_fs__write_atomic(path, z, zlen, 0644);
	if (rc != 0) {
		snprintf(err, errlen, "cannot write %s: %s; check the cache directory", path,
			 strerror(-rc));
		goto err_z;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	KTSTR_INFO("initramfs: built %s (%zu entries, %zu bytes, %zu compressed) in %ld ms", path,
		   p->ndirs + p->n + 1, cp.len, zlen,
		   (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
err_z:
	free(z);
err_cpio:
	ktstr_cpio__release(&cp);
	return rc;
}

/* Builds under <cache_dir>/.lock so concurrent builders leave exactly one file. */
static int build_locked(const struct plan *p, enum ktstr_compress comp, const char *cache_dir,
			const char *path, int *built, char *err, size_t errlen)
{
	char lock[4096];
	int fd, rc;

	rc = ktstr_fs__mkdir_p(cache_dir, 0755);
	if (rc != 0) {
		snprintf(err, errlen, "cannot create cache directory %s: %s", cache_dir,
			 strerror(-rc));
		return rc;
	}
	if (snprintf(lock, sizeof(lock), "%s/.lock", cache_dir) >= (int)sizeof(lock)) {
		snprintf(err, errlen, "cache directory path too long: %s", cache_dir);
		return -ENAMETOOLONG;
	}
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s", lock, strerror(-rc));
		return rc;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			rc = -errno;
			snprintf(err, errlen, "cannot lock %s: %s", lock, strerror(-rc));
			goto err_fd;
		}
	}
	if (cache_hit(path, comp)) {
		KTSTR_DBG("initramfs: %s was built by another process", path);
		goto err_fd;
	}
	remove_stale_temps(cache_dir);
	rc = build_base(p, comp, path, err, errlen);
	if (rc == 0) {
		*built = 1;
	}
err_fd:
	close(fd);
	return rc;
}

static int plan__add_files(struct plan *p, const struct ktstr_initramfs_file *files, size_t nfiles,
			   char *err, size_t errlen)
{
	for (size_t i = 0; i < nfiles; i++) {
		struct entry *e;
		uint32_t mode;
		int rc;

		if (files[i].host_path == NULL) {
			snprintf(err, errlen, "file %zu (\"%s\") has no host path", i,
				 files[i].archive_path != NULL ? files[i].archive_path : "");
			return -EINVAL;
		}
		rc = check_path(files[i].archive_path, err, errlen);
		if (rc == 0) {
			rc = file_mode(files[i].archive_path, files[i].mode, &mode, err, errlen);
		}
		if (rc != 0) {
			return rc;
		}
		e = plan__push(p, files[i].archive_path, mode);
		if (e == NULL) {
			return -ENOMEM;
		}
		e->host = files[i].host_path;
		e->origin = files[i].host_path;
	}
	return 0;
}

int ktstr_initramfs__base(const struct ktstr_initramfs_file *files, size_t nfiles,
			  enum ktstr_compress comp, const char *cache_dir, char *out, size_t outlen,
			  int *built, char *err, size_t errlen)
{
	struct ktstr_elf_closure *cl = NULL;
	struct plan p = {0};
	char scratch[1];
	int built_now = 0, rc;
	uint64_t key;

	if (errlen == 0) {
		err = scratch;
		errlen = sizeof(scratch);
	}
	err[0] = '\0';
	if ((files == NULL && nfiles > 0) || cache_dir == NULL || out == NULL ||
	    ktstr_compress__ext(comp) == NULL) {
		snprintf(err, errlen,
			 "initramfs: invalid arguments (files, cache_dir, out or "
			 "compression)");
		return -EINVAL;
	}
	rc = plan__add_files(&p, files, nfiles, err, errlen);
	if (rc != 0) {
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++) {
		if (!files[i].elf_closure) {
			continue;
		}
		if (cl == NULL) {
			rc = ktstr_elf_closure__new(getenv("LD_LIBRARY_PATH"), NULL, &cl);
			if (rc != 0) {
				goto out;
			}
		}
		rc = ktstr_elf_closure__add(cl, files[i].host_path, err, errlen);
		if (rc != 0) {
			goto out;
		}
	}
	if (cl != NULL) {
		rc = plan__add_closure(&p, cl);
		if (rc != 0) {
			goto out;
		}
	}
	rc = plan__finish(&p, err, errlen);
	if (rc == 0) {
		rc = plan__load(&p, err, errlen);
	}
	if (rc != 0) {
		goto out;
	}
	key = plan__hash(&p, comp);
	if (snprintf(out, outlen, "%s/base-%016" PRIx64 ".cpio.%s", cache_dir, key,
		     ktstr_compress__ext(comp)) >= (int)outlen) {
		snprintf(err, errlen, "initramfs: output buffer too small for a path in %s",
			 cache_dir);
		rc = -ENAMETOOLONG;
		goto out;
	}
	if (!cache_hit(out, comp)) {
		rc = build_locked(&p, comp, cache_dir, out, &built_now, err, errlen);
	}
out:
	if (rc == -ENOMEM && err[0] == '\0') {
		snprintf(err, errlen, "initramfs: out of memory");
	}
	if (rc == 0 && built != NULL) {
		*built = built_now;
	}
	ktstr_elf_closure__free(cl);
	plan__release(&p);
	return rc;
}

int ktstr_initramfs__suffix(const struct ktstr_initramfs_blob *blobs, size_t n,
			    enum ktstr_compress comp, void **out, size_t *outlen)
{
	struct ktstr_cpio cp;
	struct plan p = {0};
	char err[512] = "";
	int rc = 0;

	if ((blobs == NULL && n > 0) || out == NULL || outlen == NULL ||
	    ktstr_compress__ext(comp) == NULL) {
		return -EINVAL;
	}
	ktstr_cpio__init(&cp);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct entry *e;
		uint32_t mode;

		rc = check_path(blobs[i].archive_path, err, sizeof(err));
		if (rc == 0) {
			rc = file_mode(blobs[i].archive_path, blobs[i].mode, &mode, err,
				       sizeof(err));
		}
		if (rc == 0 && blobs[i].data == NULL && blobs[i].len > 0) {
			snprintf(err, sizeof(err), "suffix blob \"%s\" has no data",
				 blobs[i].archive_path);
			rc = -EINVAL;
		}
		if (rc != 0) {
			break;
		}
		e = plan__push(&p, blobs[i].archive_path, mode);
		if (e == NULL) {
			rc = -ENOMEM;
			break;
		}
		e->origin = "a suffix blob";
		e->data = (char *)blobs[i].data;
		e->len = blobs[i].len;
		e->borrowed = true;
	}
	if (rc == 0) {
		rc = plan__finish(&p, err, sizeof(err));
	}
	if (rc == 0) {
		rc = plan__write(&p, &cp);
	}
	if (rc == 0) {
		rc = ktstr_cpio__add_trailer(&cp);
	}
	if (rc == 0) {
		rc = ktstr_cpio__pad(&cp, SUFFIX_ALIGN);
	}
	if (rc == 0) {
		rc = ktstr_compress__encode(comp, cp.buf, cp.len, out, outlen);
	}
	if (rc != 0) {
		KTSTR_ERR("initramfs suffix: %s", err[0] != '\0' ? err : strerror(-rc));
	}
	ktstr_cpio__release(&cp);
	plan__release(&p);
	return rc;
}

int ktstr_initramfs__assemble(const char *base_path, const void *suffix, size_t suffix_len,
			      const char *dst)
{
	int fd, rc;

	rc = ktstr_fs__copy_file(base_path, dst, 0644);
	if (rc != 0) {
		KTSTR_ERR("initramfs: cannot copy %s to %s: %s", base_path, dst, strerror(-rc));
		goto err_dst;
	}
	fd = open(dst, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		KTSTR_ERR("initramfs: cannot open %s: %s", dst, strerror(-rc));
		goto err_dst;
	}
	rc = ktstr_fs__write_all(fd, suffix, suffix_len);
	if (close(fd) != 0 && rc == 0) {
		rc = -errno;
	}
	if (rc != 0) {
		KTSTR_ERR("initramfs: cannot append the suffix to %s: %s", dst, strerror(-rc));
		goto err_dst;
	}
	return 0;
err_dst:
	unlink(dst);
	return rc;
}
