#define _GNU_SOURCE
#include "work_group.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static bool uses_pipes(const struct ktstr_work_spec *spec)
{
	return strcmp(spec->type->name, "PipeIo") == 0 ||
	       strcmp(spec->type->name, "CachePipe") == 0;
}

int ktstr_work_group__init(struct ktstr_work_group *g, const struct ktstr_work_spec *spec,
			   unsigned nworkers)
{
	size_t slots_len;
	int err;

	memset(g, 0, sizeof(*g));
	g->size = ktstr_work_spec__group_size(spec);
	if (nworkers == 0 || nworkers % g->size != 0) {
		return -EINVAL;
	}
	g->ngroups = nworkers / g->size;
	slots_len = g->ngroups * sizeof(*g->slots);
	g->slots = mmap(NULL, slots_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g->slots == MAP_FAILED) {
		g->slots = NULL;
		return -errno;
	}
	if (!uses_pipes(spec)) {
		return 0;
	}
	g->pipes = malloc(g->ngroups * sizeof(*g->pipes));
	if (g->pipes == NULL) {
		err = -ENOMEM;
		goto err_slots;
	}
	memset(g->pipes, 0xff, g->ngroups * sizeof(*g->pipes)); /* every fd -1 */
	for (unsigned i = 0; i < g->ngroups; i++) {
		for (int d = 0; d < 2; d++) {
			/* Non-blocking: a worker whose partner is gone must not hang in write. */
			if (pipe2(g->pipes[i][d], O_CLOEXEC | O_NONBLOCK) != 0) {
				err = -errno;
				goto err_pipes;
			}
		}
	}
	return 0;

err_pipes:
	ktstr_work_group__close_pipes(g);
	free(g->pipes);
	g->pipes = NULL;
err_slots:
	munmap(g->slots, slots_len);
	g->slots = NULL;
	return err;
}

void ktstr_work_group__close_pipes(struct ktstr_work_group *g)
{
	if (g->pipes == NULL) {
		return;
	}
	for (unsigned i = 0; i < g->ngroups; i++) {
		for (int d = 0; d < 2; d++) {
			for (int e = 0; e < 2; e++) {
				if (g->pipes[i][d][e] >= 0) {
					close(g->pipes[i][d][e]);
					g->pipes[i][d][e] = -1;
				}
			}
		}
	}
}

void ktstr_work_group__release(struct ktstr_work_group *g)
{
	ktstr_work_group__close_pipes(g);
	free(g->pipes);
	if (g->slots != NULL) {
		munmap(g->slots, g->ngroups * sizeof(*g->slots));
	}
	memset(g, 0, sizeof(*g));
}
