/*
 * Descriptor checks: decide whether a module's descriptor is one this engine
 * can use, and if so keep engine-owned copies of it and of its ops table.
 * Every refusal is one line naming the file, the plugin (when its name could
 * be read) and both ABI versions.
 */
#include "registry_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64

/* Shortest descriptor an ABI 1.0 module can have: every member through priv_size. */
#define DESC_V1_0_SIZE KTSTR_OFFSET_END(struct ktstr_plugin_desc, priv_size)

/* What each kind's ops table must at least hold. */
struct kind_rule {
	size_t ops_size;    /* sizeof the engine's ops struct */
	size_t min_sz;      /* end of the first required op */
	size_t req_off;     /* offset of that op */
	const char *req_op; /* its name, for messages */
};

#define KIND_RULE(type, op)                                                                        \
	{                                                                                          \
		sizeof(struct type), KTSTR_OFFSET_END(struct type, op), offsetof(struct type, op), \
			#op                                                                        \
	}

static const struct kind_rule kind_rules[] = {
	[KTSTR_PLUGIN_KERNEL_SOURCE] = KIND_RULE(ktstr_kernel_source_ops, resolve),
	[KTSTR_PLUGIN_PLANNER] = KIND_RULE(ktstr_planner_ops, plan),
	[KTSTR_PLUGIN_VM] = KIND_RULE(ktstr_vm_ops, run),
	[KTSTR_PLUGIN_SINK] = KIND_RULE(ktstr_sink_ops, emit),
};

/* What could be read of the descriptor, for the message. */
struct desc_view {
	const char *path;
	char name[NAME_MAX_LEN + 1]; /* "" when unknown or not a valid name */
	bool have_version;
	unsigned major, minor;
};

bool ktstr_plugin__name_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL || *s == '\0') {
		return false;
	}
	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (n >= NAME_MAX_LEN ||
		    !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
			return false;
		}
	}
	return true;
}

/* Copy at most NAME_MAX_LEN chars of an untrusted string, printable ASCII only. */
static void printable_copy(char *dst, size_t dstlen, const char *src)
{
	size_t i = 0;

	for (; src[i] != '\0' && i + 1 < dstlen && i < NAME_MAX_LEN; i++) {
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	}
	dst[i] = '\0';
}

static int refuse(struct ktstr_registry *reg, const struct desc_view *v, char *err, size_t errlen,
		  int ret, bool versions_said, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static int refuse(struct ktstr_registry *reg, const struct desc_view *v, char *err, size_t errlen,
		  int ret, bool versions_said, const char *fmt, ...)
{
	char reason[512], vers[128], line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (versions_said) {
		vers[0] = '\0';
	} else if (v->have_version) {
		snprintf(vers, sizeof(vers), "; built for ABI %u.%u, this ktstr supports ABI %d.%d",
			 v->major, v->minor, KTSTR_ABI_MAJOR, KTSTR_ABI_MINOR);
	} else {
		snprintf(vers, sizeof(vers),
			 "; its ABI version is unknown, this ktstr supports ABI %d.%d",
			 KTSTR_ABI_MAJOR, KTSTR_ABI_MINOR);
	}
	if (v->name[0] != '\0') {
		snprintf(line, sizeof(line), "refusing plugin module %s (plugin \"%s\"): %s%s",
			 v->path, v->name, reason, vers);
	} else {
		snprintf(line, sizeof(line), "refusing plugin module %s: %s%s", v->path, reason,
			 vers);
	}
	if (err != NULL && errlen > 0) {
		snprintf(err, errlen, "%s", line);
	}
	if (ktstr_registry__add_refusal(reg, line) != 0) {
		return -ENOMEM;
	}
	return ret;
}

int ktstr_registry__refuse_file(struct ktstr_registry *reg, const char *path, char *err,
				size_t errlen, int ret, const char *fmt, ...)
{
	struct desc_view v = { .path = path };
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return refuse(reg, &v, err, errlen, ret, false, "%s", reason);
}

static int add_plugin(struct ktstr_registry *reg, struct ktstr_plugin *p)
{
	struct ktstr_plugin **grown;

	grown = realloc(reg->plugins, (reg->nplugins + 1) * sizeof(*grown));
	if (grown == NULL) {
		return -ENOMEM;
	}
	reg->plugins = grown;
	reg->plugins[reg->nplugins++] = p;
	return 0;
}

void ktstr_plugin__drop(struct ktstr_plugin *p)
{
	free(p->path);
	free(p->name);
	free(p->version);
	free(p->description);
	free(p);
}

/* The engine-owned copy: strings duplicated, ops table copied into a zeroed one. */
static int plugin__copy(struct ktstr_registry *reg, const char *path, void *handle,
			const struct ktstr_plugin_desc *d, size_t ops_sz, struct ktstr_plugin **out)
{
	struct ktstr_plugin *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		return -ENOMEM;
	}
	p->reg = reg;
	p->path = strdup(path);
	p->name = strdup(d->name);
	p->version = strdup(d->version != NULL ? d->version : "");
	p->description = strdup(d->description != NULL ? d->description : "");
	if (p->path == NULL || p->name == NULL || p->version == NULL || p->description == NULL) {
		ktstr_plugin__drop(p);
		return -ENOMEM;
	}
	p->desc = *d;
	p->desc.name = p->name;
	p->desc.version = p->version;
	p->desc.description = p->description;
	p->desc.ops = &p->ops;
	memcpy(&p->ops, d->ops, ops_sz);
	/* Say exactly how much was copied, so KTSTR_OPS_HAS sees no member past it. */
	memcpy(&p->ops, &ops_sz, sizeof(ops_sz));
	atomic_init(&p->ninst, 0);
	p->handle = handle;
	*out = p;
	return 0;
}

static const struct ktstr_plugin *find_any_kind(const struct ktstr_registry *reg, const char *name)
{
	for (size_t i = 0; i < reg->nplugins; i++) {
		if (strcmp(reg->plugins[i]->name, name) == 0) {
			return reg->plugins[i];
		}
	}
	return NULL;
}

/* The ops table: present, long enough for the kind's first required op, and that op set. */
static int check_ops(struct ktstr_registry *reg, const struct desc_view *v,
		     const struct ktstr_plugin_desc *d, const struct kind_rule *rule,
		     size_t *ops_sz, char *err, size_t errlen)
{
	const char *kind = ktstr_plugin_kind__name(d->kind);
	size_t sz;
	void (*fn)(void);

	if (d->ops == NULL) {
		return refuse(reg, v, err, errlen, -EPROTO, false,
			      "the descriptor has no ops table (a %s plugin needs one with %s)",
			      kind, rule->req_op);
	}
	memcpy(&sz, d->ops, sizeof(sz));
	if (sz < rule->min_sz) {
		return refuse(reg, v, err, errlen, -EPROTO, false,
			      "its %s ops table is %zu bytes, too short to hold %s (needs %zu)",
			      kind, sz, rule->req_op, rule->min_sz);
	}
	memcpy(&fn, (const char *)d->ops + rule->req_off, sizeof(fn));
	if (fn == NULL) {
		return refuse(reg, v, err, errlen, -EPROTO, false,
			      "its %s ops table leaves the required op %s NULL", kind,
			      rule->req_op);
	}
	*ops_sz = sz < rule->ops_size ? sz : rule->ops_size;
	return 0;
}

int ktstr_registry__adopt(struct ktstr_registry *reg, const char *path, void *handle,
			  const struct ktstr_plugin_desc *desc, char *err, size_t errlen)
{
	struct desc_view v = { .path = path };
	struct ktstr_plugin_desc d;
	const struct kind_rule *rule;
	const struct ktstr_plugin *other;
	struct ktstr_plugin *p;
	char why[256];
	size_t ops_sz = 0;
	int ret;

	if (desc == NULL) {
		return refuse(reg, &v, err, errlen, -EPROTO, false,
			      "its entry function returned no descriptor");
	}
	if (desc->sz >= KTSTR_OFFSET_END(struct ktstr_plugin_desc, abi_minor)) {
		v.have_version = true;
		v.major = desc->abi_major;
		v.minor = desc->abi_minor;
	}
	/* The prefix through `name` is the same in every major, so it can be read
	 * before the major is known to match (docs/plugins.md). */
	if (desc->sz >= KTSTR_OFFSET_END(struct ktstr_plugin_desc, name) &&
	    ktstr_plugin__name_valid(desc->name)) {
		snprintf(v.name, sizeof(v.name), "%s", desc->name);
	}
	if (!v.have_version) {
		return refuse(reg, &v, err, errlen, -EPROTO, false,
			      "its descriptor is %zu bytes, too short to hold its ABI version "
			      "(an ABI %d.0 descriptor is %zu bytes)",
			      desc->sz, KTSTR_ABI_MAJOR, (size_t)DESC_V1_0_SIZE);
	}
	if (v.major != KTSTR_ABI_MAJOR) {
		return refuse(reg, &v, err, errlen, -EPROTO, true,
			      "built for ABI %u.%u, this ktstr supports ABI %d.%d; rebuild it "
			      "against this ktstr's plugin headers (pkg-config ktstr-plugin)",
			      v.major, v.minor, KTSTR_ABI_MAJOR, KTSTR_ABI_MINOR);
	}
	if (desc->sz < DESC_V1_0_SIZE) {
		return refuse(reg, &v, err, errlen, -EPROTO, false,
			      "its descriptor is %zu bytes, an ABI %d.0 descriptor is at least %zu "
			      "(through priv_size)",
			      desc->sz, KTSTR_ABI_MAJOR, (size_t)DESC_V1_0_SIZE);
	}
	memset(&d, 0, sizeof(d));
	memcpy(&d, desc, desc->sz < sizeof(d) ? desc->sz : sizeof(d));
	if ((unsigned)d.kind >= sizeof(kind_rules) / sizeof(kind_rules[0]) ||
	    kind_rules[d.kind].ops_size == 0) {
		return refuse(reg, &v, err, errlen, -EPROTO, false,
			      "unknown plugin kind %d (kinds: 1 kernel-source, 2 planner, 3 vm, "
			      "4 sink)",
			      (int)d.kind);
	}
	rule = &kind_rules[d.kind];
	if (!ktstr_plugin__name_valid(d.name)) {
		char shown[NAME_MAX_LEN + 1] = "";

		if (d.name != NULL) {
			printable_copy(shown, sizeof(shown), d.name);
		}
		return refuse(reg, &v, err, errlen, -EPROTO, false,
			      "plugin name %s%s%s is invalid (it must be 1-%d characters of "
			      "a-z, 0-9, '_' and '-')",
			      d.name != NULL ? "\"" : "", d.name != NULL ? shown : "NULL",
			      d.name != NULL ? "\"" : "", NAME_MAX_LEN);
	}
	ret = check_ops(reg, &v, &d, rule, &ops_sz, err, errlen);
	if (ret != 0) {
		return ret;
	}
	if (ktstr_opt__check_specs(d.opts, d.priv_size, why, sizeof(why)) != 0) {
		return refuse(reg, &v, err, errlen, -EPROTO, false, "%s", why);
	}
	other = find_any_kind(reg, d.name);
	if (other != NULL) {
		return refuse(reg, &v, err, errlen, -EEXIST, false,
			      "a %s plugin named \"%s\" is already loaded from %s (rename one, or "
			      "drop one of the modules from the search path)",
			      ktstr_plugin_kind__name(other->desc.kind), d.name, other->path);
	}
	ret = plugin__copy(reg, path, handle, &d, ops_sz, &p);
	if (ret != 0) {
		return ret;
	}
	ret = add_plugin(reg, p);
	if (ret != 0) {
		ktstr_plugin__drop(p); /* the caller still owns the handle on failure */
	}
	return ret;
}
