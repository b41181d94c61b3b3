/* x4http: the admin API from integration tests (see x4http.h). */
#include "tests/lib/x4http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tests/lib/x4test.h"
#include "tools/admin/http_client.h"

int x4t_admin_open(struct x4t_admin *a, struct x4t_daemon *d, int port_index)
{
    a->port = x4t_daemon_port(d, port_index);
    if (x4t_daemon_wait_log(d, "admin API listening", 5000) != 0) {
        fprintf(stderr, "x4t_admin_open: the admin API did not start\n");
        return -1;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/admin-token", x4t_daemon_data_dir(d));
    char *text = x4t_read_file(path);
    if (text == NULL) {
        fprintf(stderr, "x4t_admin_open: no %s\n", path);
        return -1;
    }
    snprintf(a->token, sizeof a->token, "%s", text);
    a->token[strcspn(a->token, "\r\n")] = '\0';
    free(text);
    return 0;
}

json_t *x4t_admin_request(const struct x4t_admin *a, const char *method, const char *path,
                          const char *body, int *status)
{
    struct x4h_response resp;
    char errbuf[256];
    int rc = x4h_request("127.0.0.1", a->port, method, path, a->token, body,
                         body ? strlen(body) : 0, X4T_HTTP_TIMEOUT_MS, &resp, errbuf,
                         sizeof errbuf);
    if (rc != 0) {
        fprintf(stderr, "HTTP %s %s: %s\n", method, path, errbuf);
        *status = 0;
        return NULL;
    }
    *status = resp.status;
    json_t *j = json_loads(resp.body ? resp.body : "", 0, NULL);
    if (resp.status != 200)
        fprintf(stderr, "HTTP %s %s -> %d %s\n", method, path, resp.status, resp.body);
    x4h_response_free(&resp);
    return j;
}

double x4t_admin_metric(const struct x4t_admin *a, const char *sample)
{
    struct x4h_response resp;
    char errbuf[256] = "";
    if (x4h_request("127.0.0.1", a->port, "GET", "/api/v1/metrics", a->token, NULL, 0,
                    X4T_HTTP_TIMEOUT_MS, &resp, errbuf, sizeof errbuf) != 0) {
        fprintf(stderr, "GET /api/v1/metrics failed: %s\n", errbuf);
        return -2;
    }
    if (resp.status != 200) {
        fprintf(stderr, "GET /api/v1/metrics -> %d\n", resp.status);
        x4h_response_free(&resp);
        return -2;
    }
    double v = -1;
    size_t n = strlen(sample);
    /* one sample a line: "name{labels} value" */
    for (const char *p = resp.body; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
        if (strncmp(p, sample, n) == 0 && p[n] == ' ') {
            v = strtod(p + n + 1, NULL);
            break;
        }
    x4h_response_free(&resp);
    return v;
}

int x4t_mts_mailbox(const struct x4t_admin *a, const char *name, const char *address)
{
    json_t *req = json_pack("{s:s, s:s}", "name", name, "address", address);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (body == NULL)
        return 0;
    int st;
    json_decref(x4t_admin_request(a, "POST", "/api/v1/test/mts/mailbox", body, &st));
    free(body);
    return st;
}

json_t *x4t_mts_inbox_wait(const struct x4t_admin *a, const char *name, size_t n, int ms)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/test/mts/inbox/%s", name);
    long long end = x4t_now_ms() + ms;
    for (;;) {
        int st;
        json_t *j = x4t_admin_request(a, "GET", path, NULL, &st);
        if (st != 200) {
            json_decref(j);
            return NULL;
        }
        json_t *e = json_object_get(j, "entries");
        if (json_array_size(e) >= n || x4t_now_ms() > end) {
            json_incref(e);
            json_decref(j);
            return e;
        }
        json_decref(j);
        usleep(50000);
    }
}

static const char *member_string(json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v != NULL ? v : "";
}

int x4t_mts_check_relayed(const char *out_path, const char *from, const char *to, char *why,
                          size_t whylen)
{
    char *t = x4t_read_file(out_path);
    json_t *l = t != NULL ? json_loads(t, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
    free(t);
    json_t *r = json_object_get(l, "recipients");
    const char *rcpt = json_string_value(json_array_get(r, 0));
    const char *what = NULL;
    if (l == NULL)
        what = "no JSON line";
    else if (strcmp(member_string(l, "kind"), "message") != 0)
        what = "kind is not \"message\"";
    else if (strstr(member_string(l, "originator"), from) == NULL)
        what = "another originator";
    else if (json_array_size(r) != 1)
        what = "not exactly one recipient";
    else if (rcpt == NULL || strstr(rcpt, to) == NULL)
        what = "another recipient";
    else if (json_integer_value(json_object_get(l, "content_type")) != 22)
        what = "content_type is not 22";
    else if (json_integer_value(json_object_get(l, "content_length")) != 7)
        what = "content_length is not 7";
    else if (member_string(l, "mts_identifier")[0] == '\0')
        what = "no mts_identifier";
    if (what != NULL) {
        char *line = l != NULL ? json_dumps(l, JSON_COMPACT) : NULL;
        snprintf(why, whylen, "%s: %s in %s", out_path, what, line != NULL ? line : "(none)");
        free(line);
    }
    json_decref(l);
    return what != NULL ? -1 : 0;
}
