/* BER reader: identifier and length octets, iteration, streaming frame check
 * (X.690 8.1). Value helpers are in ber_value.c, the writer in ber_writer.c,
 * OID text in ber_oid.c, times in ber_time.c. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "asn1/ber.h"

bool ber_slice_eq(struct ber_slice a, struct ber_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

char *ber_error_format(const struct ber_error *e, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    snprintf(buf, size, "%s at offset %zu: %s", e->type ? e->type : "value", e->offset,
             e->what ? e->what : x400ms_strerror(e->code));
    return buf;
}

int ber_error_to_x400ms(const struct ber_error *e, struct x400ms_error *err, const char *prefix)
{
    int code = e->code ? e->code : X400MS_EPROTO;
    char text[300];

    ber_error_format(e, text, sizeof(text));
    if (prefix)
        return x400ms_error_set(err, code, "%s: %s", prefix, text);
    return x400ms_error_set(err, code, "%s", text);
}

void ber_ctx_init(struct ber_ctx *c, const void *buf, size_t len, struct ber_error *err)
{
    c->base = buf;
    c->size = len;
    c->origin = 0;
    c->max_depth = BER_DEFAULT_MAX_DEPTH;
    c->max_size = BER_DEFAULT_MAX_SIZE;
    c->err = err;
    if (err)
        memset(err, 0, sizeof(*err));
}

size_t ber_offset_of(const struct ber_ctx *c, const uint8_t *p)
{
    if (!p || !c->base || p < c->base)
        return c->origin;
    return c->origin + (size_t)(p - c->base);
}

int ber_fail(struct ber_ctx *c, const uint8_t *at, int code, const char *type, const char *what)
{
    if (c && c->err && c->err->code == 0) {
        c->err->code = code;
        c->err->offset = ber_offset_of(c, at);
        c->err->type = type ? type : "value";
        c->err->what = what;
    }
    return code;
}

void ber_iter_init(struct ber_iter *it, struct ber_ctx *c)
{
    it->ctx = c;
    it->p = c->base;
    /* NULL + 0 is undefined behaviour in C: an empty input stays at base. */
    it->end = c->size ? c->base + c->size : c->base;
    it->depth = 0;
}

/* Header of one TLV, without resolving an indefinite length. */
struct ber_hdr {
    ber_tag_t tag;
    bool constructed;
    bool indefinite;
    size_t hdr_len;
    size_t len;       /* contents length when definite */
};

/* Parses identifier and length octets at p (avail octets readable).
 * Returns 0, X400MS_EAGAIN when the header itself is cut short, or
 * EPROTO/ELIMIT with *what set. Does not check the length against avail. */
static int parse_header(const uint8_t *p, size_t avail, size_t max_size, struct ber_hdr *h,
                        const char **what)
{
    size_t i = 0;

    if (avail < 1)
        return X400MS_EAGAIN;
    uint8_t id = p[i++];
    unsigned cls = id >> 6;
    uint32_t num = id & 0x1f;
    h->constructed = (id & 0x20) != 0;
    if (num == 0x1f) {
        /* X.690 8.1.2.4: high tag number, base 128, no leading 0x80 octet. */
        num = 0;
        for (;;) {
            if (i >= avail)
                return X400MS_EAGAIN;
            uint8_t b = p[i++];
            if (num == 0 && b == 0x80) {
                *what = "tag number with leading zero octet";
                return X400MS_EPROTO;
            }
            if (num > (BER_TAG_NUMBER_MAX >> 7)) {
                *what = "tag number too large";
                return X400MS_ELIMIT;
            }
            num = (num << 7) | (b & 0x7f);
            if (!(b & 0x80))
                break;
        }
    }
    h->tag = BER_TAG(cls, num);

    if (i >= avail)
        return X400MS_EAGAIN;
    uint8_t l0 = p[i++];
    h->indefinite = false;
    if (l0 < 0x80) {
        h->len = l0;
    } else if (l0 == 0x80) {
        /* X.690 8.1.3.6.1: indefinite form only for constructed encodings. */
        if (!h->constructed) {
            *what = "indefinite length on a primitive value";
            return X400MS_EPROTO;
        }
        h->indefinite = true;
        h->len = 0;
    } else if (l0 == 0xff) {
        *what = "reserved length octet 0xFF"; /* X.690 8.1.3.5 c */
        return X400MS_EPROTO;
    } else {
        unsigned n = l0 & 0x7f;
        size_t v = 0;
        for (unsigned k = 0; k < n; k++) {
            if (i >= avail)
                return X400MS_EAGAIN;
            if (v > (SIZE_MAX >> 8)) {
                *what = "length too large";
                return X400MS_ELIMIT;
            }
            v = (v << 8) | p[i++];
        }
        h->len = v;
    }
    if (!h->indefinite && h->len > max_size) {
        *what = "length too large";
        return X400MS_ELIMIT;
    }
    h->hdr_len = i;
    return 0;
}

/* Finds the end-of-contents matching an indefinite value whose contents
 * start at p. Only nested indefinite values need to be descended into: a
 * definite value is skipped by its length. Returns 0 with *contents_len (up
 * to, excluding, the EOC); EAGAIN when `end` cuts the value (for streaming;
 * callers that have the whole value turn it into EPROTO). */
static int scan_indefinite(struct ber_ctx *c, const uint8_t *p, const uint8_t *end, unsigned depth,
                           size_t *contents_len, const uint8_t **bad_at, const char **what)
{
    const uint8_t *start = p;
    unsigned open = 1;

    while (open > 0) {
        struct ber_hdr h;
        int rc = parse_header(p, (size_t)(end - p), c->max_size, &h, what);
        if (rc < 0) {
            *bad_at = p;
            if (rc == X400MS_EAGAIN)
                *what = "truncated (no end-of-contents)";
            return rc;
        }
        if (h.tag == BER_UNIV(BER_EOC)) {
            /* X.690 8.1.5: end-of-contents is 00 00. */
            if (h.constructed || h.indefinite || h.len != 0 || h.hdr_len != 2) {
                *bad_at = p;
                *what = "malformed end-of-contents";
                return X400MS_EPROTO;
            }
            if (--open == 0) {
                *contents_len = (size_t)(p - start);
                return 0;
            }
            p += 2;
            continue;
        }
        if (h.indefinite) {
            if (depth + open >= c->max_depth) {
                *bad_at = p;
                *what = "nesting too deep";
                return X400MS_ELIMIT;
            }
            open++;
            p += h.hdr_len;
            continue;
        }
        if (h.len > (size_t)(end - p) - h.hdr_len) {
            *bad_at = p;
            *what = "length past end";
            return X400MS_EAGAIN;
        }
        p += h.hdr_len + h.len;
    }
    return 0;
}

/* Reads the TLV at p, bounded by end; is_top decides how a value that runs
 * past `end` is reported. */
static int read_tlv(struct ber_ctx *c, const uint8_t *p, const uint8_t *end, unsigned depth,
                    struct ber_tlv *t)
{
    struct ber_hdr h;
    const char *what = NULL;

    /* Fast path: low tag number, short definite length (most TLVs). */
    if (end - p >= 2 && (p[0] & 0x1f) != 0x1f && p[1] < 0x80 && p[0] != 0) {
        size_t n = p[1];
        if (n > (size_t)(end - p) - 2)
            return ber_fail(c, p, X400MS_EPROTO, NULL, "length past end");
        t->tag = BER_TAG(p[0] >> 6, p[0] & 0x1f);
        t->constructed = (p[0] & 0x20) != 0;
        t->indefinite = false;
        t->depth = depth;
        t->start = p;
        t->val = p + 2;
        t->len = n;
        t->total = n + 2;
        return 0;
    }
    int rc = parse_header(p, (size_t)(end - p), c->max_size, &h, &what);

    if (rc == X400MS_EAGAIN)
        return ber_fail(c, p, X400MS_EPROTO, NULL, "truncated header");
    if (rc < 0)
        return ber_fail(c, p, rc, NULL, what);
    if (h.tag == BER_UNIV(BER_EOC))
        return ber_fail(c, p, X400MS_EPROTO, NULL, "unexpected end-of-contents");

    t->tag = h.tag;
    t->constructed = h.constructed;
    t->indefinite = h.indefinite;
    t->depth = depth;
    t->start = p;
    t->val = p + h.hdr_len;
    if (h.indefinite) {
        const uint8_t *bad_at = p;
        size_t clen = 0;
        if (depth >= c->max_depth)
            return ber_fail(c, p, X400MS_ELIMIT, NULL, "nesting too deep");
        rc = scan_indefinite(c, t->val, end, depth, &clen, &bad_at, &what);
        if (rc == X400MS_EAGAIN)
            rc = X400MS_EPROTO;
        if (rc < 0)
            return ber_fail(c, bad_at, rc, NULL, what);
        t->len = clen;
        t->total = h.hdr_len + clen + 2;
        if (t->total > c->max_size)
            return ber_fail(c, p, X400MS_ELIMIT, NULL, "value too large");
    } else {
        if (h.len > (size_t)(end - t->val))
            return ber_fail(c, p, X400MS_EPROTO, NULL, "length past end");
        t->len = h.len;
        t->total = h.hdr_len + h.len;
    }
    return 0;
}

int ber_peek(const struct ber_iter *it, struct ber_tlv *t)
{
    if (it->p >= it->end)
        return 0;
    int rc = read_tlv(it->ctx, it->p, it->end, it->depth, t);
    return rc < 0 ? rc : 1;
}

int ber_next(struct ber_iter *it, struct ber_tlv *t)
{
    int rc = ber_peek(it, t);
    if (rc == 1)
        it->p = t->start + t->total;
    return rc;
}

int ber_enter(struct ber_ctx *c, const struct ber_tlv *t, struct ber_iter *child, const char *type)
{
    if (!t->constructed)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "expected constructed");
    if (t->depth + 1 > c->max_depth)
        return ber_fail(c, t->start, X400MS_ELIMIT, type, "nesting too deep");
    child->ctx = c;
    child->p = t->val;
    child->end = t->val + t->len;
    child->depth = t->depth + 1;
    return 0;
}

/* Reads the next value and names the type in any error it reports. */
static int next_named(struct ber_iter *it, struct ber_tlv *t, const char *type)
{
    struct ber_error *e = it->ctx->err;
    int rc = ber_next(it, t);
    if (rc < 0 && e && e->type && strcmp(e->type, "value") == 0)
        e->type = type;
    return rc;
}

int ber_expect(struct ber_iter *it, ber_tag_t tag, struct ber_tlv *t, const char *type)
{
    int rc = next_named(it, t, type);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return ber_fail(it->ctx, it->end, X400MS_EPROTO, type, "missing");
    if (t->tag != tag)
        return ber_fail(it->ctx, t->start, X400MS_EPROTO, type, "wrong tag");
    return 0;
}

int ber_expect_enter(struct ber_iter *it, ber_tag_t tag, struct ber_iter *child,
                     struct ber_tlv *t_r, const char *type)
{
    struct ber_tlv local;
    struct ber_tlv *t = t_r ? t_r : &local;
    int rc = ber_expect(it, tag, t, type);
    if (rc < 0)
        return rc;
    return ber_enter(it->ctx, t, child, type);
}

int ber_optional(struct ber_iter *it, ber_tag_t tag, struct ber_tlv *t)
{
    struct ber_tlv tmp;
    int rc = ber_peek(it, &tmp);
    if (rc <= 0)
        return rc;
    if (tmp.tag != tag)
        return 0;
    *t = tmp;
    it->p = tmp.start + tmp.total;
    return 1;
}

int ber_find(const struct ber_iter *it, ber_tag_t tag, struct ber_tlv *t)
{
    struct ber_iter scan = *it;
    struct ber_tlv tmp;
    int rc;

    while ((rc = ber_next(&scan, &tmp)) == 1) {
        if (tmp.tag == tag) {
            *t = tmp;
            return 1;
        }
    }
    return rc;
}

int ber_end(struct ber_iter *it, const char *type)
{
    if (it->p < it->end)
        return ber_fail(it->ctx, it->p, X400MS_EPROTO, type, "unexpected trailing element");
    return 0;
}

int ber_explicit(struct ber_ctx *c, const struct ber_tlv *outer, struct ber_tlv *inner,
                 const char *type)
{
    struct ber_iter it;
    int rc = ber_enter(c, outer, &it, type);
    if (rc < 0)
        return rc;
    rc = next_named(&it, inner, type);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return ber_fail(c, outer->start, X400MS_EPROTO, type, "empty explicit tag");
    return ber_end(&it, type);
}

int ber_decode_top(struct ber_ctx *c, struct ber_tlv *t, const char *type)
{
    struct ber_iter it;
    ber_iter_init(&it, c);
    int rc = next_named(&it, t, type);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return ber_fail(c, c->base, X400MS_EPROTO, type, "empty input");
    if (!ber_at_end(&it))
        return ber_fail(c, it.p, X400MS_EPROTO, type, "trailing octets after value");
    return 0;
}

int ber_frame(const void *buf, size_t avail, size_t max_size, unsigned max_depth, size_t *total_r,
              struct ber_error *err)
{
    struct ber_ctx c;
    struct ber_hdr h;
    const uint8_t *p = buf;
    const char *what = NULL;

    ber_ctx_init(&c, buf, avail, err);
    if (max_size)
        c.max_size = max_size;
    if (max_depth)
        c.max_depth = max_depth;
    int rc = parse_header(p, avail, c.max_size, &h, &what);
    if (rc == X400MS_EAGAIN)
        return X400MS_EAGAIN;
    if (rc < 0)
        return ber_fail(&c, p, rc, NULL, what);
    if (h.tag == BER_UNIV(BER_EOC))
        return ber_fail(&c, p, X400MS_EPROTO, NULL, "unexpected end-of-contents");
    if (!h.indefinite) {
        if (h.len > avail - h.hdr_len)
            return X400MS_EAGAIN;
        *total_r = h.hdr_len + h.len;
        return 0;
    }
    const uint8_t *bad_at = p;
    size_t clen = 0;
    rc = scan_indefinite(&c, p + h.hdr_len, p + avail, 0, &clen, &bad_at, &what);
    if (rc == X400MS_EAGAIN)
        return X400MS_EAGAIN;
    if (rc < 0)
        return ber_fail(&c, bad_at, rc, NULL, what);
    *total_r = h.hdr_len + clen + 2;
    if (*total_r > c.max_size)
        return ber_fail(&c, p, X400MS_ELIMIT, NULL, "value too large");
    return 0;
}
