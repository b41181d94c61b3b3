/* Integration test of the store_file module in the real daemon: loads with
 * its manifest config, ages out old entries on its timer, shuts down cleanly
 * (index flushed, no crash marker), recovers after SIGKILL, and rejects a bad
 * config naming the field. */
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
#include "tests/unit/test_store_util.h"

static const char *manifest =
    "{ \"log\": { \"level\": \"info\" },\n"
    "  \"modules\": [ { \"name\": \"store_file\", \"config\": {\n"
    "      \"root\": \"store\", \"flush_interval\": \"1s\", \"ageing_interval\": \"1s\" } } ] }\n";

static char *store_root(const char *data)
{
    char *p;
    assert_true(asprintf(&p, "%s/store", data) > 0);
    return p;
}

/* A mailbox whose In Box keeps an hour: 5 entries two hours old, 5 fresh. */
static void populate(const char *root, uint32_t *old, uint32_t *young)
{
    struct x400ms_error err = { 0 };
    struct sf_store *store = tsu_open(root, false);
    struct x400ms_store_mailbox_info info = { .name = "alice", .or_address = "C=GB;S=Alice",
                                              .settings = { .max_age = { 3600, 0 } } };
    assert_int_equal(OPS->mailbox_create(store, &info, &err), 0);
    struct x400ms_store_mailbox *mb = tsu_mbopen(store, "alice");
    for (uint32_t i = 0; i < 5; i++) {
        struct tsu_entry e;
        tsu_entry_init(&e, i, 100);
        e.in.attrs.creation_time = time(NULL) - 7200;
        assert_int_equal(OPS->put(mb, 0, &e.in, &old[i], &err), 0);
        young[i] = tsu_put(mb, 0, 100 + i, 100);
    }
    OPS->mailbox_close(mb);
    sf_store_close(store);
}

static void test_store_daemon_ageing_and_clean_shutdown(void **state)
{
    char *data = x4t_tempdir("store-daemon"), *root = store_root(data), path[4096];
    uint32_t old[5], young[5];
    (void)state;

    populate(root, old, young);
    struct x4t_daemon *d = x4t_daemon_start_in(manifest, data);
    assert_non_null(d);
    if (x4t_daemon_wait_log(d, "[store_file] file store at", 5000) != 0) {
        char *log = x4t_daemon_log_text(d);
        fail_msg("no store line in the log:\n%s", log ? log : "");
    }
    /* the ageing timer loads the mailbox and deletes the old entries */
    if (x4t_daemon_wait_log(d, "entries older than 3600s aged out", 10000) != 0) {
        char *log = x4t_daemon_log_text(d);
        fail_msg("no ageing line in the log:\n%s", log ? log : "");
    }
    {
        char *log = x4t_daemon_log_text(d);
        int status = x4t_daemon_stop(d);
        if (status != 0)
            fail_msg("x400msd exit status %d; log so far:\n%s", status, log ? log : "");
        free(log);
    }

    /* clean shutdown: marker gone, index written; the store agrees */
    snprintf(path, sizeof path, "%s/mailboxes/alice/dirty", root);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/mailboxes/alice/inbox.idx", root);
    assert_int_equal(access(path, F_OK), 0);
    struct sf_store *store = tsu_open(root, false);
    struct x400ms_store_mailbox *mb = tsu_mbopen(store, "alice");
    struct x400ms_store_entry *e;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(OPS->get(mb, 0, old[i], 0, &e, NULL), X400MS_ENOENT);
        tsu_assert_content(mb, 0, young[i], 100 + (uint32_t)i, 100);
    }
    struct x400ms_store_check_report rep;
    assert_int_equal(OPS->check(store, "alice", &rep, NULL), 0);
    assert_true(rep.consistent);
    OPS->mailbox_close(mb);
    sf_store_close(store);
    x4t_rmtree(data);
    free(data);
    free(root);
}

static void test_store_daemon_sigkill_recovers(void **state)
{
    char *data = x4t_tempdir("store-daemon-kill"), *root = store_root(data), path[4096];
    uint32_t old[5], young[5];
    (void)state;

    populate(root, old, young);
    struct x4t_daemon *d = x4t_daemon_start_in(manifest, data);
    assert_non_null(d);
    assert_int_equal(x4t_daemon_wait_log(d, "aged out", 10000), 0);
    assert_int_equal(x4t_daemon_kill(d), 0);
    /* killed while the mailbox was loaded: the marker says so */
    snprintf(path, sizeof path, "%s/mailboxes/alice/dirty", root);
    assert_int_equal(access(path, F_OK), 0);
    struct sf_store *store = tsu_open(root, false);
    struct x400ms_store_mailbox *mb = tsu_mbopen(store, "alice");
    struct x400ms_store_check_report rep;
    assert_int_equal(OPS->check(store, "alice", &rep, NULL), 0);
    assert_true(rep.consistent);
    for (int i = 0; i < 5; i++)
        tsu_assert_content(mb, 0, young[i], 100 + (uint32_t)i, 100);
    OPS->mailbox_close(mb);
    sf_store_close(store);
    x4t_rmtree(data);
    free(data);
    free(root);
}

static void test_store_daemon_bad_config_neg(void **state)
{
    char *data = x4t_tempdir("store-daemon-bad"), *prog = x4t_daemon_program(), *out = NULL, mpath[4096];
    (void)state;
    snprintf(mpath, sizeof mpath, "%s/bad.json", data);
    assert_int_equal(x4t_write_file(mpath, "{ \"data_dir\": \"var\", \"modules\": [ { \"name\": \"store_file\", "
                                           "\"config\": { \"sync\": \"sometimes\" } } ] }\n"), 0);
    char *argv[] = { prog, "-t", "-c", mpath, NULL };
    int status = x4t_run(argv, &out, 10000);
    assert_int_not_equal(status, 0);
    assert_non_null(out);
    assert_non_null(strstr(out, "modules[0].config.sync"));
    free(out);
    /* an unknown key is refused too */
    assert_int_equal(x4t_write_file(mpath, "{ \"data_dir\": \"var\", \"modules\": [ { \"name\": \"store_file\", "
                                           "\"config\": { \"rooot\": \"x\" } } ] }\n"), 0);
    out = NULL;
    assert_int_not_equal(x4t_run(argv, &out, 10000), 0);
    assert_non_null(out);
    assert_non_null(strstr(out, "rooot"));
    free(out);
    free(prog);
    x4t_rmtree(data);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_daemon_ageing_and_clean_shutdown),
        cmocka_unit_test(test_store_daemon_sigkill_recovers),
        cmocka_unit_test(test_store_daemon_bad_config_neg),
    };
    tsu_quiet();
    /* the tests look at the data after the daemon stopped, then remove it */
    setenv("X4T_KEEP", "1", 1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
