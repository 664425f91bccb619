/*
 * The `sidecar` result sink: every record becomes one pretty JSON file
 * named "{test_name}-{variant_hash}.ktstr.json", upstream's sidecar format
 * plus ktstr's keys. Unlike upstream it never deletes or overwrites a
 * result: a name already taken gets a "-N" suffix.
 *
 * Directory: KTSTR_SIDECAR_DIR (non-empty) over the `dir` option over the
 * run directory handed to open().
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <ktstr/plugin.h>
#include <ktstr/sink.h>

/* The converter shared with the engine (compiled into this module, see CMakeLists.txt). */
#include "../../../core/msgpack_json.h"
#include "sidecar_internal.h"

struct sidecar {
	const char *dir_opt; /* option `dir`, engine-owned */
	char *dir;	     /* where this run's files go */
};

static const struct ktstr_host_api *host;

static int sidecar_open(struct ktstr_inst *inst, const struct ktstr_sink_open_opts *opts)
{
	struct sidecar *sc = host->priv(inst);
	const char *env = getenv("KTSTR_SIDECAR_DIR");
	const char *dir = KTSTR_OPTS_GET(opts, run_dir, NULL);
	int rc;

	if (sc->dir_opt != NULL && sc->dir_opt[0] != '\0') {
		dir = sc->dir_opt;
	}
	if (env != NULL && env[0] != '\0') {
		dir = env;
	}
	if (dir == NULL || dir[0] == '\0') {
		host->set_error(inst, "no directory for sidecar files: set the sink's `dir` option "
				      "or KTSTR_SIDECAR_DIR");
		return -EINVAL;
	}
	rc = ktstr_sidecar__mkdir_p(dir);
	if (rc != 0) {
		host->set_error(inst, "cannot create the sidecar directory %s: %s", dir,
				strerror(-rc));
		return rc;
	}
	sc->dir = strdup(dir);
	if (sc->dir == NULL) {
		return -ENOMEM;
	}
	KTSTR_PLG_DBG(host, inst, "writing sidecars to %s", sc->dir);
	return 0;
}

/* The document as pretty JSON with a final newline. */
static char *render(const json_t *rec, size_t *len)
{
	json_t *doc = ktstr_sidecar__doc(rec);
	char *text, *grown;

	if (doc == NULL) {
		return NULL;
	}
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text == NULL) {
		return NULL;
	}
	*len = strlen(text);
	grown = realloc(text, *len + 2);
	if (grown == NULL) {
		free(text);
		return NULL;
	}
	grown[(*len)++] = '\n';
	grown[*len] = '\0';
	return grown;
}

static int sidecar_emit(struct ktstr_inst *inst, const void *buf, size_t len)
{
	struct sidecar *sc = host->priv(inst);
	char stem[256], path[PATH_MAX];
	json_t *rec;
	size_t n;
	char *text;
	int rc;

	rc = ktstr_msgpack__to_json(buf, len, &rec);
	if (rc == 0 && !json_is_object(rec)) {
		rc = -EINVAL;
	}
	if (rc != 0) {
		json_decref(rec);
		host->set_error(inst,
				"result record is not a msgpack map (%s); nothing written to %s",
				strerror(-rc), sc->dir);
		return rc;
	}
	ktstr_sidecar__stem(rec, stem, sizeof(stem));
	text = render(rec, &n);
	json_decref(rec);
	if (text == NULL) {
		host->set_error(inst, "out of memory rendering %s/%s.ktstr.json", sc->dir, stem);
		return -ENOMEM;
	}
	rc = ktstr_sidecar__write_new(sc->dir, stem, text, n, path, sizeof(path));
	free(text);
	if (rc != 0) {
		host->set_error(inst, "cannot write sidecar %s: %s", path, strerror(-rc));
		return rc;
	}
	KTSTR_PLG_DBG(host, inst, "wrote %s", path);
	return 0;
}

static int sidecar_close(struct ktstr_inst *inst)
{
	struct sidecar *sc = host->priv(inst);

	free(sc->dir);
	sc->dir = NULL;
	return 0;
}

static const struct ktstr_sink_ops ops = {
	.sz = sizeof(struct ktstr_sink_ops),
	.open = sidecar_open,
	.emit = sidecar_emit,
	.close = sidecar_close,
};

static const struct ktstr_opt_spec opts[] = {
	{ KTSTR_OPT_STR, "dir", NULL, offsetof(struct sidecar, dir_opt),
	  "directory for the .ktstr.json files (default: the run directory; "
	  "KTSTR_SIDECAR_DIR overrides both)" },
	{ 0 },
};

static const struct ktstr_plugin_desc desc = {
	KTSTR_PLUGIN_DESC_INIT,
	.kind = KTSTR_PLUGIN_SINK,
	.name = "sidecar",
	.version = "1.0",
	.description = "one upstream-compatible .ktstr.json file per test; never overwrites",
	.ops = &ops,
	.opts = opts,
	.priv_size = sizeof(struct sidecar),
};

KTSTR_PLUGIN_EXPORT int ktstr_plugin_entry_v1(const struct ktstr_host_api *h,
					      const struct ktstr_plugin_desc **out)
{
	if (h == NULL || h->abi_major != KTSTR_ABI_MAJOR || !KTSTR_SZ_HAS(h, priv) ||
	    h->set_error == NULL || h->priv == NULL) {
		return -ENOTSUP;
	}
	host = h;
	*out = &desc;
	return 0;
}
