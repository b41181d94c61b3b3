/* BER primitive value decoders (X.690 8.2 .. 8.23) and character set checks
 * (X.680 41). The writer side is in ber_writer.c. */
#include "config.h"

#include <string.h>

#include "asn1/ber.h"

static int need_primitive(struct ber_ctx *c, const struct ber_tlv *t, const char *type)
{
    if (t->constructed)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "expected primitive");
    return 0;
}

int ber_get_bool(struct ber_ctx *c, const struct ber_tlv *t, const char *type, bool *v)
{
    int rc = need_primitive(c, t, type);
    if (rc < 0)
        return rc;
    if (t->len != 1) /* X.690 8.2.1 */
        return ber_fail(c, t->start, X400MS_EPROTO, type, "BOOLEAN length not 1");
    *v = t->val[0] != 0;
    return 0;
}

int ber_get_int64(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int64_t *v)
{
    int rc = need_primitive(c, t, type);
    if (rc < 0)
        return rc;
    if (t->len == 0) /* X.690 8.3.1 */
        return ber_fail(c, t->start, X400MS_EPROTO, type, "empty INTEGER");
    size_t n = t->len;
    const uint8_t *p = t->val;
    /* Redundant leading octets (not minimal, but harmless) are skipped. */
    while (n > 8 && ((p[0] == 0x00 && !(p[1] & 0x80)) || (p[0] == 0xff && (p[1] & 0x80)))) {
        p++;
        n--;
    }
    if (n > 8)
        return ber_fail(c, t->start, X400MS_ELIMIT, type, "integer too large");
    uint64_t u = (p[0] & 0x80) ? UINT64_MAX : 0;
    for (size_t i = 0; i < n; i++)
        u = (u << 8) | p[i];
    *v = (int64_t)u;
    return 0;
}

int ber_get_int32(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int32_t *v)
{
    int64_t w;
    int rc = ber_get_int64(c, t, type, &w);
    if (rc < 0)
        return rc;
    if (w < INT32_MIN || w > INT32_MAX)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "integer out of range");
    *v = (int32_t)w;
    return 0;
}

int ber_get_integer_raw(struct ber_ctx *c, const struct ber_tlv *t, const char *type,
                        struct ber_slice *v)
{
    int rc = need_primitive(c, t, type);
    if (rc < 0)
        return rc;
    if (t->len == 0)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "empty INTEGER");
    *v = ber_tlv_contents(t);
    return 0;
}

int ber_get_enum(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int64_t *v)
{
    return ber_get_int64(c, t, type, v); /* X.690 8.4: encoded as INTEGER */
}

int ber_get_null(struct ber_ctx *c, const struct ber_tlv *t, const char *type)
{
    int rc = need_primitive(c, t, type);
    if (rc < 0)
        return rc;
    if (t->len != 0) /* X.690 8.8.2 */
        return ber_fail(c, t->start, X400MS_EPROTO, type, "NULL with contents");
    return 0;
}

int ber_get_oid(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct ber_slice *oid)
{
    int rc = need_primitive(c, t, type);
    if (rc < 0)
        return rc;
    /* X.690 8.19.2: each subidentifier as few octets as possible (no leading
     * 0x80), the last octet of each with bit 8 clear. */
    if (t->len == 0)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "empty OBJECT IDENTIFIER");
    bool at_start = true;
    for (size_t i = 0; i < t->len; i++) {
        uint8_t b = t->val[i];
        if (at_start && b == 0x80)
            return ber_fail(c, t->val + i, X400MS_EPROTO, type, "OID subidentifier with leading 0x80");
        at_start = !(b & 0x80);
    }
    if (!at_start)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "OID ends inside a subidentifier");
    *oid = ber_tlv_contents(t);
    return 0;
}

/* ---- segmented strings (X.690 8.6.4, 8.7.3, 8.23.6) ---- */

/* Calls visit(seg, len, arg) on every primitive segment of t, in order,
 * checking each is tagged seg_tag. For BIT STRING (seg_tag BIT STRING) the
 * segment contents include the unused-bits octet. */
typedef int (*seg_visit_fn)(struct ber_ctx *c, const struct ber_tlv *seg, void *arg);

static int walk_segments(struct ber_ctx *c, const struct ber_tlv *t, ber_tag_t seg_tag,
                         const char *type, seg_visit_fn visit, void *arg)
{
    if (!t->constructed)
        return visit(c, t, arg);
    struct ber_iter it;
    struct ber_tlv seg;
    int rc = ber_enter(c, t, &it, type);
    while (rc == 0 && (rc = ber_next(&it, &seg)) == 1) {
        if (seg.tag != seg_tag)
            return ber_fail(c, seg.start, X400MS_EPROTO, type, "wrong tag in segmented string");
        rc = walk_segments(c, &seg, seg_tag, type, visit, arg);
    }
    return rc;
}

struct str_check {
    unsigned univ;
    size_t nbytes;
    const char *type;
};

bool ber_is_printable(const uint8_t *p, size_t n)
{
    /* X.680 41.4 Table 10: A-Z a-z 0-9 space ' ( ) + , - . / : = ? */
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            continue;
        if (!memchr(" '()+,-./:=?", ch, 12))
            return false;
    }
    return true;
}

bool ber_is_numeric(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || p[i] == ' '))
            return false;
    return true;
}

bool ber_is_ia5(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] > 0x7f)
            return false;
    return true;
}

bool ber_is_visible(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] > 0x7e)
            return false;
    return true;
}

static int check_segment(struct ber_ctx *c, const struct ber_tlv *seg, void *arg)
{
    struct str_check *sc = arg;
    bool ok = true;
    const char *what = NULL;

    switch (sc->univ) {
    case BER_PRINTABLE_STRING:
        ok = ber_is_printable(seg->val, seg->len);
        what = "character not allowed in PrintableString";
        break;
    case BER_NUMERIC_STRING:
        ok = ber_is_numeric(seg->val, seg->len);
        what = "character not allowed in NumericString";
        break;
    case BER_IA5_STRING:
        ok = ber_is_ia5(seg->val, seg->len);
        what = "character not allowed in IA5String";
        break;
    case BER_VISIBLE_STRING:
        ok = ber_is_visible(seg->val, seg->len);
        what = "character not allowed in VisibleString";
        break;
    default:
        break;
    }
    if (!ok)
        return ber_fail(c, seg->start, X400MS_EPROTO, sc->type, what);
    sc->nbytes += seg->len;
    return 0;
}

int ber_get_str(struct ber_ctx *c, const struct ber_tlv *t, const char *type, unsigned univ,
                struct ber_str *s)
{
    struct str_check sc = { univ, 0, type };
    int rc = walk_segments(c, t, BER_UNIV(BER_OCTET_STRING), type, check_segment, &sc);
    if (rc < 0)
        return rc;
    if (univ == BER_BMP_STRING && (sc.nbytes % 2) != 0)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "BMPString of odd length");
    if (univ == BER_UNIVERSAL_STRING && (sc.nbytes % 4) != 0)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "UniversalString length not a multiple of 4");
    s->ptr = t->val;
    s->len = t->len;
    s->nbytes = sc.nbytes;
    s->segmented = t->constructed;
    return 0;
}

int ber_get_str_slice(struct ber_ctx *c, const struct ber_tlv *t, const char *type, unsigned univ,
                      struct ber_slice *out)
{
    struct ber_str s;
    if (t->constructed)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "segmented string not allowed here");
    int rc = ber_get_str(c, t, type, univ, &s);
    if (rc < 0)
        return rc;
    *out = ber_slice_make(s.ptr, s.len);
    return 0;
}

struct copy_state {
    uint8_t *out;
    size_t size;
    size_t pos;
};

static int copy_segment(struct ber_ctx *c, const struct ber_tlv *seg, void *arg)
{
    struct copy_state *cs = arg;
    if (seg->len > cs->size - cs->pos)
        return X400MS_ELIMIT;
    if (seg->len)
        memcpy(cs->out + cs->pos, seg->val, seg->len);
    cs->pos += seg->len;
    return 0;
}

int ber_str_copy(const struct ber_str *s, void *buf, size_t size, size_t *len_r)
{
    if (s->nbytes > size)
        return X400MS_ELIMIT;
    if (!s->segmented) {
        if (s->len)
            memcpy(buf, s->ptr, s->len);
    } else {
        /* Already validated by ber_get_str(): walk again over the segments. */
        struct ber_ctx c;
        struct ber_tlv t = { .tag = BER_UNIV(BER_OCTET_STRING), .constructed = true,
                             .start = s->ptr, .val = s->ptr, .len = s->len, .total = s->len };
        struct copy_state cs = { buf, size, 0 };
        ber_ctx_init(&c, s->ptr, s->len, NULL);
        c.max_depth = UINT32_MAX;
        int rc = walk_segments(&c, &t, BER_UNIV(BER_OCTET_STRING), NULL, copy_segment, &cs);
        if (rc < 0)
            return rc;
    }
    if (size > s->nbytes)
        ((uint8_t *)buf)[s->nbytes] = 0;
    if (len_r)
        *len_r = s->nbytes;
    return 0;
}

/* ---- BIT STRING (X.690 8.6) ---- */

struct bits_state {
    uint8_t *out;         /* NULL: only collect the first 32 bits into mask */
    size_t size;
    size_t nbits;
    uint32_t mask;
    bool ended;           /* a segment with unused bits was seen: must be last */
    const char *type;
};

static int bits_segment(struct ber_ctx *c, const struct ber_tlv *seg, void *arg)
{
    struct bits_state *bs = arg;
    if (seg->len < 1)
        return ber_fail(c, seg->start, X400MS_EPROTO, bs->type, "BIT STRING without unused-bits octet");
    unsigned unused = seg->val[0];
    if (unused > 7 || (seg->len == 1 && unused != 0))
        return ber_fail(c, seg->start, X400MS_EPROTO, bs->type, "bad unused-bits count");
    if (bs->ended)
        return ber_fail(c, seg->start, X400MS_EPROTO, bs->type, "BIT STRING segment after a partial one");
    if (unused)
        bs->ended = true;
    size_t nb = (seg->len - 1) * 8 - unused;
    for (size_t i = 0; i < nb; i++) {
        unsigned bit = (seg->val[1 + i / 8] >> (7 - i % 8)) & 1;
        size_t n = bs->nbits + i;
        if (bit && n < 32)
            bs->mask |= 1u << n;
        if (bs->out) {
            if (n / 8 >= bs->size)
                return ber_fail(c, seg->start, X400MS_ELIMIT, bs->type, "BIT STRING too long for buffer");
            if (n % 8 == 0)
                bs->out[n / 8] = 0;
            if (bit)
                bs->out[n / 8] |= (uint8_t)(0x80 >> (n % 8));
        }
    }
    bs->nbits += nb;
    return 0;
}

int ber_get_bits_u32(struct ber_ctx *c, const struct ber_tlv *t, const char *type, uint32_t *mask)
{
    struct bits_state bs = { NULL, 0, 0, 0, false, type };
    int rc = walk_segments(c, t, BER_UNIV(BER_BIT_STRING), type, bits_segment, &bs);
    if (rc < 0)
        return rc;
    *mask = bs.mask;
    return 0;
}

int ber_get_bits(struct ber_ctx *c, const struct ber_tlv *t, const char *type, uint8_t *buf,
                 size_t size, size_t *nbits_r)
{
    struct bits_state bs = { buf, size, 0, 0, false, type };
    int rc = walk_segments(c, t, BER_UNIV(BER_BIT_STRING), type, bits_segment, &bs);
    if (rc < 0)
        return rc;
    *nbits_r = bs.nbits;
    return 0;
}
