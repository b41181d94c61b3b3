/* X.225 session protocol machine, the parts an X.400 association uses:
 * kernel + duplex, and for RTSE half-duplex (tokens), activities and major
 * sync; version 2 with Extended User Data. Basic concatenation: a TSDU is one
 * SPDU, or a category 0 SPDU (GT/PT) followed by one category 2 SPDU.
 *
 * Output: the layer above pushes its PPDU on a->out; ses_send_* wraps it in
 * the SPDU and hands the TSDU to the lower sender. DT, the hot path, is
 * prefixed in place (01 00 01 00, X.225 6.3.7 basic concatenation) so a ROSE
 * round trip costs no copy. */
#define X400MS_LOG_MODULE "osi"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/spdu.h"
#include "core/osi/osi.h"
#include "x400ms/log.h"

#define SES_MAX_SPDUS 4

/* Token Setting Item (X.225 8.3.1.14): two bits per token, data token in
 * bits 2-1, minor in 4-3, major/activity in 6-5, release in 8-7. */
enum { TS_INITIATOR = 0, TS_RESPONDER = 1, TS_CHOICE = 2 };
static const unsigned ses_token_bits[4] = {
    X400MS_RTS_TOKEN_DATA, X400MS_RTS_TOKEN_MINOR, X400MS_RTS_TOKEN_MAJOR, X400MS_RTS_TOKEN_RELEASE,
};

/* The tokens that exist given the functional units (X.225 5.3). */
static unsigned ses_tokens_in_use(unsigned fu)
{
    unsigned t = 0;
    if (fu & OSI_FU_HALF_DUPLEX)
        t |= X400MS_RTS_TOKEN_DATA;
    if (fu & OSI_FU_MINOR_SYNC)
        t |= X400MS_RTS_TOKEN_MINOR;
    if (fu & (OSI_FU_MAJOR_SYNC | OSI_FU_ACTIVITY))
        t |= X400MS_RTS_TOKEN_MAJOR;
    if (fu & OSI_FU_NEGOTIATED_RELEASE)
        t |= X400MS_RTS_TOKEN_RELEASE;
    return t;
}

static void ses_protocol_error(struct x400ms_assoc *a, const char *what)
{
    osi_abort(a, X400MS_ABORT_PEER_PROVIDER, true, "session protocol error: %s", what);
}

/* Sends s with the user data now on a->out (if with_ud). */
static int ses_send_spdu(struct x400ms_assoc *a, struct spdu *s, bool with_ud)
{
    if (a->lower == NULL || a->lower_gone)
        return X400MS_ECLOSED;
    struct ber_writer w;
    ber_writer_init(&w);
    if (with_ud && ber_writer_len(&a->out) > 0) {
        s->user_data = ber_writer_slice(&a->out);
        s->present |= SPDU_P_USER_DATA;
    }
    int rc = spdu_encode(&w, s);
    if (rc == 0 && w.error == 0)
        rc = osi_send_tsdu(a, ber_writer_data(&w), ber_writer_len(&w));
    else if (rc == 0)
        rc = w.error;
    if (rc < 0)
        X400MS_LOG_W("peer %s: cannot send %s SPDU: %s", a->peer, spdu_type_name(s->type),
                     x400ms_strerror(rc));
    ber_writer_free(&w);
    ber_writer_reset(&a->out);
    return rc;
}

/* ---- connection establishment ---- */

static void ses_refuse(struct x400ms_assoc *a, uint8_t reason, const char *why)
{
    X400MS_LOG_N("peer %s: session connection refused: %s", a->peer, why);
    struct spdu s;
    spdu_init(&s, SPDU_RF);
    s.present |= SPDU_P_TRANSPORT_DISCONNECT | SPDU_P_REASON_CODE | SPDU_P_VERSION;
    s.transport_disconnect = SPDU_TD_RELEASED;
    s.version = SPDU_VERSION_1 | SPDU_VERSION_2;
    s.reason_code = reason;
    ber_writer_reset(&a->out);
    ses_send_spdu(a, &s, false);
    osi_close(a);
}

static void ses_on_connect(struct x400ms_assoc *a, const struct spdu *s)
{
    if (a->initiator || a->state != OSI_S_IDLE) {
        ses_protocol_error(a, "CN SPDU outside the idle state");
        return;
    }
    uint8_t ver = (s->present & SPDU_P_VERSION) ? s->version : SPDU_VERSION_1;
    if (ver & SPDU_VERSION_2)
        a->ses_version = 2;
    else if (ver & SPDU_VERSION_1)
        a->ses_version = 1;
    else {
        ses_refuse(a, SPDU_RF_VERSIONS_NOT_SUPPORTED, "no common session version");
        return;
    }
    /* X.225 8.3.1.16: default requirements are half-duplex, minor sync,
     * activity, capability data, exceptions; we take what we support. */
    unsigned prop = (s->present & SPDU_P_SESSION_REQUIREMENTS) ? s->session_requirements : 0x0349;
    unsigned fu = prop & OSI_FU_SUPPORTED;
    if ((fu & OSI_FU_DUPLEX) && (fu & OSI_FU_HALF_DUPLEX))
        fu &= ~(unsigned)OSI_FU_HALF_DUPLEX; /* X.225 5.3: not both */
    if (!(fu & (OSI_FU_DUPLEX | OSI_FU_HALF_DUPLEX))) {
        ses_refuse(a, SPDU_RF_REJECTED_BY_USER, "neither duplex nor half-duplex proposed");
        return;
    }
    a->ses_fu = fu;
    /* Initial token positions. */
    unsigned setting = (s->present & SPDU_P_TOKEN_SETTING) ? s->token_setting : 0;
    unsigned in_use = ses_tokens_in_use(fu);
    a->tokens = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (!(in_use & ses_token_bits[i]))
            continue;
        unsigned v = (setting >> (2 * i)) & 3u;
        /* "called SS-user's choice": give it to the initiator, who usually
         * speaks first. */
        if (v == TS_RESPONDER)
            a->tokens |= ses_token_bits[i];
    }
    a->ses_serial = 1;
    if (s->present & SPDU_P_INITIAL_SERIAL) {
        unsigned long v = 0;
        for (size_t i = 0; i < s->initial_serial.len && i < 6; i++)
            v = v * 10 + (unsigned)(s->initial_serial.ptr[i] - '0');
        a->ses_serial = (uint32_t)v;
    }
    struct ber_slice ud = (s->present & SPDU_P_USER_DATA) ? s->user_data : ber_slice_make(NULL, 0);
    if (ud.len == 0) {
        ses_refuse(a, SPDU_RF_REJECTED_BY_USER, "CN without presentation user data");
        return;
    }
    pres_connect_ind(a, ud);
}

/* Token Setting Item for the AC: the final positions (00 / 01 only). */
static uint8_t ses_token_setting(const struct x400ms_assoc *a)
{
    unsigned in_use = ses_tokens_in_use(a->ses_fu), v = 0;
    for (unsigned i = 0; i < 4; i++)
        if ((in_use & ses_token_bits[i]) &&
            ((a->tokens & ses_token_bits[i]) != 0) != a->initiator)
            v |= (unsigned)TS_RESPONDER << (2 * i);
    return (uint8_t)v;
}

int ses_send_accept(struct x400ms_assoc *a)
{
    struct spdu s;
    spdu_init(&s, SPDU_AC);
    s.present |= SPDU_P_PROTOCOL_OPTIONS | SPDU_P_VERSION | SPDU_P_SESSION_REQUIREMENTS;
    s.protocol_options = 0;
    s.version = a->ses_version == 2 ? SPDU_VERSION_2 : SPDU_VERSION_1;
    s.session_requirements = (uint16_t)a->ses_fu;
    if (ses_tokens_in_use(a->ses_fu)) {
        s.present |= SPDU_P_TOKEN_SETTING;
        s.token_setting = ses_token_setting(a);
    }
    return ses_send_spdu(a, &s, true);
}

int ses_send_refuse(struct x400ms_assoc *a)
{
    struct spdu s;
    spdu_init(&s, SPDU_RF);
    s.present |= SPDU_P_TRANSPORT_DISCONNECT | SPDU_P_REASON_CODE | SPDU_P_VERSION;
    s.transport_disconnect = SPDU_TD_RELEASED;
    s.version = a->ses_version == 2 ? SPDU_VERSION_2 : SPDU_VERSION_1;
    /* X.225 8.3.3.17: reason 2, rejection by the SS-user with the reason in
     * the user data that follows the code. */
    s.reason_code = SPDU_RF_USER_DATA;
    s.reason_data = ber_writer_slice(&a->out);
    int rc = ses_send_spdu(a, &s, false);
    return rc;
}

int ses_send_connect(struct x400ms_assoc *a)
{
    struct spdu s;
    spdu_init(&s, SPDU_CN);
    a->ses_version = 2;
    a->ses_fu = a->ac->reliable ? (OSI_FU_HALF_DUPLEX | OSI_FU_ACTIVITY | OSI_FU_EXCEPTIONS |
                                   OSI_FU_MINOR_SYNC)
                                : OSI_FU_DUPLEX;
    s.present |= SPDU_P_PROTOCOL_OPTIONS | SPDU_P_VERSION | SPDU_P_SESSION_REQUIREMENTS;
    s.protocol_options = 0;
    s.version = SPDU_VERSION_1 | SPDU_VERSION_2;
    s.session_requirements = (uint16_t)a->ses_fu;
    if (a->ac->reliable) {
        /* The initiator starts with every token: it speaks first (X.228
         * initial turn = association-initiator). */
        s.present |= SPDU_P_TOKEN_SETTING;
        s.token_setting = 0;
        a->tokens = ses_tokens_in_use(a->ses_fu);
    }
    if (a->req.calling_ssel.len) {
        s.present |= SPDU_P_CALLING_SSEL;
        s.calling_ssel = ber_slice_make(a->req.calling_ssel.ptr, a->req.calling_ssel.len);
    }
    if (a->req.called_ssel.len) {
        s.present |= SPDU_P_CALLED_SSEL;
        s.called_ssel = ber_slice_make(a->req.called_ssel.ptr, a->req.called_ssel.len);
    }
    a->state = OSI_S_WAIT_AC;
    return ses_send_spdu(a, &s, true);
}

static void ses_on_accept(struct x400ms_assoc *a, const struct spdu *s)
{
    if (!a->initiator || a->state != OSI_S_WAIT_AC) {
        ses_protocol_error(a, "AC SPDU not expected");
        return;
    }
    if (s->present & SPDU_P_SESSION_REQUIREMENTS)
        a->ses_fu &= s->session_requirements;
    if (s->present & SPDU_P_VERSION)
        a->ses_version = (s->version & SPDU_VERSION_2) ? 2 : 1;
    if (s->present & SPDU_P_TOKEN_SETTING) {
        unsigned in_use = ses_tokens_in_use(a->ses_fu);
        a->tokens = 0;
        for (unsigned i = 0; i < 4; i++)
            if ((in_use & ses_token_bits[i]) && ((s->token_setting >> (2 * i)) & 3u) == TS_INITIATOR)
                a->tokens |= ses_token_bits[i];
    }
    pres_connect_cnf(a, true, (s->present & SPDU_P_USER_DATA) ? s->user_data : ber_slice_make(NULL, 0));
}

static void ses_on_refuse(struct x400ms_assoc *a, const struct spdu *s)
{
    if (!a->initiator || a->state != OSI_S_WAIT_AC) {
        ses_protocol_error(a, "RF SPDU not expected");
        return;
    }
    struct ber_slice ud = ber_slice_make(NULL, 0);
    if ((s->present & SPDU_P_REASON_CODE) && s->reason_code == SPDU_RF_USER_DATA)
        ud = s->reason_data;
    else if (s->present & SPDU_P_USER_DATA)
        ud = s->user_data;
    if (ud.len == 0)
        X400MS_LOG_N("peer %s: session connection refused, reason %u", a->peer,
                     (s->present & SPDU_P_REASON_CODE) ? s->reason_code : 0);
    pres_connect_cnf(a, false, ud);
}

/* ---- data transfer ---- */

int ses_send_data(struct x400ms_assoc *a)
{
    if (a->lower == NULL || a->lower_gone)
        return X400MS_ECLOSED;
    /* X.225 6.3.7: GT (no parameters) + DT (no parameters) + user information. */
    static const uint8_t gt_dt[4] = { 0x01, 0x00, 0x01, 0x00 };
    ber_put_raw(&a->out, gt_dt, sizeof(gt_dt));
    int rc = a->out.error;
    if (rc == 0)
        rc = osi_send_tsdu(a, ber_writer_data(&a->out), ber_writer_len(&a->out));
    ber_writer_reset(&a->out);
    if (rc < 0 && rc != X400MS_ECLOSED)
        X400MS_LOG_W("peer %s: cannot send a DT SPDU: %s", a->peer, x400ms_strerror(rc));
    return rc;
}

int ses_send_finish(struct x400ms_assoc *a)
{
    struct spdu s;
    spdu_init(&s, SPDU_FN);
    s.present |= SPDU_P_TRANSPORT_DISCONNECT;
    s.transport_disconnect = SPDU_TD_RELEASED;
    return ses_send_spdu(a, &s, true);
}

int ses_send_disconnect(struct x400ms_assoc *a)
{
    struct spdu s;
    spdu_init(&s, SPDU_DN);
    return ses_send_spdu(a, &s, true);
}

int ses_send_abort(struct x400ms_assoc *a, bool user, bool with_data)
{
    struct spdu s;
    spdu_init(&s, SPDU_AB);
    s.present |= SPDU_P_TRANSPORT_DISCONNECT;
    s.transport_disconnect = SPDU_TD_RELEASED | (user ? SPDU_TD_USER_ABORT : SPDU_TD_PROTOCOL_ERROR);
    if (!with_data)
        ber_writer_reset(&a->out);
    return ses_send_spdu(a, &s, with_data);
}

/* ---- tokens, activities, synchronisation (for RTSE) ---- */

/* Category 0 prefix of a concatenated TSDU (X.225 6.3.7): GT from the side
 * that holds the tokens, PT (with no token item) from the other. */
enum ses_prefix { SES_NO_PREFIX, SES_GT_PREFIX, SES_PT_PREFIX };

static int ses_send_simple(struct x400ms_assoc *a, enum spdu_type type, enum ses_prefix prefix)
{
    if (a->lower == NULL || a->lower_gone)
        return X400MS_ECLOSED;
    struct spdu s;
    spdu_init(&s, type);
    char sn[12];
    if (type == SPDU_MAP || type == SPDU_AE || type == SPDU_MAA || type == SPDU_AEA) {
        /* Serial Number: V(M) in decimal digits (X.225 8.3.29). */
        int n = snprintf(sn, sizeof(sn), "%u", a->ses_serial);
        s.present |= SPDU_P_SERIAL_NUMBER;
        s.serial_number = ber_slice_make(sn, (size_t)n);
    }
    struct ber_writer w;
    ber_writer_init(&w);
    int rc = spdu_encode(&w, &s);
    if (rc == 0 && prefix != SES_NO_PREFIX) {
        struct spdu p;
        spdu_init(&p, prefix == SES_GT_PREFIX ? SPDU_GT : SPDU_PT);
        rc = spdu_encode(&w, &p);
    }
    if (rc == 0)
        rc = w.error;
    if (rc == 0)
        rc = osi_send_tsdu(a, ber_writer_data(&w), ber_writer_len(&w));
    ber_writer_free(&w);
    return rc;
}

int ses_send_please_tokens(struct x400ms_assoc *a, unsigned tokens)
{
    struct spdu s;
    spdu_init(&s, SPDU_PT);
    s.present |= SPDU_P_TOKEN_ITEM;
    s.token_item = (uint8_t)tokens;
    return ses_send_spdu(a, &s, true);
}

int ses_send_give_tokens(struct x400ms_assoc *a, unsigned tokens)
{
    struct spdu s;
    spdu_init(&s, SPDU_GT);
    s.present |= SPDU_P_TOKEN_ITEM;
    s.token_item = (uint8_t)tokens;
    a->tokens &= ~tokens;
    ber_writer_reset(&a->out);
    return ses_send_spdu(a, &s, false);
}

int ses_send_give_control(struct x400ms_assoc *a)
{
    a->tokens = 0; /* X.225 7.20: GTC hands over every available token */
    return ses_send_simple(a, SPDU_GTC, SES_NO_PREFIX);
}

int ses_send_activity_start(struct x400ms_assoc *a)
{
    if (a->lower == NULL || a->lower_gone)
        return X400MS_ECLOSED;
    struct ber_writer w;
    ber_writer_init(&w);
    struct spdu s;
    spdu_init(&s, SPDU_AS);
    /* Activity Identifier: up to 6 octets (X.225 8.3.29); a counter. */
    static const char id[] = "1";
    s.present |= SPDU_P_ACTIVITY_ID;
    s.activity_id = ber_slice_make(id, 1);
    struct spdu gt;
    spdu_init(&gt, SPDU_GT);
    int rc = spdu_encode(&w, &s);
    if (rc == 0)
        rc = spdu_encode(&w, &gt);
    if (rc == 0)
        rc = w.error;
    if (rc == 0)
        rc = osi_send_tsdu(a, ber_writer_data(&w), ber_writer_len(&w));
    ber_writer_free(&w);
    a->in_activity = true;
    a->ses_serial = 1; /* X.225 7.29: V(M) restarts at activity start */
    return rc;
}

int ses_send_activity_end(struct x400ms_assoc *a)
{
    return ses_send_simple(a, SPDU_AE, SES_GT_PREFIX);
}

int ses_send_activity_end_ack(struct x400ms_assoc *a)
{
    int rc = ses_send_simple(a, SPDU_AEA, SES_PT_PREFIX);
    a->in_activity = false;
    a->ses_serial++;
    return rc;
}

int ses_send_minor_sync(struct x400ms_assoc *a)
{
    (void)a;
    return X400MS_ENOTSUP; /* RTSE here answers checkpointSize 0: no checkpoints */
}

int ses_send_minor_sync_ack(struct x400ms_assoc *a)
{
    (void)a;
    return X400MS_ENOTSUP;
}

static int ses_rtse_event(struct x400ms_assoc *a, enum x400ms_rts_event ev, struct ber_slice data)
{
    if (a->rtse == NULL || a->rt == NULL) {
        ses_protocol_error(a, "token or activity SPDU on an association without RTSE");
        return X400MS_EPROTO;
    }
    int rc = a->rtse->event(a->rt, ev, X400MS_BYTES(data.ptr, data.len));
    if (rc < 0 && a->state != OSI_S_CLOSED)
        osi_abort(a, X400MS_ABORT_LOCAL, true, "RTSE protocol error (event %d): %s", (int)ev,
                  x400ms_strerror(rc));
    return rc;
}

/* ---- input ---- */

static bool ses_in_data_phase(struct x400ms_assoc *a)
{
    return a->state == OSI_S_DATA || a->state == OSI_S_RELEASING || a->state == OSI_S_WAIT_BIND;
}

void ses_input(struct x400ms_assoc *a, const uint8_t *tsdu, size_t len)
{
    struct spdu sp[SES_MAX_SPDUS];
    size_t n = 0;
    struct ber_error e = { 0 };
    unsigned flags = (a->ses_fu & OSI_FU_ACTIVITY) ? SPDU_F_ACTIVITY : 0;
    int rc = spdu_decode_tsdu(tsdu, len, flags, sp, SES_MAX_SPDUS, &n, &e);
    if (rc < 0) {
        char buf[200];
        ses_protocol_error(a, ber_error_format(&e, buf, sizeof(buf)));
        return;
    }
    for (size_t i = 0; i < n && a->state != OSI_S_CLOSED; i++) {
        const struct spdu *s = &sp[i];
        struct ber_slice ud = (s->present & SPDU_P_USER_DATA) ? s->user_data : ber_slice_make(NULL, 0);
        if (s->present & SPDU_P_ENCLOSURE) {
            /* We never offer a TSDU maximum size, so no SPDU may be segmented. */
            ses_protocol_error(a, "segmented SPDU (Enclosure Item) without a negotiated TSDU size");
            return;
        }
        switch (s->type) {
        case SPDU_CN:
            ses_on_connect(a, s);
            break;
        case SPDU_AC:
            ses_on_accept(a, s);
            break;
        case SPDU_RF:
            ses_on_refuse(a, s);
            break;
        case SPDU_GT:
            if (!ses_in_data_phase(a)) {
                ses_protocol_error(a, "GT SPDU outside data transfer");
                return;
            }
            if ((s->present & SPDU_P_TOKEN_ITEM) && s->token_item) {
                a->tokens |= s->token_item;
                if (a->rtse != NULL)
                    ses_rtse_event(a, X400MS_RTS_TOKEN_GIVE, ud);
            }
            break;
        case SPDU_PT:
            if (!ses_in_data_phase(a)) {
                ses_protocol_error(a, "PT SPDU outside data transfer");
                return;
            }
            /* A PT with no token item is the category 0 prefix of a
             * concatenated TSDU; with tokens it is S-TOKEN-PLEASE. */
            if ((s->present & SPDU_P_TOKEN_ITEM) || ud.len > 0)
                ses_rtse_event(a, X400MS_RTS_TOKEN_PLEASE, ud);
            break;
        case SPDU_DT:
            if (!ses_in_data_phase(a)) {
                ses_protocol_error(a, "DT SPDU outside data transfer");
                return;
            }
            pres_data_ind(a, ud);
            break;
        case SPDU_FN:
            if (a->state != OSI_S_DATA || a->initiator) {
                ses_protocol_error(a, "FN SPDU not expected");
                return;
            }
            pres_release_ind(a, ud);
            break;
        case SPDU_DN:
            if (a->state != OSI_S_RELEASING) {
                ses_protocol_error(a, "DN SPDU not expected");
                return;
            }
            pres_release_cnf(a, ud);
            break;
        case SPDU_AB:
            pres_abort_ind(a, ud, (s->present & SPDU_P_TRANSPORT_DISCONNECT) &&
                                      (s->transport_disconnect & SPDU_TD_USER_ABORT));
            return;
        case SPDU_AA:
            break;
        case SPDU_GTC:
            a->tokens = ses_tokens_in_use(a->ses_fu);
            ses_send_simple(a, SPDU_GTA, SES_NO_PREFIX);
            ses_rtse_event(a, X400MS_RTS_CONTROL_GIVE, ud);
            break;
        case SPDU_GTA:
            break;
        case SPDU_AS:
            a->in_activity = true;
            a->ses_serial = 1;
            ses_rtse_event(a, X400MS_RTS_ACTIVITY_START, ud);
            break;
        case SPDU_AE:
        case SPDU_MAP:
            ses_rtse_event(a, X400MS_RTS_ACTIVITY_END, ud);
            break;
        case SPDU_AEA:
        case SPDU_MAA:
            a->in_activity = false;
            a->ses_serial++;
            ses_rtse_event(a, X400MS_RTS_ACTIVITY_END_ACK, ud);
            break;
        case SPDU_AI:
        case SPDU_AD:
            a->in_activity = false;
            ses_send_simple(a, s->type == SPDU_AI ? SPDU_AIA : SPDU_ADA, SES_PT_PREFIX);
            ses_rtse_event(a, X400MS_RTS_ACTIVITY_INTERRUPT, ud);
            break;
        case SPDU_AIA:
        case SPDU_ADA:
            ses_rtse_event(a, X400MS_RTS_ACTIVITY_INTERRUPT_ACK, ud);
            break;
        default: {
            char what[80];
            snprintf(what, sizeof(what), "%s SPDU (SI %u) not supported", spdu_type_name(s->type),
                     s->si);
            ses_protocol_error(a, what);
            return;
        }
        }
    }
}
