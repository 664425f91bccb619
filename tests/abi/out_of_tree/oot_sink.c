/*
 * An out-of-tree result sink: builds with nothing but
 * `pkg-config --cflags ktstr-plugin` (and msgpack to read the records).
 * Option `path` names a file; every record appends one line to it:
 *   record <n> test_name=<name> passed=<true|false|?>
 * This is the example docs/plugins.md walks through.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <msgpack.h>

#include <ktstr/sink.h>

struct oot_sink {
	const char *path; /* option "path" (engine-owned) */
	FILE *out;
	unsigned long n;
};

static const struct ktstr_host_api *host;

static int oot_open(struct ktstr_inst *inst, const struct ktstr_sink_open_opts *opts)
{
	struct oot_sink *s = host->priv(inst);

	if (s->path == NULL) {
		host->set_error(inst, "option \"path\" is required");
		return -EINVAL;
	}
	s->out = fopen(s->path, "a");
	if (s->out == NULL) {
		int err = errno;

		host->set_error(inst, "cannot open %s: %s", s->path, strerror(err));
		return -err;
	}
	s->n = 0;
	KTSTR_PLG_DBG(host, inst, "appending records of run %s to %s", opts->run_id, s->path);
	return 0;
}

static bool key_is(const msgpack_object *k, const char *name)
{
	size_t len = strlen(name);

	return k->type == MSGPACK_OBJECT_STR && k->via.str.size == len &&
	       memcmp(k->via.str.ptr, name, len) == 0;
}

static int oot_emit(struct ktstr_inst *inst, const void *rec, size_t len)
{
	struct oot_sink *s = host->priv(inst);
	const char *passed = "?";
	msgpack_object_str name = { 0, "" };
	msgpack_unpacked msg;
	int ret = 0;

	msgpack_unpacked_init(&msg);
	if (msgpack_unpack_next(&msg, rec, len, NULL) != MSGPACK_UNPACK_SUCCESS ||
	    msg.data.type != MSGPACK_OBJECT_MAP) {
		host->set_error(inst, "record %lu is not a msgpack map", s->n + 1);
		ret = -EINVAL;
		goto out;
	}
	/* Unknown keys are skipped: records grow over time. */
	for (uint32_t i = 0; i < msg.data.via.map.size; i++) {
		const msgpack_object_kv *kv = &msg.data.via.map.ptr[i];

		if (key_is(&kv->key, "test_name") && kv->val.type == MSGPACK_OBJECT_STR) {
			name = kv->val.via.str;
		} else if (key_is(&kv->key, "passed") && kv->val.type == MSGPACK_OBJECT_BOOLEAN) {
			passed = kv->val.via.boolean ? "true" : "false";
		}
	}
	s->n++;
	if (fprintf(s->out, "record %lu test_name=%.*s passed=%s\n", s->n, (int)name.size,
		    name.ptr, passed) < 0 ||
	    fflush(s->out) != 0) {
		host->set_error(inst, "cannot write to %s", s->path);
		ret = -EIO;
	}
out:
	msgpack_unpacked_destroy(&msg);
	return ret;
}

static int oot_close(struct ktstr_inst *inst)
{
	struct oot_sink *s = host->priv(inst);
	int ret = fclose(s->out) == 0 ? 0 : -EIO;

	s->out = NULL;
	if (ret != 0) {
		host->set_error(inst, "cannot close %s", s->path);
	}
	return ret;
}

static const struct ktstr_sink_ops oot_ops = {
	.sz = sizeof(oot_ops),
	.open = oot_open,
	.emit = oot_emit,
	.close = oot_close,
};

static const struct ktstr_opt_spec oot_opts[] = {
	{ KTSTR_OPT_STR, "path", NULL, offsetof(struct oot_sink, path), "file to append to" },
	{ 0 },
};

static const struct ktstr_plugin_desc oot_desc = {
	KTSTR_PLUGIN_DESC_INIT,
	.kind = KTSTR_PLUGIN_SINK,
	.name = "oot-sink",
	.version = "1.0.0",
	.description = "appends one line per result record to a file",
	.ops = &oot_ops,
	.opts = oot_opts,
	.priv_size = sizeof(struct oot_sink),
};

int ktstr_plugin_entry_v1(const struct ktstr_host_api *h, const struct ktstr_plugin_desc **out)
{
	host = h;
	*out = &oot_desc;
	return 0;
}
