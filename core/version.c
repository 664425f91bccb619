#include "version.h"

const char *ktstr_version(void)
{
	return KTSTR_VERSION;
}
