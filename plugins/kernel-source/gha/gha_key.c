#include "gha_key.h"

#include <ctype.h>
#include <string.h>

bool ktstr_gha_key__valid(const char *key)
{
	bool blank = true;

	if (key[0] == '\0' || strcmp(key, ".") == 0 || strncmp(key, ".tmp-", 5) == 0 ||
	    strstr(key, "..") != NULL) {
		return false;
	}
	for (const char *p = key; *p != '\0'; p++) {
		if (*p == '/' || *p == '\\' || iscntrl((unsigned char)*p)) {
			return false;
		}
		blank = blank && isspace((unsigned char)*p);
	}
	return !blank;
}

/* Past one or more digits at @p; NULL when there is none. */
static const char *key__digits(const char *p)
{
	if (!isdigit((unsigned char)*p)) {
		return NULL;
	}
	while (isdigit((unsigned char)*p)) {
		p++;
	}
	return p;
}

/* D+.D+(.D+)?(-rcD+)?: what KernelId::parse reads as a version. */
static bool key__version(const char *id)
{
	const char *p = key__digits(id);
	int dots = 0;

	while (p != NULL && *p == '.' && dots < 2) {
		p = key__digits(p + 1);
		dots++;
	}
	if (p == NULL || dots == 0) {
		return false;
	}
	if (strncmp(p, "-rc", 3) == 0) {
		p = key__digits(p + 3);
	}
	return p != NULL && *p == '\0';
}

bool ktstr_gha_key__is_cache_key(const char *id)
{
	return ktstr_gha_key__valid(id) && id[0] != '.' && id[0] != '~' && !key__version(id) &&
	       strcmp(id, "latest") != 0;
}
