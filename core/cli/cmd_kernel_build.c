/* TEMPORARY (issue 4 in progress): `ktstr kernel build`. */
#include <stdio.h>

#include "commands.h"

int ktstr_cmd_kernel_build(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ktstr kernel build: not built yet\n");
	return 1;
}
