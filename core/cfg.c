#include "cfg.h"

#include <stdlib.h>
#include <string.h>

void ktstr_cfg__release(struct ktstr_cfg *c)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		free(c->kv[i].key);
		free(c->kv[i].value);
	}
	free(c->kv);
	free(c->file);
	memset(c, 0, sizeof(*c));
}

const struct ktstr_cfg_kv *ktstr_cfg__find(const struct ktstr_cfg *c, const char *key)
{
	for (size_t i = 0; c != NULL && i < c->n; i++) {
		if (strcmp(c->kv[i].key, key) == 0) {
			return &c->kv[i];
		}
	}
	return NULL;
}
