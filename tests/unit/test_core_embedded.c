/* Unit tests of the embedded core (include/x400ms/embedded.h, core/embedded.c):
 * a real rfc1006 module loaded from X400MS_MODULE_PATH, listening on a port
 * the test picks, reachable while the core runs and closed once it is freed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/x4test.h"
#include "x400ms/assoc.h"
#include "x400ms/embedded.h"
#include "x400ms/log.h"
#include "x400ms/transport.h"

struct test_ops {
    size_t size;
};
static const struct test_ops test_ops = { sizeof test_ops };

static const char *module_path(void)
{
    const char *p = getenv("X400MS_MODULE_PATH");
    return p != NULL && p[0] != '\0' ? p : "modules";
}

static void test_core_embedded_listen(void **state)
{
    (void)state;
    int port = x4t_free_port();
    assert_true(port > 0);
    char manifest[512];
    snprintf(manifest, sizeof manifest,
             "{\"modules\": [{\"name\": \"rfc1006\", \"config\": "
             "{\"listen\": [{\"address\": \"127.0.0.1\", \"port\": %d}]}}]}", port);
    struct x400ms_error err = { 0 };
    struct x400ms_core *core = x400ms_core_embedded_new(manifest, module_path(), &err);
    if (core == NULL)
        fail_msg("embedded_new: %s", err.message);
    /* the OSI provider is there before start; registration is open */
    assert_non_null(x400ms_tuser_find(core, "osi", NULL));
    assert_int_equal(x400ms_service_register(core, X400MS_SERVICE_OTHER, "test-embedded",
                                             &test_ops, NULL, &err), 0);
    assert_int_equal(x4t_connect(port), -1); /* nothing listens before start */
    if (x400ms_core_embedded_start(core, &err) != 0)
        fail_msg("embedded_start: %s", err.message);
    assert_int_equal(x400ms_core_loop_count(core), 1);
    assert_ptr_equal(x400ms_service_find(core, X400MS_SERVICE_OTHER, "test-embedded", NULL),
                     &test_ops);
    assert_non_null(x400ms_service_find(core, X400MS_SERVICE_TRANSPORT, "rfc1006", NULL));
    int fd = x4t_connect(port);
    assert_true(fd >= 0);
    close(fd);
    /* registration closed once started; a second start is refused */
    assert_int_equal(x400ms_service_register(core, X400MS_SERVICE_OTHER, "late", &test_ops,
                                             NULL, &err), X400MS_ESTATE);
    assert_int_equal(x400ms_core_embedded_start(core, &err), X400MS_ESTATE);
    x400ms_core_embedded_free(&core);
    assert_null(core);
    assert_int_equal(x4t_connect(port), -1);
    x400ms_core_embedded_free(&core); /* NULL is accepted */
}

static void test_core_embedded_bad_manifest_neg(void **state)
{
    (void)state;
    struct x400ms_error err = { 0 };
    assert_null(x400ms_core_embedded_new("{\"modules\": [", NULL, &err));
    assert_int_equal(err.code, X400MS_EINVAL);
    assert_non_null(strstr(err.message, "embedded manifest: 1:"));
    assert_null(x400ms_core_embedded_new("[1]", NULL, &err));
    assert_non_null(strstr(err.message, "expected a JSON object"));
    /* checked as the daemon's manifest is: the JSON path of the bad member */
    assert_null(x400ms_core_embedded_new("{\"modules\": [{\"name\": 3}]}", NULL, &err));
    assert_non_null(strstr(err.message, "modules[0].name"));
}

static void test_core_embedded_missing_module_neg(void **state)
{
    (void)state;
    struct x400ms_error err = { 0 };
    struct x400ms_core *core = x400ms_core_embedded_new(
        "{\"modules\": [{\"name\": \"no_such_module\"}]}", module_path(), &err);
    if (core == NULL)
        fail_msg("embedded_new: %s", err.message);
    assert_true(x400ms_core_embedded_start(core, &err) < 0);
    assert_non_null(strstr(err.message, "no_such_module"));
    x400ms_core_embedded_free(&core);
    assert_null(core);
}

int main(void)
{
    x400ms_log_set_level(X400MS_LOG_WARNING);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_embedded_listen),
        cmocka_unit_test(test_core_embedded_bad_manifest_neg),
        cmocka_unit_test(test_core_embedded_missing_module_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
