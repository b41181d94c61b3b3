/* x4http: the daemon's admin API (HTTP + JSON) from integration tests, and
 * the test-only MTS routes of tests/integration/mta/mta_test_module.c
 * (/api/v1/test/mts/...) that the MTA and P3 tests drive.
 *
 * The program that uses these links tools/admin/http_client.c (as a source)
 * and jansson ($(TEST_LIBS)); x4http.o lives in libx4test.la, so programs
 * that use none of it need neither. */
#ifndef X4HTTP_H
#define X4HTTP_H

#include <stddef.h>
#include <jansson.h>

struct x4t_daemon;

#define X4T_HTTP_TIMEOUT_MS 20000

/* Where and how to reach one daemon's admin API. */
struct x4t_admin {
    int port;
    char token[600];
};

/* Fills a from daemon d: its admin port is the manifest's @PORT<port_index>@;
 * waits (up to 5 s) for its "admin API listening" line and reads the bearer
 * token from DATA/admin-token. 0, or -1 (a message on stderr). */
int x4t_admin_open(struct x4t_admin *a, struct x4t_daemon *d, int port_index);

/* One request (body: JSON text or NULL). *status is the HTTP status (0 when
 * the request failed: the reason is on stderr); a status other than 200 is
 * printed with its body. Returns the body parsed as JSON (NULL when it is
 * not JSON); the caller json_decref()s it. */
json_t *x4t_admin_request(const struct x4t_admin *a, const char *method, const char *path,
                          const char *body, int *status);

/* The value of one sample of GET /api/v1/metrics (Prometheus text format):
 * -1 when absent, -2 when the request fails (the reason on stderr). sample:
 * the name with its labels, e.g. x400ms_up or
 * x400ms_deliveries_total{protocol="local",result="ok"}. */
double x4t_admin_metric(const struct x4t_admin *a, const char *sample);

/* POST /api/v1/test/mts/mailbox {name, address}: a mailbox the test module
 * submits from and delivers to. Returns the HTTP status (200 on success). */
int x4t_mts_mailbox(const struct x4t_admin *a, const char *name, const char *address);

/* The In Box entries of mailbox name (a JSON array, the caller decrefs it)
 * once there are at least n, or whatever is there after ms; NULL when a
 * request fails. */
json_t *x4t_mts_inbox_wait(const struct x4t_admin *a, const char *name, size_t n, int ms);

/* Checks the first line `x400ms-mta serve` wrote to out_path (one JSON
 * object per submission it took): a message from an originator whose
 * O/R name contains `from`, to exactly one recipient whose O/R name
 * contains `to`, with the test module's content (type 22 = P22 1988,
 * 7 octets: mta_test_module.c) and an MTS identifier. 0, or -1 with the
 * first difference in why. */
int x4t_mts_check_relayed(const char *out_path, const char *from, const char *to, char *why,
                          size_t whylen);

#endif
