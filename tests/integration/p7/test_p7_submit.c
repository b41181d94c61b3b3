/* P7 indirect submission (X.413 8.3) and Alert (8.2.8) end to end: the real
 * daemon with rfc1006 + store_file + autoaction + alert + p7 and the
 * tests-only MTS provider "fakemts" (scripted answers, immediate delivery
 * into the recipients' mailboxes), driven by the P7 client library. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "tests/integration/p7/p7test.h"
#include "tests/lib/x4test.h"
#include "tools/admin/http_client.h"
#include "x400ms/client.h"

#ifdef P7T_HAVE_ADMIN_API
#define ADMIN_MODULE ",\n  { \"name\": \"admin_api\", \"config\": { \"port\": @PORT2@ } }"
#else
#define ADMIN_MODULE "" /* built without the admin API: test_p7_metrics skips */
#endif

static struct x4t_daemon *daemon_;
static int port;
static char manifest[2048];

static int setup(void **state)
{
    (void)state;
    char *data = x4t_tempdir("p7-submit");
    struct p7t_fill alice = { "alice", P7T_ALICE, P7T_PASSWORD, 2, 100, false, false, 0, 0 };
    struct p7t_fill bob = { "bob", P7T_BOB, P7T_PASSWORD, 0, 100, false, false, 0, 0 };
    if (data == NULL || p7t_fill_mailbox(data, &alice) < 0 || p7t_fill_mailbox(data, &bob) < 0)
        return -1;
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    snprintf(manifest, sizeof manifest,
             "{ \"threads\": 2, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
             "  { \"name\": \"rfc1006\", \"config\": {\n"
             "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ] } },\n"
             "  { \"name\": \"store_file\", \"config\": { \"flush_interval\": \"1s\" } },\n"
             "  { \"name\": \"autoaction\" },\n"
             "  { \"name\": \"alert\" },\n"
             "  { \"name\": \"fakemts\", \"file\": \"%s/tests/integration/p7/fakemts\" },\n"
             "  { \"name\": \"p7\", \"config\": { \"bind_failure_delay_ms\": 100 } }%s\n"
             "] }\n", top ? top : ".", ADMIN_MODULE);
    daemon_ = x4t_daemon_start_in(manifest, data);
    free(data);
    if (daemon_ == NULL)
        return -1;
    port = x4t_daemon_port(daemon_, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return daemon_ && x4t_daemon_stop(daemon_) == 0 ? 0 : -1;
}

static struct x400ms_client *bind_as(const char *who, enum x400ms_client_version v,
                                     struct x400ms_client_bind_info *info)
{
    struct x400ms_client_params p;
    p7t_params(&p, port, who, P7T_PASSWORD, v);
    struct x400ms_client *c = NULL;
    struct x400ms_error err;
    if (x400ms_client_bind(&p, &c, info, &err) < 0) {
        fprintf(stderr, "bind %s: %s\n", who, err.message);
        return NULL;
    }
    return c;
}

static int64_t last_code(struct x400ms_client *c)
{
    int64_t code, problem;
    x400ms_client_last_error(c, &code, &problem, NULL, NULL);
    return code;
}

static int send_to(struct x400ms_client *c, const char *from, const char *to, const char *subject,
                   struct x400ms_client_submitted *out)
{
    const char *tos[] = { to, NULL };
    struct x400ms_client_message m = { .originator = from, .to = tos, .subject = subject,
                                       .body = (const uint8_t *)"hello bob", .body_len = 9,
                                       .priority = 2 };
    struct x400ms_error err;
    int rc = x400ms_client_send(c, &m, out, &err);
    if (rc < 0)
        fprintf(stderr, "send: %s\n", err.message);
    return rc;
}

/* Finds the In Box entry of bob with this subject; 0 when none. */
static uint32_t find_subject(struct x400ms_client *c, int entry_class, const char *subject)
{
    struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
    struct x400ms_client_list l;
    struct x400ms_error err;
    uint32_t seq = 0;
    if (x400ms_client_list(c, entry_class, &sel, NULL, &l, &err) < 0)
        return 0;
    for (size_t i = 0; i < l.n; i++)
        if (strcmp(l.entries[i].subject, subject) == 0)
            seq = l.entries[i].seq;
    x400ms_client_list_free(&l);
    return seq;
}

/* ---- submission ---- */

static void test_p7_submit_94_outbox(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, X400MS_CLIENT_MS_94, NULL);
    assert_non_null(c);
    struct x400ms_client_submitted out;
    assert_int_equal(send_to(c, P7T_ALICE, P7T_BOB, "lunch 94", &out), 0);
    assert_non_null(strstr(out.mts_identifier, "fake-"));
    assert_true(out.submission_time > time(NULL) - 60);
    /* ms-message-result created-entry names the Out Box copy */
    assert_true(out.has_created_entry);
    struct x400ms_client_entry e;
    struct x400ms_error err;
    assert_int_equal(x400ms_client_fetch(c, 1, out.created_entry, NULL, &e, &err), 0);
    assert_string_equal(e.subject, "lunch 94");
    assert_int_equal(e.priority, 2);
    assert_int_equal(e.entry_type, 3); /* submitted-message */
    assert_non_null(e.content);
    x400ms_client_entry_free(&e);
    assert_int_equal(x400ms_client_unbind(&c), 0);

    /* bob got it through the MTS */
    struct x400ms_client *b = bind_as(P7T_BOB, X400MS_CLIENT_MS_94, NULL);
    assert_non_null(b);
    uint32_t seq = find_subject(b, 0, "lunch 94");
    assert_true(seq > 0);
    assert_int_equal(x400ms_client_fetch(b, 0, seq, NULL, &e, &err), 0);
    assert_true(e.content_len > 9);
    assert_non_null(memmem(e.content, e.content_len, "hello bob", 9));
    x400ms_client_entry_free(&e);
    assert_int_equal(x400ms_client_unbind(&b), 0);
}

static void test_p7_submit_88(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, X400MS_CLIENT_MS_88, NULL);
    assert_non_null(c);
    struct x400ms_client_submitted out;
    assert_int_equal(send_to(c, P7T_ALICE, P7T_BOB, "lunch 88", &out), 0);
    assert_non_null(strstr(out.mts_identifier, "fake-"));
    assert_false(out.has_created_entry); /* the 1988 result has no ms-message-result */
    assert_int_equal(x400ms_client_unbind(&c), 0);
}

static void test_p7_submit_originator_invalid_neg(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, X400MS_CLIENT_MS_94, NULL);
    assert_non_null(c);
    struct x400ms_client_submitted out;
    assert_int_equal(send_to(c, P7T_BOB, P7T_ALICE, "forged", &out), X400MS_EPERM);
    assert_int_equal(last_code(c), 4); /* X.411 originator-invalid */
    assert_int_equal(x400ms_client_unbind(&c), 0);
}

static void test_p7_submit_recipient_improper_neg(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, X400MS_CLIENT_MS_88, NULL);
    assert_non_null(c);
    struct x400ms_client_submitted out;
    assert_int_equal(send_to(c, P7T_ALICE, "/C=XX/A= /P=TEST/O=Org/S=nobody/", "lost", &out),
                     X400MS_EPERM);
    assert_int_equal(last_code(c), 5); /* recipient-improperly-specified */
    const uint8_t *param;
    size_t len;
    int64_t code, problem;
    x400ms_client_last_error(c, &code, &problem, &param, &len);
    assert_non_null(param);
    assert_non_null(memmem(param, len, "nobody", 6)); /* the recipient, passed through */
    assert_int_equal(x400ms_client_unbind(&c), 0);
}

static void test_p7_submit_mts_down_neg(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, X400MS_CLIENT_MS_94, NULL);
    assert_non_null(c);
    struct x400ms_client_submitted out;
    assert_int_equal(send_to(c, P7T_ALICE, "/C=XX/A= /P=TEST/O=Org/S=down/", "x", &out),
                     X400MS_EPERM);
    assert_int_equal(last_code(c), 10); /* remote-bind-error */
    /* the Out Box holds no copy of a refused submission */
    assert_int_equal(find_subject(c, 1, "x"), 0);
    assert_int_equal(x400ms_client_unbind(&c), 0);
}

static void test_p7_submit_cancel_and_control(void **state)
{
    (void)state;
    struct x400ms_client *c = bind_as(P7T_ALICE, X400MS_CLIENT_MS_88, NULL);
    assert_non_null(c);
    struct x400ms_client_outcome o;
    struct x400ms_error err;
    /* MTSIdentifier [APPLICATION 4] { GDI [APPLICATION 3] { C XX, A " " }, "x" } */
    static const uint8_t id[] = { 0x64, 0x10, 0x63, 0x0b, 0x61, 0x04, 0x13, 0x02, 'X', 'X',
                                  0x62, 0x03, 0x13, 0x01, ' ', 0x16, 0x01, 'x' };
    assert_int_equal(x400ms_client_invoke(c, 7, id, sizeof id, &o, &err), 0);
    assert_int_equal(o.kind, 2);
    assert_int_equal(o.errcode, 6); /* message-submission-identifier-invalid */
    x400ms_client_outcome_free(&o);
    /* malformed: not an MTSIdentifier */
    static const uint8_t bad[] = { 0x02, 0x01, 0x01 };
    assert_int_equal(x400ms_client_invoke(c, 7, bad, sizeof bad, &o, &err), 0);
    assert_int_equal(o.kind, 3);
    x400ms_client_outcome_free(&o);
    /* submission-control with no restriction: Waiting */
    static const uint8_t controls[] = { 0x31, 0x00 };
    assert_int_equal(x400ms_client_invoke(c, 2, controls, sizeof controls, &o, &err), 0);
    assert_int_equal(o.kind, 1);
    assert_int_equal(o.len, 2);
    assert_int_equal(o.data[0], 0x31);
    x400ms_client_outcome_free(&o);
    assert_int_equal(x400ms_client_unbind(&c), 0);
}

/* ---- alert ---- */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int n;
    int64_t reg;
    uint32_t seq;
    bool has_subject;
} alerts = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, false };

static void on_alert(void *ctx, int64_t registration_id, uint32_t seq, const uint8_t *arg,
                     size_t len)
{
    (void)ctx;
    pthread_mutex_lock(&alerts.lock);
    alerts.n++;
    alerts.reg = registration_id;
    alerts.seq = seq;
    alerts.has_subject = memmem(arg, len, "alert me", 8) != NULL;
    pthread_cond_broadcast(&alerts.cond);
    pthread_mutex_unlock(&alerts.lock);
}

static int wait_alerts(int n, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    pthread_mutex_lock(&alerts.lock);
    while (alerts.n < n)
        if (pthread_cond_timedwait(&alerts.cond, &alerts.lock, &until) != 0)
            break;
    int got = alerts.n;
    pthread_mutex_unlock(&alerts.lock);
    return got;
}

static void test_p7_alert(void **state)
{
    (void)state;
    struct x400ms_client *b = bind_as(P7T_BOB, X400MS_CLIENT_MS_94, NULL);
    assert_non_null(b);
    x400ms_client_set_alert_handler(b, on_alert, NULL);
    struct x400ms_error err;
    struct x400ms_client_register r = { .auto_action_type = "2.6.4.4.1", .auto_action_id = 7 };
    assert_int_equal(x400ms_client_register_ms(b, &r, &err), 0);

    struct x400ms_client *a = bind_as(P7T_ALICE, X400MS_CLIENT_MS_94, NULL);
    assert_non_null(a);
    struct x400ms_client_submitted out;
    assert_int_equal(send_to(a, P7T_ALICE, P7T_BOB, "alert me", &out), 0);
    assert_int_equal(wait_alerts(1, 10000), 1);
    uint32_t seq = find_subject(b, 0, "alert me");
    pthread_mutex_lock(&alerts.lock);
    assert_int_equal(alerts.reg, 7);
    assert_int_equal(alerts.seq, seq);
    assert_true(alerts.has_subject); /* new-entry carries the default attributes */
    pthread_mutex_unlock(&alerts.lock);
    assert_int_equal(x400ms_client_unbind(&b), 0);

    /* nobody bound: the next bind says alert-indication */
    assert_int_equal(send_to(a, P7T_ALICE, P7T_BOB, "while away", &out), 0);
    struct x400ms_client_bind_info info;
    bool indicated = false;
    for (int i = 0; i < 50 && !indicated; i++) {
        /* the alert runs on a dispatcher worker, after the delivery */
        struct timespec ts = { 0, 100 * 1000000L };
        nanosleep(&ts, NULL);
        b = bind_as(P7T_BOB, X400MS_CLIENT_MS_88, &info);
        assert_non_null(b);
        indicated = info.alert_indication;
        if (!indicated)
            assert_int_equal(x400ms_client_unbind(&b), 0);
    }
    assert_true(indicated);
    assert_int_equal(x400ms_client_unbind(&b), 0);
    /* reported once: the indication was cleared by that bind */
    b = bind_as(P7T_BOB, X400MS_CLIENT_MS_88, &info);
    assert_non_null(b);
    assert_false(info.alert_indication);
    struct x400ms_client_register d = { .deregister_type = "2.6.4.4.1", .deregister_id = 7 };
    assert_int_equal(x400ms_client_register_ms(b, &d, &err), 0);
    assert_int_equal(x400ms_client_unbind(&b), 0);
    assert_int_equal(x400ms_client_unbind(&a), 0);
}

/* `x400ms watch`: registers auto-alert, prints the Alert of an entry
 * delivered meanwhile (its originator and subject), withdraws on exit. */
static void test_p7_cli_watch(void **state)
{
    (void)state;
    char prog[4096], hp[64], count[] = "1", timeout[] = "20";
    snprintf(prog, sizeof prog, "%s/tools/x400ms", getenv("X400MS_TOP_BUILDDIR"));
    snprintf(hp, sizeof hp, "127.0.0.1:%d", port);
    int out[2], errp[2];
    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(errp), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(errp[1], 2);
        close(out[0]);
        close(errp[0]);
        char *argv[] = { prog, "-H", hp, "-u", P7T_BOB, "-p", P7T_PASSWORD, "watch", "--count",
                         count, "--timeout", timeout, NULL };
        execv(prog, argv);
        _exit(127);
    }
    close(out[1]);
    close(errp[1]);
    /* stderr says when the registration is in place */
    char errbuf[4096];
    size_t n_err = 0;
    while (n_err < sizeof errbuf - 1) {
        ssize_t r = read(errp[0], errbuf + n_err, sizeof errbuf - 1 - n_err);
        if (r <= 0)
            break;
        n_err += (size_t)r;
        errbuf[n_err] = '\0';
        if (strstr(errbuf, "watching for alerts") != NULL)
            break;
    }
    errbuf[n_err] = '\0';
    if (strstr(errbuf, "watching for alerts") == NULL) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("x400ms watch did not start: %s", errbuf);
    }

    struct x400ms_client *a = bind_as(P7T_ALICE, X400MS_CLIENT_MS_94, NULL);
    assert_non_null(a);
    struct x400ms_client_submitted sub;
    assert_int_equal(send_to(a, P7T_ALICE, P7T_BOB, "watch me", &sub), 0);
    assert_int_equal(x400ms_client_unbind(&a), 0);

    char outbuf[4096];
    size_t n_out = 0;
    ssize_t r;
    while (n_out < sizeof outbuf - 1 && (r = read(out[0], outbuf + n_out, sizeof outbuf - 1 - n_out)) > 0)
        n_out += (size_t)r;
    outbuf[n_out] = '\0';
    close(out[0]);
    close(errp[0]);
    int status = -1;
    waitpid(pid, &status, 0);
    fprintf(stderr, "x400ms watch printed: %s", outbuf);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* "alert ID: entry SEQ from ORIGINATOR: SUBJECT" */
    struct x400ms_client *b = bind_as(P7T_BOB, X400MS_CLIENT_MS_94, NULL);
    assert_non_null(b);
    uint32_t seq = find_subject(b, 0, "watch me");
    assert_int_not_equal(seq, 0);
    char want[128];
    snprintf(want, sizeof want, ": entry %u from ", seq);
    assert_non_null(strstr(outbuf, want));
    assert_non_null(strstr(outbuf, "S=alice"));
    assert_non_null(strstr(outbuf, ": watch me\n"));
    assert_int_equal(x400ms_client_unbind(&b), 0);
}

/* ---- metrics ---- */

/* The value of the sample `name{labels}` in a Prometheus text scrape, or -1. */
static double sample_value(const char *text, const char *name, const char *labels)
{
    char key[512];
    snprintf(key, sizeof key, "\n%s{%s} ", name, labels);
    const char *p = strstr(text, key);
    return p ? strtod(p + strlen(key), NULL) : -1;
}

static char *scrape(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/admin-token", x4t_daemon_data_dir(daemon_));
    char *token = x4t_read_file(path);
    if (token == NULL)
        return NULL;
    token[strcspn(token, "\r\n")] = '\0';
    struct x4h_response resp;
    char errbuf[256];
    int rc = x4h_request("127.0.0.1", x4t_daemon_port(daemon_, 2), "GET", "/api/v1/metrics",
                         token, NULL, 0, 10000, &resp, errbuf, sizeof errbuf);
    free(token);
    if (rc < 0 || resp.status != 200) {
        fprintf(stderr, "metrics: %s\n", rc < 0 ? errbuf : resp.body);
        if (rc == 0)
            x4h_response_free(&resp);
        return NULL;
    }
    /* a leading newline so that every sample line starts with one */
    size_t n = strlen(resp.body);
    char *text = malloc(n + 2);
    if (text != NULL) {
        text[0] = '\n';
        memcpy(text + 1, resp.body, n + 1);
    }
    x4h_response_free(&resp);
    return text;
}

#define OPS "x400ms_operations_total"

/* x400ms_operations_total{protocol="p7",...}, x400ms_submissions_total and
 * x400ms_associations{protocol="p7"} move with what a UA does. */
static void test_p7_metrics(void **state)
{
    (void)state;
#ifndef P7T_HAVE_ADMIN_API
    skip();
#endif
    char *before = scrape();
    assert_non_null(before);
    double binds = sample_value(before, OPS, "protocol=\"p7\",op=\"bind\",result=\"ok\"");
    double lists = sample_value(before, OPS, "protocol=\"p7\",op=\"list\",result=\"ok\"");
    double fetch_err = sample_value(before, OPS, "protocol=\"p7\",op=\"fetch\",result=\"error\"");
    double subs = sample_value(before, OPS,
                               "protocol=\"p7\",op=\"message-submission\",result=\"ok\"");
    double sub_ok = sample_value(before, "x400ms_submissions_total", "protocol=\"p7\",result=\"ok\"");
    double failed_binds = sample_value(before, OPS, "protocol=\"p7\",op=\"bind\",result=\"error\"");
    /* the tests before this one bound, listed and submitted */
    assert_true(binds >= 5);
    assert_true(subs >= 2);
    assert_true(sub_ok >= 2);
    assert_true(lists >= 1);
    assert_true(fetch_err >= 0);
    assert_true(failed_binds >= 0);
    free(before);

    struct x400ms_client *a = bind_as(P7T_ALICE, X400MS_CLIENT_MS_94, NULL);
    assert_non_null(a);
    struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
    struct x400ms_client_list l;
    struct x400ms_error err;
    assert_int_equal(x400ms_client_list(a, 0, &sel, NULL, &l, &err), 0);
    x400ms_client_list_free(&l);
    assert_int_equal(x400ms_client_list(a, 0, &sel, NULL, &l, &err), 0);
    x400ms_client_list_free(&l);
    struct x400ms_client_entry e;
    assert_int_equal(x400ms_client_fetch(a, 0, 99999, NULL, &e, &err), X400MS_EPERM);
    struct x400ms_client_submitted out;
    assert_int_equal(send_to(a, P7T_ALICE, P7T_BOB, "counted", &out), 0);
    struct x400ms_client_params p;
    p7t_params(&p, port, P7T_BOB, "wrong", X400MS_CLIENT_MS_88);
    struct x400ms_client *bad = NULL;
    assert_int_equal(x400ms_client_bind(&p, &bad, NULL, &err), X400MS_EAUTH);

    char *after = scrape();
    assert_non_null(after);
    assert_true(sample_value(after, "x400ms_associations", "protocol=\"p7\"") >= 1);
    assert_true(sample_value(after, OPS, "protocol=\"p7\",op=\"bind\",result=\"ok\"") == binds + 1);
    assert_true(sample_value(after, OPS, "protocol=\"p7\",op=\"bind\",result=\"error\"") ==
                failed_binds + 1);
    assert_true(sample_value(after, OPS, "protocol=\"p7\",op=\"list\",result=\"ok\"") == lists + 2);
    assert_true(sample_value(after, OPS, "protocol=\"p7\",op=\"fetch\",result=\"error\"") ==
                fetch_err + 1);
    assert_true(sample_value(after, OPS,
                             "protocol=\"p7\",op=\"message-submission\",result=\"ok\"") == subs + 1);
    assert_true(sample_value(after, "x400ms_submissions_total", "protocol=\"p7\",result=\"ok\"") ==
                sub_ok + 1);
    free(after);
    assert_int_equal(x400ms_client_unbind(&a), 0);
}

/* X.413 8.1.1.1.2.5 alert-indication survives a restart (SIGTERM), and is
 * reported once. */
static void test_p7_alert_indication_survives_restart(void **state)
{
    (void)state;
    struct x400ms_client_bind_info info;
    struct x400ms_error err;
    struct x400ms_client *b = bind_as(P7T_BOB, X400MS_CLIENT_MS_94, &info);
    assert_non_null(b);
    struct x400ms_client_register r = { .auto_action_type = "2.6.4.4.1", .auto_action_id = 8 };
    assert_int_equal(x400ms_client_register_ms(b, &r, &err), 0);
    assert_int_equal(x400ms_client_unbind(&b), 0);

    struct x400ms_client *a = bind_as(P7T_ALICE, X400MS_CLIENT_MS_94, NULL);
    assert_non_null(a);
    struct x400ms_client_submitted out;
    assert_int_equal(send_to(a, P7T_ALICE, P7T_BOB, "before the restart", &out), 0);
    assert_int_equal(x400ms_client_unbind(&a), 0);
    /* the alert runs on a dispatcher worker after the delivery: wait for
     * the module to say it recorded the indication */
    assert_int_equal(x4t_daemon_wait_log(daemon_, "alert-indication recorded for mailbox bob",
                                         10000), 0);

    char *data = strdup(x4t_daemon_data_dir(daemon_));
    assert_non_null(data);
    assert_int_equal(x4t_daemon_signal(daemon_, SIGTERM), 0);
    setenv("X4T_KEEP", "1", 1); /* the restart needs the data dir */
    int status = x4t_daemon_wait_exit(daemon_, 15000);
    unsetenv("X4T_KEEP");
    assert_int_equal(status, 0);
    daemon_ = x4t_daemon_start_in(manifest, data);
    free(data);
    assert_non_null(daemon_);
    port = x4t_daemon_port(daemon_, 1);

    b = bind_as(P7T_BOB, X400MS_CLIENT_MS_88, &info);
    assert_non_null(b);
    assert_true(info.alert_indication);
    assert_int_equal(x400ms_client_unbind(&b), 0);
    b = bind_as(P7T_BOB, X400MS_CLIENT_MS_88, &info);
    assert_non_null(b);
    assert_false(info.alert_indication); /* once */
    struct x400ms_client_register d = { .deregister_type = "2.6.4.4.1", .deregister_id = 8 };
    assert_int_equal(x400ms_client_register_ms(b, &d, &err), 0);
    assert_int_equal(x400ms_client_unbind(&b), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p7_submit_94_outbox),
        cmocka_unit_test(test_p7_submit_88),
        cmocka_unit_test(test_p7_submit_originator_invalid_neg),
        cmocka_unit_test(test_p7_submit_recipient_improper_neg),
        cmocka_unit_test(test_p7_submit_mts_down_neg),
        cmocka_unit_test(test_p7_submit_cancel_and_control),
        cmocka_unit_test(test_p7_alert),
        cmocka_unit_test(test_p7_cli_watch),
        cmocka_unit_test(test_p7_metrics),
        cmocka_unit_test(test_p7_alert_indication_survives_restart),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
