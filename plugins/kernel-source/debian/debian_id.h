/* What a kernel id asks of the debian source: a suite, and optionally a version. */
#ifndef KTSTR_DEBIAN_ID_H
#define KTSTR_DEBIAN_ID_H

#include <stdbool.h>
#include <stddef.h>

#define DEBIAN_SUITE_MAX 64
#define DEBIAN_VERSION_MAX 32

struct debian_id {
	char suite[DEBIAN_SUITE_MAX];	  /* "sid", "experimental", "trixie-backports", ... */
	char version[DEBIAN_VERSION_MAX]; /* "7.2" or "7.2.13"; "" = the newest */
};

/**
 * @brief Parse @p id: "sid" or "unstable" (suite sid, newest); "debian:<suite>";
 *        "debian:<version>" and a bare version ("7.2", "7.2.13": suite
 *        @p dflt_suite). "unstable" is spelled "sid" everywhere.
 * @return 0; -ENOENT not an id of this source; -EINVAL "debian:<x>" with x
 *         neither a suite nor a version
 */
int debian_id__parse(const char *id, const char *dflt_suite, struct debian_id *out);

/** @brief True when @p s is a suite name: [a-z][a-z0-9-]*, shorter than DEBIAN_SUITE_MAX. */
bool debian_id__is_suite(const char *s);

/** @brief True when @p s is D+.D+ or D+.D+.D+ (no "v", no "-rc"). */
bool debian_id__is_version(const char *s);

/** @brief True when @p s names one release (three components), not a series. */
bool debian_id__is_exact(const char *s);

/**
 * @brief Does release @p release ("7.2.13+deb14-cloud-amd64") belong to
 *        @p version ("7.2" or "7.2.13"; "" matches all)? Its upstream part is
 *        the leading run of digits and dots.
 */
bool debian_id__matches(const char *release, const char *version);

#endif
