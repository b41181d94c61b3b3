/* Module "rtse": X.228 reliable transfer, normal mode, for the reliable
 * application contexts (ms-reliable-access, mts-reliable-access ...). ROSE
 * runs over it unchanged: each ROSE APDU is one RT-TRANSFER.
 *
 * What it does, on the session services core/osi offers (assoc.h, the
 * x400ms_rts_* calls):
 *  - RT-OPEN: the RTORQ in the AARQ user information (its open [0] value is
 *    the bind argument), answered by an RTOAC (open [0] = bind result) or an
 *    RTORJ (userDataRJ = bind error). We answer checkpointSize 0: no
 *    checkpoints, so no minor synchronisation is needed (X.228 7.3.3.1).
 *  - RT-TRANSFER of an APDU by the turn holder: S-ACTIVITY-START (AS), the
 *    APDU in RTTR APDUs (OCTET STRING), one S-DATA per 60 KiB segment,
 *    S-ACTIVITY-END (AE); the receiver concatenates the segments, confirms
 *    with AEA and hands the APDU to ROSE. APDUs wait in a queue while the
 *    previous one is unconfirmed or the turn is elsewhere.
 *  - Turn management: RT-TURN-PLEASE = S-TOKEN-PLEASE (PT) carrying an RTTP
 *    (priority); RT-TURN-GIVE = S-CONTROL-GIVE (GTC), given as soon as our
 *    queue is empty and the peer asked (X.228 7.5, 7.6). This is the
 *    exchange the ISODE capture shows (PT, GTC, GTA, AS, DT, AE, AEA).
 * Bounds: an APDU of at most 64 MiB, 1024 queued APDUs. */
#define X400MS_LOG_MODULE "rtse"
#include <stdlib.h>
#include <string.h>

#include "asn1/rtse.h"
#include "x400ms/assoc.h"
#include "x400ms/log.h"
#include "x400ms/module.h"

#define RT_SEGMENT (60u * 1024u)
#define RT_MAX_APDU ((size_t)64 << 20)
#define RT_MAX_QUEUE 1024u
#define RT_TURN_TOKENS (X400MS_RTS_TOKEN_DATA | X400MS_RTS_TOKEN_MAJOR)

struct rt_apdu {
    uint8_t *p;
    size_t n;
};

struct rt {
    struct x400ms_rts *s;
    bool initiator;
    /* sending */
    struct rt_apdu *q;
    unsigned q_head, q_len, q_cap;
    bool sending;          /* AS..AE sent, AEA not yet in */
    bool asked;            /* our PT is out */
    bool peer_asked;       /* the peer's PT came while we could not give */
    bool closing;          /* RT-CLOSE requested: tell the core once idle with the turn */
    /* receiving */
    bool in_activity;
    uint8_t *in;
    size_t in_len, in_cap;
};

static const char *rt_peer(const struct rt *rt) { return x400ms_rts_peer(rt->s); }

static int rt_attach(void *pctx, struct x400ms_rts *s, bool initiator, void **rt_r)
{
    (void)pctx;
    struct rt *rt = calloc(1, sizeof(*rt));
    if (rt == NULL)
        return X400MS_ENOMEM;
    rt->s = s;
    rt->initiator = initiator;
    *rt_r = rt;
    return 0;
}

static void rt_detach(void *p)
{
    struct rt *rt = p;
    for (unsigned i = 0; i < rt->q_len; i++)
        free(rt->q[(rt->q_head + i) % rt->q_cap].p);
    free(rt->q);
    free(rt->in);
    free(rt);
}

/* Encodes a to a malloc'd buffer. */
static int rt_encode(const struct rtse_apdu *a, uint8_t **out_r, size_t *len_r)
{
    struct ber_writer w;
    ber_writer_init(&w);
    int rc = rtse_encode(&w, a);
    if (rc == 0 && w.error)
        rc = w.error;
    if (rc == 0) {
        *out_r = ber_writer_take(&w, len_r);
        if (*out_r == NULL)
            rc = X400MS_ENOMEM;
    }
    ber_writer_free(&w);
    return rc;
}

/* ---- RT-OPEN ---- */

static int rt_open_indication(void *p, struct x400ms_bytes rtorq, struct x400ms_bytes *arg_r)
{
    struct rt *rt = p;
    struct rtse_apdu a;
    struct ber_error e = { 0 };
    int rc = rtse_decode(rtorq.ptr, rtorq.len, &a, &e);
    if (rc < 0 || a.type != RTSE_RTORQ || a.recover) {
        char buf[200];
        X400MS_LOG_N("peer %s: bad RTORQ: %s", rt_peer(rt),
                     rc < 0 ? ber_error_format(&e, buf, sizeof(buf))
                            : a.recover ? "recovery is not supported" : "not an RTORQ");
        return X400MS_EPROTO;
    }
    *arg_r = (struct x400ms_bytes){ a.connection_data.ptr, a.connection_data.len };
    return 0;
}

static int rt_open_response(void *p, bool accepted, struct x400ms_bytes ud, uint8_t **out_r,
                            size_t *len_r)
{
    (void)p;
    static const uint8_t null_value[] = { 0x05, 0x00 };
    struct rtse_apdu a;
    if (accepted) {
        rtse_init(&a, RTSE_RTOAC);
        a.checkpoint_size = 0; /* no checkpointing */
        a.connection_data = ud.len ? ber_slice_make(ud.ptr, ud.len)
                                   : ber_slice_make(null_value, sizeof(null_value));
    } else {
        rtse_init(&a, RTSE_RTORJ);
        a.has_refuse_reason = false;
        a.user_data = ber_slice_make(ud.ptr, ud.len);
    }
    return rt_encode(&a, out_r, len_r);
}

static int rt_open_request(void *p, struct x400ms_bytes arg, uint8_t **out_r, size_t *len_r)
{
    (void)p;
    static const uint8_t null_value[] = { 0x05, 0x00 };
    struct rtse_apdu a;
    rtse_init(&a, RTSE_RTORQ);
    a.checkpoint_size = 0;
    a.dialogue_mode = RTSE_TWA;
    a.connection_data = arg.len ? ber_slice_make(arg.ptr, arg.len)
                                : ber_slice_make(null_value, sizeof(null_value));
    return rt_encode(&a, out_r, len_r);
}

static int rt_open_confirm(void *p, struct x400ms_bytes apdu, struct x400ms_bytes *ud_r)
{
    struct rt *rt = p;
    struct rtse_apdu a;
    struct ber_error e = { 0 };
    if (rtse_decode(apdu.ptr, apdu.len, &a, &e) < 0) {
        X400MS_LOG_N("peer %s: unreadable RTOAC/RTORJ", rt_peer(rt));
        return X400MS_EPROTO;
    }
    if (a.type == RTSE_RTOAC) {
        *ud_r = (struct x400ms_bytes){ a.connection_data.ptr, a.connection_data.len };
        return 0;
    }
    if (a.type == RTSE_RTORJ) {
        *ud_r = (struct x400ms_bytes){ a.user_data.ptr, a.user_data.len };
        return 1;
    }
    return X400MS_EPROTO;
}

/* ---- RT-TRANSFER and the turn ---- */

static bool rt_has_turn(const struct rt *rt)
{
    return (x400ms_rts_tokens(rt->s) & RT_TURN_TOKENS) == RT_TURN_TOKENS;
}

/* Sends one queued APDU inside an activity. */
static int rt_send_head(struct rt *rt)
{
    struct rt_apdu *ap = &rt->q[rt->q_head];
    int rc = x400ms_rts_activity_start(rt->s);
    for (size_t off = 0; rc == 0 && (off < ap->n || off == 0); off += RT_SEGMENT) {
        size_t n = ap->n - off > RT_SEGMENT ? RT_SEGMENT : ap->n - off;
        struct rtse_apdu a;
        rtse_init(&a, RTSE_RTTR);
        a.transfer_data = ber_slice_make(ap->p + off, n);
        uint8_t *enc = NULL;
        size_t len = 0;
        rc = rt_encode(&a, &enc, &len);
        if (rc == 0)
            rc = x400ms_rts_send_data(rt->s, (struct x400ms_bytes){ enc, len });
        free(enc);
        if (ap->n == 0)
            break;
    }
    if (rc == 0)
        rc = x400ms_rts_activity_end(rt->s);
    free(ap->p);
    rt->q_head = (rt->q_head + 1) % rt->q_cap;
    rt->q_len--;
    rt->sending = rc == 0;
    return rc;
}

/* RT-TURN-PLEASE: PT with an RTTP (priority 0). */
static int rt_ask_turn(struct rt *rt)
{
    struct rtse_apdu a;
    rtse_init(&a, RTSE_RTTP);
    a.priority = 0;
    uint8_t *enc = NULL;
    size_t len = 0;
    int rc = rt_encode(&a, &enc, &len);
    if (rc == 0)
        rc = x400ms_rts_please_tokens(rt->s, RT_TURN_TOKENS, (struct x400ms_bytes){ enc, len });
    free(enc);
    rt->asked = rc == 0;
    return rc;
}

/* Moves things on: send the next APDU, ask for the turn, or give it. */
static int rt_kick(struct rt *rt)
{
    if (rt->sending)
        return 0;
    if (rt->closing && rt->q_len == 0) {
        if (rt_has_turn(rt)) {
            rt->closing = false;
            return x400ms_rts_close_ready(rt->s);
        }
        return rt->asked ? 0 : rt_ask_turn(rt);
    }
    if (rt->q_len > 0) {
        if (rt_has_turn(rt))
            return rt_send_head(rt);
        return rt->asked ? 0 : rt_ask_turn(rt);
    }
    if (rt->peer_asked && rt_has_turn(rt)) {
        rt->peer_asked = false;
        return x400ms_rts_give_control(rt->s); /* RT-TURN-GIVE */
    }
    return 0;
}

static int rt_transfer(void *p, struct x400ms_bytes apdu)
{
    struct rt *rt = p;
    if (rt->q_len >= RT_MAX_QUEUE)
        return X400MS_ELIMIT;
    if (rt->q_len == rt->q_cap) {
        unsigned cap = rt->q_cap ? rt->q_cap * 2 : 8;
        struct rt_apdu *nq = malloc(cap * sizeof(*nq));
        if (nq == NULL)
            return X400MS_ENOMEM;
        for (unsigned i = 0; i < rt->q_len; i++)
            nq[i] = rt->q[(rt->q_head + i) % rt->q_cap];
        free(rt->q);
        rt->q = nq;
        rt->q_cap = cap;
        rt->q_head = 0;
    }
    struct rt_apdu *ap = &rt->q[(rt->q_head + rt->q_len) % rt->q_cap];
    ap->p = malloc(apdu.len ? apdu.len : 1);
    if (ap->p == NULL)
        return X400MS_ENOMEM;
    memcpy(ap->p, apdu.ptr, apdu.len);
    ap->n = apdu.len;
    rt->q_len++;
    return rt_kick(rt);
}

static int rt_data(struct rt *rt, struct x400ms_bytes data)
{
    struct rtse_apdu a;
    struct ber_error e = { 0 };
    int rc = rtse_decode(data.ptr, data.len, &a, &e);
    if (rc < 0 || a.type != RTSE_RTTR) {
        char buf[200];
        X400MS_LOG_N("peer %s: RTSE data is not an RTTR APDU: %s", rt_peer(rt),
                     rc < 0 ? ber_error_format(&e, buf, sizeof(buf)) : rtse_type_name(a.type));
        return X400MS_EPROTO;
    }
    if (!rt->in_activity) {
        X400MS_LOG_N("peer %s: RTTR outside an activity", rt_peer(rt));
        return X400MS_EPROTO;
    }
    size_t n = a.transfer_data.len;
    if (rt->in_len + n > RT_MAX_APDU) {
        X400MS_LOG_N("peer %s: RTSE APDU larger than %zu octets", rt_peer(rt), RT_MAX_APDU);
        return X400MS_ELIMIT;
    }
    if (rt->in_len + n > rt->in_cap) {
        size_t cap = rt->in_cap ? rt->in_cap : 4096;
        while (cap < rt->in_len + n)
            cap *= 2;
        uint8_t *ni = realloc(rt->in, cap);
        if (ni == NULL)
            return X400MS_ENOMEM;
        rt->in = ni;
        rt->in_cap = cap;
    }
    memcpy(rt->in + rt->in_len, a.transfer_data.ptr, n);
    rt->in_len += n;
    return 0;
}

static int rt_event(void *p, enum x400ms_rts_event ev, struct x400ms_bytes data)
{
    struct rt *rt = p;
    switch (ev) {
    case X400MS_RTS_DATA:
        return rt_data(rt, data);
    case X400MS_RTS_TOKEN_PLEASE:
        /* RT-TURN-PLEASE indication (the RTTP priority is not used: one
         * APDU at a time, first come first served). */
        rt->peer_asked = true;
        return rt_kick(rt);
    case X400MS_RTS_CONTROL_GIVE:
    case X400MS_RTS_TOKEN_GIVE:
        rt->asked = false;
        return rt_kick(rt);
    case X400MS_RTS_ACTIVITY_START:
        rt->in_activity = true;
        rt->in_len = 0;
        return 0;
    case X400MS_RTS_ACTIVITY_END: {
        if (!rt->in_activity)
            return X400MS_EPROTO;
        rt->in_activity = false;
        int rc = x400ms_rts_activity_end_ack(rt->s);
        if (rc < 0)
            return rc;
        /* The APDU is complete and secured: hand it to ROSE. */
        size_t n = rt->in_len;
        rt->in_len = 0;
        return x400ms_rts_deliver(rt->s, (struct x400ms_bytes){ rt->in, n });
    }
    case X400MS_RTS_ACTIVITY_END_ACK:
        rt->sending = false;
        return rt_kick(rt);
    case X400MS_RTS_ACTIVITY_INTERRUPT:
        rt->in_activity = false;
        rt->in_len = 0;
        return 0;
    default:
        return 0;
    }
}

/* RT-CLOSE (X.228 7.4): only the turn holder with nothing in flight may
 * release; ask for the turn first when needed. */
static int rt_close_request(void *p)
{
    struct rt *rt = p;
    if (!rt->sending && rt->q_len == 0 && rt_has_turn(rt))
        return 1;
    rt->closing = true;
    int rc = rt_kick(rt);
    return rc < 0 ? rc : 0;
}

static const struct x400ms_rtse_ops rt_ops = {
    .size = sizeof(struct x400ms_rtse_ops),
    .attach = rt_attach,
    .open_indication = rt_open_indication,
    .open_response = rt_open_response,
    .open_request = rt_open_request,
    .open_confirm = rt_open_confirm,
    .transfer = rt_transfer,
    .event = rt_event,
    .detach = rt_detach,
    .close_request = rt_close_request,
};

static int rtse_init_module(struct x400ms_core *core, const json_t *config, void **state,
                            struct x400ms_error *err)
{
    (void)config;
    *state = NULL;
    return x400ms_service_register(core, X400MS_SERVICE_OTHER, X400MS_RTSE_SERVICE, &rt_ops, NULL, err);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "rtse",
    .version = "1.0",
    .init = rtse_init_module,
};
