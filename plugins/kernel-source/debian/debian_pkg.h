/*
 * Pure helpers of the debian source: which package to take from apt's
 * package names, the cache key, the sched_ext check of a kernel config and
 * the archive named by the system's deb822 sources.
 */
#ifndef KTSTR_DEBIAN_PKG_H
#define KTSTR_DEBIAN_PKG_H

#include <stdbool.h>
#include <stddef.h>

#define DEBIAN_PKG_MAX 128

struct debian_pkg {
	char name[DEBIAN_PKG_MAX];    /* linux-binary-7.2.13+deb14-cloud-amd64 */
	char release[DEBIAN_PKG_MAX]; /* 7.2.13+deb14-cloud-amd64 (the kernel release) */
};

/**
 * @brief Pick the kernel image package for @p flavour and @p version from
 *        @p names (apt-cache output: one package per line, the first word
 *        counts, so `pkgnames` and `search` output both work).
 *
 * Candidates are linux-binary-<release> (current Debian) or, when there is
 * none, linux-image-<release> (Debian 13 and older), where <release> starts
 * with a digit and ends with "-<flavour>". The highest release in version
 * order (strverscmp, like `sort -V`) among those matching @p version wins.
 * @return 0, or -ENOENT when no package matches
 */
int debian_pkg__choose(const char *names, size_t len, const char *flavour, const char *version,
		       struct debian_pkg *out);

/** @brief The cache key: "<release>-debian-x86_64". 0 or -ENAMETOOLONG. */
int debian_pkg__key(const char *release, char *out, size_t len);

/** @brief True when the kernel config @p text has the line CONFIG_SCHED_CLASS_EXT=y. */
bool debian_pkg__has_sched_ext(const char *text, size_t len);

/**
 * @brief The Debian archive of a deb822 sources file (debian.sources): the
 *        first URI of the first "deb" stanza that is not a security archive,
 *        and that stanza's Signed-By when it is a file path.
 * @param uri      receives the URI ("" when none)
 * @param keyring  receives the keyring path ("" when none)
 */
void debian_pkg__archive(const char *text, size_t len, char *uri, size_t urilen, char *keyring,
			 size_t keylen);

#endif
