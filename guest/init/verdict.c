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

int ktstr_verdict__fail(struct ktstr_verdict *v, enum ktstr_detail_kind kind, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	v->passed = false;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		struct ktstr_detail *d = realloc(v->details, cap * sizeof(*d));

		if (d == NULL) {
			return -ENOMEM;
		}
		v->details = d;
		v->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return -ENOMEM;
	}
	v->details[v->n].kind = kind;
	v->details[v->n].message = msg;
	v->n++;
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
