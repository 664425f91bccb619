#include "suggest.h"

#include <stdlib.h>
#include <string.h>

size_t ktstr_suggest__distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = calloc(lb + 1, sizeof(*row));
	size_t d;

	if (row == NULL) {
		return (size_t)-1;
	}
	for (size_t j = 0; j <= lb; j++) {
		row[j] = j;
	}
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);

			if (up + 1 < best) {
				best = up + 1;
			}
			if (row[j - 1] + 1 < best) {
				best = row[j - 1] + 1;
			}
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

const char *ktstr_suggest__closest(const char *word, const char *const *cands, size_t n)
{
	size_t limit = strlen(word) / 3;
	const char *best = NULL;
	size_t best_d = (size_t)-1;

	if (limit < 2) {
		limit = 2;
	}
	for (size_t i = 0; i < n; i++) {
		size_t d = ktstr_suggest__distance(word, cands[i]);

		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best_d <= limit ? best : NULL;
}
