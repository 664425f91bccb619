/* Kernel identifiers: parse order, version grammar and comparison, the env form. */
#include "kernel_id.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* D+ at @p s, fitting uint64_t; the end in @p end. */
static bool digits(const char *s, uint64_t *v, const char **end)
{
	uint64_t n = 0;
	const char *p = s;

	for (; isdigit((unsigned char)*p); p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
			return false;
		}
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*v = n;
	*end = p;
	return p != s;
}

/* D+.D+(.D+)? at @p s; the end of what matched in @p end. */
static bool numbers(const char *s, struct ktstr_kver *v, const char **end)
{
	const char *p;

	if (!digits(s, &v->maj, &p) || *p != '.' || !digits(p + 1, &v->min, &p)) {
		return false;
	}
	v->patch = 0;
	v->rc = UINT64_MAX;
	if (*p == '.' && isdigit((unsigned char)p[1])) {
		if (!digits(p + 1, &v->patch, &p)) {
			return false;
		}
	}
	*end = p;
	return true;
}

bool ktstr_kver__parse(const char *s, struct ktstr_kver *out)
{
	struct ktstr_kver v;
	const char *rc = strstr(s, "-rc"), *p;
	size_t nlen = rc != NULL ? (size_t)(rc - s) : strlen(s);

	if (!numbers(s, &v, &p) || (size_t)(p - s) != nlen) {
		return false;
	}
	if (rc != NULL && (!digits(rc + 3, &v.rc, &p) || *p != '\0')) {
		return false;
	}
	*out = v;
	return true;
}

bool ktstr_kver__parse_prefix(const char *s, struct ktstr_kver *out)
{
	const char *p;

	if (!numbers(s, out, &p)) {
		return false;
	}
	if (strncmp(p, "-rc", 3) == 0 && isdigit((unsigned char)p[3])) {
		return digits(p + 3, &out->rc, &p);
	}
	return true;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

int ktstr_kver__cmp(const struct ktstr_kver *x, const struct ktstr_kver *y)
{
	int c = cmp_u64(x->maj, y->maj);

	if (c == 0) {
		c = cmp_u64(x->min, y->min);
	}
	if (c == 0) {
		c = cmp_u64(x->patch, y->patch);
	}
	return c != 0 ? c : cmp_u64(x->rc, y->rc);
}

const char *ktstr_kid_kind__name(enum ktstr_kid_kind k)
{
	static const char *const names[] = {"git", "range", "path", "version", "cache key"};

	return (size_t)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Split @p s at @p sep into out->a / out->b (both copied). */
static int split(const char *s, const char *sep, struct ktstr_kernel_id *out)
{
	out->a = dup_n(s, (size_t)(sep - s));
	out->b = strdup(sep + (*sep == '#' ? 1 : 2));
	return out->a != NULL && out->b != NULL ? 0 : -ENOMEM;
}

static enum ktstr_kid_kind classify(const char *s, const char **sep)
{
	struct ktstr_kver v;

	if (strncmp(s, "git+", 4) == 0) {
		const char *hash = strrchr(s + 4, '#');

		if (hash != NULL && hash > s + 4 && hash[1] != '\0') {
			*sep = hash;
			return KTSTR_KID_GIT;
		}
	}
	const char *dots = strstr(s, "..");
	if (dots != NULL) {
		char *start = dup_n(s, (size_t)(dots - s));
		bool range = start != NULL && ktstr_kver__parse(start, &v) &&
			     ktstr_kver__parse(dots + 2, &v);

		free(start);
		if (range) {
			*sep = dots;
			return KTSTR_KID_RANGE;
		}
	}
	if (strchr(s, '/') != NULL || s[0] == '.' || s[0] == '~') {
		return KTSTR_KID_PATH;
	}
	return ktstr_kver__parse(s, &v) ? KTSTR_KID_VERSION : KTSTR_KID_CACHE_KEY;
}

int ktstr_kernel_id__parse(const char *s, struct ktstr_kernel_id *out, char *err, size_t errlen)
{
	const char *sep = NULL;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (s[0] == '\0') {
		snprintf(err, errlen,
			 "empty kernel id: give a path, a version (e.g. `6.14.2`), "
			 "a range (`6.12..6.14`) or a cache key (see `ktstr kernel list`)");
		return -EINVAL;
	}
	out->kind = classify(s, &sep);
	out->text = strdup(s);
	if (out->text == NULL) {
		ret = -ENOMEM;
	} else if (out->kind == KTSTR_KID_GIT) {
		ret = split(s + 4, sep, out);
	} else if (out->kind == KTSTR_KID_RANGE) {
		ret = split(s, sep, out);
	}
	if (ret != 0) {
		ktstr_kernel_id__release(out);
	}
	return ret;
}

void ktstr_kernel_id__release(struct ktstr_kernel_id *id)
{
	free(id->text);
	free(id->a);
	free(id->b);
	memset(id, 0, sizeof(*id));
}

int ktstr_kernel_id__validate(const struct ktstr_kernel_id *id, char *err, size_t errlen)
{
	struct ktstr_kver a, b;

	if (id->kind != KTSTR_KID_RANGE) {
		return 0;
	}
	if (ktstr_kver__parse(id->a, &a) && ktstr_kver__parse(id->b, &b) &&
	    ktstr_kver__cmp(&a, &b) > 0) {
		snprintf(err, errlen,
			 "inverted kernel range `%s..%s`: start version is greater than end "
			 "version. Swap the endpoints (`%s..%s`) or omit the range to pass a "
			 "single version.",
			 id->a, id->b, id->b, id->a);
		return -EINVAL;
	}
	return 0;
}

int ktstr_kernel_id__from_env(const char *val, struct ktstr_kernel_id *out, char *err,
			      size_t errlen)
{
	char verr[512];
	size_t n;
	char *t;
	int ret;

	memset(out, 0, sizeof(*out));
	if (val == NULL) {
		return 0;
	}
	while (isspace((unsigned char)*val)) {
		val++;
	}
	n = strlen(val);
	while (n > 0 && isspace((unsigned char)val[n - 1])) {
		n--;
	}
	if (n == 0) {
		return 0;
	}
	t = dup_n(val, n);
	if (t == NULL) {
		return -ENOMEM;
	}
	ret = ktstr_kernel_id__parse(t, out, err, errlen);
	if (ret == 0 && (out->kind == KTSTR_KID_RANGE || out->kind == KTSTR_KID_GIT)) {
		if (ktstr_kernel_id__validate(out, verr, sizeof(verr)) != 0) {
			snprintf(err, errlen, "KTSTR_KERNEL=%s: %s", t, verr);
		} else {
			snprintf(
			    err, errlen,
			    "KTSTR_KERNEL=%s: multi-kernel specs (ranges, git sources) are not "
			    "supported in env-var form. Use --kernel on `ktstr run`, or set "
			    "KTSTR_KERNEL to a single version, cache key, or path.",
			    t);
		}
		ktstr_kernel_id__release(out);
		ret = -EINVAL;
	}
	free(t);
	return ret == 0 ? 1 : ret;
}
