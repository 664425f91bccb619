/* A bounded pthread pool for resolving several kernels at once. */
#include "kernel_resolve_set.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static bool parse_width(const char *s, size_t *out)
{
	size_t v = 0;
	const char *p = s;

	while (isspace((unsigned char)*p)) {
		p++;
	}
	if (!isdigit((unsigned char)*p)) {
		return false;
	}
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (SIZE_MAX - (size_t)(*p - '0')) / 10) {
			return false;
		}
		v = v * 10 + (size_t)(*p - '0');
	}
	while (isspace((unsigned char)*p)) {
		p++;
	}
	*out = v;
	return *p == '\0' && v > 0;
}

size_t ktstr_kresolve__width(const char *val, size_t dflt)
{
	size_t w;

	if (val != NULL && parse_width(val, &w)) {
		return w;
	}
	if (dflt == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		dflt = cpus > 0 ? (size_t)cpus : 1;
	}
	if (val != NULL && val[0] != '\0') {
		KTSTR_WARN("KTSTR_KERNEL_PARALLELISM=%s is not an integer > 0; using %zu", val,
			   dflt);
	}
	return dflt;
}

struct pool {
	pthread_mutex_t lock;
	size_t next, n;
	ktstr_kresolve_fn fn;
	void *ctx;
	int *rets;
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;
		int ret;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->lock);
		if (i == p->n) {
			return NULL;
		}
		ret = p->fn(p->ctx, i);
		if (p->rets != NULL) {
			p->rets[i] = ret;
		}
	}
}

void ktstr_kresolve__run(size_t n, size_t width, ktstr_kresolve_fn fn, void *ctx, int *rets)
{
	struct pool p = {.next = 0, .n = n, .fn = fn, .ctx = ctx, .rets = rets};
	size_t nthreads = width < n ? width : n, started = 0;
	pthread_t *tids = NULL;

	pthread_mutex_init(&p.lock, NULL);
	if (nthreads > 1) {
		tids = calloc(nthreads, sizeof(*tids));
	}
	/* A thread that cannot start leaves its share to the others (or to this one). */
	for (; tids != NULL && started < nthreads; started++) {
		if (pthread_create(&tids[started], NULL, worker, &p) != 0) {
			break;
		}
	}
	if (started == 0) {
		worker(&p);
	}
	for (size_t i = 0; i < started; i++) {
		pthread_join(tids[i], NULL);
	}
	pthread_mutex_destroy(&p.lock);
	free(tids);
}
