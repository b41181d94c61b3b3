/* Integration test of GET /api/v1/metrics with live figures (issue 9): the
 * real x400msd with rfc1006 + store_file + p3 + admin_api, real P3
 * deliveries from the real tools/x400ms-mta, real HTTP.
 *
 * Checks that the document is Prometheus text format 0.0.4 (every sample
 * belongs to a family declared by # TYPE, families not interleaved), that
 * the store's flush histogram counts the deliveries' group commits with
 * cumulative, consistent buckets, that deliveries and message-delivery
 * operations count exactly what x400ms-mta had acknowledged, and that the
 * open associations gauge of P3 goes up while an MTA is bound and back to 0
 * when it leaves (orderly release and transport loss). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>
#include "tests/lib/x4test.h"
#include "tools/admin/http_client.h"

#define TIMEOUT_MS 10000
#define ALICE "/C=XX/A= /P=TEST/O=Org/S=alice/"

static const char *const manifest =
    "{ \"module_path\": \"@MODULES@\",\n"
    "  \"log\": { \"target\": \"stderr\", \"level\": \"info\" },\n"
    "  \"modules\": [\n"
    "    { \"name\": \"rfc1006\", \"config\": { \"listen\": [ { \"address\": \"127.0.0.1\", "
    "\"port\": @PORT1@ } ] } },\n"
    "    { \"name\": \"store_file\" },\n"
    "    { \"name\": \"p3\" },\n"
    "    { \"name\": \"admin_api\", \"config\": { \"port\": @PORT2@ } }\n"
    "  ] }\n";

static struct x4t_daemon *daemon_;
static int p3_port_, admin_port_;
static char token_[600];
static pid_t mta_pid_ = -1; /* a background x400ms-mta, stopped by the test or teardown */

/* ---- HTTP ---- */

static char *request(const char *method, const char *path, const char *body, int status)
{
    struct x4h_response resp;
    char errbuf[256];
    if (x4h_request("127.0.0.1", admin_port_, method, path, token_, body,
                    body != NULL ? strlen(body) : 0, TIMEOUT_MS, &resp, errbuf, sizeof errbuf) < 0)
        fail_msg("%s %s: %s", method, path, errbuf);
    if (resp.status != status)
        fail_msg("%s %s: expected %d, got %d: %s", method, path, status, resp.status, resp.body);
    char *text = strdup(resp.body);
    x4h_response_free(&resp);
    assert_non_null(text);
    return text;
}

/* ---- a small Prometheus text format 0.0.4 reader ---- */

struct sample {
    char name[128];
    char labels[256]; /* the text inside the braces, as sent */
    double value;
};

struct scrape {
    struct sample *samples;
    size_t count;
};

enum ftype { F_COUNTER, F_GAUGE, F_HISTOGRAM, F_SUMMARY, F_UNTYPED };

struct declared {
    char name[128];
    enum ftype type;
    bool closed; /* another family's samples came after this one's */
};

static bool metric_name_ok(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == ':'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':'))
            return false;
    return true;
}

/* label="value",... with \\, \" and \n escapes; returns the length inside
 * the braces, or -1. */
static int labels_parse(const char *p, const char *line)
{
    const char *start = p;
    while (*p != '}') {
        const char *name = p;
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        if (p == name || isdigit((unsigned char)*name) || *p != '=' || p[1] != '"')
            fail_msg("bad label name in: %s", line);
        p += 2;
        while (*p != '"') {
            if (*p == '\0' || *p == '\n')
                fail_msg("unterminated label value in: %s", line);
            if (*p == '\\') {
                if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
                    fail_msg("bad escape in a label value: %s", line);
                p++;
            }
            p++;
        }
        p++;
        if (*p == ',')
            p++;
        else if (*p != '}')
            fail_msg("expected , or } after a label in: %s", line);
    }
    return (int)(p - start);
}

static double value_parse(const char *s, const char *line)
{
    if (strcmp(s, "+Inf") == 0)
        return INFINITY;
    if (strcmp(s, "-Inf") == 0)
        return -INFINITY;
    if (strcmp(s, "NaN") == 0)
        return NAN;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno != 0 || (*end != '\0' && *end != ' '))
        fail_msg("bad sample value in: %s", line);
    return v;
}

/* The family a sample name belongs to: itself, or a histogram's
 * _bucket/_sum/_count (a summary's _sum/_count). */
static struct declared *family_of(struct declared *fam, size_t n, const char *sample)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(fam[i].name);
        if (strncmp(sample, fam[i].name, len) != 0)
            continue;
        const char *suffix = sample + len;
        if (*suffix == '\0')
            return &fam[i];
        if ((fam[i].type == F_HISTOGRAM &&
             (strcmp(suffix, "_bucket") == 0 || strcmp(suffix, "_sum") == 0 ||
              strcmp(suffix, "_count") == 0)) ||
            (fam[i].type == F_SUMMARY && (strcmp(suffix, "_sum") == 0 || strcmp(suffix, "_count") == 0)))
            return &fam[i];
    }
    return NULL;
}

/* Parses the whole document, failing the test on anything that is not
 * valid exposition format or a sample outside a declared family. */
static struct scrape scrape_parse(char *text)
{
    struct scrape s = { 0 };
    struct declared fam[128];
    size_t nfam = 0;
    struct declared *current = NULL;
    size_t cap = 0;
    assert_true(strlen(text) > 0);
    assert_int_equal(text[strlen(text) - 1], '\n');
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == '#') {
            char kw[8], name[128], rest[64];
            if (sscanf(line, "# %7s %127s %63s", kw, name, rest) < 2)
                continue; /* a plain comment */
            if (strcmp(kw, "TYPE") == 0) {
                assert_true(metric_name_ok(name, strlen(name)));
                for (size_t i = 0; i < nfam; i++)
                    if (strcmp(fam[i].name, name) == 0)
                        fail_msg("family %s declared twice", name);
                assert_true(nfam < sizeof fam / sizeof fam[0]);
                struct declared *d = &fam[nfam++];
                snprintf(d->name, sizeof d->name, "%s", name);
                d->closed = false;
                if (strcmp(rest, "counter") == 0)
                    d->type = F_COUNTER;
                else if (strcmp(rest, "gauge") == 0)
                    d->type = F_GAUGE;
                else if (strcmp(rest, "histogram") == 0)
                    d->type = F_HISTOGRAM;
                else if (strcmp(rest, "summary") == 0)
                    d->type = F_SUMMARY;
                else if (strcmp(rest, "untyped") == 0)
                    d->type = F_UNTYPED;
                else
                    fail_msg("unknown type in: %s", line);
            } else if (strcmp(kw, "HELP") == 0) {
                assert_true(metric_name_ok(name, strlen(name)));
            }
            continue;
        }
        size_t n = strcspn(line, "{ ");
        if (!metric_name_ok(line, n))
            fail_msg("bad metric name in: %s", line);
        if (s.count == cap) {
            cap = cap ? cap * 2 : 64;
            s.samples = realloc(s.samples, cap * sizeof *s.samples);
            assert_non_null(s.samples);
        }
        struct sample *smp = &s.samples[s.count++];
        assert_true(n < sizeof smp->name);
        memcpy(smp->name, line, n);
        smp->name[n] = '\0';
        const char *p = line + n;
        smp->labels[0] = '\0';
        if (*p == '{') {
            int len = labels_parse(p + 1, line);
            assert_true((size_t)len < sizeof smp->labels);
            memcpy(smp->labels, p + 1, (size_t)len);
            smp->labels[len] = '\0';
            p += len + 2;
        }
        if (*p != ' ')
            fail_msg("expected a space before the value in: %s", line);
        smp->value = value_parse(p + 1, line);

        struct declared *f = family_of(fam, nfam, smp->name);
        if (f == NULL)
            fail_msg("sample of no declared family: %s", line);
        if (f->closed)
            fail_msg("samples of %s are not grouped: %s", f->name, line);
        if (current != NULL && current != f)
            current->closed = true;
        current = f;
        if (f->type == F_COUNTER && !(smp->value >= 0))
            fail_msg("negative counter: %s", line);
    }
    return s;
}

static void scrape_free(struct scrape *s)
{
    free(s->samples);
    s->samples = NULL;
    s->count = 0;
}

/* The value of name{labels} (labels "" for none); fails when absent. */
static double value_of(const struct scrape *s, const char *name, const char *labels)
{
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->samples[i].name, name) == 0 && strcmp(s->samples[i].labels, labels) == 0)
            return s->samples[i].value;
    fail_msg("no sample %s{%s}", name, labels);
    return 0;
}

static struct scrape scrape(void)
{
    struct x4h_response resp;
    char errbuf[256], ctype[128];
    if (x4h_request("127.0.0.1", admin_port_, "GET", "/api/v1/metrics", token_, NULL, 0, TIMEOUT_MS,
                    &resp, errbuf, sizeof errbuf) < 0)
        fail_msg("GET /api/v1/metrics: %s", errbuf);
    assert_int_equal(resp.status, 200);
    assert_non_null(x4h_header(&resp, "Content-Type", ctype, sizeof ctype));
    assert_non_null(strstr(ctype, "text/plain"));
    struct scrape s = scrape_parse(resp.body);
    x4h_response_free(&resp);
    return s;
}

/* The flush histogram: ascending bounds, non-decreasing cumulative counts,
 * +Inf equal to _count. Returns _count; *sum_r gets _sum. */
static double flush_histogram_check(const struct scrape *s, double *sum_r)
{
    double last_le = -INFINITY, last_count = 0;
    size_t buckets = 0;
    bool inf_seen = false;
    for (size_t i = 0; i < s->count; i++) {
        const struct sample *b = &s->samples[i];
        if (strcmp(b->name, "x400ms_store_flush_seconds_bucket") != 0)
            continue;
        const char *le = strstr(b->labels, "le=\"");
        assert_non_null(le);
        char bound_text[64];
        size_t blen = strcspn(le + 4, "\"");
        assert_true(blen < sizeof bound_text);
        memcpy(bound_text, le + 4, blen);
        bound_text[blen] = '\0';
        double bound = value_parse(bound_text, b->labels);
        assert_false(inf_seen);
        if (!(bound > last_le))
            fail_msg("bucket bounds not ascending at le=%g", bound);
        if (b->value < last_count)
            fail_msg("bucket le=%g holds %g, fewer than the bucket below (%g): not cumulative", bound,
                     b->value, last_count);
        last_le = bound;
        last_count = b->value;
        inf_seen = isinf(bound);
        buckets++;
    }
    assert_true(buckets >= 2);
    assert_true(inf_seen);
    double count = value_of(s, "x400ms_store_flush_seconds_count", "");
    assert_true(last_count == count);
    *sum_r = value_of(s, "x400ms_store_flush_seconds_sum", "");
    assert_true(*sum_r >= 0);
    return count;
}

/* ---- the test MTA ---- */

static char *mta_program(void)
{
    static char path[1024];
    const char *build = getenv("X400MS_TOP_BUILDDIR");
    snprintf(path, sizeof path, "%s/tools/x400ms-mta", build != NULL ? build : ".");
    return path;
}

static char **mta_argv(const char *count, const char *size)
{
    static char hostport[64];
    static char *argv[20];
    snprintf(hostport, sizeof hostport, "127.0.0.1:%d", p3_port_);
    char *const args[] = { mta_program(), "deliver", "-H", hostport, "--mta-name", "mta1",
                           "--password", "mta-secret", "--to", ALICE, "--count", (char *)count,
                           "--size", (char *)size, "--connections", "1", "--window", "1", NULL };
    memcpy(argv, args, sizeof args);
    return argv;
}

static void mta_stop(void)
{
    if (mta_pid_ <= 0)
        return;
    kill(mta_pid_, SIGKILL);
    while (waitpid(mta_pid_, NULL, 0) < 0 && errno == EINTR)
        ;
    mta_pid_ = -1;
}

/* ---- setup ---- */

static int group_setup(void **state)
{
    (void)state;
    daemon_ = x4t_daemon_start(manifest);
    if (daemon_ == NULL)
        return -1;
    p3_port_ = x4t_daemon_port(daemon_, 1);
    admin_port_ = x4t_daemon_port(daemon_, 2);
    if (x4t_daemon_wait_log(daemon_, "admin API listening", 5000) != 0)
        return -1;
    char path[1024];
    snprintf(path, sizeof path, "%s/admin-token", x4t_daemon_data_dir(daemon_));
    char *text = x4t_read_file(path);
    if (text == NULL)
        return -1;
    snprintf(token_, sizeof token_, "%s", text);
    token_[strcspn(token_, "\r\n")] = '\0';
    free(text);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    mta_stop();
    if (daemon_ != NULL && x4t_daemon_stop(daemon_) != 0)
        return -1;
    daemon_ = NULL;
    return 0;
}

/* Waits until x400ms_associations{protocol="p3"} satisfies want (0: equal
 * to 0, 1: at least 1); returns the last value. */
static double wait_p3_associations(int want, int timeout_ms)
{
    long long until = x4t_now_ms() + timeout_ms;
    double v;
    for (;;) {
        struct scrape s = scrape();
        v = value_of(&s, "x400ms_associations", "protocol=\"p3\"");
        scrape_free(&s);
        if ((want == 0 && v == 0) || (want == 1 && v >= 1) || x4t_now_ms() > until)
            return v;
        usleep(20 * 1000);
    }
}

/* ---- tests ---- */

/* The document parses before anything happened, and every family the
 * daemon's modules promise is declared. */
static void test_admin_metrics_families(void **state)
{
    (void)state;
    struct scrape s = scrape();
    value_of(&s, "x400ms_up", "");
    assert_true(value_of(&s, "x400ms_associations", "protocol=\"p3\"") == 0);
    assert_true(value_of(&s, "x400ms_associations", "protocol=\"p7\"") == 0);
    value_of(&s, "x400ms_operations_total", "protocol=\"p3\",op=\"message-delivery\",result=\"ok\"");
    value_of(&s, "x400ms_deliveries_total", "protocol=\"p3\",result=\"ok\"");
    value_of(&s, "x400ms_store_deliveries_total", "box=\"inbox\",result=\"ok\"");
    double sum;
    flush_histogram_check(&s, &sum);
    scrape_free(&s);
}

/* Exact counts after x400ms-mta delivered N messages and released. */
static void test_admin_metrics_deliveries(void **state)
{
    (void)state;
    enum { N = 7 };
    free(request("POST", "/api/v1/mailboxes",
                 "{\"name\": \"alice\", \"or_address\": \"" ALICE "\", \"password\": \"secret-a\"}",
                 201));
    free(request("POST", "/api/v1/mtas", "{\"name\": \"mta1\", \"password\": \"mta-secret\"}", 201));

    struct scrape before = scrape();
    double sum0, flushes0 = flush_histogram_check(&before, &sum0);
    double ok0 = value_of(&before, "x400ms_deliveries_total", "protocol=\"p3\",result=\"ok\"");
    double op0 = value_of(&before, "x400ms_operations_total",
                          "protocol=\"p3\",op=\"message-delivery\",result=\"ok\"");
    double bind0 = value_of(&before, "x400ms_operations_total", "protocol=\"p3\",op=\"bind\",result=\"ok\"");
    double inbox0 = value_of(&before, "x400ms_store_deliveries_total", "box=\"inbox\",result=\"ok\"");
    scrape_free(&before);

    char **argv = mta_argv("7", "1024");
    char *out = NULL;
    int status = x4t_run(argv, &out, 15000);
    if (status != 0 || out == NULL || strstr(out, "acknowledged=7 failed=0") == NULL)
        fail_msg("x400ms-mta exited %d: %s", status, out != NULL ? out : "");
    free(out);

    /* The MTA released before it exited; the gauge follows at once or
     * within a loop turn. */
    assert_true(wait_p3_associations(0, 5000) == 0);

    struct scrape after = scrape();
    double sum1, flushes1 = flush_histogram_check(&after, &sum1);
    /* every acknowledged delivery waited for a flush; batches may hold several */
    if (!(flushes1 - flushes0 >= 1 && flushes1 - flushes0 <= N))
        fail_msg("flush histogram count went from %g to %g for %d deliveries", flushes0, flushes1, N);
    assert_true(sum1 > sum0);
    assert_true(value_of(&after, "x400ms_deliveries_total", "protocol=\"p3\",result=\"ok\"") - ok0 == N);
    assert_true(value_of(&after, "x400ms_operations_total",
                         "protocol=\"p3\",op=\"message-delivery\",result=\"ok\"") - op0 == N);
    assert_true(value_of(&after, "x400ms_operations_total", "protocol=\"p3\",op=\"bind\",result=\"ok\"") -
                    bind0 == 1);
    assert_true(value_of(&after, "x400ms_store_deliveries_total", "box=\"inbox\",result=\"ok\"") -
                    inbox0 == N);
    assert_true(value_of(&after, "x400ms_deliveries_total", "protocol=\"p3\",result=\"error\"") == 0);
    scrape_free(&after);
}

/* The gauge counts a bound MTA and drops back to 0 when its transport
 * goes away without a release (the MTA is killed mid-run). */
static void test_admin_metrics_associations(void **state)
{
    (void)state;
    char **argv = mta_argv("1000000", "64");
    mta_pid_ = fork();
    assert_true(mta_pid_ >= 0);
    if (mta_pid_ == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    double up = wait_p3_associations(1, 10000);
    if (up != 1)
        fail_msg("x400ms_associations{protocol=\"p3\"} is %g while one MTA is bound", up);
    mta_stop();
    double down = wait_p3_associations(0, 10000);
    if (down != 0)
        fail_msg("x400ms_associations{protocol=\"p3\"} is %g after the MTA was killed", down);

    /* What the store made durable, what P3 counted and what the In Box
     * holds agree once the last delivery in flight is answered. */
    long long until = x4t_now_ms() + 5000;
    for (;;) {
        struct scrape s = scrape();
        double p3_ok = value_of(&s, "x400ms_deliveries_total", "protocol=\"p3\",result=\"ok\"");
        double store_ok = value_of(&s, "x400ms_store_deliveries_total", "box=\"inbox\",result=\"ok\"");
        scrape_free(&s);
        char *doc = request("GET", "/api/v1/mailboxes/alice", NULL, 200);
        json_t *mb = json_loads(doc, 0, NULL);
        free(doc);
        assert_non_null(mb);
        double total = (double)json_integer_value(
            json_object_get(json_object_get(mb, "inbox_summary"), "total"));
        json_decref(mb);
        if (p3_ok == total && store_ok == total)
            break;
        if (x4t_now_ms() > until)
            fail_msg("In Box holds %g entries, P3 counted %g deliveries, the store %g", total, p3_ok,
                     store_ok);
        usleep(50 * 1000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_metrics_families),
        cmocka_unit_test(test_admin_metrics_deliveries),
        cmocka_unit_test(test_admin_metrics_associations),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
