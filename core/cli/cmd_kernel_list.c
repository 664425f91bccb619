/* TEMPORARY (issue 4 in progress): `ktstr kernel list`. */
#include <stdio.h>

#include "commands.h"

int ktstr_cmd_kernel_list(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "ktstr kernel list: not built yet\n");
	return 1;
}
