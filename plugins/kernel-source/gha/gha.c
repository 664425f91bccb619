/*
 * kernel-source/gha: the GitHub Actions cache service as a remote kernel
 * cache. On when KTSTR_GHA_CACHE=1 and the runner's cache URL is set; entries
 * are restored before another source builds or downloads a kernel, and
 * published after every local install. The local cache stays authoritative:
 * every failure is one warning line, and after the first one the service is
 * left alone for the rest of the run.
 */
#define _GNU_SOURCE /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ktstr/kernel_source.h>
#include <ktstr/plugin.h>

#include "gha_blob.h"
#include "gha_client.h"
#include "gha_env.h"
#include "gha_key.h"

#define GHA_ERR_MAX 1024
#define GHA_PROGRESS_MIN (8u << 20) /* blobs smaller than this show no progress */

#define GHA_MISSES_MAX 32

struct gha_priv {
	int64_t timeout_s;
	int64_t max_blob_mb;
	int64_t retry_ms;
	atomic_bool failed; /* the service failed once: skip it for the rest of the run */
	/*
	 * Keys the service said it does not have, so the install that follows a
	 * miss in resolve does not ask again through remote_fetch.
	 */
	pthread_mutex_t misses_lock;
	char misses[GHA_MISSES_MAX][NAME_MAX + 1];
	unsigned nmisses;   /* slots in use, up to GHA_MISSES_MAX */
	unsigned miss_next; /* the slot the next miss takes (the oldest once full) */
};

static const struct ktstr_host_api *gha_host;

static const struct ktstr_opt_spec gha_opts[] = {
    {KTSTR_OPT_INT, "timeout_s", "300", offsetof(struct gha_priv, timeout_s),
     "seconds one request (a whole blob transfer included) may take"},
    {KTSTR_OPT_INT, "max_blob_mb", "4096", offsetof(struct gha_priv, max_blob_mb),
     "largest blob (and blob entry) downloaded, in MiB"},
    {KTSTR_OPT_INT, "retry_ms", "1000", offsetof(struct gha_priv, retry_ms),
     "wait before the one retry of a 429 or 5xx answer"},
    {0},
};

/* One restore or publish: the instance, the service, the progress label. */
struct gha_op {
	struct ktstr_inst *inst;
	const char *key;
	struct ktstr_gha_env env;
	struct ktstr_gha_client client;
	char what[320];
	char err[GHA_ERR_MAX];
};

static void gha__progress(void *ctx, uint64_t done, uint64_t total)
{
	struct gha_op *op = ctx;

	if ((total >= GHA_PROGRESS_MIN || done >= GHA_PROGRESS_MIN) &&
	    KTSTR_OPS_HAS(gha_host, progress)) {
		gha_host->progress(op->inst, op->what, done, total);
	}
}

static const char *gha__getenv(const char *name)
{
	return getenv(name);
}

static void gha__debug(void *ctx, const char *msg)
{
	KTSTR_PLG_DBG(gha_host, ((struct gha_op *)ctx)->inst, "%s", msg);
}

/*
 * Set @op up for @key. 0 when the service is on and usable; -ENOENT when
 * it is off or failed earlier in this run (silent); another -errno with
 * op->err set when the environment cannot be used.
 */
static int gha__begin(struct gha_op *op, struct ktstr_inst *inst, const char *verb, const char *key)
{
	struct gha_priv *p = gha_host->priv(inst);
	int ret;

	memset(op, 0, sizeof(*op));
	op->inst = inst;
	op->key = key;
	ret = ktstr_gha_env__read(gha__getenv, &op->env, op->err, sizeof(op->err));
	if (ret < 0 || !op->env.enabled) {
		return ret < 0 ? ret : -ENOENT;
	}
	if (atomic_load(&p->failed)) {
		KTSTR_PLG_DBG(gha_host, inst, "%s: skipped, the service failed earlier", key);
		return -ENOENT;
	}
	snprintf(op->what, sizeof(op->what), "%s %s", verb, key);
	op->client = (struct ktstr_gha_client){
	    .env = &op->env,
	    .timeout_s = (long)p->timeout_s,
	    .max_blob = (uint64_t)p->max_blob_mb << 20,
	    .retry_ms = (unsigned)p->retry_ms,
	    .progress = gha__progress,
	    .progress_ctx = op,
	    .cancelled = gha_host->cancelled,
	    .debug = gha__debug,
	    .debug_ctx = op,
	};
	return 0;
}

static bool gha__missed(struct gha_priv *p, const char *key)
{
	bool found = false;

	pthread_mutex_lock(&p->misses_lock);
	for (unsigned i = 0; i < p->nmisses && !found; i++) {
		found = strcmp(p->misses[i], key) == 0;
	}
	pthread_mutex_unlock(&p->misses_lock);
	return found;
}

/* Remember a miss of @key (the oldest goes when the list is full). */
static void gha__note_miss(struct gha_priv *p, const char *key)
{
	if (strlen(key) > NAME_MAX) {
		return;
	}
	pthread_mutex_lock(&p->misses_lock);
	snprintf(p->misses[p->miss_next], sizeof(p->misses[0]), "%s", key);
	p->miss_next = (p->miss_next + 1) % GHA_MISSES_MAX;
	if (p->nmisses < GHA_MISSES_MAX) {
		p->nmisses++;
	}
	pthread_mutex_unlock(&p->misses_lock);
}

/* A failure of the service: remember it so the rest of the run leaves it alone. */
static int gha__failed(struct gha_op *op, int ret)
{
	struct gha_priv *p = gha_host->priv(op->inst);

	if (ret < 0 && ret != -ENOENT && ret != -ECANCELED && ret != -EEXIST) {
		atomic_store(&p->failed, true);
	}
	return ret;
}

/* An unlinked temporary file in @dir, open for reading and writing. */
static FILE *gha__temp(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/.gha-blob-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC); /* not in make or apt started meanwhile */
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file in %s: %s", dir,
			 strerror(errno));
		return NULL;
	}
	unlink(path);
	f = fdopen(fd, "w+");
	if (f == NULL) {
		snprintf(err, errlen, "cannot open a temporary file in %s: %s", dir,
			 strerror(errno));
		close(fd);
	}
	return f;
}

/* Download the blob at @url and unpack it into @dir. */
static int gha__restore(struct gha_op *op, const char *url, const char *dir,
			struct ktstr_gha_blob_info *info)
{
	char why[GHA_ERR_MAX];
	FILE *blob = gha__temp(dir, op->err, sizeof(op->err));
	int ret;

	if (blob == NULL) {
		return -EIO;
	}
	ret = ktstr_gha__download(&op->client, url, blob, why, sizeof(why));
	if (ret == 0 && fseeko(blob, 0, SEEK_SET) != 0) {
		ret = -errno;
		snprintf(why, sizeof(why), "cannot rewind the blob: %s", strerror(-ret));
	}
	if (ret == 0) {
		ret =
		    ktstr_gha_blob__unpack(blob, dir, op->client.max_blob, info, why, sizeof(why));
	}
	fclose(blob);
	if (ret < 0) {
		snprintf(op->err, sizeof(op->err), "%s", why);
		return gha__failed(op, ret == -ENOENT ? -EIO : ret); /* found, then gone */
	}
	KTSTR_PLG_INFO(gha_host, op->inst, "%s: fetched from remote cache: %s",
		       gha_host->inst_name(op->inst), op->key);
	return 0;
}

static int gha__remote_fetch(struct ktstr_inst *inst, const char *key, const char *dir)
{
	struct ktstr_gha_blob_info info;
	struct gha_op *op = malloc(sizeof(*op));
	char *url = NULL;
	int ret;

	if (op == NULL) {
		return -ENOMEM;
	}
	ret = ktstr_gha_key__valid(key) ? gha__begin(op, inst, "download", key) : -ENOENT;
	if (ret == 0 && gha__missed(gha_host->priv(inst), key)) {
		KTSTR_PLG_DBG(gha_host, inst, "%s: a miss earlier in this run; not asked again", key);
		ret = -ENOENT;
	}
	if (ret == 0) {
		ret = gha__failed(
		    op, ktstr_gha__lookup(&op->client, key, &url, op->err, sizeof(op->err)));
	}
	if (ret == 0) {
		ret = gha__restore(op, url, dir, &info);
	}
	if (ret < 0 && ret != -ENOENT) {
		gha_host->set_error(inst, "%s", op->err);
	}
	free(url);
	free(op);
	return ret;
}

/* What resolve's fill needs: the service and where the blob is. */
struct gha_fill {
	struct gha_op *op;
	const char *url;
	struct ktstr_gha_blob_info info;
};

static int gha__fill(struct ktstr_inst *inst, void *ctx, const char *dir,
		     struct ktstr_entry_meta *meta)
{
	struct gha_fill *f = ctx;
	int ret = gha__restore(f->op, f->url, dir, &f->info);

	if (ret < 0) {
		gha_host->set_error(inst, "%s", f->op->err);
		return ret;
	}
	meta->image_name = f->info.image_name;
	meta->version = f->info.version[0] != '\0' ? f->info.version : NULL;
	return 0;
}

static int gha__resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	struct gha_fill fill = {0};
	struct ktstr_kernel_install req = {
	    .sz = sizeof(req), .key = id, .fill = gha__fill, .ctx = &fill};
	char *url = NULL;
	int ret;

	if (!ktstr_gha_key__is_cache_key(id) || !KTSTR_OPS_HAS(gha_host, kernel_install)) {
		return -ENOENT;
	}
	fill.op = malloc(sizeof(*fill.op));
	if (fill.op == NULL) {
		return -ENOMEM;
	}
	ret = gha__begin(fill.op, inst, "download", id);
	if (ret == 0) {
		ret = gha__failed(fill.op, ktstr_gha__lookup(&fill.op->client, id, &url,
							     fill.op->err, sizeof(fill.op->err)));
		if (ret == -ENOENT) {
			gha__note_miss(gha_host->priv(inst), id);
		}
	}
	if (ret == 0) {
		fill.url = url;
		ret = gha_host->kernel_install(inst, &req, k);
		if (ret < 0 && fill.op->err[0] == '\0') {
			/* the engine refused what the fill left (its error says why) */
			snprintf(fill.op->err, sizeof(fill.op->err),
				 "the restored entry %s could not be installed: %s", id,
				 strerror(-ret));
		}
		/*
		 * Not gha__failed: the service's own failures (download, blob) were
		 * noted in the fill; a local one (-EBUSY, -ENOSPC) says nothing of it.
		 */
		ret = ret < 0 ? ret : 0;
	}
	if (ret < 0 && ret != -ENOENT && ret != -ECANCELED) {
		/* The chain goes on to the next source; say once why this one did not help. */
		KTSTR_PLG_WARN(gha_host, inst, "%s: remote cache read warning: %s",
			       gha_host->inst_name(inst),
			       fill.op->err[0] != '\0' ? fill.op->err : strerror(-ret));
		ret = -ENOENT;
	}
	free(url);
	free(fill.op);
	return ret;
}

static int gha__remote_store(struct ktstr_inst *inst, const char *key, const char *dir)
{
	struct gha_op *op = malloc(sizeof(*op));
	const char *scratch;
	FILE *blob = NULL;
	off_t len = 0;
	int ret;

	if (op == NULL) {
		return -ENOMEM;
	}
	ret = ktstr_gha_key__valid(key) ? gha__begin(op, inst, "upload", key) : -ENOENT;
	if (ret == 0) {
		scratch = gha_host->scratch_dir(inst);
		blob = scratch != NULL ? gha__temp(scratch, op->err, sizeof(op->err)) : NULL;
		ret = blob != NULL ? 0 : -EIO;
		if (scratch == NULL) {
			snprintf(op->err, sizeof(op->err), "no scratch directory for the blob");
		}
	}
	if (ret == 0) {
		char why[GHA_ERR_MAX];

		ret = ktstr_gha_blob__pack(dir, blob, why, sizeof(why));
		if (ret < 0) {
			snprintf(op->err, sizeof(op->err), "pack: %s", why);
		}
	}
	if (ret == 0 && (fflush(blob) != 0 || (len = ftello(blob)) < 0)) {
		ret = -errno;
		snprintf(op->err, sizeof(op->err), "cannot write the blob: %s", strerror(-ret));
	}
	if (ret == 0) {
		ret = gha__failed(op, ktstr_gha__upload(&op->client, key, blob, (uint64_t)len,
							op->err, sizeof(op->err)));
	}
	if (ret < 0 && ret != -ENOENT && ret != -EEXIST) {
		gha_host->set_error(inst, "%s", op->err);
	}
	if (blob != NULL) {
		fclose(blob);
	}
	free(op);
	return ret;
}

static int gha__init(struct ktstr_inst *inst)
{
	struct gha_priv *p = gha_host->priv(inst);

	if (p->timeout_s < 1 || p->max_blob_mb < 1 || p->max_blob_mb > (1 << 20) ||
	    p->retry_ms < 0 || p->retry_ms > 60000) {
		gha_host->set_error(inst,
				    "timeout_s must be >= 1, max_blob_mb within 1..1048576 and "
				    "retry_ms within 0..60000");
		return -EINVAL;
	}
	if (ktstr_gha_http__global_init() < 0) {
		gha_host->set_error(inst, "cannot initialise libcurl");
		return -ENOMEM;
	}
	pthread_mutex_init(&p->misses_lock, NULL);
	return 0;
}

static void gha__fini(struct ktstr_inst *inst)
{
	struct gha_priv *p = gha_host->priv(inst);

	pthread_mutex_destroy(&p->misses_lock);
}

static const struct ktstr_kernel_source_ops gha_ops = {
    .sz = sizeof(struct ktstr_kernel_source_ops),
    .init = gha__init,
    .fini = gha__fini,
    .resolve = gha__resolve,
    .remote_fetch = gha__remote_fetch,
    .remote_store = gha__remote_store,
};

static const struct ktstr_plugin_desc gha_desc = {
    KTSTR_PLUGIN_DESC_INIT,
    .kind = KTSTR_PLUGIN_KERNEL_SOURCE,
    .name = "gha",
    .version = "0.1.0",
    .description = "GitHub Actions cache service as a remote kernel cache (KTSTR_GHA_CACHE=1)",
    .ops = &gha_ops,
    .opts = gha_opts,
    .priv_size = sizeof(struct gha_priv),
};

KTSTR_PLUGIN_EXPORT int ktstr_plugin_entry_v1(const struct ktstr_host_api *host,
					      const struct ktstr_plugin_desc **out)
{
	if (host == NULL || !KTSTR_SZ_HAS(host, kernel_set)) {
		return -EPROTO;
	}
	gha_host = host;
	*out = &gha_desc;
	return 0;
}
