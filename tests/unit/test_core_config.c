/* Unit tests of configuration spec tables (core/config.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include "x400ms/config.h"

struct sample {
    const char *address;
    long long port;
    bool tls;
    double ratio;
    int mode;
    const json_t *tuning;
    const json_t *peers;
    long long idle;
    const json_t *extra;
    const char *name;
};

static const char *const modes[] = { "fast", "safe", "paranoid", NULL };

static const struct x400ms_cfg_spec sample_spec[] = {
    { "address", X400MS_CFG_STRING, 0, offsetof(struct sample, address), .def_str = "127.0.0.1" },
    { "port", X400MS_CFG_INT, X400MS_CFG_REQUIRED, offsetof(struct sample, port), .min = 1, .max = 65535 },
    { "tls", X400MS_CFG_BOOL, 0, offsetof(struct sample, tls), .def_int = 1 },
    { "ratio", X400MS_CFG_DOUBLE, 0, offsetof(struct sample, ratio), .min = 0, .max = 1, .def_double = 0.5 },
    { "mode", X400MS_CFG_ENUM, 0, offsetof(struct sample, mode), .def_int = 1, .enum_values = modes },
    { "tuning", X400MS_CFG_OBJECT, 0, offsetof(struct sample, tuning), .help = NULL },
    { "peers", X400MS_CFG_ARRAY, X400MS_CFG_NONEMPTY, offsetof(struct sample, peers), .help = NULL },
    { "idle", X400MS_CFG_DURATION, 0, offsetof(struct sample, idle), .min = 1, .max = 86400, .def_int = 600 },
    { "extra", X400MS_CFG_ANY, 0, offsetof(struct sample, extra), .help = NULL },
    { "name", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct sample, name),
      .help = "the service name" },
    X400MS_CFG_END
};

/* Parses `text` under path "modules[3].config"; returns the code. */
static int parse(const char *text, struct sample *out, struct x400ms_error *err)
{
    json_error_t jerr;
    json_t *obj = json_loads(text, 0, &jerr);
    assert_non_null(obj);
    memset(out, 0x5a, sizeof *out); /* defaults must overwrite this */
    int rc = x400ms_config_parse(obj, "modules[3].config", sample_spec, out, err);
    json_decref(obj);
    return rc;
}

static void expect_error(const char *text, const char *message)
{
    struct sample s;
    struct x400ms_error err = { 0 };
    assert_int_equal(parse(text, &s, &err), X400MS_EINVAL);
    assert_int_equal(err.code, X400MS_EINVAL);
    if (!strstr(err.message, message))
        fail_msg("expected \"%s\" in \"%s\"", message, err.message);
}

static void test_core_config_defaults(void **state)
{
    (void)state;
    struct sample s;
    struct x400ms_error err = { 0 };
    assert_int_equal(parse("{\"port\": 102}", &s, &err), 0);
    assert_string_equal(s.address, "127.0.0.1");
    assert_int_equal(s.port, 102);
    assert_true(s.tls);
    assert_true(s.ratio == 0.5);
    assert_int_equal(s.mode, 1);
    assert_null(s.tuning);
    assert_null(s.peers);
    assert_int_equal(s.idle, 600);
    assert_null(s.extra);
    assert_null(s.name);
}

static void test_core_config_every_type(void **state)
{
    (void)state;
    struct sample s;
    struct x400ms_error err = { 0 };
    json_t *obj = json_loads("{\"address\": \"0.0.0.0\", \"port\": 65535, \"tls\": false, "
                             "\"ratio\": 1, \"mode\": \"paranoid\", \"tuning\": {\"a\": 1}, "
                             "\"peers\": [1, 2], \"idle\": \"15m\", \"extra\": [null], "
                             "\"name\": \"x\"}", 0, NULL);
    assert_non_null(obj);
    assert_int_equal(x400ms_config_parse(obj, "cfg", sample_spec, &s, &err), 0);
    assert_string_equal(s.address, "0.0.0.0");
    assert_ptr_equal(s.address, json_string_value(json_object_get(obj, "address")));
    assert_int_equal(s.port, 65535);
    assert_false(s.tls);
    assert_true(s.ratio == 1.0);
    assert_int_equal(s.mode, 2);
    assert_ptr_equal(s.tuning, json_object_get(obj, "tuning"));
    assert_int_equal(json_array_size(s.peers), 2);
    assert_int_equal(s.idle, 900);
    assert_true(json_is_array(s.extra));
    assert_string_equal(s.name, "x");
    json_decref(obj);
}

static void test_core_config_null_object_is_empty(void **state)
{
    (void)state;
    static const struct x400ms_cfg_spec spec[] = {
        { "port", X400MS_CFG_INT, 0, 0, .def_int = 7 },
        X400MS_CFG_END
    };
    long long port = 0;
    assert_int_equal(x400ms_config_parse(NULL, "x", spec, &port, NULL), 0);
    assert_int_equal(port, 7);
}

static void test_core_config_required_neg(void **state)
{
    (void)state;
    expect_error("{}", "modules[3].config.port: missing; required: an integer from 1 to 65535");
}

static void test_core_config_unknown_key_neg(void **state)
{
    (void)state;
    expect_error("{\"port\": 1, \"prot\": 2}", "modules[3].config.prot: unknown key (known keys: address, port,");
}

static void test_core_config_bounds_neg(void **state)
{
    (void)state;
    expect_error("{\"port\": 0}", "modules[3].config.port: expected an integer from 1 to 65535, got 0");
    expect_error("{\"port\": 65536}", "got 65536");
    expect_error("{\"port\": 1, \"ratio\": 1.5}", "modules[3].config.ratio: expected a number from 0 to 1, got 1.5");
    expect_error("{\"port\": 1, \"idle\": \"2d\"}", "modules[3].config.idle: expected a duration from 1s to 86400s");
    expect_error("{\"port\": 1, \"idle\": 0}", "got 0");
}

static void test_core_config_wrong_type_neg(void **state)
{
    (void)state;
    expect_error("{\"port\": \"abc\"}", "modules[3].config.port: expected an integer from 1 to 65535, got \"abc\"");
    expect_error("{\"port\": 1.5}", "got 1.5");
    expect_error("{\"port\": 1, \"address\": 5}", "modules[3].config.address: expected a string, got 5");
    expect_error("{\"port\": 1, \"tls\": \"yes\"}", "modules[3].config.tls: expected true or false, got \"yes\"");
    expect_error("{\"port\": 1, \"ratio\": \"x\"}", "expected a number");
    expect_error("{\"port\": 1, \"mode\": \"slow\"}",
                 "modules[3].config.mode: expected one of \"fast\", \"safe\", \"paranoid\", got \"slow\"");
    expect_error("{\"port\": 1, \"tuning\": []}", "modules[3].config.tuning: expected an object, got an array");
    expect_error("{\"port\": 1, \"peers\": {}}", "modules[3].config.peers: expected a non-empty array, got an object");
    expect_error("{\"port\": 1, \"idle\": \"soon\"}", "got \"soon\"");
    expect_error("{\"port\": 1, \"idle\": true}", "got true");
    expect_error("{\"port\": null}", "got null");
}

static void test_core_config_nonempty_neg(void **state)
{
    (void)state;
    expect_error("{\"port\": 1, \"name\": \"\"}",
                 "modules[3].config.name: expected a non-empty string (the service name), got \"\"");
    expect_error("{\"port\": 1, \"peers\": []}", "modules[3].config.peers: expected a non-empty array, got an array");
}

static void test_core_config_not_an_object_neg(void **state)
{
    (void)state;
    json_t *arr = json_array();
    struct sample s;
    struct x400ms_error err = { 0 };
    assert_int_equal(x400ms_config_parse(arr, "modules[0].config", sample_spec, &s, &err), X400MS_EINVAL);
    assert_string_equal(err.message, "modules[0].config: expected an object, got an array");
    json_decref(arr);
}

static void test_core_config_top_level_path(void **state)
{
    (void)state;
    json_t *obj = json_pack("{s:s}", "port", "x");
    struct sample s;
    struct x400ms_error err = { 0 };
    assert_int_equal(x400ms_config_parse(obj, NULL, sample_spec, &s, &err), X400MS_EINVAL);
    assert_string_equal(err.message, "port: expected an integer from 1 to 65535, got \"x\"");
    json_decref(obj);
}

static void test_core_config_duration(void **state)
{
    (void)state;
    assert_int_equal(x400ms_config_parse_duration("30"), 30);
    assert_int_equal(x400ms_config_parse_duration("30s"), 30);
    assert_int_equal(x400ms_config_parse_duration("15m"), 900);
    assert_int_equal(x400ms_config_parse_duration("2h"), 7200);
    assert_int_equal(x400ms_config_parse_duration("2d"), 172800);
    assert_int_equal(x400ms_config_parse_duration("0"), 0);
}

static void test_core_config_duration_neg(void **state)
{
    (void)state;
    const char *bad[] = { "", "s", "-5", "+5", " 5", "5 s", "5w", "5ss", "1.5h", "abc",
                          "99999999999999999999", "9999999999999999d", NULL };
    for (int i = 0; bad[i]; i++)
        if (x400ms_config_parse_duration(bad[i]) != -1)
            fail_msg("\"%s\" accepted", bad[i]);
    assert_int_equal(x400ms_config_parse_duration(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_config_defaults),
        cmocka_unit_test(test_core_config_every_type),
        cmocka_unit_test(test_core_config_null_object_is_empty),
        cmocka_unit_test(test_core_config_required_neg),
        cmocka_unit_test(test_core_config_unknown_key_neg),
        cmocka_unit_test(test_core_config_bounds_neg),
        cmocka_unit_test(test_core_config_wrong_type_neg),
        cmocka_unit_test(test_core_config_nonempty_neg),
        cmocka_unit_test(test_core_config_not_an_object_neg),
        cmocka_unit_test(test_core_config_top_level_path),
        cmocka_unit_test(test_core_config_duration),
        cmocka_unit_test(test_core_config_duration_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
