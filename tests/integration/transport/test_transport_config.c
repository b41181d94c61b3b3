/* Configuration of rfc1006 and tls through `x400msd -t`: every bad field is
 * named by its JSON path, and -t binds no socket. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "tests/lib/x4test.h"

/* Runs x400msd -t on the manifest text; returns the exit status, output in *out. */
static int check_manifest(const char *text, char **out)
{
    char *dir = x4t_tempdir("tcfg"), path[600];
    char *prog = x4t_daemon_program();
    int rc;

    assert_non_null(dir);
    snprintf(path, sizeof path, "%s/m.json", dir);
    assert_int_equal(x4t_write_file(path, text), 0);
    {
        char *argv[] = { prog, "-t", "-c", path, NULL };
        rc = x4t_run(argv, out, 20000);
    }
    x4t_rmtree(dir);
    free(dir);
    free(prog);
    return rc;
}

static void expect_rejected(const char *config, const char *message)
{
    char text[2048], *out = NULL;

    snprintf(text, sizeof text, "{ \"data_dir\": \"var\", \"modules\": [ %s ] }", config);
    assert_int_not_equal(check_manifest(text, &out), 0);
    if (!out || !strstr(out, message)) {
        fprintf(stderr, "expected \"%s\" in:\n%s\n", message, out ? out : "(nothing)");
        fail();
    }
    free(out);
}

static void test_transport_config_valid_binds_nothing(void **state)
{
    /* Another socket holds the port: -t must still pass, for it binds nothing. */
    int port = x4t_free_port(), fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    char text[1024], *out = NULL;
    (void)state;

    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 1), 0);
    snprintf(text, sizeof text,
             "{ \"data_dir\": \"var\", \"modules\": [ { \"name\": \"rfc1006\", \"config\": { \"listen\": [ "
             "{ \"address\": \"127.0.0.1\", \"port\": %d, \"tselector\": \"'0001'H\" } ], "
             "\"max_tsdu\": 1048576, \"idle_timeout\": \"10m\", \"tpdu_size\": 8192 } } ] }",
             port);
    assert_int_equal(check_manifest(text, &out), 0);
    assert_non_null(strstr(out, "OK"));
    free(out);
    close(fd);
}

static void test_transport_config_bad_port_neg(void **state)
{
    (void)state;
    expect_rejected("{ \"name\": \"rfc1006\", \"config\": { \"listen\": [ { \"port\": 70000 } ] } }",
                    "modules[0].config.listen[0].port");
    expect_rejected("{ \"name\": \"rfc1006\", \"config\": { \"listen\": [ { \"address\": \"x\" } ] } }",
                    "modules[0].config.listen[0].port");
}

static void test_transport_config_bad_fields_neg(void **state)
{
    (void)state;
    expect_rejected("{ \"name\": \"rfc1006\", \"config\": { \"listen\": [ { \"port\": 1, "
                    "\"tselector\": \"'ABC'H\" } ] } }",
                    "modules[0].config.listen[0].tselector: expected an even number of hex digits");
    expect_rejected("{ \"name\": \"rfc1006\", \"config\": { \"listen\": [ { \"port\": 1, "
                    "\"colour\": \"red\" } ] } }", "modules[0].config.listen[0].colour");
    expect_rejected("{ \"name\": \"rfc1006\", \"config\": { \"listen\": [ 5 ] } }",
                    "modules[0].config.listen[0]: expected an object");
    expect_rejected("{ \"name\": \"rfc1006\", \"config\": { \"tpdu_size\": 65532 } }",
                    "modules[0].config.tpdu_size");
    expect_rejected("{ \"name\": \"rfc1006\", \"config\": { \"idle_timeout\": \"soon\" } }",
                    "modules[0].config.idle_timeout");
}

static void test_transport_config_tls_neg(void **state)
{
    (void)state;
    /* tls without rfc1006 loaded. */
    expect_rejected("{ \"name\": \"tls\" }", "rfc1006");
    expect_rejected("{ \"name\": \"rfc1006\" }, { \"name\": \"tls\", \"config\": { \"listen\": "
                    "[ { \"port\": 10103 } ] } }", "modules[1].config: \"cert\" and \"key\" are required");
    expect_rejected("{ \"name\": \"rfc1006\" }, { \"name\": \"tls\", \"config\": { \"cert\": "
                    "\"/nonexistent/c.pem\", \"key\": \"/nonexistent/k.pem\" } }",
                    "modules[1].config.cert: cannot load \"/nonexistent/c.pem\"");
    expect_rejected("{ \"name\": \"rfc1006\" }, { \"name\": \"tls\", \"config\": { "
                    "\"verify_client\": true } }", "modules[1].config.ca: required");
    expect_rejected("{ \"name\": \"rfc1006\" }, { \"name\": \"tls\", \"config\": { "
                    "\"min_version\": \"SSLv3\" } }", "modules[1].config.min_version");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transport_config_valid_binds_nothing),
        cmocka_unit_test(test_transport_config_bad_port_neg),
        cmocka_unit_test(test_transport_config_bad_fields_neg),
        cmocka_unit_test(test_transport_config_tls_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
