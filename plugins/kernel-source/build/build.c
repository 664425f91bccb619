/*
 * kernel-source/build: configure and build a kernel source tree (a directory
 * with Makefile and Kconfig) and install the result in the kernel cache.
 *
 * A clean git tree is cached under "local-{hash7}-x86_64[-cfg{crc}]-kc{kc}";
 * a dirty or non-git tree is built in place and never cached. The chain's
 * `local` source answers trees that are already built, so this source is
 * named explicitly (`ktstr kernel build`, or a profile's kernel_sources).
 *
 * Cached results carry the kernel cache's origin line ("installed {key}"
 * after a build, "restored ..." from a remote cache, else a hit); trees
 * built in place have no cache key.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ktstr/kernel_source.h>
#include <ktstr/plugin.h>

#include "build_conf.h"
#include "build_steps.h"
#include "build_tree.h"

struct build_priv {
	bool force; /* option */
	bool clean; /* option */
};

static const struct ktstr_host_api *build_host;

static const struct ktstr_opt_spec build_opts[] = {
    {KTSTR_OPT_BOOL, "force", "false", offsetof(struct build_priv, force),
     "rebuild and replace the cache entry even when it is cached (kernel build --force)"},
    {KTSTR_OPT_BOOL, "clean", "false", offsetof(struct build_priv, clean),
     "run `make mrproper` before configuring (kernel build --clean)"},
    {0},
};

/* One resolve: the tree, its state, the build's results. */
struct build_job {
	struct ktstr_inst *inst;
	struct ktstr_build_git git;
	struct ktstr_build_steps steps;
	char tree[PATH_MAX];
	char log[PATH_MAX + 64];
	char key[256];
	char kc[9];
	char source_json[2 * PATH_MAX + 128];
	char what[96];
	bool tree_changed; /* HEAD moved or the tree got dirty during the build */
};

static void on_progress(void *ctx, const char *what, uint64_t steps, bool done)
{
	struct build_job *j = ctx;

	snprintf(j->what, sizeof(j->what), "%s (%s)", what, j->tree);
	/* total 0 is "unknown"; steps, steps ends the line */
	build_host->progress(j->inst, j->what, done ? (steps ? steps : 1) : steps,
			     done ? (steps ? steps : 1) : 0);
}

/* Configure and build in place; errors set on the instance. */
static int run_build(struct build_job *j)
{
	struct build_priv *p = build_host->priv(j->inst);
	const char *scratch = build_host->scratch_dir(j->inst);
	char err[8192];
	int rc;

	if (scratch == NULL) {
		return -EIO; /* error set by the host */
	}
	snprintf(j->log, sizeof(j->log), "%s/build-%08x.log", scratch,
		 ktstr_build__crc32(0, j->tree, strlen(j->tree)));
	unlink(j->log);
	j->steps.tree = j->tree;
	j->steps.log_path = j->log;
	j->steps.jobs = (unsigned)build_host->cpu_budget(j->inst);
	j->steps.clean = p->clean;
	j->steps.cancelled = build_host->cancelled;
	j->steps.progress = on_progress;
	j->steps.ctx = j;
	build_host->log(j->inst, KTSTR_LOG_INFO, "building %s with make -j%u (log %s)", j->tree,
			j->steps.jobs, j->log);
	rc = ktstr_build_steps__run(&j->steps, err, sizeof(err));
	if (rc != 0) {
		build_host->set_error(j->inst, "%s", err);
	}
	return rc;
}

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = 0;
	char buf[1 << 16];
	ssize_t n;

	if (in < 0) {
		return -errno;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			rc = -EIO;
			break;
		}
	}
	if (n < 0) {
		rc = -errno;
	}
	close(in);
	if (close(out) != 0 && rc == 0) {
		rc = -errno;
	}
	return rc;
}

/* Copy {tree}/@from to {dir}/@to; errors set on the instance. */
static int copy_out(struct build_job *j, const char *from, const char *dir, const char *to)
{
	char src[PATH_MAX + 64], dst[PATH_MAX + 64];
	int rc;

	snprintf(src, sizeof(src), "%s/%s", j->tree, from);
	snprintf(dst, sizeof(dst), "%s/%s", dir, to);
	rc = copy_file(src, dst);
	if (rc != 0) {
		build_host->set_error(j->inst, "cannot copy %s to %s: %s", src, dst, strerror(-rc));
	}
	return rc;
}

/* host->kernel_install's fill: build, then hand over bzImage, vmlinux, config. */
static int build_fill(struct ktstr_inst *inst, void *ctx, const char *dir,
		      struct ktstr_entry_meta *meta)
{
	struct build_job *j = ctx;
	struct ktstr_build_git after;
	char err[512];
	int rc;

	rc = run_build(j);
	if (rc != 0) {
		return rc;
	}
	rc = ktstr_build_tree__git(j->tree, &after, err, sizeof(err));
	if (rc != 0 || after.dirty || strcmp(after.hash7, j->git.hash7) != 0) {
		j->tree_changed = true;
		build_host->set_error(inst, "%s changed during the build (now %s); not caching it",
				      j->tree,
				      rc != 0	    ? err
				      : after.dirty ? "dirty"
						    : after.hash7);
		return -ESTALE;
	}
	rc = copy_out(j, "arch/x86/boot/bzImage", dir, "bzImage");
	rc = rc ?: copy_out(j, "vmlinux", dir, "vmlinux");
	rc = rc ?: copy_out(j, ".config", dir, "config");
	if (rc != 0) {
		return rc;
	}
	rc =
	    ktstr_build__source_json(j->source_json, sizeof(j->source_json), j->tree, j->git.hash7);
	if (rc != 0) {
		build_host->set_error(inst, "source path %s is too long for metadata", j->tree);
		return rc;
	}
	meta->image_name = "bzImage";
	meta->version = j->steps.version[0] != '\0' ? j->steps.version : NULL;
	meta->source_json = j->source_json;
	meta->kconfig_hash = j->kc;
	meta->source_vmlinux_size = j->steps.vmlinux_size;
	meta->source_vmlinux_mtime_secs = j->steps.vmlinux_mtime;
	return 0;
}

/* Describe the image left in the tree (dirty, non-git or changed trees). */
static int set_from_tree(struct build_job *j, struct ktstr_kernel *k, const char *why)
{
	char path[PATH_MAX + 64], origin[PATH_MAX + 128];
	int rc;

	build_host->log(j->inst, KTSTR_LOG_WARN, "%s: %s; built in place, not cached", j->tree,
			why);
	snprintf(path, sizeof(path), "%s/arch/x86/boot/bzImage", j->tree);
	rc = build_host->kernel_set(k, KTSTR_KERNEL_IMAGE, path);
	snprintf(path, sizeof(path), "%s/vmlinux", j->tree);
	rc = rc ?: build_host->kernel_set(k, KTSTR_KERNEL_VMLINUX, path);
	snprintf(path, sizeof(path), "%s/.config", j->tree);
	rc = rc ?: build_host->kernel_set(k, KTSTR_KERNEL_CONFIG, path);
	if (rc == 0 && j->steps.version[0] != '\0') {
		rc = build_host->kernel_set(k, KTSTR_KERNEL_VERSION, j->steps.version);
	}
	snprintf(origin, sizeof(origin), "built in %s (%s; not cached)", j->tree, why);
	rc = rc ?: build_host->kernel_set(k, KTSTR_KERNEL_ORIGIN, origin);
	if (rc != 0) {
		build_host->set_error(j->inst, "cannot record the kernel built in %s: %s", j->tree,
				      strerror(-rc));
	}
	return rc;
}

/*
 * The key of a clean tree. A .config there before the build makes it a
 * "-cfg{crc}" key (upstream), except when it is byte for byte the config of
 * the plain key's entry: that .config is this plugin's own earlier output,
 * so rebuilding an unchanged tree finds its entry.
 */
static int make_key(struct build_job *j, const char *root)
{
	struct build_priv *p = build_host->priv(j->inst);
	char path[PATH_MAX + 300];
	size_t len = 0, olen = 0;
	uint32_t kc = ktstr_build__crc32(0, ktstr_build_kconfig, ktstr_build_kconfig_len);
	uint32_t crc = 0;
	char *config = NULL, *cached;
	bool has_cfg;
	int rc;

	snprintf(j->kc, sizeof(j->kc), "%08x", kc);
	rc = ktstr_build__key(j->key, sizeof(j->key), j->git.hash7, false, 0, kc);
	snprintf(path, sizeof(path), "%s/.config", j->tree);
	if (rc == 0 && !p->clean) {
		config = ktstr_build__slurp(path, &len);
	}
	has_cfg = config != NULL;
	if (has_cfg) {
		crc = ktstr_build__crc32(0, config, len);
		snprintf(path, sizeof(path), "%s/%s/config", root, j->key);
		cached = ktstr_build__slurp(path, &olen);
		has_cfg = cached == NULL || ktstr_build__crc32(0, cached, olen) != crc;
		free(cached);
		free(config);
	}
	rc = rc ?: ktstr_build__key(j->key, sizeof(j->key), j->git.hash7, has_cfg, crc, kc);
	if (rc != 0) {
		build_host->set_error(j->inst, "cache key for %s is too long", j->tree);
	}
	return rc;
}

/* A clean git tree: install through the cache (builds only on a miss). */
static int resolve_cached(struct build_job *j, struct ktstr_kernel *k)
{
	struct build_priv *p = build_host->priv(j->inst);
	const char *root = build_host->kernel_cache_root(j->inst);
	struct ktstr_kernel_install req = {
	    .sz = sizeof(req), .fill = build_fill, .ctx = j, .force = p->force};
	int rc;

	if (root == NULL) {
		return -EIO; /* error set by the host */
	}
	rc = make_key(j, root);
	if (rc != 0) {
		return rc;
	}
	req.key = j->key;
	rc = build_host->kernel_install(j->inst, &req, k);
	if (rc < 0 && j->tree_changed) {
		return set_from_tree(j, k, "the tree changed during the build");
	}
	return rc < 0 ? rc : 0; /* error set by the host or the fill */
}

/* A kernel source tree has a Makefile and a Kconfig at its top. */
static bool is_source_tree(const char *dir)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/Makefile", dir);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		return false;
	}
	snprintf(path, sizeof(path), "%s/Kconfig", dir);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int build__resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	const char *bypass = getenv("KTSTR_BYPASS_LLC_LOCKS");
	struct build_job *j;
	char err[2048];
	int rc, lock = -1;

	j = calloc(1, sizeof(*j));
	if (j == NULL) {
		return -ENOMEM;
	}
	j->inst = inst;
	if (realpath(id, j->tree) == NULL || !is_source_tree(j->tree)) {
		free(j);
		return -ENOENT; /* not a source tree: not ours */
	}
	rc = ktstr_build_tree__git(j->tree, &j->git, err, sizeof(err));
	if (rc != 0) {
		build_host->set_error(inst, "%s", err);
		goto out;
	}
	/* upstream skips the source-tree lock under bypass */
	if (bypass == NULL || bypass[0] == '\0') {
		const char *root = build_host->kernel_cache_root(inst);

		if (root == NULL) {
			rc = -EIO;
			goto out;
		}
		lock = ktstr_build_tree__lock(root, j->tree, err, sizeof(err));
		if (lock < 0) {
			rc = lock;
			build_host->set_error(inst, "%s", err);
			goto out;
		}
	}
	if (j->git.is_git && !j->git.dirty) {
		rc = resolve_cached(j, k);
	} else {
		rc = run_build(j);
		rc = rc
			 ?: set_from_tree(j, k,
					  j->git.is_git ? "the git tree has uncommitted changes"
							: "it is not a git tree");
	}
out:
	if (lock >= 0) {
		close(lock);
	}
	free(j);
	return rc;
}

static const struct ktstr_kernel_source_ops build_ops = {
    .sz = sizeof(struct ktstr_kernel_source_ops),
    .resolve = build__resolve,
};

static const struct ktstr_plugin_desc build_desc = {
    KTSTR_PLUGIN_DESC_INIT,
    .kind = KTSTR_PLUGIN_KERNEL_SOURCE,
    .name = "build",
    .version = "0.1.0",
    .description = "configures and builds kernel source trees (Makefile + Kconfig), caches "
		   "clean git trees",
    .ops = &build_ops,
    .opts = build_opts,
    .priv_size = sizeof(struct build_priv),
};

KTSTR_PLUGIN_EXPORT int ktstr_plugin_entry_v1(const struct ktstr_host_api *host,
					      const struct ktstr_plugin_desc **out)
{
	if (host == NULL || !KTSTR_SZ_HAS(host, progress)) {
		return -EPROTO;
	}
	build_host = host;
	*out = &build_desc;
	return 0;
}
