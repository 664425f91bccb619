/* Plugin tests: how many entries a directory holds (dot-names included, "." and ".." not). */
#ifndef KTSTR_TESTS_DIR_COUNT_H
#define KTSTR_TESTS_DIR_COUNT_H

#include <dirent.h>
#include <string.h>

/* Include after <cmocka.h>. */
static inline unsigned dir_count(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	}
	closedir(d);
	return n;
}

#endif
