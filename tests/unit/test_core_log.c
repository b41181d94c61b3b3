/* Unit tests of logging (core/log.c): line format, levels, file target and
 * its reopen after rotation. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/lib/x4test.h"
#define X400MS_LOG_MODULE "logtest"
#include "x400ms/log.h"

struct fixture {
    char *dir, *file;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = x4t_tempdir("log");
    if (!f->dir || asprintf(&f->file, "%s/x400msd.log", f->dir) < 0)
        return -1;
    if (x400ms_log_set_target(f->file, NULL) != 0)
        return -1;
    x400ms_log_set_level(X400MS_LOG_INFO);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    x400ms_log_set_target("stderr", NULL);
    x4t_rmtree(f->dir);
    free(f->dir);
    free(f->file);
    free(f);
    return 0;
}

static void test_core_log_line_format(void **state)
{
    struct fixture *f = *state;
    X400MS_LOG_N("peer %s: CR refused", "127.0.0.1:40112");
    x400ms_log(X400MS_LOG_ERROR, "rfc1006", "two\nlines\r%d", 2);
    char *text = x4t_read_file(f->file);
    assert_non_null(text);
    /* 2026-11-22T08:30:01.123Z notice [logtest] ... */
    char *first = text, *second = strchr(text, '\n') + 1;
    assert_int_equal(first[4], '-');
    assert_int_equal(first[10], 'T');
    assert_int_equal(first[23], 'Z');
    assert_memory_equal(first + 24, " notice [logtest] peer 127.0.0.1:40112: CR refused\n",
                        strlen(" notice [logtest] peer 127.0.0.1:40112: CR refused\n"));
    /* Control characters cannot split or forge a line. */
    assert_non_null(strstr(second, " error [rfc1006] two lines 2\n"));
    assert_null(strchr(strchr(second, '\n') + 1, '\n'));
    free(text);
}

static void test_core_log_levels(void **state)
{
    struct fixture *f = *state;
    x400ms_log_set_level(X400MS_LOG_WARNING);
    assert_false(x400ms_log_enabled(X400MS_LOG_NOTICE));
    assert_true(x400ms_log_enabled(X400MS_LOG_WARNING));
    X400MS_LOG_I("hidden info");
    X400MS_LOG_D("hidden debug");
    X400MS_LOG_W("shown warning");
    x400ms_log_set_level(X400MS_LOG_DEBUG);
    X400MS_LOG_D("shown debug");
    char *text = x4t_read_file(f->file);
    assert_null(strstr(text, "hidden"));
    assert_non_null(strstr(text, "warning [logtest] shown warning"));
    assert_non_null(strstr(text, "debug [logtest] shown debug"));
    free(text);

    assert_int_equal(x400ms_log_level_parse("error"), X400MS_LOG_ERROR);
    assert_int_equal(x400ms_log_level_parse("Notice"), X400MS_LOG_NOTICE);
    assert_int_equal(x400ms_log_level_parse("debug"), X400MS_LOG_DEBUG);
    assert_int_equal(x400ms_log_level_parse("loud"), -1);
    assert_int_equal(x400ms_log_level_parse(NULL), -1);
}

static void test_core_log_reopen_after_rotation(void **state)
{
    struct fixture *f = *state;
    char *rotated;
    assert_true(asprintf(&rotated, "%s.1", f->file) > 0);
    X400MS_LOG_N("before rotation");
    assert_int_equal(rename(f->file, rotated), 0);
    X400MS_LOG_N("still to the old file");
    assert_int_equal(x400ms_log_reopen(), 0);
    X400MS_LOG_N("after reopen");
    char *old = x4t_read_file(rotated), *cur = x4t_read_file(f->file);
    assert_non_null(old);
    assert_non_null(cur);
    assert_non_null(strstr(old, "before rotation"));
    assert_non_null(strstr(old, "still to the old file"));
    assert_null(strstr(old, "after reopen"));
    assert_non_null(strstr(cur, "after reopen"));
    assert_null(strstr(cur, "before rotation"));
    free(old);
    free(cur);
    free(rotated);
}

static void test_core_log_bad_target_neg(void **state)
{
    struct fixture *f = *state;
    struct x400ms_error err = { 0 };
    char *bad;
    assert_true(asprintf(&bad, "%s/no/such/dir/x.log", f->dir) > 0);
    assert_int_equal(x400ms_log_set_target(bad, &err), X400MS_EIO);
    assert_non_null(strstr(err.message, bad));
    /* The old target still works. */
    X400MS_LOG_N("after a failed switch");
    char *text = x4t_read_file(f->file);
    assert_non_null(strstr(text, "after a failed switch"));
    free(text);
    free(bad);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_core_log_line_format),
        T(test_core_log_levels),
        T(test_core_log_reopen_after_rotation),
        T(test_core_log_bad_target_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
