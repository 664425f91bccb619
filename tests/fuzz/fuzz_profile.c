/*
 * Arbitrary bytes through the profile parser and, when it accepts them, the
 * matrix expansion (with one and with two kernels). Must never crash or leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "matrix.h"
#include "profile.h"

/* Keep each input fast: the parser bounds a matrix at a million tests, far more
 * than a fuzzer iteration should build. */
#define FUZZ_MAX_TESTS 20000

static void quiet(enum ktstr_log_level lvl, const char *line)
{
	(void)lvl;
	(void)line;
}

static void expand(const struct ktstr_profile *p)
{
	static const char *const kernels[] = {"k1", "k2"};
	const size_t dims[] = {p->ntopos, p->nscheds, p->nflagsets > 0 ? p->nflagsets : 1,
			       p->nscenarios, 2};
	struct ktstr_matrix m;
	size_t total = 1;
	char err[256];

	for (size_t i = 0; i < sizeof(dims) / sizeof(dims[0]); i++) {
		if (dims[i] != 0 && total > FUZZ_MAX_TESTS / dims[i]) {
			return;
		}
		total *= dims[i];
	}
	for (size_t nk = 1; nk <= 2; nk++) {
		if (ktstr_matrix__expand(p, kernels, nk, &m, err, sizeof(err)) == 0) {
			ktstr_matrix__release(&m);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktstr_profile *p = NULL;
	char err[512];

	ktstr_log_set_sink(quiet);
	if (ktstr_profile__parse("fuzz.yaml", (const char *)data, size, &p, err, sizeof(err)) ==
	    0) {
		expand(p);
		ktstr_profile__free(p);
	}
	return 0;
}
