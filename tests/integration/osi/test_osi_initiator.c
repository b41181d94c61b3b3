/* Integration tests of the OSI stack's initiator side and of RTSE: one
 * daemon serves the echo contexts, a second daemon's echo module associates
 * to it through x400ms_assoc_connect (plain, then reliable over RTSE with a
 * 1 MiB APDU each way). The loopback traffic is captured with dumpcap when
 * it can run (root) and tshark must dissect it without a malformed frame. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/osi/osic.h"
#include "tests/lib/x4test.h"

static struct x4t_daemon *server_;
static int port_;
static char echo_path[1024];

static const char server_manifest[] =
    "{ \"threads\": 2, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
    "  { \"name\": \"rfc1006\", \"config\": {\n"
    "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ],\n"
    "      \"max_tsdu\": 2097152 } },\n"
    "  { \"name\": \"rtse\" },\n"
    "  { \"name\": \"echo\", \"file\": \"@ECHO@\" }\n"
    "] }\n";

static const char client_manifest[] =
    "{ \"threads\": 1, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
    "  { \"name\": \"rfc1006\", \"config\": { \"listen\": [], \"max_tsdu\": 2097152 } },\n"
    "  { \"name\": \"rtse\" },\n"
    "  { \"name\": \"echo\", \"file\": \"@ECHO@\", \"config\": { \"client\": {\n"
    "      \"port\": @SERVER@, \"count\": @COUNT@, \"size\": @SIZE@, \"reliable\": @RELIABLE@ } } }\n"
    "] }\n";

static int setup(void **state)
{
    (void)state;
    snprintf(echo_path, sizeof(echo_path), "%s/tests/integration/osi/echo",
             getenv("X400MS_TOP_BUILDDIR"));
    char *t = x4t_replace(server_manifest, "@ECHO@", echo_path);
    server_ = x4t_daemon_start(t);
    free(t);
    if (server_ == NULL)
        return -1;
    port_ = x4t_daemon_port(server_, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return server_ && x4t_daemon_stop(server_) == 0 ? 0 : -1;
}

/* dumpcap on lo for the server port, when it works here. */
static pid_t capture_start(const char *path)
{
    if (getenv("TSHARK") == NULL || !*getenv("TSHARK") || access("/usr/bin/dumpcap", X_OK) != 0)
        return -1;
    char filter[64];
    snprintf(filter, sizeof(filter), "tcp port %d", port_);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", 1);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execl("/usr/bin/dumpcap", "dumpcap", "-q", "-i", "lo", "-f", filter, "-P",
              "-w", path, (char *)NULL);
        _exit(127);
    }
    /* dumpcap needs a moment before it sees packets */
    for (int i = 0; i < 40 && access(path, F_OK) != 0; i++)
        usleep(50000);
    usleep(200000);
    return pid;
}

static int capture_stop(pid_t pid)
{
    if (pid <= 0)
        return -1;
    usleep(300000);
    kill(pid, SIGTERM);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void run_client(int count, long size, bool reliable, const char *pcap_name)
{
    char buf[32], pcap[1024];
    char *t1 = x4t_replace(client_manifest, "@ECHO@", echo_path);
    snprintf(buf, sizeof(buf), "%d", port_);
    char *t2 = x4t_replace(t1, "@SERVER@", buf);
    snprintf(buf, sizeof(buf), "%d", count);
    char *t3 = x4t_replace(t2, "@COUNT@", buf);
    snprintf(buf, sizeof(buf), "%ld", size);
    char *t4 = x4t_replace(t3, "@SIZE@", buf);
    char *t5 = x4t_replace(t4, "@RELIABLE@", reliable ? "true" : "false");
    snprintf(pcap, sizeof(pcap), "%s/%s.pcap", x4t_daemon_data_dir(server_), pcap_name);
    pid_t cap = capture_start(pcap);
    struct x4t_daemon *client = x4t_daemon_start(t5);
    free(t1);
    free(t2);
    free(t3);
    free(t4);
    free(t5);
    assert_non_null(client);
    char expect[128];
    snprintf(expect, sizeof(expect), "echo client: %d of %d associations ok", count, count);
    int rc = x4t_daemon_wait_log(client, expect, 30000);
    if (rc != 0) {
        char *log = x4t_daemon_log_text(client);
        char *slog = x4t_daemon_log_text(server_);
        fprintf(stderr, "--- client log ---\n%s\n--- server log ---\n%s\n", log ? log : "",
                slog ? slog : "");
        free(log);
        free(slog);
    }
    assert_int_equal(x4t_daemon_stop(client), 0);
    int capped = capture_stop(cap);
    assert_int_equal(rc, 0);
    if (capped == 0)
        assert_int_equal(osic_tshark_check(pcap, port_), 0);
    else
        fprintf(stderr, "dumpcap not available: %s not checked by tshark\n", pcap_name);
}

static void test_osi_initiator_plain(void **state)
{
    (void)state;
    run_client(5, 100, false, "initiator-plain");
}

static void test_osi_initiator_rtse_1mib(void **state)
{
    (void)state;
    run_client(2, 1048576, true, "initiator-rtse");
    /* the server saw reliable associations established and released */
    assert_int_equal(x4t_daemon_wait_log(server_, "association established (echo-reliable)", 1000), 0);
    assert_int_equal(x4t_daemon_wait_log(server_, "association released", 1000), 0);
}

static void test_osi_initiator_refused_neg(void **state)
{
    (void)state;
    /* a port nobody listens on: the confirm reports the failure */
    char buf[32];
    int free_port = x4t_free_port();
    char *t1 = x4t_replace(client_manifest, "@ECHO@", echo_path);
    snprintf(buf, sizeof(buf), "%d", free_port);
    char *t2 = x4t_replace(t1, "@SERVER@", buf);
    char *t3 = x4t_replace(t2, "@COUNT@", "1");
    char *t4 = x4t_replace(t3, "@SIZE@", "10");
    char *t5 = x4t_replace(t4, "@RELIABLE@", "false");
    struct x4t_daemon *client = x4t_daemon_start(t5);
    free(t1);
    free(t2);
    free(t3);
    free(t4);
    free(t5);
    assert_non_null(client);
    assert_int_equal(x4t_daemon_wait_log(client, "echo client: 0 of 1 associations ok", 10000), 0);
    assert_int_equal(x4t_daemon_wait_log(client, "association failed", 1000), 0);
    assert_int_equal(x4t_daemon_stop(client), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_osi_initiator_plain),
        cmocka_unit_test(test_osi_initiator_rtse_1mib),
        cmocka_unit_test(test_osi_initiator_refused_neg),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
