/* Work types that block on their own: IoSync, Bursty, Sequence, ForkExit. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "timeutil.h"
#include "work_internal.h"

#define IO_BLOCKS 16 /* upstream IoSync: 16 x 4 KiB writes, then 100 us of sleep */
#define IO_BLOCK 4096
#define IO_SLEEP_NS (100 * 1000)
#define SPIN_UNITS 1024

struct io_file {
	int fd;
	char path[128];
	unsigned char block[IO_BLOCK];
};

static int io_open(struct io_file *f)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(f->path, sizeof(f->path), "%s/ktstr_io_%d", tmp ? tmp : "/tmp", (int)getpid());
	memset(f->block, 0xa5, sizeof(f->block));
	f->fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	return f->fd;
}

static void io_close(struct io_file *f)
{
	close(f->fd);
	unlink(f->path);
}

/* Truncate, write IO_BLOCKS blocks: one IoSync unit of I/O. */
static void io_round(struct ktstr_work_ctx *ctx, struct io_file *f)
{
	if (ftruncate(f->fd, 0) != 0) {
		return;
	}
	for (int i = 0; i < IO_BLOCKS; i++) {
		if (pwrite(f->fd, f->block, IO_BLOCK, (off_t)i * IO_BLOCK) == IO_BLOCK) {
			ctx->rep->work_units++;
		}
	}
}

static void sleep_sample(struct ktstr_work_ctx *ctx, uint64_t ns)
{
	uint64_t t0 = ktstr_now_ns();

	ktstr_work__sleep_ns(ctx, ns);
	ktstr_work__unblock(ctx, t0);
}

void ktstr_work_io_sync__run(struct ktstr_work_ctx *ctx)
{
	struct io_file f;

	if (io_open(&f) < 0) {
		return;
	}
	do {
		io_round(ctx, &f);
		sleep_sample(ctx, IO_SLEEP_NS);
	} while (!ktstr_work__checkpoint(ctx));
	io_close(&f);
}

/* Spin in SPIN_UNITS chunks for @p ms, or until a stop. */
static void spin_for(struct ktstr_work_ctx *ctx, uint64_t ms)
{
	uint64_t end = ktstr_now_ns() + ms * KTSTR_NSEC_PER_MSEC;

	do {
		ktstr_work__spin(ctx, SPIN_UNITS);
		ktstr_work__tick(ctx);
	} while (!*ctx->stop && ctx->last_ns < end);
}

void ktstr_work_bursty__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);

	do {
		spin_for(ctx, p->burst_ms);
		sleep_sample(ctx, (uint64_t)p->sleep_ms * KTSTR_NSEC_PER_MSEC);
	} while (!ktstr_work__checkpoint(ctx));
}

static void run_phase(struct ktstr_work_ctx *ctx, const struct ktstr_work_phase *ph,
		      struct io_file *io)
{
	uint64_t end = ktstr_now_ns() + ph->ms * KTSTR_NSEC_PER_MSEC;

	switch (ph->kind) {
	case KTSTR_PHASE_SPIN:
		spin_for(ctx, ph->ms);
		break;
	case KTSTR_PHASE_SLEEP:
		sleep_sample(ctx, ph->ms * KTSTR_NSEC_PER_MSEC);
		break;
	case KTSTR_PHASE_YIELD:
		do {
			uint64_t t0 = ktstr_now_ns();

			sched_yield();
			ctx->rep->work_units++;
			ktstr_work__unblock(ctx, t0);
		} while (!*ctx->stop && ktstr_now_ns() < end);
		break;
	case KTSTR_PHASE_IO:
		do {
			uint64_t t0 = ktstr_now_ns();

			io_round(ctx, io);
			ktstr_work__unblock(ctx, t0);
		} while (!*ctx->stop && ktstr_now_ns() < end);
		break;
	}
}

/* One iteration per phase, so a stop is seen between phases. */
void ktstr_work_sequence__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	struct io_file io;
	size_t i = 0;

	if (io_open(&io) < 0) {
		return;
	}
	do {
		run_phase(ctx, &p->phases[i], &io);
		i = (i + 1) % p->nphases;
	} while (!ktstr_work__checkpoint(ctx));
	io_close(&io);
}

void ktstr_work_fork_exit__run(struct ktstr_work_ctx *ctx)
{
	do {
		uint64_t t0 = ktstr_now_ns();
		pid_t pid = fork();

		if (pid == 0) {
			_exit(0);
		}
		if (pid > 0) {
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
			}
			ctx->rep->work_units++;
			ktstr_work__unblock(ctx, t0);
		}
	} while (!ktstr_work__checkpoint(ctx));
}
