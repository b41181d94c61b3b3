/* The reliable MS contexts (X.419: ms-reliable-access-88 2.6.0.1.5 and
 * -94 2.6.0.1.12, the bind in the RTORQ, operations over RTSE X.228) end to
 * end through the client library: bind, list, fetch, unbind against the
 * real daemon with rtse loaded before p7. And the bind hooks
 * (X400MS_HOOK_BIND / UNBIND, bind_event.h) seen by the tests-only module
 * "bindrec", which writes each event to a file. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/integration/p7/p7test.h"
#include "tests/lib/x4test.h"
#include "x400ms/client.h"

#define ENTRIES 6

static struct x4t_daemon *daemon_;
static int port;
static char bind_log[4096];

static int setup(void **state)
{
    (void)state;
    char *data = x4t_tempdir("p7-rtse");
    struct p7t_fill alice = { "alice", P7T_ALICE, P7T_PASSWORD, ENTRIES, 300, false, false, 0, 0 };
    if (data == NULL || p7t_fill_mailbox(data, &alice) < 0)
        return -1;
    snprintf(bind_log, sizeof bind_log, "%s/binds.log", data);
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char manifest[9000];
    snprintf(manifest, sizeof manifest,
             "{ \"threads\": 2, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
             "  { \"name\": \"rfc1006\", \"config\": {\n"
             "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ] } },\n"
             "  { \"name\": \"rtse\" },\n"
             "  { \"name\": \"store_file\", \"config\": { \"flush_interval\": \"1s\" } },\n"
             "  { \"name\": \"bindrec\", \"file\": \"%s/tests/integration/p7/bindrec\",\n"
             "    \"config\": { \"log\": \"%s\" } },\n"
             "  { \"name\": \"p7\", \"config\": { \"bind_failure_delay_ms\": 100 } }\n"
             "] }\n", top ? top : ".", bind_log);
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

static struct x400ms_client *bind_reliable(const char *password, enum x400ms_client_version v,
                                           struct x400ms_error *err)
{
    struct x400ms_client_params p;
    p7t_params(&p, port, P7T_ALICE, password, v);
    p.reliable = true;
    struct x400ms_client *c = NULL;
    if (x400ms_client_bind(&p, &c, NULL, err) < 0)
        return NULL;
    return c;
}

/* Bind, list every entry with its attributes, fetch one with its content. */
static void list_and_fetch(enum x400ms_client_version v, const char *context_name, size_t pick)
{
    struct x400ms_error err;
    struct x400ms_client *c = bind_reliable(P7T_PASSWORD, v, &err);
    if (c == NULL)
        fail_msg("reliable bind: %s", err.message);
    /* the daemon says which context the association uses */
    char want[128];
    snprintf(want, sizeof want, "MS-bind to mailbox alice (%s)", context_name);
    assert_int_equal(x4t_daemon_wait_log(daemon_, want, 5000), 0);

    struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
    struct x400ms_client_list l;
    assert_int_equal(x400ms_client_list(c, 0, &sel, NULL, &l, &err), 0);
    assert_int_equal(l.n, ENTRIES);
    for (size_t i = 0; i < l.n; i++) {
        char subject[32];
        snprintf(subject, sizeof subject, "message %u", l.entries[i].seq);
        assert_string_equal(l.entries[i].subject, subject);
        assert_string_equal(l.entries[i].originator, P7T_BOB);
        assert_int_equal(l.entries[i].content_length, 300);
    }
    uint32_t seq = l.entries[pick].seq; /* each context fetches its own entry */
    x400ms_client_list_free(&l);

    struct x400ms_client_entry e;
    assert_int_equal(x400ms_client_fetch(c, 0, seq, NULL, &e, &err), 0);
    assert_int_equal(e.seq, seq);
    assert_int_equal(e.content_len, 300);
    assert_memory_equal(e.content, "abcdefghij", 10);
    assert_int_equal(e.status, 1); /* listed by the List above; processed from now on */
    x400ms_client_entry_free(&e);
    /* a missing entry still gets its X.413 error over RTSE */
    assert_int_equal(x400ms_client_fetch(c, 0, 9999, NULL, &e, &err), X400MS_EPERM);
    int64_t code, problem;
    x400ms_client_last_error(c, &code, &problem, NULL, NULL);
    assert_int_equal(code, 28); /* sequence-number-error */
    assert_int_equal(x400ms_client_unbind(&c), 0);
}

static void test_p7_rtse_88(void **state)
{
    (void)state;
    list_and_fetch(X400MS_CLIENT_MS_88, "ms-reliable-access-88", 1);
}

static void test_p7_rtse_94(void **state)
{
    (void)state;
    list_and_fetch(X400MS_CLIENT_MS_94, "ms-reliable-access-94", 4);
}

static void test_p7_rtse_wrong_password_neg(void **state)
{
    (void)state;
    struct x400ms_error err;
    struct x400ms_client_params p;
    p7t_params(&p, port, P7T_ALICE, "not the password", X400MS_CLIENT_MS_88);
    p.reliable = true;
    struct x400ms_client *c = NULL;
    assert_int_equal(x400ms_client_bind(&p, &c, NULL, &err), X400MS_EAUTH);
    assert_null(c);
}

/* Counts lines of the bind log equal to `line`. */
static int count_lines(const char *text, const char *line)
{
    int n = 0;
    size_t len = strlen(line);
    for (const char *p = text; p != NULL && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, line, len) == 0 && (p[len] == '\n' || p[len] == '\0'))
            n++;
    return n;
}

/* Runs last: the hook lines of every bind above and of one more bind. */
static void test_p7_bind_hooks(void **state)
{
    (void)state;
    struct x400ms_error err;
    struct x400ms_client *c = bind_reliable(P7T_PASSWORD, X400MS_CLIENT_MS_94, &err);
    assert_non_null(c);
    assert_int_equal(x400ms_client_unbind(&c), 0);
    /* the unbind hook runs when the daemon sees the release: wait for it */
    char *text = NULL;
    for (int i = 0; i < 100; i++) {
        free(text);
        text = x4t_read_file(bind_log);
        if (text != NULL && count_lines(text, "unbind alice ok p7 2.6.0.1.12") == 2)
            break;
        struct timespec ts = { 0, 50 * 1000000L };
        nanosleep(&ts, NULL);
    }
    assert_non_null(text);
    fprintf(stderr, "%s", text);
    /* list_and_fetch 88 and 94, and this one */
    assert_int_equal(count_lines(text, "bind alice ok p7 2.6.0.1.5"), 1);
    assert_int_equal(count_lines(text, "bind alice ok p7 2.6.0.1.12"), 2);
    assert_int_equal(count_lines(text, "unbind alice ok p7 2.6.0.1.5"), 1);
    assert_int_equal(count_lines(text, "unbind alice ok p7 2.6.0.1.12"), 2);
    /* the wrong password: a failed bind, no mailbox named, and no unbind */
    assert_int_equal(count_lines(text, "bind - fail p7 2.6.0.1.5"), 1);
    assert_int_equal(count_lines(text, "unbind - fail p7 2.6.0.1.5"), 0);
    assert_int_equal(count_lines(text, "unbind - ok p7 2.6.0.1.5"), 0);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p7_rtse_88),
        cmocka_unit_test(test_p7_rtse_94),
        cmocka_unit_test(test_p7_rtse_wrong_password_neg),
        cmocka_unit_test(test_p7_bind_hooks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
