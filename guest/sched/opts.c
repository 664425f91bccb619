#include "opts.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fault_names[] = {
    [KTSTR_FAULT_NONE] = "none",       [KTSTR_FAULT_STALL] = "stall",
    [KTSTR_FAULT_CRASH] = "crash",     [KTSTR_FAULT_SLOW] = "slow",
    [KTSTR_FAULT_DEGRADE] = "degrade", [KTSTR_FAULT_FAIL_VERIFY] = "fail-verify",
};

const char *ktstr_fault__name(enum ktstr_fault f)
{
	if ((size_t)f >= sizeof(fault_names) / sizeof(fault_names[0])) {
		return "?";
	}
	return fault_names[f];
}

const char *ktstr_sched_opts__usage(void)
{
	return "usage: ktstr-sched [--fault=stall|crash|slow|degrade|fail-verify]\n"
	       "                   [--after=SECONDS] [--trigger=PATH] [--slow-every=N]\n"
	       "                   [--timeout-ms=MS]\n"
	       "Loads the ktstr sched_ext test scheduler (one shared FIFO queue) and runs\n"
	       "until SIGINT/SIGTERM, or exits non-zero with the kernel's reason when the\n"
	       "kernel ejects it. A fault starts at attach, or --after SECONDS, or when\n"
	       "the --trigger file appears (whichever comes first).\n";
}

static __attribute__((format(printf, 3, 4))) int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_fault(const char *v, enum ktstr_fault *out, char *err, size_t errlen)
{
	for (size_t i = 1; i < sizeof(fault_names) / sizeof(fault_names[0]); i++) {
		if (strcmp(v, fault_names[i]) == 0) {
			*out = (enum ktstr_fault)i;
			return 0;
		}
	}
	return bad(err, errlen,
		   "ktstr-sched: --fault=%s: unknown fault (use stall, crash, slow, degrade or "
		   "fail-verify)",
		   v);
}

/* A whole number in [lo, hi]. */
static int parse_uint(const char *name, const char *v, unsigned lo, unsigned hi, unsigned *out,
		      char *err, size_t errlen)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n < lo || n > hi) {
		snprintf(err, errlen, "ktstr-sched: %s=%s: expected a whole number from %u to %u",
			 name, v, lo, hi);
		return -EINVAL;
	}
	*out = (unsigned)n;
	return 0;
}

/* Seconds, fractions allowed, up to a day; stored in milliseconds. */
static int parse_after(const char *v, unsigned *ms, char *err, size_t errlen)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(v, &end);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || !isfinite(s) || s > 86400.0) {
		return bad(
		    err, errlen,
		    "ktstr-sched: --after=%s: expected seconds from 0 to 86400 (e.g. 2 or 0.5)", v);
	}
	*ms = (unsigned)(s * 1000.0 + 0.5);
	return 0;
}

/* "--name=value" or "--name value": the value, advancing *i past it, or NULL. */
static const char *value_of(int argc, char *const argv[], int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0) {
		return NULL;
	}
	if (argv[*i][n] == '=') {
		return argv[*i] + n + 1;
	}
	if (argv[*i][n] == '\0' && *i + 1 < argc) {
		return argv[++*i];
	}
	return NULL;
}

static int parse_one(int argc, char *const argv[], int *i, struct ktstr_sched_opts *o, char *err,
		     size_t errlen)
{
	const char *a = argv[*i];
	const char *v;

	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
		o->help = true;
		return 0;
	}
	if ((v = value_of(argc, argv, i, "--fault")) != NULL) {
		return parse_fault(v, &o->fault, err, errlen);
	}
	if ((v = value_of(argc, argv, i, "--after")) != NULL) {
		o->has_after = true;
		return parse_after(v, &o->after_ms, err, errlen);
	}
	if ((v = value_of(argc, argv, i, "--trigger")) != NULL) {
		if (v[0] == '\0') {
			return bad(err, errlen, "ktstr-sched: --trigger needs a file path");
		}
		o->trigger = v;
		return 0;
	}
	if ((v = value_of(argc, argv, i, "--slow-every")) != NULL) {
		return parse_uint("--slow-every", v, 2, 1000000, &o->slow_every, err, errlen);
	}
	if ((v = value_of(argc, argv, i, "--timeout-ms")) != NULL) {
		return parse_uint("--timeout-ms", v, 1, KTSTR_SCHED_MAX_TIMEOUT_MS, &o->timeout_ms,
				  err, errlen);
	}
	return bad(err, errlen, "ktstr-sched: %s: unknown option or missing value (see --help)", a);
}

int ktstr_sched_opts__parse(int argc, char *const argv[], struct ktstr_sched_opts *o, char *err,
			    size_t errlen)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->slow_every = KTSTR_SCHED_SLOW_EVERY;
	for (int i = 1; i < argc; i++) {
		rc = parse_one(argc, argv, &i, o, err, errlen);
		if (rc) {
			return rc;
		}
	}
	if (o->help) {
		return 0;
	}
	if (ktstr_sched_opts__deferred(o) && o->fault == KTSTR_FAULT_NONE) {
		return bad(err, errlen, "ktstr-sched: %s needs --fault",
			   o->has_after ? "--after" : "--trigger");
	}
	if (ktstr_sched_opts__deferred(o) && o->fault == KTSTR_FAULT_FAIL_VERIFY) {
		return bad(err, errlen,
			   "ktstr-sched: --fault=fail-verify fails at load time; "
			   "--after and --trigger do not apply");
	}
	if (o->timeout_ms == 0 && o->fault == KTSTR_FAULT_STALL) {
		/* the kernel's 30 s default would outlast most tests */
		o->timeout_ms = KTSTR_SCHED_STALL_TIMEOUT_MS;
	}
	return 0;
}

bool ktstr_sched_opts__deferred(const struct ktstr_sched_opts *o)
{
	return o->has_after || o->trigger != NULL;
}
