/* A transport connection: stream I/O, TPKT reassembly (RFC 1006 section 6),
 * X.224 class 0 connection establishment, data transfer and disconnect. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "x400ms/log.h"
#include "modules/transport/rfc1006/rfc1006.h"

#define R1_READ_CHUNK 16384
#define R1_CLOSE_FLUSH_MS 5000
/* Buffers above this size are released when they empty. */
#define R1_KEEP_BUFFER (256 * 1024)

static void conn_finish(struct r1_conn *c);
static void conn_do_read(struct r1_conn *c);

static const char *conn_module(const struct r1_conn *c)
{
    return c->filter ? c->filter->name : R1_NAME;
}

#define CLOG(c, level, fmt, ...) \
    x400ms_log((level), conn_module(c), "peer %s: " fmt, (c)->peer, ##__VA_ARGS__)

/* ---- lifetime ----------------------------------------------------------- */

void r1_conn_ref(struct r1_conn *c)
{
    c->refs++;
}

void r1_conn_unref(struct r1_conn *c)
{
    if (--c->refs > 0)
        return;
    free(c->in);
    free(c->tsdu);
    free(c->out);
    free(c);
}

static void finish_task(struct r1_conn *c)
{
    c->finish_posted = false;
    if (c->state != R1_DEAD)
        conn_finish(c);
    r1_conn_unref(c);
}

/* Tears down later, from the loop: the user is never called back from inside
 * one of its own calls (send, close). */
static void conn_schedule_finish(struct r1_conn *c)
{
    if (c->finish_posted || c->state == R1_DEAD)
        return;
    c->finish_posted = true;
    r1_conn_ref(c);
    if (x400ms_loop_post(c->loop, finish_task, c) != 0) {
        /* The loop is going away: tear down now. */
        c->finish_posted = false;
        conn_finish(c);
        r1_conn_unref(c);
    }
}

static bool conn_set_reason(struct r1_conn *c, int reason, const char *fmt, va_list ap)
{
    if (c->close_text[0])
        return false; /* the first cause is the one worth telling */
    c->close_reason = reason;
    vsnprintf(c->close_text, sizeof c->close_text, fmt, ap);
    return true;
}

static enum x400ms_log_level reason_level(int reason)
{
    switch (reason) {
    case 0:
    case X400MS_ECLOSED:
    case X400MS_ESTATE:
        return X400MS_LOG_INFO;
    case X400MS_ETIMEDOUT:
    case X400MS_EPERM:
        return X400MS_LOG_NOTICE;
    default:
        return X400MS_LOG_WARNING;
    }
}

static void conn_failv(struct r1_conn *c, enum x400ms_log_level level, int reason,
                       const char *fmt, va_list ap)
{
    if (c->state == R1_DEAD)
        return;
    if (conn_set_reason(c, reason, fmt, ap))
        CLOG(c, level, "%s; closing", c->close_text);
    c->state = R1_CLOSING;
    c->out_head = c->out_len = 0;
    if (c->busy > 0 && c->user_calls == 0)
        conn_finish(c); /* inside our own handler: nothing of the user's is on the stack */
    else
        conn_schedule_finish(c);
}

void r1_conn_fail(struct r1_conn *c, int reason, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    conn_failv(c, reason_level(reason), reason, fmt, ap);
    va_end(ap);
}

/* A peer that closes in the middle of a PDU is worth a notice line. */
static void conn_fail_notice(struct r1_conn *c, int reason, const char *fmt, ...)
    X400MS_PRINTF(3, 4);
static void conn_fail_notice(struct r1_conn *c, int reason, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    conn_failv(c, X400MS_LOG_NOTICE, reason, fmt, ap);
    va_end(ap);
}

/* Closes the socket and tells the user; the memory goes with the last ref. */
static void conn_finish(struct r1_conn *c)
{
    struct r1_engine *eng = c->eng;

    if (c->state == R1_DEAD)
        return;
    c->state = R1_DEAD;
    x400ms_io_remove(&c->io);
    x400ms_timer_remove(&c->timer);
    if (c->stream && c->sops)
        c->sops->close(c->stream);
    c->stream = NULL;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;

    pthread_mutex_lock(&eng->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        eng->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    atomic_fetch_sub(&eng->nconns, 1);
    pthread_cond_broadcast(&eng->cond);
    pthread_mutex_unlock(&eng->lock);

    if (c->user_attached) {
        c->user_attached = false;
        if (!c->close_text[0])
            snprintf(c->close_text, sizeof c->close_text, "closed");
        if (c->user && c->user->disconnected)
            c->user->disconnected(c->pub.user_ctx, &c->pub, c->close_reason, c->close_text);
    }
    CLOG(c, X400MS_LOG_DEBUG, "connection closed (%s)", c->close_text);
    r1_conn_unref(c); /* the reference the connection holds on itself */
}

/* ---- events and timers -------------------------------------------------- */

int r1_conn_set_events(struct r1_conn *c, unsigned events)
{
    if (!c->io || events == c->io_events)
        return 0;
    c->io_events = events;
    return x400ms_io_modify(c->io, events);
}

static unsigned conn_wanted_events(const struct r1_conn *c)
{
    bool out_pending = c->out_head < c->out_len;
    unsigned ev = 0;

    switch (c->state) {
    case R1_CONNECTING:
        return X400MS_IO_WRITE;
    case R1_HANDSHAKE:
        return c->hs_want ? c->hs_want : X400MS_IO_READ;
    case R1_WAIT_CR:
    case R1_WAIT_CC:
    case R1_OPEN:
        if (!c->read_paused)
            ev |= c->read_want ? c->read_want : X400MS_IO_READ;
        if (out_pending)
            ev |= c->write_want ? c->write_want : X400MS_IO_WRITE;
        return ev;
    case R1_CLOSING:
        return out_pending ? (c->write_want ? c->write_want : X400MS_IO_WRITE) : 0;
    default:
        return 0;
    }
}

static void conn_on_timer(struct r1_conn *c);

/* TCP + stream handshake + CR/CC must complete within this. */
static uint64_t conn_establish_ms(const struct r1_conn *c)
{
    return c->establish_ms ? c->establish_ms : (uint64_t)c->eng->cfg.connect_timeout * 1000;
}

static void conn_timer_at(struct r1_conn *c, uint64_t ms)
{
    x400ms_timer_remove(&c->timer);
    c->timer = x400ms_timer_add(c->loop, ms ? ms : 1, false, conn_on_timer, c);
}

void r1_conn_arm_timer(struct r1_conn *c)
{
    const struct r1_config *cfg = &c->eng->cfg;
    uint64_t now = x400ms_loop_now_ms(c->loop);
    uint64_t limit_ms, elapsed;

    if (c->state == R1_DEAD)
        return;
    if (c->state == R1_CLOSING) {
        conn_timer_at(c, R1_CLOSE_FLUSH_MS);
        return;
    }
    limit_ms = c->state == R1_OPEN ? (uint64_t)cfg->idle_timeout * 1000 : conn_establish_ms(c);
    elapsed = now - (c->state == R1_OPEN ? c->last_input_ms : c->created_ms);
    uint64_t wait_ms = limit_ms == 0 ? UINT64_MAX : elapsed >= limit_ms ? 1 : limit_ms - elapsed;
    if (c->state == R1_OPEN && c->partial_since_ms) {
        uint64_t pdu_ms = (uint64_t)cfg->pdu_timeout * 1000;
        uint64_t since = now - c->partial_since_ms;
        uint64_t left = since >= pdu_ms ? 1 : pdu_ms - since;
        if (left < wait_ms)
            wait_ms = left;
    }
    if (wait_ms == UINT64_MAX) {
        x400ms_timer_remove(&c->timer);
        return;
    }
    conn_timer_at(c, wait_ms);
}

static void conn_on_timer(struct r1_conn *c)
{
    const struct r1_config *cfg = &c->eng->cfg;
    uint64_t now = x400ms_loop_now_ms(c->loop);

    c->timer = NULL; /* a fired one-shot timer belongs to the loop */
    r1_conn_ref(c);
    c->busy++;
    if (c->state == R1_CLOSING) {
        r1_conn_fail(c, c->close_reason, "output not drained within %d s of the close",
                     R1_CLOSE_FLUSH_MS / 1000);
    } else if (c->state == R1_OPEN) {
        if (c->partial_since_ms && now - c->partial_since_ms >= (uint64_t)cfg->pdu_timeout * 1000)
            r1_conn_fail(c, X400MS_ETIMEDOUT, "a TPKT/TSDU begun %llu ms ago is still incomplete "
                         "(pdu_timeout %lld s; %zu octets of a TPKT and %zu of a TSDU pending)",
                         (unsigned long long)(now - c->partial_since_ms), cfg->pdu_timeout,
                         c->in_len, c->tsdu_len);
        else if (cfg->idle_timeout && now - c->last_input_ms >= (uint64_t)cfg->idle_timeout * 1000)
            r1_conn_fail(c, X400MS_ETIMEDOUT, "idle for %lld s (idle_timeout)", cfg->idle_timeout);
        else
            r1_conn_arm_timer(c);
    } else if (c->state != R1_DEAD) {
        uint64_t limit = conn_establish_ms(c);
        if (limit && now - c->created_ms >= limit)
            r1_conn_fail(c, X400MS_ETIMEDOUT, "connection not established within %llu ms",
                         (unsigned long long)limit);
        else
            r1_conn_arm_timer(c);
    }
    c->busy--;
    r1_conn_settle(c);
    r1_conn_unref(c);
}

/* ---- output ------------------------------------------------------------- */

static int out_reserve(struct r1_conn *c, size_t need)
{
    size_t cap;
    uint8_t *p;

    if (c->out_cap - c->out_len >= need)
        return 0;
    if (c->out_head > 0) {
        memmove(c->out, c->out + c->out_head, c->out_len - c->out_head);
        c->out_len -= c->out_head;
        c->out_head = 0;
        if (c->out_cap - c->out_len >= need)
            return 0;
    }
    cap = c->out_cap ? c->out_cap : 16384;
    while (cap - c->out_len < need)
        cap *= 2;
    p = realloc(c->out, cap);
    if (!p)
        return X400MS_ENOMEM;
    c->out = p;
    c->out_cap = cap;
    return 0;
}

static int out_append_tpdu(struct r1_conn *c, const struct x224_tpdu *t)
{
    uint8_t buf[512];
    size_t n = x224_encode(buf, sizeof buf, t);

    if (n == 0 || out_reserve(c, n) != 0)
        return X400MS_ENOMEM;
    memcpy(c->out + c->out_len, buf, n);
    c->out_len += n;
    return 0;
}

static void conn_call_writable(struct r1_conn *c)
{
    if (c->state == R1_OPEN && c->user && c->user->writable) {
        c->busy++;
        c->user->writable(c->pub.user_ctx, &c->pub);
        c->busy--;
    }
}

static void writable_task(struct r1_conn *c)
{
    conn_call_writable(c);
    r1_conn_settle(c);
    r1_conn_unref(c);
}

static void conn_post_writable(struct r1_conn *c)
{
    r1_conn_ref(c);
    if (x400ms_loop_post(c->loop, writable_task, c) != 0)
        r1_conn_unref(c);
}

static void conn_flush(struct r1_conn *c)
{
    size_t limit = (size_t)c->eng->cfg.max_output;
    struct x400ms_error err = { 0 };

    while (c->out_head < c->out_len && c->state != R1_DEAD) {
        unsigned want = X400MS_IO_WRITE;
        long n = c->sops->write(c->stream, c->out + c->out_head, c->out_len - c->out_head, &want,
                                &err);
        if (n == X400MS_EAGAIN) {
            c->write_want = want;
            break;
        }
        if (n < 0) {
            r1_conn_fail(c, n == X400MS_ECLOSED ? X400MS_ECLOSED : X400MS_EIO, "%s", err.message);
            return;
        }
        c->write_want = 0;
        c->out_head += (size_t)n;
    }
    if (c->out_head == c->out_len) {
        c->out_head = c->out_len = 0;
        if (c->out_cap > R1_KEEP_BUFFER) {
            free(c->out);
            c->out = NULL;
            c->out_cap = 0;
        }
    }
    if (c->out_len - c->out_head < limit / 2) {
        c->read_paused = false;
        if (c->out_blocked && c->state == R1_OPEN) {
            c->out_blocked = false;
            if (c->user_calls > 0)
                conn_post_writable(c); /* not from inside the user's own send */
            else
                conn_call_writable(c);
        }
    }
}

/* X.224 13.7: a TSDU goes out as DT TPDUs of at most the negotiated size,
 * EOT set on the last. */
static int conn_sendv(struct x400ms_tconn *pub, const struct iovec *iov, int iovcnt)
{
    struct r1_conn *c = (struct r1_conn *)pub;
    size_t total = 0, seg, nseg, pending, vi_off = 0;
    int vi = 0;

    if (c->state != R1_OPEN)
        return X400MS_ECLOSED;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    if (total > (size_t)c->eng->cfg.max_tsdu)
        return X400MS_ELIMIT;
    pending = c->out_len - c->out_head;
    if (pending >= (size_t)c->eng->cfg.max_output) {
        c->out_blocked = true;
        return X400MS_EAGAIN;
    }
    seg = c->tpdu_size - X224_DT_HEADER_LEN;
    nseg = total ? (total + seg - 1) / seg : 1;
    if (out_reserve(c, total + nseg * X224_DT_OVERHEAD) != 0)
        return X400MS_ENOMEM;
    for (size_t s = 0; s < nseg; s++) {
        size_t n = s + 1 < nseg ? seg : total - s * seg;
        uint8_t *p = c->out + c->out_len;
        x224_put_dt_header(p, n, s + 1 == nseg);
        p += X224_DT_OVERHEAD;
        c->out_len += X224_DT_OVERHEAD + n;
        while (n > 0) {
            size_t take = iov[vi].iov_len - vi_off;
            if (take > n)
                take = n;
            memcpy(p, (const uint8_t *)iov[vi].iov_base + vi_off, take);
            p += take;
            n -= take;
            vi_off += take;
            if (vi_off == iov[vi].iov_len) {
                vi++;
                vi_off = 0;
            }
        }
    }
    if (c->out_len - c->out_head >= (size_t)c->eng->cfg.max_output)
        c->read_paused = true; /* back-pressure: stop reading until it drains */
    if (c->busy == 0) {
        /* Called from outside our handlers: write now. Failures are told to
         * the user later, from the loop. */
        c->user_calls++;
        c->busy++;
        conn_flush(c);
        c->busy--;
        c->user_calls--;
        if (c->state == R1_CLOSING)
            conn_schedule_finish(c); /* a write failed: tell the user from the loop */
        else
            r1_conn_settle(c);
    }
    return 0;
}

static void conn_close(struct x400ms_tconn *pub, bool flush)
{
    struct r1_conn *c = (struct r1_conn *)pub;

    if (c->state == R1_DEAD)
        return;
    c->user_calls++;
    if (c->state != R1_CLOSING) {
        if (!c->close_text[0]) {
            c->close_reason = 0;
            snprintf(c->close_text, sizeof c->close_text, "closed by the transport user");
        }
        if (c->state != R1_OPEN)
            flush = false;
        c->state = R1_CLOSING;
        CLOG(c, X400MS_LOG_DEBUG, "closing (%s)", flush ? "flushing output" : "abort");
    }
    if (!flush)
        c->out_head = c->out_len = 0;
    if (c->out_head == c->out_len) {
        conn_schedule_finish(c);
    } else {
        r1_conn_arm_timer(c);
        if (c->busy == 0) {
            c->busy++;
            conn_flush(c);
            c->busy--;
            if (c->out_head == c->out_len || c->state == R1_DEAD)
                conn_schedule_finish(c);
            else
                r1_conn_set_events(c, conn_wanted_events(c));
        }
    }
    c->user_calls--;
}

/* ---- X.224 connection establishment ------------------------------------ */

static void conn_protocol_error(struct r1_conn *c, const struct x224_tpdu *t, const uint8_t *tpdu,
                                size_t len, const char *what)
{
    /* X.224 13.12: answer with ER carrying the offending header, then, class
     * 0 having no other way, release the network connection. */
    struct x224_tpdu er = { .code = X224_ER, .dst_ref = c->remote_ref, .cause = t->cause };
    size_t hdr = len ? (size_t)tpdu[0] + 1 : 0;

    if (hdr > len)
        hdr = len;
    er.info = tpdu;
    er.info_len = hdr > 64 ? 64 : hdr;
    CLOG(c, X400MS_LOG_WARNING, "%s; sending ER and closing", what);
    snprintf(c->close_text, sizeof c->close_text, "protocol error: %s", what);
    c->close_reason = X400MS_EPROTO;
    out_append_tpdu(c, &er);
    c->state = R1_CLOSING;
    r1_conn_arm_timer(c);
}

static void conn_refuse(struct r1_conn *c, uint8_t reason, const char *fmt, ...)
    X400MS_PRINTF(3, 4);
static void conn_refuse(struct r1_conn *c, uint8_t reason, const char *fmt, ...)
{
    struct x224_tpdu dr = { .code = X224_DR, .dst_ref = c->remote_ref, .src_ref = c->local_ref,
                            .reason = reason };
    va_list ap;

    va_start(ap, fmt);
    conn_set_reason(c, X400MS_EPERM, fmt, ap);
    va_end(ap);
    CLOG(c, X400MS_LOG_NOTICE, "CR refused (DR reason %u): %s", reason, c->close_text);
    out_append_tpdu(c, &dr);
    c->state = R1_CLOSING;
    r1_conn_arm_timer(c);
}

static void tsel_copy(struct r1_tsel *dst, bool present, const uint8_t *p, size_t n)
{
    dst->present = present && n <= X224_TSEL_MAX;
    dst->len = dst->present ? n : 0;
    if (dst->present && n)
        memcpy(dst->bytes, p, n);
}

/* X.224 13.3.4 b): the responder answers with a size no larger than the
 * proposal; the preferred maximum (F0) supersedes the TPDU size (C0) when
 * present. The configured tpdu_size bounds both. */
static void negotiate_size(struct r1_conn *c, const struct x224_tpdu *cr, struct x224_tpdu *cc)
{
    size_t ours = (size_t)c->eng->cfg.tpdu_size;

    if (cr->pref_tpdu_size) {
        size_t ours128 = ours / 128 * 128;
        c->tpdu_size = cr->pref_tpdu_size < ours128 ? cr->pref_tpdu_size : ours128;
        cc->pref_tpdu_size = (uint32_t)c->tpdu_size;
    } else {
        size_t proposed = cr->tpdu_size ? cr->tpdu_size : X224_DEFAULT_TPDU_SIZE;
        size_t pow2 = (size_t)1 << x224_tpdu_size_code(ours);
        c->tpdu_size = proposed < pow2 ? proposed : pow2;
        cc->tpdu_size = (uint32_t)c->tpdu_size;
    }
}

static int refuse_reason(int rc)
{
    switch (rc) {
    case X400MS_ELIMIT: return X224_DR_CONGESTION;
    case X400MS_ENOENT: return X224_DR_ADDRESS_UNKNOWN;
    default: return X224_DR_UNSPECIFIED;
    }
}

static void conn_on_cr(struct r1_conn *c, const struct x224_tpdu *cr)
{
    const struct r1_listener *l = c->listener;
    struct x224_tpdu cc = { .code = X224_CC, .class_option = 0 };
    char want[80], got[80];
    size_t cc_at;
    int rc;

    c->remote_ref = cr->src_ref;
    tsel_copy(&c->remote_tsel, cr->has_calling, cr->calling_tsel, cr->calling_tsel_len);
    tsel_copy(&c->local_tsel, cr->has_called, cr->called_tsel, cr->called_tsel_len);
    if (l->tsel.present &&
        !(cr->has_called && cr->called_tsel_len == l->tsel.len &&
          memcmp(cr->called_tsel, l->tsel.bytes, l->tsel.len) == 0)) {
        conn_refuse(c, X224_DR_ADDRESS_UNKNOWN, "unknown T-selector %s (this listener serves %s)",
                    r1_tsel_format(cr->has_called ? cr->called_tsel : NULL, cr->called_tsel_len,
                                   got, sizeof got),
                    r1_tsel_format(l->tsel.bytes, l->tsel.len, want, sizeof want));
        return;
    }
    if (cr->class_option >> 4 != 0)
        /* RFC 1006 carries class 0 only; X.224 6.5.4 lets the responder pick
         * a lower class than the one proposed. */
        CLOG(c, X400MS_LOG_DEBUG, "CR proposes class %u: answering class 0", cr->class_option >> 4);

    negotiate_size(c, cr, &cc);
    cc.dst_ref = c->remote_ref;
    cc.src_ref = c->local_ref;
    cc.has_calling = c->remote_tsel.present;
    cc.calling_tsel = c->remote_tsel.bytes;
    cc.calling_tsel_len = c->remote_tsel.len;
    cc.has_called = c->local_tsel.present;
    cc.called_tsel = c->local_tsel.bytes;
    cc.called_tsel_len = c->local_tsel.len;
    /* RFC 1006 section 6: expedited data is an option we do not take. */
    cc.has_options = cr->has_options;
    cc.options = 0;

    cc_at = c->out_len;
    if (out_append_tpdu(c, &cc) != 0) {
        r1_conn_fail(c, X400MS_ENOMEM, "out of memory for the CC");
        return;
    }
    c->state = R1_OPEN;
    c->user = l->user;
    c->user_ctx = l->user_ctx;
    c->pub.user_ctx = NULL;
    rc = c->user->connected(c->user_ctx, &c->pub);
    if (c->state == R1_DEAD)
        return;
    if (rc < 0) {
        c->out_len = cc_at; /* neither the CC nor anything the user queued */
        c->state = R1_WAIT_CR;
        conn_refuse(c, (uint8_t)refuse_reason(rc), "transport user \"%s\" refused: %s",
                    l->user_name, x400ms_strerror(rc));
        return;
    }
    c->user_attached = true;
    CLOG(c, X400MS_LOG_INFO, "transport connection open (T-selector %s, TPDU size %zu, user %s)",
         r1_tsel_format(c->local_tsel.present ? c->local_tsel.bytes : NULL, c->local_tsel.len, got,
                        sizeof got),
         c->tpdu_size, l->user_name);
    r1_conn_arm_timer(c);
}

static void conn_on_cc(struct r1_conn *c, const struct x224_tpdu *cc, const uint8_t *tpdu,
                       size_t len)
{
    size_t proposed = (size_t)c->eng->cfg.tpdu_size, chosen;
    char msg[160];
    int rc;

    chosen = cc->pref_tpdu_size ? cc->pref_tpdu_size
                                : cc->tpdu_size ? cc->tpdu_size : X224_DEFAULT_TPDU_SIZE;
    if (cc->dst_ref != c->local_ref || cc->class_option >> 4 != 0 || chosen > proposed) {
        struct x224_tpdu t = { .cause = X224_ER_INVALID_PARAM_VALUE };
        snprintf(msg, sizeof msg, "CC unacceptable: dst-ref 0x%04x (ours 0x%04x), class %u, "
                 "TPDU size %zu (proposed %zu)", cc->dst_ref, c->local_ref,
                 cc->class_option >> 4, chosen, proposed);
        conn_protocol_error(c, &t, tpdu, len, msg);
        return;
    }
    c->remote_ref = cc->src_ref;
    c->tpdu_size = chosen;
    c->state = R1_OPEN;
    rc = c->user->connected(c->user_ctx, &c->pub);
    if (c->state == R1_DEAD)
        return;
    if (rc < 0) {
        c->user_attached = false;
        r1_conn_fail(c, rc, "refused by the transport user after CC: %s", x400ms_strerror(rc));
        return;
    }
    CLOG(c, X400MS_LOG_INFO, "transport connection open (outgoing, TPDU size %zu)", c->tpdu_size);
    r1_conn_arm_timer(c);
}

/* Sends our CR (outbound): TPDU size as C0, and F0 when the configured size
 * exceeds what C0 can say. */
static void conn_send_cr(struct r1_conn *c)
{
    size_t ours = (size_t)c->eng->cfg.tpdu_size;
    struct x224_tpdu cr = { .code = X224_CR, .src_ref = c->local_ref, .class_option = 0 };

    cr.tpdu_size = 1u << x224_tpdu_size_code(ours);
    if (ours > 8192)
        cr.pref_tpdu_size = (uint32_t)(ours / 128 * 128);
    cr.has_calling = c->local_tsel.present;
    cr.calling_tsel = c->local_tsel.bytes;
    cr.calling_tsel_len = c->local_tsel.len;
    cr.has_called = c->remote_tsel.present;
    cr.called_tsel = c->remote_tsel.bytes;
    cr.called_tsel_len = c->remote_tsel.len;
    if (out_append_tpdu(c, &cr) != 0) {
        r1_conn_fail(c, X400MS_ENOMEM, "out of memory for the CR");
        return;
    }
    c->state = R1_WAIT_CC;
}

/* ---- input ----------------------------------------------------------- */

static void conn_deliver(struct r1_conn *c, const uint8_t *p, size_t n)
{
    /* A TSDU completed: whatever input remains began just now. */
    c->partial_since_ms = x400ms_loop_now_ms(c->loop);
    c->user->data(c->pub.user_ctx, &c->pub, p, n);
}

static void conn_on_dt(struct r1_conn *c, const struct x224_tpdu *dt)
{
    size_t max = (size_t)c->eng->cfg.max_tsdu;

    if (c->tsdu_len == 0 && dt->eot) {
        if (dt->data_len > max) {
            r1_conn_fail(c, X400MS_ELIMIT, "TSDU of %zu octets exceeds max_tsdu %zu", dt->data_len,
                         max);
            return;
        }
        conn_deliver(c, dt->data, dt->data_len); /* the common case: no copy */
        return;
    }
    if (dt->data_len > max - c->tsdu_len) {
        r1_conn_fail(c, X400MS_ELIMIT, "TSDU exceeds max_tsdu %zu octets (%zu reassembled, "
                     "%zu more in this DT)", max, c->tsdu_len, dt->data_len);
        return;
    }
    if (c->tsdu_cap - c->tsdu_len < dt->data_len) {
        size_t cap = c->tsdu_cap ? c->tsdu_cap : 16384;
        uint8_t *p;
        while (cap - c->tsdu_len < dt->data_len)
            cap *= 2;
        if (cap > max)
            cap = max;
        p = realloc(c->tsdu, cap);
        if (!p) {
            r1_conn_fail(c, X400MS_ENOMEM, "out of memory reassembling a TSDU of %zu octets",
                         c->tsdu_len + dt->data_len);
            return;
        }
        c->tsdu = p;
        c->tsdu_cap = cap;
    }
    memcpy(c->tsdu + c->tsdu_len, dt->data, dt->data_len);
    c->tsdu_len += dt->data_len;
    if (dt->eot) {
        size_t n = c->tsdu_len;
        c->tsdu_len = 0;
        conn_deliver(c, c->tsdu, n);
        if (c->tsdu_len == 0 && c->tsdu_cap > R1_KEEP_BUFFER && c->state != R1_DEAD) {
            free(c->tsdu);
            c->tsdu = NULL;
            c->tsdu_cap = 0;
        }
    }
}

static void conn_on_tpdu(struct r1_conn *c, const uint8_t *tpdu, size_t len)
{
    struct x224_tpdu t;
    struct x400ms_error err = { 0 };
    char msg[300];
    int rc = x224_decode(tpdu, len, &t, &err);

    if (rc != 0) {
        conn_protocol_error(c, &t, tpdu, len, err.message);
        return;
    }
    switch (c->state) {
    case R1_WAIT_CR:
        if (t.code == X224_CR) {
            conn_on_cr(c, &t);
            return;
        }
        break;
    case R1_WAIT_CC:
        if (t.code == X224_CC) {
            conn_on_cc(c, &t, tpdu, len);
            return;
        }
        if (t.code == X224_DR) {
            r1_conn_fail(c, X400MS_EPERM, "connection refused by the peer: DR reason %u",
                         t.reason);
            return;
        }
        break;
    case R1_OPEN:
        if (t.code == X224_DT) {
            conn_on_dt(c, &t);
            return;
        }
        if (t.code == X224_DR) {
            r1_conn_fail(c, X400MS_ECLOSED, "peer sent DR reason %u", t.reason);
            return;
        }
        break;
    default:
        return;
    }
    if (t.code == X224_ER) {
        r1_conn_fail(c, X400MS_EPROTO, "peer sent ER: reject cause %u", t.cause);
        return;
    }
    snprintf(msg, sizeof msg, "X.224 %s unexpected %s", x224_code_name(t.code),
             c->state == R1_WAIT_CR ? "before the CR"
             : c->state == R1_WAIT_CC ? "before the CC" : "in data transfer");
    t.cause = X224_ER_INVALID_TPDU_TYPE;
    conn_protocol_error(c, &t, tpdu, len, msg);
}

static bool conn_reading(const struct r1_conn *c)
{
    return c->state == R1_WAIT_CR || c->state == R1_WAIT_CC || c->state == R1_OPEN;
}

/* RFC 1006 section 6: TPKTs arrive in any split: many in one read, one
 * across many reads. */
static void conn_process_input(struct r1_conn *c)
{
    size_t pos = 0;

    while (pos < c->in_len && conn_reading(c)) {
        struct x400ms_error err = { 0 };
        size_t n = 0;
        int rc = tpkt_peek(c->in + pos, c->in_len - pos, c->eng->max_tpkt, &n, &err);

        if (rc == X400MS_EAGAIN)
            break;
        if (rc != 0) {
            r1_conn_fail(c, rc, "%s (stream offset %zu of this read)", err.message, pos);
            return;
        }
        conn_on_tpdu(c, c->in + pos + TPKT_HEADER_LEN, n - TPKT_HEADER_LEN);
        pos += n;
    }
    if (c->state == R1_DEAD)
        return;
    if (pos > 0) {
        memmove(c->in, c->in + pos, c->in_len - pos);
        c->in_len -= pos;
    }
}

static void conn_do_read(struct r1_conn *c)
{
    size_t limit = c->eng->max_tpkt + R1_READ_CHUNK;

    for (int i = 0; i < 32 && conn_reading(c) && !c->read_paused; i++) {
        struct x400ms_error err = { 0 };
        unsigned want = X400MS_IO_READ;
        size_t room;
        long n;

        if (c->in_cap - c->in_len < R1_READ_CHUNK / 4 && c->in_cap < limit) {
            size_t cap = c->in_cap ? c->in_cap * 2 : R1_READ_CHUNK;
            uint8_t *p;
            if (cap > limit)
                cap = limit;
            p = realloc(c->in, cap);
            if (!p) {
                r1_conn_fail(c, X400MS_ENOMEM, "out of memory for input");
                return;
            }
            c->in = p;
            c->in_cap = cap;
        }
        room = c->in_cap - c->in_len;
        n = c->sops->read(c->stream, c->in + c->in_len, room, &want, &err);
        if (n == X400MS_EAGAIN) {
            c->read_want = want;
            return;
        }
        if (n == 0) {
            if (c->in_len || c->tsdu_len)
                conn_fail_notice(c, X400MS_ECLOSED, "peer closed TCP mid-PDU (%zu octets of a TPKT "
                             "and %zu of a TSDU pending)", c->in_len, c->tsdu_len);
            else if (c->state != R1_OPEN)
                r1_conn_fail(c, X400MS_ECLOSED, "peer closed TCP before the connection was "
                             "established");
            else
                r1_conn_fail(c, X400MS_ECLOSED, "peer closed the connection");
            return;
        }
        if (n < 0) {
            r1_conn_fail(c, n == X400MS_ECLOSED ? X400MS_ECLOSED : X400MS_EIO, "%s", err.message);
            return;
        }
        c->read_want = 0;
        c->last_input_ms = x400ms_loop_now_ms(c->loop);
        c->in_len += (size_t)n;
        uint64_t partial_before = c->partial_since_ms;
        conn_process_input(c);
        if (c->state == R1_DEAD)
            return;
        if (!c->in_len && !c->tsdu_len)
            c->partial_since_ms = 0;
        else if (!c->partial_since_ms)
            c->partial_since_ms = c->last_input_ms;
        if (c->partial_since_ms && c->partial_since_ms != partial_before)
            r1_conn_arm_timer(c); /* the partial PDU's deadline may come first */
        if ((size_t)n < room && c->sops->pending(c->stream) == 0)
            return; /* the socket is drained */
    }
}

static void conn_resume_task(struct r1_conn *c)
{
    c->busy++;
    if (conn_reading(c))
        conn_do_read(c);
    c->busy--;
    r1_conn_settle(c);
    r1_conn_unref(c);
}

/* After a handler: write what it queued, finish a close, update the events. */
void r1_conn_settle(struct r1_conn *c)
{
    if (c->state == R1_DEAD || c->busy > 0)
        return;
    c->busy++;
    if (c->out_head < c->out_len && c->state != R1_CONNECTING && c->state != R1_HANDSHAKE &&
        c->state != R1_RESOLVING)
        conn_flush(c);
    c->busy--;
    if (c->state == R1_DEAD)
        return;
    if (c->state == R1_CLOSING && c->out_head == c->out_len) {
        if (c->user_calls > 0) {
            conn_schedule_finish(c); /* never call the user back from inside its call */
            return;
        }
        c->busy++;
        conn_finish(c);
        c->busy--;
        return;
    }
    if (r1_conn_set_events(c, conn_wanted_events(c)) != 0) {
        c->busy++;
        r1_conn_fail(c, X400MS_EIO, "cannot watch the socket");
        c->busy--;
        return;
    }
    /* Bytes a filter already decoded raise no socket event: go on reading. */
    if (conn_reading(c) && !c->read_paused && c->stream && c->sops->pending(c->stream) > 0) {
        r1_conn_ref(c);
        if (x400ms_loop_post(c->loop, conn_resume_task, c) != 0)
            r1_conn_unref(c);
    }
}

static void conn_do_handshake(struct r1_conn *c)
{
    struct x400ms_error err = { 0 };
    unsigned want = X400MS_IO_READ;
    int rc = c->sops->handshake(c->stream, &want, &err);

    if (rc == X400MS_EAGAIN) {
        c->hs_want = want;
        return;
    }
    if (rc != 0) {
        r1_conn_fail(c, X400MS_EIO, "%s handshake failed: %s", conn_module(c), err.message);
        return;
    }
    if (c->sops->describe)
        CLOG(c, X400MS_LOG_DEBUG, "%s established", c->sops->describe(c->stream));
    if (c->inbound) {
        c->state = R1_WAIT_CR;
    } else {
        conn_send_cr(c);
    }
    if (conn_reading(c))
        conn_do_read(c); /* the CR may have come with the handshake's last flight */
}

static void conn_on_io(struct r1_conn *c, int fd, unsigned events)
{
    (void)fd;
    r1_conn_ref(c);
    c->busy++;
    switch (c->state) {
    case R1_CONNECTING:
        r1_connect_on_writable(c);
        break;
    case R1_HANDSHAKE:
        conn_do_handshake(c);
        break;
    case R1_WAIT_CR:
    case R1_WAIT_CC:
    case R1_OPEN:
    case R1_CLOSING: {
        bool can_write = (events & (X400MS_IO_WRITE | X400MS_IO_ERROR)) ||
                         (c->write_want == X400MS_IO_READ && (events & X400MS_IO_READ));
        bool can_read = (events & (X400MS_IO_READ | X400MS_IO_ERROR)) ||
                        (c->read_want == X400MS_IO_WRITE && (events & X400MS_IO_WRITE));
        if (can_write && c->out_head < c->out_len)
            conn_flush(c);
        if (can_read && conn_reading(c))
            conn_do_read(c);
        else if ((events & X400MS_IO_ERROR) && c->state == R1_CLOSING)
            r1_conn_fail(c, X400MS_ECLOSED, "socket error while closing");
        break;
    }
    default:
        break;
    }
    c->busy--;
    r1_conn_settle(c);
    r1_conn_unref(c);
}

/* ---- creation ----------------------------------------------------------- */

static const char *conn_peer(const struct x400ms_tconn *pub)
{
    return ((const struct r1_conn *)pub)->peer;
}

static const uint8_t *conn_tsel(const struct x400ms_tconn *pub, bool local, size_t *len_r)
{
    const struct r1_conn *c = (const struct r1_conn *)pub;
    const struct r1_tsel *t = local ? &c->local_tsel : &c->remote_tsel;

    *len_r = t->present ? t->len : 0;
    return t->present ? t->bytes : NULL;
}

static struct x400ms_loop *conn_loop(const struct x400ms_tconn *pub)
{
    return ((const struct r1_conn *)pub)->loop;
}

static size_t conn_queued(const struct x400ms_tconn *pub)
{
    const struct r1_conn *c = (const struct r1_conn *)pub;
    return c->out_len - c->out_head;
}

static size_t conn_tpdu_size(const struct x400ms_tconn *pub)
{
    return ((const struct r1_conn *)pub)->tpdu_size;
}

static const char *conn_transport(const struct x400ms_tconn *pub)
{
    return conn_module((const struct r1_conn *)pub);
}

static bool conn_inbound(const struct x400ms_tconn *pub)
{
    return ((const struct r1_conn *)pub)->inbound;
}

static const struct x400ms_tconn_ops conn_ops = {
    .size = sizeof(struct x400ms_tconn_ops),
    .sendv = conn_sendv,
    .close = conn_close,
    .peer = conn_peer,
    .tsel = conn_tsel,
    .loop = conn_loop,
    .queued = conn_queued,
    .tpdu_size = conn_tpdu_size,
    .transport = conn_transport,
    .inbound = conn_inbound,
};

static uint16_t new_reference(void)
{
    /* X.224 13.3.3: any non-zero reference unique on the network connection. */
    static _Thread_local uint32_t seed;
    if (!seed)
        seed = (uint32_t)getpid() ^ (uint32_t)(uintptr_t)&seed;
    seed = seed * 1103515245u + 12345u;
    return (uint16_t)((seed >> 16) | 1);
}

struct r1_conn *r1_conn_new(struct r1_engine *eng, struct x400ms_loop *loop, int fd, bool inbound,
                            const struct x400ms_tfilter *filter, void *filter_ctx)
{
    struct r1_conn *c = calloc(1, sizeof *c);

    if (!c)
        return NULL;
    c->pub.ops = &conn_ops;
    c->eng = eng;
    c->loop = loop;
    c->refs = 1;
    c->fd = fd;
    c->inbound = inbound;
    c->filter = filter;
    c->sops = filter ? filter->stream_ops : &r1_tcp_stream_ops;
    c->stream = filter ? NULL : r1_tcp_stream(fd);
    c->local_ref = new_reference();
    c->tpdu_size = X224_DEFAULT_TPDU_SIZE;
    c->last_input_ms = c->created_ms = x400ms_loop_now_ms(loop);
    c->filter_ctx = filter_ctx;
    snprintf(c->peer, sizeof c->peer, "(unknown)");

    pthread_mutex_lock(&eng->lock);
    c->next = eng->conns;
    if (c->next)
        c->next->prev = c;
    eng->conns = c;
    pthread_mutex_unlock(&eng->lock);
    return c;
}

/* Registers the socket with the loop; the caller has set state. */
int r1_conn_watch(struct r1_conn *c)
{
    c->io_events = conn_wanted_events(c);
    c->io = x400ms_io_add(c->loop, c->fd, c->io_events, conn_on_io, c);
    return c->io ? 0 : X400MS_EIO;
}

void r1_conn_start_inbound(struct r1_conn *c, const struct r1_listener *l)
{
    struct x400ms_error err = { 0 };

    c->listener = l;
    c->busy++;
    if (l->filter) {
        if (l->filter->open(l->filter_ctx, c->fd, true, NULL, &c->stream, &err) != 0) {
            r1_conn_fail(c, X400MS_EIO, "%s", err.message);
            c->busy--;
            return;
        }
        c->state = R1_HANDSHAKE;
    } else {
        c->state = R1_WAIT_CR;
    }
    if (r1_conn_watch(c) != 0) {
        r1_conn_fail(c, X400MS_EIO, "cannot watch the socket");
        c->busy--;
        return;
    }
    r1_conn_arm_timer(c);
    CLOG(c, X400MS_LOG_DEBUG, "accepted on %s:%d", l->address, l->port);
    c->busy--;
}

void r1_conn_tcp_connected(struct r1_conn *c)
{
    struct x400ms_error err = { 0 };

    if (c->filter) {
        if (c->filter->open(c->filter_ctx, c->fd, false, c->server_name[0] ? c->server_name : c->host, &c->stream, &err) != 0) {
            r1_conn_fail(c, X400MS_EIO, "%s", err.message);
            return;
        }
        c->state = R1_HANDSHAKE;
        conn_do_handshake(c);
    } else {
        conn_send_cr(c);
    }
    if (!c->io && c->state != R1_DEAD && r1_conn_watch(c) != 0)
        r1_conn_fail(c, X400MS_EIO, "cannot watch the socket");
}
