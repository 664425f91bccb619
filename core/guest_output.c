/*
 * The COM2 transcript parser (docs/protocol.md). The stream is untrusted:
 * it may hold kernel noise and NULs and may stop at any byte.
 *
 * A line is a sentinel when, with NULs removed and surrounding whitespace
 * trimmed, it equals a bare token (KTSTR_INIT_STARTED, the === markers,
 * ...) or starts with a token that carries text ("PANIC:", ...). Inside a
 * result or scheduler-log block only that block's end marker (and, for a
 * result block, a new start marker) is recognised, so a scheduler that
 * prints "PANIC:" does not fake a guest panic.
 *
 * Frame lines (docs/protocol-frames.md) outside blocks are decoded and
 * checked; a valid TEST frame is preferred over any marker block, STIM
 * frames are kept in order, EXIT frames count as KTSTR_EXIT.
 */
#define _GNU_SOURCE
#include "guest_output.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "frame.h"

/* Bytes of a line looked at for sentinels; longer lines are content, not protocol. */
#define LINE_MAX_SCAN (64u << 10)
/* One-line texts (PANIC:, SCHEDULER_NOT_ATTACHED:, ...) keep this many raw bytes. */
#define WHY_MAX 512

#define M_RESULT_START "===KTSTR_TEST_RESULT_START==="
#define M_RESULT_END "===KTSTR_TEST_RESULT_END==="
#define M_SCHED_START "===SCHED_OUTPUT_START==="
#define M_SCHED_END "===SCHED_OUTPUT_END==="

struct range {
	size_t start, end;
};

enum mode { MODE_LINES, MODE_RESULT, MODE_SCHED };

struct parser {
	const char *buf;
	size_t len;
	struct ktstr_guest_report *r;
	enum mode mode;
	size_t block_start;  /* first byte of the open block's body */
	unsigned block_line; /* COM2 line number of its start marker */
	struct range *logs;  /* scheduler-log blocks, in order */
	size_t nlogs;
	json_t *stim;        /* STIM frame payloads, in order, or NULL */
	char line[LINE_MAX_SCAN]; /* the current line without NULs */
};

static void report_set(char **field, char *text)
{
	free(*field);
	*field = text;
}

static int set_malformed(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int set_malformed(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		return -ENOMEM;
	}
	report_set(&p->r->malformed, text);
	return 0;
}

/* Depth of nested arrays/objects: a scalar is 0. */
static int json_depth(const json_t *v, int limit)
{
	const char *key;
	json_t *e;
	size_t i;
	int max = 0;

	if (limit < 0 || (!json_is_object(v) && !json_is_array(v))) {
		return 0;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			int d = json_depth(e, limit - 1);
			max = d > max ? d : max;
		}
	} else {
		json_object_foreach((json_t *)v, key, e) {
			int d = json_depth(e, limit - 1);
			max = d > max ? d : max;
		}
	}
	return max + 1;
}

/* Copy buf[start, end) without NULs and without surrounding whitespace. */
static char *copy_clean(const char *buf, size_t start, size_t end, size_t *outlen)
{
	char *o = malloc(end - start + 1);
	size_t n = 0;

	if (o == NULL) {
		return NULL;
	}
	for (size_t i = start; i < end; i++) {
		if (buf[i] != '\0') {
			o[n++] = buf[i];
		}
	}
	while (n > 0 && strchr(" \t\r\n\v\f", o[n - 1]) != NULL) {
		n--;
	}
	o[n] = '\0';
	size_t lead = strspn(o, " \t\r\n\v\f");
	memmove(o, o + lead, n - lead + 1);
	*outlen = n - lead;
	return o;
}

/* Why @p v is not a usable result (into buf), or NULL when it is one. */
static const char *result_problem(const json_t *v, char *buf, size_t len)
{
	const json_t *passed = json_object_get(v, "passed");
	const json_t *skipped = json_object_get(v, "skipped");

	if (!json_is_object(v)) {
		return "JSON is not an object";
	}
	if (!json_is_boolean(passed)) {
		return "no boolean \"passed\"";
	}
	if (skipped != NULL && !json_is_boolean(skipped)) {
		return "\"skipped\" is not a boolean";
	}
	if (json_depth(v, KTSTR_GUEST_JSON_MAX_DEPTH) > KTSTR_GUEST_JSON_MAX_DEPTH) {
		snprintf(buf, len, "JSON nested deeper than %d levels", KTSTR_GUEST_JSON_MAX_DEPTH);
		return buf;
	}
	return NULL;
}

/* The result block body is buf[start, end); keep it when it is a valid result. */
static int finish_result(struct parser *p, size_t start, size_t end)
{
	const char *problem;
	char pbuf[64];
	json_error_t err;
	json_t *v;
	size_t n;
	char *text;
	int rc = 0;

	if (end - start > KTSTR_GUEST_RESULT_MAX) {
		return set_malformed(
		    p, "result block at COM2 line %u is %zu bytes, over the %u-byte limit",
		    p->block_line, end - start, KTSTR_GUEST_RESULT_MAX);
	}
	text = copy_clean(p->buf, start, end, &n);
	if (text == NULL) {
		return -ENOMEM;
	}
	v = json_loadb(text, n, JSON_DECODE_ANY, &err);
	if (v == NULL) {
		rc = set_malformed(
		    p, "result block at COM2 line %u: JSON does not parse (line %d, column %d: %s)",
		    p->block_line, err.line, err.column, err.text);
		goto out_text;
	}
	problem = result_problem(v, pbuf, sizeof(pbuf));
	if (problem != NULL) {
		rc = set_malformed(p, "result block at COM2 line %u: %s", p->block_line, problem);
	} else if (!p->r->result_from_frame) {
		/* The last valid block wins, unless a valid TEST frame already did. */
		report_set(&p->r->result_json, text);
		p->r->have_result = true;
		text = NULL;
	}
	json_decref(v);
out_text:
	free(text);
	return rc;
}

/* A valid TEST frame: its result replaces any marker block's. */
static int use_test_frame(struct parser *p, const json_t *v, char *why, size_t whylen)
{
	char pbuf[64], *text;
	const char *problem = result_problem(v, pbuf, sizeof(pbuf));

	if (problem != NULL) {
		snprintf(why, whylen, "TEST frame: %s", problem);
		return -EINVAL;
	}
	text = json_dumps(v, JSON_COMPACT);
	if (text == NULL) {
		return -ENOMEM;
	}
	report_set(&p->r->result_json, text);
	p->r->have_result = true;
	p->r->result_from_frame = true;
	return 0;
}

static int use_exit_frame(struct parser *p, const json_t *v, char *why, size_t whylen)
{
	const json_t *code = json_object_get(v, "code");

	if (!json_is_integer(code) || json_integer_value(code) < INT_MIN ||
	    json_integer_value(code) > INT_MAX) {
		snprintf(why, whylen, "EXIT frame without an integer \"code\"");
		return -EINVAL;
	}
	p->r->have_exit = true;
	p->r->exit_code = (int)json_integer_value(code);
	return 0;
}

/* A frame that passed the transport checks; -EINVAL (why filled) when its content is unusable. */
static int use_frame(struct parser *p, const struct ktstr_frame *f, char *why, size_t whylen)
{
	switch (f->type) {
	case KTSTR_FRAME_TEST:
		return use_test_frame(p, f->payload, why, whylen);
	case KTSTR_FRAME_EXIT:
		return use_exit_frame(p, f->payload, why, whylen);
	case KTSTR_FRAME_STIM:
		if (p->stim == NULL && (p->stim = json_array()) == NULL) {
			return -ENOMEM;
		}
		return json_array_append(p->stim, f->payload) == 0 ? 0 : -ENOMEM;
	case KTSTR_FRAME_WRKR:
	case KTSTR_FRAME_SCHD:
		/* Valid and counted; the worker reports and events also sit in the result. */
		return 0;
	}
	return 0;
}

/* Whether buf[start, end), past leading NULs and blanks, starts a frame. */
static bool raw_is_frame(const struct parser *p, size_t start, size_t end)
{
	if (end > start && p->buf[end - 1] == '\n') {
		end--;
	}
	while (start < end && (p->buf[start] == '\0' || p->buf[start] == ' ' ||
			       p->buf[start] == '\t')) {
		start++;
	}
	return ktstr_frame__is_frame(p->buf + start, end - start);
}

/* A frame line buf[start, end): decoded, checked, used; a bad one is counted with its reason. */
static int on_frame(struct parser *p, size_t start, size_t end, unsigned lineno)
{
	struct ktstr_frame f;
	char why[256], *text, *clean, *msg;
	size_t n;
	int rc;

	text = copy_clean(p->buf, start, end, &n);
	if (text == NULL) {
		return -ENOMEM;
	}
	rc = ktstr_frame__decode(text, n, &f, why, sizeof(why));
	free(text);
	if (rc == 0) {
		rc = use_frame(p, &f, why, sizeof(why));
		ktstr_frame__release(&f);
	}
	if (rc == 0) {
		p->r->frames_ok++;
		return 0;
	}
	if (rc != -EINVAL) {
		return rc;
	}
	p->r->frames_bad++;
	if (p->r->frame_error != NULL) {
		return 0;
	}
	/* Only the first reason is kept; guest bytes echoed in it are made printable. */
	if (ktstr_console__clean(why, strlen(why), true, &clean) != 0) {
		return -ENOMEM;
	}
	rc = asprintf(&msg, "COM2 line %u: %s", lineno, clean);
	free(clean);
	if (rc < 0) {
		return -ENOMEM;
	}
	p->r->frame_error = msg;
	return 0;
}

/* The text after a sentinel, cleaned to one printable line; first one wins. */
static int keep_why(char **field, const char *text)
{
	char *clean;
	size_t n;
	int rc;

	if (*field != NULL) {
		return 0;
	}
	text += strspn(text, " \t");
	n = strlen(text);
	rc = ktstr_console__clean(text, n > WHY_MAX ? WHY_MAX : n, true, &clean);
	if (rc == 0) {
		*field = clean;
	}
	return rc;
}

static int keep_topology(struct parser *p, const char *text)
{
	json_t *v = json_loads(text, 0, NULL);
	char *copy;
	int deep;

	if (v == NULL) {
		return 0; /* a garbled topology line only costs the report its topology */
	}
	deep = json_depth(v, KTSTR_GUEST_JSON_MAX_DEPTH) > KTSTR_GUEST_JSON_MAX_DEPTH;
	json_decref(v);
	if (deep) {
		return 0;
	}
	copy = strdup(text);
	if (copy == NULL) {
		return -ENOMEM;
	}
	report_set(&p->r->topology_json, copy);
	return 0;
}

static int keep_exit(struct parser *p, const char *text)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (end == text || *end != '\0' || errno != 0 || v < INT_MIN || v > INT_MAX) {
		return 0;
	}
	p->r->have_exit = true;
	p->r->exit_code = (int)v;
	return 0;
}

static bool starts(const char *line, const char *token, const char **rest)
{
	size_t n = strlen(token);

	if (strncmp(line, token, n) != 0) {
		return false;
	}
	*rest = line + n;
	return true;
}

/* A line outside any block. */
static int on_line(struct parser *p, const char *l, size_t next, unsigned lineno)
{
	struct ktstr_guest_report *r = p->r;
	const char *rest;

	if (strcmp(l, M_RESULT_START) == 0 || strcmp(l, M_SCHED_START) == 0) {
		p->mode = strcmp(l, M_RESULT_START) == 0 ? MODE_RESULT : MODE_SCHED;
		p->block_start = next;
		p->block_line = lineno;
	} else if (strcmp(l, "KTSTR_INIT_STARTED") == 0) {
		r->init_started = true;
	} else if (strcmp(l, "KTSTR_PAYLOAD_STARTING") == 0) {
		r->payload_starting = true;
	} else if (strcmp(l, "SCHEDULER_DIED") == 0) {
		r->sched_died = true;
	} else if (starts(l, "KTSTR_EXIT=", &rest)) {
		return keep_exit(p, rest);
	} else if (starts(l, "KTSTR_TOPOLOGY ", &rest)) {
		return keep_topology(p, rest);
	} else if (starts(l, "KTSTR_INIT_FAILED:", &rest)) {
		return keep_why(&r->init_failed, rest);
	} else if (starts(l, "KTSTR_SETUP_FAILED:", &rest)) {
		return keep_why(&r->setup_failed, rest);
	} else if (starts(l, "SCHEDULER_NOT_ATTACHED:", &rest)) {
		return keep_why(&r->sched_not_attached, rest);
	} else if (starts(l, "PANIC:", &rest)) {
		return keep_why(&r->panic, rest);
	}
	return 0;
}

static int add_log(struct parser *p, size_t start, size_t end)
{
	struct range *n = realloc(p->logs, (p->nlogs + 1) * sizeof(*n));

	if (n == NULL) {
		return -ENOMEM;
	}
	p->logs = n;
	p->logs[p->nlogs++] = (struct range){ start, end };
	return 0;
}

/* One line: buf[start, end) raw, p->line cleaned; next is where the following line starts. */
static int on_raw_line(struct parser *p, size_t start, size_t next, unsigned lineno)
{
	const char *l = p->line;

	switch (p->mode) {
	case MODE_LINES:
		if (raw_is_frame(p, start, next)) {
			return on_frame(p, start, next, lineno);
		}
		return on_line(p, l, next, lineno);
	case MODE_RESULT:
		if (strcmp(l, M_RESULT_END) == 0) {
			p->mode = MODE_LINES;
			return finish_result(p, p->block_start, start);
		}
		if (strcmp(l, M_RESULT_START) == 0) {
			int rc =
			    set_malformed(p,
					  "result block at COM2 line %u has no end marker before "
					  "the next block",
					  p->block_line);
			p->block_start = next;
			p->block_line = lineno;
			return rc;
		}
		return 0;
	case MODE_SCHED:
		if (strcmp(l, M_SCHED_END) == 0) {
			p->mode = MODE_LINES;
			return add_log(p, p->block_start, start);
		}
		return 0;
	}
	return 0;
}

/* Fill p->line with buf[start, end) minus NULs, trimmed; too long a line yields "". */
static void load_line(struct parser *p, size_t start, size_t end)
{
	size_t n = 0, lead;

	for (size_t i = start; i < end; i++) {
		if (p->buf[i] == '\0') {
			continue;
		}
		if (n == sizeof(p->line) - 1) {
			n = 0;
			break;
		}
		p->line[n++] = p->buf[i];
	}
	while (n > 0 && strchr(" \t\r\v\f", p->line[n - 1]) != NULL) {
		n--;
	}
	p->line[n] = '\0';
	lead = strspn(p->line, " \t\r\v\f");
	memmove(p->line, p->line + lead, n - lead + 1);
}

/* The scheduler log: every block joined, the last KTSTR_GUEST_SCHED_LOG_MAX bytes kept. */
static int build_sched_log(struct parser *p)
{
	static const char dropped[] = "[... earlier scheduler output dropped ...]\n";
	size_t total = 0, skip, n = 0;
	char *raw;
	int rc;

	if (p->nlogs == 0) {
		return 0;
	}
	for (size_t i = 0; i < p->nlogs; i++) {
		total += p->logs[i].end - p->logs[i].start;
	}
	skip = total > KTSTR_GUEST_SCHED_LOG_MAX ? total - KTSTR_GUEST_SCHED_LOG_MAX : 0;
	raw = malloc(sizeof(dropped) + total - skip);
	if (raw == NULL) {
		return -ENOMEM;
	}
	if (skip > 0) {
		memcpy(raw, dropped, sizeof(dropped) - 1);
		n = sizeof(dropped) - 1;
	}
	for (size_t i = 0; i < p->nlogs; i++) {
		size_t s = p->logs[i].start, e = p->logs[i].end, len = e - s;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		s += skip;
		skip = 0;
		memcpy(raw + n, p->buf + s, e - s);
		n += e - s;
	}
	rc = ktstr_console__clean(raw, n, false, &p->r->sched_log);
	free(raw);
	return rc;
}

/* Write the stage line for @p r into buf (see the header for the wording). */
static void format_stage(const struct ktstr_guest_report *r, char *buf, size_t len)
{
	size_t n;

	if (r->have_result) {
		n = (size_t)snprintf(buf, len, "test result received");
	} else if (r->payload_starting) {
		n = (size_t)snprintf(buf, len, "payload started but produced no test result");
	} else if (r->setup_failed != NULL) {
		n = (size_t)snprintf(buf, len, "cgroup/scheduler setup failed: %s",
				     r->setup_failed);
	} else if (r->init_started) {
		n = (size_t)snprintf(buf, len, "cgroup/scheduler setup failed");
	} else if (r->init_failed != NULL) {
		n = (size_t)snprintf(buf, len, "init failed: %s", r->init_failed);
	} else {
		n = (size_t)snprintf(buf, len, "init never started (kernel or mount failure)");
	}
	/* init can also fail late (watchdog, fatal signal): say so after the stage. */
	if (r->init_failed != NULL && (r->init_started || r->payload_starting || r->have_result) &&
	    n < len) {
		n += (size_t)snprintf(buf + n, len - n, "; init failed: %s", r->init_failed);
	}
	if (r->sched_died && n < len) {
		n += (size_t)snprintf(buf + n, len - n, "; scheduler died");
	}
	if (r->sched_not_attached != NULL && n < len) {
		n += (size_t)snprintf(buf + n, len - n, "; scheduler not attached: %s",
				      r->sched_not_attached);
	}
	if (r->panic != NULL && n < len) {
		snprintf(buf + n, len - n, "; guest panic: %s", r->panic);
	}
}

/* Enough for the fixed words and four WHY_MAX texts escaped (4 bytes per raw byte). */
#define STAGE_LINE_MAX (256 + 4 * 4 * WHY_MAX)

const char *ktstr_guest_report__stage_text(const struct ktstr_guest_report *r)
{
	/* A report not built by parse (tests, callers filling fields) gets a per-thread copy. */
	static _Thread_local char buf[STAGE_LINE_MAX];

	if (r->stage_line != NULL) {
		return r->stage_line;
	}
	format_stage(r, buf, sizeof(buf));
	return buf;
}

static int finish(struct parser *p)
{
	struct ktstr_guest_report *r = p->r;
	int rc = 0;

	if (p->mode == MODE_RESULT) {
		rc = set_malformed(p,
				   "result block at COM2 line %u has no end marker (output ends "
				   "inside it: guest killed or output truncated)",
				   p->block_line);
	} else if (p->mode == MODE_SCHED) {
		rc = add_log(p, p->block_start, p->len);
	}
	if (rc == 0) {
		rc = build_sched_log(p);
	}
	if (rc == 0 && p->stim != NULL) {
		r->stimulus_json = json_dumps(p->stim, JSON_COMPACT);
		rc = r->stimulus_json == NULL ? -ENOMEM : 0;
	}
	if (rc != 0) {
		return rc;
	}
	if (r->have_exit) {
		r->stage = KTSTR_STAGE_EXITED;
	} else if (r->have_result) {
		r->stage = KTSTR_STAGE_RESULT;
	} else if (r->payload_starting) {
		r->stage = KTSTR_STAGE_PAYLOAD_STARTING;
	} else if (r->init_started) {
		r->stage = KTSTR_STAGE_INIT_STARTED;
	}
	r->stage_line = malloc(STAGE_LINE_MAX);
	if (r->stage_line == NULL) {
		return -ENOMEM;
	}
	format_stage(r, r->stage_line, STAGE_LINE_MAX);
	return 0;
}

int ktstr_guest_output__parse(const char *buf, size_t len, struct ktstr_guest_report *out)
{
	struct parser *p;
	unsigned lineno = 0;
	int rc = 0;

	if (out == NULL || (buf == NULL && len > 0)) {
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		return -ENOMEM;
	}
	p->buf = buf;
	p->len = len;
	p->r = out;
	for (size_t start = 0; start < len && rc == 0;) {
		const char *nl = memchr(buf + start, '\n', len - start);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		size_t next = nl != NULL ? end + 1 : len;

		lineno++;
		load_line(p, start, end);
		rc = on_raw_line(p, start, next, lineno);
		start = next;
	}
	if (rc == 0) {
		rc = finish(p);
	}
	json_decref(p->stim);
	free(p->logs);
	free(p);
	if (rc != 0) {
		ktstr_guest_report__release(out);
	}
	return rc;
}

void ktstr_guest_report__release(struct ktstr_guest_report *r)
{
	if (r == NULL) {
		return;
	}
	free(r->result_json);
	free(r->topology_json);
	free(r->sched_not_attached);
	free(r->sched_log);
	free(r->panic);
	free(r->malformed);
	free(r->init_failed);
	free(r->setup_failed);
	free(r->stage_line);
	free(r->frame_error);
	free(r->stimulus_json);
	memset(r, 0, sizeof(*r));
}
