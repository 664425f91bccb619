/* Expands a profile into the test list: kernels x topologies x schedulers x flag sets x scenarios. */
#ifndef KTSTR_CORE_MATRIX_H
#define KTSTR_CORE_MATRIX_H

#include <stddef.h>

#include "profile.h"

struct ktstr_test {
	char *name;        /* "{scenario}/{topology}/{scheduler}/{flagset}[/{kernel_label}]" */
	size_t kernel;     /* index into the kernel list given to expand */
	size_t topo;       /* index into profile->topos */
	size_t sched;      /* index into profile->scheds */
	size_t flagset;    /* index into profile->flagsets, or 0 with none declared */
	size_t scenario;   /* index into profile->scenarios */
	uint32_t est_s;    /* estimated seconds (for budget and progress) */
};

struct ktstr_matrix {
	struct ktstr_test *tests;
	size_t n;
	size_t total_before_filter; /* cross product size before include/exclude/budget */
};

/**
 * @brief Build the cross product in a stable order (kernel, topology,
 *        scheduler, flag set, scenario), apply include/exclude globs and the
 *        time budget. @p kernel_labels has @p nkernels entries; the kernel
 *        dimension is added to names only when nkernels > 1.
 */
int ktstr_matrix__expand(const struct ktstr_profile *p, const char *const *kernel_labels,
			 size_t nkernels, struct ktstr_matrix *out, char *err, size_t errlen);
void ktstr_matrix__release(struct ktstr_matrix *m);

#endif
