/* The kernel-source chain: resolution in order, remote caches, the CPU budget. */
#include "kchain.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct ktstr_kchain {
	struct ktstr_inst **sources;
	size_t n;
	struct ktstr_inst *planner;
	uint32_t cpu_cap;
	pthread_mutex_t budget_lock; /* sources may ask from several threads */
	int budget;                  /* 0: not asked yet */
	void *budget_lease;
};

int ktstr_kchain__new(struct ktstr_inst *const *sources, size_t n, struct ktstr_inst *planner,
		      uint32_t cpu_cap, struct ktstr_kchain **out)
{
	struct ktstr_kchain *c = calloc(1, sizeof(*c));

	if (c == NULL || (c->sources = calloc(n ? n : 1, sizeof(*c->sources))) == NULL) {
		free(c);
		return -ENOMEM;
	}
	memcpy(c->sources, sources, n * sizeof(*sources));
	c->n = n;
	c->planner = planner;
	c->cpu_cap = cpu_cap;
	pthread_mutex_init(&c->budget_lock, NULL);
	for (size_t i = 0; i < n; i++) {
		ktstr_inst__set_chain(c->sources[i], c);
	}
	*out = c;
	return 0;
}

void ktstr_kchain__free(struct ktstr_kchain *c)
{
	if (c == NULL) {
		return;
	}
	if (c->budget_lease != NULL) {
		ktstr_inst__plan_release(c->planner, c->budget_lease);
	}
	for (size_t i = 0; i < c->n; i++) {
		ktstr_inst__set_chain(c->sources[i], NULL);
	}
	pthread_mutex_destroy(&c->budget_lock);
	free(c->sources);
	free(c);
}

size_t ktstr_kchain__count(const struct ktstr_kchain *c)
{
	return c->n;
}

struct ktstr_inst *ktstr_kchain__source(const struct ktstr_kchain *c, size_t i)
{
	return i < c->n ? c->sources[i] : NULL;
}

/* Append "; name: why" to @err (bounded). */
static void note(char *err, size_t errlen, size_t *used, const char *name, const char *why)
{
	int n = snprintf(err + *used, errlen - *used, "%s%s: %s", *used ? "; " : "", name, why);

	if (n > 0 && (size_t)n < errlen - *used) {
		*used += (size_t)n;
	}
}

int ktstr_kchain__resolve(struct ktstr_kchain *c, const char *id, struct ktstr_kernel *k,
			  const char **src_out, char *err, size_t errlen)
{
	size_t used = 0;

	err[0] = '\0';
	for (size_t i = 0; i < c->n; i++) {
		struct ktstr_inst *s = c->sources[i];
		int ret = ktstr_inst__kernel_resolve(s, id, k);
		const char *why = ktstr_inst__last_error(s);

		if (ret == 0 && ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE) != NULL) {
			*src_out = ktstr_inst__name(s);
			return 0;
		}
		if (ret == 0) {
			note(err, errlen, &used, ktstr_inst__name(s),
			     "answered without an image (plugin bug)");
			return -EPROTO;
		}
		if (ret != -ENOENT || why[0] != '\0') {
			note(err, errlen, &used, ktstr_inst__name(s),
			     why[0] != '\0' ? why : strerror(-ret));
		}
		if (ret != -ENOENT) {
			return ret;
		}
	}
	return -ENOENT;
}

int ktstr_kchain__remote_fetch(struct ktstr_kchain *c, struct ktstr_inst *skip, const char *key,
			       const char *dir, const char **from_out)
{
	for (size_t i = 0; c != NULL && i < c->n; i++) {
		struct ktstr_inst *s = c->sources[i];
		int ret;

		if (s == skip) {
			continue;
		}
		ret = ktstr_inst__remote_fetch(s, key, dir);
		if (ret == 0) {
			*from_out = ktstr_inst__name(s);
			return 0;
		}
		if (ret != -ENOENT && ret != -ENOTSUP) {
			const char *why = ktstr_inst__last_error(s);

			KTSTR_WARN("%s: remote cache read warning: %s", ktstr_inst__name(s),
				   why[0] != '\0' ? why : strerror(-ret));
		}
	}
	return -ENOENT;
}

void ktstr_kchain__remote_store(struct ktstr_kchain *c, struct ktstr_inst *skip, const char *key,
				const char *dir)
{
	for (size_t i = 0; c != NULL && i < c->n; i++) {
		struct ktstr_inst *s = c->sources[i];
		int ret;

		if (s == skip) {
			continue;
		}
		ret = ktstr_inst__remote_store(s, key, dir);
		if (ret == 0) {
			KTSTR_INFO("%s: stored to remote cache: %s", ktstr_inst__name(s), key);
		} else if (ret == -EEXIST) {
			KTSTR_DBG("%s: the remote cache already has %s", ktstr_inst__name(s), key);
		} else if (ret != -ENOTSUP && ret != -ENOENT) {
			const char *why = ktstr_inst__last_error(s);

			KTSTR_WARN("%s: remote cache write warning: %s", ktstr_inst__name(s),
				   why[0] != '\0' ? why : strerror(-ret));
		}
	}
}

/* Ask the planner once; 0 and the grant, or -errno with its message. Caller holds budget_lock. */
static int reserve_locked(struct ktstr_kchain *c, char *err, size_t errlen)
{
	struct ktstr_plan plan;
	int ret;

	if (c->budget != 0) {
		return 0;
	}
	ret = ktstr_inst__plan_budget(c->planner, c->cpu_cap, &plan, &c->budget_lease);
	if (ret == 0 && plan.vcpus > 0) {
		c->budget = (int)plan.vcpus;
		return 0;
	}
	const char *why = ktstr_inst__last_error(c->planner);

	snprintf(err, errlen, "planner %s grants no CPU budget: %s", ktstr_inst__name(c->planner),
		 ret == 0 ? "0 CPUs" : why[0] != '\0' ? why : strerror(-ret));
	return ret == 0 ? -EINVAL : ret;
}

int ktstr_kchain__reserve_budget(struct ktstr_kchain *c, char *err, size_t errlen)
{
	int ret;

	if (c == NULL || c->planner == NULL) {
		return 1;
	}
	pthread_mutex_lock(&c->budget_lock);
	ret = reserve_locked(c, err, errlen);
	if (ret == 0) {
		ret = c->budget;
	}
	pthread_mutex_unlock(&c->budget_lock);
	return ret;
}

int ktstr_kchain__cpu_budget(struct ktstr_kchain *c)
{
	char err[512];
	int ret = ktstr_kchain__reserve_budget(c, err, sizeof(err));

	if (ret < 0) {
		KTSTR_WARN("%s; using 1 CPU", err);
		pthread_mutex_lock(&c->budget_lock);
		c->budget = 1; /* warn once */
		pthread_mutex_unlock(&c->budget_lock);
		ret = 1;
	}
	return ret;
}
