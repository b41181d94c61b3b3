/* Unit tests of the manifest (core/manifest.c): a valid one, and each kind
 * of bad input with the file, line/column or JSON path in the message. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/core-private.h"
#include "core/manifest.h"
#include "core/module-loader.h"
#include "tests/lib/x4test.h"
#include "x400ms/log.h"

struct fixture {
    char *dir;
    char *file;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = x4t_tempdir("manifest");
    if (!f->dir || asprintf(&f->file, "%s/x400ms.json", f->dir) < 0)
        return -1;
    *state = f;
    x400ms_log_set_level(X400MS_LOG_WARNING);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    x4t_rmtree(f->dir);
    free(f->dir);
    free(f->file);
    free(f);
    return 0;
}

static int load(struct fixture *f, const char *text, struct core_manifest **m, struct x400ms_error *err)
{
    assert_int_equal(x4t_write_file(f->file, text), 0);
    return core_manifest_load(f->file, m, err);
}

/* The load fails with `code` and a message holding the file name and `want`. */
static void expect_error(struct fixture *f, const char *text, int code, const char *want)
{
    struct core_manifest *m = NULL;
    struct x400ms_error err = { 0 };
    assert_int_equal(load(f, text, &m, &err), code);
    assert_null(m);
    if (strncmp(err.message, f->file, strlen(f->file)) != 0)
        fail_msg("message does not start with the file name: %s", err.message);
    if (!strstr(err.message, want))
        fail_msg("expected \"%s\" in \"%s\"", want, err.message);
}

static void test_core_manifest_valid(void **state)
{
    struct fixture *f = *state;
    struct passwd *me = getpwuid(getuid());
    assert_non_null(me);
    char *text;
    assert_true(asprintf(&text,
        "{\n"
        "  \"module_path\": [\"mods\", \"/opt/x400ms/modules\"],\n"
        "  \"data_dir\": \"var\",\n"
        "  \"log\": { \"target\": \"log/x400msd.log\", \"level\": \"debug\" },\n"
        "  \"threads\": 3,\n"
        "  \"pid_file\": \"/run/x400msd.pid\",\n"
        "  \"user\": \"%s\",\n"
        "  \"modules\": [\n"
        "    { \"name\": \"rfc1006\", \"config\": { \"port\": 10102 } },\n"
        "    { \"name\": \"p7\", \"file\": \"protocol_p7\", \"enabled\": false }\n"
        "  ]\n"
        "}\n", me->pw_name) > 0);
    struct core_manifest *m = NULL;
    struct x400ms_error err = { 0 };
    assert_int_equal(load(f, text, &m, &err), 0);
    free(text);
    char *want;
    assert_string_equal(m->dir, f->dir);
    assert_int_equal(m->module_path_count, 2);
    assert_true(asprintf(&want, "%s/mods", f->dir) > 0);
    assert_string_equal(m->module_path[0], want);
    free(want);
    assert_string_equal(m->module_path[1], "/opt/x400ms/modules");
    assert_true(asprintf(&want, "%s/var", f->dir) > 0);
    assert_string_equal(m->data_dir, want); /* relative to the manifest's directory */
    free(want);
    assert_true(asprintf(&want, "%s/log/x400msd.log", f->dir) > 0);
    assert_string_equal(m->log_target, want);
    free(want);
    assert_int_equal(m->log_level, X400MS_LOG_DEBUG);
    assert_int_equal(m->threads, 3);
    assert_string_equal(m->pid_file, "/run/x400msd.pid");
    assert_string_equal(m->user, me->pw_name);
    assert_null(m->group);
    assert_int_equal(m->module_count, 2);
    assert_string_equal(m->modules[0].name, "rfc1006");
    assert_null(m->modules[0].file);
    assert_true(m->modules[0].enabled);
    assert_int_equal(json_integer_value(json_object_get(m->modules[0].config, "port")), 10102);
    assert_string_equal(m->modules[1].name, "p7");
    assert_string_equal(m->modules[1].file, "protocol_p7");
    assert_false(m->modules[1].enabled);
    assert_true(json_is_object(m->modules[1].config)); /* {} when absent */
    assert_int_equal(m->modules[1].index, 1);
    core_manifest_free(&m);
    assert_null(m);
}

static void test_core_manifest_minimal_defaults(void **state)
{
    struct fixture *f = *state;
    struct core_manifest *m = NULL;
    struct x400ms_error err = { 0 };
    assert_int_equal(load(f, "{\"modules\": [], \"module_path\": \"/x\"}", &m, &err), 0);
    assert_null(m->data_dir);
    assert_string_equal(m->log_target, "stderr");
    assert_int_equal(m->log_level, X400MS_LOG_INFO);
    assert_int_equal(m->threads, 0);
    assert_int_equal(m->module_path_count, 1);
    assert_int_equal(m->module_count, 0);
    assert_false(m->allow_root);
    core_manifest_free(&m);
}

/* "allow_root" is read as a boolean; absent means false (checked above). */
static void test_core_manifest_allow_root(void **state)
{
    struct fixture *f = *state;
    struct core_manifest *m = NULL;
    struct x400ms_error err = { 0 };
    assert_int_equal(load(f, "{\"modules\": [], \"allow_root\": true}", &m, &err), 0);
    assert_true(m->allow_root);
    core_manifest_free(&m);
    assert_int_equal(load(f, "{\"modules\": [], \"allow_root\": false}", &m, &err), 0);
    assert_false(m->allow_root);
    core_manifest_free(&m);
}

static void test_core_manifest_shipped_default(void **state)
{
    (void)state;
    const char *src = getenv("X400MS_TOP_SRCDIR");
    if (!src)
        skip();
    char *file;
    assert_true(asprintf(&file, "%s/etc/x400ms.json", src) > 0);
    struct core_manifest *m = NULL;
    struct x400ms_error err = { 0 };
    if (core_manifest_load(file, &m, &err) != 0)
        fail_msg("%s", err.message);
    assert_non_null(m->data_dir);
    core_manifest_free(&m);
    free(file);
}

static void test_core_manifest_syntax_error_neg(void **state)
{
    struct fixture *f = *state;
    /* The stray comma is on line 3, column 5. */
    char *want;
    assert_true(asprintf(&want, "%s:3:", f->file) > 0);
    expect_error(f, "{\n  \"modules\": [\n    ,\n  ]\n}\n", X400MS_EINVAL, want);
    expect_error(f, "{\n  \"modules\": [\n    ,\n  ]\n}\n", X400MS_EINVAL, "JSON syntax error");
    free(want);
    expect_error(f, "{\"modules\": []", X400MS_EINVAL, ":1:");
    expect_error(f, "", X400MS_EINVAL, "syntax error");
}

static void test_core_manifest_duplicate_key_neg(void **state)
{
    struct fixture *f = *state;
    expect_error(f, "{\"modules\": [],\n \"threads\": 1,\n \"threads\": 2}", X400MS_EINVAL, "duplicate");
}

static void test_core_manifest_unknown_key_neg(void **state)
{
    struct fixture *f = *state;
    expect_error(f, "{\"modules\": [], \"colour\": \"blue\"}", X400MS_EINVAL, ": colour: unknown key");
    expect_error(f, "{\"modules\": [], \"log\": {\"targte\": \"stderr\"}}", X400MS_EINVAL,
                 ": log.targte: unknown key");
    expect_error(f, "{\"modules\": [{\"name\": \"a\"}, {\"nmae\": \"b\"}]}", X400MS_EINVAL,
                 ": modules[1].nmae: unknown key (known keys: name, file, config, enabled)");
}

static void test_core_manifest_wrong_type_neg(void **state)
{
    struct fixture *f = *state;
    expect_error(f, "[]", X400MS_EINVAL, "expected an object, got an array");
    expect_error(f, "{\"modules\": {}}", X400MS_EINVAL, ": modules: expected an array");
    expect_error(f, "{\"modules\": [], \"threads\": \"four\"}", X400MS_EINVAL,
                 ": threads: expected an integer from 1 to 256");
    expect_error(f, "{\"modules\": [], \"threads\": 0}", X400MS_EINVAL, "got 0");
    expect_error(f, "{\"modules\": [], \"data_dir\": 7}", X400MS_EINVAL, ": data_dir: expected a non-empty string");
    expect_error(f, "{\"modules\": [], \"log\": {\"level\": \"loud\"}}", X400MS_EINVAL,
                 ": log.level: expected one of \"error\", \"warning\", \"notice\", \"info\", \"debug\", got \"loud\"");
    expect_error(f, "{\"modules\": [], \"module_path\": 5}", X400MS_EINVAL, ": module_path: expected a directory");
    expect_error(f, "{\"modules\": [], \"module_path\": [\"a\", 5]}", X400MS_EINVAL, ": module_path[1]: expected");
    expect_error(f, "{\"modules\": [\"rfc1006\"]}", X400MS_EINVAL, ": modules[0]: expected an object, got \"rfc1006\"");
    expect_error(f, "{\"modules\": [{\"name\": \"a\", \"config\": []}]}", X400MS_EINVAL,
                 ": modules[0].config: expected an object");
    expect_error(f, "{\"modules\": [{\"name\": \"a\", \"enabled\": \"no\"}]}", X400MS_EINVAL,
                 ": modules[0].enabled: expected true or false");
    expect_error(f, "{\"modules\": [], \"allow_root\": \"yes\"}", X400MS_EINVAL,
                 ": allow_root: expected true or false");
    expect_error(f, "{\"modules\": [], \"allow_root\": 1}", X400MS_EINVAL, ": allow_root: expected true or false");
    expect_error(f, "{\"modules\": [{\"name\": \"Bad-Name\"}]}", X400MS_EINVAL,
                 ": modules[0].name: expected a module name of [a-z0-9_]+, got \"Bad-Name\"");
}

static void test_core_manifest_missing_required_neg(void **state)
{
    struct fixture *f = *state;
    expect_error(f, "{\"data_dir\": \"var\"}", X400MS_EINVAL, ": modules: missing; required: an array");
    expect_error(f, "{\"modules\": [{\"file\": \"x\"}]}", X400MS_EINVAL, ": modules[0].name: missing; required");
}

static void test_core_manifest_unknown_user_neg(void **state)
{
    struct fixture *f = *state;
    expect_error(f, "{\"modules\": [], \"user\": \"no_such_user_x4t\"}", X400MS_EINVAL,
                 ": user: expected a user name known to the system, got \"no_such_user_x4t\"");
    expect_error(f, "{\"modules\": [], \"group\": \"no_such_group_x4t\"}", X400MS_EINVAL,
                 ": group: expected a group name known to the system");
}

static void test_core_manifest_missing_file_neg(void **state)
{
    struct fixture *f = *state;
    struct core_manifest *m = NULL;
    struct x400ms_error err = { 0 };
    char *file;
    assert_true(asprintf(&file, "%s/absent.json", f->dir) > 0);
    assert_int_equal(core_manifest_load(file, &m, &err), X400MS_ENOENT);
    assert_non_null(strstr(err.message, file));
    assert_non_null(strstr(err.message, "cannot read"));
    free(file);
}

static int builtin_init(struct x400ms_core *core, const json_t *config, void **state,
                        struct x400ms_error *err)
{
    return 0;
}

static void test_core_manifest_module_not_found_neg(void **state)
{
    struct fixture *f = *state;
    struct core_manifest *m = NULL;
    struct x400ms_error err = { 0 };
    assert_int_equal(load(f, "{\"modules\": [{\"name\": \"a\"}, {\"name\": \"no_such_module\"}], "
                             "\"module_path\": \"mods\"}", &m, &err), 0);
    unsetenv("X400MS_MODULE_PATH");
    struct x400ms_core *core = core_new(f->file, f->dir, 1, true, &err);
    assert_non_null(core);
    /* "a" is built in here; "no_such_module" is nowhere. */
    static const struct x400ms_module builtin_a = { X400MS_MODULE_HEADER, .name = "a",
                                                    .init = builtin_init };
    const struct x400ms_module *const builtins[] = { &builtin_a, NULL };
    int rc = core_modules_load(core, m, builtins, &err);
    if (rc != X400MS_ENOENT)
        fail_msg("rc %d: %s", rc, err.message);
    if (!strstr(err.message, "modules[1] (no_such_module): module file \"no_such_module\" not found in ") ||
        !strstr(err.message, "/mods") || strncmp(err.message, f->file, strlen(f->file)) != 0 ||
        !strstr(err.message, "modules[1].file"))
        fail_msg("unexpected message: %s", err.message);
    core_free(&core);
    core_manifest_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_core_manifest_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_minimal_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_allow_root, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_shipped_default, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_syntax_error_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_duplicate_key_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_unknown_key_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_wrong_type_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_missing_required_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_unknown_user_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_missing_file_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_manifest_module_not_found_neg, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
