/* Raw and sanitized kernel labels (the upstream label table). */
#include "kernel_label.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

void ktstr_kernel_label__cache_key(const char *key, char *out, size_t len)
{
	static const char *const tags[] = {"-tarball-", "-git-", "-debian-"};
	const char *cut = NULL;

	if (strncmp(key, "local-", 6) == 0) {
		const char *x = key + 6;
		size_t n = strcspn(x, "-");

		if (n == 0) {
			snprintf(out, len, "local");
		} else if (n == 7 && strncmp(x, "unknown", 7) == 0) {
			snprintf(out, len, "local_unknown");
		} else {
			snprintf(out, len, "local_%.*s", (int)(n < 6 ? n : 6), x);
		}
		return;
	}
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		const char *p = strstr(key, tags[i]);

		if (p != NULL && (cut == NULL || p < cut)) {
			cut = p;
		}
	}
	snprintf(out, len, "%.*s", (int)(cut != NULL ? (size_t)(cut - key) : strlen(key)), key);
}

void ktstr_kernel_label__git(const char *url, const char *ref, char *out, size_t len)
{
	const char *p = strstr(url, "://"), *slash, *end, *repo, *owner = NULL;
	size_t rlen, olen = 0;

	p = p != NULL ? p + 3 : url;
	slash = strchr(p, '/');
	p = slash != NULL ? slash + 1 : p;
	while (*p == '/') {
		p++;
	}
	end = p + strlen(p);
	while (end > p && end[-1] == '/') {
		end--;
	}
	if (end - p >= 4 && strncmp(end - 4, ".git", 4) == 0) {
		end -= 4;
	}
	/* the last two non-empty segments of [p, end) */
	const char *q = end;
	while (q > p && q[-1] == '/') {
		q--;
	}
	const char *seg_end = q;
	while (q > p && q[-1] != '/') {
		q--;
	}
	repo = q;
	rlen = (size_t)(seg_end - q);
	while (q > p && q[-1] == '/') {
		q--;
	}
	seg_end = q;
	while (q > p && q[-1] != '/') {
		q--;
	}
	if (seg_end > q) {
		owner = q;
		olen = (size_t)(seg_end - q);
	}
	if (rlen == 0) {
		repo = "repo";
		rlen = 4;
	}
	if (owner != NULL) {
		snprintf(out, len, "git_%.*s_%.*s_%s", (int)olen, owner, (int)rlen, repo, ref);
	} else {
		snprintf(out, len, "git_%.*s_%s", (int)rlen, repo, ref);
	}
}

void ktstr_kernel_label__path(const char *canon, char *out, size_t len)
{
	uLong crc = crc32(0L, (const Bytef *)canon, (uInt)strlen(canon));
	const char *end = canon + strlen(canon), *base;

	while (end > canon + 1 && end[-1] == '/') {
		end--;
	}
	base = end;
	while (base > canon && base[-1] != '/') {
		base--;
	}
	snprintf(out, len, "path_%.*s_%06lx", (int)(end - base), base, crc & 0xffffffUL);
}

void ktstr_kernel_label__raw(const struct ktstr_kernel_id *id, const char *canon, char *out,
			     size_t len)
{
	switch (id->kind) {
	case KTSTR_KID_CACHE_KEY:
		ktstr_kernel_label__cache_key(id->text, out, len);
		break;
	case KTSTR_KID_GIT:
		ktstr_kernel_label__git(id->a, id->b, out, len);
		break;
	case KTSTR_KID_PATH:
		ktstr_kernel_label__path(canon != NULL ? canon : id->text, out, len);
		break;
	default:
		snprintf(out, len, "%s", id->text);
		break;
	}
}

void ktstr_kernel_label__sanitize(const char *raw, char *out, size_t len)
{
	static const char prefix[] = "kernel_";
	size_t n = 0;
	bool last_us = true;

	if (len == 0) {
		return;
	}
	n = (size_t)snprintf(out, len, "%s", prefix);
	if (n >= len) {
		return;
	}
	for (const char *p = raw; *p != '\0' && n + 1 < len; p++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*p);

		if (c < 0x80 && isalnum(c)) {
			out[n++] = (char)c;
			last_us = false;
		} else if (!last_us) {
			out[n++] = '_';
			last_us = true;
		}
	}
	if (n > sizeof(prefix) - 1 && out[n - 1] == '_') {
		n--;
	}
	out[n] = '\0';
}
