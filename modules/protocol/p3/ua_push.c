/* modules/protocol/p3/ua_push.c: the delivery port of a bound UA (X.411
 * 8.3). The MTS is the invoker: the messages and reports waiting in the
 * In Box of the UA's mailbox (the durable queue) are pushed with
 * message-delivery (5) / report-delivery (6) in sequence-number order, a few
 * at a time ("ua.window"), and an entry is deleted only once the UA returned
 * the result (a crash or a lost association before that leaves it queued:
 * at-least-once, pushed again at the next bind). Store work runs on p3's
 * pool; the invokes on the session's loop.
 *
 * delivery-control (2, X.411 8.3.1.3) from the UA restricts what is pushed
 * (operations, maximum content length, lowest priority); what it holds back
 * stays queued and is reported in the result's Waiting. An error or reject
 * from the UA for a delivery stops the pushes until the next
 * delivery-control or bind (the UA cannot take more now). */
#define X400MS_LOG_MODULE "p3"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/mts.h"
#include "modules/protocol/p3/p3.h"
#include "modules/protocol/p3/ua_session.h"
#include "x400ms/log.h"

/* Entries looked at per scan (the select's limit). */
#define UA_SCAN_BATCH 64

void ua_controls_reset(struct ua_controls *dc)
{
    dc->restrict_ = false;
    dc->permitted_ops = UA_OPS_REPORTS | UA_OPS_MESSAGES;
    dc->max_content_length = -1;
    dc->lowest_rank = 0;
}

static int urgency_rank(int priority)
{
    /* X.411 Priority: normal 0, non-urgent 1, urgent 2 (not an order) */
    return priority == X400MS_PRIORITY_URGENT ? 2 : priority == X400MS_PRIORITY_NORMAL ? 1 : 0;
}

/* Waiting (X.411 8.3.1.3.2) bits of an entry the controls hold back; 0 when
 * it may be pushed. */
#define UA_WAIT_LONG_CONTENT (1u << 0)  /* WaitingMessages long-content (0) */
#define UA_WAIT_LOW_PRIORITY (1u << 1)  /* low-priority (1) */
static bool controls_hold(const struct ua_controls *dc, const struct x400ms_store_attrs *a,
                          uint32_t *ops_r, uint32_t *msgs_r)
{
    if (!dc->restrict_)
        return false;
    if (a->entry_type == X400MS_ENTRY_DELIVERED_REPORT) {
        if (dc->permitted_ops & UA_OPS_REPORTS)
            return false;
        *ops_r |= UA_OPS_REPORTS;
        return true;
    }
    bool hold = false;
    if (!(dc->permitted_ops & UA_OPS_MESSAGES))
        hold = true;
    if (dc->max_content_length >= 0 && a->content_length > (uint64_t)dc->max_content_length) {
        *msgs_r |= UA_WAIT_LONG_CONTENT;
        hold = true;
    }
    if (urgency_rank(a->priority) < dc->lowest_rank) {
        *msgs_r |= UA_WAIT_LOW_PRIORITY;
        hold = true;
    }
    if (hold)
        *ops_r |= UA_OPS_MESSAGES;
    return hold;
}

static bool pushable_type(const struct x400ms_store_attrs *a)
{
    return (a->entry_type == X400MS_ENTRY_DELIVERED_MESSAGE ||
            a->entry_type == X400MS_ENTRY_DELIVERED_REPORT) &&
           a->status != X400MS_STATUS_PROCESSED;
}

static void flight_remove(struct ua_session *s, uint32_t seq)
{
    for (unsigned i = 0; i < s->in_flight; i++) {
        if (s->flight[i] == seq) {
            s->flight[i] = s->flight[--s->in_flight];
            return;
        }
    }
}

/* ---- the scan: the next entries to push (pool thread) ---- */

struct candidate {
    uint32_t seq;
    uint8_t entry_type, status, priority;
    uint64_t content_length;
};

struct push_item {
    uint32_t seq;
    int64_t opcode;
    uint8_t *arg;
    size_t arg_len;
};

struct scan_task {
    struct ua_session *s;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    uint32_t after;
    unsigned max;
    struct ua_controls dc;
    unsigned dc_gen;
    uint32_t skip[UA_WINDOW_MAX];
    unsigned n_skip;
    struct candidate cand[UA_SCAN_BATCH];
    size_t n_cand;
    struct push_item items[UA_WINDOW_MAX];
    unsigned n;
    uint32_t last_seen;              /* the new cursor */
    bool more;
    int rc;
    char why[600];
};

static int collect(void *arg, const struct x400ms_store_attrs *a)
{
    struct scan_task *t = arg;
    if (t->n_cand >= UA_SCAN_BATCH)
        return 1;
    struct candidate *c = &t->cand[t->n_cand++];
    c->seq = a->seq;
    c->entry_type = a->entry_type;
    c->status = a->status;
    c->priority = a->priority;
    c->content_length = a->content_length;
    return 0;
}

/* MessageDeliveryArgument from the stored entry: the In Box keeps the
 * MessageDeliveryEnvelope (the argument's SEQUENCE without the content,
 * X.413) and the content octets; a report entry keeps the whole
 * ReportDeliveryArgument as its envelope. */
static int build_argument(const struct x400ms_store_entry *e, struct push_item *it,
                          char *why, size_t why_size)
{
    struct ber_writer w;
    ber_writer_init(&w);
    if (e->attrs.entry_type == X400MS_ENTRY_DELIVERED_REPORT) {
        it->opcode = MTS_OP_REPORT_DELIVERY;
        ber_put_raw(&w, e->envelope, e->envelope_len);
    } else {
        it->opcode = MTS_OP_MESSAGE_DELIVERY;
        struct ber_error be = { 0 };
        struct ber_ctx c;
        struct ber_tlv env;
        ber_ctx_init(&c, e->envelope, e->envelope_len, &be);
        if (e->envelope_len == 0 || ber_decode_top(&c, &env, "MessageDeliveryEnvelope") < 0 ||
            env.tag != BER_UNIV(BER_SEQUENCE)) {
            snprintf(why, why_size, "entry %u: stored envelope is not a MessageDeliveryEnvelope",
                     e->attrs.seq);
            ber_writer_free(&w);
            return X400MS_ECORRUPT;
        }
        ber_mark_t m = ber_mark(&w);
        ber_put_octets(&w, BER_UNIV(BER_OCTET_STRING), e->content, e->content_len);
        ber_put_slice(&w, ber_tlv_contents(&env));
        ber_wrap(&w, m, BER_UNIV(BER_SEQUENCE), true);
    }
    if (w.error != 0) {
        snprintf(why, why_size, "entry %u: argument does not encode", e->attrs.seq);
        ber_writer_free(&w);
        return w.error;
    }
    it->arg = ber_writer_take(&w, &it->arg_len);
    ber_writer_free(&w);
    return it->arg != NULL ? 0 : X400MS_ENOMEM;
}

static bool skipped(const struct scan_task *t, uint32_t seq)
{
    for (unsigned i = 0; i < t->n_skip; i++)
        if (t->skip[i] == seq)
            return true;
    return false;
}

static void scan_work(void *arg)
{
    struct scan_task *t = arg;
    struct p3_module *m = t->s->ua->m;
    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox *mb = NULL;
    t->last_seen = t->after;
    if ((t->rc = m->store->mailbox_open(m->store_ctx, t->mailbox, &mb, &err)) < 0) {
        snprintf(t->why, sizeof t->why, "%s", err.message);
        return;
    }
    struct x400ms_store_selector sel;
    memset(&sel, 0, sizeof sel);
    sel.seq_from = t->after + 1;
    sel.limit = UA_SCAN_BATCH;
    sel.include_children = false;
    uint32_t next = 0;
    t->rc = m->store->select(mb, X400MS_STORE_INBOX, &sel, collect, t, &next, &err);
    if (t->rc < 0) {
        snprintf(t->why, sizeof t->why, "%s", err.message);
        m->store->mailbox_close(mb);
        return;
    }
    t->rc = 0;
    t->more = t->n_cand == UA_SCAN_BATCH;
    for (size_t i = 0; i < t->n_cand; i++) {
        const struct candidate *c = &t->cand[i];
        struct x400ms_store_attrs a;
        memset(&a, 0, sizeof a);
        a.seq = c->seq;
        a.entry_type = c->entry_type;
        a.status = c->status;
        a.priority = c->priority;
        a.content_length = c->content_length;
        uint32_t ops = 0, msgs = 0;
        if (skipped(t, c->seq) || !pushable_type(&a) || controls_hold(&t->dc, &a, &ops, &msgs)) {
            t->last_seen = c->seq;
            continue;
        }
        if (t->n == t->max) {
            t->more = true; /* the window is full: the rest waits for answers */
            break;
        }
        struct x400ms_store_entry *e = NULL;
        int rc = m->store->get(mb, X400MS_STORE_INBOX, c->seq,
                               X400MS_STORE_GET_ENVELOPE | X400MS_STORE_GET_CONTENT, &e, &err);
        if (rc == X400MS_ENOENT) {
            t->last_seen = c->seq; /* deleted meanwhile */
            continue;
        }
        if (rc < 0) {
            snprintf(t->why, sizeof t->why, "entry %u: %s", c->seq, err.message);
            t->rc = rc;
            break;
        }
        struct push_item *it = &t->items[t->n];
        it->seq = c->seq;
        rc = build_argument(e, it, t->why, sizeof t->why);
        m->store->entry_free(e);
        t->last_seen = c->seq;
        if (rc < 0) {
            /* a damaged entry is passed over (logged), never pushed */
            X400MS_LOG_E("mailbox %s: In Box %s: not pushed to the P3 user", t->mailbox, t->why);
            t->why[0] = '\0';
            continue;
        }
        t->n++;
    }
    m->store->mailbox_close(mb);
}

/* ---- pushing (loop thread) ---- */

struct push_inv {
    struct ua_session *s;
    uint32_t seq;
    int64_t opcode;
};

struct delete_task {
    struct ua_session *s;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    uint32_t seq;
    int rc;
    bool marked;
    char why[600];
};

static void pump(struct ua_session *s);

/* Pool thread: the UA has the entry: it leaves the queue. */
static void delete_work(void *arg)
{
    struct delete_task *t = arg;
    struct p3_module *m = t->s->ua->m;
    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox *mb = NULL;
    t->rc = m->store->mailbox_open(m->store_ctx, t->mailbox, &mb, &err);
    if (t->rc >= 0) {
        t->rc = m->store->delete_entry(mb, X400MS_STORE_INBOX, t->seq, &err);
        if (t->rc == X400MS_EPERM) {
            /* deletion prohibited for this mailbox: "processed" keeps it out
             * of the queue all the same */
            t->marked = true;
            t->rc = m->store->set_status(mb, X400MS_STORE_INBOX, t->seq, X400MS_STATUS_PROCESSED,
                                         &err);
        }
        m->store->mailbox_close(mb);
    }
    if (t->rc == X400MS_ENOENT)
        t->rc = 0;
    if (t->rc < 0)
        snprintf(t->why, sizeof t->why, "%s", err.message);
}

static void delete_done(void *arg)
{
    struct delete_task *t = arg;
    struct ua_session *s = t->s;
    if (t->rc < 0)
        X400MS_LOG_E("mailbox %s: In Box entry %u was delivered to the P3 user but stays queued "
                     "(it will be pushed again): %s", t->mailbox, t->seq, t->why);
    else if (t->marked)
        X400MS_LOG_W("mailbox %s: deletion prohibited: In Box entry %u marked processed after "
                     "its delivery to the P3 user", t->mailbox, t->seq);
    flight_remove(s, t->seq);
    if (!s->dead)
        pump(s);
    ua_session_unref(s);
    free(t);
}

static void pushed(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct push_inv *iv = arg;
    struct ua_session *s = iv->s;
    const char *op = iv->opcode == MTS_OP_MESSAGE_DELIVERY ? "message-delivery" : "report-delivery";
    if (o->kind == X400MS_OUTCOME_RESULT) {
        X400MS_LOG_I("peer %s: P3 user %s: %s of In Box entry %u acknowledged", s->peer,
                     s->mailbox, op, iv->seq);
        struct delete_task *t = calloc(1, sizeof *t);
        if (t != NULL) {
            t->s = s;
            t->seq = iv->seq;
            snprintf(t->mailbox, sizeof t->mailbox, "%s", s->mailbox);
            ua_session_ref(s);
            if (p3_pool_submit(s->ua->m->pool, s->loop, delete_work, delete_done, t) == 0) {
                ua_session_unref(s); /* the invoke's; the task holds its own */
                free(iv);
                return;
            }
            ua_session_unref(s);
            free(t);
        }
        X400MS_LOG_E("mailbox %s: In Box entry %u: cannot start its removal after delivery "
                     "(it will be pushed again)", s->mailbox, iv->seq);
        flight_remove(s, iv->seq);
    } else {
        flight_remove(s, iv->seq);
        if (o->kind != X400MS_OUTCOME_ENDED && !s->dead) {
            if (o->kind == X400MS_OUTCOME_ERROR)
                X400MS_LOG_W("peer %s: P3 user %s: %s of In Box entry %u refused with X.411 "
                             "error %lld: pushes held until delivery-control or the next bind",
                             s->peer, s->mailbox, op, iv->seq, (long long)o->errcode);
            else
                X400MS_LOG_W("peer %s: P3 user %s: %s of In Box entry %u rejected (ROSE problem "
                             "0x%x): pushes held until delivery-control or the next bind",
                             s->peer, s->mailbox, op, iv->seq, (unsigned)o->problem);
            s->held = true;
            if (iv->seq - 1 < s->cursor)
                s->cursor = iv->seq - 1; /* it stays first in the queue */
        }
    }
    ua_session_unref(s);
    free(iv);
}

static void scan_done(void *arg)
{
    struct scan_task *t = arg;
    struct ua_session *s = t->s;
    s->scanning = false;
    if (t->rc < 0 && !s->dead)
        X400MS_LOG_E("peer %s: P3 user %s: reading the In Box failed: %s", s->peer, s->mailbox,
                     t->why);
    unsigned i = 0;
    if (t->dc_gen != s->dc_gen) {
        s->rescan = true; /* scanned under controls the UA has replaced */
    } else if (!s->dead && !s->held && t->rc >= 0) {
        s->cursor = t->last_seen;
        for (; i < t->n; i++) {
            struct push_item *it = &t->items[i];
            struct push_inv *iv = malloc(sizeof *iv);
            int rc = iv == NULL ? X400MS_ENOMEM : 0;
            if (rc == 0) {
                iv->s = s;
                iv->seq = it->seq;
                iv->opcode = it->opcode;
                ua_session_ref(s);
                rc = x400ms_assoc_invoke(s->a, it->opcode, X400MS_BYTES(it->arg, it->arg_len),
                                         s->mdse, pushed, iv, NULL);
                if (rc < 0) {
                    ua_session_unref(s);
                    free(iv);
                }
            }
            if (rc < 0) {
                /* not sent: it and what follows are looked at again later */
                X400MS_LOG_W("peer %s: P3 user %s: cannot invoke the delivery of entry %u (%d)",
                             s->peer, s->mailbox, it->seq, rc);
                s->cursor = it->seq - 1;
                t->more = false;
                break;
            }
            s->flight[s->in_flight++] = it->seq;
            free(it->arg);
        }
        if (t->more)
            s->rescan = true;
    }
    for (; i < t->n; i++)
        free(t->items[i].arg);
    bool again = s->rescan;
    s->rescan = false;
    if (again && !s->dead)
        pump(s);
    ua_session_unref(s);
    free(t);
}

static void pump(struct ua_session *s)
{
    struct p3_ua *ua = s->ua;
    if (s->dead || !s->bound || s->held || ua->stopping)
        return;
    if (s->scanning) {
        s->rescan = true; /* the running scan may have missed what just arrived */
        return;
    }
    if (s->in_flight >= ua->window)
        return; /* an answer will pump again */
    struct scan_task *t = calloc(1, sizeof *t);
    if (t == NULL)
        return; /* the next delivery or answer tries again */
    t->s = s;
    snprintf(t->mailbox, sizeof t->mailbox, "%s", s->mailbox);
    t->after = s->cursor;
    t->max = ua->window - s->in_flight;
    t->dc = s->dc;
    t->dc_gen = s->dc_gen;
    memcpy(t->skip, s->flight, s->in_flight * sizeof s->flight[0]);
    t->n_skip = s->in_flight;
    ua_session_ref(s);
    if (p3_pool_submit(ua->m->pool, s->loop, scan_work, scan_done, t) < 0) {
        ua_session_unref(s);
        free(t);
        return;
    }
    s->scanning = true;
}

void ua_push_kick(struct ua_session *s)
{
    pump(s);
}

/* ---- delivery-control (X.411 8.3.1.3) ---- */

/* DeliveryControlArgument ::= SET { COMPONENTS OF DeliveryControls
 * (Controls: restrict [0] BOOLEAN DEFAULT TRUE, permissible-operations [1]
 * Operations, permissible-maximum-content-length [2] ContentLength,
 * permissible-lowest-priority Priority ([APPLICATION 7]),
 * permissible-content-types [4], permissible-encoded-information-types
 * ([APPLICATION 5]), permissible-security-context [5]), extensions [6] }.
 * Content types, EITs and security contexts are accepted and not applied. */
static int controls_decode(struct ber_slice in, struct ua_controls *dc, struct ber_error *be)
{
    ua_controls_reset(dc);
    dc->restrict_ = true;
    bool have_ops = false;
    if (in.len == 0)
        return 0; /* every member has a default: restrict with no limits */
    struct ber_ctx c;
    struct ber_tlv top, t;
    struct ber_iter it;
    ber_ctx_init(&c, in.ptr, in.len, be);
    int rc = ber_decode_top(&c, &top, "DeliveryControlArgument");
    if (rc >= 0 && top.tag != BER_UNIV(BER_SET))
        return ber_fail(&c, top.start, X400MS_EPROTO, "DeliveryControlArgument", "not a SET");
    if (rc >= 0)
        rc = ber_enter(&c, &top, &it, "DeliveryControlArgument");
    while (rc >= 0 && (rc = ber_next(&it, &t)) > 0) {
        if (t.tag == BER_CTX(0)) {
            rc = ber_get_bool(&c, &t, "restrict", &dc->restrict_);
        } else if (t.tag == BER_CTX(1)) {
            rc = ber_get_bits_u32(&c, &t, "permissible-operations", &dc->permitted_ops);
            have_ops = true;
        } else if (t.tag == BER_CTX(2)) {
            int64_t v;
            rc = ber_get_int64(&c, &t, "permissible-maximum-content-length", &v);
            if (rc >= 0 && v < 0)
                rc = ber_fail(&c, t.start, X400MS_EPROTO, "ContentLength", "negative");
            dc->max_content_length = v;
        } else if (t.tag == BER_APP(7)) {
            int64_t v;
            rc = ber_get_enum(&c, &t, "permissible-lowest-priority", &v);
            dc->lowest_rank = urgency_rank((int)v);
        }
    }
    if (rc < 0)
        return rc;
    if (!have_ops)
        dc->permitted_ops = UA_OPS_REPORTS | UA_OPS_MESSAGES;
    if (!dc->restrict_)
        ua_controls_reset(dc); /* restrict FALSE: the controls are removed */
    return 0;
}

struct control_task {
    struct ua_session *s;
    int64_t invoke_id;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    struct ua_controls dc;
    uint32_t waiting_ops, waiting_msgs;
    int rc;
    char why[600];
};

static int count_waiting(void *arg, const struct x400ms_store_attrs *a)
{
    struct control_task *t = arg;
    if (pushable_type(a))
        controls_hold(&t->dc, a, &t->waiting_ops, &t->waiting_msgs);
    return 0;
}

/* Pool thread: what the new controls hold back (the result's Waiting). */
static void control_work(void *arg)
{
    struct control_task *t = arg;
    struct p3_module *m = t->s->ua->m;
    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox *mb = NULL;
    t->rc = m->store->mailbox_open(m->store_ctx, t->mailbox, &mb, &err);
    if (t->rc >= 0) {
        struct x400ms_store_selector sel;
        memset(&sel, 0, sizeof sel);
        t->rc = m->store->select(mb, X400MS_STORE_INBOX, &sel, count_waiting, t, NULL, &err);
        m->store->mailbox_close(mb);
    }
    if (t->rc < 0)
        snprintf(t->why, sizeof t->why, "%s", err.message);
}

static void control_done(void *arg)
{
    struct control_task *t = arg;
    struct ua_session *s = t->s;
    if (!s->dead) {
        if (t->rc < 0)
            X400MS_LOG_W("peer %s: P3 user %s: Waiting not computed (%s): answered empty",
                         s->peer, s->mailbox, t->why);
        /* DeliveryControlResult ::= SET { COMPONENTS OF Waiting
         * (waiting-operations [0] Operations DEFAULT {}, waiting-messages [1]
         * WaitingMessages DEFAULT {}, ...), extensions [6] DEFAULT {} } */
        uint8_t buf[32];
        struct ber_writer w;
        ber_writer_init_fixed(&w, buf, sizeof buf);
        ber_mark_t m = ber_mark(&w);
        if (t->rc >= 0 && t->waiting_msgs != 0)
            ber_put_bits_u32(&w, BER_CTX(1), t->waiting_msgs);
        if (t->rc >= 0 && t->waiting_ops != 0)
            ber_put_bits_u32(&w, BER_CTX(0), t->waiting_ops);
        ber_wrap(&w, m, BER_UNIV(BER_SET), true);
        x400ms_assoc_reply(s->a, t->invoke_id, X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)));
        X400MS_LOG_I("peer %s: P3 user %s: delivery-control %s (waiting operations 0x%x)", s->peer,
                     s->mailbox, s->dc.restrict_ ? "set" : "removed", (unsigned)t->waiting_ops);
        pump(s);
    }
    ua_session_unref(s);
    free(t);
}

void ua_delivery_control(struct ua_session *s, const struct x400ms_invoke *inv)
{
    struct ua_controls dc;
    struct ber_error be = { 0 };
    if (controls_decode(ber_slice_make(inv->argument.ptr, inv->argument.len), &dc, &be) < 0) {
        char msg[200];
        X400MS_LOG_W("peer %s: P3 user %s: DeliveryControlArgument malformed (%s): rejected",
                     s->peer, s->mailbox, ber_error_format(&be, msg, sizeof msg));
        x400ms_assoc_reject(s->a, inv->invoke_id, X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT);
        return;
    }
    s->dc = dc;
    s->dc_gen++;
    /* look at the whole queue again under the new controls */
    s->held = false;
    s->cursor = 0;
    struct control_task *t = calloc(1, sizeof *t);
    if (t == NULL) {
        x400ms_assoc_reject(s->a, inv->invoke_id, X400MS_ROSE_INVOKE_RESOURCE_LIMITATION);
        return;
    }
    t->s = s;
    t->invoke_id = inv->invoke_id;
    t->dc = dc;
    snprintf(t->mailbox, sizeof t->mailbox, "%s", s->mailbox);
    ua_session_ref(s);
    if (p3_pool_submit(s->ua->m->pool, s->loop, control_work, control_done, t) < 0) {
        ua_session_unref(s);
        free(t);
        x400ms_assoc_reject(s->a, inv->invoke_id, X400MS_ROSE_INVOKE_RESOURCE_LIMITATION);
    }
}
