/* tools/mta/deliver.c: `x400ms-mta deliver`. Binds to the MS as an MTA over
 * mts-forced-access (X.419; MTS-bind with simple credentials, X.411 8.1.1)
 * on C associations and invokes message-delivery (X.411 8.3.1.1, opcode 5)
 * with up to W invokes outstanding per association (ROSE allows an
 * initiator several), counting results (acknowledged: the MS stored the
 * message durably) and errors. Everything OSI runs on the stack's loop
 * thread; the main thread waits for the end. */
#define X400MS_LOG_MODULE "x400ms-mta"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "modules/protocol/p3/mtsac.h"
#include "tools/mta/mta.h"
#include "x400ms/assoc.h"
#include "x400ms/log.h"

struct params {
    char host[256];
    int port;
    const char *mta_name, *password, *to, *from, *subject, *content_file, *ack_log;
    long count, size;
    int priority;
    int connections, window;
    bool reliable, is94, latency;
};

struct run;
struct conn {
    struct run *r;
    int index;
    struct x400ms_assoc *a;
    long share, next, outstanding;
    bool finished, releasing;
};

struct run {
    struct params p;
    struct x400ms_core *core;
    struct x400ms_app_context ac;
    struct conn *conns;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int active;
    long delivered, acknowledged, failed;
    uint64_t *lat_us;
    long n_lat;
    uint8_t *bind_arg;
    size_t bind_arg_len;
    uint8_t *content;
    size_t content_len;
    struct or_address to[128], from;
    size_t n_to;
    char first_error[400];
    int ack_fd;                 /* --ack-log, -1: none */
};

struct inv {
    struct conn *c;
    uint64_t t0_us;
    long seq;                   /* the delivery-identifier's local part is m<pid>-<seq> */
};

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

#define note_error(r, ...) mta_note_error((r)->first_error, sizeof (r)->first_error, __VA_ARGS__)

/* ---- building the PDUs ---- */

static int build_bind(struct run *r)
{
    struct mts_object_name me = { .kind = MTS_OBJ_MTA };
    me.mta = mhs_str_make(r->p.mta_name, strlen(r->p.mta_name), BER_IA5_STRING);
    return mta_encode_bind(&me, r->p.password, &r->bind_arg, &r->bind_arg_len);
}

/* The content: the test IPM of --size octets. */
static int build_ipm(struct run *r)
{
    struct ber_writer w;
    ber_writer_init(&w);
    int rc = mta_encode_ipm(&w, "x400ms-mta", r->p.subject, r->p.size);
    if (rc >= 0)
        r->content = ber_writer_take(&w, &r->content_len);
    ber_writer_free(&w);
    return r->content ? 0 : (rc < 0 ? rc : X400MS_ENOMEM);
}

/* The local part of the delivery-identifier (X.411 8.3.1.1.1.1) of delivery seq. */
static void delivery_local_id(long seq, char *buf, size_t size)
{
    snprintf(buf, size, "m%ld-%ld", (long)getpid(), seq);
}

/* --ack-log: one line per answered delivery, written at once with write(2)
 * on an O_APPEND descriptor (no stdio buffer a crash test could lose):
 * "ack ID" for a result, "err ID CODE" for an X.411 error, "rej ID" for a
 * ROSE reject. */
static void ack_log(struct run *r, const struct inv *iv, const struct x400ms_outcome *o)
{
    if (r->ack_fd < 0 || o->kind == X400MS_OUTCOME_ENDED)
        return;
    char id[MTS_UB_LOCAL_ID + 1], line[128];
    delivery_local_id(iv->seq, id, sizeof id);
    int n = o->kind == X400MS_OUTCOME_RESULT ? snprintf(line, sizeof line, "ack %s\n", id)
            : o->kind == X400MS_OUTCOME_ERROR
                ? snprintf(line, sizeof line, "err %s %" PRId64 "\n", id, o->errcode)
                : snprintf(line, sizeof line, "rej %s\n", id);
    if (n > 0 && write(r->ack_fd, line, (size_t)n) != n)
        note_error(r, "--ack-log: write failed");
}

static int build_delivery(struct run *r, long seq, struct ber_writer *w)
{
    struct mts_delivery_arg d;
    memset(&d, 0, sizeof d);
    char local[MTS_UB_LOCAL_ID + 1];
    delivery_local_id(seq, local, sizeof local);
    d.delivery_identifier.gdi.country = mhs_str_make("XX", 2, BER_PRINTABLE_STRING);
    d.delivery_identifier.gdi.admd = mhs_str_make(" ", 1, BER_PRINTABLE_STRING);
    d.delivery_identifier.gdi.prmd = mhs_str_make("X400MS", 6, BER_PRINTABLE_STRING);
    d.delivery_identifier.local = mhs_str_make(local, strlen(local), BER_IA5_STRING);
    d.delivery_time = mhs_time_make(time(NULL));
    d.submission_time = mhs_time_make(time(NULL));
    d.content_type.present = true;
    d.content_type.builtin = true;
    d.content_type.builtin_value = MTS_CONTENT_P22_1988;
    d.originator_name = r->from;
    d.this_recipient_name = r->to[(size_t)seq % r->n_to]; /* --to given several times: round robin */
    d.priority = r->p.priority;
    d.content.bytes = ber_slice_make(r->content, r->content_len);
    return mts_delivery_arg_encode(w, &d);
}

/* ---- the associations (all on the loop thread) ---- */

static void conn_finished(struct conn *c)
{
    if (c->finished)
        return;
    c->finished = true;
    struct run *r = c->r;
    pthread_mutex_lock(&r->lock);
    r->failed += c->share - c->next; /* never sent */
    r->active--;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

static void pump(struct conn *c);

static void delivered(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct inv *iv = arg;
    struct conn *c = iv->c;
    struct run *r = c->r;
    uint64_t us = now_us() - iv->t0_us;
    ack_log(r, iv, o); /* before the counters: a line means the answer came */
    free(iv);
    pthread_mutex_lock(&r->lock);
    if (o->kind == X400MS_OUTCOME_RESULT) {
        r->acknowledged++;
        if (r->lat_us != NULL)
            r->lat_us[r->n_lat++] = us;
    } else {
        r->failed++;
    }
    pthread_mutex_unlock(&r->lock);
    if (o->kind == X400MS_OUTCOME_ERROR)
        note_error(r, "message-delivery error %" PRId64 " (%s)", o->errcode,
                   o->errcode == MTS_ERR_SECURITY_ERROR ? "security-error" :
                   o->errcode == MTS_ERR_DELIVERY_CONTROL_VIOLATED ? "delivery-control-violated" :
                   o->errcode == MTS_ERR_UNSUPPORTED_CRITICAL_FUNCTION ? "unsupported-critical-function"
                                                                        : "other");
    else if (o->kind == X400MS_OUTCOME_REJECT)
        note_error(r, "message-delivery rejected (ROSE problem 0x%x)", (unsigned)o->problem);
    else if (o->kind == X400MS_OUTCOME_ENDED)
        note_error(r, "association ended before the answer");
    c->outstanding--;
    if (o->kind != X400MS_OUTCOME_ENDED)
        pump(c);
}

static void pump(struct conn *c)
{
    struct run *r = c->r;
    if (c->a == NULL || c->releasing)
        return;
    while (c->outstanding < r->p.window && c->next < c->share) {
        struct ber_writer w;
        ber_writer_init(&w);
        long seq = c->index * 1000000L + c->next;
        int rc = build_delivery(r, seq, &w);
        struct inv *iv = malloc(sizeof *iv);
        if (rc < 0 || iv == NULL) {
            ber_writer_free(&w);
            free(iv);
            note_error(r, "cannot encode a delivery");
            break;
        }
        iv->c = c;
        iv->t0_us = now_us();
        iv->seq = seq;
        rc = x400ms_assoc_invoke(c->a, MTS_OP_MESSAGE_DELIVERY,
                                 X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)), NULL,
                                 delivered, iv, NULL);
        ber_writer_free(&w);
        if (rc < 0) {
            free(iv);
            if (rc == X400MS_ELIMIT && c->outstanding > 0)
                break; /* the stack's own window: wait for answers */
            note_error(r, "invoke failed (%d)", rc);
            break;
        }
        c->next++;
        c->outstanding++;
        pthread_mutex_lock(&r->lock);
        r->delivered++;
        pthread_mutex_unlock(&r->lock);
    }
    if (c->outstanding == 0 && (c->next >= c->share || r->first_error[0] != '\0')) {
        c->releasing = true;
        if (x400ms_assoc_release(c->a, X400MS_NO_BYTES) < 0)
            x400ms_assoc_abort(c->a, "release failed");
    }
}

static void on_confirm(void *ctx, struct x400ms_assoc *a, const struct x400ms_connect_result *res)
{
    struct conn *c = ctx;
    struct run *r = c->r;
    if (res->status == X400MS_CONNECT_ACCEPTED) {
        c->a = a;
        pump(c);
        return;
    }
    mta_note_refusal(r->first_error, sizeof r->first_error, res);
    conn_finished(c);
}

static void on_released(void *ctx, struct x400ms_assoc *a)
{
    (void)a;
    struct conn *c = ctx;
    c->a = NULL;
    conn_finished(c);
}

static void on_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why)
{
    (void)a;
    struct conn *c = ctx;
    c->a = NULL;
    if (!c->releasing)
        note_error(c->r, "association aborted: %s", why && why->reason ? why->reason : "no reason");
    conn_finished(c);
}

static void on_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    (void)ctx;
    x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
}

/* Every association ended (under r->lock). */
static bool all_finished(void *arg)
{
    const struct run *r = arg;
    return r->active <= 0;
}

static void start_all(void *arg)
{
    struct run *r = arg;
    for (int i = 0; i < r->p.connections; i++) {
        struct conn *c = &r->conns[i];
        struct x400ms_assoc_request req;
        memset(&req, 0, sizeof req);
        req.size = sizeof req;
        req.host = r->p.host;
        req.port = r->p.port;
        req.context = &r->ac;
        req.ctx = c;
        req.bind_argument = X400MS_BYTES(r->bind_arg, r->bind_arg_len);
        req.timeout_ms = 30000;
        req.confirm = on_confirm;
        struct x400ms_error err = { 0 };
        if (x400ms_assoc_connect(r->core, &req, &err) < 0) {
            note_error(r, "connect: %s", err.message);
            conn_finished(c);
        }
    }
}

/* ---- command line ---- */

static int parse_priority(const char *s)
{
    if (strcmp(s, "urgent") == 0)
        return MTS_PRIORITY_URGENT;
    if (strcmp(s, "normal") == 0)
        return MTS_PRIORITY_NORMAL;
    if (strcmp(s, "non-urgent") == 0)
        return MTS_PRIORITY_NON_URGENT;
    return -1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int read_content(struct run *r)
{
    FILE *f = fopen(r->p.content_file, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    size_t k;
    while (buf != NULL && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            uint8_t *p = realloc(buf, cap *= 2);
            if (p == NULL) {
                free(buf);
                buf = NULL;
            }
            buf = p;
        }
    }
    fclose(f);
    if (buf == NULL)
        return -1;
    r->content = buf;
    r->content_len = n;
    return 0;
}

int mta_deliver_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'H' },      { "mta-name", required_argument, NULL, 'n' },
        { "password", required_argument, NULL, 'p' },  { "to", required_argument, NULL, 't' },
        { "from", required_argument, NULL, 'f' },      { "count", required_argument, NULL, 'c' },
        { "size", required_argument, NULL, 's' },      { "priority", required_argument, NULL, 'P' },
        { "connections", required_argument, NULL, 'C' }, { "window", required_argument, NULL, 'w' },
        { "content-file", required_argument, NULL, 'F' }, { "subject", required_argument, NULL, 'S' },
        { "reliable", no_argument, NULL, 'R' },        { "context", required_argument, NULL, 'x' },
        { "latency", no_argument, NULL, 'L' },         { "ack-log", required_argument, NULL, 'A' },
        { NULL, 0, NULL, 0 },
    };
    static struct run run; /* lives until exit: late callbacks never see freed memory */
    struct run *r = &run;
    struct params *p = &r->p;
    p->count = 1;
    p->size = 2048;
    p->priority = MTS_PRIORITY_NORMAL;
    p->connections = 1;
    p->window = 16;
    p->from = "/C=XX/A= /P=X400MS/O=MTA/S=originator/";
    p->subject = "x400ms-mta test message";
    const char *hostport = NULL;
    struct x400ms_error err = { 0 };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "H:", opts, NULL)) != -1) {
        switch (ch) {
        case 'H': hostport = optarg; break;
        case 'n': p->mta_name = optarg; break;
        case 'p': p->password = optarg; break;
        case 't':
            if (r->n_to == sizeof r->to / sizeof r->to[0] ||
                or_address_parse(optarg, strlen(optarg), &r->to[r->n_to++], &err) < 0) {
                fprintf(stderr, "x400ms-mta deliver: --to %s: %s\n", optarg,
                        err.message[0] ? err.message : "too many recipients");
                return 2;
            }
            p->to = optarg;
            break;
        case 'f': p->from = optarg; break;
        case 'c': p->count = atol(optarg); break;
        case 's': p->size = atol(optarg); break;
        case 'P':
            if ((p->priority = parse_priority(optarg)) < 0) {
                fprintf(stderr, "x400ms-mta: --priority: expected urgent, normal or non-urgent\n");
                return 2;
            }
            break;
        case 'C': p->connections = atoi(optarg); break;
        case 'w': p->window = atoi(optarg); break;
        case 'F': p->content_file = optarg; break;
        case 'S': p->subject = optarg; break;
        case 'R': p->reliable = true; break;
        case 'x': p->is94 = strcmp(optarg, "94") == 0; break;
        case 'L': p->latency = true; break;
        case 'A': p->ack_log = optarg; break;
        default: return 2;
        }
    }
    if (mta_parse_hostport(hostport, p->host, sizeof p->host, &p->port) < 0 ||
        p->mta_name == NULL || p->password == NULL || p->to == NULL) {
        fprintf(stderr, "x400ms-mta deliver: -H HOST:PORT, --mta-name, --password and --to are "
                        "required\n");
        return 2;
    }
    if (p->count < 0 || p->connections < 1 || p->window < 1 || p->port <= 0) {
        fprintf(stderr, "x400ms-mta deliver: bad --count, --connections, --window or port\n");
        return 2;
    }
    if (or_address_parse(p->from, strlen(p->from), &r->from, &err) < 0) {
        fprintf(stderr, "x400ms-mta deliver: O/R address: %s\n", err.message);
        return 2;
    }
    if (build_bind(r) < 0 ||
        (p->content_file ? read_content(r) : build_ipm(r)) < 0) {
        fprintf(stderr, "x400ms-mta deliver: cannot build the %s\n",
                p->content_file ? "content (reading --content-file)" : "PDUs");
        return 2;
    }
    r->ack_fd = -1;
    if (p->ack_log != NULL &&
        (r->ack_fd = open(p->ack_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
        fprintf(stderr, "x400ms-mta deliver: --ack-log %s: %s\n", p->ack_log, strerror(errno));
        return 2;
    }
    if (p->latency)
        r->lat_us = calloc((size_t)p->count + 1, sizeof *r->lat_us);

    memset(&r->ac, 0, sizeof r->ac);
    mtsac_set(&r->ac, MTSAC_FORCED_ACCESS, p->reliable, p->is94);
    r->ac.max_own_invokes = (unsigned)p->window;
    r->ac.max_peer_invokes = 4;
    r->ac.invoke = on_invoke;
    r->ac.released = on_released;
    r->ac.aborted = on_aborted;

    r->conns = calloc((size_t)p->connections, sizeof *r->conns);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    for (int i = 0; i < p->connections; i++) {
        r->conns[i].r = r;
        r->conns[i].index = i;
        r->conns[i].share = p->count / p->connections + (i < p->count % p->connections ? 1 : 0);
    }
    r->active = p->connections;

    if (mta_stack_start(p->reliable, &r->core, &err) < 0) {
        fprintf(stderr, "x400ms-mta: cannot start the OSI stack: %s\n", err.message);
        return 1;
    }
    uint64_t t0 = now_us();
    if (mta_loop_run(r->core, start_all, r, &r->lock, &r->cond, all_finished) < 0)
        return 1;
    double secs = (double)(now_us() - t0) / 1e6;
    mta_stack_stop(&r->core);

    if (r->first_error[0] != '\0')
        fprintf(stderr, "x400ms-mta: %s\n", r->first_error);
    if (r->lat_us != NULL && r->n_lat > 0) {
        qsort(r->lat_us, (size_t)r->n_lat, sizeof *r->lat_us, cmp_u64);
        printf("latency_ms p50=%.2f p99=%.2f max=%.2f\n", r->lat_us[r->n_lat / 2] / 1000.0,
               r->lat_us[(r->n_lat * 99) / 100] / 1000.0, r->lat_us[r->n_lat - 1] / 1000.0);
    }
    printf("delivered=%ld acknowledged=%ld failed=%ld seconds=%.3f rate=%.1f\n", r->delivered,
           r->acknowledged, r->failed, secs, secs > 0 ? (double)r->acknowledged / secs : 0.0);
    fflush(stdout);
    return r->failed == 0 && r->acknowledged == p->count ? 0 : 1;
}
