/* Stats and checks of one collected worker set (a handle): ktstr_checks__worker_set(). */
#include "checks.h"

#include <errno.h>
#include <stdlib.h>

int ktstr_checks__worker_set(const struct ktstr_check_limits *lim, const char *name,
			     const struct ktstr_worker_set *ws, const struct ktstr_cpumask *cpuset,
			     struct ktstr_cgroup_stats *st, struct ktstr_verdict *v)
{
	struct ktstr_worker_report *reps = malloc((ws->n ? ws->n : 1) * sizeof(*reps));
	uint64_t *wake = NULL;
	size_t n = 0, nwake = 0;
	int err = 0, rc;

	if (reps == NULL) {
		ktstr_verdict__fail(v, KTSTR_DETAIL_OTHER, "%s: out of memory checking workers",
				    name);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ws->n; i++) {
		const struct ktstr_worker *w = &ws->w[i];
		char why[160];

		if (w->reported) {
			if (!(w->rep.flags & KTSTR_REPORT_F_PAYLOAD)) {
				reps[n++] = w->rep;
			}
			continue;
		}
		ktstr_worker__describe(w, why, sizeof(why));
		rc = ktstr_verdict__fail(v, KTSTR_DETAIL_STARVED, "%s: tid %d sent no report: %s",
					 name, (int)w->pid, why);
		err = err ? err : rc;
	}
	rc = ktstr_worker_set__wake_pool(ws, &wake, &nwake);
	rc = rc ? rc : ktstr_stats__cgroup(reps, n, wake, nwake, st);
	if (rc) {
		ktstr_verdict__fail(v, KTSTR_DETAIL_OTHER, "%s: out of memory for statistics",
				    name);
		err = err ? err : rc;
	} else {
		rc = ktstr_checks__group(lim, name, reps, n, st, cpuset, v);
		err = err ? err : rc;
	}
	free(wake);
	free(reps);
	return err;
}
