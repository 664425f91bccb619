#include "schedstat.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "fileio.h"

static int field(const char **p, uint64_t *out)
{
	char *end;

	while (**p == ' ') {
		(*p)++;
	}
	if (!isdigit((unsigned char)**p)) {
		return -EINVAL;
	}
	errno = 0;
	*out = strtoull(*p, &end, 10);
	if (errno != 0) {
		return -EINVAL;
	}
	*p = end;
	return 0;
}

int ktstr_schedstat__parse(const char *s, struct ktstr_schedstat *out)
{
	const char *p = s;
	int err;

	err = field(&p, &out->run_ns);
	if (!err) {
		err = field(&p, &out->delay_ns);
	}
	if (!err) {
		err = field(&p, &out->timeslices);
	}
	while (!err && isspace((unsigned char)*p)) {
		p++;
	}
	return err ? err : *p == '\0' ? 0 : -EINVAL;
}

int ktstr_schedstat__read(const char *path, struct ktstr_schedstat *out)
{
	char buf[128];
	int err = ktstr_file__read(path, buf, sizeof(buf));

	return err ? err : ktstr_schedstat__parse(buf, out);
}
