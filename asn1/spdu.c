/* X.225 session SPDU codec (see spdu.h). Clause numbers are X.225 (11/95). */
#include "config.h"

#include <string.h>

#include "asn1/spdu.h"

/* Parameters each SPDU may carry (X.225 8.3, Tables 9 to 45). */
#define P_CONNID (SPDU_P_CALLING_SS_REF | SPDU_P_COMMON_REF | SPDU_P_ADDITIONAL_REF)
#define P_CAI (SPDU_P_PROTOCOL_OPTIONS | SPDU_P_TSDU_MAX | SPDU_P_VERSION | SPDU_P_INITIAL_SERIAL | \
               SPDU_P_TOKEN_SETTING)

static const struct spdu_desc {
    const char *name;
    const char *type_name;  /* for error reports */
    uint8_t si;
    uint32_t allowed;
    bool category0;
} spdu_descs[SPDU_TYPE_COUNT] = {
    [SPDU_UNKNOWN] = { "unknown", "SPDU", 0, 0, false },
    [SPDU_CN] = { "CN", "CN SPDU", SPDU_SI_CN,
                  P_CONNID | P_CAI | SPDU_P_SESSION_REQUIREMENTS | SPDU_P_CALLING_SSEL |
                      SPDU_P_CALLED_SSEL | SPDU_P_DATA_OVERFLOW | SPDU_P_USER_DATA, false },
    [SPDU_AC] = { "AC", "AC SPDU", SPDU_SI_AC,
                  P_CONNID | P_CAI | SPDU_P_TOKEN_ITEM | SPDU_P_SESSION_REQUIREMENTS |
                      SPDU_P_ENCLOSURE | SPDU_P_CALLING_SSEL | SPDU_P_CALLED_SSEL | SPDU_P_USER_DATA,
                  false },
    [SPDU_RF] = { "RF", "RF SPDU", SPDU_SI_RF,
                  P_CONNID | SPDU_P_TRANSPORT_DISCONNECT | SPDU_P_SESSION_REQUIREMENTS |
                      SPDU_P_VERSION | SPDU_P_ENCLOSURE | SPDU_P_REASON_CODE, false },
    [SPDU_FN] = { "FN", "FN SPDU", SPDU_SI_FN,
                  SPDU_P_TRANSPORT_DISCONNECT | SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, false },
    [SPDU_DN] = { "DN", "DN SPDU", SPDU_SI_DN, SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, false },
    [SPDU_NF] = { "NF", "NF SPDU", SPDU_SI_NF, SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, false },
    [SPDU_AB] = { "AB", "AB SPDU", SPDU_SI_AB,
                  SPDU_P_TRANSPORT_DISCONNECT | SPDU_P_ENCLOSURE | SPDU_P_REFLECT | SPDU_P_USER_DATA,
                  false },
    [SPDU_AA] = { "AA", "AA SPDU", SPDU_SI_AA, 0, false },
    [SPDU_DT] = { "DT", "DT SPDU", SPDU_SI_DT, SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, false },
    [SPDU_GT] = { "GT", "GT SPDU", SPDU_SI_DT, SPDU_P_TOKEN_ITEM | SPDU_P_ENCLOSURE, true },
    [SPDU_PT] = { "PT", "PT SPDU", SPDU_SI_PT,
                  SPDU_P_TOKEN_ITEM | SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, true },
    [SPDU_GTC] = { "GTC", "GTC SPDU", SPDU_SI_GTC, SPDU_P_ENCLOSURE, false },
    [SPDU_GTA] = { "GTA", "GTA SPDU", SPDU_SI_GTA, SPDU_P_ENCLOSURE, false },
    [SPDU_MAP] = { "MAP", "MAP SPDU", SPDU_SI_MAP,
                   SPDU_P_SYNC_TYPE | SPDU_P_SERIAL_NUMBER | SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, false },
    [SPDU_MAA] = { "MAA", "MAA SPDU", SPDU_SI_MAA,
                   SPDU_P_SERIAL_NUMBER | SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, false },
    [SPDU_AS] = { "AS", "AS SPDU", SPDU_SI_AS,
                  SPDU_P_ACTIVITY_ID | SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, false },
    [SPDU_AR] = { "AR", "AR SPDU", SPDU_SI_AR,
                  SPDU_P_LINKING | SPDU_P_ACTIVITY_ID | SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, false },
    [SPDU_AD] = { "AD", "AD SPDU", SPDU_SI_AD, SPDU_P_ENCLOSURE | SPDU_P_REASON_CODE, false },
    [SPDU_ADA] = { "ADA", "ADA SPDU", SPDU_SI_ADA, SPDU_P_ENCLOSURE, false },
    [SPDU_AE] = { "AE", "AE SPDU", SPDU_SI_MAP,
                  SPDU_P_SERIAL_NUMBER | SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, false },
    [SPDU_AEA] = { "AEA", "AEA SPDU", SPDU_SI_MAA,
                   SPDU_P_SERIAL_NUMBER | SPDU_P_ENCLOSURE | SPDU_P_USER_DATA, false },
    [SPDU_AI] = { "AI", "AI SPDU", SPDU_SI_AB, SPDU_P_ENCLOSURE | SPDU_P_REASON_CODE, false },
    [SPDU_AIA] = { "AIA", "AIA SPDU", SPDU_SI_AA, SPDU_P_ENCLOSURE, false },
};

const char *spdu_type_name(enum spdu_type type)
{
    return (unsigned)type < SPDU_TYPE_COUNT ? spdu_descs[type].name : "unknown";
}

uint8_t spdu_type_si(enum spdu_type type)
{
    return (unsigned)type < SPDU_TYPE_COUNT ? spdu_descs[type].si : 0;
}

bool spdu_is_category0(enum spdu_type type)
{
    return (unsigned)type < SPDU_TYPE_COUNT && spdu_descs[type].category0;
}

void spdu_init(struct spdu *s, enum spdu_type type)
{
    memset(s, 0, sizeof(*s));
    s->type = type;
    s->si = spdu_type_si(type);
}

/* ---------------- decoding ---------------- */

struct sdec {
    struct ber_ctx c;      /* for offsets and the error report */
    const char *type;      /* "CN SPDU" */
};

/* Reads an LI at *p (X.225 8.2.5: one octet 0..254, or 0xFF and two octets). */
static int read_li(struct sdec *d, const uint8_t **p, const uint8_t *end, size_t *li)
{
    const uint8_t *q = *p;
    if (q >= end)
        return ber_fail(&d->c, q, X400MS_EPROTO, d->type, "truncated length indicator");
    if (*q != 0xff) {
        *li = *q;
        *p = q + 1;
        return 0;
    }
    if (end - q < 3)
        return ber_fail(&d->c, q, X400MS_EPROTO, d->type, "truncated length indicator");
    *li = ((size_t)q[1] << 8) | q[2];
    *p = q + 3;
    return 0;
}

static int need_len(struct sdec *d, const uint8_t *at, size_t len, size_t min, size_t max)
{
    if (len < min || len > max)
        return ber_fail(&d->c, at, X400MS_EPROTO, d->type, "bad parameter length");
    return 0;
}

/* One PI inside PGI 1 or 5 or at the top level. */
static int decode_pi(struct sdec *d, struct spdu *s, unsigned code, const uint8_t *at,
                     const uint8_t *v, size_t n)
{
    int rc = 0;
    struct ber_slice val = ber_slice_make(v, n);
    switch (code) {
    case SPDU_PI_CALLING_SS_REF:
        s->calling_ss_ref = val;
        s->present |= SPDU_P_CALLING_SS_REF;
        return need_len(d, at, n, 0, 64);
    case SPDU_PI_COMMON_REF:
        s->common_ref = val;
        s->present |= SPDU_P_COMMON_REF;
        return need_len(d, at, n, 0, 64);
    case SPDU_PI_ADDITIONAL_REF:
        s->additional_ref = val;
        s->present |= SPDU_P_ADDITIONAL_REF;
        return need_len(d, at, n, 0, 4);
    case SPDU_PI_PROTOCOL_OPTIONS:
        if ((rc = need_len(d, at, n, 1, 1)) == 0)
            s->protocol_options = v[0];
        s->present |= SPDU_P_PROTOCOL_OPTIONS;
        return rc;
    case SPDU_PI_TSDU_MAX:
        if ((rc = need_len(d, at, n, 4, 4)) == 0) {
            s->tsdu_max_to_responder = (uint16_t)((v[0] << 8) | v[1]);
            s->tsdu_max_to_initiator = (uint16_t)((v[2] << 8) | v[3]);
        }
        s->present |= SPDU_P_TSDU_MAX;
        return rc;
    case SPDU_PI_VERSION:
        if ((rc = need_len(d, at, n, 1, 1)) == 0)
            s->version = v[0];
        s->present |= SPDU_P_VERSION;
        return rc;
    case SPDU_PI_INITIAL_SERIAL:
        s->initial_serial = val;
        s->present |= SPDU_P_INITIAL_SERIAL;
        return need_len(d, at, n, 1, 6);
    case SPDU_PI_TOKEN_SETTING:
        if ((rc = need_len(d, at, n, 1, 1)) == 0)
            s->token_setting = v[0];
        s->present |= SPDU_P_TOKEN_SETTING;
        return rc;
    case SPDU_PI_SYNC_TYPE:
        if ((rc = need_len(d, at, n, 1, 1)) == 0)
            s->sync_type = v[0];
        s->present |= SPDU_P_SYNC_TYPE;
        return rc;
    case SPDU_PI_TOKEN_ITEM:
        if ((rc = need_len(d, at, n, 1, 1)) == 0)
            s->token_item = v[0];
        s->present |= SPDU_P_TOKEN_ITEM;
        return rc;
    case SPDU_PI_TRANSPORT_DISCONNECT:
        if ((rc = need_len(d, at, n, 1, 1)) == 0)
            s->transport_disconnect = v[0];
        s->present |= SPDU_P_TRANSPORT_DISCONNECT;
        return rc;
    case SPDU_PI_SESSION_REQUIREMENTS:
        if ((rc = need_len(d, at, n, 2, 2)) == 0)
            s->session_requirements = (uint16_t)((v[0] << 8) | v[1]);
        s->present |= SPDU_P_SESSION_REQUIREMENTS;
        return rc;
    case SPDU_PI_ENCLOSURE:
        if ((rc = need_len(d, at, n, 1, 1)) == 0)
            s->enclosure = v[0];
        s->present |= SPDU_P_ENCLOSURE;
        return rc;
    case SPDU_PI_ACTIVITY_ID:
        s->activity_id = val;
        s->present |= SPDU_P_ACTIVITY_ID;
        return need_len(d, at, n, 1, 6);
    case SPDU_PI_SERIAL_NUMBER:
        s->serial_number = val;
        s->present |= SPDU_P_SERIAL_NUMBER;
        return need_len(d, at, n, 1, 6);
    case SPDU_PI_REFLECT:
        s->reflect = val;
        s->present |= SPDU_P_REFLECT;
        return 0;
    case SPDU_PI_REASON_CODE:
        if ((rc = need_len(d, at, n, 1, SIZE_MAX)) == 0) {
            s->reason_code = v[0];
            s->reason_data = ber_slice_make(v + 1, n - 1);
        }
        s->present |= SPDU_P_REASON_CODE;
        return rc;
    case SPDU_PI_CALLING_SSEL:
        s->calling_ssel = val;
        s->present |= SPDU_P_CALLING_SSEL;
        return need_len(d, at, n, 1, 16);
    case SPDU_PI_CALLED_SSEL:
        s->called_ssel = val;
        s->present |= SPDU_P_CALLED_SSEL;
        return need_len(d, at, n, 1, 16);
    case SPDU_PI_DATA_OVERFLOW:
        if ((rc = need_len(d, at, n, 1, 1)) == 0)
            s->data_overflow = v[0];
        s->present |= SPDU_P_DATA_OVERFLOW;
        return rc;
    default:
        return 0; /* unknown parameters are ignored (kept in s->raw) */
    }
}

/* Walks a run of PI/PGI units in [p, end). Inside a PGI (nested) only PIs. */
static int decode_units(struct sdec *d, struct spdu *s, const uint8_t *p, const uint8_t *end, bool nested)
{
    while (p < end) {
        const uint8_t *at = p;
        unsigned code = *p++;
        size_t n = 0;
        int rc = read_li(d, &p, end, &n);
        if (rc < 0)
            return rc;
        if (n > (size_t)(end - p))
            return ber_fail(&d->c, at, X400MS_EPROTO, d->type, "parameter runs past its SPDU");
        if (!nested && (code == SPDU_PGI_CONNECTION_ID || code == SPDU_PGI_CONNECT_ACCEPT)) {
            rc = decode_units(d, s, p, p + n, true);
        } else if (!nested && code == SPDU_PGI_LINKING) {
            s->linking = ber_slice_make(p, n);
            s->present |= SPDU_P_LINKING;
        } else if (!nested && (code == SPDU_PGI_USER_DATA || code == SPDU_PGI_EXTENDED_USER_DATA)) {
            if (s->present & SPDU_P_USER_DATA)
                return ber_fail(&d->c, at, X400MS_EPROTO, d->type, "user data twice");
            s->user_data = ber_slice_make(p, n);
            s->extended_user_data = code == SPDU_PGI_EXTENDED_USER_DATA;
            s->present |= SPDU_P_USER_DATA;
        } else {
            rc = decode_pi(d, s, code, at, p, n);
        }
        if (rc < 0)
            return rc;
        p += n;
    }
    return 0;
}

static enum spdu_type type_of_si(uint8_t si, bool category0_position, unsigned flags)
{
    switch (si) {
    case SPDU_SI_DT: return category0_position ? SPDU_GT : SPDU_DT;
    case SPDU_SI_PT: return SPDU_PT;
    case SPDU_SI_NF: return SPDU_NF;
    case SPDU_SI_FN: return SPDU_FN;
    case SPDU_SI_DN: return SPDU_DN;
    case SPDU_SI_RF: return SPDU_RF;
    case SPDU_SI_CN: return SPDU_CN;
    case SPDU_SI_AC: return SPDU_AC;
    case SPDU_SI_GTC: return SPDU_GTC;
    case SPDU_SI_GTA: return SPDU_GTA;
    case SPDU_SI_AB: return SPDU_AB; /* AI decided after the parameters */
    case SPDU_SI_AA: return (flags & SPDU_F_ACTIVITY) ? SPDU_AIA : SPDU_AA;
    case SPDU_SI_AR: return SPDU_AR;
    case SPDU_SI_MAP: return SPDU_MAP; /* AE decided after the parameters */
    case SPDU_SI_MAA: return (flags & SPDU_F_ACTIVITY) ? SPDU_AEA : SPDU_MAA;
    case SPDU_SI_AS: return SPDU_AS;
    case SPDU_SI_AD: return SPDU_AD;
    case SPDU_SI_ADA: return SPDU_ADA;
    default: return SPDU_UNKNOWN;
    }
}

/* Is si the SI of a category 2 SPDU that may follow GT / PT? (X.225 6.3.7) */
static bool is_category2_si(uint8_t si)
{
    switch (si) {
    case SPDU_SI_DT: case SPDU_SI_MAP: case SPDU_SI_MAA: case SPDU_SI_AS: case SPDU_SI_AR:
    case SPDU_SI_AD: case SPDU_SI_ADA: case SPDU_SI_AB: case SPDU_SI_AA:
    case 49 /* MIP */: case 50 /* MIA */: case 53 /* RS */: case 34 /* RA */:
        return true;
    default:
        return false;
    }
}

int spdu_decode_tsdu(const uint8_t *buf, size_t len, unsigned flags, struct spdu *out, size_t max,
                     size_t *count_r, struct ber_error *err)
{
    struct sdec d;
    const uint8_t *p = buf, *end = buf + len;
    size_t count = 0;

    ber_ctx_init(&d.c, buf, len, err);
    d.type = "TSDU";
    *count_r = 0;
    if (len == 0)
        return ber_fail(&d.c, buf, X400MS_EPROTO, d.type, "empty TSDU");
    while (p < end) {
        const uint8_t *start = p;
        uint8_t si = *p++;
        size_t li = 0;
        bool first = count == 0;
        if (count == max)
            return ber_fail(&d.c, start, X400MS_ELIMIT, "TSDU", "too many SPDUs in one TSDU");
        d.type = "SPDU";
        int rc = read_li(&d, &p, end, &li);
        if (rc < 0)
            return rc;
        if (li > (size_t)(end - p))
            return ber_fail(&d.c, start, X400MS_EPROTO, d.type, "length past end of TSDU");
        const uint8_t *pend = p + li;
        /* SI 1 first in a TSDU is GT when another SPDU follows it; a lone DT
         * (seen from lax peers) is accepted when what follows is no SPDU. */
        bool cat0 = false;
        if (first && (si == SPDU_SI_DT || si == SPDU_SI_PT))
            cat0 = si == SPDU_SI_PT || pend == end || is_category2_si(*pend);
        enum spdu_type type = type_of_si(si, cat0, flags);
        if (type == SPDU_UNKNOWN)
            return ber_fail(&d.c, start, X400MS_EPROTO, "SPDU", "unknown SPDU identifier");
        if (!first && spdu_descs[type].category0)
            return ber_fail(&d.c, start, X400MS_EPROTO, "SPDU", "category 0 SPDU not first in TSDU");

        struct spdu *s = &out[count];
        spdu_init(s, type);
        s->si = si;
        d.type = spdu_descs[type].type_name;
        rc = decode_units(&d, s, p, pend, false);
        if (rc < 0)
            return rc;
        p = pend;
        if (type == SPDU_DT) {
            /* X.225 8.3.11: user information follows the parameters. */
            s->user_data = ber_slice_make(p, (size_t)(end - p));
            if (s->user_data.len)
                s->present |= SPDU_P_USER_DATA;
            p = end;
        }
        if (type == SPDU_AB && (flags & SPDU_F_ACTIVITY) && !(s->present & SPDU_P_TRANSPORT_DISCONNECT))
            s->type = SPDU_AI;
        if (type == SPDU_MAP && (flags & SPDU_F_ACTIVITY) && !(s->present & SPDU_P_SYNC_TYPE))
            s->type = SPDU_AE;
        s->raw = ber_slice_make(start, (size_t)(p - start));
        count++;
        /* Category 1 SPDUs (CN, AC, FN ...) travel alone (X.225 6.3.7). */
        if (first && !spdu_descs[type].category0 && p < end)
            return ber_fail(&d.c, p, X400MS_EPROTO, spdu_descs[type].type_name,
                            "trailing octets after SPDU");
    }
    *count_r = count;
    return 0;
}

/* ---------------- encoding ---------------- */

/* Prepends LI for n octets (X.225 8.2.5). */
static int put_li(struct ber_writer *w, size_t n)
{
    if (n <= 254) {
        uint8_t b = (uint8_t)n;
        return ber_put_raw(w, &b, 1);
    }
    if (n > 65535) {
        if (!w->error)
            w->error = X400MS_ELIMIT;
        return w->error;
    }
    uint8_t b[3] = { 0xff, (uint8_t)(n >> 8), (uint8_t)n };
    return ber_put_raw(w, b, 3);
}

static int put_unit(struct ber_writer *w, uint8_t code, const void *v, size_t n)
{
    ber_put_raw(w, v, n);
    put_li(w, n);
    return ber_put_raw(w, &code, 1);
}

static int put_u8(struct ber_writer *w, uint8_t code, uint8_t v)
{
    return put_unit(w, code, &v, 1);
}

/* Wraps what was pushed since mark as a unit with that code. */
static int wrap_unit(struct ber_writer *w, ber_mark_t mark, uint8_t code)
{
    if (w->error)
        return w->error;
    put_li(w, w->len - mark);
    return ber_put_raw(w, &code, 1);
}

int spdu_encode(struct ber_writer *w, const struct spdu *s)
{
    if ((unsigned)s->type >= SPDU_TYPE_COUNT || s->type == SPDU_UNKNOWN) {
        if (!w->error)
            w->error = X400MS_EINVAL;
        return X400MS_EINVAL;
    }
    const struct spdu_desc *desc = &spdu_descs[s->type];
    uint32_t p = s->present;
    if (p & ~desc->allowed) {
        if (!w->error)
            w->error = X400MS_EINVAL;
        return X400MS_EINVAL;
    }
    if (s->type == SPDU_DT && (p & SPDU_P_USER_DATA))
        ber_put_slice(w, s->user_data); /* user information, outside LI */
    ber_mark_t all = ber_mark(w);

    /* Backwards: highest code first. */
    if ((p & SPDU_P_USER_DATA) && s->type != SPDU_DT) {
        bool ext = s->extended_user_data ||
                   ((s->type == SPDU_CN || s->type == SPDU_AC) && s->user_data.len > SPDU_MAX_USER_DATA_V1);
        if (ext && s->user_data.len > SPDU_MAX_EXTENDED_USER_DATA) {
            if (!w->error)
                w->error = X400MS_ELIMIT;
            return X400MS_ELIMIT;
        }
        put_unit(w, ext ? SPDU_PGI_EXTENDED_USER_DATA : SPDU_PGI_USER_DATA, s->user_data.ptr,
                 s->user_data.len);
    }
    if (p & SPDU_P_DATA_OVERFLOW)
        put_u8(w, SPDU_PI_DATA_OVERFLOW, s->data_overflow);
    if (p & SPDU_P_CALLED_SSEL)
        put_unit(w, SPDU_PI_CALLED_SSEL, s->called_ssel.ptr, s->called_ssel.len);
    if (p & SPDU_P_CALLING_SSEL)
        put_unit(w, SPDU_PI_CALLING_SSEL, s->calling_ssel.ptr, s->calling_ssel.len);
    if (p & SPDU_P_REASON_CODE) {
        ber_mark_t m = ber_mark(w);
        ber_put_slice(w, s->reason_data);
        ber_put_raw(w, &s->reason_code, 1);
        wrap_unit(w, m, SPDU_PI_REASON_CODE);
    }
    if (p & SPDU_P_REFLECT)
        put_unit(w, SPDU_PI_REFLECT, s->reflect.ptr, s->reflect.len);
    if (p & SPDU_P_SERIAL_NUMBER)
        put_unit(w, SPDU_PI_SERIAL_NUMBER, s->serial_number.ptr, s->serial_number.len);
    if (p & SPDU_P_ACTIVITY_ID)
        put_unit(w, SPDU_PI_ACTIVITY_ID, s->activity_id.ptr, s->activity_id.len);
    if (p & SPDU_P_LINKING)
        put_unit(w, SPDU_PGI_LINKING, s->linking.ptr, s->linking.len);
    if (p & SPDU_P_ENCLOSURE)
        put_u8(w, SPDU_PI_ENCLOSURE, s->enclosure);
    /* RF carries Version Number as a PI of its own (X.225 8.3.3). */
    if (s->type == SPDU_RF && (p & SPDU_P_VERSION))
        put_u8(w, SPDU_PI_VERSION, s->version);
    if (p & SPDU_P_SESSION_REQUIREMENTS) {
        uint8_t v[2] = { (uint8_t)(s->session_requirements >> 8), (uint8_t)s->session_requirements };
        put_unit(w, SPDU_PI_SESSION_REQUIREMENTS, v, 2);
    }
    if (p & SPDU_P_TRANSPORT_DISCONNECT)
        put_u8(w, SPDU_PI_TRANSPORT_DISCONNECT, s->transport_disconnect);
    if (p & SPDU_P_TOKEN_ITEM)
        put_u8(w, SPDU_PI_TOKEN_ITEM, s->token_item);
    if (p & SPDU_P_SYNC_TYPE)
        put_u8(w, SPDU_PI_SYNC_TYPE, s->sync_type);
    uint32_t cai = p & P_CAI;
    if (s->type == SPDU_RF)
        cai = 0;
    if (cai) {
        ber_mark_t m = ber_mark(w);
        if (cai & SPDU_P_TOKEN_SETTING)
            put_u8(w, SPDU_PI_TOKEN_SETTING, s->token_setting);
        if (cai & SPDU_P_INITIAL_SERIAL)
            put_unit(w, SPDU_PI_INITIAL_SERIAL, s->initial_serial.ptr, s->initial_serial.len);
        if (cai & SPDU_P_VERSION)
            put_u8(w, SPDU_PI_VERSION, s->version);
        if (cai & SPDU_P_TSDU_MAX) {
            uint8_t v[4] = { (uint8_t)(s->tsdu_max_to_responder >> 8), (uint8_t)s->tsdu_max_to_responder,
                             (uint8_t)(s->tsdu_max_to_initiator >> 8), (uint8_t)s->tsdu_max_to_initiator };
            put_unit(w, SPDU_PI_TSDU_MAX, v, 4);
        }
        if (cai & SPDU_P_PROTOCOL_OPTIONS)
            put_u8(w, SPDU_PI_PROTOCOL_OPTIONS, s->protocol_options);
        wrap_unit(w, m, SPDU_PGI_CONNECT_ACCEPT);
    }
    if (p & P_CONNID) {
        ber_mark_t m = ber_mark(w);
        if (p & SPDU_P_ADDITIONAL_REF)
            put_unit(w, SPDU_PI_ADDITIONAL_REF, s->additional_ref.ptr, s->additional_ref.len);
        if (p & SPDU_P_COMMON_REF)
            put_unit(w, SPDU_PI_COMMON_REF, s->common_ref.ptr, s->common_ref.len);
        if (p & SPDU_P_CALLING_SS_REF)
            put_unit(w, SPDU_PI_CALLING_SS_REF, s->calling_ss_ref.ptr, s->calling_ss_ref.len);
        wrap_unit(w, m, SPDU_PGI_CONNECTION_ID);
    }
    return wrap_unit(w, all, desc->si);
}

int spdu_encode_gt_dt(struct ber_writer *w, struct ber_slice user_info)
{
    static const uint8_t gt_dt[4] = { SPDU_SI_DT, 0, SPDU_SI_DT, 0 };
    ber_put_slice(w, user_info);
    return ber_put_raw(w, gt_dt, sizeof(gt_dt));
}
