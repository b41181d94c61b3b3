/* Integration tests of the local MTA (modules/mta/local): the real daemon
 * with store_file + admin_api + mta_local + the test-only module
 * mta_test_submit (tests/integration/mta/mta_test_module.c), which submits
 * through the active MTS provider (mts.h) and reads In Boxes back with the
 * reports decoded. Real HTTP over 127.0.0.1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "tests/lib/x4test.h"
#include "tests/lib/x4http.h"

#define DOMAIN "/C=XX/A= /P=TEST/O=Org/"

static const char *const manifest =
    "{ \"module_path\": \"@MODULES@\",\n"
    "  \"log\": { \"target\": \"stderr\", \"level\": \"info\" },\n"
    "  \"modules\": [\n"
    "    { \"name\": \"store_file\" },\n"
    "    { \"name\": \"mta_local\", \"config\": { \"country\": \"XX\", \"admd\": \" \", "
    "\"prmd\": \"TEST\", \"retry\": 2 } },\n"
    "    { \"name\": \"admin_api\", \"config\": { \"port\": @PORT1@, \"threads\": 4 } },\n"
    "    { \"name\": \"mta_test_submit\",\n"
    "      \"file\": \"@BUILD@/tests/integration/mta/mta_test_submit.la\" }\n"
    "  ] }\n";

static struct x4t_daemon *daemon_;
static struct x4t_admin admin_;
static char *manifest_text_;

static int start_daemon(const char *data_dir)
{
    daemon_ = data_dir ? x4t_daemon_start_in(manifest_text_, data_dir)
                       : x4t_daemon_start(manifest_text_);
    if (daemon_ == NULL)
        return -1;
    return x4t_admin_open(&admin_, daemon_, 1);
}

static void mailbox(const char *name)
{
    char address[256];
    snprintf(address, sizeof address, DOMAIN "S=%s/", name);
    assert_int_equal(x4t_mts_mailbox(&admin_, name, address), 200);
}

/* Wrappers of tests/lib/x4http.h on this daemon's admin API. */
static json_t *http(const char *method, const char *path, const char *body, int *status)
{
    return x4t_admin_request(&admin_, method, path, body, status);
}

static double metric(const char *sample)
{
    return x4t_admin_metric(&admin_, sample);
}

/* Submits from `from` (a mailbox name) with extra JSON members; returns the reply. */
static json_t *submit(const char *from, const char *to_json, const char *extra)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"mailbox\": \"%s\", \"from\": \"" DOMAIN "S=%s/\", \"to\": %s%s%s}", from, from,
             to_json, extra ? ", " : "", extra ? extra : "");
    int st;
    json_t *j = http("POST", "/api/v1/test/mts/submit", body, &st);
    assert_int_equal(st, 200);
    assert_non_null(j);
    return j;
}

static void assert_accepted(json_t *j)
{
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "accepted");
    json_decref(j);
}

static int64_t ival(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static int group_setup(void **state)
{
    (void)state;
    const char *build = getenv("X400MS_TOP_BUILDDIR");
    manifest_text_ = x4t_replace(manifest, "@BUILD@", build != NULL ? build : ".");
    return start_daemon(NULL);
}

static int group_teardown(void **state)
{
    (void)state;
    int rc = 0;
    if (daemon_ != NULL && x4t_daemon_stop(daemon_) != 0)
        rc = -1;
    daemon_ = NULL;
    free(manifest_text_);
    return rc;
}

/* ---- tests ---- */

static void test_mta_local_delivery_report(void **state)
{
    (void)state;
    mailbox("alice");
    mailbox("bob");
    assert_accepted(submit("alice", "[\"" DOMAIN "S=bob/\"]", "\"report\": \"all\""));
    json_t *b = x4t_mts_inbox_wait(&admin_, "bob", 1, 10000);
    assert_int_equal(json_array_size(b), 1);
    json_t *m = json_array_get(b, 0);
    assert_int_equal(ival(m, "type"), 0); /* delivered message */
    assert_non_null(strstr(json_string_value(json_object_get(m, "this_recipient")), "S=bob"));
    json_decref(b);
    json_t *a = x4t_mts_inbox_wait(&admin_, "alice", 1, 10000);
    assert_int_equal(json_array_size(a), 1);
    json_t *r = json_array_get(a, 0);
    assert_int_equal(ival(r, "type"), 1); /* delivered report */
    json_t *lines = json_object_get(r, "report");
    assert_int_equal(json_array_size(lines), 1);
    assert_true(json_is_true(json_object_get(json_array_get(lines, 0), "delivered")));
    json_decref(a);
}

static void test_mta_local_unknown_recipient_ndr(void **state)
{
    (void)state;
    mailbox("carol");
    mailbox("dave");
    /* one local that exists, one local unknown, one foreign (no upstream) */
    assert_accepted(submit("carol",
                           "[\"" DOMAIN "S=dave/\", \"" DOMAIN "S=nobody/\", "
                           "\"/C=YY/A= /P=ELSEWHERE/S=far/\"]",
                           "\"report\": \"ndr\""));
    json_t *d = x4t_mts_inbox_wait(&admin_, "dave", 1, 10000);
    assert_int_equal(json_array_size(d), 1);
    json_decref(d);
    json_t *c = x4t_mts_inbox_wait(&admin_, "carol", 1, 10000);
    assert_int_equal(json_array_size(c), 1);
    json_t *lines = json_object_get(json_array_get(c, 0), "report");
    /* report "ndr": the delivered recipient is not reported */
    assert_int_equal(json_array_size(lines), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *l = json_array_get(lines, i);
        const char *who = json_string_value(json_object_get(l, "recipient"));
        assert_false(json_is_true(json_object_get(l, "delivered")));
        assert_int_equal(ival(l, "reason"), 1); /* unable-to-transfer */
        if (strstr(who, "S=nobody") != NULL)
            assert_int_equal(ival(l, "diagnostic"), 0);  /* unrecognised-OR-name */
        else
            assert_int_equal(ival(l, "diagnostic"), 17); /* no-bilateral-agreement */
    }
    json_decref(c);
}

static void test_mta_local_submission_errors_neg(void **state)
{
    (void)state;
    mailbox("erin");
    int st;
    /* originator-name is not erin's address: originator-invalid (4) */
    json_t *j = http("POST", "/api/v1/test/mts/submit",
                     "{\"mailbox\": \"erin\", \"from\": \"" DOMAIN "S=mallory/\", "
                     "\"to\": [\"" DOMAIN "S=bob/\"]}", &st);
    assert_int_equal(st, 200);
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "refused");
    assert_int_equal(ival(j, "errcode"), 4);
    json_decref(j);
    /* no recipient: the envelope breaks X.411's SIZE (1..ub-recipients), so
     * it does not decode and submit() itself fails (mts.h: X400MS_EINVAL;
     * P7 decodes first and answers recipient-improperly-specified) */
    j = http("POST", "/api/v1/test/mts/submit",
             "{\"mailbox\": \"erin\", \"from\": \"" DOMAIN "S=erin/\", \"to\": []}", &st);
    assert_int_equal(st, 400);
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(j, "error"),
                                                             "message")), "no recipients"));
    json_decref(j);
    /* nothing was delivered or reported */
    json_t *e = x4t_mts_inbox_wait(&admin_, "erin", 1, 500);
    assert_int_equal(json_array_size(e), 0);
    json_decref(e);
}

static void test_mta_local_priority_order(void **state)
{
    (void)state;
    mailbox("frank");
    mailbox("grace");
    /* all three become due at the same second: urgent goes first, then
     * normal, then non-urgent, whatever the submission order */
    char extra[3][160];
    long long at = (long long)time(NULL) + 2;
    static const char *const prio[3] = { "non-urgent", "normal", "urgent" };
    for (int i = 0; i < 3; i++) {
        snprintf(extra[i], sizeof extra[i],
                 "\"priority\": \"%s\", \"deferred_at\": %lld, \"report\": \"none\"", prio[i], at);
        assert_accepted(submit("frank", "[\"" DOMAIN "S=grace/\"]", extra[i]));
    }
    json_t *g = x4t_mts_inbox_wait(&admin_, "grace", 3, 10000);
    assert_int_equal(json_array_size(g), 3);
    /* X.411 Priority numbers: normal 0, non-urgent 1, urgent 2 */
    assert_int_equal(ival(json_array_get(g, 0), "priority"), 2);
    assert_int_equal(ival(json_array_get(g, 1), "priority"), 0);
    assert_int_equal(ival(json_array_get(g, 2), "priority"), 1);
    json_decref(g);
    json_t *f = x4t_mts_inbox_wait(&admin_, "frank", 1, 300);
    assert_int_equal(json_array_size(f), 0); /* report "none" */
    json_decref(f);
}

static void test_mta_local_latest_delivery_expiry(void **state)
{
    (void)state;
    mailbox("heidi");
    mailbox("ivan");
    /* deferred past the latest-delivery-time: expires in the queue */
    assert_accepted(submit("heidi", "[\"" DOMAIN "S=ivan/\"]",
                           "\"deferred\": 2, \"latest\": 1, \"report\": \"all\""));
    json_t *h = x4t_mts_inbox_wait(&admin_, "heidi", 1, 10000);
    assert_int_equal(json_array_size(h), 1);
    json_t *l = json_array_get(json_object_get(json_array_get(h, 0), "report"), 0);
    assert_non_null(l);
    assert_false(json_is_true(json_object_get(l, "delivered")));
    assert_int_equal(ival(l, "reason"), 0);     /* transfer-failure */
    assert_int_equal(ival(l, "diagnostic"), 5); /* maximum-time-expired */
    json_decref(h);
    json_t *i = x4t_mts_inbox_wait(&admin_, "ivan", 1, 300);
    assert_int_equal(json_array_size(i), 0);
    json_decref(i);
}

static void test_mta_local_probe(void **state)
{
    (void)state;
    mailbox("judy");
    mailbox("ken");
    assert_accepted(submit("judy", "[\"" DOMAIN "S=ken/\", \"" DOMAIN "S=nobody/\"]",
                           "\"probe\": true, \"report\": \"all\""));
    json_t *j = x4t_mts_inbox_wait(&admin_, "judy", 1, 10000);
    assert_int_equal(json_array_size(j), 1);
    json_t *lines = json_object_get(json_array_get(j, 0), "report");
    assert_int_equal(json_array_size(lines), 2);
    int delivered = 0;
    for (size_t i = 0; i < 2; i++)
        delivered += json_is_true(json_object_get(json_array_get(lines, i), "delivered"));
    assert_int_equal(delivered, 1);
    json_decref(j);
    json_t *k = x4t_mts_inbox_wait(&admin_, "ken", 1, 300);
    assert_int_equal(json_array_size(k), 0); /* a probe delivers nothing */
    json_decref(k);
}

/* Deferred delivery survives a crash: the daemon is killed (SIGKILL) while
 * the message waits, restarted on the same data dir, and delivers it. */
static void test_mta_local_deferred_restart(void **state)
{
    (void)state;
    mailbox("leo");
    mailbox("mia");
    assert_accepted(submit("leo", "[\"" DOMAIN "S=mia/\"]", "\"deferred\": 3, \"report\": \"all\""));
    json_t *m = x4t_mts_inbox_wait(&admin_, "mia", 1, 500);
    assert_int_equal(json_array_size(m), 0); /* not before its time */
    json_decref(m);
    char *dir = strdup(x4t_daemon_data_dir(daemon_));
    x4t_daemon_kill(daemon_);
    daemon_ = NULL;
    assert_int_equal(start_daemon(dir), 0);
    free(dir);
    m = x4t_mts_inbox_wait(&admin_, "mia", 1, 10000);
    assert_int_equal(json_array_size(m), 1);
    json_decref(m);
    json_t *l = x4t_mts_inbox_wait(&admin_, "leo", 1, 10000);
    assert_int_equal(json_array_size(l), 1);
    assert_int_equal(ival(json_array_get(l, 0), "type"), 1);
    json_decref(l);
    /* exactly once: nothing more arrives */
    m = x4t_mts_inbox_wait(&admin_, "mia", 2, 1500);
    assert_int_equal(json_array_size(m), 1);
    json_decref(m);
}

/* The sample once it reached want (counters are bumped just after the
 * entry became visible), or its value after 5 s. */
static double metric_wait(const char *sample, double want)
{
    long long end = x4t_now_ms() + 5000;
    double v;
    while ((v = metric(sample)) < want && x4t_now_ms() < end)
        usleep(50000);
    return v;
}

#define SUB_LOCAL(r) "x400ms_submissions_total{protocol=\"local\",result=\"" r "\"}"
#define DEL_LOCAL(r) "x400ms_deliveries_total{protocol=\"local\",result=\"" r "\"}"

/* issue 9: the local MTA's submissions and deliveries in /api/v1/metrics. */
static void test_mta_local_metrics(void **state)
{
    (void)state;
    mailbox("mo");
    mailbox("ned");
    double sub_ok = metric(SUB_LOCAL("ok")), sub_refused = metric(SUB_LOCAL("refused"));
    double del_ok = metric(DEL_LOCAL("ok")), del_undeliverable = metric(DEL_LOCAL("undeliverable"));
    assert_true(sub_ok >= 0 && sub_refused >= 0 && del_ok >= 0 && del_undeliverable >= 0);
    assert_true(metric(SUB_LOCAL("failed")) >= 0 && metric(DEL_LOCAL("error")) >= 0);
    /* one known and one unknown local recipient, all reports: ned's copy
     * and the report into mo's In Box are deliveries, nobody undeliverable */
    assert_accepted(submit("mo", "[\"" DOMAIN "S=ned/\", \"" DOMAIN "S=nobody/\"]",
                           "\"report\": \"all\""));
    json_t *m = x4t_mts_inbox_wait(&admin_, "mo", 1, 10000);
    assert_int_equal(json_array_size(m), 1);
    json_decref(m);
    /* originator-invalid: a refusal */
    int st;
    json_t *j = http("POST", "/api/v1/test/mts/submit",
                     "{\"mailbox\": \"mo\", \"from\": \"" DOMAIN "S=mallory/\", "
                     "\"to\": [\"" DOMAIN "S=ned/\"]}", &st);
    assert_string_equal(json_string_value(json_object_get(j, "outcome")), "refused");
    json_decref(j);
    assert_true(metric_wait(SUB_LOCAL("ok"), sub_ok + 1) == sub_ok + 1);
    assert_true(metric_wait(SUB_LOCAL("refused"), sub_refused + 1) == sub_refused + 1);
    assert_true(metric_wait(DEL_LOCAL("ok"), del_ok + 2) == del_ok + 2);
    assert_true(metric_wait(DEL_LOCAL("undeliverable"), del_undeliverable + 1) ==
                del_undeliverable + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mta_local_delivery_report),
        cmocka_unit_test(test_mta_local_unknown_recipient_ndr),
        cmocka_unit_test(test_mta_local_submission_errors_neg),
        cmocka_unit_test(test_mta_local_priority_order),
        cmocka_unit_test(test_mta_local_latest_delivery_expiry),
        cmocka_unit_test(test_mta_local_probe),
        cmocka_unit_test(test_mta_local_metrics),
        cmocka_unit_test(test_mta_local_deferred_restart),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
