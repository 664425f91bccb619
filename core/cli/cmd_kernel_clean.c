/* TEMPORARY (issue 4 in progress): `ktstr kernel clean`. */
#include <stdio.h>

#include "commands.h"

int ktstr_cmd_kernel_clean(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ktstr kernel clean: not built yet\n");
	return 1;
}
