/* Integration tests of the admin API: the real x400msd with store_file and
 * admin_api loaded, real HTTP over 127.0.0.1 (tools/admin/http_client.c).
 *
 * Entries are put into the store by a test-only module (test_deliver_module.c)
 * through an admin route it registers, since nothing can deliver before P3.
 * Not covered yet: a backup taken while `x400ms-mta deliver` runs (the P3
 * module and the test MTA do not exist yet). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include "tests/lib/x4test.h"
#include "tools/admin/http_client.h"

#define TIMEOUT_MS 20000

static const char *const manifest =
    "{ \"module_path\": \"@MODULES@\",\n"
    "  \"log\": { \"target\": \"stderr\", \"level\": \"info\" },\n"
    "  \"modules\": [\n"
    "    { \"name\": \"store_file\" },\n"
    "    { \"name\": \"admin_api\", \"config\": { \"port\": @PORT1@, \"threads\": 4 } },\n"
    "    { \"name\": \"admin_test_deliver\",\n"
    "      \"file\": \"@BUILD@/tests/integration/admin/admin_test_deliver.la\" }\n"
    "  ] }\n";

static struct x4t_daemon *daemon_;
static int port_;
static char token_[600];

/* ---- HTTP helpers ---- */

static int http(const char *method, const char *path, const char *token, const char *body,
                struct x4h_response *resp)
{
    char errbuf[256];
    int rc = x4h_request("127.0.0.1", port_, method, path, token, body,
                         body != NULL ? strlen(body) : 0, TIMEOUT_MS, resp, errbuf, sizeof errbuf);
    if (rc < 0)
        fail_msg("%s %s: %s", method, path, errbuf);
    return resp->status;
}

/* The JSON reply of a request that must answer `status`. Caller decrefs. */
static json_t *call(const char *method, const char *path, const char *body, int status)
{
    struct x4h_response resp;
    http(method, path, token_, body, &resp);
    if (resp.status != status)
        fail_msg("%s %s: expected %d, got %d: %s", method, path, status, resp.status, resp.body);
    json_t *doc = NULL;
    if (resp.body_len > 0) {
        json_error_t jerr;
        doc = json_loadb(resp.body, resp.body_len, 0, &jerr);
        if (doc == NULL)
            fail_msg("%s %s: reply is not JSON: %s", method, path, resp.body);
    }
    x4h_response_free(&resp);
    return doc;
}

/* A request that must fail with `status`, an error code and a field (NULL: field null). */
static void expect_error(const char *method, const char *path, const char *body, int status,
                         const char *code, const char *field)
{
    json_t *doc = call(method, path, body, status);
    json_t *error = json_object_get(doc, "error");
    assert_non_null(error);
    assert_string_equal(json_string_value(json_object_get(error, "code")), code);
    assert_non_null(json_string_value(json_object_get(error, "message")));
    json_t *f = json_object_get(error, "field");
    assert_non_null(f);
    if (field == NULL)
        assert_true(json_is_null(f));
    else if (!json_is_string(f) || strcmp(json_string_value(f), field) != 0)
        fail_msg("%s %s: expected field %s, got %s (%s)", method, path, field,
                 json_is_string(f) ? json_string_value(f) : "null",
                 json_string_value(json_object_get(error, "message")));
    json_decref(doc);
}

/* Puts count entries into a mailbox through the test module's route. */
static void deliver(const char *mailbox, int count, long age, const char *extra)
{
    char body[512];
    snprintf(body, sizeof body, "{\"mailbox\": \"%s\", \"count\": %d, \"age\": %ld, "
             "\"subject\": \"test %s\"%s%s}", mailbox, count, age, mailbox,
             extra != NULL ? ", " : "", extra != NULL ? extra : "");
    json_t *doc = call("POST", "/api/v1/test/deliver", body, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "seqs")), (size_t)count);
    json_decref(doc);
}

static json_int_t inbox_total(const char *mailbox)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/mailboxes/%s", mailbox);
    json_t *doc = call("GET", path, NULL, 200);
    json_int_t total = json_integer_value(json_object_get(json_object_get(doc, "inbox_summary"),
                                                          "total"));
    json_decref(doc);
    return total;
}

static void create_mailbox(const char *name)
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\": \"%s\", \"or_address\": \"/C=XX/A= /P=TEST/O=Org/S=%s/\","
             " \"password\": \"p\"}", name, name);
    json_decref(call("POST", "/api/v1/mailboxes", body, 201));
}

static json_t *wait_job(const char *path)
{
    for (int i = 0; i < 300; i++) {
        json_t *job = call("GET", path, NULL, 200);
        const char *state = json_string_value(json_object_get(job, "state"));
        assert_non_null(state);
        if (strcmp(state, "queued") != 0 && strcmp(state, "running") != 0)
            return job;
        json_decref(job);
        usleep(100 * 1000);
    }
    fail_msg("job %s did not finish", path);
    return NULL;
}

static void read_token(const struct x4t_daemon *d, char *out, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/admin-token", x4t_daemon_data_dir(d));
    char *text = x4t_read_file(path);
    assert_non_null(text);
    snprintf(out, len, "%s", text);
    out[strcspn(out, "\r\n")] = '\0';
    free(text);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(strlen(out) >= 32);
}

static int group_setup(void **state)
{
    (void)state;
    const char *build = getenv("X400MS_TOP_BUILDDIR");
    char *text = x4t_replace(manifest, "@BUILD@", build != NULL ? build : ".");
    daemon_ = x4t_daemon_start(text);
    free(text);
    if (daemon_ == NULL)
        return -1;
    port_ = x4t_daemon_port(daemon_, 1);
    if (x4t_daemon_wait_log(daemon_, "admin API listening", 5000) != 0)
        return -1;
    read_token(daemon_, token_, sizeof token_);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (daemon_ != NULL && x4t_daemon_stop(daemon_) != 0)
        return -1;
    daemon_ = NULL;
    return 0;
}

/* ---- tests ---- */

static void test_admin_api_health(void **state)
{
    (void)state;
    json_t *doc = call("GET", "/api/v1/health", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
    assert_non_null(json_string_value(json_object_get(doc, "version")));
    assert_true(json_is_integer(json_object_get(doc, "uptime_s")));
    assert_true(json_is_true(json_object_get(doc, "store")));
    json_decref(doc);
}

static void test_admin_api_auth_neg(void **state)
{
    (void)state;
    struct x4h_response resp;
    char value[128];
    assert_int_equal(http("GET", "/api/v1/health", NULL, NULL, &resp), 401);
    assert_non_null(x4h_header(&resp, "WWW-Authenticate", value, sizeof value));
    assert_non_null(strstr(value, "Bearer"));
    assert_non_null(strstr(resp.body, "\"unauthorized\""));
    x4h_response_free(&resp);
    assert_int_equal(http("GET", "/api/v1/health", "wrong-token", NULL, &resp), 401);
    x4h_response_free(&resp);
    /* one character off, and the right token with a suffix */
    char off[sizeof token_];
    snprintf(off, sizeof off, "%s", token_);
    off[0] = off[0] == 'a' ? 'b' : 'a';
    assert_int_equal(http("GET", "/api/v1/mailboxes", off, NULL, &resp), 401);
    x4h_response_free(&resp);
    char longer[sizeof token_ + 4];
    snprintf(longer, sizeof longer, "%sx", token_);
    assert_int_equal(http("GET", "/api/v1/mailboxes", longer, NULL, &resp), 401);
    x4h_response_free(&resp);
    /* unknown paths are not revealed without a token */
    assert_int_equal(http("GET", "/api/v1/nothing", NULL, NULL, &resp), 401);
    x4h_response_free(&resp);
    /* a body is not read without a token */
    assert_int_equal(http("POST", "/api/v1/mtas", NULL, "{\"name\": \"x\", \"password\": \"y\"}",
                          &resp), 401);
    x4h_response_free(&resp);
}

static void test_admin_api_routing_neg(void **state)
{
    (void)state;
    struct x4h_response resp;
    char allow[64];
    expect_error("GET", "/api/v1/nothing", NULL, 404, "not_found", NULL);
    expect_error("GET", "/api/v1/mailboxes/", NULL, 404, "not_found", NULL);
    expect_error("GET", "/", NULL, 404, "not_found", NULL);
    assert_int_equal(http("PUT", "/api/v1/mailboxes", token_, "{}", &resp), 405);
    assert_non_null(x4h_header(&resp, "Allow", allow, sizeof allow));
    assert_string_equal(allow, "GET, POST");
    x4h_response_free(&resp);
    assert_int_equal(http("POST", "/api/v1/health", token_, NULL, &resp), 405);
    assert_non_null(x4h_header(&resp, "Allow", allow, sizeof allow));
    assert_string_equal(allow, "GET");
    assert_non_null(strstr(resp.body, "method_not_allowed"));
    x4h_response_free(&resp);
    /* URL length cap */
    char path[3100];
    strcpy(path, "/api/v1/mailboxes/");
    memset(path + strlen(path), 'a', 3000);
    path[sizeof path - 1] = '\0';
    assert_int_equal(http("GET", path, token_, NULL, &resp), 414);
    x4h_response_free(&resp);
    /* unknown query arguments are refused, naming them */
    expect_error("GET", "/api/v1/health?verbose=1", NULL, 400, "invalid_field", "query.verbose");
}

static void test_admin_api_modules(void **state)
{
    (void)state;
    json_t *doc = call("GET", "/api/v1/modules", NULL, 200);
    json_t *modules = json_object_get(doc, "modules");
    assert_true(json_array_size(modules) >= 2);
    bool store = false, admin = false, route = false;
    size_t i;
    json_t *m;
    json_array_foreach(modules, i, m) {
        const char *name = json_string_value(json_object_get(m, "name"));
        json_t *services = json_object_get(m, "services");
        assert_non_null(json_string_value(json_object_get(m, "version")));
        assert_non_null(json_string_value(json_object_get(m, "file")));
        if (strcmp(name, "store_file") == 0)
            store = json_array_size(json_object_get(services, "store")) == 1;
        if (strcmp(name, "admin_test_deliver") == 0)
            route = json_array_size(json_object_get(services, "admin_route")) == 1;
        if (strcmp(name, "admin_api") == 0) {
            json_t *other = json_object_get(services, "other");
            admin = json_is_array(other) &&
                    strcmp(json_string_value(json_array_get(other, 0)), "mta-accounts") == 0;
        }
    }
    assert_true(store);
    assert_true(admin);
    assert_true(route);
    json_decref(doc);
}

static void test_admin_api_mailbox_crud(void **state)
{
    (void)state;
    json_t *doc = call("POST", "/api/v1/mailboxes",
                       "{\"name\": \"alice\", \"or_address\": \"/C=XX/A= /P=TEST/O=Org/S=alice/\","
                       " \"password\": \"secret1\"}", 201);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "alice");
    assert_true(json_is_true(json_object_get(doc, "has_password")));
    assert_true(json_is_true(json_object_get(doc, "outbox")));
    assert_null(json_object_get(doc, "password"));
    assert_non_null(json_object_get(doc, "inbox_summary"));
    json_decref(doc);

    doc = call("GET", "/api/v1/mailboxes", NULL, 200);
    json_t *list = json_object_get(doc, "mailboxes");
    bool found = false;
    size_t i;
    json_t *m;
    json_array_foreach(list, i, m)
        found |= strcmp(json_string_value(json_object_get(m, "name")), "alice") == 0;
    assert_true(found);
    json_decref(doc);

    doc = call("GET", "/api/v1/mailboxes/alice", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "or_address")),
                        "/C=XX/A= /P=TEST/O=Org/S=alice/");
    json_t *inbox = json_object_get(doc, "inbox_summary");
    assert_int_equal(json_integer_value(json_object_get(inbox, "total")), 0);
    json_decref(doc);

    doc = call("PATCH", "/api/v1/mailboxes/alice",
               "{\"password\": \"secret2\", \"deletion_prohibited\": true, \"outbox\": false,"
               " \"inbox_max_age\": \"30d\"}", 200);
    assert_true(json_is_true(json_object_get(doc, "deletion_prohibited")));
    assert_true(json_is_false(json_object_get(doc, "outbox")));
    assert_int_equal(json_integer_value(json_object_get(doc, "inbox_max_age")), 30 * 86400);
    json_decref(doc);
    doc = call("GET", "/api/v1/mailboxes/alice", NULL, 200);
    assert_true(json_is_true(json_object_get(doc, "deletion_prohibited")));
    json_decref(doc);

    json_decref(call("POST", "/api/v1/mailboxes",
                     "{\"name\": \"gone\", \"or_address\": \"/C=XX/A= /P=TEST/O=Org/S=gone/\","
                     " \"password\": \"x\"}", 201));
    json_decref(call("DELETE", "/api/v1/mailboxes/gone", NULL, 204));
    expect_error("GET", "/api/v1/mailboxes/gone", NULL, 404, "not_found", NULL);
    expect_error("DELETE", "/api/v1/mailboxes/gone", NULL, 404, "not_found", NULL);
}

static void test_admin_api_mailbox_errors_neg(void **state)
{
    (void)state;
    const char *ok_addr = "/C=XX/A= /P=TEST/O=Org/S=bob/";
    char body[512];
    snprintf(body, sizeof body, "{\"name\": \"bob\", \"or_address\": \"%s\", \"password\": \"p\"}",
             ok_addr);
    json_decref(call("POST", "/api/v1/mailboxes", body, 201));
    /* the name or the address exists */
    expect_error("POST", "/api/v1/mailboxes", body, 409, "conflict", "name");
    snprintf(body, sizeof body, "{\"name\": \"bob2\", \"or_address\": \"%s\", \"password\": \"p\"}",
             ok_addr);
    expect_error("POST", "/api/v1/mailboxes", body, 409, "conflict", "or_address");
    /* the same address in the RFC 1685 form, other case: the same O/R address */
    expect_error("POST", "/api/v1/mailboxes",
                 "{\"name\": \"bob3\", \"or_address\": \"c=xx;admd= ;prmd=test;o=ORG;s=Bob\","
                 " \"password\": \"p\"}", 409, "conflict", "or_address");
    /* an RFC 1685 address is stored in the canonical slash form */
    json_t *doc = call("POST", "/api/v1/mailboxes",
                       "{\"name\": \"bob4\", \"or_address\": \"C=XX;ADMD= ;PRMD=TEST;O=Org;S=bob4\","
                       " \"password\": \"p\"}", 201);
    assert_string_equal(json_string_value(json_object_get(doc, "or_address")),
                        "/C=XX/A= /P=TEST/O=Org/S=bob4/");
    json_decref(doc);
    expect_error("PATCH", "/api/v1/mailboxes/bob4", "{\"or_address\": \"/C=XX/A= /P=TEST/O=Org/S=bob/\"}",
                 409, "conflict", "or_address");
    /* its own address again is no conflict */
    json_decref(call("PATCH", "/api/v1/mailboxes/bob4",
                     "{\"or_address\": \"/C=XX/A= /P=TEST/O=Org/S=BOB4/\"}", 200));
    /* malformed O/R addresses name or_address */
    expect_error("POST", "/api/v1/mailboxes",
                 "{\"name\": \"c1\", \"or_address\": \"/C=XX/Q=1/NOPE=x/\", \"password\": \"p\"}",
                 400, "invalid_field", "or_address");
    expect_error("POST", "/api/v1/mailboxes",
                 "{\"name\": \"c1\", \"or_address\": \"garbage\", \"password\": \"p\"}", 400,
                 "invalid_field", "or_address");
    /* each field named */
    expect_error("POST", "/api/v1/mailboxes",
                 "{\"name\": \"bad/name\", \"or_address\": \"/C=XX/S=a/\", \"password\": \"p\"}",
                 400, "invalid_field", "name");
    expect_error("POST", "/api/v1/mailboxes",
                 "{\"name\": \"c2\", \"or_address\": \"/C=XX/S=a/\"}", 400, "invalid_field",
                 "password");
    expect_error("POST", "/api/v1/mailboxes",
                 "{\"name\": 42, \"or_address\": \"/C=XX/S=a/\", \"password\": \"p\"}", 400,
                 "invalid_field", "name");
    expect_error("POST", "/api/v1/mailboxes",
                 "{\"name\": \"c3\", \"or_address\": \"/C=XX/S=a/\", \"password\": \"p\","
                 " \"outbox\": \"yes\"}", 400, "invalid_field", "outbox");
    expect_error("POST", "/api/v1/mailboxes",
                 "{\"name\": \"c3\", \"or_address\": \"/C=XX/S=a/\", \"password\": \"p\","
                 " \"inbox_max_age\": \"soon\"}", 400, "invalid_field", "inbox_max_age");
    expect_error("POST", "/api/v1/mailboxes",
                 "{\"name\": \"c3\", \"or_address\": \"/C=XX/S=a/\", \"password\": \"p\","
                 " \"colour\": 1}", 400, "invalid_field", "colour");
    /* malformed JSON and a non-object body */
    expect_error("POST", "/api/v1/mailboxes", "{\"name\": \"c4\",", 400, "malformed_json",
                 "body");
    expect_error("POST", "/api/v1/mailboxes", "[1, 2]", 400, "invalid_field", "body");
    expect_error("POST", "/api/v1/mailboxes", "{\"name\": \"a\", \"name\": \"b\"}", 400,
                 "malformed_json", "body");
    /* PATCH */
    expect_error("PATCH", "/api/v1/mailboxes/bob", "{}", 400, "invalid_field", "body");
    expect_error("PATCH", "/api/v1/mailboxes/bob", "{\"outbox\": 1}", 400, "invalid_field",
                 "outbox");
    expect_error("PATCH", "/api/v1/mailboxes/bob", "{\"or_address\": \"/C=/\"}", 400,
                 "invalid_field", "or_address");
    expect_error("PATCH", "/api/v1/mailboxes/nobody", "{\"outbox\": true}", 404, "not_found",
                 NULL);
    expect_error("GET", "/api/v1/mailboxes/..", NULL, 404, "not_found", NULL);
}

static void test_admin_api_entries(void **state)
{
    (void)state;
    json_decref(call("POST", "/api/v1/mailboxes",
                     "{\"name\": \"carol\", \"or_address\": \"/C=XX/A= /P=TEST/O=Org/S=carol/\","
                     " \"password\": \"p\"}", 201));
    json_t *doc = call("GET", "/api/v1/mailboxes/carol/entries", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "box")), "inbox");
    assert_int_equal(json_array_size(json_object_get(doc, "entries")), 0);
    assert_true(json_is_null(json_object_get(doc, "next_after")));
    json_decref(doc);
    doc = call("GET", "/api/v1/mailboxes/carol/entries?box=outbox&status=new&limit=10&after=5",
               NULL, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "box")), "outbox");
    json_decref(doc);
    /* 3 new, 1 listed in the In Box, 1 in the Out Box */
    deliver("carol", 3, 0, NULL);
    deliver("carol", 1, 0, "\"status\": \"listed\"");
    deliver("carol", 1, 0, "\"box\": \"outbox\"");
    doc = call("GET", "/api/v1/mailboxes/carol/entries", NULL, 200);
    json_t *entries = json_object_get(doc, "entries");
    assert_int_equal(json_array_size(entries), 4);
    json_t *e = json_array_get(entries, 0);
    assert_int_equal(json_integer_value(json_object_get(e, "seq")), 1);
    assert_string_equal(json_string_value(json_object_get(e, "status")), "new");
    assert_string_equal(json_string_value(json_object_get(e, "entry_type")), "delivered-message");
    assert_string_equal(json_string_value(json_object_get(e, "subject")), "test carol");
    assert_string_equal(json_string_value(json_object_get(e, "originator")),
                        "/C=XX/A= /P=TEST/O=Org/S=sender/");
    assert_string_equal(json_string_value(json_object_get(e, "content_type")), "22");
    assert_int_equal(json_integer_value(json_object_get(e, "content_length")), 6);
    assert_true(json_is_string(json_object_get(e, "creation_time")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 3), "status")),
                        "listed");
    json_decref(doc);
    doc = call("GET", "/api/v1/mailboxes/carol/entries?status=new", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "entries")), 3);
    json_decref(doc);
    doc = call("GET", "/api/v1/mailboxes/carol/entries?status=listed", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "entries")), 1);
    json_decref(doc);
    /* paging */
    doc = call("GET", "/api/v1/mailboxes/carol/entries?limit=3", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "entries")), 3);
    json_int_t next = json_integer_value(json_object_get(doc, "next_after"));
    assert_int_equal(next, 3);
    json_decref(doc);
    doc = call("GET", "/api/v1/mailboxes/carol/entries?limit=3&after=3", NULL, 200);
    entries = json_object_get(doc, "entries");
    assert_int_equal(json_array_size(entries), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(entries, 0), "seq")), 4);
    assert_true(json_is_null(json_object_get(doc, "next_after")));
    json_decref(doc);
    doc = call("GET", "/api/v1/mailboxes/carol/entries?box=outbox", NULL, 200);
    entries = json_object_get(doc, "entries");
    assert_int_equal(json_array_size(entries), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 0),
                                                          "entry_type")), "submitted-message");
    json_decref(doc);
    expect_error("GET", "/api/v1/mailboxes/carol/entries?box=trash", NULL, 400, "invalid_field",
                 "query.box");
    expect_error("GET", "/api/v1/mailboxes/carol/entries?status=old", NULL, 400,
                 "invalid_field", "query.status");
    expect_error("GET", "/api/v1/mailboxes/carol/entries?limit=0", NULL, 400, "invalid_field",
                 "query.limit");
    expect_error("GET", "/api/v1/mailboxes/carol/entries?limit=x", NULL, 400, "invalid_field",
                 "query.limit");
    expect_error("GET", "/api/v1/mailboxes/carol/entries?after=-1", NULL, 400, "invalid_field",
                 "query.after");
    expect_error("GET", "/api/v1/mailboxes/nobody/entries", NULL, 404, "not_found", NULL);
}

static void test_admin_api_unread(void **state)
{
    (void)state;
    json_t *doc = call("GET", "/api/v1/unread?older_than=3600", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "older_than")), 3600);
    assert_int_equal(json_integer_value(json_object_get(doc, "total")), 0);
    assert_true(json_is_array(json_object_get(doc, "mailboxes")));
    json_decref(doc);
    doc = call("GET", "/api/v1/unread?older_than=2h", NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(doc, "older_than")), 7200);
    json_decref(doc);
    json_decref(call("GET", "/api/v1/unread", NULL, 200));
    /* two entries 2 hours old and one fresh, one old but already listed */
    create_mailbox("ursula");
    deliver("ursula", 2, 7200, NULL);
    deliver("ursula", 1, 0, NULL);
    deliver("ursula", 1, 7200, "\"status\": \"listed\"");
    doc = call("GET", "/api/v1/unread?older_than=3600", NULL, 200);
    json_t *mailboxes = json_object_get(doc, "mailboxes");
    json_t *u = NULL;
    size_t i;
    json_t *m;
    json_array_foreach(mailboxes, i, m)
        if (strcmp(json_string_value(json_object_get(m, "name")), "ursula") == 0)
            u = m;
    assert_non_null(u);
    assert_int_equal(json_integer_value(json_object_get(u, "count")), 2);
    assert_int_equal(json_array_size(json_object_get(u, "entries")), 2);
    assert_true(json_is_string(json_object_get(u, "oldest")));
    assert_true(json_integer_value(json_object_get(doc, "total")) >= 2);
    json_decref(doc);
    doc = call("GET", "/api/v1/unread?older_than=3600&limit=1", NULL, 200);
    json_array_foreach(json_object_get(doc, "mailboxes"), i, m)
        if (strcmp(json_string_value(json_object_get(m, "name")), "ursula") == 0) {
            assert_int_equal(json_integer_value(json_object_get(m, "count")), 2);
            assert_int_equal(json_array_size(json_object_get(m, "entries")), 1);
        }
    json_decref(doc);
    doc = call("GET", "/api/v1/unread?older_than=3h", NULL, 200);
    json_array_foreach(json_object_get(doc, "mailboxes"), i, m)
        assert_string_not_equal(json_string_value(json_object_get(m, "name")), "ursula");
    json_decref(doc);
    expect_error("GET", "/api/v1/unread?older_than=soon", NULL, 400, "invalid_field",
                 "query.older_than");
    expect_error("GET", "/api/v1/unread?older_than=1&older_than=2", NULL, 400, "invalid_field",
                 "query.older_than");
}

static void test_admin_api_mtas(void **state)
{
    (void)state;
    json_t *doc = call("POST", "/api/v1/mtas", "{\"name\": \"mta1\", \"password\": \"pw-1\"}",
                       201);
    assert_string_equal(json_string_value(json_object_get(doc, "name")), "mta1");
    json_decref(doc);
    expect_error("POST", "/api/v1/mtas", "{\"name\": \"mta1\", \"password\": \"x\"}", 409,
                 "conflict", "name");
    expect_error("POST", "/api/v1/mtas", "{\"name\": \"mta 2\", \"password\": \"x\"}", 400,
                 "invalid_field", "name");
    expect_error("POST", "/api/v1/mtas", "{\"name\": \"mta2\", \"password\": \"\"}", 400,
                 "invalid_field", "password");
    expect_error("POST", "/api/v1/mtas", "{\"name\": \"mta2\", \"password\": 7}", 400,
                 "invalid_field", "password");
    json_decref(call("POST", "/api/v1/mtas", "{\"name\": \"mta0\", \"password\": \"pw-0\"}", 201));
    doc = call("GET", "/api/v1/mtas", NULL, 200);
    json_t *list = json_object_get(doc, "mtas");
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
                        "mta0");
    assert_null(json_object_get(json_array_get(list, 0), "password_hash"));
    json_decref(doc);
    /* persisted, hashed */
    char path[1024];
    snprintf(path, sizeof path, "%s/mta-accounts.json", x4t_daemon_data_dir(daemon_));
    char *file = x4t_read_file(path);
    assert_non_null(file);
    assert_non_null(strstr(file, "mta1"));
    assert_non_null(strstr(file, "pbkdf2-sha256$"));
    assert_null(strstr(file, "pw-1"));
    free(file);
    json_decref(call("DELETE", "/api/v1/mtas/mta0", NULL, 204));
    expect_error("DELETE", "/api/v1/mtas/mta0", NULL, 404, "not_found", NULL);
    doc = call("GET", "/api/v1/mtas", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(doc, "mtas")), 1);
    json_decref(doc);
}

static void test_admin_api_jobs(void **state)
{
    (void)state;
    json_decref(call("POST", "/api/v1/mailboxes",
                     "{\"name\": \"dave\", \"or_address\": \"/C=XX/A= /P=TEST/O=Org/S=dave/\","
                     " \"password\": \"p\"}", 201));
    /* backup of one mailbox, then of all */
    json_t *doc = call("POST", "/api/v1/backups",
                       "{\"mailboxes\": [\"dave\"], \"destination\": \"b1\"}", 202);
    json_int_t id = json_integer_value(json_object_get(doc, "id"));
    assert_true(id > 0);
    json_decref(doc);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/backups/%lld", (long long)id);
    doc = wait_job(path);
    assert_string_equal(json_string_value(json_object_get(doc, "state")), "done");
    assert_string_equal(json_string_value(json_object_get(doc, "kind")), "backup");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "progress"), "percent")),
                     100);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "counts"),
                                                        "mailboxes_ok")), 1);
    assert_int_equal(json_array_size(json_object_get(doc, "errors")), 0);
    json_decref(doc);
    /* the id is a backup, not a restore */
    snprintf(path, sizeof path, "/api/v1/restores/%lld", (long long)id);
    expect_error("GET", path, NULL, 404, "not_found", NULL);
    snprintf(path, sizeof path, "/api/v1/jobs/%lld", (long long)id);
    json_decref(call("GET", path, NULL, 200));
    expect_error("GET", "/api/v1/backups/99999", NULL, 404, "not_found", NULL);
    expect_error("GET", "/api/v1/backups/abc", NULL, 404, "not_found", NULL);

    /* a backup of an unknown mailbox fails, naming it */
    doc = call("POST", "/api/v1/backups", "{\"mailboxes\": [\"nobody\"]}", 202);
    snprintf(path, sizeof path, "/api/v1/backups/%lld",
             (long long)json_integer_value(json_object_get(doc, "id")));
    json_decref(doc);
    doc = wait_job(path);
    assert_string_equal(json_string_value(json_object_get(doc, "state")), "failed");
    assert_string_equal(json_string_value(json_object_get(json_array_get(
                            json_object_get(doc, "errors"), 0), "mailbox")), "nobody");
    json_decref(doc);

    /* validation */
    expect_error("POST", "/api/v1/backups", "{\"mailboxes\": \"dave\"}", 400, "invalid_field",
                 "mailboxes");
    expect_error("POST", "/api/v1/backups", "{\"mailboxes\": [\"dave\", \"../x\"]}", 400,
                 "invalid_field", "mailboxes[1]");
    expect_error("POST", "/api/v1/restores", "{}", 400, "invalid_field", "source");
    expect_error("POST", "/api/v1/restores", "{\"source\": \"b1\", \"mode\": \"both\"}", 400,
                 "invalid_field", "mode");
    expect_error("POST", "/api/v1/restores", "{\"source\": \"no-such-backup\"}", 400,
                 "invalid_field", "source");

    /* index jobs */
    doc = call("POST", "/api/v1/mailboxes/dave/index/check", NULL, 202);
    snprintf(path, sizeof path, "/api/v1/jobs/%lld",
             (long long)json_integer_value(json_object_get(doc, "id")));
    json_decref(doc);
    doc = wait_job(path);
    assert_string_equal(json_string_value(json_object_get(doc, "state")), "done");
    assert_string_equal(json_string_value(json_object_get(doc, "kind")), "index-check");
    assert_true(json_is_true(json_object_get(json_object_get(doc, "counts"), "consistent")));
    json_decref(doc);
    doc = call("POST", "/api/v1/mailboxes/dave/index/rebuild", NULL, 202);
    snprintf(path, sizeof path, "/api/v1/jobs/%lld",
             (long long)json_integer_value(json_object_get(doc, "id")));
    json_decref(doc);
    doc = wait_job(path);
    assert_string_equal(json_string_value(json_object_get(doc, "state")), "done");
    json_decref(doc);
    expect_error("POST", "/api/v1/mailboxes/nobody/index/check", NULL, 404, "not_found", NULL);
    expect_error("POST", "/api/v1/mailboxes/dave/index/check", "{\"x\": 1}", 400,
                 "invalid_field", "x");
    doc = call("GET", "/api/v1/jobs", NULL, 200);
    assert_true(json_array_size(json_object_get(doc, "jobs")) >= 4);
    json_decref(doc);
}

static void run_restore(const char *body, const char *mode)
{
    json_t *doc = call("POST", "/api/v1/restores", body, 202);
    assert_string_equal(json_string_value(json_object_get(doc, "mode")), mode);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/restores/%lld",
             (long long)json_integer_value(json_object_get(doc, "id")));
    json_decref(doc);
    doc = wait_job(path);
    if (strcmp(json_string_value(json_object_get(doc, "state")), "done") != 0)
        fail_msg("restore %s: %s", body, json_dumps(doc, 0));
    json_decref(doc);
}

/* Restore merge vs replace with entries. */
static void test_admin_api_restore_modes(void **state)
{
    (void)state;
    create_mailbox("erin");
    deliver("erin", 2, 0, NULL);
    json_t *doc = call("POST", "/api/v1/backups", "{\"mailboxes\": [\"erin\"], "
                       "\"destination\": \"erin-backup\"}", 202);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/backups/%lld",
             (long long)json_integer_value(json_object_get(doc, "id")));
    json_decref(doc);
    doc = wait_job(path);
    assert_string_equal(json_string_value(json_object_get(doc, "state")), "done");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "counts"), "entries")),
                     2);
    json_decref(doc);

    /* a third entry after the backup */
    deliver("erin", 1, 0, NULL);
    assert_int_equal(inbox_total("erin"), 3);
    /* merge keeps it */
    run_restore("{\"source\": \"erin-backup\", \"mailboxes\": [\"erin\"]}", "merge");
    assert_int_equal(inbox_total("erin"), 3);
    /* replace: the mailbox becomes the backup */
    run_restore("{\"source\": \"erin-backup\", \"mailboxes\": [\"erin\"], \"mode\": \"replace\"}",
                "replace");
    assert_int_equal(inbox_total("erin"), 2);
    /* sequence numbers never go back: a new delivery gets 4, not 3 */
    json_t *seqs = call("POST", "/api/v1/test/deliver",
                        "{\"mailbox\": \"erin\", \"count\": 1, \"age\": 0}", 200);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(seqs, "seqs"), 0)), 4);
    json_decref(seqs);
    /* a deleted mailbox comes back with its entries (merge) */
    json_decref(call("DELETE", "/api/v1/mailboxes/erin", NULL, 204));
    run_restore("{\"source\": \"erin-backup\", \"mailboxes\": [\"erin\"]}", "merge");
    assert_int_equal(inbox_total("erin"), 2);
    doc = call("GET", "/api/v1/mailboxes/erin", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "or_address")),
                        "/C=XX/A= /P=TEST/O=Org/S=erin/");
    json_decref(doc);
    /* restore of everything in a backup of everything */
    doc = call("POST", "/api/v1/backups", "{\"destination\": \"all-backup\"}", 202);
    snprintf(path, sizeof path, "/api/v1/backups/%lld",
             (long long)json_integer_value(json_object_get(doc, "id")));
    assert_string_equal(json_string_value(json_object_get(doc, "mailboxes")), "all");
    json_decref(doc);
    doc = wait_job(path);
    assert_string_equal(json_string_value(json_object_get(doc, "state")), "done");
    assert_true(json_integer_value(json_object_get(json_object_get(doc, "counts"), "entries")) >= 2);
    json_decref(doc);
    run_restore("{\"source\": \"all-backup\", \"mode\": \"replace\"}", "replace");
    assert_int_equal(inbox_total("erin"), 2);
}

static void test_admin_api_metrics(void **state)
{
    (void)state;
    struct x4h_response resp;
    char ctype[128];
    assert_int_equal(http("GET", "/api/v1/metrics", token_, NULL, &resp), 200);
    assert_non_null(x4h_header(&resp, "Content-Type", ctype, sizeof ctype));
    assert_non_null(strstr(ctype, "text/plain"));
    assert_non_null(strstr(resp.body, "\nx400ms_up 1\n"));
    assert_non_null(strstr(resp.body, "# TYPE x400ms_store_entries gauge\n"));
    assert_non_null(strstr(resp.body, "x400ms_store_entries{box=\"inbox\",status=\"new\"} "));
    assert_non_null(strstr(resp.body, "# TYPE x400ms_admin_requests_total counter\n"));
    assert_non_null(strstr(resp.body, "x400ms_admin_requests_total{code=\"401\"} "));
    assert_non_null(strstr(resp.body, "x400ms_modules_loaded 3\n"));
    assert_null(strstr(resp.body, "x400ms_store_entries{box=\"inbox\",status=\"new\"} 0\n"));
    /* each family declared once */
    const char *first = strstr(resp.body, "# TYPE x400ms_up ");
    assert_null(strstr(first + 1, "# TYPE x400ms_up "));
    x4h_response_free(&resp);
}

/* ---- 50 concurrent requests ---- */

struct worker {
    pthread_t thread;
    int index, status, ok;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct x4h_response resp;
    char errbuf[256];
    const char *path = w->index % 3 == 0 ? "/api/v1/mailboxes"
                       : w->index % 3 == 1 ? "/api/v1/health" : "/api/v1/metrics";
    if (x4h_request("127.0.0.1", port_, "GET", path, token_, NULL, 0, TIMEOUT_MS, &resp, errbuf,
                    sizeof errbuf) == 0) {
        w->status = resp.status;
        w->ok = resp.body_len > 0;
        x4h_response_free(&resp);
    }
    return NULL;
}

static void test_admin_api_concurrent(void **state)
{
    (void)state;
    enum { N = 50 };
    struct worker workers[N];
    int fds_before = x4t_daemon_fd_count(daemon_);
    assert_true(fds_before > 0);
    for (int i = 0; i < N; i++) {
        workers[i] = (struct worker){ .index = i };
        assert_int_equal(pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(workers[i].thread, NULL);
    for (int i = 0; i < N; i++) {
        if (workers[i].status != 200 || !workers[i].ok)
            fail_msg("request %d: status %d", i, workers[i].status);
    }
    /* every connection closed again: no descriptor leaks */
    int fds_after = -1;
    for (int i = 0; i < 50 && (fds_after = x4t_daemon_fd_count(daemon_)) > fds_before; i++)
        usleep(20 * 1000);
    assert_true(fds_after > 0 && fds_after <= fds_before);
}

/* ---- body limits ---- */

/* Sends a request head (and maybe part of a body) and returns the status of
 * the response the server sends without waiting for the rest. */
static int early_status(const char *head, const char *body_part, size_t body_len)
{
    int fd = x4t_connect(port_);
    assert_true(fd >= 0);
    struct timeval tv = { 10, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(send(fd, head, strlen(head), MSG_NOSIGNAL), (ssize_t)strlen(head));
    if (body_part != NULL)
        send(fd, body_part, body_len, MSG_NOSIGNAL);
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    close(fd);
    if (n <= 0)
        fail_msg("no early answer (recv: %s)", n == 0 ? "closed" : strerror(errno));
    buf[n] = '\0';
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    return status;
}

static void test_admin_api_body_limit_neg(void **state)
{
    (void)state;
    char head[1024];
    /* 10 MiB declared: refused from the headers alone, nothing buffered */
    snprintf(head, sizeof head,
             "POST /api/v1/mailboxes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n",
             token_, 10 * 1024 * 1024);
    assert_int_equal(early_status(head, "{\"name\": ", 9), 413);
    /* the whole 10 MiB sent by the client library: still 413 */
    size_t big = 10 * 1024 * 1024;
    char *body = malloc(big + 1);
    assert_non_null(body);
    memset(body, ' ', big);
    body[0] = '{';
    body[big - 1] = '}';
    body[big] = '\0';
    struct x4h_response resp;
    assert_int_equal(http("POST", "/api/v1/mailboxes", token_, body, &resp), 413);
    assert_non_null(strstr(resp.body, "too_large"));
    x4h_response_free(&resp);
    /* chunked, no length: counted as it arrives, then 413 */
    snprintf(head, sizeof head,
             "POST /api/v1/mtas HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n", token_);
    int fd = x4t_connect(port_);
    assert_true(fd >= 0);
    assert_true(send(fd, head, strlen(head), MSG_NOSIGNAL) > 0);
    char chunk_head[32];
    size_t chunk = 64 * 1024;
    snprintf(chunk_head, sizeof chunk_head, "%zx\r\n", chunk);
    for (size_t sent = 0; sent < 2 * 1024 * 1024; sent += chunk) {
        if (send(fd, chunk_head, strlen(chunk_head), MSG_NOSIGNAL) < 0 ||
            send(fd, body + 1, chunk, MSG_NOSIGNAL) < 0 || send(fd, "\r\n", 2, MSG_NOSIGNAL) < 0)
            break;
    }
    send(fd, "0\r\n\r\n", 5, MSG_NOSIGNAL);
    char buf[512];
    struct timeval tv = { 10, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    close(fd);
    assert_true(n > 12);
    buf[n] = '\0';
    assert_memory_equal(buf + 9, "413", 3);
    /* just under the limit is read (and then judged on its content) */
    size_t under = 1024 * 1024 - 16;
    body[under - 1] = '}';
    body[under] = '\0';
    assert_int_equal(http("POST", "/api/v1/mtas", token_, body, &resp), 400);
    assert_non_null(strstr(resp.body, "\"name\""));
    x4h_response_free(&resp);
    free(body);
}

/* ---- the CLI ---- */

static int run_cli(char **out, const char *a1, const char *a2, const char *a3, const char *a4,
                   const char *a5)
{
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char program[1024], port[16], token_file[1024];
    snprintf(program, sizeof program, "%s/tools/x400ms-admin", top != NULL ? top : ".");
    snprintf(port, sizeof port, "%d", port_);
    snprintf(token_file, sizeof token_file, "%s/admin-token", x4t_daemon_data_dir(daemon_));
    char *argv[] = { program, "-p", port, "-t", token_file, (char *)a1, (char *)a2, (char *)a3,
                     (char *)a4, (char *)a5, NULL };
    return x4t_run(argv, out, TIMEOUT_MS);
}

static void test_admin_api_cli(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(run_cli(&out, "mailbox", "add", "frank", "/C=XX/A= /P=TEST/O=Org/S=frank/",
                             "pw"), 0);
    free(out);
    assert_int_equal(run_cli(&out, "mailbox", "list", NULL, NULL, NULL), 0);
    assert_non_null(strstr(out, "\"frank\""));
    free(out);
    assert_int_equal(run_cli(&out, "mailbox", "passwd", "frank", "pw2", NULL), 0);
    free(out);
    assert_int_equal(run_cli(&out, "mailbox", "add", "frank", "/C=XX/A= /P=TEST/O=Org/S=frank/",
                             "pw"), 1);
    assert_non_null(strstr(out, "409"));
    free(out);
    assert_int_equal(run_cli(&out, "mta", "add", "mta9", "secret", NULL), 0);
    free(out);
    assert_int_equal(run_cli(&out, "mta", "list", NULL, NULL, NULL), 0);
    assert_non_null(strstr(out, "mta9"));
    free(out);
    assert_int_equal(run_cli(&out, "mta", "del", "mta9", NULL, NULL), 0);
    free(out);
    assert_int_equal(run_cli(&out, "backup", "-w", "-d", "cli-backup", "frank"), 0);
    assert_non_null(strstr(out, "\"done\""));
    free(out);
    assert_int_equal(run_cli(&out, "restore", "-w", "-m", "merge", "cli-backup"), 0);
    free(out);
    assert_int_equal(run_cli(&out, "unread", "60", NULL, NULL, NULL), 0);
    assert_non_null(strstr(out, "\"total\""));
    free(out);
    assert_int_equal(run_cli(&out, "mailbox", "del", "frank", NULL, NULL), 0);
    free(out);
    assert_int_equal(run_cli(&out, "mailbox", "show", "frank", NULL, NULL), 1);
    free(out);
    assert_int_equal(run_cli(&out, "bogus", NULL, NULL, NULL, NULL), 2);
    free(out);
}

/* ---- configuration (separate daemons) ---- */

static void test_admin_api_check_binds_nothing(void **state)
{
    (void)state;
    char *dir = x4t_tempdir("admin-t");
    int port = x4t_free_port();
    char text[1024], mpath[1200];
    snprintf(text, sizeof text,
             "{ \"module_path\": \"%s\", \"modules\": [ { \"name\": \"admin_api\", "
             "\"config\": { \"port\": %d } } ] }", getenv("X400MS_MODULE_PATH"), port);
    snprintf(mpath, sizeof mpath, "%s/m.json", dir);
    assert_int_equal(x4t_write_file(mpath, text), 0);
    char *program = x4t_daemon_program();
    char *argv[] = { program, "-t", "-c", mpath, "-d", dir, NULL };
    char *out = NULL;
    assert_int_equal(x4t_run(argv, &out, TIMEOUT_MS), 0);
    free(out);
    /* -t ran init only: no token file was created, nothing listens */
    char token[1200];
    snprintf(token, sizeof token, "%s/admin-token", dir);
    assert_int_not_equal(access(token, F_OK), 0);
    assert_int_equal(x4t_connect(port), -1);

    /* a bad field is named with its JSON path */
    snprintf(text, sizeof text,
             "{ \"module_path\": \"%s\", \"modules\": [ { \"name\": \"admin_api\", "
             "\"config\": { \"port\": \"high\" } } ] }", getenv("X400MS_MODULE_PATH"));
    assert_int_equal(x4t_write_file(mpath, text), 0);
    assert_int_not_equal(x4t_run(argv, &out, TIMEOUT_MS), 0);
    assert_non_null(strstr(out, "port"));
    free(out);
    snprintf(text, sizeof text,
             "{ \"module_path\": \"%s\", \"modules\": [ { \"name\": \"admin_api\", "
             "\"config\": { \"tls_cert\": \"c.pem\" } } ] }", getenv("X400MS_MODULE_PATH"));
    assert_int_equal(x4t_write_file(mpath, text), 0);
    assert_int_not_equal(x4t_run(argv, &out, TIMEOUT_MS), 0);
    assert_non_null(strstr(out, "tls_key"));
    free(out);
    free(program);
    x4t_rmtree(dir);
    free(dir);
}

/* HTTPS with a self-signed certificate, checked with curl(1) when both
 * openssl(1) and curl(1) are installed. */
static void test_admin_api_https(void **state)
{
    (void)state;
    if (system("command -v openssl >/dev/null 2>&1 && command -v curl >/dev/null 2>&1") != 0)
        skip();
    char *dir = x4t_tempdir("admin-tls");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/key.pem -out %s/cert.pem "
             "-days 1 -subj /CN=127.0.0.1 >/dev/null 2>&1", dir, dir);
    assert_int_equal(system(cmd), 0);
    char text[1024];
    snprintf(text, sizeof text,
             "{ \"module_path\": \"@MODULES@\", \"modules\": [ { \"name\": \"admin_api\", "
             "\"config\": { \"port\": @PORT1@, \"tls_cert\": \"%s/cert.pem\", "
             "\"tls_key\": \"%s/key.pem\" } } ] }", dir, dir);
    struct x4t_daemon *d = x4t_daemon_start(text);
    assert_non_null(d);
    char token[600];
    read_token(d, token, sizeof token);
    char out_path[1200];
    snprintf(out_path, sizeof out_path, "%s/out.json", dir);
    snprintf(cmd, sizeof cmd,
             "curl -sk -o %s -w '%%{http_code}' -H 'Authorization: Bearer %s' "
             "https://127.0.0.1:%d/api/v1/health > %s/code", out_path, token,
             x4t_daemon_port(d, 1), dir);
    assert_int_equal(system(cmd), 0);
    char code_path[1200];
    snprintf(code_path, sizeof code_path, "%s/code", dir);
    char *code = x4t_read_file(code_path);
    char *body = x4t_read_file(out_path);
    assert_non_null(code);
    assert_string_equal(code, "200");
    assert_non_null(strstr(body, "\"ok\""));
    free(code);
    free(body);
    /* plain HTTP on the TLS port gets no admin reply */
    struct x4h_response resp;
    char errbuf[256];
    int rc = x4h_request("127.0.0.1", x4t_daemon_port(d, 1), "GET", "/api/v1/health", token, NULL,
                         0, 5000, &resp, errbuf, sizeof errbuf);
    if (rc == 0) {
        assert_int_not_equal(resp.status, 200);
        x4h_response_free(&resp);
    }
    assert_int_equal(x4t_daemon_stop(d), 0);
    x4t_rmtree(dir);
    free(dir);
}

/* A daemon without a store answers 503 on store routes, the rest works. */
static void test_admin_api_no_store(void **state)
{
    (void)state;
    struct x4t_daemon *d = x4t_daemon_start(
        "{ \"module_path\": \"@MODULES@\", \"modules\": [ { \"name\": \"admin_api\", "
        "\"config\": { \"port\": @PORT1@ } } ] }");
    assert_non_null(d);
    int saved_port = port_;
    char saved_token[sizeof token_];
    memcpy(saved_token, token_, sizeof token_);
    port_ = x4t_daemon_port(d, 1);
    read_token(d, token_, sizeof token_);
    expect_error("GET", "/api/v1/mailboxes", NULL, 503, "no_store", NULL);
    json_decref(call("GET", "/api/v1/health", NULL, 200));
    json_decref(call("GET", "/api/v1/mtas", NULL, 200));
    port_ = saved_port;
    memcpy(token_, saved_token, sizeof token_);
    assert_int_equal(x4t_daemon_stop(d), 0);
}

/* ---- jobs across restarts (issue 9) ---- */

/* A daemon of its own for a test: the group's manifest, on data_dir when
 * not NULL (a restart), with port_ and token_ pointing at it. */
static struct x4t_daemon *own_daemon_start(const char *data_dir)
{
    const char *build = getenv("X400MS_TOP_BUILDDIR");
    char *text = x4t_replace(manifest, "@BUILD@", build != NULL ? build : ".");
    struct x4t_daemon *d = data_dir != NULL ? x4t_daemon_start_in(text, data_dir)
                                            : x4t_daemon_start(text);
    free(text);
    assert_non_null(d);
    assert_int_equal(x4t_daemon_wait_log(d, "admin API listening", 5000), 0);
    port_ = x4t_daemon_port(d, 1);
    read_token(d, token_, sizeof token_);
    return d;
}

static json_int_t post_job(const char *path, const char *body)
{
    json_t *doc = call("POST", path, body, 202);
    json_int_t id = json_integer_value(json_object_get(doc, "id"));
    assert_true(id > 0);
    json_decref(doc);
    return id;
}

static json_t *get_job(json_int_t id, int status)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/backups/%lld", (long long)id);
    return call("GET", path, NULL, status);
}

static json_int_t job_number(const json_t *job, const char *object, const char *member)
{
    json_t *v = json_object_get(json_object_get(job, object), member);
    if (!json_is_integer(v))
        fail_msg("job: %s.%s is not an integer", object, member);
    return json_integer_value(v);
}

/* A backup of all mailboxes counts them in its progress; finished jobs
 * answer the same documents after the daemon is killed and started again
 * on the same data, and ids go on from the last one. */
static void test_admin_api_jobs_survive_restart(void **state)
{
    (void)state;
    int saved_port = port_;
    char saved_token[sizeof token_];
    memcpy(saved_token, token_, sizeof token_);
    struct x4t_daemon *d = own_daemon_start(NULL);
    const char *names[] = { "r1", "r2", "r3" };
    for (int i = 0; i < 3; i++) {
        create_mailbox(names[i]);
        deliver(names[i], i + 1, 0, NULL);
    }
    json_int_t all = post_job("/api/v1/backups", "{\"destination\": \"all\"}");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/backups/%lld", (long long)all);
    json_t *before_all = wait_job(path);
    assert_string_equal(json_string_value(json_object_get(before_all, "state")), "done");
    assert_int_equal(job_number(before_all, "progress", "total"), 3);
    assert_int_equal(job_number(before_all, "progress", "done"), 3);
    assert_int_equal(job_number(before_all, "counts", "mailboxes_ok"), 3);
    assert_int_equal(job_number(before_all, "counts", "entries"), 1 + 2 + 3);
    json_int_t bad = post_job("/api/v1/backups", "{\"mailboxes\": [\"nobody\"]}");
    snprintf(path, sizeof path, "/api/v1/backups/%lld", (long long)bad);
    json_t *before_bad = wait_job(path);
    assert_string_equal(json_string_value(json_object_get(before_bad, "state")), "failed");

    char data_dir[1024];
    snprintf(data_dir, sizeof data_dir, "%s", x4t_daemon_data_dir(d));
    char record[1200];
    snprintf(record, sizeof record, "%s/admin/jobs/%lld.json", data_dir, (long long)all);
    struct stat st;
    assert_int_equal(stat(record, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(x4t_daemon_kill(d), 0);
    d = own_daemon_start(data_dir);

    json_t *after_all = get_job(all, 200), *after_bad = get_job(bad, 200);
    if (!json_equal(before_all, after_all) || !json_equal(before_bad, after_bad)) {
        char *a = json_dumps(before_all, 0), *b = json_dumps(after_all, 0);
        fail_msg("job records changed across the restart:\n%s\n%s", a, b);
        free(a);
        free(b);
    }
    json_int_t next = post_job("/api/v1/backups", "{\"mailboxes\": [\"r1\"]}");
    assert_true(next > bad);
    /* GET /api/v1/jobs lists the loaded and the new, newest first */
    json_t *list = call("GET", "/api/v1/jobs", NULL, 200);
    json_t *jobs = json_object_get(list, "jobs");
    assert_true(json_array_size(jobs) >= 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(jobs, 0), "id")), next);
    json_decref(list);
    json_decref(before_all);
    json_decref(after_all);
    json_decref(before_bad);
    json_decref(after_bad);
    snprintf(path, sizeof path, "/api/v1/backups/%lld", (long long)next);
    json_decref(wait_job(path));
    assert_int_equal(x4t_daemon_stop(d), 0);
    port_ = saved_port;
    memcpy(token_, saved_token, sizeof token_);
}

/* A job running when the daemon is killed is reported failed, "interrupted
 * by restart", with the progress it had reached. */
static void test_admin_api_jobs_interrupted_neg(void **state)
{
    (void)state;
    int saved_port = port_;
    char saved_token[sizeof token_];
    memcpy(saved_token, token_, sizeof token_);
    struct x4t_daemon *d = own_daemon_start(NULL);
    create_mailbox("big");
    deliver("big", 50, 0, NULL);
    /* a long job: the same mailbox backed up 3,000 times */
    enum { STEPS = 3000 };
    size_t cap = 64 + STEPS * 7;
    char *body = malloc(cap);
    assert_non_null(body);
    size_t len = (size_t)snprintf(body, cap, "{\"destination\": \"long\", \"mailboxes\": [");
    for (int i = 0; i < STEPS; i++)
        len += (size_t)snprintf(body + len, cap - len, "%s\"big\"", i ? "," : "");
    snprintf(body + len, cap - len, "]}");
    json_int_t id = post_job("/api/v1/backups", body);
    free(body);
    json_int_t done_before = 0;
    for (int i = 0; i < 200 && done_before < 3; i++) {
        json_t *job = get_job(id, 200);
        const char *st = json_string_value(json_object_get(job, "state"));
        if (strcmp(st, "queued") != 0 && strcmp(st, "running") != 0)
            fail_msg("the job ended (%s) before the daemon could be killed", st);
        done_before = job_number(job, "progress", "done");
        json_decref(job);
        usleep(20 * 1000);
    }
    assert_true(done_before >= 3);
    char data_dir[1024];
    snprintf(data_dir, sizeof data_dir, "%s", x4t_daemon_data_dir(d));
    assert_int_equal(x4t_daemon_kill(d), 0);
    d = own_daemon_start(data_dir);

    json_t *job = get_job(id, 200);
    assert_string_equal(json_string_value(json_object_get(job, "state")), "failed");
    assert_true(json_is_string(json_object_get(job, "finished")));
    json_int_t done = job_number(job, "progress", "done");
    assert_true(done >= done_before && done < STEPS);
    assert_int_equal(job_number(job, "progress", "total"), STEPS);
    json_t *errors = json_object_get(job, "errors");
    json_t *last = json_array_get(errors, json_array_size(errors) - 1);
    assert_non_null(last);
    assert_string_equal(json_string_value(json_object_get(last, "message")),
                        "interrupted by restart");
    assert_true(json_is_null(json_object_get(last, "mailbox")));
    json_decref(job);
    /* the verdict is written once: a second restart answers the same */
    snprintf(data_dir, sizeof data_dir, "%s", x4t_daemon_data_dir(d));
    json_t *first = get_job(id, 200);
    assert_int_equal(x4t_daemon_kill(d), 0);
    d = own_daemon_start(data_dir);
    json_t *second = get_job(id, 200);
    assert_true(json_equal(first, second));
    json_decref(first);
    json_decref(second);
    assert_int_equal(x4t_daemon_stop(d), 0);
    port_ = saved_port;
    memcpy(token_, saved_token, sizeof token_);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_api_health),
        cmocka_unit_test(test_admin_api_auth_neg),
        cmocka_unit_test(test_admin_api_routing_neg),
        cmocka_unit_test(test_admin_api_modules),
        cmocka_unit_test(test_admin_api_mailbox_crud),
        cmocka_unit_test(test_admin_api_mailbox_errors_neg),
        cmocka_unit_test(test_admin_api_entries),
        cmocka_unit_test(test_admin_api_unread),
        cmocka_unit_test(test_admin_api_mtas),
        cmocka_unit_test(test_admin_api_jobs),
        cmocka_unit_test(test_admin_api_restore_modes),
        cmocka_unit_test(test_admin_api_concurrent),
        cmocka_unit_test(test_admin_api_body_limit_neg),
        cmocka_unit_test(test_admin_api_cli),
        cmocka_unit_test(test_admin_api_metrics),
        cmocka_unit_test(test_admin_api_check_binds_nothing),
        cmocka_unit_test(test_admin_api_https),
        cmocka_unit_test(test_admin_api_no_store),
        cmocka_unit_test(test_admin_api_jobs_survive_restart),
        cmocka_unit_test(test_admin_api_jobs_interrupted_neg),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
