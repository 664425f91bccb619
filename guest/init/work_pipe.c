/* Pipe-paired work types: PipeIo and CachePipe (group of 2). */
#define _GNU_SOURCE
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "timeutil.h"
#include "work_internal.h"

#define PIPE_WAIT_MS 100 /* upstream polls the partner's byte for 100 ms */

/* Write one byte to the partner, wait for its byte: the wait is the wake sample. */
static void exchange(struct ktstr_work_ctx *ctx, int wfd, int rfd)
{
	struct pollfd pfd = {.fd = rfd, .events = POLLIN};
	uint64_t t0 = ktstr_now_ns();
	char b = 1;

	if (write(wfd, &b, 1) == 1) {
		ctx->rep->work_units++;
	}
	if (poll(&pfd, 1, PIPE_WAIT_MS) == 1 && read(rfd, &b, 1) == 1) {
		ktstr_work__unblock(ctx, t0);
	} else {
		ktstr_work__resume(ctx);
	}
}

/* This worker's write and read ends within its pair. */
static bool pipe_ends(const struct ktstr_work_ctx *ctx, int *wfd, int *rfd)
{
	const struct ktstr_work_group *g = ctx->group;
	unsigned grp, pos;

	if (g == NULL || g->pipes == NULL) {
		return false;
	}
	grp = ctx->index / g->size;
	pos = ctx->index % g->size;
	*wfd = g->pipes[grp][pos][1];
	*rfd = g->pipes[grp][1 - pos][0];
	return true;
}

void ktstr_work_pipe_io__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	int wfd, rfd;

	if (!pipe_ends(ctx, &wfd, &rfd)) {
		return;
	}
	do {
		ktstr_work__spin(ctx, p->burst_iters);
		exchange(ctx, wfd, rfd);
	} while (!ktstr_work__checkpoint(ctx));
}

void ktstr_work_cache_pipe__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	size_t len = (size_t)p->size_kb * 1024, pos = 0;
	volatile unsigned char *buf;
	int wfd, rfd;

	if (!pipe_ends(ctx, &wfd, &rfd)) {
		return;
	}
	buf = calloc(1, len);
	if (buf == NULL) {
		return;
	}
	do {
		/* burst_iters read-modify-writes over the buffer, 64-byte lines. */
		for (uint32_t i = 0; i < p->burst_iters; i++) {
			buf[pos] = (unsigned char)(buf[pos] + 1);
			pos = (pos + 64) % len;
		}
		ctx->rep->work_units += p->burst_iters;
		exchange(ctx, wfd, rfd);
	} while (!ktstr_work__checkpoint(ctx));
	free((void *)buf);
}
