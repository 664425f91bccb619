#include "build_conf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *const ktstr_build_required[] = {
    "CONFIG_SCHED_CLASS_EXT=y",
    "CONFIG_DEBUG_INFO_BTF=y",
    "CONFIG_BPF_SYSCALL=y",
    "CONFIG_FTRACE=y",
    "CONFIG_KPROBE_EVENTS=y",
    "CONFIG_BPF_EVENTS=y",
    NULL,
};

uint32_t ktstr_build__crc32(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	crc = ~crc;
	while (len-- > 0) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++) {
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
		}
	}
	return ~crc;
}

int ktstr_build__key(char *out, size_t len, const char *hash7, bool has_cfg, uint32_t cfg,
		     uint32_t kc)
{
	int n;

	if (has_cfg) {
		n = snprintf(out, len, "local-%s-%s-cfg%08x-kc%08x", hash7, KTSTR_BUILD_ARCH, cfg,
			     kc);
	} else {
		n = snprintf(out, len, "local-%s-%s-kc%08x", hash7, KTSTR_BUILD_ARCH, kc);
	}
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int ktstr_build__source_json(char *out, size_t len, const char *tree, const char *hash7)
{
	size_t used;
	int n;

	n = snprintf(out, len, "{\"type\":\"local\",\"source_tree_path\":\"");
	if (n < 0 || (size_t)n >= len) {
		return -ENAMETOOLONG;
	}
	used = (size_t)n;
	for (const unsigned char *p = (const unsigned char *)tree; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			n = snprintf(out + used, len - used, "\\%c", *p);
		} else if (*p < 0x20) {
			n = snprintf(out + used, len - used, "\\u%04x", *p);
		} else {
			n = snprintf(out + used, len - used, "%c", *p);
		}
		if (n < 0 || (size_t)n >= len - used) {
			return -ENAMETOOLONG;
		}
		used += (size_t)n;
	}
	n = snprintf(out + used, len - used, "\",\"git_hash\":\"%s\"}", hash7);
	return n > 0 && (size_t)n < len - used ? 0 : -ENAMETOOLONG;
}

/* [*b, *e) trimmed of blanks (space, tab, CR). */
static void trim(const char **b, const char **e)
{
	while (*b < *e && (**b == ' ' || **b == '\t' || **b == '\r')) {
		(*b)++;
	}
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r')) {
		(*e)--;
	}
}

/* True when the trimmed line [b, e) is a trimmed line of @config. */
static bool has_trimmed(const char *config, size_t len, const char *b, const char *e)
{
	const char *p = config, *end = config + len;
	size_t n = (size_t)(e - b);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lb = p, *le = nl != NULL ? nl : end;

		trim(&lb, &le);
		if ((size_t)(le - lb) == n && memcmp(lb, b, n) == 0) {
			return true;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return false;
}

bool ktstr_build__has_line(const char *config, size_t len, const char *line)
{
	const char *p = config, *end = config + len;
	size_t n = strlen(line);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;

		if ((size_t)(le - p) == n && memcmp(p, line, n) == 0) {
			return true;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return false;
}

bool ktstr_build__fragment_present(const char *config, size_t len, const char *frag, size_t fraglen)
{
	const char *p = frag, *end = frag + fraglen;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *b = p, *e = nl != NULL ? nl : end;

		trim(&b, &e);
		if (b < e && !has_trimmed(config, len, b, e)) {
			return false;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return true;
}

unsigned ktstr_build__missing(const char *config, size_t len, char *out, size_t outlen)
{
	unsigned missing = 0;
	size_t used = 0;

	if (outlen > 0) {
		out[0] = '\0';
	}
	for (const char *const *r = ktstr_build_required; *r != NULL; r++) {
		const char *name = *r + strlen("CONFIG_");
		int n;

		if (ktstr_build__has_line(config, len, *r)) {
			continue;
		}
		n = snprintf(out + used, outlen - used, "%s%.*s", missing ? ", " : "",
			     (int)(strlen(name) - 2), name);
		if (n > 0 && (size_t)n < outlen - used) {
			used += (size_t)n;
		}
		missing++;
	}
	return missing;
}
