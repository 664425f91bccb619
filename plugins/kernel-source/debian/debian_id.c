/* Kernel ids of the debian source (see debian_id.h). */
#include "debian_id.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

bool debian_id__is_suite(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= DEBIAN_SUITE_MAX || !islower((unsigned char)s[0])) {
		return false;
	}
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!islower(c) && !isdigit(c) && c != '-') {
			return false;
		}
	}
	return true;
}

/* Number of dot-separated digit groups in @p s, or 0 when it is not such a string. */
static int version_parts(const char *s)
{
	int parts = 1;
	size_t digits = 0;

	if (strlen(s) >= DEBIAN_VERSION_MAX) {
		return 0;
	}
	for (; *s != '\0'; s++) {
		if (isdigit((unsigned char)*s)) {
			digits++;
		} else if (*s == '.' && digits > 0) {
			digits = 0;
			parts++;
		} else {
			return 0;
		}
	}
	return digits > 0 ? parts : 0;
}

bool debian_id__is_version(const char *s)
{
	int parts = version_parts(s);

	return parts == 2 || parts == 3;
}

bool debian_id__is_exact(const char *s)
{
	return version_parts(s) == 3;
}

static void set_suite(struct debian_id *out, const char *suite)
{
	snprintf(out->suite, sizeof(out->suite), "%s",
		 strcmp(suite, "unstable") == 0 ? "sid" : suite);
}

int debian_id__parse(const char *id, const char *dflt_suite, struct debian_id *out)
{
	const char *rest = id;

	memset(out, 0, sizeof(*out));
	if (strcmp(id, "sid") == 0 || strcmp(id, "unstable") == 0) {
		set_suite(out, "sid");
		return 0;
	}
	if (strncmp(id, "debian:", 7) == 0) {
		rest = id + 7;
		if (debian_id__is_suite(rest)) {
			set_suite(out, rest);
			return 0;
		}
		if (!debian_id__is_version(rest)) {
			return -EINVAL;
		}
	} else if (!debian_id__is_version(id)) {
		return -ENOENT;
	}
	set_suite(out, dflt_suite);
	snprintf(out->version, sizeof(out->version), "%s", rest);
	return 0;
}

bool debian_id__matches(const char *release, const char *version)
{
	size_t n = strlen(version), up = strspn(release, "0123456789.");

	if (n == 0) {
		return true;
	}
	/* "7.2" matches 7.2 and 7.2.x, never 7.20 */
	return up >= n && strncmp(release, version, n) == 0 && (up == n || release[n] == '.');
}
