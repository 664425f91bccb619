/*
 * Plugin options: value parsing at its boundaries, the load-time check of an
 * option table, and filling an instance's priv area (values, defaults,
 * string ownership, unknown-key and bad-value messages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_internal.h"

static void test_parse_int(void **state)
{
	static const struct {
		const char *s;
		int ret;
		int64_t v;
	} cases[] = {
		{ "0", 0, 0 },
		{ "-0", 0, 0 },
		{ "+5", 0, 5 },
		{ "42", 0, 42 },
		{ "-17", 0, -17 },
		{ "9223372036854775807", 0, INT64_MAX },
		{ "-9223372036854775808", 0, INT64_MIN },
		{ "9223372036854775808", -ERANGE, 0 },
		{ "-9223372036854775809", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "12abc", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "1.5", -EINVAL, 0 },
		{ "-", -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 12345;

		assert_int_equal(ktstr_opt__parse_int(cases[i].s, &v), cases[i].ret);
		assert_true(v == (cases[i].ret == 0 ? cases[i].v : 12345));
	}
	assert_int_equal(ktstr_opt__parse_int(NULL, &(int64_t){ 0 }), -EINVAL);
}

static void test_parse_bool(void **state)
{
	static const char *const yes[] = { "true", "TRUE", "True", "yes", "Yes", "on", "ON", "1" };
	static const char *const no[] = { "false", "FALSE", "no", "No", "off", "Off", "0" };
	static const char *const bad[] = { "", "2", "yess", "y", "n", "t", " true", "true ", "01" };
	bool b;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		assert_int_equal(ktstr_opt__parse_bool(yes[i], &b), 0);
		assert_true(b);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = true;
		assert_int_equal(ktstr_opt__parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ktstr_opt__parse_bool(bad[i], &b), -EINVAL);
	}
	assert_int_equal(ktstr_opt__parse_bool(NULL, &b), -EINVAL);
}

static void test_check_specs(void **state)
{
	static const struct {
		struct ktstr_opt_spec spec[3];
		size_t priv;
		const char *why; /* NULL: accepted */
	} cases[] = {
		{ { { KTSTR_OPT_INT, "n", "3", 0, "" } }, 8, NULL },
		{ { { KTSTR_OPT_INT, "n", NULL, 8, "" } }, 16, NULL },
		{ { { KTSTR_OPT_BOOL, "b", "on", 15, "" } }, 16, NULL },
		{ { { KTSTR_OPT_STR, "s", "anything at all", 0, "" } }, 8, NULL },
		{ { { KTSTR_OPT_INT, "n", NULL, 9, "" } },
		  16,
		  "option \"n\" (offset 9, 8 bytes) lies outside its priv area of 16 bytes" },
		{ { { KTSTR_OPT_BOOL, "b", NULL, 16, "" } },
		  16,
		  "option \"b\" (offset 16, 1 bytes) lies outside its priv area of 16 bytes" },
		{ { { KTSTR_OPT_STR, "s", NULL, SIZE_MAX - 2, "" } },
		  16,
		  "option \"s\" (offset 18446744073709551613, 8 bytes) lies outside its priv area "
		  "of 16 bytes" },
		{ { { KTSTR_OPT_STR, "s", NULL, 0, "" } },
		  0,
		  "option \"s\" (offset 0, 8 bytes) lies outside its priv area of 0 bytes" },
		{ { { (enum ktstr_opt_type)4, "t", NULL, 0, "" } },
		  8,
		  "option \"t\" has unknown type 4 (types: 1 str, 2 int, 3 bool)" },
		{ { { KTSTR_OPT_INT, "Bad", NULL, 0, "" } },
		  8,
		  "option 0 has an invalid name (it must be 1-64 characters of a-z, 0-9, '_' and "
		  "'-')" },
		{ { { KTSTR_OPT_INT, "n", "12x", 0, "" } },
		  8,
		  "option \"n\" has default \"12x\", which is not a valid integer" },
		{ { { KTSTR_OPT_BOOL, "b", "maybe", 0, "" } },
		  8,
		  "option \"b\" has default \"maybe\", which is not a valid boolean" },
		{ { { KTSTR_OPT_INT, "n", NULL, 0, "" }, { KTSTR_OPT_INT, "n", NULL, 8, "" } },
		  16,
		  "option \"n\" is declared twice" },
	};
	char why[256];

	assert_int_equal(ktstr_opt__check_specs(NULL, 0, why, sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = ktstr_opt__check_specs(cases[i].spec, cases[i].priv, why, sizeof(why));

		if (cases[i].why == NULL) {
			assert_int_equal(ret, 0);
		} else {
			assert_int_equal(ret, -EPROTO);
			assert_string_equal(why, cases[i].why);
		}
	}
}

static void test_check_specs_unterminated(void **state)
{
	struct ktstr_opt_spec *many = calloc(300, sizeof(*many));
	char (*names)[8] = calloc(300, sizeof(*names));
	char why[256];

	assert_non_null(many);
	assert_non_null(names);
	for (int i = 0; i < 300; i++) {
		snprintf(names[i], sizeof(names[i]), "o%d", i);
		many[i] = (struct ktstr_opt_spec){ KTSTR_OPT_BOOL, names[i], NULL, (size_t)i, "" };
	}
	assert_int_equal(ktstr_opt__check_specs(many, 300, why, sizeof(why)), -EPROTO);
	assert_string_equal(why, "it declares more than 256 options (is the all-zero terminator "
				 "of its option table missing?)");
	many[256] = (struct ktstr_opt_spec){ 0 }; /* exactly 256 is fine */
	assert_int_equal(ktstr_opt__check_specs(many, 300, why, sizeof(why)), 0);
	free(many);
	free(names);
}

/* --- filling an instance ---------------------------------------------- */

struct priv {
	const char *s;
	int64_t n;
	bool b;
	const char *s2;
	int64_t unset;
};

static const struct ktstr_opt_spec specs[] = {
	{ KTSTR_OPT_STR, "name", "dflt", offsetof(struct priv, s), "" },
	{ KTSTR_OPT_INT, "count", "-3", offsetof(struct priv, n), "" },
	{ KTSTR_OPT_BOOL, "flag", "yes", offsetof(struct priv, b), "" },
	{ KTSTR_OPT_STR, "other", NULL, offsetof(struct priv, s2), "" },
	{ KTSTR_OPT_INT, "unset", NULL, offsetof(struct priv, unset), "" },
	{ 0 },
};

static int emit_ok(struct ktstr_inst *inst, const void *rec, size_t len)
{
	return 0;
}

static const struct ktstr_sink_ops sink_ops = { .sz = sizeof(sink_ops), .emit = emit_ok };

static struct ktstr_plugin *adopt(struct ktstr_registry **reg, const char *name,
				  const struct ktstr_opt_spec *opts, size_t priv_size)
{
	struct ktstr_plugin_desc d = {
		KTSTR_PLUGIN_DESC_INIT,
		.kind = KTSTR_PLUGIN_SINK,
		.name = name,
		.ops = &sink_ops,
		.opts = opts,
		.priv_size = priv_size,
	};
	char err[512];

	assert_int_equal(ktstr_registry__new(reg), 0);
	assert_int_equal(ktstr_registry__adopt(*reg, "/m/x.so", NULL, &d, err, sizeof(err)), 0);
	return ktstr_registry__find(*reg, KTSTR_PLUGIN_SINK, name);
}

static void add_kv(struct ktstr_cfg *c, const char *key, const char *value, unsigned line,
		   unsigned col)
{
	c->kv = realloc(c->kv, (c->n + 1) * sizeof(*c->kv));
	assert_non_null(c->kv);
	c->kv[c->n].key = strdup(key);
	c->kv[c->n].value = strdup(value);
	c->kv[c->n].line = line;
	c->kv[c->n].col = col;
	c->n++;
}

static void test_fill_values_and_defaults(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_plugin *p = adopt(&reg, "opts", specs, sizeof(struct priv));
	struct ktstr_cfg cfg = { 0 };
	struct ktstr_inst *inst;
	struct priv *v;
	char err[512];

	assert_int_equal(ktstr_inst__new(p, NULL, NULL, &inst, err, sizeof(err)), 0);
	v = inst->priv;
	assert_string_equal(v->s, "dflt");
	assert_true(v->n == -3);
	assert_true(v->b);
	assert_null(v->s2);
	assert_true(v->unset == 0);
	ktstr_inst__free(inst);

	add_kv(&cfg, "other", "", 2, 3); /* an empty string is a value */
	add_kv(&cfg, "flag", "off", 3, 3);
	add_kv(&cfg, "count", "9223372036854775807", 4, 3);
	add_kv(&cfg, "name", "given", 5, 3);
	assert_int_equal(ktstr_inst__new(p, "i1", &cfg, &inst, err, sizeof(err)), 0);
	ktstr_cfg__release(&cfg); /* strings are the instance's own */
	v = inst->priv;
	assert_string_equal(v->s, "given");
	assert_string_equal(v->s2, "");
	assert_true(v->n == INT64_MAX);
	assert_false(v->b);
	assert_int_equal(inst->nstrs, 2);
	ktstr_inst__free(inst);
	ktstr_registry__free(reg);
}

static void test_fill_errors(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_plugin *p = adopt(&reg, "opts", specs, sizeof(struct priv));
	struct ktstr_inst *inst = NULL;
	struct ktstr_cfg cfg = { 0 };
	char err[512];

	/* The first unknown key is reported even when later values are bad too. */
	add_kv(&cfg, "count", "x", 1, 1);
	add_kv(&cfg, "flg", "on", 7, 5);
	assert_int_equal(ktstr_inst__new(p, NULL, &cfg, &inst, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "<profile>:7:5: plugin \"opts\" has no option \"flg\" (did you "
				 "mean \"flag\"?; options: name, count, flag, other, unset)");
	assert_null(inst);
	ktstr_cfg__release(&cfg);

	cfg.file = strdup("p.yaml");
	add_kv(&cfg, "count", "1e3", 2, 9);
	assert_int_equal(ktstr_inst__new(p, NULL, &cfg, &inst, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "p.yaml:2:9: plugin \"opts\" option \"count\": \"1e3\" is not an "
				 "integer (write a whole decimal number, e.g. 42)");
	ktstr_cfg__release(&cfg);

	/* A NULL error buffer is allowed. */
	add_kv(&cfg, "zzz", "1", 1, 1);
	assert_int_equal(ktstr_inst__new(p, NULL, &cfg, &inst, NULL, 0), -EINVAL);
	ktstr_cfg__release(&cfg);
	ktstr_registry__free(reg);
}

static void test_no_options_and_long_lists(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_plugin *p = adopt(&reg, "bare", NULL, 0);
	struct ktstr_opt_spec many[41] = { 0 };
	char names[40][64], err[2048];
	struct ktstr_cfg cfg = { 0 };
	struct ktstr_inst *inst;

	add_kv(&cfg, "anything", "1", 3, 4);
	assert_int_equal(ktstr_inst__new(p, NULL, &cfg, &inst, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "<profile>:3:4: plugin \"bare\" has no option \"anything\" (it "
				 "takes no options)");
	/* No options, no priv: the host's priv() is NULL. */
	assert_int_equal(ktstr_inst__new(p, NULL, NULL, &inst, err, sizeof(err)), 0);
	assert_null(ktstr_host_api_v1.priv(inst));
	ktstr_inst__free(inst);
	ktstr_registry__free(reg);

	/* 40 long names overflow the list buffer: truncated, still one line. */
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), "option_with_a_long_name_number_%02d", i);
		many[i] = (struct ktstr_opt_spec){ KTSTR_OPT_BOOL, names[i], NULL, (size_t)i, "" };
	}
	p = adopt(&reg, "wide", many, 40);
	assert_int_equal(ktstr_inst__new(p, NULL, &cfg, &inst, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "(options: option_with_a_long_name_number_00, "));
	assert_null(strchr(err, '\n'));
	assert_true(strlen(err) < 1200);
	ktstr_cfg__release(&cfg);
	ktstr_registry__free(reg);
}

static void test_instance_names(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{ "Sink.1", true }, { "a-b_c", true }, { "c++", true },   { "", false },
		{ ".hidden", false }, { "..", false }, { "a/b", false }, { "a b", false },
	};
	struct ktstr_registry *reg;
	struct ktstr_plugin *p = adopt(&reg, "named", NULL, 0);
	char long_name[300], err[512];
	struct ktstr_inst *inst;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		inst = NULL;
		assert_int_equal(ktstr_inst__new(p, cases[i].name, NULL, &inst, err, sizeof(err)),
				 cases[i].ok ? 0 : -EINVAL);
		if (cases[i].ok) {
			assert_string_equal(ktstr_inst__name(inst), cases[i].name);
		} else {
			assert_non_null(strstr(err, "plugin \"named\": instance name"));
		}
		ktstr_inst__free(inst);
	}
	/* A directory name is at most 255 bytes. */
	memset(long_name, 'x', 255);
	long_name[255] = '\0';
	assert_int_equal(ktstr_inst__new(p, long_name, NULL, &inst, err, sizeof(err)), 0);
	ktstr_inst__free(inst);
	long_name[255] = 'x';
	long_name[256] = '\0';
	assert_int_equal(ktstr_inst__new(p, long_name, NULL, &inst, err, sizeof(err)), -EINVAL);
	assert_int_equal(ktstr_inst__new(NULL, NULL, NULL, &(struct ktstr_inst *){ NULL }, err,
					 sizeof(err)),
			 -EINVAL);
	ktstr_inst__free(NULL);
	ktstr_registry__free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_check_specs),
		cmocka_unit_test(test_check_specs_unterminated),
		cmocka_unit_test(test_fill_values_and_defaults),
		cmocka_unit_test(test_fill_errors),
		cmocka_unit_test(test_no_options_and_long_lists),
		cmocka_unit_test(test_instance_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
