/*
 * The vmlinux reader and strip on arbitrary bytes (written to a temp file,
 * as both take paths): every query, then strip, then the queries again on
 * the stripped file, which must open and keep .BTF and the release banner
 * byte for byte. Input capped at 64 KiB.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "vmlinux.h"

#define MAX_INPUT (64u << 10)

struct seen {
	int btf_rc, rel_rc;
	size_t btf_len;
	char rel[80];
	void *btf;
};

static void query(const char *path, struct seen *s)
{
	struct ktstr_vmlinux *v;
	char err[512];
	const void *b;
	uint64_t addr;

	memset(s, 0, sizeof(*s));
	if (ktstr_vmlinux__open(path, &v, err, sizeof(err)) != 0) {
		s->btf_rc = s->rel_rc = 1;
		return;
	}
	ktstr_vmlinux__machine(v);
	ktstr_vmlinux__elf_class(v);
	s->btf_rc = ktstr_vmlinux__btf(v, &b, &s->btf_len);
	if (s->btf_rc == 0) {
		s->btf = malloc(s->btf_len);
		if (s->btf == NULL) {
			abort();
		}
		memcpy(s->btf, b, s->btf_len);
	}
	s->rel_rc = ktstr_vmlinux__release(v, s->rel, sizeof(s->rel));
	if (s->rel_rc == 0 && memchr(s->rel, '\0', sizeof(s->rel)) == NULL) {
		abort();
	}
	ktstr_vmlinux__symbol(v, "_start", &addr);
	ktstr_vmlinux__pvh_entry(v, &addr);
	ktstr_vmlinux__free(v);
}

static char dir[64], in[96], out[96];

static void cleanup(void)
{
	ktstr_fs__rm_rf(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen a, b;
	char err[2048];

	if (size > MAX_INPUT) {
		return 0;
	}
	if (dir[0] == '\0') {
		/* tmpfs where there is one: fsync is free there. */
		snprintf(dir, sizeof(dir), "%s/ktstr-fuzz-vmlinux-XXXXXX",
			 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (mkdtemp(dir) == NULL) {
			abort();
		}
		snprintf(in, sizeof(in), "%s/in", dir);
		snprintf(out, sizeof(out), "%s/out", dir);
		atexit(cleanup);
	}
	unlink(out);
	if (ktstr_fs__write_atomic(in, data, size, 0644) != 0) {
		abort();
	}
	query(in, &a);
	if (ktstr_vmlinux__strip(in, out, err, sizeof(err)) == 0) {
		query(out, &b);
		/* Both passes keep .BTF and .rodata: the stripped file reads the same. */
		if (b.btf_rc != a.btf_rc || b.btf_len != a.btf_len || b.rel_rc != a.rel_rc ||
		    (a.btf_rc == 0 && memcmp(a.btf, b.btf, a.btf_len) != 0) ||
		    (a.rel_rc == 0 && strcmp(a.rel, b.rel) != 0)) {
			fprintf(stderr,
				"stripped file reads differently: btf %d/%d %zu/%zu rel %d/%d\n",
				a.btf_rc, b.btf_rc, a.btf_len, b.btf_len, a.rel_rc, b.rel_rc);
			abort();
		}
		free(b.btf);
	} else if (access(out, F_OK) == 0 || memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	free(a.btf);
	return 0;
}
