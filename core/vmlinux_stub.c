/* TEMPORARY (issue 4 in progress): replaced by core/vmlinux_*.c. */
#include "vmlinux.h"

#include <errno.h>
#include <stdio.h>

int ktstr_vmlinux__extract(const char *image, const char *out, char *err, size_t errlen)
{
	(void)out;
	snprintf(err, errlen, "%s: vmlinux extraction not built yet", image);
	return -ENOEXEC;
}

int ktstr_vmlinux__strip(const char *in, const char *out, char *err, size_t errlen)
{
	(void)out;
	snprintf(err, errlen, "%s: strip not built yet", in);
	return -ENOSYS;
}
