/* CPU-bound work types: CpuSpin, YieldHeavy, Mixed, the cache types, PageFaultChurn. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "timeutil.h"
#include "work_internal.h"

#define SPIN_UNITS 1024	   /* upstream CpuSpin and Mixed: spin(1024) per iteration */
#define CACHE_TOUCHES 1024 /* strided read-modify-writes per cache iteration */

void ktstr_work_cpu_spin__run(struct ktstr_work_ctx *ctx)
{
	do {
		ktstr_work__spin(ctx, SPIN_UNITS);
	} while (!ktstr_work__checkpoint(ctx));
}

void ktstr_work_yield_heavy__run(struct ktstr_work_ctx *ctx)
{
	do {
		ctx->rep->work_units++;
		sched_yield();
	} while (!ktstr_work__checkpoint(ctx));
}

void ktstr_work_mixed__run(struct ktstr_work_ctx *ctx)
{
	do {
		ktstr_work__spin(ctx, SPIN_UNITS);
		sched_yield();
	} while (!ktstr_work__checkpoint(ctx));
}

/* A worker-private buffer of size_kb, touched page by page so it is resident. */
static unsigned char *cache_buffer(const struct ktstr_work_params *p, size_t *len)
{
	unsigned char *buf;

	*len = (size_t)p->size_kb * 1024;
	buf = malloc(*len);
	for (size_t i = 0; buf != NULL && i < *len; i += 4096) {
		buf[i] = 0;
	}
	return buf;
}

/* CACHE_TOUCHES strided read-modify-writes; @p pos carries over between calls. */
static void cache_touch(struct ktstr_work_ctx *ctx, volatile unsigned char *buf, size_t len,
			size_t stride, size_t *pos)
{
	for (unsigned i = 0; i < CACHE_TOUCHES; i++) {
		buf[*pos] = (unsigned char)(buf[*pos] + 1);
		*pos = (*pos + stride) % len;
	}
	ctx->rep->work_units += CACHE_TOUCHES;
}

static void cache_run(struct ktstr_work_ctx *ctx, bool yield)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	size_t len, pos = 0;
	unsigned char *buf = cache_buffer(p, &len);

	if (buf == NULL) {
		return; /* no iterations: the starvation check reports the worker */
	}
	do {
		cache_touch(ctx, buf, len, p->stride, &pos);
		if (yield) {
			uint64_t t0 = ktstr_now_ns();

			sched_yield();
			ktstr_work__unblock(ctx, t0);
		}
	} while (!ktstr_work__checkpoint(ctx));
	free(buf);
}

void ktstr_work_cache_pressure__run(struct ktstr_work_ctx *ctx)
{
	cache_run(ctx, false);
}

void ktstr_work_cache_yield__run(struct ktstr_work_ctx *ctx)
{
	cache_run(ctx, true);
}

void ktstr_work_page_fault_churn__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), len = (size_t)p->region_kb * 1024;
	size_t pages = len / page ? len / page : 1;
	unsigned char *region;

	len = pages * page;
	region = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		return;
	}
	/* Small pages: every touch after MADV_DONTNEED is a fresh fault. */
	madvise(region, len, MADV_NOHUGEPAGE);
	do {
		for (uint32_t i = 0; i < p->touches_per_cycle; i++) {
			region[(ktstr_work__rand(ctx) % pages) * page] = 1;
		}
		ctx->rep->work_units += p->touches_per_cycle;
		madvise(region, len, MADV_DONTNEED);
		ktstr_work__spin(ctx, p->spin_iters);
	} while (!ktstr_work__checkpoint(ctx));
	munmap(region, len);
}
