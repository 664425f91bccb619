#include "cache_id.h"

#include <ctype.h>
#include <string.h>

bool ktstr_cache_key__valid(const char *key)
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

/* Skip one or more digits; NULL when there is none. */
static const char *id__digits(const char *p)
{
	if (!isdigit((unsigned char)*p)) {
		return NULL;
	}
	while (isdigit((unsigned char)*p)) {
		p++;
	}
	return p;
}

bool ktstr_cache_version__valid(const char *id)
{
	const char *p = id__digits(id);
	int dots = 0;

	while (p != NULL && *p == '.' && dots < 2) {
		p = id__digits(p + 1);
		dots++;
	}
	if (p == NULL || dots == 0) {
		return false;
	}
	if (strncmp(p, "-rc", 3) == 0) {
		p = id__digits(p + 3);
	}
	return p != NULL && *p == '\0';
}

bool ktstr_cache_version__matches(const char *want, const char *have)
{
	size_t n = strlen(want);

	return strncmp(have, want, n) == 0 &&
	       (have[n] == '\0' || have[n] == '.' || have[n] == '+' || have[n] == '-');
}
