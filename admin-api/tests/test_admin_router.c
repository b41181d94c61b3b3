/* Unit tests of the admin API route table matcher (admin-api/router.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "admin-api/router.h"

static void h_a(void *ctx, const struct x400ms_admin_request *req, struct x400ms_admin_reply *r)
{
    (void)ctx; (void)req; (void)r;
}
static void h_b(void *ctx, const struct x400ms_admin_request *req, struct x400ms_admin_reply *r)
{
    (void)ctx; (void)req; (void)r;
}

static void add(struct admin_router *r, const char *method, const char *pattern,
                x400ms_admin_handler_fn *h)
{
    struct x400ms_error err = { 0 };
    struct admin_route route = { .method = method, .pattern = pattern, .handler = h };
    assert_int_equal(admin_router_add(r, &route, &err), 0);
}

static void build(struct admin_router *r)
{
    admin_router_init(r);
    add(r, "GET", "/api/v1/mailboxes", h_a);
    add(r, "POST", "/api/v1/mailboxes", h_b);
    add(r, "GET", "/api/v1/mailboxes/{name}", h_a);
    add(r, "PATCH", "/api/v1/mailboxes/{name}", h_b);
    add(r, "DELETE", "/api/v1/mailboxes/{name}", h_b);
    add(r, "GET", "/api/v1/mailboxes/{name}/entries", h_a);
    add(r, "POST", "/api/v1/mailboxes/{name}/index/check", h_b);
    add(r, "GET", "/api/v1/jobs/{id}", h_a);
    add(r, "GET", "/api/v1/jobs/latest", h_b); /* literal beats capture */
}

static void test_admin_router_literal(void **state)
{
    (void)state;
    struct admin_router r;
    struct admin_captures caps;
    const struct admin_route *route = NULL;
    build(&r);
    assert_int_equal(admin_router_match(&r, "GET", "/api/v1/mailboxes", &route, &caps, NULL, 0),
                     ADMIN_MATCH_OK);
    assert_ptr_equal(route->handler, h_a);
    assert_string_equal(route->pattern, "/api/v1/mailboxes");
    assert_int_equal(caps.count, 0);
    assert_int_equal(admin_router_match(&r, "POST", "/api/v1/mailboxes", &route, &caps, NULL, 0),
                     ADMIN_MATCH_OK);
    assert_ptr_equal(route->handler, h_b);
    admin_router_free(&r);
}

static void test_admin_router_captures(void **state)
{
    (void)state;
    struct admin_router r;
    struct admin_captures caps;
    const struct admin_route *route = NULL;
    build(&r);
    assert_int_equal(admin_router_match(&r, "POST", "/api/v1/mailboxes/alice.b-1/index/check",
                                        &route, &caps, NULL, 0),
                     ADMIN_MATCH_OK);
    assert_string_equal(route->pattern, "/api/v1/mailboxes/{name}/index/check");
    assert_int_equal(caps.count, 1);
    assert_string_equal(caps.names[0], "name");
    assert_string_equal(caps.values[0], "alice.b-1");
    /* the same shape with another method picks its own route */
    assert_int_equal(admin_router_match(&r, "DELETE", "/api/v1/mailboxes/bob", &route, &caps,
                                        NULL, 0),
                     ADMIN_MATCH_OK);
    assert_string_equal(route->method, "DELETE");
    assert_string_equal(caps.values[0], "bob");
    admin_router_free(&r);
}

static void test_admin_router_literal_beats_capture(void **state)
{
    (void)state;
    struct admin_router r;
    struct admin_captures caps;
    const struct admin_route *route = NULL;
    build(&r);
    assert_int_equal(admin_router_match(&r, "GET", "/api/v1/jobs/latest", &route, &caps, NULL, 0),
                     ADMIN_MATCH_OK);
    assert_ptr_equal(route->handler, h_b);
    assert_int_equal(admin_router_match(&r, "GET", "/api/v1/jobs/42", &route, &caps, NULL, 0),
                     ADMIN_MATCH_OK);
    assert_ptr_equal(route->handler, h_a);
    assert_string_equal(caps.names[0], "id");
    assert_string_equal(caps.values[0], "42");
    admin_router_free(&r);
}

static void test_admin_router_head_is_get(void **state)
{
    (void)state;
    struct admin_router r;
    struct admin_captures caps;
    const struct admin_route *route = NULL;
    build(&r);
    assert_int_equal(admin_router_match(&r, "HEAD", "/api/v1/mailboxes/x", &route, &caps, NULL, 0),
                     ADMIN_MATCH_OK);
    assert_string_equal(route->method, "GET");
    admin_router_free(&r);
}

static void test_admin_router_no_path_neg(void **state)
{
    (void)state;
    struct admin_router r;
    struct admin_captures caps;
    const struct admin_route *route = NULL;
    static const char *const paths[] = {
        "/api/v1/nothing", "/api/v1/mailboxes/", "/api/v1/mailboxes//entries", "/api/v1",
        "/api/v1/mailboxes/a/entries/extra", "api/v1/mailboxes", "/", "",
        "/api/v1/mailboxes/a/index",
    };
    build(&r);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        assert_int_equal(admin_router_match(&r, "GET", paths[i], &route, &caps, NULL, 0),
                         ADMIN_MATCH_NO_PATH);
    admin_router_free(&r);
}

static void test_admin_router_no_method_neg(void **state)
{
    (void)state;
    struct admin_router r;
    struct admin_captures caps;
    const struct admin_route *route = NULL;
    char allow[64];
    build(&r);
    assert_int_equal(admin_router_match(&r, "PUT", "/api/v1/mailboxes/alice", &route, &caps, allow,
                                        sizeof allow),
                     ADMIN_MATCH_NO_METHOD);
    assert_string_equal(allow, "GET, PATCH, DELETE");
    assert_int_equal(admin_router_match(&r, "DELETE", "/api/v1/mailboxes", &route, &caps, allow,
                                        sizeof allow),
                     ADMIN_MATCH_NO_METHOD);
    assert_string_equal(allow, "GET, POST");
    admin_router_free(&r);
}

static void test_admin_router_long_path_neg(void **state)
{
    (void)state;
    struct admin_router r;
    struct admin_captures caps;
    const struct admin_route *route = NULL;
    char path[ADMIN_PATH_MAX + 40];
    build(&r);
    strcpy(path, "/api/v1/mailboxes/");
    memset(path + strlen(path), 'a', sizeof path - strlen(path) - 1);
    path[sizeof path - 1] = '\0';
    assert_int_equal(admin_router_match(&r, "GET", path, &route, &caps, NULL, 0),
                     ADMIN_MATCH_NO_PATH);
    admin_router_free(&r);
}

static void test_admin_router_bad_patterns_neg(void **state)
{
    (void)state;
    struct admin_router r;
    struct x400ms_error err = { 0 };
    static const char *const bad[] = {
        "api/v1/x", "/api//x", "/api/v1/x/", "/api/{Name}", "/api/x{name}", "/api/{}",
        "/{a}/{b}/{c}/{d}/{e}",
    };
    admin_router_init(&r);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct admin_route route = { .method = "GET", .pattern = bad[i], .handler = h_a };
        assert_int_equal(admin_router_add(&r, &route, &err), X400MS_EINVAL);
        assert_true(strlen(err.message) > 0);
    }
    struct admin_route no_handler = { .method = "GET", .pattern = "/ok" };
    assert_int_equal(admin_router_add(&r, &no_handler, &err), X400MS_EINVAL);
    struct admin_route bad_method = { .method = "BREW", .pattern = "/ok", .handler = h_a };
    assert_int_equal(admin_router_add(&r, &bad_method, &err), X400MS_EINVAL);
    assert_int_equal(r.count, 0);
    admin_router_free(&r);
}

static void test_admin_router_duplicate_neg(void **state)
{
    (void)state;
    struct admin_router r;
    struct x400ms_error err = { 0 };
    build(&r);
    /* same shape, other capture name: a clash */
    struct admin_route dup = { .method = "GET", .pattern = "/api/v1/mailboxes/{other}",
                               .handler = h_b, .module = "p7" };
    assert_int_equal(admin_router_add(&r, &dup, &err), X400MS_EEXIST);
    assert_non_null(strstr(err.message, "clashes"));
    /* a new method on the same path is fine */
    struct admin_route put = { .method = "PUT", .pattern = "/api/v1/mailboxes/{name}",
                               .handler = h_b };
    assert_int_equal(admin_router_add(&r, &put, &err), 0);
    admin_router_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_router_literal),
        cmocka_unit_test(test_admin_router_captures),
        cmocka_unit_test(test_admin_router_literal_beats_capture),
        cmocka_unit_test(test_admin_router_head_is_get),
        cmocka_unit_test(test_admin_router_no_path_neg),
        cmocka_unit_test(test_admin_router_no_method_neg),
        cmocka_unit_test(test_admin_router_long_path_neg),
        cmocka_unit_test(test_admin_router_bad_patterns_neg),
        cmocka_unit_test(test_admin_router_duplicate_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
