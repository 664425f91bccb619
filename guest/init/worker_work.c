/*
 * Workers of one Work (ktstr_worker_set__spawn_work): shared resources made
 * before fork, each worker's own affinity, sched policy and mem policy
 * applied after the release, telemetry through its shared area.
 */
#define _GNU_SOURCE
#include "worker.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "timeutil.h"
#include "worker_internal.h"

struct work_job {
	const struct ktstr_worker_launch *l;
	const struct ktstr_work_spec *spec; /* the set's copy */
	struct ktstr_worker_shm *shm;	    /* the next worker's area, set before its fork */
};

static int apply_affinity(const struct ktstr_cpumask *m)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = ktstr_cpumask__next(m, -1); c >= 0 && c < CPU_SETSIZE;
	     c = ktstr_cpumask__next(m, c)) {
		CPU_SET(c, &set);
	}
	return sched_setaffinity(0, sizeof(set), &set);
}

static int apply_policy(const struct ktstr_work_spec *s)
{
	static const int kernel_policy[] = {
	    [KTSTR_POLICY_NORMAL] = SCHED_OTHER, [KTSTR_POLICY_BATCH] = SCHED_BATCH,
	    [KTSTR_POLICY_IDLE] = SCHED_IDLE,	 [KTSTR_POLICY_FIFO] = SCHED_FIFO,
	    [KTSTR_POLICY_RR] = SCHED_RR,
	};
	struct sched_param sp = {.sched_priority = (int)s->priority};

	if (s->policy == KTSTR_POLICY_NORMAL) {
		return 0; /* inherited already */
	}
	return sched_setscheduler(0, kernel_policy[s->policy], &sp);
}

static int apply_mempolicy(const struct ktstr_work_spec *s)
{
	unsigned long mask[KTSTR_MAX_CPUS / (8 * sizeof(unsigned long))];

	if (s->mem_policy == KTSTR_MPOL_DEFAULT) {
		return 0;
	}
	memset(mask, 0, sizeof(mask));
	for (int n = ktstr_cpumask__next(&s->mem_nodes, -1); n >= 0;
	     n = ktstr_cpumask__next(&s->mem_nodes, n)) {
		mask[n / (8 * sizeof(unsigned long))] |= 1ul << (n % (8 * sizeof(unsigned long)));
	}
	/* No libnuma in the static init: the raw syscall, maxnode = bits in the mask. */
	return (int)syscall(SYS_set_mempolicy, (int)s->mem_policy | (int)s->mpol_flags,
			    s->mem_policy == KTSTR_MPOL_LOCAL ? NULL : mask,
			    s->mem_policy == KTSTR_MPOL_LOCAL ? 0 : KTSTR_MAX_CPUS + 1);
}

/* ms to ns; a value too large for ns (an "off" UINT64_MAX limit) becomes 0, which means off. */
static uint64_t ms_to_ns(uint64_t ms)
{
	return ms > UINT64_MAX / KTSTR_NSEC_PER_MSEC ? 0 : ms * KTSTR_NSEC_PER_MSEC;
}

static int work_body(struct ktstr_worker_set *ws, unsigned index, const void *arg,
		     struct ktstr_worker_report *rep)
{
	const struct work_job *job = arg;
	const struct ktstr_worker_launch *l = job->l;
	struct ktstr_worker_shm *shm = job->shm;
	struct ktstr_work_ctx ctx = {
	    .stop = ktstr_worker__stop_flag(),
	    .rep = rep,
	    .spec = job->spec,
	    .group = &ws->grp,
	    .index = index,
	    .wake_ns = shm->wake_ns,
	    .live_iterations = &shm->live_iterations,
	    .gap_limit_ns = ms_to_ns(l->gap_limit_ms),
	    .sched_pid = l->sched_pid,
	    .stdout_buf = shm->stdout_buf,
	};

	if (l->affinity != NULL && apply_affinity(&l->affinity[index]) != 0) {
		return KTSTR_WORKER_EXIT_AFFINITY;
	}
	if (apply_policy(job->spec) != 0) {
		return KTSTR_WORKER_EXIT_POLICY;
	}
	if (apply_mempolicy(job->spec) != 0) {
		return KTSTR_WORKER_EXIT_MEMPOLICY;
	}
	ktstr_work__run_ctx(&ctx, ms_to_ns(l->duration_ms));
	return 0;
}

static int check_nodes(const struct ktstr_worker_launch *l, char *err, size_t errlen)
{
	struct ktstr_cpumask inside;

	if (l->allowed_nodes == NULL) {
		return 0;
	}
	inside = l->spec->mem_nodes;
	ktstr_cpumask__and(&inside, l->allowed_nodes);
	if (!ktstr_cpumask__equal(&inside, &l->spec->mem_nodes)) {
		snprintf(err, errlen,
			 "work %s: mem_policy nodes lie outside the cpuset's NUMA nodes; name "
			 "nodes of the cgroup's CPUs",
			 l->spec->type->name);
		return -EINVAL;
	}
	return 0;
}

int ktstr_worker_set__spawn_work(struct ktstr_worker_set *ws, const struct ktstr_worker_launch *l,
				 char *err, size_t errlen)
{
	struct work_job job = {.l = l, .spec = &ws->spec};
	int rc;

	if (ws->has_work || ws->n != 0 || ws->barrier[1] < 0) {
		snprintf(err, errlen,
			 "worker set: one Work per set, in an empty set, before start");
		return -EINVAL;
	}
	rc = check_nodes(l, err, errlen);
	if (rc) {
		return rc;
	}
	ws->spec = *l->spec;
	rc = ktstr_work_group__init(&ws->grp, &ws->spec, ws->spec.workers);
	if (rc) {
		snprintf(err, errlen, "work %s: shared resources for %u workers: %s",
			 ws->spec.type->name, ws->spec.workers, strerror(-rc));
		return rc;
	}
	ws->has_work = true;
	for (unsigned i = 0; i < ws->spec.workers; i++) {
		struct ktstr_worker_shm *shm;
		struct ktstr_worker *w;

		/* Untouched pages of the reservoir cost nothing: NORESERVE. */
		shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (shm == MAP_FAILED) {
			rc = -errno;
			goto err_spawn;
		}
		job.shm = shm; /* the child's copy of the job is taken at fork */
		rc = ktstr_worker_set__fork(ws, work_body, &job, l->group, i, &w);
		if (rc) {
			munmap(shm, sizeof(*shm));
			goto err_spawn;
		}
		w->shm = shm;
	}
	return 0;

err_spawn:
	snprintf(err, errlen, "work %s: spawning worker %zu of %u: %s", ws->spec.type->name, ws->n,
		 ws->spec.workers, strerror(-rc));
	return rc;
}

uint64_t ktstr_worker_set__iterations(const struct ktstr_worker_set *ws)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < ws->n; i++) {
		if (ws->w[i].shm != NULL) {
			sum += __atomic_load_n(&ws->w[i].shm->live_iterations, __ATOMIC_RELAXED);
		}
	}
	return sum;
}

int ktstr_worker_set__wake_pool(const struct ktstr_worker_set *ws, uint64_t **out, size_t *n)
{
	size_t total = 0, at = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < ws->n; i++) {
		if (ws->w[i].reported && ws->w[i].shm != NULL) {
			total += ws->w[i].rep.nwake;
		}
	}
	if (total == 0) {
		return 0;
	}
	*out = malloc(total * sizeof(**out));
	if (*out == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < ws->n; i++) {
		const struct ktstr_worker *w = &ws->w[i];

		if (w->reported && w->shm != NULL) {
			memcpy(*out + at, w->shm->wake_ns, w->rep.nwake * sizeof(**out));
			at += w->rep.nwake;
		}
	}
	*n = total;
	return 0;
}

static const char *exit_reason(int code)
{
	switch (code) {
	case KTSTR_WORKER_EXIT_BARRIER:
		return " (never released from the start barrier, or could not report)";
	case KTSTR_WORKER_EXIT_AFFINITY:
		return " (sched_setaffinity failed)";
	case KTSTR_WORKER_EXIT_POLICY:
		return " (sched_setscheduler failed)";
	case KTSTR_WORKER_EXIT_MEMPOLICY:
		return " (set_mempolicy failed)";
	default:
		return "";
	}
}

void ktstr_worker__describe(const struct ktstr_worker *w, char *buf, size_t len)
{
	if (w->reported) {
		snprintf(buf, len, "reported");
	} else if (!w->reaped) {
		snprintf(buf, len, "still running");
	} else if (w->timed_out) {
		snprintf(buf, len, "timed out: no report by the collect deadline, killed");
	} else if (WIFEXITED(w->status)) {
		snprintf(buf, len, "exited with status %d%s", WEXITSTATUS(w->status),
			 exit_reason(WEXITSTATUS(w->status)));
	} else if (WIFSIGNALED(w->status)) {
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(w->status),
			 strsignal(WTERMSIG(w->status)));
	} else {
		snprintf(buf, len, "ended without a report (wait status %#x)", w->status);
	}
}
