/* P7 on a 10,000-entry mailbox: List continuation with `next` visits every
 * entry once, in order, and turns them all into listed; and the x400ms CLI
 * against the same daemon (tables, --json, exit codes). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/p7/p7test.h"
#include "tests/lib/x4test.h"
#include "x400ms/client.h"

#define ENTRIES 10000

static struct x4t_daemon *daemon_;
static int port;

static int setup(void **state)
{
    (void)state;
    char *data = x4t_tempdir("p7-big");
    struct p7t_fill alice = { "alice", P7T_ALICE, P7T_PASSWORD, ENTRIES, 256, false, false, 100, 0 };
    if (data == NULL || p7t_fill_mailbox(data, &alice) < 0)
        return -1;
    char *manifest = p7t_manifest(NULL, "\"max_list\": 700");
    daemon_ = x4t_daemon_start_in(manifest, data);
    free(manifest);
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

static void test_p7_list_continuation_10000(void **state)
{
    (void)state;
    struct x400ms_client_params p;
    p7t_params(&p, port, P7T_ALICE, P7T_PASSWORD, X400MS_CLIENT_MS_94);
    struct x400ms_client *c;
    struct x400ms_error err;
    assert_int_equal(x400ms_client_bind(&p, &c, NULL, &err), 0);
    static const char *const seq_only[] = { "2.6.4.3.39", NULL };
    uint32_t expect = 1, from = 0;
    size_t calls = 0;
    for (;;) {
        struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
        sel.seq_from = from;
        sel.limit = 1000; /* capped by the server's max_list 700 */
        struct x400ms_client_list l;
        assert_int_equal(x400ms_client_list(c, 0, &sel, seq_only, &l, &err), 0);
        calls++;
        assert_true(l.n <= 700);
        for (size_t i = 0; i < l.n; i++)
            assert_int_equal(l.entries[i].seq, expect++);
        from = l.next;
        x400ms_client_list_free(&l);
        if (from == 0)
            break;
        assert_int_equal(from, expect);
    }
    assert_int_equal(expect, ENTRIES + 1);
    assert_int_equal(calls, (ENTRIES + 699) / 700);
    struct x400ms_client_summary s;
    assert_int_equal(x400ms_client_summarize(c, 0, NULL, &s, &err), 0);
    assert_int_equal(s.count, ENTRIES);
    assert_int_equal(s.by_status[1], ENTRIES); /* all listed now */
    assert_int_equal(s.by_priority[2], ENTRIES / 100);
    x400ms_client_unbind(&c);
}

static char *run_cli(const char *const *args, int *status)
{
    char prog[4096], hp[64];
    snprintf(prog, sizeof prog, "%s/tools/x400ms", getenv("X400MS_TOP_BUILDDIR"));
    snprintf(hp, sizeof hp, "127.0.0.1:%d", port);
    char *argv[32];
    int n = 0;
    argv[n++] = prog;
    argv[n++] = "-H";
    argv[n++] = hp;
    argv[n++] = "-u";
    argv[n++] = P7T_ALICE;
    for (int i = 0; args[i] != NULL && n < 30; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    char *out = NULL;
    *status = x4t_run(argv, &out, 20000);
    fprintf(stderr, "x400ms %s -> %d:\n%s\n", args[2], *status, out ? out : "");
    return out;
}

static void test_p7_cli(void **state)
{
    (void)state;
    int st;
    const char *const sum[] = { "-p", P7T_PASSWORD, "summarize", NULL };
    char *out = run_cli(sum, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "entries    10000"));
    free(out);
    const char *const list[] = { "-p", P7T_PASSWORD, "--json", "list", "--priority", "urgent",
                                 "--limit", "3", NULL };
    out = run_cli(list, &st);
    assert_int_equal(st, 0);
    /* three entries, all urgent (the fill threads interleave sequence numbers) */
    size_t urgent = 0;
    for (const char *q = out; (q = strstr(q, "\"priority\": \"urgent\"")) != NULL; q++)
        urgent++;
    assert_int_equal(urgent, 3);
    assert_null(strstr(out, "\"priority\": \"normal\""));
    assert_null(strstr(out, "\"next\": 0}"));
    free(out);
    const char *const fetch[] = { "-p", P7T_PASSWORD, "fetch", "42", NULL };
    out = run_cli(fetch, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "Sequence:  42\n"));
    assert_non_null(strstr(out, "Subject:   message "));
    free(out);
    const char *const del[] = { "-p", P7T_PASSWORD, "delete", "42", NULL };
    out = run_cli(del, &st);
    assert_int_equal(st, 0);
    free(out);
    out = run_cli(fetch, &st);
    assert_int_equal(st, 4); /* sequence-number-error */
    assert_non_null(strstr(out, "sequence-number-error"));
    free(out);
    const char *const bad[] = { "-p", "wrong", "summarize", NULL };
    out = run_cli(bad, &st);
    assert_int_equal(st, 2);
    assert_non_null(strstr(out, "authentication-error"));
    free(out);
    /* no MTS provider in this daemon: service-error unavailable, exit 3 */
    const char *const send[] = { "-p", P7T_PASSWORD, "send", "--to", P7T_ALICE, "--subject", "s",
                                 "--body", "b", NULL };
    out = run_cli(send, &st);
    assert_int_equal(st, 3);
    free(out);
    /* a usage error is found before connecting */
    const char *const send_bad[] = { "-p", P7T_PASSWORD, "send", "--subject", "s", NULL };
    out = run_cli(send_bad, &st);
    assert_int_equal(st, 1);
    assert_non_null(strstr(out, "--to is required"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p7_list_continuation_10000),
        cmocka_unit_test(test_p7_cli),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
