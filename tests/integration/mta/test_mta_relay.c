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
    int admin_port, up_port;
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

static struct fixture *fixture_start(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = x4t_tempdir("mtarelay");
    assert_non_null(f->dir);
    snprintf(f->out_path, sizeof f->out_path, "%s/submissions.jsonl", f->dir);
    snprintf(f->log_path, sizeof f->log_path, "%s/serve.log", f->dir);
    f->up_port = x4t_free_port();
    char port[16];
    snprintf(port, sizeof port, "%d", f->up_port);
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
    const char *const names[] = { "alice", "bob" };
    for (int i = 0; i < 2; i++) {
        char body[256];
        snprintf(body, sizeof body, "{\"name\": \"%s\", \"address\": \"" DOMAIN "S=%s/\"}",
                 names[i], names[i]);
        json_t *j = http(f, "POST", "/api/v1/test/mts/mailbox", body, &st);
        assert_int_equal(st, 200);
        json_decref(j);
    }
    return f;
}

static void fixture_stop(struct fixture *f)
{
    x4t_stop_group(f->serve);
    assert_int_equal(x4t_daemon_stop(f->d), 0);
    x4t_rmtree(f->dir);
    free(f->dir);
    free(f);
}

/* alice -> bob (local) and far (another domain), every report asked for. */
static void submit_mixed(struct fixture *f)
{
    int st;
    json_t *j = http(f, "POST", "/api/v1/test/mts/submit",
                     "{\"mailbox\": \"alice\", \"from\": \"" DOMAIN "S=alice/\", "
                     "\"to\": [\"" DOMAIN "S=bob/\", \"" FOREIGN "\"], \"report\": \"all\"}",
                     &st);
    assert_int_equal(st, 200);
    assert_non_null(j);
    /* the local MTA takes it at once (its queue), whatever the upstream does */
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
    json_decref(j);
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

/* bob has the message; alice has one report, only about bob (the foreign
 * recipient's reports are the upstream MTA's to make). */
static void check_local_side(struct fixture *f)
{
    json_t *b = inbox_wait(f, "bob", 1, 10000);
    assert_int_equal(json_array_size(b), 1);
    json_t *m = json_array_get(b, 0);
    assert_int_equal(json_integer_value(json_object_get(m, "type")), 0);
    assert_non_null(strstr(json_string_value(json_object_get(m, "this_recipient")), "S=bob"));
    json_decref(b);
    json_t *a = inbox_wait(f, "alice", 1, 10000);
    assert_int_equal(json_array_size(a), 1);
    json_t *lines = json_object_get(json_array_get(a, 0), "report");
    assert_int_equal(json_array_size(lines), 1);
    json_t *l = json_array_get(lines, 0);
    assert_true(json_is_true(json_object_get(l, "delivered")));
    assert_non_null(strstr(json_string_value(json_object_get(l, "recipient")), "S=bob"));
    json_decref(a);
}

/* Waits up to ms for n lines in path. */
static size_t lines_wait(const char *path, size_t n, int ms)
{
    long long end = x4t_now_ms() + ms;
    size_t got;
    while ((got = count_lines(path)) < n && x4t_now_ms() < end)
        usleep(50000);
    return got;
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

/* One local and one foreign recipient: bob's In Box gets the message, the
 * upstream exactly one submission holding only the foreign recipient. */
static void test_mta_relay_split(void **state)
{
    (void)state;
    struct fixture *f = fixture_start();
    f->serve = serve_start(f, UP_PASSWORD, 0);
    submit_mixed(f);
    check_local_side(f);
    assert_int_equal(lines_wait(f->out_path, 1, 10000), 1);
    assert_int_equal(x4t_daemon_wait_log(f->d, "upstream MTA accepted the relayed", 5000), 0);
    usleep(500000); /* time for a duplicate to show, were there one */
    assert_int_equal(count_lines(f->out_path), 1);
    check_line(f->out_path);
    fixture_stop(f);
}

/* Upstream down at first, up 2 s later: the foreign recipient still reaches
 * it exactly once, and the local one is not held back meanwhile. */
static void test_mta_relay_upstream_late(void **state)
{
    (void)state;
    struct fixture *f = fixture_start();
    f->serve = serve_start(f, UP_PASSWORD, 2);
    long long t0 = x4t_now_ms();
    submit_mixed(f);
    check_local_side(f);
    assert_int_equal(count_lines(f->out_path), 0);
    assert_int_equal(x4t_daemon_wait_log(f->d, "cannot associate", 3000), 0);
    assert_int_equal(lines_wait(f->out_path, 1, 10000), 1);
    assert_true(x4t_now_ms() - t0 >= 1500);
    assert_int_equal(x4t_daemon_wait_log(f->d, "upstream MTA accepted the relayed", 5000), 0);
    usleep(1500000); /* time for a duplicate to show, were there one */
    assert_int_equal(count_lines(f->out_path), 1);
    check_line(f->out_path);
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
    f->serve = serve_start_opts(f, UP_PASSWORD, 0, "--refuse submission");
    submit_mixed(f);
    assert_int_equal(x4t_daemon_wait_log(f->d, "upstream MTA refused the relayed", 10000), 0);
    json_t *a = inbox_wait(f, "alice", 2, 10000);
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
    assert_int_equal(count_lines(f->out_path), 0);
    char *log = x4t_read_file(f->log_path);
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
    f->serve = serve_start_opts(f, UP_PASSWORD, 0, "--refuse bind");
    submit_mixed(f);
    check_local_side(f);
    assert_int_equal(x4t_daemon_wait_log(f->d, "MTS-bind refused: busy", 10000), 0);
    assert_int_equal(x4t_daemon_wait_log(f->d, "next attempt in", 5000), 0);
    assert_int_equal(count_lines(f->out_path), 0);
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
