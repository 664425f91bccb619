/*
 * extract -> read -> strip -> read on the real cached kernel: the first entry
 * under the cache root (KTSTR_CACHE_DIR, $XDG_CACHE_HOME/ktstr/kernels or
 * ~/.cache/ktstr/kernels) whose metadata.json names an image_name that is a
 * bzImage. The entry is only read; the outputs go to a temp dir. Skipped,
 * loudly, when there is none (`ktstr kernel fetch sid` puts one there).
 * Prints the figures (sizes, times, BTF types) for reports.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <jansson.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#ifdef KTSTR_TEST_LIBBPF
#include <bpf/btf.h>
#endif

#include "fsutil.h"
#include "vmlinux.h"

static char root[PATH_MAX], image[PATH_MAX], version[128];
static char dir[64], vmlinux[PATH_MAX], stripped[PATH_MAX];
static char err[2048];
static bool skipped; /* main() then exits 77, so ctest reports the skip */

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static long long file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (long long)st.st_size;
}

static void cache_root(void)
{
	const char *e = getenv("KTSTR_CACHE_DIR");

	if (e != NULL && *e != '\0') {
		snprintf(root, sizeof(root), "%s", e);
	} else if ((e = getenv("XDG_CACHE_HOME")) != NULL && *e != '\0') {
		snprintf(root, sizeof(root), "%s/ktstr/kernels", e);
	} else {
		snprintf(root, sizeof(root), "%s/.cache/ktstr/kernels",
			 getenv("HOME") != NULL ? getenv("HOME") : "");
	}
}

/* An entry whose image is a bzImage; fills image and version. */
static bool find_entry(void)
{
	DIR *d;
	struct dirent *de;
	bool found = false;

	cache_root();
	d = opendir(root);
	if (d == NULL) {
		return false;
	}
	while (!found && (de = readdir(d)) != NULL) {
		char meta[PATH_MAX], hdr[KTSTR_BZIMAGE_HDR_LEN], e2[256];
		struct ktstr_bzimage bz;
		struct stat st;
		const char *name, *ver;
		json_t *j;
		ssize_t n;
		int fd;

		if (de->d_name[0] == '.') {
			continue;
		}
		snprintf(meta, sizeof(meta), "%s/%s/metadata.json", root, de->d_name);
		j = json_load_file(meta, 0, NULL);
		name = json_string_value(json_object_get(j, "image_name"));
		ver = json_string_value(json_object_get(j, "version"));
		if (name != NULL && ver != NULL) {
			snprintf(image, sizeof(image), "%s/%s/%s", root, de->d_name, name);
			snprintf(version, sizeof(version), "%s", ver);
			fd = open(image, O_RDONLY);
			n = fd >= 0 && fstat(fd, &st) == 0 ? read(fd, hdr, sizeof(hdr)) : -1;
			found = n > 0 && ktstr_bzimage__parse(hdr, (size_t)n, (uint64_t)st.st_size,
							      image, &bz, e2, sizeof(e2)) == 0;
			if (fd >= 0) {
				close(fd);
			}
		}
		json_decref(j);
	}
	closedir(d);
	return found;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/ktstr-vmlinux-real-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(vmlinux, sizeof(vmlinux), "%s/vmlinux", dir);
	snprintf(stripped, sizeof(stripped), "%s/vmlinux.stripped", dir);
	return 0;
}

static int teardown(void **state)
{
	return ktstr_fs__rm_rf(dir);
}

static void check_read(const char *path, const char *label, size_t *btf_size, bool want_pvh)
{
	struct ktstr_vmlinux *v;
	const void *b;
	char rel[128];
	uint64_t pvh;

	assert_int_equal(ktstr_vmlinux__open(path, &v, err, sizeof(err)), 0);
	assert_int_equal(ktstr_vmlinux__machine(v), EM_X86_64);
	assert_int_equal(ktstr_vmlinux__elf_class(v), ELFCLASS64);
	assert_int_equal(ktstr_vmlinux__btf(v, &b, btf_size), 0);
	assert_true(*btf_size > (1u << 20));
	assert_int_equal(ktstr_vmlinux__release(v, rel, sizeof(rel)), 0);
	assert_string_equal(rel, version);
	if (want_pvh) {
		assert_int_equal(ktstr_vmlinux__pvh_entry(v, &pvh), 0);
		assert_true(pvh != 0 && pvh < (4ull << 30));
		printf("vmlinux: %s: release %s, .BTF %zu bytes, PVH entry 0x%llx\n", label, rel,
		       *btf_size, (unsigned long long)pvh);
	} else {
		printf("vmlinux: %s: release %s, .BTF %zu bytes\n", label, rel, *btf_size);
	}
	ktstr_vmlinux__free(v);
}

static void test_real_kernel(void **state)
{
	size_t btf_full, btf_stripped;
	double t;

	if (!find_entry()) {
		fprintf(stderr,
			"\n*** SKIP test_vmlinux_real: no cached bzImage kernel under %s "
			"(an entry with metadata.json naming image_name and version). Fetch one "
			"(ktstr kernel fetch sid) to run this test. ***\n\n",
			root);
		skipped = true;
		skip();
	}
	printf("vmlinux: image %s (%lld bytes), metadata version %s\n", image, file_size(image),
	       version);

	t = now_ms();
	if (ktstr_vmlinux__extract(image, vmlinux, err, sizeof(err)) != 0) {
		fail_msg("extract: %s", err);
	}
	printf("vmlinux: extracted %lld bytes in %.0f ms\n", file_size(vmlinux), now_ms() - t);
	check_read(vmlinux, "extracted", &btf_full, true);

	t = now_ms();
	if (ktstr_vmlinux__strip(vmlinux, stripped, err, sizeof(err)) != 0) {
		fail_msg("strip: %s", err);
	}
	printf("vmlinux: stripped to %lld bytes in %.0f ms\n", file_size(stripped), now_ms() - t);
	assert_true(file_size(stripped) < file_size(vmlinux));
	check_read(stripped, "stripped", &btf_stripped, false);
	assert_int_equal(btf_stripped, btf_full);

#ifdef KTSTR_TEST_LIBBPF
	{
		struct btf *btf;
		unsigned n;

		t = now_ms();
		btf = btf__parse(stripped, NULL);
		assert_non_null(btf);
		n = btf__type_cnt(btf);
		printf("vmlinux: libbpf btf__parse(stripped): %u types in %.0f ms\n", n,
		       now_ms() - t);
		assert_true(n > 10000);
		btf__free(btf);
	}
#else
	fprintf(stderr,
		"*** test_vmlinux_real: built without libbpf; btf__parse not checked ***\n");
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_kernel),
	};

	int failed = cmocka_run_group_tests(tests, setup, teardown);

	return failed == 0 && skipped ? 77 : failed;
}
