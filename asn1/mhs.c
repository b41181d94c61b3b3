/* Helpers shared by the MHS codecs: see asn1/mhs.h. */
#include "asn1/mhs.h"

#include <string.h>

int mhs_seq_from_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct mhs_seq *s,
                     const char *type, uint32_t max)
{
    struct ber_iter it;
    struct ber_tlv e;
    int rc;

    rc = ber_enter(c, t, &it, type);
    if (rc < 0)
        return rc;
    s->raw = ber_tlv_contents(t);
    s->origin = ber_offset_of(c, t->val);
    s->count = 0;
    while ((rc = ber_next(&it, &e)) == 1) {
        if (max && s->count >= max)
            return ber_fail(c, e.start, X400MS_ELIMIT, type, "too many elements");
        s->count++;
    }
    return rc;
}

void mhs_seq_iter_init(struct mhs_seq_iter *i, const struct mhs_seq *s, struct ber_error *err)
{
    static const uint8_t empty[1];

    /* An absent list has a NULL pointer: give the reader a real one. */
    ber_ctx_init(&i->ctx, s->raw.ptr ? s->raw.ptr : empty, s->raw.len, err);
    i->ctx.origin = s->origin;
    ber_iter_init(&i->it, &i->ctx);
}

int mhs_seq_iter_next(struct mhs_seq_iter *i, struct ber_tlv *t)
{
    return ber_next(&i->it, t);
}

int mhs_seq_iter_decode(struct mhs_seq_iter *i, ber_tag_t elem_tag, const char *type,
                        mhs_elem_decode_fn *fn, void *out)
{
    struct ber_tlv t;
    int rc = mhs_seq_iter_next(i, &t);

    if (rc <= 0)
        return rc;
    if (elem_tag != 0 && t.tag != elem_tag)
        return mhs_wrong_tag(&i->ctx, &t, type);
    rc = fn(&i->ctx, &t, out);
    return rc < 0 ? rc : 1;
}

int mhs_wrong_tag(struct ber_ctx *c, const struct ber_tlv *t, const char *type)
{
    return ber_fail(c, t->start, X400MS_EPROTO, type, "wrong tag");
}

int mhs_unexpected(struct ber_ctx *c, const struct ber_tlv *t, const char *type)
{
    return ber_fail(c, t->start, X400MS_EPROTO, type, "unexpected member");
}

int mhs_enter(struct ber_ctx *c, const struct ber_tlv *t, unsigned univ, struct ber_iter *it,
              const char *type)
{
    if (t->tag != BER_UNIV(univ))
        return mhs_wrong_tag(c, t, type);
    return ber_enter(c, t, it, type);
}

int mhs_get_str(struct ber_ctx *c, const struct ber_tlv *t, const char *type, unsigned univ,
                size_t min_len, size_t max_len, struct mhs_str *s)
{
    struct ber_slice v;
    int rc = ber_get_str_slice(c, t, type, univ, &v);

    if (rc < 0)
        return rc;
    if (v.len < min_len)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "string too short");
    if (max_len && v.len > max_len)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "string longer than its upper bound");
    s->ptr = v.ptr;
    s->len = (uint32_t)v.len;
    s->univ = (uint8_t)univ;
    return 0;
}

int mhs_get_str_choice(struct ber_ctx *c, const struct ber_tlv *t, const char *type,
                       const unsigned *allowed, size_t min_len, size_t max_len,
                       struct mhs_str *s)
{
    for (; *allowed; allowed++)
        if (t->tag == BER_UNIV(*allowed))
            return mhs_get_str(c, t, type, *allowed, min_len, max_len, s);
    return ber_fail(c, t->start, X400MS_EPROTO, type, "wrong string type");
}

int mhs_put_str(struct ber_writer *w, ber_tag_t tag, const struct mhs_str *s)
{
    return ber_put_octets(w, tag ? tag : BER_UNIV(s->univ), s->ptr, s->len);
}

int mhs_explicit_inner(struct ber_ctx *c, const struct ber_tlv *t, unsigned univ,
                       struct ber_tlv *inner, const char *type)
{
    int rc = ber_explicit(c, t, inner, type);

    if (rc < 0)
        return rc;
    if (inner->tag != BER_UNIV(univ))
        return ber_fail(c, inner->start, X400MS_EPROTO, type, "wrong tag inside explicit tag");
    return 0;
}

int mhs_explicit_int(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int64_t *v)
{
    struct ber_tlv in;
    int rc = ber_explicit(c, t, &in, type);

    if (rc < 0)
        return rc;
    if (in.tag != BER_UNIV(BER_INTEGER) && in.tag != BER_UNIV(BER_ENUMERATED))
        return ber_fail(c, in.start, X400MS_EPROTO, type, "expected INTEGER inside explicit tag");
    return ber_get_int64(c, &in, type, v);
}

int mhs_explicit_bool(struct ber_ctx *c, const struct ber_tlv *t, const char *type, bool *v)
{
    struct ber_tlv in;
    int rc = mhs_explicit_inner(c, t, BER_BOOLEAN, &in, type);

    return rc < 0 ? rc : ber_get_bool(c, &in, type, v);
}

int mhs_put_explicit_int(struct ber_writer *w, unsigned ctx_num, int64_t v)
{
    ber_mark_t m = ber_mark(w);

    ber_put_int64(w, BER_UNIV(BER_INTEGER), v);
    return ber_wrap(w, m, BER_CTX(ctx_num), true);
}

int mhs_put_explicit_bool(struct ber_writer *w, unsigned ctx_num, bool v)
{
    ber_mark_t m = ber_mark(w);

    ber_put_bool(w, BER_UNIV(BER_BOOLEAN), v);
    return ber_wrap(w, m, BER_CTX(ctx_num), true);
}

int mhs_put_seq(struct ber_writer *w, ber_tag_t tag, const struct mhs_seq *s)
{
    ber_mark_t m = ber_mark(w);

    mhs_put_slice(w, s->raw);
    return ber_wrap(w, m, tag, true);
}

int mhs_seen(struct ber_ctx *c, const struct ber_tlv *t, uint64_t *seen, unsigned bit,
             const char *type)
{
    uint64_t b = (uint64_t)1 << bit;

    if (*seen & b)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "member appears twice");
    *seen |= b;
    return 0;
}

int mhs_decode_top(struct ber_slice in, struct ber_error *err, const char *type,
                   mhs_elem_decode_fn *fn, void *out)
{
    struct ber_ctx c;
    struct ber_tlv t;
    int rc;

    static const uint8_t empty[1];

    if (err)
        memset(err, 0, sizeof(*err));
    ber_ctx_init(&c, in.ptr ? in.ptr : empty, in.len, err);
    rc = ber_decode_top(&c, &t, type);
    if (rc < 0)
        return rc;
    return fn(&c, &t, out);
}

int mhs_get_time(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct mhs_time *v)
{
    struct ber_time bt;
    int rc = ber_get_utctime(c, t, type, &bt);

    if (rc < 0)
        return rc;
    v->present = true;
    v->sec = bt.sec;
    v->raw = ber_tlv_contents(t);
    return 0;
}

int mhs_put_time(struct ber_writer *w, ber_tag_t tag, const struct mhs_time *v)
{
    if (v->raw.len)
        return ber_put_octets(w, tag, v->raw.ptr, v->raw.len);
    return ber_put_utctime(w, tag, v->sec);
}

int mhs_get_octets(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct mhs_octets *o)
{
    return mhs_get_string_octets(c, t, type, BER_OCTET_STRING, o);
}

int mhs_get_string_octets(struct ber_ctx *c, const struct ber_tlv *t, const char *type, unsigned univ,
                          struct mhs_octets *o)
{
    int rc = ber_get_str(c, t, type, univ, &o->str);

    if (rc < 0)
        return rc;
    if (o->str.segmented) {
        o->bytes = ber_slice_make(NULL, 0);
        o->tlv = ber_tlv_whole(t);
    } else {
        o->bytes = ber_slice_make(o->str.ptr, o->str.len);
        o->tlv = ber_slice_make(NULL, 0);
    }
    return 0;
}

int mhs_put_octets(struct ber_writer *w, ber_tag_t tag, const struct mhs_octets *o)
{
    if (o->tlv.len) {
        /* Re-emit the segmented form but with the tag this field needs:
         * keep the segments, replace the outer identifier and length. */
        struct ber_ctx c;
        struct ber_tlv t;
        ber_mark_t m = ber_mark(w);

        ber_ctx_init(&c, o->tlv.ptr, o->tlv.len, NULL);
        if (ber_decode_top(&c, &t, "OCTET STRING") < 0)
            return w->error ? w->error : (w->error = X400MS_EINVAL);
        /* The segments are kept; the outer length becomes definite. */
        ber_put_raw(w, t.val, t.len);
        return ber_wrap(w, m, tag, true);
    }
    return ber_put_octets(w, tag, o->bytes.ptr, o->bytes.len);
}
