#include "vlog.h"

#include <stdio.h>
#include <string.h>

static void feed_line(struct ktstr_vlog *v, const char *line, size_t n)
{
	char copy[KTSTR_VLOG_LINE_MAX];

	snprintf(copy, sizeof(copy), "%.*s", (int)n, line);
	if (strstr(copy, "-- BEGIN PROG LOAD LOG --") != NULL) {
		v->in_log = true;
		return;
	}
	if (strstr(copy, "-- END PROG LOAD LOG --") != NULL) {
		v->in_log = false;
		return;
	}
	/* the verifier ends with statistics; the reason is the line before them */
	if (!v->in_log || copy[0] == '\0' || strncmp(copy, "processed ", 10) == 0 ||
	    strncmp(copy, "verification time", 17) == 0) {
		return;
	}
	memcpy(v->last, copy, sizeof(copy));
}

void ktstr_vlog__feed(struct ktstr_vlog *v, const char *text)
{
	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);

		feed_line(v, p, n);
		p += nl != NULL ? n + 1 : n;
	}
}
