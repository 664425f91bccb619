/* TEMPORARY (issue 4 in progress): `ktstr kernel fetch`. */
#include <stdio.h>

#include "commands.h"

int ktstr_cmd_kernel_fetch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ktstr kernel fetch: not built yet\n");
	return 1;
}
