/* TEMPORARY (issue 4 in progress): replaced by core/kcache_*.c. */
#include "kcache.h"

#include <errno.h>
#include <stdio.h>

int ktstr_kcache__root(char *out, size_t len, char *err, size_t errlen)
{
	(void)out; (void)len;
	snprintf(err, errlen, "kernel cache not built yet");
	return -ENOSYS;
}

int ktstr_kcache__lookup(const char *root, const char *id, struct ktstr_kernel *out, char *err,
			 size_t errlen)
{
	(void)root; (void)id; (void)out;
	snprintf(err, errlen, "kernel cache not built yet");
	return -ENOSYS;
}

int ktstr_kcache__install(struct ktstr_inst *inst, const struct ktstr_kernel_install *req,
			  struct ktstr_kernel *out)
{
	(void)inst; (void)req; (void)out;
	return -ENOSYS;
}
