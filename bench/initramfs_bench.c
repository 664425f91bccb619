/*
 * Build time of a base initramfs for one binary's closure, cold (empty cache
 * directory) vs cached (a hit still walks the closure and hashes every byte),
 * printed as figures. Usage: initramfs_bench [binary [lz4|zstd [rounds]]]
 */
#define _GNU_SOURCE
#include <stdbool.h> /* initramfs.h uses bool without including it */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "elf_closure.h"
#include "fsutil.h"
#include "initramfs.h"
#include "log.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : "/bin/bash";
	enum ktstr_compress comp = argc > 2 && strcmp(argv[2], "zstd") == 0 ? KTSTR_COMPRESS_ZSTD
									    : KTSTR_COMPRESS_LZ4;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	struct ktstr_initramfs_file f = { bin, "init", 0100755, true };
	double walk[64], cold[64], hit[64];
	char dir[] = "/tmp/ktstr-bench-XXXXXX", out[PATH_MAX], err[1024];
	struct stat st;
	int built;

	if (rounds < 1 || rounds > 64 || mkdtemp(dir) == NULL) {
		fprintf(stderr, "usage: %s [binary [lz4|zstd [rounds 1..64]]]\n", argv[0]);
		return 2;
	}
	ktstr_log_set_level(KTSTR_LOG_WARN);
	for (int r = 0; r < rounds; r++) {
		struct ktstr_elf_closure *c;
		double t0 = now_ms();

		if (ktstr_elf_closure__new(getenv("LD_LIBRARY_PATH"), NULL, &c) != 0 ||
		    ktstr_elf_closure__add(c, bin, err, sizeof(err)) != 0) {
			fprintf(stderr, "closure: %s\n", err);
			return 1;
		}
		walk[r] = now_ms() - t0;
		ktstr_elf_closure__free(c);
		ktstr_fs__rm_rf(dir);
		t0 = now_ms();
		if (ktstr_initramfs__base(&f, 1, comp, dir, out, sizeof(out), &built, err,
					  sizeof(err)) != 0 || built != 1) {
			fprintf(stderr, "cold build: %s\n", err);
			return 1;
		}
		cold[r] = now_ms() - t0;
		t0 = now_ms();
		if (ktstr_initramfs__base(&f, 1, comp, dir, out, sizeof(out), &built, err,
					  sizeof(err)) != 0 || built != 0) {
			fprintf(stderr, "cached call: %s\n", err);
			return 1;
		}
		hit[r] = now_ms() - t0;
	}
	if (stat(out, &st) != 0) {
		perror(out);
		return 1;
	}
	printf("binary         %s\n", bin);
	printf("compression    %s, %lld bytes\n", comp == KTSTR_COMPRESS_LZ4 ? "lz4" : "zstd",
	       (long long)st.st_size);
	printf("closure walk   %8.1f ms (median of %d)\n", median(walk, rounds), rounds);
	printf("cold build     %8.1f ms\n", median(cold, rounds));
	printf("cached call    %8.1f ms\n", median(hit, rounds));
	ktstr_fs__rm_rf(dir);
	return 0;
}
