/* Integration tests of the local MTA's relay (modules/mta/local/relay.c):
 * the real daemon with store_file + admin_api + p3 (an upstream configured,
 * not "direct") + mta_local (the active MTS provider) + the test-only module
 * mta_test_submit, which submits through mts.h from an admin route. The
 * upstream MTA is a real `x400ms-mta serve` process whose JSON lines (one
 * per submission it took) are counted. Real sockets on 127.0.0.1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>
#include "tests/lib/x4http.h"
#include "tests/lib/x4test.h"

#define DOMAIN "/C=XX/A= /P=TEST/O=Org/"
#define FOREIGN "/C=YY/A= /P=ELSEWHERE/S=far/"
#define UP_MTA "x400ms-ms"
#define UP_PASSWORD "up-secret"

static const char *const manifest =
    "{ \"module_path\": \"@MODULES@\",\n"
    "  \"log\": { \"target\": \"stderr\", \"level\": \"info\" },\n"
    "  \"modules\": [\n"
    "    { \"name\": \"rfc1006\", \"config\": {} },\n"
    "    { \"name\": \"store_file\" },\n"
    "    { \"name\": \"p3\", \"config\": { \"forced_access\": false, \"upstream\": {\n"
    "        \"host\": \"127.0.0.1\", \"port\": @UPPORT@, \"mta_name\": \"" UP_MTA "\",\n"
    "        \"password\": \"@UPPW@\", \"context\": \"@CTX@\", \"connections\": 1,\n"
    "        \"retry\": { \"min\": \"200ms\", \"max\": \"1s\" } } } },\n"
    "    { \"name\": \"mta_local\", \"config\": { \"country\": \"XX\", \"admd\": \" \", "
    "\"prmd\": \"TEST\", \"retry\": 2 } },\n"
    "    { \"name\": \"admin_api\", \"config\": { \"port\": @PORT1@, \"threads\": 4 } },\n"
    "    { \"name\": \"mta_test_submit\",\n"
    "      \"file\": \"@BUILD@/tests/integration/mta/mta_test_submit.la\" }\n"
    "  ] }\n";

struct fixture {
    struct x4t_daemon *d;
    struct x4t_admin admin;
    struct x4t_mta_serve up;    /* the upstream MTA, its output and log */
};

static void serve_start(struct fixture *f, int delay_s, const char *extra)
{
    assert_int_equal(x4t_mta_serve_start(&f->up, UP_MTA, UP_PASSWORD, delay_s, extra), 0);
}

static struct fixture *fixture_start(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(x4t_mta_serve_init(&f->up, "mtarelay"), 0);
    char port[16];
    snprintf(port, sizeof port, "%d", f->up.port);
    const char *build = getenv("X400MS_TOP_BUILDDIR");
    char *m1 = x4t_replace(manifest, "@BUILD@", build != NULL ? build : ".");
    char *m2 = x4t_replace(m1, "@UPPORT@", port);
    char *m3 = x4t_replace(m2, "@UPPW@", UP_PASSWORD);
    char *m4 = x4t_replace(m3, "@CTX@", "88");
    f->d = x4t_daemon_start(m4);
    free(m1);
    free(m2);
    free(m3);
    free(m4);
    assert_non_null(f->d);
    assert_int_equal(x4t_admin_open(&f->admin, f->d, 1), 0);
    assert_int_equal(x4t_mts_mailbox(&f->admin, "alice", DOMAIN "S=alice/"), 200);
    assert_int_equal(x4t_mts_mailbox(&f->admin, "bob", DOMAIN "S=bob/"), 200);
    return f;
}

static void fixture_stop(struct fixture *f)
{
    x4t_mta_serve_fini(&f->up);
    assert_int_equal(x4t_daemon_stop(f->d), 0);
    free(f);
}

/* alice -> bob (local) and far (another domain), every report asked for. */
static void submit_mixed(struct fixture *f)
{
    int st;
    json_t *j = x4t_admin_request(&f->admin, "POST", "/api/v1/test/mts/submit",
                                  "{\"mailbox\": \"alice\", \"from\": \"" DOMAIN "S=alice/\", "
                                  "\"to\": [\"" DOMAIN "S=bob/\", \"" FOREIGN "\"], "
                                  "\"report\": \"all\"}",
                                  &st);
    assert_int_equal(st, 200);
    assert_non_null(j);
    /* the local MTA takes it at once (its queue), whatever the upstream does */
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
    json_decref(j);
}

/* bob has the message; alice has one report, only about bob (the foreign
 * recipient's reports are the upstream MTA's to make). */
static void check_local_side(struct fixture *f)
{
    json_t *b = x4t_mts_inbox_wait(&f->admin, "bob", 1, 10000);
    assert_int_equal(json_array_size(b), 1);
    json_t *m = json_array_get(b, 0);
    assert_int_equal(json_integer_value(json_object_get(m, "type")), 0);
    assert_non_null(strstr(json_string_value(json_object_get(m, "this_recipient")), "S=bob"));
    json_decref(b);
    json_t *a = x4t_mts_inbox_wait(&f->admin, "alice", 1, 10000);
    assert_int_equal(json_array_size(a), 1);
    json_t *lines = json_object_get(json_array_get(a, 0), "report");
    assert_int_equal(json_array_size(lines), 1);
    json_t *l = json_array_get(lines, 0);
    assert_true(json_is_true(json_object_get(l, "delivered")));
    assert_non_null(strstr(json_string_value(json_object_get(l, "recipient")), "S=bob"));
    json_decref(a);
}

static void check_line(struct fixture *f)
{
    char why[1024];
    if (x4t_mts_check_relayed(f->up.out_path, "S=alice", "S=far", why, sizeof why) != 0)
        fail_msg("%s", why);
}

/* ---- tests ---- */

/* One local and one foreign recipient: bob's In Box gets the message, the
 * upstream exactly one submission holding only the foreign recipient. */
static void test_mta_relay_split(void **state)
{
    (void)state;
    struct fixture *f = fixture_start();
    serve_start(f, 0, "");
    submit_mixed(f);
    check_local_side(f);
    assert_int_equal(x4t_lines_wait(f->up.out_path, 1, 10000), 1);
    assert_int_equal(x4t_daemon_wait_log(f->d, "upstream MTA accepted the relayed", 5000), 0);
    usleep(500000); /* time for a duplicate to show, were there one */
    assert_int_equal(x4t_count_lines(f->up.out_path), 1);
    check_line(f);
    fixture_stop(f);
}

/* Upstream down at first, up 2 s later: the foreign recipient still reaches
 * it exactly once, and the local one is not held back meanwhile. */
static void test_mta_relay_upstream_late(void **state)
{
    (void)state;
    struct fixture *f = fixture_start();
    serve_start(f, 2, "");
    long long t0 = x4t_now_ms();
    submit_mixed(f);
    check_local_side(f);
    assert_int_equal(x4t_count_lines(f->up.out_path), 0);
    assert_int_equal(x4t_daemon_wait_log(f->d, "cannot associate", 3000), 0);
    assert_int_equal(x4t_lines_wait(f->up.out_path, 1, 10000), 1);
    assert_true(x4t_now_ms() - t0 >= 1500);
    assert_int_equal(x4t_daemon_wait_log(f->d, "upstream MTA accepted the relayed", 5000), 0);
    usleep(1500000); /* time for a duplicate to show, were there one */
    assert_int_equal(x4t_count_lines(f->up.out_path), 1);
    check_line(f);
    fixture_stop(f);
}

/* The upstream refuses the relayed submission (serve --refuse submission:
 * X.411 recipient-improperly-specified): the foreign recipient is not tried
 * again and alice gets a non-delivery for it, unable-to-transfer (1) with
 * unrecognised-OR-name (0) (relay.c mtal_relay_map_refusal), besides the
 * delivery report for bob. */
static void test_mta_relay_refused_ndr(void **state)
{
    (void)state;
    struct fixture *f = fixture_start();
    serve_start(f, 0, "--refuse submission");
    submit_mixed(f);
    assert_int_equal(x4t_daemon_wait_log(f->d, "upstream MTA refused the relayed", 10000), 0);
    json_t *a = x4t_mts_inbox_wait(&f->admin, "alice", 2, 10000);
    assert_int_equal(json_array_size(a), 2);
    int ndr = 0, dr = 0;
    for (size_t i = 0; i < 2; i++) {
        json_t *lines = json_object_get(json_array_get(a, i), "report");
        assert_int_equal(json_array_size(lines), 1);
        json_t *l = json_array_get(lines, 0);
        const char *who = json_string_value(json_object_get(l, "recipient"));
        if (json_is_true(json_object_get(l, "delivered"))) {
            assert_non_null(strstr(who, "S=bob"));
            dr++;
        } else {
            assert_non_null(strstr(who, "S=far"));
            assert_int_equal(json_integer_value(json_object_get(l, "reason")), 1);
            assert_int_equal(json_integer_value(json_object_get(l, "diagnostic")), 0);
            ndr++;
        }
    }
    assert_int_equal(dr, 1);
    assert_int_equal(ndr, 1);
    json_decref(a);
    /* taken by nobody, and refused once: no line, no retry */
    usleep(500000);
    assert_int_equal(x4t_count_lines(f->up.out_path), 0);
    char *log = x4t_read_file(f->up.log_path);
    assert_non_null(log);
    assert_non_null(strstr(log, "refused: --refuse (X.411 error 5)"));
    assert_null(strstr(strstr(log, "refused: --refuse") + 1, "refused: --refuse"));
    free(log);
    fixture_stop(f);
}

/* serve --refuse bind: the MS's initiator is refused (busy), logs it and
 * keeps trying with back-off; the local recipient is not held back. */
static void test_mta_relay_bind_refused_neg(void **state)
{
    (void)state;
    struct fixture *f = fixture_start();
    serve_start(f, 0, "--refuse bind");
    submit_mixed(f);
    check_local_side(f);
    assert_int_equal(x4t_daemon_wait_log(f->d, "MTS-bind refused: busy", 10000), 0);
    assert_int_equal(x4t_daemon_wait_log(f->d, "next attempt in", 5000), 0);
    assert_int_equal(x4t_count_lines(f->up.out_path), 0);
    fixture_stop(f);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mta_relay_split),
        cmocka_unit_test(test_mta_relay_upstream_late),
        cmocka_unit_test(test_mta_relay_refused_ndr),
        cmocka_unit_test(test_mta_relay_bind_refused_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
