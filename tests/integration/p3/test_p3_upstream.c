/* Integration tests of the P3 submission initiator (modules/protocol/p3/
 * upstream.c): the real daemon with store_file + admin_api + p3 (upstream
 * configured, "direct": the active MTS provider) + the test-only module
 * mta_test_submit (tests/integration/mta), which submits through mts.h from
 * an admin route; the upstream MTA is a real `x400ms-mta serve` process,
 * whose JSON lines are counted. Real sockets on 127.0.0.1. */
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
#include "tests/integration/p3/p3test.h"
#include "tests/lib/x4pcap.h"
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
    "    { \"name\": \"rtse\" },\n"
    "    { \"name\": \"p3\", \"config\": { \"forced_access\": false, \"upstream\": {\n"
    "        \"host\": \"127.0.0.1\", \"port\": @UPPORT@, \"mta_name\": \"" UP_MTA "\",\n"
    "        \"password\": \"@UPPW@\", \"context\": \"@CTX@\", \"connections\": @CONNS@,\n"
    "        \"retry\": { \"min\": \"200ms\", \"max\": \"1s\" }, \"direct\": true,\n"
    "        @ADMIN@ \"reliable\": @REL@ } } },\n"
    "    { \"name\": \"admin_api\", \"config\": { \"port\": @PORT1@, \"threads\": 4 } },\n"
    "    { \"name\": \"mta_test_submit\",\n"
    "      \"file\": \"@BUILD@/tests/integration/mta/mta_test_submit.la\" }\n"
    "  ] }\n";

static bool reliable_; /* the next fixture's upstream is mts-reliable-access (RTSE) */
static const char *admin_cfg_ = ""; /* more members of the next fixture's "upstream" */

struct fixture {
    struct x4t_daemon *d;
    struct x4t_admin admin;
    struct x4t_mta_serve up;   /* the upstream MTA, its output and log (and the pcap) */
    struct p3t_relay *relay;   /* records the one association to serve, when set */
    char pcap_path[512];
};

static void serve_start(struct fixture *f, const char *password, int delay_s, const char *extra)
{
    assert_int_equal(x4t_mta_serve_start(&f->up, UP_MTA, password, delay_s, extra), 0);
}

/* record: one association, through a recording relay (pcap in the dir),
 * to a serve started first with serve_extra (the relay forwards only the
 * first connection: the upstream must be listening when it comes). */
static struct fixture *fixture_start_rec(const char *daemon_password, const char *ctx, bool record,
                                         const char *serve_extra)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(x4t_mta_serve_init(&f->up, "p3up"), 0);
    char port[16];
    snprintf(port, sizeof port, "%d", f->up.port);
    if (record) {
        serve_start(f, UP_PASSWORD, 0, serve_extra);
        assert_int_equal(x4t_file_wait(f->up.log_path, "listening on", 10000), 0);
        snprintf(f->pcap_path, sizeof f->pcap_path, "%s/p3-submission.pcap", f->up.dir);
        f->relay = p3t_relay_start(f->up.port, f->pcap_path);
        assert_non_null(f->relay);
        snprintf(port, sizeof port, "%d", p3t_relay_port(f->relay));
    }
    const char *build = getenv("X400MS_TOP_BUILDDIR");
    char *m1 = x4t_replace(manifest, "@BUILD@", build != NULL ? build : ".");
    char *m2 = x4t_replace(m1, "@UPPORT@", port);
    char *m3 = x4t_replace(m2, "@UPPW@", daemon_password);
    char *m4 = x4t_replace(m3, "@CTX@", ctx);
    char *m5 = x4t_replace(m4, "@CONNS@", record ? "1" : "2");
    char *m6 = x4t_replace(m5, "@REL@", reliable_ ? "true" : "false");
    char *m7 = x4t_replace(m6, "@ADMIN@", admin_cfg_);
    f->d = x4t_daemon_start(m7);
    free(m7);
    free(m6);
    free(m5);
    free(m1);
    free(m2);
    free(m3);
    free(m4);
    assert_non_null(f->d);
    assert_int_equal(x4t_admin_open(&f->admin, f->d, 1), 0);
    assert_int_equal(x4t_mts_mailbox(&f->admin, "alice", DOMAIN "S=alice/"), 200);
    return f;
}

static struct fixture *fixture_start(const char *daemon_password, const char *ctx)
{
    return fixture_start_rec(daemon_password, ctx, false, NULL);
}

static void fixture_stop(struct fixture *f)
{
    x4t_mta_serve_fini(&f->up);
    assert_int_equal(x4t_daemon_stop(f->d), 0);
    free(f);
}

static json_t *submit_foreign(struct fixture *f)
{
    int st;
    json_t *j = x4t_admin_request(&f->admin, "POST", "/api/v1/test/mts/submit",
                                  "{\"mailbox\": \"alice\", \"from\": \"" DOMAIN "S=alice/\", "
                                  "\"to\": [\"" FOREIGN "\"]}",
                                  &st);
    assert_int_equal(st, 200);
    assert_non_null(j);
    return j;
}

static void check_line(struct fixture *f)
{
    char why[1024];
    if (x4t_mts_check_relayed(f->up.out_path, "S=alice", "S=far", why, sizeof why) != 0)
        fail_msg("%s", why);
}

static double metric(struct fixture *f, const char *sample)
{
    return x4t_admin_metric(&f->admin, sample);
}

/* Ends a recording fixture (fixture_start_rec with record): the daemon stops
 * (the association ends with it: then the capture is complete), the relay
 * finishes, tshark checks the capture: no malformed frame, no error expert
 * item. Returns tshark's verbose dissection (caller frees), NULL when there
 * is no tshark. */
static char *fixture_stop_rec(struct fixture *f)
{
    assert_int_equal(x4t_daemon_stop(f->d), 0);
    f->d = NULL;
    assert_int_equal(p3t_relay_finish(f->relay, 10000), 0);
    char *verbose = NULL;
    if (x4_tshark_path() != NULL) {
        char report[4096];
        verbose = malloc(65536);
        assert_non_null(verbose);
        int rc = x4_tshark_check(f->pcap_path, (uint16_t)f->up.port, report, sizeof report,
                                 verbose, 65536);
        if (rc != 0)
            fprintf(stderr, "tshark: %s\n", report);
        assert_int_equal(rc, 0);
    }
    x4t_mta_serve_fini(&f->up);
    free(f);
    return verbose;
}

/* ---- tests ---- */

static void test_p3_upstream_submit(void **state)
{
    (void)state;
    struct fixture *f = fixture_start(UP_PASSWORD, "88");
    serve_start(f, UP_PASSWORD, 0, "");
    assert_int_equal(x4t_daemon_wait_log(f->d, "bound as MTA", 10000), 0);
    for (int i = 0; i < 3; i++) {
        json_t *j = submit_foreign(f);
        assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
        json_decref(j);
    }
    assert_int_equal(x4t_count_lines(f->up.out_path), 3);
    check_line(f);
    /* the pool was reused: one MTS-bind per pooled association, not per message */
    char *log = x4t_read_file(f->up.log_path);
    assert_non_null(log);
    size_t binds = 0;
    for (const char *p = log; (p = strstr(p, "MTS-bind from")) != NULL; p++)
        binds++;
    free(log);
    assert_true(binds >= 1 && binds <= 2);
    fixture_stop(f);
}

static void test_p3_upstream_94(void **state)
{
    (void)state;
    struct fixture *f = fixture_start(UP_PASSWORD, "94");
    serve_start(f, UP_PASSWORD, 0, "");
    json_t *j = submit_foreign(f);
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
    json_decref(j);
    assert_int_equal(x4t_count_lines(f->up.out_path), 1);
    fixture_stop(f);
}

/* Upstream down at first, up 2 s later: the message arrives exactly once. */
static void test_p3_upstream_down_then_up(void **state)
{
    (void)state;
    struct fixture *f = fixture_start(UP_PASSWORD, "88");
    long long t0 = x4t_now_ms();
    serve_start(f, UP_PASSWORD, 2, "");
    json_t *j = submit_foreign(f); /* waits for the upstream's answer */
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
    json_decref(j);
    assert_true(x4t_now_ms() - t0 >= 1500);
    assert_int_equal(x4t_daemon_wait_log(f->d, "cannot associate", 1000), 0);
    usleep(1500000); /* time for a duplicate to show, were there one */
    assert_int_equal(x4t_count_lines(f->up.out_path), 1);
    check_line(f);
    fixture_stop(f);
}

/* Wrong password: the upstream refuses with authentication-error, the MS logs
 * it and tries again (back-off), and nothing is taken. */
static void test_p3_upstream_wrong_password_neg(void **state)
{
    (void)state;
    struct fixture *f = fixture_start("not-the-password", "88");
    serve_start(f, UP_PASSWORD, 0, "");
    assert_int_equal(x4t_daemon_wait_log(f->d, "MTS-bind refused: authentication-error", 10000), 0);
    assert_int_equal(x4t_file_wait(f->up.log_path, "refused MTS-bind", 5000), 0);
    /* retried: more refusals follow */
    long long end = x4t_now_ms() + 8000;
    size_t refusals = 0;
    while (x4t_now_ms() < end) {
        char *log = x4t_read_file(f->up.log_path);
        refusals = 0;
        for (const char *p = log; p != NULL && (p = strstr(p, "refused MTS-bind")) != NULL; p++)
            refusals++;
        free(log);
        if (refusals >= 4)
            break;
        usleep(100000);
    }
    assert_true(refusals >= 4); /* 2 associations, each tried at least twice */
    assert_int_equal(x4t_count_lines(f->up.out_path), 0);
    fixture_stop(f);
}

/* The upstream MTA delivers a report on the mts-access association it was
 * submitted on (X.411 8.3.1.2, serve --report-after-submit): the initiator
 * stores it in the originating mailbox's In Box (the upstream's MTS
 * identifier is all the report names); issue 9's counters show the
 * submission and the report delivery; tshark dissects the recorded
 * association (bind, submission, result, report-delivery, its result) with
 * no malformed frame and no error expert item. */
static void test_p3_upstream_report_back(void **state)
{
    (void)state;
    struct fixture *f = fixture_start_rec(UP_PASSWORD, "88", true, "--report-after-submit");
    json_t *j = submit_foreign(f);
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
    json_decref(j);
    json_t *a = x4t_mts_inbox_wait(&f->admin, "alice", 1, 10000);
    assert_int_equal(json_array_size(a), 1);
    json_t *r = json_array_get(a, 0);
    assert_int_equal(json_integer_value(json_object_get(r, "type")), 1); /* a report */
    json_t *lines = json_object_get(r, "report");
    assert_int_equal(json_array_size(lines), 1);
    assert_true(json_is_true(json_object_get(json_array_get(lines, 0), "delivered")));
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(lines, 0),
                                                             "recipient")), "S=far"));
    json_decref(a);
    assert_int_equal(x4t_file_wait(f->up.log_path, "report-delivery to", 5000), 0);
    assert_int_equal(x4t_file_wait(f->up.log_path, "report-delivery to 127.0.0.1", 5000), 0);
    char *slog = x4t_read_file(f->up.log_path);
    assert_non_null(slog);
    assert_non_null(strstr(slog, "acknowledged"));
    free(slog);
    assert_true(metric(f, "x400ms_submissions_total{protocol=\"p3\",result=\"ok\"}") == 1);
    assert_true(metric(f, "x400ms_submissions_total{protocol=\"p3\",result=\"refused\"}") == 0);
    assert_true(metric(f, "x400ms_operations_total{protocol=\"p3\",op=\"report-delivery\","
                          "result=\"ok\"}") == 1);
    char *verbose = fixture_stop_rec(f);
    if (verbose != NULL) {
        /* tshark knew each PDU: bind, submission and its result, the report */
        assert_non_null(strstr(verbose, "MTSBindArgument"));
        assert_non_null(strstr(verbose, "MessageSubmissionArgument"));
        assert_non_null(strstr(verbose, "MessageSubmissionResult"));
        assert_non_null(strstr(verbose, "ReportDeliveryArgument"));
        assert_non_null(strstr(verbose, "ReportDeliveryResult"));
        free(verbose);
    }
}

/* mts-reliable-access over RTSE to the upstream (X.419 2.6.0.1.2 / .9),
 * serve --reliable: the submission arrives once, for both contexts. */
static void test_p3_upstream_reliable(void **state)
{
    (void)state;
    const char *const ctxs[] = { "88", "94" };
    for (int i = 0; i < 2; i++) {
        reliable_ = true;
        struct fixture *f = fixture_start(UP_PASSWORD, ctxs[i]);
        reliable_ = false;
        serve_start(f, UP_PASSWORD, 0, "--reliable");
        json_t *j = submit_foreign(f);
        assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
        json_decref(j);
        assert_int_equal(x4t_count_lines(f->up.out_path), 1);
        check_line(f);
        assert_int_equal(x4t_daemon_wait_log(f->d, i == 0 ? "(mts-reliable-access-88)"
                                                          : "(mts-reliable-access-94)", 1000), 0);
        fixture_stop(f);
    }
}

/* X.411 8.4 towards the upstream: register (user-name) and
 * change-credentials after the bind, on id-as-mase; serve takes both (the
 * old password checked); a submission still goes through; tshark decodes
 * RegisterArgument and ChangeCredentialsArgument without an error. */
static void test_p3_upstream_register_change_credentials(void **state)
{
    (void)state;
    admin_cfg_ = "\"register\": \"" DOMAIN "S=alice/\", \"new_password\": \"changed-pw\",";
    struct fixture *f = fixture_start_rec(UP_PASSWORD, "88", true, "");
    admin_cfg_ = "";
    assert_int_equal(x4t_daemon_wait_log(f->d, "registered as", 10000), 0);
    assert_int_equal(x4t_daemon_wait_log(f->d, "password changed", 5000), 0);
    assert_int_equal(x4t_file_wait(f->up.log_path, "user-name " DOMAIN "S=alice/", 5000), 0);
    assert_int_equal(x4t_file_wait(f->up.log_path, "change-credentials from", 5000), 0);
    char *slog = x4t_read_file(f->up.log_path);
    assert_non_null(slog);
    assert_non_null(strstr(slog, "accepted: later binds need the new password"));
    free(slog);
    json_t *j = submit_foreign(f);
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
    json_decref(j);
    assert_int_equal(x4t_count_lines(f->up.out_path), 1);
    char *verbose = fixture_stop_rec(f);
    if (verbose != NULL) {
        assert_non_null(strstr(verbose, "RegisterArgument"));
        assert_non_null(strstr(verbose, "ChangeCredentialsArgument"));
        free(verbose);
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p3_upstream_submit),
        cmocka_unit_test(test_p3_upstream_94),
        cmocka_unit_test(test_p3_upstream_down_then_up),
        cmocka_unit_test(test_p3_upstream_wrong_password_neg),
        cmocka_unit_test(test_p3_upstream_report_back),
        cmocka_unit_test(test_p3_upstream_reliable),
        cmocka_unit_test(test_p3_upstream_register_change_credentials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
