/* Integration: reliable delivery (mts-forced-reliable-access, X.228 RTSE
 * under ROSE) of a 1 MiB message from x400ms-mta into the daemon (rfc1006 +
 * store_file + rtse + p3), checked in the In Box after SIGKILL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/integration/p3/p3test.h"
#include "tests/lib/x4test.h"

static void test_p3_reliable_1mib(void **state)
{
    (void)state;
    char *data = x4t_tempdir("p3reliable");
    assert_non_null(data);
    const char *names[] = { "alice" }, *addrs[] = { P3T_ALICE };
    assert_int_equal(p3t_create_mailboxes(data, names, addrs, 1), 0);
    char *manifest = p3t_manifest("{ \"name\": \"rtse\" },", NULL);
    struct x4t_daemon *d = x4t_daemon_start_in(manifest, data);
    free(manifest);
    assert_non_null(d);
    char hostport[64];
    snprintf(hostport, sizeof hostport, "127.0.0.1:%d", x4t_daemon_port(d, 1));
    const char *args[] = { "deliver", "-H", hostport, "--mta-name", P3T_MTA, "--password",
                           P3T_MTA_PASSWORD, "--to", P3T_ALICE, "--count", "1", "--size",
                           "1048576", "--reliable", "--subject", "one mebibyte", NULL };
    char *out = NULL;
    int st = p3t_run_mta(args, &out, 40000);
    long dl = 0, ack = 0, failed = 0;
    if (out != NULL && st != 0)
        fprintf(stderr, "%s", out);
    x4t_daemon_kill(d);
    assert_int_equal(st, 0);
    assert_int_equal(p3t_parse_summary(out, &dl, &ack, &failed), 0);
    assert_int_equal(ack, 1);
    free(out);
    struct p3t_entry e[2];
    assert_int_equal(p3t_read_box(data, "alice", X400MS_STORE_INBOX, e, 2), 1);
    assert_true(e[0].content_length > 1048576);
    assert_string_equal(e[0].subject, "one mebibyte");
    x4t_rmtree(data);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p3_reliable_1mib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
