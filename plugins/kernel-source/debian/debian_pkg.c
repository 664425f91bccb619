/* Package choice, cache key, sched_ext check, archive lookup (see debian_pkg.h). */
#define _GNU_SOURCE
#include "debian_pkg.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debian_id.h"

/* One line of @p text at a time: [*pos, end of line); advances *pos past the newline. */
static bool next_line(const char *text, size_t len, size_t *pos, const char **line, size_t *n)
{
	const char *nl;

	if (*pos >= len) {
		return false;
	}
	*line = text + *pos;
	nl = memchr(*line, '\n', len - *pos);
	*n = nl != NULL ? (size_t)(nl - *line) : len - *pos;
	*pos += *n + (nl != NULL ? 1 : 0);
	return true;
}

/*
 * Is [v, v+n) a Debian kernel version with no flavour in it: "7.2.13+deb14",
 * "6.1.0-13"? Every '-'-separated part after the first starts with a digit,
 * so "7.2.13+deb14-cloud" (flavour amd64 inside cloud-amd64) is not one.
 */
static bool plain_version(const char *v, size_t n)
{
	if (n == 0 || !isdigit((unsigned char)v[0])) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '-' && (i + 1 >= n || !isdigit((unsigned char)v[i + 1]))) {
			return false;
		}
	}
	return true;
}

/* The release of package @p name ("<prefix><version>-<flavour>"), when it is a candidate. */
static bool candidate(const char *name, const char *prefix, const char *flavour,
		      const char *version, const char **release)
{
	size_t np = strlen(prefix), nf = strlen(flavour), n = strlen(name);

	if (strncmp(name, prefix, np) != 0 || n < np + nf + 2 || name[n - nf - 1] != '-' ||
	    strcmp(name + n - nf, flavour) != 0 || !plain_version(name + np, n - nf - 1 - np)) {
		return false;
	}
	*release = name + np;
	return debian_id__matches(*release, version);
}

static int choose_prefix(const char *names, size_t len, const char *prefix, const char *flavour,
			 const char *version, struct debian_pkg *out)
{
	size_t pos = 0, n;
	const char *line, *release;
	bool found = false;

	while (next_line(names, len, &pos, &line, &n)) {
		char name[DEBIAN_PKG_MAX];
		size_t w = strcspn(line, " \t\r\n");

		if (w > n) {
			w = n;
		}
		if (w == 0 || w >= sizeof(name)) {
			continue;
		}
		memcpy(name, line, w);
		name[w] = '\0';
		if (!candidate(name, prefix, flavour, version, &release)) {
			continue;
		}
		if (!found || strverscmp(release, out->release) > 0) {
			memcpy(out->name, name, w + 1);
			snprintf(out->release, sizeof(out->release), "%s", release);
			found = true;
		}
	}
	return found ? 0 : -ENOENT;
}

int debian_pkg__choose(const char *names, size_t len, const char *flavour, const char *version,
		       struct debian_pkg *out)
{
	memset(out, 0, sizeof(*out));
	if (choose_prefix(names, len, "linux-binary-", flavour, version, out) == 0) {
		return 0;
	}
	return choose_prefix(names, len, "linux-image-", flavour, version, out);
}

int debian_pkg__key(const char *release, char *out, size_t len)
{
	int n = snprintf(out, len, "%s-debian-x86_64", release);

	return n >= 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

bool debian_pkg__has_sched_ext(const char *text, size_t len)
{
	static const char want[] = "CONFIG_SCHED_CLASS_EXT=y";
	size_t pos = 0, n;
	const char *line;

	while (next_line(text, len, &pos, &line, &n)) {
		if (n > 0 && line[n - 1] == '\r') {
			n--;
		}
		if (n == sizeof(want) - 1 && memcmp(line, want, n) == 0) {
			return true;
		}
	}
	return false;
}

/* The value of "Field: value" when @p line starts with @p field (case-insensitive). */
static bool field_value(const char *line, size_t n, const char *field, const char **val, size_t *vn)
{
	size_t f = strlen(field);

	if (n <= f || strncasecmp(line, field, f) != 0 || line[f] != ':') {
		return false;
	}
	*val = line + f + 1;
	*vn = n - f - 1;
	while (*vn > 0 && isspace((unsigned char)**val)) {
		(*val)++;
		(*vn)--;
	}
	while (*vn > 0 && isspace((unsigned char)(*val)[*vn - 1])) {
		(*vn)--;
	}
	return true;
}

/* The first whitespace-separated word of [v, v+n) into @p out. */
static void first_word(const char *v, size_t n, char *out, size_t outlen)
{
	size_t w = 0;

	while (w < n && !isspace((unsigned char)v[w])) {
		w++;
	}
	if (w >= outlen) {
		w = 0; /* too long to be a usable path or URI: treat as absent */
	}
	memcpy(out, v, w);
	out[w] = '\0';
}

struct stanza {
	bool deb;
	char uri[512];
	char keyring[512];
};

/* A stanza ended: keep it when it is the first usable one. */
static void stanza_end(struct stanza *s, char *uri, size_t urilen, char *keyring, size_t keylen)
{
	if (uri[0] == '\0' && s->deb && s->uri[0] != '\0' && strstr(s->uri, "security") == NULL) {
		snprintf(uri, urilen, "%s", s->uri);
		snprintf(keyring, keylen, "%s", s->keyring[0] == '/' ? s->keyring : "");
	}
	memset(s, 0, sizeof(*s));
}

void debian_pkg__archive(const char *text, size_t len, char *uri, size_t urilen, char *keyring,
			 size_t keylen)
{
	struct stanza s = {0};
	size_t pos = 0, n, vn;
	const char *line, *v;

	uri[0] = '\0';
	keyring[0] = '\0';
	while (next_line(text, len, &pos, &line, &n)) {
		size_t blank = 0;

		while (blank < n && isspace((unsigned char)line[blank])) {
			blank++;
		}
		if (blank == n) {
			stanza_end(&s, uri, urilen, keyring, keylen);
		} else if (line[0] == '#' || blank > 0) {
			continue; /* comments and continuation lines (inline keys) */
		} else if (field_value(line, n, "Types", &v, &vn)) {
			/* "deb" as a whole word: "deb-src" alone does not count */
			for (size_t i = 0; i + 3 <= vn; i++) {
				if (memcmp(v + i, "deb", 3) == 0 &&
				    (i == 0 || isspace((unsigned char)v[i - 1])) &&
				    (i + 3 == vn || isspace((unsigned char)v[i + 3]))) {
					s.deb = true;
				}
			}
		} else if (field_value(line, n, "URIs", &v, &vn)) {
			first_word(v, vn, s.uri, sizeof(s.uri));
		} else if (field_value(line, n, "Signed-By", &v, &vn)) {
			first_word(v, vn, s.keyring, sizeof(s.keyring));
		}
	}
	stanza_end(&s, uri, urilen, keyring, keylen);
}
