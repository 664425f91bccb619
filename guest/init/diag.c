#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void ktstr_diag(const char *fmt, ...)
{
	static const char prefix[] = "ktstr-init: ";
	char line[1024];
	size_t len = sizeof(prefix) - 1;
	va_list ap;
	int n;

	memcpy(line, prefix, len);
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len - 1, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return;
	}
	len += (size_t)n < sizeof(line) - len - 1 ? (size_t)n : sizeof(line) - len - 2;
	line[len++] = '\n';
	/* A diagnostic that cannot be written has nowhere else to go. */
	if (write(STDERR_FILENO, line, len) < 0) {
		return;
	}
}
