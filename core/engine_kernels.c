/*
 * Decides which kernels a run uses and resolves each through the chain of
 * kernel sources. Order: --kernel flags, else the profile's kernels, else
 * KTSTR_TEST_KERNEL (an image path), KTSTR_KERNEL, then the newest cached kernel.
 */
#include "engine_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* kernel_<version or id>, with everything but [a-z0-9] turned into '_'. */
static char *make_label(const char *version, const char *id)
{
	const char *src = version != NULL ? version : id;
	size_t n = strlen(src);
	char *label = malloc(n + 8);

	if (label == NULL) {
		return NULL;
	}
	memcpy(label, "kernel_", 7);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)src[i];
		label[7 + i] = isalnum(c) ? (char)tolower(c) : '_';
	}
	label[7 + n] = '\0';
	return label;
}

static int resolve_one(struct ktstr_engine *e, struct ktstr_engine_kernel *ek, char *err,
		       size_t errlen)
{
	size_t used = 0;
	int ret;

	ret = ktstr_kernel__new(&ek->k);
	if (ret != 0) {
		return ret;
	}
	err[0] = '\0';
	for (size_t i = 0; i < e->nsources; i++) {
		ret = ktstr_inst__kernel_resolve(e->sources[i], ek->id, ek->k);
		if (ret == 0 && ktstr_kernel__get(ek->k, KTSTR_KERNEL_IMAGE) != NULL) {
			ek->source = ktstr_inst__name(e->sources[i]);
			ek->label = make_label(ktstr_kernel__get(ek->k, KTSTR_KERNEL_VERSION), ek->id);
			return ek->label != NULL ? 0 : -ENOMEM;
		}
		const char *why = ktstr_inst__last_error(e->sources[i]);
		if (ret != -ENOENT || why[0] != '\0') {
			int n = snprintf(err + used, errlen - used, "%s%s: %s", used ? "; " : "",
					 ktstr_inst__name(e->sources[i]),
					 why[0] != '\0' ? why : strerror(-ret));
			if (n > 0 && (size_t)n < errlen - used) {
				used += (size_t)n;
			}
		}
		if (ret != 0 && ret != -ENOENT) {
			break;
		}
	}
	char detail[1024];
	snprintf(detail, sizeof(detail), "%s", err);
	snprintf(err, errlen, "kernel \"%s\" could not be resolved%s%s%s", ek->id,
		 detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
	if (detail[0] == '\0') {
		size_t n = strlen(err);
		snprintf(err + n, errlen - n,
			 "; run scripts/fetch-kernel to cache a sched_ext kernel, or name one "
			 "with --kernel PATH or KTSTR_KERNEL");
	}
	return -EINVAL;
}

int ktstr_engine__resolve_kernels(struct ktstr_engine *e, char *err, size_t errlen)
{
	const struct ktstr_run_opts *o = e->opts;
	const char *const *ids = o->kernels;
	size_t n = o->nkernels;
	const char *single[1];

	if (n == 0 && e->profile->nkernels > 0) {
		ids = (const char *const *)e->profile->kernels;
		n = e->profile->nkernels;
	}
	if (n == 0) {
		single[0] = env_nonempty("KTSTR_TEST_KERNEL");
		if (single[0] == NULL) {
			single[0] = env_nonempty("KTSTR_KERNEL");
		}
		if (single[0] == NULL) {
			single[0] = "latest";
		}
		ids = single;
		n = 1;
	}
	e->kernels = calloc(n, sizeof(*e->kernels));
	if (e->kernels == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct ktstr_engine_kernel *ek = &e->kernels[i];
		int ret;

		ek->id = strdup(ids[i]);
		e->nkernels++;
		if (ek->id == NULL) {
			return -ENOMEM;
		}
		ret = resolve_one(e, ek, err, errlen);
		if (ret != 0) {
			return ret;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(e->kernels[j].label, ek->label) == 0) {
				snprintf(err, errlen, "kernels \"%s\" and \"%s\" have the same label %s",
					 e->kernels[j].id, ek->id, ek->label);
				return -EINVAL;
			}
		}
		KTSTR_INFO("kernel %s: %s (%s, via %s)", ek->label,
			   ktstr_kernel__get(ek->k, KTSTR_KERNEL_IMAGE),
			   ktstr_kernel__get(ek->k, KTSTR_KERNEL_VERSION) ?: "version unknown",
			   ek->source);
	}
	return 0;
}

void ktstr_engine__free_kernels(struct ktstr_engine *e)
{
	for (size_t i = 0; i < e->nkernels; i++) {
		free(e->kernels[i].id);
		free(e->kernels[i].label);
		ktstr_kernel__free(e->kernels[i].k);
	}
	free(e->kernels);
	e->kernels = NULL;
	e->nkernels = 0;
}
