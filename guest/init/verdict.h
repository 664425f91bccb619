/* A test's verdict: passed/skipped plus details, upstream's AssertResult minus stats. */
#ifndef KTSTR_GUEST_VERDICT_H
#define KTSTR_GUEST_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

enum ktstr_detail_kind {
	KTSTR_DETAIL_STARVED,
	KTSTR_DETAIL_STUCK,
	KTSTR_DETAIL_UNFAIR,
	KTSTR_DETAIL_TOPOLOGY,
	KTSTR_DETAIL_SCHEDULER_DIED,
	KTSTR_DETAIL_OTHER,
	KTSTR_DETAIL_ISOLATION,
	KTSTR_DETAIL_BENCHMARK,
	KTSTR_DETAIL_MIGRATION,
	KTSTR_DETAIL_SCHEDULER_ERROR,
	KTSTR_DETAIL_NOT_ATTACHED,
	KTSTR_DETAIL_SKIP,
};

struct ktstr_detail {
	enum ktstr_detail_kind kind;
	char *message;
};

struct ktstr_verdict {
	bool passed, skipped;
	struct ktstr_detail *details;
	size_t n, cap;
};

/** @brief An empty, passing verdict. */
void ktstr_verdict__init(struct ktstr_verdict *v);

/**
 * @brief Record a failure: passed becomes false even when the detail cannot
 *        be stored. @return 0 or -ENOMEM.
 */
int ktstr_verdict__fail(struct ktstr_verdict *v, enum ktstr_detail_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * @brief Upstream's skip(): passed and skipped, with a Skip detail saying why.
 * @return 0 or -ENOMEM (still marked skipped).
 */
int ktstr_verdict__skip(struct ktstr_verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * @brief Upstream's merge: AND passed and skipped, move @p src's details to
 *        the end of @p dst. @p src is left empty and passing.
 * @return 0 or -ENOMEM (@p dst's flags are merged even then; @p src keeps its details).
 */
int ktstr_verdict__merge(struct ktstr_verdict *dst, struct ktstr_verdict *src);

/** @brief Upstream's DetailKind name ("Starved", ...). */
const char *ktstr_detail_kind__name(enum ktstr_detail_kind kind);

void ktstr_verdict__release(struct ktstr_verdict *v);

#endif
