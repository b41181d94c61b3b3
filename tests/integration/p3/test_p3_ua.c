/* Integration: the P3 endpoint for user agents without a message store
 * (modules/protocol/p3/ua_*.c). The real daemon (rfc1006 + store_file +
 * mta_local + p3 with "ua") on real sockets; the real `x400ms-mta ua` as the
 * UA (mts-access), `x400ms-mta deliver` as an MTA. The P3 users "ua1" and
 * "ua2" are mailboxes with a password; "alice" is an ordinary mailbox. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "modules/store/file/store_file.h"
#include "tests/integration/p3/p3test.h"
#include "tests/lib/x4pcap.h"
#include "tests/lib/x4test.h"

#define UA1 "/C=XX/A= /P=TEST/O=Org/S=ua1/"
#define UA2 "/C=XX/A= /P=TEST/O=Org/S=ua2/"
#define UA_PW1 "ua1-secret"
#define UA_PW2 "ua2-secret"
#define ALICE_PW "alice-secret"

/* rtse before p3: the reliable mts-access contexts are served too */
#define EXTRA_MODULES                                                                         \
    "{ \"name\": \"rtse\" }, "                                                                \
    "{ \"name\": \"mta_local\", \"config\": { \"country\": \"XX\", \"admd\": \" \", "          \
    "\"prmd\": \"TEST\" } },"
#define UA_CONFIG "\"ua\": { \"accounts\": [ \"ua1\", \"ua2\" ], \"window\": 4 }"

struct fixture {
    char *data;
    char *manifest;
    struct x4t_daemon *d;
    char hostport[64];
    pid_t background;                /* a UA left running by a failed test */
};

/* Mailboxes with passwords, through the store API (no daemon runs yet). */
static int create_mailboxes(const char *data_dir)
{
    const char *names[] = { "ua1", "ua2", "alice" };
    const char *addrs[] = { UA1, UA2, P3T_ALICE };
    const char *pws[] = { UA_PW1, UA_PW2, ALICE_PW };
    char root[4096];
    snprintf(root, sizeof root, "%s/store", data_dir);
    struct sf_options opt;
    memset(&opt, 0, sizeof opt);
    opt.root = root;
    opt.sync_mode = SF_SYNC_SYNCFS;
    struct sf_store *store;
    struct x400ms_error err;
    if (sf_store_open(&opt, &store, &err) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < 3 && rc == 0; i++) {
        char hash[X400MS_STORE_PASSWORD_HASH_MAX];
        struct x400ms_store_mailbox_info info;
        memset(&info, 0, sizeof info);
        info.name = names[i];
        info.or_address = addrs[i];
        info.password_hash = hash;
        info.settings.outbox_enabled = true;
        if (x400ms_password_hash(pws[i], strlen(pws[i]), 1000, hash, sizeof hash, &err) < 0 ||
            sf_store_ops.mailbox_create(store, &info, &err) < 0) {
            fprintf(stderr, "create %s: %s\n", names[i], err.message);
            rc = -1;
        }
    }
    sf_store_close(store);
    return rc;
}

static int start_daemon(struct fixture *f)
{
    f->d = x4t_daemon_start_in(f->manifest, f->data);
    if (f->d == NULL)
        return -1;
    snprintf(f->hostport, sizeof f->hostport, "127.0.0.1:%d", x4t_daemon_port(f->d, 1));
    return 0;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->data = x4t_tempdir("p3ua");
    if (f->data == NULL || create_mailboxes(f->data) < 0)
        return -1;
    f->manifest = p3t_manifest(EXTRA_MODULES, UA_CONFIG);
    if (f->manifest == NULL || start_daemon(f) < 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    x4t_stop_group(f->background);
    if (f->d != NULL)
        x4t_daemon_kill(f->d);
    if (!getenv("X4T_KEEP"))
        x4t_rmtree(f->data);
    free(f->data);
    free(f->manifest);
    free(f);
    return 0;
}

/* Counts the lines of out that contain needle. */
static int count_lines(const char *out, const char *needle)
{
    int n = 0;
    for (const char *p = out; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Waits until mta_local delivered every submission `out` reports accepted
 * (its log names the MTS identifier) into mailbox. */
static int wait_delivered(struct fixture *f, const char *out, const char *mailbox)
{
    int n = 0;
    for (const char *p = out; (p = strstr(p, "accepted mts-id=")) != NULL; n++) {
        p += strlen("accepted mts-id=");
        char line[256];
        snprintf(line, sizeof line, "message %.*s delivered to %s ", (int)strcspn(p, "\n"), p,
                 mailbox);
        if (x4t_daemon_wait_log(f->d, line, 10000) != 0)
            return -1;
    }
    return n > 0 ? 0 : -1;
}

/* `x400ms-mta ua` in the background, its output into a file; returns the
 * pid (process group) after it printed "bound". */
static pid_t ua_background(struct fixture *f, const char *log, const char *args)
{
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "exec '%s/tools/x400ms-mta' ua -H %s %s", top ? top : ".",
             f->hostport, args);
    pid_t pid = x4t_spawn_group(cmd, log);
    if (pid > 0 && x4t_file_wait(log, "bound", 15000) < 0) {
        char *text = x4t_read_file(log);
        fprintf(stderr, "background UA did not bind: %s\n", text ? text : "");
        free(text);
        x4t_stop_group(pid);
        return -1;
    }
    return pid;
}

/* Runs `x400ms-mta ua -H <the daemon> --bind bind --password password` and
 * the further arguments (NULL-terminated). Returns its output (caller frees)
 * and its exit status in *status. */
static char *ua_vrun(struct fixture *f, int *status, const char *bind, const char *password,
                     va_list more)
{
    const char *args[32] = { "ua", "-H", f->hostport, "--bind", bind, "--password", password };
    size_t n = 7;
    for (const char *a; (a = va_arg(more, const char *)) != NULL;) {
        assert_true(n < sizeof args / sizeof args[0] - 1);
        args[n++] = a;
    }
    args[n] = NULL;
    char *out = NULL;
    *status = p3t_run_mta(args, &out, 30000);
    assert_non_null(out);
    return out;
}

/* ua_vrun: the output, the exit status in *status. */
static char *__attribute__((sentinel)) ua_run(struct fixture *f, int *status, const char *bind,
                                              const char *password, ...)
{
    va_list ap;
    va_start(ap, password);
    char *out = ua_vrun(f, status, bind, password, ap);
    va_end(ap);
    return out;
}

/* ua_vrun that must succeed (the output is printed when it does not). */
static char *__attribute__((sentinel)) ua_run_ok(struct fixture *f, const char *bind,
                                                 const char *password, ...)
{
    va_list ap;
    va_start(ap, password);
    int st;
    char *out = ua_vrun(f, &st, bind, password, ap);
    va_end(ap);
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    return out;
}

/* ua2 submits `count` messages to ua1 (subjects "subject 1".."subject N",
 * content_size octets when not NULL); with wait, until mta_local delivered
 * them into ua1's In Box (else they may still be in mta_local's queue). */
static void ua2_submit_to_ua1(struct fixture *f, const char *count, const char *subject,
                              const char *content_size, bool wait)
{
    char *out = content_size != NULL
                    ? ua_run_ok(f, UA2, UA_PW2, "--to", UA1, "--submit", count, "--subject",
                                subject, "--size", content_size, NULL)
                    : ua_run_ok(f, UA2, UA_PW2, "--to", UA1, "--submit", count, "--subject",
                                subject, NULL);
    if (wait)
        assert_int_equal(wait_delivered(f, out, "ua1"), 0);
    free(out);
}

/* A bind that must be refused with authentication-error. */
static void assert_bind_refused(struct fixture *f, const char *bind, const char *password)
{
    int st;
    char *out = ua_run(f, &st, bind, password, NULL);
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(out, "authentication-error"));
    assert_null(strstr(out, "\nbound"));
    free(out);
}

static void test_p3_ua_wrong_password_neg(void **state)
{
    struct fixture *f = *state;
    long long t0 = x4t_now_ms();
    assert_bind_refused(f, UA1, "wrong");
    assert_true(x4t_now_ms() - t0 >= 200); /* the refusal is delayed */
    assert_int_equal(x4t_daemon_wait_log(f->d, "refused: wrong password for mailbox ua1", 5000), 0);

    /* an address no mailbox has, and a mailbox that is not a P3 user (right
     * password): the same answer, names cannot be probed */
    assert_bind_refused(f, P3T_NOBODY, UA_PW1);
    assert_bind_refused(f, P3T_ALICE, ALICE_PW);
    assert_int_equal(x4t_daemon_wait_log(f->d, "mailbox alice is not a P3 user", 5000), 0);
}

/* A bound UA submits to a local mailbox through the active provider
 * (mta_local); it arrives in alice's In Box. */
static void test_p3_ua_submit_local(void **state)
{
    struct fixture *f = *state;
    char *out = ua_run_ok(f, UA1, UA_PW1, "--to", P3T_ALICE, "--submit", "2", "--subject",
                          "from ua1", NULL);
    assert_int_equal(count_lines(out, "accepted mts-id="), 2);
    assert_non_null(strstr(out, "submitted=2 accepted=2 received=0 failed=0"));
    assert_int_equal(wait_delivered(f, out, "alice"), 0);
    free(out);
}

/* A submission to an address no mailbox has: mta_local puts the
 * non-delivery report into the UA's In Box, and it is pushed with
 * report-delivery on the association that submitted. */
static void test_p3_ua_non_delivery_report(void **state)
{
    struct fixture *f = *state;
    char *out = ua_run_ok(f, UA1, UA_PW1, "--to", P3T_NOBODY, "--submit", "1", "--receive", "1",
                          "--wait", "15", NULL);
    const char *id = strstr(out, "accepted mts-id=");
    assert_non_null(id);
    id += strlen("accepted mts-id=");
    char line[256];
    /* the report names the submission it is about */
    snprintf(line, sizeof line, "received report-delivery subject-id=%.*s delivered=0 "
             "non-delivered=1", (int)strcspn(id, "\n"), id);
    assert_non_null(strstr(out, line));
    free(out);
}

/* probe-submission (X.411 8.2.1.2) through the provider: accepted, and
 * the delivery report it asked for ("would be delivered") is pushed. */
static void test_p3_ua_probe(void **state)
{
    struct fixture *f = *state;
    char *out = ua_run_ok(f, UA1, UA_PW1, "--to", P3T_ALICE, "--probe", "--report", "--submit",
                          "1", "--receive", "1", "--wait", "15", NULL);
    assert_non_null(strstr(out, "submitted 1: accepted mts-id="));
    assert_non_null(strstr(out, "delivered=1 non-delivered=0"));
    free(out);
    assert_int_equal(x4t_daemon_wait_log(f->d, "P3 user ua1: probe-submission accepted", 1000), 0);
}

/* X.411 8.2.2.4: a UA submits as itself only: originator-invalid. */
static void test_p3_ua_originator_invalid_neg(void **state)
{
    struct fixture *f = *state;
    int st;
    char *out = ua_run(f, &st, UA2, UA_PW2, "--to", P3T_ALICE, "--submit", "1", "--from", UA1,
                       NULL);
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(out, "error 4 (originator-invalid)"));
    assert_non_null(strstr(out, "submitted=1 accepted=0 received=0 failed=1"));
    free(out);
}

/* A UA bound while messages for it arrive (one submitted by another P3 UA
 * through mta_local, one delivered by an MTA over mts-forced-access) gets
 * both pushed with message-delivery; a second bind for the same mailbox
 * meanwhile is refused busy. */
static void test_p3_ua_push_while_bound(void **state)
{
    struct fixture *f = *state;
    char log[4096];
    snprintf(log, sizeof log, "%s/ua-bound.log", f->data);
    char bg[512];
    snprintf(bg, sizeof bg, "--bind '%s' --password %s --receive 2 --wait 30", UA1, UA_PW1);
    pid_t pid = ua_background(f, log, bg);
    assert_true(pid > 0);
    f->background = pid; /* stopped by teardown if an assertion below fails */

    int st;
    char *out = ua_run(f, &st, UA1, UA_PW1, NULL);
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(out, "busy"));
    free(out);

    ua2_submit_to_ua1(f, "1", "pushed from ua2", NULL, false);
    const char *mta[] = { "deliver", "-H", f->hostport, "--mta-name", P3T_MTA, "--password",
                          P3T_MTA_PASSWORD, "--to", UA1, "--subject", "pushed from an MTA", NULL };
    st = p3t_run_mta(mta, &out, 20000);
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);

    int seen = x4t_file_wait(log, "submitted=0 accepted=0 received=2", 20000);
    char *text = x4t_read_file(log);
    x4t_stop_group(pid);
    f->background = 0;
    assert_non_null(text);
    if (seen != 0)
        fprintf(stderr, "UA output:\n%s", text);
    assert_int_equal(seen, 0);
    assert_non_null(strstr(text, "subject=pushed from ua2"));
    assert_non_null(strstr(text, "subject=pushed from an MTA"));
    assert_non_null(strstr(text, "from=" UA2));
    free(text);
    assert_int_equal(x4t_daemon_wait_log(f->d, "P3 user ua1 bound", 1000), 0);
}

/* The reliable variant (mts-reliable-access-94 over RTSE, X.419): a
 * submission and a delivery pushed on the same association. */
static void test_p3_ua_reliable_94(void **state)
{
    struct fixture *f = *state;
    ua2_submit_to_ua1(f, "1", "over rtse", NULL, true);
    char *out = ua_run_ok(f, UA1, UA_PW1, "--reliable", "--context", "94", "--to", P3T_ALICE,
                          "--submit", "1", "--receive", "1", "--wait", "15", NULL);
    assert_non_null(strstr(out, "subject=over rtse"));
    assert_non_null(strstr(out, "submitted=1 accepted=1 received=1 failed=0"));
    free(out);
    assert_int_equal(x4t_daemon_wait_log(f->d, "bound (mts-reliable-access-94)", 1000), 0);
}

/* Deliveries that arrive while the UA is not bound wait in its In Box and
 * are pushed at the next bind, in order; once acknowledged they are gone. */
static void test_p3_ua_queued_offline(void **state)
{
    struct fixture *f = *state;
    ua2_submit_to_ua1(f, "3", "queued", NULL, false);
    char *out = ua_run_ok(f, UA1, UA_PW1, "--receive", "3", "--wait", "20", NULL);
    const char *q1 = strstr(out, "subject=queued 1 ");
    const char *q2 = strstr(out, "subject=queued 2 ");
    const char *q3 = strstr(out, "subject=queued 3 ");
    assert_non_null(q1);
    assert_non_null(q2);
    assert_non_null(q3);
    assert_true(q1 < q2 && q2 < q3); /* in the order they arrived */
    free(out);

    /* acknowledged entries left the queue: nothing is pushed again */
    int st;
    out = ua_run(f, &st, UA1, UA_PW1, "--receive", "1", "--wait", "1", NULL);
    assert_non_null(strstr(out, "submitted=0 accepted=0 received=0 failed=0"));
    free(out);
}

/* delivery-control (X.411 8.3.1.3): a message longer than the UA permits
 * is held (reported in Waiting) and pushed once the control is removed
 * (a bind starts without controls). */
static void test_p3_ua_delivery_control(void **state)
{
    struct fixture *f = *state;
    ua2_submit_to_ua1(f, "1", "long one", "4000", true);
    int st;
    char *out = ua_run(f, &st, UA1, UA_PW1, "--max-content-length", "1000", "--receive", "1",
                       "--wait", "2", NULL);
    if (strstr(out, "waiting-operations=0x2") == NULL)
        fprintf(stderr, "UA output:\n%s", out);
    /* waiting-operations message-delivery (bit 1), waiting-messages long-content (bit 0) */
    assert_non_null(strstr(out, "delivery-control: waiting-operations=0x2 waiting-messages=0x1"));
    assert_null(strstr(out, "subject=long one"));
    free(out);

    out = ua_run_ok(f, UA1, UA_PW1, "--receive", "1", "--wait", "10", NULL);
    assert_non_null(strstr(out, "subject=long one"));
    free(out);
}

/* An error from the UA keeps the entry queued (at-least-once). */
static void test_p3_ua_refused_stays_queued(void **state)
{
    struct fixture *f = *state;
    ua2_submit_to_ua1(f, "1", "refused once", NULL, false);
    char *out = ua_run_ok(f, UA1, UA_PW1, "--refuse", "--receive", "1", "--wait", "10", NULL);
    assert_non_null(strstr(out, "refused message-delivery"));
    free(out);
    out = ua_run_ok(f, UA1, UA_PW1, "--receive", "1", "--wait", "10", NULL);
    assert_non_null(strstr(out, "subject=refused once"));
    free(out);
}

/* Queued deliveries survive a daemon crash (SIGKILL) and restart. */
static void test_p3_ua_queued_restart(void **state)
{
    struct fixture *f = *state;
    ua2_submit_to_ua1(f, "2", "restart", NULL, false);
    x4t_daemon_kill(f->d); /* SIGKILL: only what was durable survives */
    f->d = NULL;
    assert_int_equal(start_daemon(f), 0);

    char *out = ua_run_ok(f, UA1, UA_PW1, "--receive", "2", "--wait", "20", NULL);
    const char *r1 = strstr(out, "subject=restart 1 ");
    const char *r2 = strstr(out, "subject=restart 2 ");
    assert_non_null(r1);
    assert_non_null(r2);
    assert_true(r1 < r2);
    free(out);
}

/* tshark dissects a UA's P3 session (bind, submission, a delivery pushed
 * by the MS, results, release) without a malformed frame or error item. */
static void test_p3_ua_tshark_clean(void **state)
{
    struct fixture *f = *state;
    if (x4_tshark_path() == NULL)
        skip();
    /* one message waiting for ua1, so the recorded session has a push */
    ua2_submit_to_ua1(f, "1", "for tshark", NULL, true);

    char pcap[4096];
    snprintf(pcap, sizeof pcap, "%s/p3ua.pcap", f->data);
    struct p3t_relay *r = p3t_relay_start(x4t_daemon_port(f->d, 1), pcap);
    assert_non_null(r);
    char hostport[64];
    snprintf(hostport, sizeof hostport, "127.0.0.1:%d", p3t_relay_port(r));
    const char *args[] = { "ua", "-H", hostport, "--bind", UA1, "--password", UA_PW1, "--to",
                           P3T_ALICE, "--submit", "1", "--receive", "1", "--wait", "15", NULL };
    char *out = NULL;
    int st = p3t_run_mta(args, &out, 20000);
    assert_int_equal(p3t_relay_finish(r, 20000), 0);
    if (st != 0)
        fprintf(stderr, "%s", out);
    assert_int_equal(st, 0);
    free(out);
    char report[4096], verbose[65536];
    int rc = x4_tshark_check(pcap, (uint16_t)x4t_daemon_port(f->d, 1), report, sizeof report,
                             verbose, sizeof verbose);
    if (rc != 0)
        fprintf(stderr, "tshark: %s\n", report);
    assert_int_equal(rc, 0);
    /* tshark knew the protocol: it named both directions' P3 operations */
    assert_non_null(strstr(verbose, "message-submission"));
    assert_non_null(strstr(verbose, "message-delivery"));
}

/* change-credentials (X.411 8.4.1.2): a wrong old password is refused;
 * the right one changes the mailbox's password (the next bind needs the new
 * one). Last: ua2's password changes. */
static void test_p3_ua_change_credentials(void **state)
{
    struct fixture *f = *state;
    int st;
    char *out = ua_run(f, &st, UA2, UA_PW2, "--new-password", "x", "--old-password", "not-it",
                       NULL);
    assert_int_not_equal(st, 0);
    assert_non_null(strstr(out, "error 15 (old-credentials-incorrectly-specified)"));
    free(out);
    out = ua_run_ok(f, UA2, UA_PW2, "--new-password", "ua2-new-secret", NULL);
    assert_non_null(strstr(out, "change-credentials: done"));
    free(out);
    assert_bind_refused(f, UA2, UA_PW2);
    out = ua_run_ok(f, UA2, "ua2-new-secret", NULL);
    assert_non_null(strstr(out, "bound"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p3_ua_wrong_password_neg),
        cmocka_unit_test(test_p3_ua_submit_local),
        cmocka_unit_test(test_p3_ua_originator_invalid_neg),
        cmocka_unit_test(test_p3_ua_non_delivery_report),
        cmocka_unit_test(test_p3_ua_probe),
        cmocka_unit_test(test_p3_ua_push_while_bound),
        cmocka_unit_test(test_p3_ua_queued_offline),
        cmocka_unit_test(test_p3_ua_reliable_94),
        cmocka_unit_test(test_p3_ua_delivery_control),
        cmocka_unit_test(test_p3_ua_refused_stays_queued),
        cmocka_unit_test(test_p3_ua_tshark_clean),
        cmocka_unit_test(test_p3_ua_queued_restart),
        cmocka_unit_test(test_p3_ua_change_credentials),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
