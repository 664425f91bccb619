#define _GNU_SOURCE
#include "verdict.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ktstr_verdict__init(struct ktstr_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->passed = true;
}

static int reserve(struct ktstr_verdict *v, size_t more)
{
	size_t cap = v->cap ? v->cap : 4;
	struct ktstr_detail *d;

	while (cap < v->n + more) {
		cap *= 2;
	}
	if (cap == v->cap) {
		return 0;
	}
	d = realloc(v->details, cap * sizeof(*d));
	if (d == NULL) {
		return -ENOMEM;
	}
	v->details = d;
	v->cap = cap;
	return 0;
}

static int add_detail(struct ktstr_verdict *v, enum ktstr_detail_kind kind, const char *fmt,
		      va_list ap)
{
	char *msg;

	if (reserve(v, 1) != 0 || vasprintf(&msg, fmt, ap) < 0) {
		return -ENOMEM;
	}
	v->details[v->n].kind = kind;
	v->details[v->n].message = msg;
	v->n++;
	return 0;
}

int ktstr_verdict__fail(struct ktstr_verdict *v, enum ktstr_detail_kind kind, const char *fmt, ...)
{
	va_list ap;
	int rc;

	v->passed = false;
	va_start(ap, fmt);
	rc = add_detail(v, kind, fmt, ap);
	va_end(ap);
	return rc;
}

int ktstr_verdict__skip(struct ktstr_verdict *v, const char *fmt, ...)
{
	va_list ap;
	int rc;

	v->passed = true;
	v->skipped = true;
	va_start(ap, fmt);
	rc = add_detail(v, KTSTR_DETAIL_SKIP, fmt, ap);
	va_end(ap);
	return rc;
}

int ktstr_verdict__merge(struct ktstr_verdict *dst, struct ktstr_verdict *src)
{
	dst->passed = dst->passed && src->passed;
	dst->skipped = dst->skipped && src->skipped;
	if (src->n == 0) {
		ktstr_verdict__release(src);
		return 0;
	}
	if (reserve(dst, src->n) != 0) {
		return -ENOMEM;
	}
	memcpy(&dst->details[dst->n], src->details, src->n * sizeof(*src->details));
	dst->n += src->n;
	free(src->details);
	ktstr_verdict__init(src);
	return 0;
}

const char *ktstr_detail_kind__name(enum ktstr_detail_kind kind)
{
	switch (kind) {
	case KTSTR_DETAIL_STARVED:
		return "Starved";
	case KTSTR_DETAIL_STUCK:
		return "Stuck";
	case KTSTR_DETAIL_UNFAIR:
		return "Unfair";
	case KTSTR_DETAIL_TOPOLOGY:
		return "Topology";
	case KTSTR_DETAIL_SCHEDULER_DIED:
		return "SchedulerDied";
	case KTSTR_DETAIL_ISOLATION:
		return "Isolation";
	case KTSTR_DETAIL_BENCHMARK:
		return "Benchmark";
	case KTSTR_DETAIL_MIGRATION:
		return "Migration";
	case KTSTR_DETAIL_SCHEDULER_ERROR:
		return "SchedulerError";
	case KTSTR_DETAIL_NOT_ATTACHED:
		return "NotAttached";
	case KTSTR_DETAIL_SKIP:
		return "Skip";
	case KTSTR_DETAIL_OTHER:
		break;
	}
	return "Other";
}

void ktstr_verdict__release(struct ktstr_verdict *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->details[i].message);
	}
	free(v->details);
	ktstr_verdict__init(v);
}
