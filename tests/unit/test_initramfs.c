/*
 * Base archive, suffix and assembly, read back with an independent newc
 * reader, GNU cpio and the lz4 CLI; the content-hash cache (hit, miss, key
 * changes, concurrent builders).
 */
#define _GNU_SOURCE
#include <stdbool.h> /* initramfs.h uses bool without including it */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "compress.h"
#include "fsutil.h"
#include "initramfs.h"
#include "newc_read.h"

static char tmp[64];
static char err[1024];

static int setup(void **state)
{
	char dir[] = "/tmp/ktstr-initramfs-XXXXXX";

	if (mkdtemp(dir) == NULL) {
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s", dir);
	return 0;
}

static int teardown(void **state)
{
	return ktstr_fs__rm_rf(tmp);
}

static const char *tp(const char *rel)
{
	static char bufs[4][PATH_MAX];
	static int k;

	k = (k + 1) % 4;
	snprintf(bufs[k], sizeof(bufs[k]), "%s/%s", tmp, rel);
	return bufs[k];
}

static void put(const char *rel, const char *text)
{
	assert_int_equal(ktstr_fs__write_atomic(tp(rel), text, strlen(text), 0644), 0);
}

static size_t count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	}
	closedir(d);
	return n;
}

/* Decompresses @p path into *raw and parses it. */
static void read_archive(const char *path, enum ktstr_compress comp, uint8_t **raw, size_t *len,
			 struct newc *a)
{
	char *z;
	size_t zlen;

	assert_int_equal(ktstr_fs__read_file(path, &z, &zlen), 0);
	assert_int_equal(ktstr_compress__decode(comp, z, zlen, SIZE_MAX, (void **)raw, len), 0);
	free(z);
	assert_int_equal(newc_parse(*raw, *len, a), 0);
	assert_int_equal(a->end, *len);
}

static bool same_as_file(const struct newc_ent *e, const char *host)
{
	size_t len;
	char *data;
	bool same;

	assert_int_equal(ktstr_fs__read_file(host, &data, &len), 0);
	same = len == e->size && memcmp(data, e->data, len) == 0;
	free(data);
	return same;
}

/* Directories first (parents before children), every parent present, names unique. */
static void check_base_shape(const struct newc *a)
{
	size_t ndirs = 0;

	while (ndirs < a->n && (a->v[ndirs].mode & S_IFMT) == S_IFDIR) {
		assert_int_equal(a->v[ndirs].mode, 040755);
		ndirs++;
	}
	assert_true(ndirs > 0);
	for (size_t i = 0; i < a->n; i++) {
		char parent[4096];
		char *sl;

		assert_int_equal(a->v[i].nlink, 1);
		assert_int_equal(a->v[i].mtime, 0);
		if (i >= ndirs) {
			assert_int_not_equal(a->v[i].mode & S_IFMT, S_IFDIR);
		}
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(a->v[j].name, a->v[i].name);
			assert_int_not_equal(a->v[j].ino, a->v[i].ino);
		}
		snprintf(parent, sizeof(parent), "%s", a->v[i].name);
		sl = strrchr(parent, '/');
		if (sl == NULL) {
			continue;
		}
		*sl = '\0';
		const struct newc_ent *p = newc_find(a, parent);
		assert_non_null(p);
		assert_true(p < &a->v[i]);
		assert_int_equal(p->mode, 040755);
	}
	/* The marker is the last entry, and the base has no trailer. */
	assert_false(a->trailer);
	assert_string_equal(a->v[a->n - 1].name, ".ktstr_init_ok");
	assert_int_equal(a->v[a->n - 1].size, 0);
	assert_int_equal(a->v[a->n - 1].mode, 0100644);
}

/* Every symlink points at a regular entry of the archive. */
static void check_links(const struct newc *a)
{
	for (size_t i = 0; i < a->n; i++) {
		char target[4096];
		const struct newc_ent *t;

		if ((a->v[i].mode & S_IFMT) != S_IFLNK) {
			continue;
		}
		assert_int_equal(a->v[i].mode, 0120777);
		assert_true(a->v[i].size > 1 && a->v[i].size < sizeof(target));
		memcpy(target, a->v[i].data, a->v[i].size);
		target[a->v[i].size] = '\0';
		assert_int_equal(target[0], '/');
		t = newc_find(a, target + 1);
		assert_non_null(t);
		assert_int_equal(t->mode, 0100755);
		assert_true(same_as_file(t, target));
	}
}

static bool has_base_name(const char *path, const char *dir, const char *ext)
{
	size_t dl = strlen(dir);
	const char *p = path + dl;

	if (strncmp(path, dir, dl) != 0 || strncmp(p, "/base-", 6) != 0) {
		return false;
	}
	p += 6;
	for (int i = 0; i < 16; i++, p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) {
			return false;
		}
	}
	return strncmp(p, ".cpio.", 6) == 0 && strcmp(p + 6, ext) == 0;
}

static void test_base_layout_and_hit(void **state)
{
	char path[PATH_MAX], again[PATH_MAX], zpath[PATH_MAX], ld[PATH_MAX];
	struct ktstr_initramfs_file files[] = {
		{ "/bin/bash", "init", 0100755, true },
		{ NULL, "etc/greeting", 0644, false },
	};
	uint8_t *raw, *zraw;
	size_t len, zlen;
	struct newc a, za;
	const struct newc_ent *e;
	int built = -1;

	char host[PATH_MAX];

	put("greeting", "hello\n");
	snprintf(host, sizeof(host), "%s", tp("greeting")); /* tp() reuses its buffers */
	files[1].host_path = host;
	assert_int_equal(ktstr_initramfs__base(files, 2, KTSTR_COMPRESS_LZ4, tp("cache"), path,
					       sizeof(path), &built, err, sizeof(err)),
			 0);
	assert_int_equal(built, 1);
	assert_true(has_base_name(path, tp("cache"), "lz4"));
	read_archive(path, KTSTR_COMPRESS_LZ4, &raw, &len, &a);
	check_base_shape(&a);
	check_links(&a);
	e = newc_find(&a, "init");
	assert_non_null(e);
	assert_int_equal(e->mode, 0100755);
	assert_true(same_as_file(e, "/bin/bash"));
	e = newc_find(&a, "etc/greeting");
	assert_non_null(e);
	assert_int_equal(e->mode, 0100644);
	assert_true(same_as_file(e, tp("greeting")));
	/* PT_INTERP is a symlink to the one real copy of the loader. */
	assert_non_null(realpath("/lib64/ld-linux-x86-64.so.2", ld));
	e = newc_find(&a, "lib64/ld-linux-x86-64.so.2");
	assert_non_null(e);
	assert_int_equal(e->mode, 0120777);
	assert_int_equal(e->size, strlen(ld));
	assert_memory_equal(e->data, ld, e->size);
	assert_non_null(newc_find(&a, ld + 1));
	e = newc_find(&a, "lib/x86_64-linux-gnu/libc.so.6");
	assert_non_null(e);

	/* A hit: same path, nothing built. */
	assert_int_equal(ktstr_initramfs__base(files, 2, KTSTR_COMPRESS_LZ4, tp("cache"), again,
					       sizeof(again), &built, err, sizeof(err)),
			 0);
	assert_int_equal(built, 0);
	assert_string_equal(again, path);

	/* zstd: another key and suffix, the very same cpio inside. */
	assert_int_equal(ktstr_initramfs__base(files, 2, KTSTR_COMPRESS_ZSTD, tp("cache"), zpath,
					       sizeof(zpath), &built, err, sizeof(err)),
			 0);
	assert_int_equal(built, 1);
	assert_true(has_base_name(zpath, tp("cache"), "zst"));
	assert_memory_not_equal(zpath + strlen(tp("cache")) + 6, path + strlen(tp("cache")) + 6,
				16);
	read_archive(zpath, KTSTR_COMPRESS_ZSTD, &zraw, &zlen, &za);
	assert_int_equal(zlen, len);
	assert_memory_equal(zraw, raw, len);
	newc_free(&za);
	free(zraw);
	newc_free(&a);
	free(raw);
	assert_int_equal(count_files(tp("cache"), "base-"), 2);
}

/* A cache file that does not start with the magic is not a hit: it is rebuilt. */
static void test_bad_cache_file_rebuilt(void **state)
{
	struct ktstr_initramfs_file f = { NULL, "greeting", 0100644, false };
	char path[PATH_MAX];
	uint8_t *raw;
	size_t len;
	struct newc a;
	int built;

	char host[PATH_MAX];

	put("g2", "hi");
	snprintf(host, sizeof(host), "%s", tp("g2"));
	f.host_path = host;
	assert_int_equal(ktstr_initramfs__base(&f, 1, KTSTR_COMPRESS_LZ4, tp("c2"), path,
					       sizeof(path), &built, err, sizeof(err)),
			 0);
	assert_int_equal(ktstr_fs__write_atomic(path, "junk", 4, 0644), 0);
	assert_int_equal(ktstr_initramfs__base(&f, 1, KTSTR_COMPRESS_LZ4, tp("c2"), path,
					       sizeof(path), &built, err, sizeof(err)),
			 0);
	assert_int_equal(built, 1);
	read_archive(path, KTSTR_COMPRESS_LZ4, &raw, &len, &a);
	assert_int_equal(a.n, 2);
	newc_free(&a);
	free(raw);
}

static void base_path(const struct ktstr_initramfs_file *f, size_t n, char *out, int want_built)
{
	int built = -1;

	assert_int_equal(ktstr_initramfs__base(f, n, KTSTR_COMPRESS_LZ4, tp("keys"), out,
					       PATH_MAX, &built, err, sizeof(err)),
			 0);
	assert_int_equal(built, want_built);
}

static void test_key_changes(void **state)
{
	struct ktstr_initramfs_file f = { NULL, "data", 0100644, false };
	char p1[PATH_MAX], p2[PATH_MAX], p3[PATH_MAX], p4[PATH_MAX], p5[PATH_MAX];

	char host[PATH_MAX];

	put("kf", "one");
	snprintf(host, sizeof(host), "%s", tp("kf"));
	f.host_path = host;
	base_path(&f, 1, p1, 1);
	put("kf", "two"); /* same length, other content */
	base_path(&f, 1, p2, 1);
	assert_string_not_equal(p1, p2);
	f.mode = 0100755;
	base_path(&f, 1, p3, 1);
	assert_string_not_equal(p2, p3);
	f.archive_path = "data2";
	base_path(&f, 1, p4, 1);
	assert_string_not_equal(p3, p4);
	/* Back to the first content, path and mode: the first file is a hit again. */
	put("kf", "one");
	f.archive_path = "data";
	f.mode = 0100644;
	base_path(&f, 1, p5, 0);
	assert_string_equal(p5, p1);
	assert_int_equal(count_files(tp("keys"), "base-"), 4);
}

/* Four processes build the same base at once: all succeed, one file, one builder. */
static void test_concurrent_builders(void **state)
{
	struct ktstr_initramfs_file f = { "/bin/bash", "init", 0100755, true };
	int gate[2], nbuilt = 0;
	pid_t kids[4];
	char path[PATH_MAX];
	uint8_t *raw;
	size_t len;
	struct newc a;

	assert_int_equal(pipe(gate), 0);
	for (int i = 0; i < 4; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			char out[PATH_MAX], e[512], c;
			int built = -1, rc;

			close(gate[1]);
			/* Wait until every child exists, so they really race. */
			(void)!read(gate[0], &c, 1);
			rc = ktstr_initramfs__base(&f, 1, KTSTR_COMPRESS_LZ4, tp("race"), out,
						   sizeof(out), &built, e, sizeof(e));
			_exit(rc != 0 ? 2 : built);
		}
	}
	close(gate[0]);
	close(gate[1]);
	for (int i = 0; i < 4; i++) {
		int st;

		assert_int_equal(waitpid(kids[i], &st, 0), kids[i]);
		assert_true(WIFEXITED(st));
		assert_true(WEXITSTATUS(st) <= 1);
		nbuilt += WEXITSTATUS(st);
	}
	assert_int_equal(nbuilt, 1);
	/* One file, and no temp file ("base-...tmp-...") left behind. */
	assert_int_equal(count_files(tp("race"), "base-"), 1);
	assert_int_equal(count_files(tp("race"), ".lock"), 1);
	base_path(&f, 1, path, 1); /* other cache dir ("keys"): sanity of the file itself */
	read_archive(path, KTSTR_COMPRESS_LZ4, &raw, &len, &a);
	check_base_shape(&a);
	newc_free(&a);
	free(raw);
}

static void test_suffix(void **state)
{
	struct ktstr_initramfs_blob blobs[] = {
		{ "args", "run\n--fast\n", 11, 0644 },
		{ "sched/enable", "echo 1 > /sys/x\n", 16, 0100600 },
		{ "empty", NULL, 0, 0644 },
	};
	for (int comp = KTSTR_COMPRESS_LZ4; comp <= KTSTR_COMPRESS_ZSTD; comp++) {
		void *z, *raw;
		size_t zlen, len;
		struct newc a;

		assert_int_equal(ktstr_initramfs__suffix(blobs, 3, (enum ktstr_compress)comp, &z,
							 &zlen),
				 0);
		assert_int_equal(ktstr_compress__decode((enum ktstr_compress)comp, z, zlen,
							SIZE_MAX, &raw, &len),
				 0);
		assert_int_equal(len % 512, 0);
		assert_int_equal(newc_parse(raw, len, &a), 0);
		assert_true(a.trailer);
		assert_true(newc_zero((uint8_t *)raw + a.end, len - a.end));
		assert_int_equal(a.n, 5);
		assert_string_equal(a.v[0].name, "sched");
		assert_int_equal(a.v[0].mode, 040755);
		assert_string_equal(a.v[1].name, "args");
		assert_int_equal(a.v[1].mode, 0100644);
		assert_memory_equal(a.v[1].data, "run\n--fast\n", 11);
		assert_string_equal(a.v[2].name, "sched/enable");
		assert_int_equal(a.v[2].mode, 0100600);
		assert_string_equal(a.v[3].name, "empty");
		assert_int_equal(a.v[3].size, 0);
		assert_string_equal(a.v[4].name, "TRAILER!!!");
		newc_free(&a);
		free(raw);
		free(z);
	}
}

static void test_suffix_errors(void **state)
{
	struct ktstr_initramfs_blob bad[] = {
		{ "/abs", "x", 1, 0644 },
		{ "a/../b", "x", 1, 0644 },
		{ ".ktstr_init_ok", "", 0, 0644 },
		{ "nodata", NULL, 3, 0644 },
		{ "dir", NULL, 0, 040755 },
	};
	struct ktstr_initramfs_blob dup[] = { { "a", "x", 1, 0644 }, { "a", "y", 1, 0644 } };
	struct ktstr_initramfs_blob clash[] = { { "a", "x", 1, 0644 }, { "a/b", "y", 1, 0644 } };
	void *z = NULL;
	size_t zlen;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ktstr_initramfs__suffix(&bad[i], 1, KTSTR_COMPRESS_LZ4, &z, &zlen),
				 -EINVAL);
	}
	assert_int_equal(ktstr_initramfs__suffix(dup, 2, KTSTR_COMPRESS_LZ4, &z, &zlen), -EINVAL);
	assert_int_equal(ktstr_initramfs__suffix(clash, 2, KTSTR_COMPRESS_LZ4, &z, &zlen),
			 -EINVAL);
	assert_int_equal(ktstr_initramfs__suffix(dup, 1, (enum ktstr_compress)0, &z, &zlen),
			 -EINVAL);
	assert_null(z);
}

/* The VM's initrd: base then suffix; one decoder pass sees one archive; so does GNU cpio. */
static void test_assemble_roundtrip(void **state)
{
	struct ktstr_initramfs_file f = { "/bin/bash", "init", 0100755, true };
	struct ktstr_initramfs_blob b = { "args", "x\n", 2, 0644 };
	char base[PATH_MAX], cmd[1024], *dst, *basebuf, *cli, line[4096];
	size_t dlen, blen, rawlen, clilen, k = 0;
	void *suffix;
	size_t slen;
	uint8_t *raw;
	struct newc a;
	FILE *p;
	int built;

	assert_int_equal(ktstr_initramfs__base(&f, 1, KTSTR_COMPRESS_LZ4, tp("asm"), base,
					       sizeof(base), &built, err, sizeof(err)),
			 0);
	assert_int_equal(ktstr_initramfs__suffix(&b, 1, KTSTR_COMPRESS_LZ4, &suffix, &slen), 0);
	assert_int_equal(ktstr_initramfs__assemble(base, suffix, slen, tp("initrd")), 0);
	assert_int_equal(ktstr_fs__read_file(tp("initrd"), &dst, &dlen), 0);
	assert_int_equal(ktstr_fs__read_file(base, &basebuf, &blen), 0);
	assert_int_equal(dlen, blen + slen);
	assert_memory_equal(dst, basebuf, blen);
	assert_memory_equal(dst + blen, suffix, slen);

	assert_int_equal(ktstr_compress__decode(KTSTR_COMPRESS_LZ4, dst, dlen, SIZE_MAX,
						(void **)&raw, &rawlen),
			 0);
	assert_int_equal(newc_parse(raw, rawlen, &a), 0);
	assert_true(a.trailer);
	assert_non_null(newc_find(&a, ".ktstr_init_ok"));
	assert_string_equal(a.v[a.n - 2].name, "args");
	assert_int_equal(ktstr_fs__write_atomic(tp("initrd.cpio"), raw, rawlen, 0644), 0);

	/* GNU cpio lists exactly our entries, in order. */
	snprintf(cmd, sizeof(cmd), "cpio -it --quiet < %s", tp("initrd.cpio"));
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		assert_true(k < a.n);
		assert_string_equal(line, a.v[k].name);
		k++;
	}
	assert_int_equal(pclose(p), 0);
	assert_int_equal(k, a.n - 1); /* all but the trailer */

	/* The lz4 CLI reads the two concatenated legacy streams the same way. */
	if (system("lz4 --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "SKIP (loudly): lz4 CLI not installed; its interop check did not "
			"run\n");
	} else {
		snprintf(cmd, sizeof(cmd), "lz4 -q -d -c %s > %s", tp("initrd"), tp("cli.cpio"));
		assert_int_equal(system(cmd), 0);
		assert_int_equal(ktstr_fs__read_file(tp("cli.cpio"), &cli, &clilen), 0);
		assert_int_equal(clilen, rawlen);
		assert_memory_equal(cli, raw, rawlen);
		free(cli);
	}

	/* A missing base: an error, and no half-written initrd left. */
	assert_int_not_equal(ktstr_initramfs__assemble(tp("nope"), suffix, slen, tp("initrd2")),
			     0);
	assert_int_not_equal(access(tp("initrd2"), F_OK), 0);
	newc_free(&a);
	free(raw);
	free(dst);
	free(basebuf);
	free(suffix);
}

static void expect_base_error(const struct ktstr_initramfs_file *f, size_t n, int want,
			      const char *msg)
{
	char out[PATH_MAX];

	err[0] = '\0';
	assert_int_equal(ktstr_initramfs__base(f, n, KTSTR_COMPRESS_LZ4, tp("errs"), out,
					       sizeof(out), NULL, err, sizeof(err)),
			 want);
	if (strstr(err, msg) == NULL) {
		fail_msg("error \"%s\" does not mention \"%s\"", err, msg);
	}
	assert_null(strchr(err, '\n'));
}

static void test_base_errors(void **state)
{
	const char *bad_paths[] = { "/init", "a//b", "a/./b", "../x", "x/..", "x/", "",
				    ".ktstr_init_ok" };
	struct ktstr_initramfs_file f = { "/etc/hostname", NULL, 0100644, false };
	struct ktstr_initramfs_file two[2] = {
		{ "/etc/hostname", "x", 0100644, false },
		{ "/etc/passwd", "x", 0100644, false },
	};
	struct ktstr_initramfs_file clash[2] = {
		{ "/bin/bash", "init", 0100755, true },
		{ "/etc/passwd", "lib", 0100644, false },
	};
	char small[8];

	for (size_t i = 0; i < sizeof(bad_paths) / sizeof(bad_paths[0]); i++) {
		f.archive_path = bad_paths[i];
		expect_base_error(&f, 1, -EINVAL, "archive path");
	}
	f.archive_path = "d";
	f.mode = 040755;
	expect_base_error(&f, 1, -EINVAL, "not a regular-file mode");
	f.mode = 0100644;
	f.host_path = "/nonexistent/file";
	expect_base_error(&f, 1, -ENOENT, "/nonexistent/file");
	f.host_path = "/etc/passwd";
	f.elf_closure = true;
	expect_base_error(&f, 1, -ENOEXEC, "/etc/passwd: not an ELF file");
	expect_base_error(two, 2, -EINVAL, "used twice (/etc/hostname and /etc/passwd)");
	expect_base_error(clash, 2, -EINVAL, "\"lib\" (/etc/passwd) is also the parent directory");
	f.elf_closure = false;
	assert_int_equal(ktstr_initramfs__base(&f, 1, KTSTR_COMPRESS_LZ4, tp("errs"), small,
					       sizeof(small), NULL, err, sizeof(err)),
			 -ENAMETOOLONG);
	assert_int_equal(ktstr_initramfs__base(&f, 1, (enum ktstr_compress)3, tp("errs"), small,
					       sizeof(small), NULL, err, sizeof(err)),
			 -EINVAL);
	/* Nothing was built by any of these. */
	assert_int_not_equal(access(tp("errs"), F_OK), 0);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Figures, not assertions: a hit re-reads and re-hashes every file, so measure it. */
static void test_timing_figures(void **state)
{
	const char *bins[] = { "/bin/bash", "/usr/bin/qemu-system-x86_64" };

	for (size_t i = 0; i < 2; i++) {
		struct ktstr_initramfs_file f = { bins[i], "init", 0100755, true };
		char out[PATH_MAX], dir[64];
		struct timespec t0;
		double cold, hit;
		struct stat st;
		int built;

		if (access(bins[i], X_OK) != 0) {
			continue;
		}
		snprintf(dir, sizeof(dir), "timing%zu", i);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(ktstr_initramfs__base(&f, 1, KTSTR_COMPRESS_LZ4, tp(dir), out,
						       sizeof(out), &built, err, sizeof(err)),
				 0);
		cold = ms_since(&t0);
		assert_int_equal(built, 1);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(ktstr_initramfs__base(&f, 1, KTSTR_COMPRESS_LZ4, tp(dir), out,
						       sizeof(out), &built, err, sizeof(err)),
				 0);
		hit = ms_since(&t0);
		assert_int_equal(built, 0);
		assert_int_equal(stat(out, &st), 0);
		printf("figure: base for %s: cold %.1f ms, cached %.1f ms, %lld bytes lz4\n",
		       bins[i], cold, hit, (long long)st.st_size);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_layout_and_hit),
		cmocka_unit_test(test_bad_cache_file_rebuilt),
		cmocka_unit_test(test_key_changes),
		cmocka_unit_test(test_concurrent_builders),
		cmocka_unit_test(test_suffix),
		cmocka_unit_test(test_suffix_errors),
		cmocka_unit_test(test_assemble_roundtrip),
		cmocka_unit_test(test_base_errors),
		cmocka_unit_test(test_timing_figures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
