/* cpio newc writer: exact header bytes, alignment, limits, and GNU cpio reading it back. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cpio.h"
#include "fsutil.h"
#include "newc_read.h"

static void test_exact_header(void **state)
{
	struct ktstr_cpio c;
	const char *want = "070701"
			   "00000001" /* ino */
			   "000081ED" /* mode 0100755 */
			   "00000000" "00000000" /* uid gid */
			   "00000001" /* nlink */
			   "00000000" /* mtime */
			   "00000003" /* filesize */
			   "00000000" "00000000" "00000000" "00000000"
			   "00000005" /* namesize "init" + NUL */
			   "00000000";

	ktstr_cpio__init(&c);
	assert_int_equal(ktstr_cpio__add(&c, "init", 0100755, "abc", 3), 0);
	/* 110 + 5 = 115 -> 1 pad byte; 3 data bytes -> 1 pad byte. */
	assert_int_equal(c.len, 116 + 4);
	assert_memory_equal(c.buf, want, 110);
	assert_memory_equal(c.buf + 110, "init\0\0abc\0", 10);
	ktstr_cpio__release(&c);
	assert_null(c.buf);
	assert_int_equal(c.len, 0);
}

/* Every name length 1..9 against every data length 0..8: all offsets stay 4-aligned. */
static void test_alignment_roundtrip(void **state)
{
	char name[16], data[16];
	struct ktstr_cpio c;
	struct newc a;
	size_t k = 0;

	memset(data, 'x', sizeof(data));
	ktstr_cpio__init(&c);
	for (int nl = 1; nl <= 9; nl++) {
		for (int dl = 0; dl <= 8; dl++) {
			memset(name, 'a' + dl, (size_t)nl);
			name[nl] = '\0';
			assert_int_equal(ktstr_cpio__add(&c, name, 0100644, data, (size_t)dl), 0);
			assert_int_equal(c.len % 4, 0);
		}
	}
	assert_int_equal(ktstr_cpio__add_trailer(&c), 0);
	assert_int_equal(newc_parse(c.buf, c.len, &a), 0);
	assert_true(a.trailer);
	assert_int_equal(a.end, c.len);
	assert_int_equal(a.n, 9 * 9 + 1);
	for (int nl = 1; nl <= 9; nl++) {
		for (int dl = 0; dl <= 8; dl++, k++) {
			const struct newc_ent *e = &a.v[k];

			assert_int_equal(strlen(e->name), nl);
			assert_int_equal(e->size, dl);
			assert_int_equal(e->ino, k + 1);
			assert_int_equal(e->nlink, 1);
			assert_int_equal(e->mtime, 0);
			assert_int_equal(e->uid, 0);
			assert_memory_equal(e->data, data, (size_t)dl);
		}
	}
	assert_string_equal(a.v[k].name, "TRAILER!!!");
	assert_int_equal(a.v[k].ino, 0);
	assert_int_equal(a.v[k].size, 0);
	newc_free(&a);
	ktstr_cpio__release(&c);
}

static void test_types(void **state)
{
	struct ktstr_cpio c;
	struct newc a;

	ktstr_cpio__init(&c);
	assert_int_equal(ktstr_cpio__add_dir(&c, "usr/lib", 0755), 0);
	assert_int_equal(ktstr_cpio__add_symlink(&c, "lib64/ld.so", "/usr/lib/ld.so"), 0);
	assert_int_equal(ktstr_cpio__add(&c, "empty", 0100600, NULL, 0), 0);
	assert_int_equal(newc_parse(c.buf, c.len, &a), 0);
	assert_false(a.trailer);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.v[0].mode, 040755);
	assert_int_equal(a.v[0].size, 0);
	assert_int_equal(a.v[1].mode, 0120777);
	assert_int_equal(a.v[1].size, strlen("/usr/lib/ld.so"));
	assert_memory_equal(a.v[1].data, "/usr/lib/ld.so", a.v[1].size);
	assert_int_equal(a.v[2].mode, 0100600);
	assert_int_equal(a.v[2].size, 0);
	newc_free(&a);
	ktstr_cpio__release(&c);
}

static void test_errors(void **state)
{
	char *longname = malloc(KTSTR_CPIO_NAME_MAX + 1);
	struct ktstr_cpio c;
	size_t len;

	ktstr_cpio__init(&c);
	assert_int_equal(ktstr_cpio__add(&c, "", 0100644, NULL, 0), -EINVAL);
	assert_int_equal(ktstr_cpio__add(&c, "d", 040755, "x", 1), -EINVAL);
	assert_int_equal(ktstr_cpio__add(&c, "f", 0100644, NULL, 1), -EINVAL);
	assert_int_equal(ktstr_cpio__add_symlink(&c, "l", ""), -EINVAL);
	/* Size is checked before the data is touched, so no 4 GiB buffer is needed. */
	assert_int_equal(ktstr_cpio__add(&c, "big", 0100644, "x", (size_t)UINT32_MAX + 1),
			 -EFBIG);
	memset(longname, 'n', KTSTR_CPIO_NAME_MAX);
	longname[KTSTR_CPIO_NAME_MAX] = '\0';
	assert_int_equal(ktstr_cpio__add(&c, longname, 0100644, NULL, 0), -ENAMETOOLONG);
	assert_int_equal(c.len, 0);
	/* 4095 characters + NUL is the largest accepted name. */
	longname[KTSTR_CPIO_NAME_MAX - 1] = '\0';
	assert_int_equal(ktstr_cpio__add(&c, longname, 0100644, NULL, 0), 0);
	/* Failed adds consumed no inode number. */
	assert_int_equal(c.next_ino, 2);
	len = c.len;
	assert_int_equal(ktstr_cpio__pad(&c, 3), -EINVAL);
	assert_int_equal(ktstr_cpio__pad(&c, 0), -EINVAL);
	assert_int_equal(c.len, len);
	free(longname);
	ktstr_cpio__release(&c);
}

static void test_pad(void **state)
{
	struct ktstr_cpio c;

	ktstr_cpio__init(&c);
	assert_int_equal(ktstr_cpio__pad(&c, 512), 0);
	assert_int_equal(c.len, 0);
	assert_int_equal(ktstr_cpio__add_trailer(&c), 0);
	assert_int_equal(c.len, 124); /* 110 + 11 + 3 pad */
	assert_int_equal(ktstr_cpio__pad(&c, 512), 0);
	assert_int_equal(c.len, 512);
	for (size_t i = 124; i < 512; i++) {
		assert_int_equal(c.buf[i], 0);
	}
	assert_int_equal(ktstr_cpio__pad(&c, 512), 0);
	assert_int_equal(c.len, 512);
	ktstr_cpio__release(&c);
}

/* GNU cpio lists and extracts what we write: the format is the real one. */
static void test_gnu_cpio_reads_it(void **state)
{
	char dir[] = "/tmp/ktstr-cpio-XXXXXX", path[256], cmd[1024], *txt;
	const char *want = "bin\nbin/tool\nbin/link\nempty\nTRAILER!!!\n";
	struct ktstr_cpio c;
	char target[64];
	size_t len;
	ssize_t n;
	FILE *p;

	if (system("cpio --version >/dev/null 2>&1") != 0) {
		fprintf(stderr, "SKIP: cpio(1) is not installed\n");
		skip();
	}
	assert_non_null(mkdtemp(dir));
	ktstr_cpio__init(&c);
	assert_int_equal(ktstr_cpio__add_dir(&c, "bin", 0755), 0);
	assert_int_equal(ktstr_cpio__add(&c, "bin/tool", 0100755, "#!/bin/sh\n", 10), 0);
	assert_int_equal(ktstr_cpio__add_symlink(&c, "bin/link", "tool"), 0);
	assert_int_equal(ktstr_cpio__add(&c, "empty", 0100644, NULL, 0), 0);
	assert_int_equal(ktstr_cpio__add_trailer(&c), 0);
	assert_int_equal(ktstr_cpio__pad(&c, 512), 0);
	snprintf(path, sizeof(path), "%s/a.cpio", dir);
	assert_int_equal(ktstr_fs__write_atomic(path, c.buf, c.len, 0644), 0);

	snprintf(cmd, sizeof(cmd), "cpio -it --quiet < %s", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	txt = calloc(1, 4096);
	len = fread(txt, 1, 4095, p);
	assert_int_equal(pclose(p), 0);
	/* GNU cpio does not list the trailer. */
	assert_int_equal(len, strlen(want) - strlen("TRAILER!!!\n"));
	assert_memory_equal(txt, want, len);

	snprintf(cmd, sizeof(cmd), "cd %s && mkdir x && cd x && cpio -idm --quiet < ../a.cpio",
		 dir);
	assert_int_equal(system(cmd), 0);
	free(txt);
	snprintf(path, sizeof(path), "%s/x/bin/tool", dir);
	assert_int_equal(ktstr_fs__read_file(path, &txt, &len), 0);
	assert_string_equal(txt, "#!/bin/sh\n");
	free(txt);
	snprintf(path, sizeof(path), "%s/x/bin/link", dir);
	n = readlink(path, target, sizeof(target) - 1);
	assert_int_equal(n, 4);
	target[n] = '\0';
	assert_string_equal(target, "tool");
	ktstr_cpio__release(&c);
	assert_int_equal(ktstr_fs__rm_rf(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_header),
		cmocka_unit_test(test_alignment_roundtrip),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_pad),
		cmocka_unit_test(test_gnu_cpio_reads_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
