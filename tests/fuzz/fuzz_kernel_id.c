/*
 * Kernel ids and KTSTR_KERNEL_LIST on arbitrary text. The input is one id,
 * the env form of it, and a KTSTR_KERNEL_LIST value. Invariants: parsing a
 * non-empty id never fails; the kind is stable under reparse; a range's
 * ends are versions; labels sanitize to kernel_[a-z0-9_]*; a parsed list
 * encodes (when it can) and reparses to the same entries.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_id.h"
#include "kernel_label.h"
#include "kernel_list_env.h"

static void check_label(const char *raw)
{
	char out[512];

	ktstr_kernel_label__sanitize(raw, out, sizeof(out));
	if (strncmp(out, "kernel_", 7) != 0) {
		abort();
	}
	for (const char *p = out + 7; *p != '\0'; p++) {
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_') ||
		    (*p == '_' && (p == out + 7 || p[-1] == '_'))) {
			abort();
		}
	}
}

static void check_id(const char *s)
{
	struct ktstr_kernel_id id, again;
	struct ktstr_kver v;
	char err[512], label[4096];

	if (ktstr_kernel_id__parse(s, &id, err, sizeof(err)) != 0) {
		if (s[0] != '\0') {
			abort();
		}
		return;
	}
	if (id.kind == KTSTR_KID_RANGE &&
	    (!ktstr_kver__parse(id.a, &v) || !ktstr_kver__parse(id.b, &v))) {
		abort();
	}
	if (ktstr_kernel_id__parse(s, &again, err, sizeof(err)) != 0 || again.kind != id.kind) {
		abort();
	}
	ktstr_kernel_id__validate(&id, err, sizeof(err));
	if (id.kind != KTSTR_KID_RANGE) {
		ktstr_kernel_label__raw(&id, NULL, label, sizeof(label));
		check_label(label);
	}
	ktstr_kernel_id__release(&again);
	ktstr_kernel_id__release(&id);
	if (ktstr_kernel_id__from_env(s, &id, err, sizeof(err)) == 1) {
		if (id.kind == KTSTR_KID_RANGE || id.kind == KTSTR_KID_GIT) {
			abort();
		}
		ktstr_kernel_id__release(&id);
	}
}

static void check_list(const char *s)
{
	struct ktstr_klist l, back;
	char err[512], *enc = NULL;

	if (ktstr_klist__parse(s, &l) != 0) {
		return;
	}
	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].label[0] == '\0' || l.v[i].dir[0] == '\0' || strchr(l.v[i].label, ';') ||
		    strchr(l.v[i].label, '=') || strchr(l.v[i].dir, ';')) {
			abort();
		}
		check_label(l.v[i].label);
	}
	if (ktstr_klist__encode(&l, &enc, err, sizeof(err)) == 0) {
		if (ktstr_klist__parse(enc, &back) != 0) {
			abort();
		}
		/* entries are trimmed on parse, so a reparse gives them back unchanged */
		if (back.n != l.n) {
			abort();
		}
		for (size_t i = 0; i < l.n; i++) {
			if (strcmp(back.v[i].label, l.v[i].label) != 0 ||
			    strcmp(back.v[i].dir, l.v[i].dir) != 0) {
				abort();
			}
		}
		ktstr_klist__release(&back);
	}
	free(enc);
	ktstr_klist__dedupe(&l, err, sizeof(err));
	ktstr_klist__release(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL) {
		return 0;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	check_id(s);
	check_list(s);
	free(s);
	return 0;
}
