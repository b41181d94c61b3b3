/* Unit tests of the admin API body/query spec validation (admin-api/jspec.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "admin-api/jspec.h"

static const char *const modes[] = { "merge", "replace", NULL };

struct input {
    const char *name, *password;
    bool outbox, has_outbox;
    long long limit, age;
    int mode;
    const json_t *mailboxes;
};

static int parse_text(const char *text, struct input *in, struct admin_field_error *fe)
{
    json_error_t jerr;
    json_t *obj = json_loads(text, JSON_ALLOW_NUL, &jerr);
    assert_non_null(obj);
    memset(in, 0, sizeof *in);
    in->limit = 100;
    in->mode = -1;
    const struct admin_jspec spec[] = {
        ADMIN_JSPEC_STRING("name", &in->name, ADMIN_J_REQUIRED | ADMIN_J_NONEMPTY, 8),
        ADMIN_JSPEC_STRING("password", &in->password, 0, 0),
        { .name = "outbox", .type = ADMIN_J_BOOL, .out = &in->outbox, .present = &in->has_outbox },
        ADMIN_JSPEC_INT("limit", &in->limit, 0, 1, 1000),
        ADMIN_JSPEC_DURATION("age", &in->age, 0, 0, 86400 * 30),
        ADMIN_JSPEC_ENUM("mode", &in->mode, 0, modes),
        ADMIN_JSPEC_STRING_ARRAY("mailboxes", &in->mailboxes, 0, 5),
        ADMIN_JSPEC_END,
    };
    int rc = admin_jspec_parse(obj, spec, "", false, fe);
    /* values point into obj: keep the test simple by checking before free */
    if (rc == 0 && in->name != NULL)
        in->name = strcmp(in->name, "alice") == 0 ? "alice" : "other";
    in->password = NULL;
    in->mailboxes = in->mailboxes != NULL ? (const json_t *)1 : NULL;
    json_decref(obj);
    return rc;
}

static void expect_field(const char *text, const char *field, const char *message_part)
{
    struct input in;
    struct admin_field_error fe;
    memset(&fe, 0, sizeof fe);
    assert_int_equal(parse_text(text, &in, &fe), -1);
    assert_string_equal(fe.field, field);
    if (message_part != NULL && strstr(fe.message, message_part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", fe.message, message_part);
}

static void test_admin_jspec_valid(void **state)
{
    (void)state;
    struct input in;
    struct admin_field_error fe;
    assert_int_equal(parse_text("{\"name\": \"alice\", \"outbox\": false, \"limit\": 5, "
                                "\"age\": \"2h\", \"mode\": \"replace\", \"mailboxes\": [\"a\"]}",
                                &in, &fe),
                     0);
    assert_string_equal(in.name, "alice");
    assert_true(in.has_outbox);
    assert_false(in.outbox);
    assert_int_equal(in.limit, 5);
    assert_int_equal(in.age, 7200);
    assert_int_equal(in.mode, 1);
    assert_non_null(in.mailboxes);
}

static void test_admin_jspec_defaults(void **state)
{
    (void)state;
    struct input in;
    struct admin_field_error fe;
    assert_int_equal(parse_text("{\"name\": \"alice\"}", &in, &fe), 0);
    assert_false(in.has_outbox);
    assert_int_equal(in.limit, 100);
    assert_int_equal(in.mode, -1);
    assert_null(in.mailboxes);
}

static void test_admin_jspec_missing_neg(void **state)
{
    (void)state;
    expect_field("{}", "name", "required");
}

static void test_admin_jspec_wrong_types_neg(void **state)
{
    (void)state;
    expect_field("{\"name\": 5}", "name", "expected a string, got an integer");
    expect_field("{\"name\": \"a\", \"outbox\": \"yes\"}", "outbox", "boolean");
    expect_field("{\"name\": \"a\", \"limit\": \"5\"}", "limit", "integer");
    expect_field("{\"name\": \"a\", \"limit\": 1.5}", "limit", "integer");
    expect_field("{\"name\": \"a\", \"mode\": \"both\"}", "mode", "\"merge\", \"replace\"");
    expect_field("{\"name\": \"a\", \"mailboxes\": \"a\"}", "mailboxes", "array");
    expect_field("{\"name\": \"a\", \"mailboxes\": [\"a\", 3]}", "mailboxes[1]", "string");
    expect_field("{\"name\": \"a\", \"age\": \"2w\"}", "age", "duration");
    expect_field("{\"name\": null}", "name", "null");
}

static void test_admin_jspec_bounds_neg(void **state)
{
    (void)state;
    expect_field("{\"name\": \"\"}", "name", "empty");
    expect_field("{\"name\": \"abcdefghi\"}", "name", "longer than 8");
    expect_field("{\"name\": \"a\\u0000b\"}", "name", "NUL");
    expect_field("{\"name\": \"a\", \"limit\": 0}", "limit", "from 1 to 1000");
    expect_field("{\"name\": \"a\", \"limit\": 1001}", "limit", "from 1 to 1000");
    expect_field("{\"name\": \"a\", \"age\": \"31d\"}", "age", "duration");
    expect_field("{\"name\": \"a\", \"mailboxes\": [\"toolong\"]}", "mailboxes[0]", "longer");
    expect_field("{\"name\": \"a\", \"mailboxes\": [\"\"]}", "mailboxes[0]", "empty");
}

static void test_admin_jspec_unknown_member_neg(void **state)
{
    (void)state;
    expect_field("{\"name\": \"a\", \"pasword\": \"x\"}", "pasword", "unknown");
}

static void test_admin_jspec_not_object_neg(void **state)
{
    (void)state;
    struct admin_field_error fe;
    struct input in = { 0 };
    json_t *arr = json_array();
    const struct admin_jspec spec[] = {
        ADMIN_JSPEC_STRING("name", &in.name, 0, 0),
        ADMIN_JSPEC_END,
    };
    assert_int_equal(admin_jspec_parse(arr, spec, "", false, &fe), -1);
    assert_string_equal(fe.field, "body");
    assert_non_null(strstr(fe.message, "object"));
    json_decref(arr);
}

static void test_admin_jspec_query_text(void **state)
{
    (void)state;
    long long limit = 0;
    bool flag = false;
    int box = -1;
    static const char *const boxes[] = { "inbox", "outbox", NULL };
    const struct admin_jspec spec[] = {
        ADMIN_JSPEC_INT("limit", &limit, 0, 1, 10),
        ADMIN_JSPEC_BOOL("flag", &flag, 0),
        ADMIN_JSPEC_ENUM("box", &box, 0, boxes),
        ADMIN_JSPEC_END,
    };
    struct admin_field_error fe;
    json_t *q = json_pack("{s:s, s:s, s:s}", "limit", "7", "flag", "true", "box", "outbox");
    assert_int_equal(admin_jspec_parse(q, spec, "query.", true, &fe), 0);
    assert_int_equal(limit, 7);
    assert_true(flag);
    assert_int_equal(box, 1);
    json_decref(q);

    q = json_pack("{s:s}", "limit", "7x");
    assert_int_equal(admin_jspec_parse(q, spec, "query.", true, &fe), -1);
    assert_string_equal(fe.field, "query.limit");
    json_decref(q);
    q = json_pack("{s:s}", "limit", "11");
    assert_int_equal(admin_jspec_parse(q, spec, "query.", true, &fe), -1);
    assert_string_equal(fe.field, "query.limit");
    json_decref(q);
    q = json_pack("{s:s}", "color", "red");
    assert_int_equal(admin_jspec_parse(q, spec, "query.", true, &fe), -1);
    assert_string_equal(fe.field, "query.color");
    json_decref(q);
}

static void test_admin_jspec_duration(void **state)
{
    (void)state;
    assert_int_equal(admin_parse_duration("30"), 30);
    assert_int_equal(admin_parse_duration("30s"), 30);
    assert_int_equal(admin_parse_duration("15m"), 900);
    assert_int_equal(admin_parse_duration("2h"), 7200);
    assert_int_equal(admin_parse_duration("7d"), 604800);
    assert_int_equal(admin_parse_duration(""), -1);
    assert_int_equal(admin_parse_duration("-5"), -1);
    assert_int_equal(admin_parse_duration("5ms"), -1);
    assert_int_equal(admin_parse_duration("h"), -1);
    assert_int_equal(admin_parse_duration("99999999999999999999"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_jspec_valid),
        cmocka_unit_test(test_admin_jspec_defaults),
        cmocka_unit_test(test_admin_jspec_missing_neg),
        cmocka_unit_test(test_admin_jspec_wrong_types_neg),
        cmocka_unit_test(test_admin_jspec_bounds_neg),
        cmocka_unit_test(test_admin_jspec_unknown_member_neg),
        cmocka_unit_test(test_admin_jspec_not_object_neg),
        cmocka_unit_test(test_admin_jspec_query_text),
        cmocka_unit_test(test_admin_jspec_duration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
