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
#include "tests/lib/x4test.h"
#include "tools/admin/http_client.h"

#define TIMEOUT_MS 20000
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
    int admin_port, up_port;
    struct p3t_relay *relay;   /* records the one association to serve, when set */
    char pcap_path[512];
    char token[600];
    char *dir;          /* serve's output and log */
    char out_path[512], log_path[512];
    pid_t serve;
};

static json_t *http(struct fixture *f, const char *method, const char *path, const char *body,
                    int *status)
{
    struct x4h_response resp;
    char errbuf[256];
    int rc = x4h_request("127.0.0.1", f->admin_port, method, path, f->token, body,
                         body ? strlen(body) : 0, TIMEOUT_MS, &resp, errbuf, sizeof errbuf);
    if (rc != 0) {
        fprintf(stderr, "HTTP %s %s: %s\n", method, path, errbuf);
        *status = 0;
        return NULL;
    }
    *status = resp.status;
    json_t *j = json_loads(resp.body ? resp.body : "", 0, NULL);
    if (resp.status != 200)
        fprintf(stderr, "HTTP %s %s -> %d %s\n", method, path, resp.status, resp.body);
    x4h_response_free(&resp);
    return j;
}

/* `x400ms-mta serve`, after delay_s seconds when delay_s > 0 (sh sleeps,
 * then execs it: the pid stays the one we stop). */
static pid_t serve_start_opts(struct fixture *f, const char *password, int delay_s,
                              const char *extra)
{
    const char *build = getenv("X400MS_TOP_BUILDDIR");
    char prog[1024], listen[64], cmd[4096];
    snprintf(prog, sizeof prog, "%s/tools/x400ms-mta", build ? build : ".");
    snprintf(listen, sizeof listen, "127.0.0.1:%d", f->up_port);
    snprintf(cmd, sizeof cmd,
             "sleep %d; exec '%s' serve --listen %s --mta-name " UP_MTA
             " --password '%s' --out '%s' %s",
             delay_s, prog, listen, password, f->out_path, extra);
    return x4t_spawn_group(cmd, f->log_path);
}

static pid_t serve_start(struct fixture *f, const char *password, int delay_s)
{
    return serve_start_opts(f, password, delay_s, "");
}

static size_t count_lines(const char *path)
{
    char *t = x4t_read_file(path);
    size_t n = 0;
    for (const char *p = t; p != NULL && *p != '\0'; p++)
        if (*p == '\n')
            n++;
    free(t);
    return n;
}

static pid_t serve_start_opts(struct fixture *f, const char *password, int delay_s,
                              const char *extra);

/* record: one association, through a recording relay (pcap in the dir),
 * to a serve started first with serve_extra (the relay forwards only the
 * first connection: the upstream must be listening when it comes). */
static struct fixture *fixture_start_rec(const char *daemon_password, const char *ctx, bool record,
                                         const char *serve_extra)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = x4t_tempdir("p3up");
    assert_non_null(f->dir);
    snprintf(f->out_path, sizeof f->out_path, "%s/submissions.jsonl", f->dir);
    snprintf(f->log_path, sizeof f->log_path, "%s/serve.log", f->dir);
    f->up_port = x4t_free_port();
    char port[16];
    snprintf(port, sizeof port, "%d", f->up_port);
    if (record) {
        f->serve = serve_start_opts(f, UP_PASSWORD, 0, serve_extra);
        assert_int_equal(x4t_file_wait(f->log_path, "listening on", 10000), 0);
        snprintf(f->pcap_path, sizeof f->pcap_path, "%s/p3-submission.pcap", f->dir);
        f->relay = p3t_relay_start(f->up_port, f->pcap_path);
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
    f->admin_port = x4t_daemon_port(f->d, 1);
    assert_int_equal(x4t_daemon_wait_log(f->d, "admin API listening", 5000), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/admin-token", x4t_daemon_data_dir(f->d));
    char *text = x4t_read_file(path);
    assert_non_null(text);
    snprintf(f->token, sizeof f->token, "%s", text);
    f->token[strcspn(f->token, "\r\n")] = '\0';
    free(text);
    int st;
    json_t *j = http(f, "POST", "/api/v1/test/mts/mailbox",
                     "{\"name\": \"alice\", \"address\": \"" DOMAIN "S=alice/\"}", &st);
    assert_int_equal(st, 200);
    json_decref(j);
    return f;
}

static struct fixture *fixture_start(const char *daemon_password, const char *ctx)
{
    return fixture_start_rec(daemon_password, ctx, false, NULL);
}

static void fixture_stop(struct fixture *f)
{
    x4t_stop_group(f->serve);
    assert_int_equal(x4t_daemon_stop(f->d), 0);
    x4t_rmtree(f->dir);
    free(f->dir);
    free(f);
}

static json_t *submit_foreign(struct fixture *f)
{
    int st;
    json_t *j = http(f, "POST", "/api/v1/test/mts/submit",
                     "{\"mailbox\": \"alice\", \"from\": \"" DOMAIN "S=alice/\", "
                     "\"to\": [\"" FOREIGN "\"]}",
                     &st);
    assert_int_equal(st, 200);
    assert_non_null(j);
    return j;
}

static void check_line(const char *path)
{
    char *t = x4t_read_file(path);
    assert_non_null(t);
    json_t *l = json_loads(t, JSON_DISABLE_EOF_CHECK, NULL);
    free(t);
    assert_non_null(l);
    assert_string_equal(json_string_value(json_object_get(l, "kind")), "message");
    assert_non_null(strstr(json_string_value(json_object_get(l, "originator")), "S=alice"));
    json_t *r = json_object_get(l, "recipients");
    assert_int_equal(json_array_size(r), 1);
    assert_non_null(strstr(json_string_value(json_array_get(r, 0)), "S=far"));
    assert_int_equal(json_integer_value(json_object_get(l, "content_type")), 22);
    assert_int_equal(json_integer_value(json_object_get(l, "content_length")), 7);
    assert_true(strlen(json_string_value(json_object_get(l, "mts_identifier"))) > 0);
    json_decref(l);
}

/* ---- tests ---- */

static void test_p3_upstream_submit(void **state)
{
    (void)state;
    struct fixture *f = fixture_start(UP_PASSWORD, "88");
    f->serve = serve_start(f, UP_PASSWORD, 0);
    assert_int_equal(x4t_daemon_wait_log(f->d, "bound as MTA", 10000), 0);
    for (int i = 0; i < 3; i++) {
        json_t *j = submit_foreign(f);
        assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
        json_decref(j);
    }
    assert_int_equal(count_lines(f->out_path), 3);
    check_line(f->out_path);
    /* the pool was reused: one MTS-bind per pooled association, not per message */
    char *log = x4t_read_file(f->log_path);
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
    f->serve = serve_start(f, UP_PASSWORD, 0);
    json_t *j = submit_foreign(f);
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
    json_decref(j);
    assert_int_equal(count_lines(f->out_path), 1);
    fixture_stop(f);
}

/* Upstream down at first, up 2 s later: the message arrives exactly once. */
static void test_p3_upstream_down_then_up(void **state)
{
    (void)state;
    struct fixture *f = fixture_start(UP_PASSWORD, "88");
    long long t0 = x4t_now_ms();
    f->serve = serve_start(f, UP_PASSWORD, 2);
    json_t *j = submit_foreign(f); /* waits for the upstream's answer */
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
    json_decref(j);
    assert_true(x4t_now_ms() - t0 >= 1500);
    assert_int_equal(x4t_daemon_wait_log(f->d, "cannot associate", 1000), 0);
    usleep(1500000); /* time for a duplicate to show, were there one */
    assert_int_equal(count_lines(f->out_path), 1);
    check_line(f->out_path);
    fixture_stop(f);
}

/* Wrong password: the upstream refuses with authentication-error, the MS logs
 * it and tries again (back-off), and nothing is taken. */
static void test_p3_upstream_wrong_password_neg(void **state)
{
    (void)state;
    struct fixture *f = fixture_start("not-the-password", "88");
    f->serve = serve_start(f, UP_PASSWORD, 0);
    assert_int_equal(x4t_daemon_wait_log(f->d, "MTS-bind refused: authentication-error", 10000), 0);
    assert_int_equal(x4t_file_wait(f->log_path, "refused MTS-bind", 5000), 0);
    /* retried: more refusals follow */
    long long end = x4t_now_ms() + 8000;
    size_t refusals = 0;
    while (x4t_now_ms() < end) {
        char *log = x4t_read_file(f->log_path);
        refusals = 0;
        for (const char *p = log; p != NULL && (p = strstr(p, "refused MTS-bind")) != NULL; p++)
            refusals++;
        free(log);
        if (refusals >= 4)
            break;
        usleep(100000);
    }
    assert_true(refusals >= 4); /* 2 associations, each tried at least twice */
    assert_int_equal(count_lines(f->out_path), 0);
    fixture_stop(f);
}

/* The value of one sample of GET /api/v1/metrics, -1 when absent. */
static double metric(struct fixture *f, const char *sample)
{
    struct x4h_response resp;
    char errbuf[256];
    if (x4h_request("127.0.0.1", f->admin_port, "GET", "/api/v1/metrics", f->token, NULL, 0,
                    TIMEOUT_MS, &resp, errbuf, sizeof errbuf) != 0 || resp.status != 200)
        return -2;
    double v = -1;
    size_t n = strlen(sample);
    for (const char *p = resp.body; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if (strncmp(p, sample, n) == 0 && p[n] == ' ') {
            v = strtod(p + n + 1, NULL);
            break;
        }
    x4h_response_free(&resp);
    return v;
}

/* The In Box entries of name once there are at least n (waits up to ms). */
static json_t *inbox_wait(struct fixture *f, const char *name, size_t n, int ms)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/test/mts/inbox/%s", name);
    long long end = x4t_now_ms() + ms;
    for (;;) {
        int st;
        json_t *j = http(f, "GET", path, NULL, &st);
        assert_int_equal(st, 200);
        json_t *e = json_object_get(j, "entries");
        if (json_array_size(e) >= n || x4t_now_ms() > end) {
            json_incref(e);
            json_decref(j);
            return e;
        }
        json_decref(j);
        usleep(50000);
    }
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
    json_t *a = inbox_wait(f, "alice", 1, 10000);
    assert_int_equal(json_array_size(a), 1);
    json_t *r = json_array_get(a, 0);
    assert_int_equal(json_integer_value(json_object_get(r, "type")), 1); /* a report */
    json_t *lines = json_object_get(r, "report");
    assert_int_equal(json_array_size(lines), 1);
    assert_true(json_is_true(json_object_get(json_array_get(lines, 0), "delivered")));
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(lines, 0),
                                                             "recipient")), "S=far"));
    json_decref(a);
    assert_int_equal(x4t_file_wait(f->log_path, "report-delivery to", 5000), 0);
    assert_int_equal(x4t_file_wait(f->log_path, "report-delivery to 127.0.0.1", 5000), 0);
    char *slog = x4t_read_file(f->log_path);
    assert_non_null(slog);
    assert_non_null(strstr(slog, "acknowledged"));
    free(slog);
    assert_true(metric(f, "x400ms_submissions_total{protocol=\"p3\",result=\"ok\"}") == 1);
    assert_true(metric(f, "x400ms_submissions_total{protocol=\"p3\",result=\"refused\"}") == 0);
    assert_true(metric(f, "x400ms_operations_total{protocol=\"p3\",op=\"report-delivery\","
                          "result=\"ok\"}") == 1);
    /* the association ends with the daemon: then the capture is complete */
    assert_int_equal(x4t_daemon_stop(f->d), 0);
    f->d = NULL;
    assert_int_equal(p3t_relay_finish(f->relay, 10000), 0);
    if (x4_tshark_path() != NULL) {
        char report[4096], verbose[65536];
        int rc = x4_tshark_check(f->pcap_path, (uint16_t)f->up_port, report, sizeof report,
                                 verbose, sizeof verbose);
        if (rc != 0)
            fprintf(stderr, "tshark: %s\n", report);
        assert_int_equal(rc, 0);
        /* tshark knew each PDU: bind, submission and its result, the report */
        assert_non_null(strstr(verbose, "MTSBindArgument"));
        assert_non_null(strstr(verbose, "MessageSubmissionArgument"));
        assert_non_null(strstr(verbose, "MessageSubmissionResult"));
        assert_non_null(strstr(verbose, "ReportDeliveryArgument"));
        assert_non_null(strstr(verbose, "ReportDeliveryResult"));
    }
    x4t_stop_group(f->serve);
    x4t_rmtree(f->dir);
    free(f->dir);
    free(f);
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
        f->serve = serve_start_opts(f, UP_PASSWORD, 0, "--reliable");
        json_t *j = submit_foreign(f);
        assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
        json_decref(j);
        assert_int_equal(count_lines(f->out_path), 1);
        check_line(f->out_path);
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
    assert_int_equal(x4t_file_wait(f->log_path, "user-name " DOMAIN "S=alice/", 5000), 0);
    assert_int_equal(x4t_file_wait(f->log_path, "change-credentials from", 5000), 0);
    char *slog = x4t_read_file(f->log_path);
    assert_non_null(slog);
    assert_non_null(strstr(slog, "accepted: later binds need the new password"));
    free(slog);
    json_t *j = submit_foreign(f);
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
    json_decref(j);
    assert_int_equal(count_lines(f->out_path), 1);
    assert_int_equal(x4t_daemon_stop(f->d), 0);
    f->d = NULL;
    assert_int_equal(p3t_relay_finish(f->relay, 10000), 0);
    if (x4_tshark_path() != NULL) {
        char report[4096], verbose[65536];
        int rc = x4_tshark_check(f->pcap_path, (uint16_t)f->up_port, report, sizeof report,
                                 verbose, sizeof verbose);
        if (rc != 0)
            fprintf(stderr, "tshark: %s\n", report);
        assert_int_equal(rc, 0);
        assert_non_null(strstr(verbose, "RegisterArgument"));
        assert_non_null(strstr(verbose, "ChangeCredentialsArgument"));
    }
    x4t_stop_group(f->serve);
    x4t_rmtree(f->dir);
    free(f->dir);
    free(f);
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
