/* struct ktstr_kernel: the fields a kernel source sets through host->kernel_set. */
#include "registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct ktstr_kernel {
	char *field[KTSTR_KERNEL_ORIGIN + 1]; /* indexed by enum ktstr_kernel_field */
};

static bool field_valid(enum ktstr_kernel_field f)
{
	return f >= KTSTR_KERNEL_IMAGE && f <= KTSTR_KERNEL_ORIGIN;
}

int ktstr_kernel__new(struct ktstr_kernel **out)
{
	*out = calloc(1, sizeof(**out));
	return *out != NULL ? 0 : -ENOMEM;
}

void ktstr_kernel__free(struct ktstr_kernel *k)
{
	if (k == NULL) {
		return;
	}
	for (size_t i = 0; i < sizeof(k->field) / sizeof(k->field[0]); i++) {
		free(k->field[i]);
	}
	free(k);
}

const char *ktstr_kernel__get(const struct ktstr_kernel *k, enum ktstr_kernel_field f)
{
	return k != NULL && field_valid(f) ? k->field[f] : NULL;
}

int ktstr_kernel__set(struct ktstr_kernel *k, enum ktstr_kernel_field f, const char *value)
{
	char *copy;

	if (k == NULL || !field_valid(f) || value == NULL) {
		return -EINVAL;
	}
	copy = strdup(value);
	if (copy == NULL) {
		return -ENOMEM;
	}
	free(k->field[f]);
	k->field[f] = copy;
	return 0;
}
