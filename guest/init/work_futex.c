/*
 * Futex-coupled work types sharing a MAP_SHARED slot per group (work_group.h):
 * FutexPingPong, FutexFanOut, FanOutCompute, MutexContention.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <math.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "timeutil.h"
#include "work_internal.h"

#define FUTEX_WAIT_NS (100 * KTSTR_NSEC_PER_MSEC) /* upstream waits at most 100 ms */
#define MESSENGER_SPIN 256

/* Shared (not PRIVATE) futex ops: the words live in MAP_SHARED memory across processes. */
static void futex_wait(uint32_t *word, uint32_t val, uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / KTSTR_NSEC_PER_SEC),
			      .tv_nsec = (long)(ns % KTSTR_NSEC_PER_SEC)};

	syscall(SYS_futex, word, FUTEX_WAIT, val, &ts, NULL, 0);
}

static void futex_wake(uint32_t *word, int n)
{
	syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}

static struct ktstr_work_slot *my_slot(const struct ktstr_work_ctx *ctx, unsigned *pos)
{
	const struct ktstr_work_group *g = ctx->group;

	if (g == NULL || g->slots == NULL) {
		return NULL;
	}
	*pos = ctx->index % g->size;
	return &g->slots[ctx->index / g->size];
}

void ktstr_work_futex_ping_pong__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	unsigned pos;
	struct ktstr_work_slot *s = my_slot(ctx, &pos);
	uint32_t mine, theirs;

	if (s == NULL) {
		return;
	}
	mine = pos + 1;
	theirs = 2 - pos;
	do {
		uint64_t t0;

		ktstr_work__spin(ctx, p->spin_iters);
		__atomic_store_n(&s->turn, theirs, __ATOMIC_SEQ_CST);
		futex_wake(&s->turn, 1);
		t0 = ktstr_now_ns();
		/* One bounded wait: a partner that stopped must not hold this one. */
		if (__atomic_load_n(&s->turn, __ATOMIC_SEQ_CST) != mine) {
			futex_wait(&s->turn, theirs, FUTEX_WAIT_NS);
		}
		if (__atomic_load_n(&s->turn, __ATOMIC_SEQ_CST) == mine) {
			ktstr_work__unblock(ctx, t0);
		} else {
			ktstr_work__resume(ctx);
		}
	} while (!ktstr_work__checkpoint(ctx));
}

/* Receivers: wait (bounded) for the generation to move past @p seen. */
static bool wait_gen(struct ktstr_work_slot *s, uint32_t seen)
{
	if (__atomic_load_n(&s->gen, __ATOMIC_ACQUIRE) == seen) {
		futex_wait(&s->gen, seen, FUTEX_WAIT_NS);
	}
	return __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE) != seen;
}

void ktstr_work_futex_fan_out__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	unsigned pos;
	struct ktstr_work_slot *s = my_slot(ctx, &pos);

	if (s == NULL) {
		return;
	}
	do {
		ktstr_work__spin(ctx, p->spin_iters);
		if (pos == 0) {
			__atomic_add_fetch(&s->gen, 1, __ATOMIC_RELEASE);
			futex_wake(&s->gen, (int)p->fan_out);
			ktstr_work__spin(ctx, MESSENGER_SPIN);
		} else {
			uint32_t seen = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
			uint64_t t0 = ktstr_now_ns();

			if (wait_gen(s, seen)) {
				ktstr_work__unblock(ctx, t0);
			} else {
				ktstr_work__resume(ctx);
			}
		}
	} while (!ktstr_work__checkpoint(ctx));
}

/* Naive n x n u64 matrix multiply c = a * b, @p ops times. */
static void matmul(struct ktstr_work_ctx *ctx, uint64_t *m, size_t n, uint32_t ops)
{
	uint64_t *a = m, *b = m + n * n, *c = m + 2 * n * n;

	for (uint32_t o = 0; o < ops; o++) {
		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < n; j++) {
				uint64_t sum = 0;

				for (size_t k = 0; k < n; k++) {
					sum += a[i * n + k] * b[k * n + j];
				}
				c[i * n + j] = sum;
			}
		}
		ctx->rep->work_units += n * n * n;
	}
}

void ktstr_work_fan_out_compute__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	/* Three n x n u64 matrices fill cache_footprint_kb: n = sqrt(kb * 1024 / 24). */
	size_t n = (size_t)sqrt((double)p->cache_footprint_kb * 1024.0 / 24.0);
	unsigned pos;
	struct ktstr_work_slot *s = my_slot(ctx, &pos);
	uint64_t *m;

	n = n ? n : 1;
	if (s == NULL || (m = calloc(3 * n * n, sizeof(*m))) == NULL) {
		return;
	}
	for (size_t i = 0; i < 2 * n * n; i++) {
		m[i] = i * 2654435761u;
	}
	do {
		if (pos == 0) {
			__atomic_store_n(&s->stamp_ns, ktstr_now_ns(), __ATOMIC_RELAXED);
			__atomic_add_fetch(&s->gen, 1, __ATOMIC_RELEASE);
			futex_wake(&s->gen, (int)p->fan_out);
		} else {
			uint32_t seen = __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);

			if (wait_gen(s, seen)) {
				uint64_t now = ktstr_now_ns(),
					 stamp = __atomic_load_n(&s->stamp_ns, __ATOMIC_RELAXED);

				/* wake-to-run: from the messenger's stamp to this worker running */
				ktstr_work__wake(ctx, now > stamp ? now - stamp : 0);
				ctx->last_ns = now;
			}
		}
		ktstr_work__sleep_ns(ctx, (uint64_t)p->sleep_usec * 1000);
		ctx->last_ns = ktstr_now_ns();
		matmul(ctx, m, n, p->operations);
	} while (!ktstr_work__checkpoint(ctx));
	free(m);
}

void ktstr_work_mutex_contention__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	unsigned pos;
	struct ktstr_work_slot *s = my_slot(ctx, &pos);

	if (s == NULL) {
		return;
	}
	do {
		uint32_t zero = 0;
		bool held = true;

		ktstr_work__spin(ctx, p->work_iters);
		if (!__atomic_compare_exchange_n(&s->lock, &zero, 1, false, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED)) {
			uint64_t t0 = ktstr_now_ns();

			do {
				futex_wait(&s->lock, 1, FUTEX_WAIT_NS);
				zero = 0;
				held = __atomic_compare_exchange_n(
				    &s->lock, &zero, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
			} while (!held && !*ctx->stop);
			if (held) {
				ktstr_work__unblock(ctx, t0);
			} else {
				ktstr_work__resume(ctx);
			}
		}
		if (held) {
			ktstr_work__spin(ctx, p->hold_iters);
			__atomic_store_n(&s->lock, 0, __ATOMIC_RELEASE);
			futex_wake(&s->lock, 1);
		}
	} while (!ktstr_work__checkpoint(ctx));
}
