/*
 * Serial output made fit for a terminal and a JSON string: the tail of the
 * kernel console (COM1) for failure reports, and the cleaning that the COM2
 * parser applies to the text it keeps.
 */
#include "guest_output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msgpack_json.h"

/* A console tail reads no more than this much from the end of the file. */
#define CONSOLE_TAIL_WINDOW (64u << 10)

/*
 * Length of the ANSI escape sequence at b[0] == ESC (ECMA-48): CSI "ESC [
 * params intermediates final", OSC "ESC ] ... BEL|ESC \" (also ended by a
 * newline, so a lost terminator cannot swallow the rest of the log) and
 * "ESC intermediates final" (charset selection, ESC 7, ...). A sequence
 * cut off by the end of the buffer runs to the end.
 */
static size_t escape_len(const unsigned char *b, size_t n)
{
	size_t i = 1;

	if (i == n) {
		return n;
	}
	if (b[i] == '[') {
		for (i++; i < n && b[i] >= 0x20 && b[i] <= 0x3f; i++) {
		}
		return i < n && b[i] >= 0x40 && b[i] <= 0x7e ? i + 1 : i;
	}
	if (b[i] == ']') {
		for (i++; i < n && b[i] != '\n'; i++) {
			if (b[i] == 0x07) {
				return i + 1;
			}
			if (b[i] == 0x1b && i + 1 < n && b[i + 1] == '\\') {
				return i + 2;
			}
		}
		return i;
	}
	for (; i < n && b[i] >= 0x20 && b[i] <= 0x2f; i++) {
	}
	return i < n && b[i] >= 0x30 && b[i] <= 0x7e ? i + 1 : i;
}

int ktstr_console__clean(const char *buf, size_t len, bool one_line, char **out)
{
	const unsigned char *b = (const unsigned char *)buf;
	char *o, *p;

	*out = NULL;
	if (len > (SIZE_MAX - 1) / 4) {
		return -ENOMEM;
	}
	/* Worst case every byte becomes "\xNN". */
	o = malloc(len * 4 + 1);
	if (o == NULL) {
		return -ENOMEM;
	}
	p = o;
	for (size_t i = 0; i < len;) {
		size_t l;

		if (b[i] == 0x1b) {
			i += escape_len(b + i, len - i);
			continue;
		}
		if (b[i] == '\0' || (b[i] == '\r' && i + 1 < len && b[i + 1] == '\n')) {
			i++;
			continue;
		}
		if (b[i] == '\t' || (b[i] == '\n' && !one_line) || (b[i] >= 0x20 && b[i] < 0x7f)) {
			*p++ = (char)b[i++];
			continue;
		}
		l = b[i] >= 0x80 ? ktstr_utf8__seq_len(b + i, len - i) : 0;
		if (l == 0) {
			p += sprintf(p, "\\x%02x", b[i]);
			i++;
			continue;
		}
		memcpy(p, b + i, l);
		p += l;
		i += l;
	}
	*p = '\0';
	*out = o;
	return 0;
}

/* Read at most the last CONSOLE_TAIL_WINDOW bytes; *cut says whether earlier bytes exist. */
static int read_window(int fd, char **out, size_t *len, bool *cut)
{
	struct stat st;
	off_t start;
	size_t n = 0;
	char *buf;

	if (fstat(fd, &st) != 0) {
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		return -EINVAL;
	}
	start =
	    st.st_size > (off_t)CONSOLE_TAIL_WINDOW ? st.st_size - (off_t)CONSOLE_TAIL_WINDOW : 0;
	buf = malloc(CONSOLE_TAIL_WINDOW);
	if (buf == NULL) {
		return -ENOMEM;
	}
	while (n < CONSOLE_TAIL_WINDOW) {
		ssize_t r = pread(fd, buf + n, CONSOLE_TAIL_WINDOW - n, start + (off_t)n);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (r == 0) {
			break;
		}
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	*cut = start > 0;
	return 0;
}

int ktstr_console__tail(const char *path, size_t nlines, char **out)
{
	size_t len = 0, skip = 0, end, start;
	char *raw = NULL, *clean;
	bool cut = false;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	rc = read_window(fd, &raw, &len, &cut);
	close(fd);
	if (rc != 0) {
		return rc;
	}
	/* The window's first line is usually a fragment: drop it when a whole line follows. */
	if (cut) {
		char *nl = memchr(raw, '\n', len);

		skip = nl != NULL ? (size_t)(nl - raw) + 1 : 0;
	}
	rc = ktstr_console__clean(raw + skip, len - skip, false, &clean);
	free(raw);
	if (rc != 0) {
		return rc;
	}
	end = strlen(clean);
	if (end > 0 && clean[end - 1] == '\n') {
		end--;
	}
	start = end;
	for (size_t lines = 0; nlines > 0 && start > 0; start--) {
		if (clean[start - 1] == '\n' && ++lines == nlines) {
			break;
		}
	}
	memmove(clean, clean + start, end - start);
	clean[end - start] = '\0';
	*out = clean;
	return 0;
}
