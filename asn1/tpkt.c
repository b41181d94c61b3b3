/* RFC 1006 TPKT framing and X.224 class 0 TPDUs: see tpkt.h. */
#include <string.h>
#include "asn1/tpkt.h"

int tpkt_peek(const uint8_t *buf, size_t len, size_t max_len, size_t *tpkt_len_r,
              struct x400ms_error *err)
{
    size_t tpkt_len;

    if (len >= 1 && buf[0] != TPKT_VERSION)
        return x400ms_error_set(err, X400MS_EPROTO,
                                "TPKT: version 0x%02x at offset 0, expected 0x03", buf[0]);
    if (len < TPKT_HEADER_LEN)
        return X400MS_EAGAIN;
    /* RFC 1006 section 6: octet 2 is reserved; its value is not checked. */
    tpkt_len = (size_t)buf[2] << 8 | buf[3];
    if (tpkt_len < TPKT_MIN_LEN)
        return x400ms_error_set(err, X400MS_EPROTO,
                                "TPKT: length %zu at offset 2, below the minimum %u",
                                tpkt_len, TPKT_MIN_LEN);
    if (tpkt_len > max_len)
        return x400ms_error_set(err, X400MS_ELIMIT,
                                "TPKT: length %zu at offset 2 exceeds the limit %zu",
                                tpkt_len, max_len);
    if (len < tpkt_len)
        return X400MS_EAGAIN;
    *tpkt_len_r = tpkt_len;
    return 0;
}

void tpkt_put_header(uint8_t *out, size_t tpkt_len)
{
    out[0] = TPKT_VERSION;
    out[1] = 0;
    out[2] = (uint8_t)(tpkt_len >> 8);
    out[3] = (uint8_t)tpkt_len;
}

const char *x224_code_name(uint8_t code)
{
    switch (code & 0xF0) {
    case X224_CR: return "CR";
    case X224_CC: return "CC";
    case X224_DR: return "DR";
    case X224_DC: return "DC";
    case X224_DT: return "DT";
    case X224_ED: return "ED";
    case X224_AK: return "AK";
    case X224_EA: return "EA";
    case X224_RJ: return "RJ";
    case X224_ER: return "ER";
    default: return "unknown";
    }
}

unsigned x224_tpdu_size_code(size_t size)
{
    unsigned code;

    if (size < 128)
        return 0;
    for (code = 13; (1u << code) > size; code--)
        ;
    return code;
}

static int fail(struct x224_tpdu *out, uint8_t cause, struct x400ms_error *err, int code,
                const char *what, size_t offset, const char *detail)
{
    out->cause = cause;
    return x400ms_error_set(err, code, "X.224 %s: %s at offset %zu%s%s",
                            x224_code_name(out->code), what, offset, detail ? ": " : "",
                            detail ? detail : "");
}

/* The variable part of CR/CC/DR/ER (X.224 13.2.3): code, length, value. */
static int decode_params(const uint8_t *tpdu, size_t pos, size_t end, struct x224_tpdu *out,
                         struct x400ms_error *err)
{
    while (pos < end) {
        uint8_t code, plen;
        const uint8_t *v;

        if (end - pos < 2)
            return fail(out, X224_ER_INVALID_PARAM_CODE, err, X400MS_EPROTO,
                        "truncated parameter", pos, NULL);
        code = tpdu[pos];
        plen = tpdu[pos + 1];
        if (plen > end - pos - 2)
            return fail(out, X224_ER_INVALID_PARAM_VALUE, err, X400MS_EPROTO,
                        "parameter length past the header", pos + 1, NULL);
        v = tpdu + pos + 2;
        switch (out->code == X224_ER && code == X224_P_INVALID_TPDU ? 0x100 : code) {
        case 0x100:
            out->info = v;
            out->info_len = plen;
            break;
        case X224_P_ADDITIONAL_INFO:
            if (out->code == X224_DR) {
                out->info = v;
                out->info_len = plen;
            }
            break;
        case X224_P_TPDU_SIZE:
            if (plen != 1 || v[0] < 7 || v[0] > 13)
                return fail(out, X224_ER_INVALID_PARAM_VALUE, err, X400MS_EPROTO,
                            "TPDU size parameter", pos,
                            "expected one octet 0x07..0x0d (128..8192 octets)");
            out->tpdu_size = 1u << v[0];
            break;
        case X224_P_PREF_TPDU_SIZE: {
            uint32_t units = 0;
            if (plen < 1 || plen > 4)
                return fail(out, X224_ER_INVALID_PARAM_VALUE, err, X400MS_EPROTO,
                            "preferred maximum TPDU size parameter", pos,
                            "expected 1 to 4 octets");
            for (unsigned i = 0; i < plen; i++)
                units = units << 8 | v[i];
            if (units == 0)
                return fail(out, X224_ER_INVALID_PARAM_VALUE, err, X400MS_EPROTO,
                            "preferred maximum TPDU size parameter", pos, "zero");
            /* Saturate: anything above the TPKT limit is the TPKT limit. */
            out->pref_tpdu_size = units > X224_MAX_TPDU_SIZE / 128 ? (X224_MAX_TPDU_SIZE / 128) * 128
                                                                    : units * 128;
            break;
        }
        case X224_P_CALLING_TSAP:
            out->has_calling = true;
            out->calling_tsel = v;
            out->calling_tsel_len = plen;
            break;
        case X224_P_CALLED_TSAP:
            out->has_called = true;
            out->called_tsel = v;
            out->called_tsel_len = plen;
            break;
        case X224_P_OPTIONS:
            if (plen != 1)
                return fail(out, X224_ER_INVALID_PARAM_VALUE, err, X400MS_EPROTO,
                            "additional option selection parameter", pos, "expected one octet");
            out->has_options = true;
            out->options = v[0];
            break;
        case X224_P_ALT_CLASSES:
            out->has_alt_classes = true;
            for (unsigned i = 0; i < plen; i++)
                out->alt_classes |= (uint8_t)(1u << ((v[i] >> 4) & 7));
            break;
        default:
            /* X.224 13.3.4: parameters not defined for the class are ignored. */
            break;
        }
        pos += 2u + plen;
    }
    return 0;
}

int x224_decode(const uint8_t *tpdu, size_t len, struct x224_tpdu *out, struct x400ms_error *err)
{
    size_t li, hdr_end, fixed;

    memset(out, 0, sizeof *out);
    if (len < 2) {
        out->code = len ? tpdu[0] : 0;
        return fail(out, X224_ER_UNSPECIFIED, err, X400MS_EPROTO, "TPDU shorter than 2 octets",
                    0, NULL);
    }
    li = tpdu[0];
    out->code = tpdu[1] & 0xF0;
    if (li == 255 || li == 0)
        return fail(out, X224_ER_UNSPECIFIED, err, X400MS_EPROTO, "length indicator", 0,
                    li ? "255 is reserved" : "zero");
    if (li + 1 > len)
        return fail(out, X224_ER_UNSPECIFIED, err, X400MS_EPROTO, "length indicator", 0,
                    "header longer than the TPDU");
    hdr_end = li + 1;

    switch (out->code) {
    case X224_CR:
    case X224_CC:
    case X224_DR:
        fixed = 7; /* LI code dst-ref src-ref class/reason */
        break;
    case X224_DT:
        fixed = 3;
        break;
    case X224_ER:
        fixed = 5;
        break;
    case X224_DC:
    case X224_ED:
    case X224_AK:
    case X224_EA:
    case X224_RJ:
        return fail(out, X224_ER_INVALID_TPDU_TYPE, err, X400MS_ENOTSUP, "TPDU type", 1,
                    "not used in class 0");
    default:
        return fail(out, X224_ER_INVALID_TPDU_TYPE, err, X400MS_EPROTO, "unknown TPDU type", 1,
                    NULL);
    }
    if (hdr_end < fixed)
        return fail(out, X224_ER_UNSPECIFIED, err, X400MS_EPROTO, "length indicator", 0,
                    "shorter than the fixed part");

    switch (out->code) {
    case X224_DT:
        /* X.224 13.7.3: class 0 uses the normal format without parameters. */
        if (li != 2)
            return fail(out, X224_ER_UNSPECIFIED, err, X400MS_EPROTO, "length indicator", 0,
                        "class 0 DT has LI 2");
        out->eot = (tpdu[2] & 0x80) != 0;
        out->data = tpdu + hdr_end;
        out->data_len = len - hdr_end;
        return 0;
    case X224_ER:
        out->dst_ref = (uint16_t)(tpdu[2] << 8 | tpdu[3]);
        out->cause = tpdu[4];
        if (len > hdr_end)
            return fail(out, X224_ER_UNSPECIFIED, err, X400MS_EPROTO, "data after the header",
                        hdr_end, "ER carries no user data");
        return decode_params(tpdu, fixed, hdr_end, out, err);
    default:
        out->cdt = tpdu[1] & 0x0F;
        out->dst_ref = (uint16_t)(tpdu[2] << 8 | tpdu[3]);
        out->src_ref = (uint16_t)(tpdu[4] << 8 | tpdu[5]);
        if (out->code == X224_DR)
            out->reason = tpdu[6];
        else
            out->class_option = tpdu[6];
        out->data = tpdu + hdr_end;
        out->data_len = len - hdr_end;
        return decode_params(tpdu, fixed, hdr_end, out, err);
    }
}

static size_t put_param(uint8_t *p, uint8_t code, const uint8_t *v, size_t n)
{
    p[0] = code;
    p[1] = (uint8_t)n;
    if (n)
        memcpy(p + 2, v, n);
    return 2 + n;
}

size_t x224_encode(uint8_t *out, size_t cap, const struct x224_tpdu *t)
{
    /* The largest header: fixed part + 2 T-selectors + 4 small parameters. */
    uint8_t hdr[X224_MAX_LI + 1 + 64];
    size_t n = 1, total;

    switch (t->code) {
    case X224_CR:
    case X224_CC:
    case X224_DR:
        if ((t->has_calling && t->calling_tsel_len > X224_TSEL_MAX) ||
            (t->has_called && t->called_tsel_len > X224_TSEL_MAX) || t->info_len > 64)
            return 0;
        hdr[n++] = (uint8_t)(t->code | (t->code == X224_DR ? 0 : (t->cdt & 0x0F)));
        hdr[n++] = (uint8_t)(t->dst_ref >> 8);
        hdr[n++] = (uint8_t)t->dst_ref;
        hdr[n++] = (uint8_t)(t->src_ref >> 8);
        hdr[n++] = (uint8_t)t->src_ref;
        hdr[n++] = t->code == X224_DR ? t->reason : t->class_option;
        if (t->code == X224_DR) {
            if (t->info_len)
                n += put_param(hdr + n, X224_P_ADDITIONAL_INFO, t->info, t->info_len);
            break;
        }
        if (t->has_calling)
            n += put_param(hdr + n, X224_P_CALLING_TSAP, t->calling_tsel, t->calling_tsel_len);
        if (t->has_called)
            n += put_param(hdr + n, X224_P_CALLED_TSAP, t->called_tsel, t->called_tsel_len);
        if (t->tpdu_size) {
            uint8_t code = (uint8_t)x224_tpdu_size_code(t->tpdu_size);
            if (!code || (1u << code) != t->tpdu_size)
                return 0;
            n += put_param(hdr + n, X224_P_TPDU_SIZE, &code, 1);
        }
        if (t->pref_tpdu_size) {
            uint32_t units = t->pref_tpdu_size / 128;
            uint8_t v[2] = { (uint8_t)(units >> 8), (uint8_t)units };
            if (t->pref_tpdu_size % 128 || units > 0xFFFF)
                return 0;
            n += units > 0xFF ? put_param(hdr + n, X224_P_PREF_TPDU_SIZE, v, 2)
                              : put_param(hdr + n, X224_P_PREF_TPDU_SIZE, v + 1, 1);
        }
        if (t->has_options)
            n += put_param(hdr + n, X224_P_OPTIONS, &t->options, 1);
        break;
    case X224_ER:
        if (t->info_len > 64)
            return 0;
        hdr[n++] = X224_ER;
        hdr[n++] = (uint8_t)(t->dst_ref >> 8);
        hdr[n++] = (uint8_t)t->dst_ref;
        hdr[n++] = t->cause;
        if (t->info_len)
            n += put_param(hdr + n, X224_P_INVALID_TPDU, t->info, t->info_len);
        break;
    default:
        return 0;
    }
    if (n - 1 > X224_MAX_LI)
        return 0;
    hdr[0] = (uint8_t)(n - 1);
    total = TPKT_HEADER_LEN + n;
    if (total > cap)
        return 0;
    tpkt_put_header(out, total);
    memcpy(out + TPKT_HEADER_LEN, hdr, n);
    return total;
}

void x224_put_dt_header(uint8_t *out, size_t data_len, bool eot)
{
    tpkt_put_header(out, X224_DT_OVERHEAD + data_len);
    out[4] = 2;
    out[5] = X224_DT;
    out[6] = eot ? 0x80 : 0x00;
}
