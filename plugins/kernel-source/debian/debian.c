/*
 * kernel-source/debian: sched_ext kernels from Debian's archive.
 *
 * Ids: "sid"/"unstable", "debian:<suite>" (the newest kernel of a suite),
 * "debian:<version>" and bare versions ("7.2", "7.2.13": the newest match
 * in the `suite` option). The kernel package linux-binary-<release>-<flavour>
 * is found with apt in a private configuration (debian_apt.h), installed
 * into the kernel cache under "<release>-debian-x86_64" through
 * host->kernel_install(), and its fill (debian_fetch.h) downloads and checks
 * it. This is the example docs/plugins.md walks through; it uses only the
 * public SDK and builds out of tree with pkg-config (CMakeLists.txt).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktstr/kernel_source.h>
#include <ktstr/plugin.h>

#include "debian_apt.h"
#include "debian_fetch.h"
#include "debian_id.h"
#include "debian_pkg.h"

#define SYSTEM_SOURCES "/etc/apt/sources.list.d/debian.sources"
#define DEFAULT_MIRROR "http://deb.debian.org/debian"
#define DEFAULT_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"
#define APT_LOCK_TIMEOUT_S 900

struct debian_priv {
	/* options */
	const char *suite;
	const char *flavour;
	const char *mirror;
	const char *keyring;
	int64_t refresh;
	/* from init: the archive and keyring to use */
	char archive[512];
	char trusted[512];
};

static const struct ktstr_host_api *host;

static bool is_flavour(const char *s)
{
	if (s[0] == '\0' || strlen(s) >= 64) {
		return false;
	}
	for (; *s != '\0'; s++) {
		if ((*s < 'a' || *s > 'z') && (*s < '0' || *s > '9') && *s != '-') {
			return false;
		}
	}
	return true;
}

/* The archive and keyring of the system's own Debian sources, when it has them. */
static void system_archive(char *uri, size_t urilen, char *keyring, size_t keylen)
{
	char text[16384];
	FILE *f = fopen(SYSTEM_SOURCES, "r");
	size_t n = 0;

	uri[0] = keyring[0] = '\0';
	if (f == NULL) {
		return;
	}
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	debian_pkg__archive(text, n, uri, urilen, keyring, keylen);
}

static int debian__init(struct ktstr_inst *inst)
{
	struct debian_priv *p = host->priv(inst);
	char uri[512], keyring[512];

	if (!debian_id__is_suite(p->suite)) {
		host->set_error(inst,
				"option suite \"%s\" is not a suite name (sid, experimental, "
				"trixie-backports, ...)",
				p->suite);
		return -EINVAL;
	}
	if (!is_flavour(p->flavour)) {
		host->set_error(inst,
				"option flavour \"%s\" is not a kernel flavour "
				"(cloud-amd64, amd64, rt-amd64, ...)",
				p->flavour);
		return -EINVAL;
	}
	if (p->refresh < 0) {
		host->set_error(inst, "option refresh must be >= 0 seconds, not %lld",
				(long long)p->refresh);
		return -EINVAL;
	}
	system_archive(uri, sizeof(uri), keyring, sizeof(keyring));
	snprintf(p->archive, sizeof(p->archive), "%s",
		 p->mirror != NULL && p->mirror[0] != '\0' ? p->mirror
		 : uri[0] != '\0'			   ? uri
							   : DEFAULT_MIRROR);
	snprintf(p->trusted, sizeof(p->trusted), "%s",
		 p->keyring != NULL && p->keyring[0] != '\0' ? p->keyring
		 : keyring[0] != '\0'			     ? keyring
							     : DEFAULT_KEYRING);
	if (strpbrk(p->archive, " \t\n[]") != NULL || strpbrk(p->trusted, " \t\n[]") != NULL) {
		host->set_error(inst,
				"mirror \"%s\" and keyring \"%s\" may not contain blanks or "
				"brackets",
				p->archive, p->trusted);
		return -EINVAL;
	}
	return 0;
}

static void apt_waiting(void *ctx)
{
	struct ktstr_inst *inst = ctx;

	KTSTR_PLG_INFO(host, inst, "waiting for another ktstr using Debian's package lists");
}

enum lists_update {
	UPDATE_NEVER,	 /* use the lists as they are */
	UPDATE_IF_STALE, /* missing, or older than the refresh option */
	UPDATE_ALWAYS,
};

/*
 * The package for @p id from the private lists, updated first as @p when says.
 * @return 0, -ENOENT (no such package; error set), -errno (error set)
 */
static int find_package(struct ktstr_inst *inst, struct debian_apt *apt, const struct debian_id *id,
			enum lists_update when, bool *updated, struct debian_pkg *pkg)
{
	struct debian_priv *p = host->priv(inst);
	char *names = NULL, what[128];
	size_t len = 0;
	long age;
	int rc = debian_apt__lock(apt, APT_LOCK_TIMEOUT_S, apt_waiting, inst);

	if (rc != 0) {
		host->set_error(inst, "%s", apt->err);
		return rc;
	}
	/* read under the lock: a process that updated while we waited counts */
	age = debian_apt__age(apt);
	*updated = false;
	if (when == UPDATE_ALWAYS || (when == UPDATE_IF_STALE && (age < 0 || age >= p->refresh))) {
		snprintf(what, sizeof(what), "apt-get update (%s)", apt->suite);
		host->progress(inst, what, 0, 1);
		rc = debian_apt__update(apt);
		host->progress(inst, what, 1, 1);
		*updated = rc == 0;
	}
	if (rc == 0) {
		rc = debian_apt__names(apt, &names, &len);
	}
	debian_apt__unlock(apt);
	if (rc != 0) {
		host->set_error(inst, "%s", apt->err);
		free(names);
		return rc;
	}
	rc = debian_pkg__choose(names, len, p->flavour, id->version, pkg);
	free(names);
	if (rc != 0) {
		host->set_error(inst, "no linux-binary-%s%s*-%s package in Debian suite %s (%s)",
				id->version, id->version[0] != '\0' ? "" : "<version>", p->flavour,
				apt->suite, apt->mirror);
	}
	return rc;
}

static int make_key(struct ktstr_inst *inst, const struct debian_pkg *pkg, char *key, size_t len)
{
	int rc = debian_pkg__key(pkg->release, key, len);

	if (rc != 0) {
		host->set_error(inst, "package %s: release too long for a cache key", pkg->name);
	}
	return rc;
}

static int debian__resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	struct debian_priv *p = host->priv(inst);
	struct debian_id want;
	struct debian_apt *apt;
	struct debian_fetch *f;
	struct ktstr_kernel_install req = {.sz = sizeof(req), .fill = debian_fetch__fill};
	const char *cache_dir;
	char key[DEBIAN_PKG_MAX + 32];
	bool updated = false;
	int rc = debian_id__parse(id, p->suite, &want);

	if (rc == -EINVAL) {
		host->set_error(inst,
				"kernel id \"%s\": after \"debian:\" comes a suite (sid, "
				"experimental) or a version (7.2, 7.2.13)",
				id);
	}
	if (rc != 0) {
		return rc;
	}
	/* Checked here, not in init: the default chain holds this source on any host. */
	if (access(p->trusted, R_OK) != 0) {
		host->set_error(inst,
				"keyring %s cannot be read: install debian-archive-keyring "
				"or set option keyring",
				p->trusted);
		return -ENOENT;
	}
	cache_dir = host->cache_dir(inst);
	if (cache_dir == NULL) {
		return -EIO; /* error set by the host */
	}
	apt = malloc(sizeof(*apt));
	f = calloc(1, sizeof(*f));
	if (apt == NULL || f == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = debian_apt__open(apt, cache_dir, want.suite, p->archive, p->trusted, host->cancelled);
	if (rc != 0) {
		host->set_error(inst, "%s", apt->err);
		goto out;
	}
	/* One release named and cached already: no network, however old the lists. */
	if (debian_id__is_exact(want.version) && debian_apt__age(apt) >= 0 &&
	    find_package(inst, apt, &want, UPDATE_NEVER, &updated, &f->pkg) == 0 &&
	    make_key(inst, &f->pkg, key, sizeof(key)) == 0 &&
	    host->kernel_cache_lookup(inst, key, k) == 0) {
		KTSTR_PLG_DBG(host, inst, "%s: %s is cached; package lists not updated", id, key);
		rc = 0;
		goto out;
	}
	/* Lists fresh enough: no network at all when the entry is cached. */
	rc = find_package(inst, apt, &want, UPDATE_IF_STALE, &updated, &f->pkg);
	if (rc == -ENOENT && !updated) {
		rc = find_package(inst, apt, &want, UPDATE_ALWAYS, &updated, &f->pkg);
	}
	if (rc == 0) {
		rc = make_key(inst, &f->pkg, key, sizeof(key));
	}
	if (rc != 0) {
		goto out;
	}
	snprintf(f->source_json, sizeof(f->source_json),
		 "{\"type\":\"debian\",\"package\":\"%s\",\"suite\":\"%s\"}", f->pkg.name,
		 want.suite);
	f->host = host;
	f->apt = apt;
	req.key = key;
	req.ctx = f;
	rc = host->kernel_install(inst, &req, k);
	if (rc >= 0) {
		KTSTR_PLG_DBG(host, inst, "%s: %s %s (%s)", id, rc == 0 ? "cached" : "installed",
			      key, f->pkg.name);
		rc = 0;
	}
out:
	free(f);
	free(apt);
	return rc;
}

static const struct ktstr_kernel_source_ops debian_ops = {
    .sz = sizeof(struct ktstr_kernel_source_ops),
    .init = debian__init,
    .resolve = debian__resolve,
};

static const struct ktstr_opt_spec debian_opts[] = {
    {KTSTR_OPT_STR, "suite", "sid", offsetof(struct debian_priv, suite),
     "suite for versions and debian:<version> (sid has sched_ext kernels)"},
    {KTSTR_OPT_STR, "flavour", "cloud-amd64", offsetof(struct debian_priv, flavour),
     "kernel flavour: the package is linux-binary-<release>-<flavour>"},
    {KTSTR_OPT_STR, "mirror", NULL, offsetof(struct debian_priv, mirror),
     "archive URI (default: the system's debian.sources, else deb.debian.org)"},
    {KTSTR_OPT_STR, "keyring", NULL, offsetof(struct debian_priv, keyring),
     "keyring that signs the archive (default: the system's, else debian-archive-keyring)"},
    {KTSTR_OPT_INT, "refresh", "3600", offsetof(struct debian_priv, refresh),
     "seconds before the package lists are updated again (0: every resolve)"},
    {0},
};

static const struct ktstr_plugin_desc debian_desc = {
    KTSTR_PLUGIN_DESC_INIT,
    .kind = KTSTR_PLUGIN_KERNEL_SOURCE,
    .name = "debian",
    .version = "1.0.0",
    .description = "sched_ext kernels from Debian's archive (sid, debian:<suite>, versions)",
    .ops = &debian_ops,
    .opts = debian_opts,
    .priv_size = sizeof(struct debian_priv),
};

KTSTR_PLUGIN_EXPORT int ktstr_plugin_entry_v1(const struct ktstr_host_api *h,
					      const struct ktstr_plugin_desc **out)
{
	/* kernel_install and progress arrived in ABI 1.1 */
	if (h == NULL || !KTSTR_SZ_HAS(h, progress) || h->progress == NULL ||
	    h->kernel_install == NULL || h->kernel_cache_lookup == NULL) {
		return -EPROTO;
	}
	host = h;
	*out = &debian_desc;
	return 0;
}
