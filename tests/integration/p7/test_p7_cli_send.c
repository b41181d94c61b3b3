/* The scripted CLI session of issue 6: the x400ms CLI sends from alice to
 * bob through the embedded local MTA (module "mta_local", the MTS provider
 * of include/x400ms/mts.h), then bob lists --new, fetches and deletes it.
 * Skipped, with the reason, while the mta_local module is not built. */
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
#include <unistd.h>

#include "tests/integration/p7/p7test.h"
#include "tests/lib/x4test.h"

static struct x4t_daemon *daemon_;
static int port;
static bool have_mta;

static bool mta_local_built(void)
{
    const char *dir = getenv("X400MS_MODULE_PATH");
    char path[4096];
    snprintf(path, sizeof path, "%s/.libs/mta_local.so", dir ? dir : "modules");
    if (access(path, R_OK) == 0)
        return true;
    snprintf(path, sizeof path, "%s/mta_local.so", dir ? dir : "modules");
    return access(path, R_OK) == 0;
}

static int setup(void **state)
{
    (void)state;
    if (!(have_mta = mta_local_built()))
        return 0;
    char *data = x4t_tempdir("p7-cli-send");
    struct p7t_fill alice = { "alice", P7T_ALICE, P7T_PASSWORD, 0, 100, false, false, 0, 0 };
    struct p7t_fill bob = { "bob", P7T_BOB, P7T_PASSWORD, 0, 100, false, false, 0, 0 };
    if (data == NULL || p7t_fill_mailbox(data, &alice) < 0 || p7t_fill_mailbox(data, &bob) < 0)
        return -1;
    const char *manifest =
        "{ \"threads\": 2, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
        "  { \"name\": \"rfc1006\", \"config\": {\n"
        "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ] } },\n"
        "  { \"name\": \"store_file\", \"config\": { \"flush_interval\": \"1s\" } },\n"
        "  { \"name\": \"mta_local\", \"config\": { \"country\": \"XX\", \"admd\": \" \", "
        "\"prmd\": \"TEST\" } },\n"
        "  { \"name\": \"p7\" }\n"
        "] }\n";
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
    return daemon_ == NULL || x4t_daemon_stop(daemon_) == 0 ? 0 : -1;
}

static char *run_cli(const char *who, const char *const *args, int *status)
{
    char prog[4096], hp[64];
    snprintf(prog, sizeof prog, "%s/tools/x400ms", getenv("X400MS_TOP_BUILDDIR"));
    snprintf(hp, sizeof hp, "127.0.0.1:%d", port);
    char *argv[40];
    int n = 0;
    argv[n++] = prog;
    argv[n++] = "-H";
    argv[n++] = hp;
    argv[n++] = "-u";
    argv[n++] = (char *)who;
    argv[n++] = "-p";
    argv[n++] = P7T_PASSWORD;
    for (int i = 0; args[i] != NULL && n < 38; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    char *out = NULL;
    *status = x4t_run(argv, &out, 20000);
    fprintf(stderr, "x400ms %s -> %d:\n%s\n", args[0], *status, out ? out : "");
    return out;
}

/* The sequence number of the first entry in list --json output, or 0. */
static unsigned first_seq(const char *json)
{
    const char *p = json ? strstr(json, "\"seq\": ") : NULL;
    return p ? (unsigned)strtoul(p + 7, NULL, 10) : 0;
}

static void test_p7_cli_send_list_fetch_delete(void **state)
{
    (void)state;
    if (!have_mta) {
        fprintf(stderr, "skipped: the mta_local module is not built (modules/mta/local) "
                        "- no MTS provider to send through\n");
        skip();
    }
    int st;
    const char *const send[] = { "send", "--to", P7T_BOB, "--subject", "cli hello", "--body",
                                 "hello from alice", "--priority", "urgent", NULL };
    char *out = run_cli(P7T_ALICE, send, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "submitted "));
    free(out);

    /* the local MTA delivers asynchronously: poll bob's new entries */
    const char *const list[] = { "--json", "list", "--new", NULL };
    unsigned seq = 0;
    for (int i = 0; i < 50 && seq == 0; i++) {
        out = run_cli(P7T_BOB, list, &st);
        assert_int_equal(st, 0);
        if (strstr(out, "cli hello") != NULL)
            seq = first_seq(out);
        free(out);
        if (seq == 0) {
            struct timespec ts = { 0, 100 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    assert_true(seq > 0);
    char seqtext[16];
    snprintf(seqtext, sizeof seqtext, "%u", seq);
    char *dir = x4t_tempdir("p7-cli-fetch");
    assert_non_null(dir);
    char file[4096];
    snprintf(file, sizeof file, "%s/content.ber", dir);
    const char *const fetch_out[] = { "fetch", seqtext, "--out", file, NULL };
    out = run_cli(P7T_BOB, fetch_out, &st);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "Subject:   cli hello"));
    assert_non_null(strstr(out, "Priority:  urgent"));
    free(out);
    /* the content is the X.420 IPM the CLI built: the IA5 body is in it */
    FILE *f = fopen(file, "rb");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_non_null(memmem(buf, n, "hello from alice", 16));
    x4t_rmtree(dir);
    free(dir);
    const char *const fetch[] = { "fetch", seqtext, NULL };
    const char *const del[] = { "delete", seqtext, NULL };
    out = run_cli(P7T_BOB, del, &st);
    assert_int_equal(st, 0);
    free(out);
    out = run_cli(P7T_BOB, fetch, &st);
    assert_int_equal(st, 4); /* gone: sequence-number-error */
    free(out);
}

int main(void)
{
    if (!mta_local_built()) {
        /* automake's "skipped" status */
        fprintf(stderr, "SKIP: the mta_local module is not built yet (modules/mta/local, not in "
                        "Makefile.am): no local MTA to send through\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p7_cli_send_list_fetch_delete),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
