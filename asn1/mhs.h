/* Helpers shared by the MHS codecs (asn1/orname.c, mts.c, ms.c, ipms.c):
 * lazily iterated lists, explicit-tag shortcuts and the string field type.
 * Built on asn1/ber.h; nothing here allocates. */
#ifndef X400MS_ASN1_MHS_H
#define X400MS_ASN1_MHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn1/ber.h"

/* A SEQUENCE OF / SET OF whose elements are decoded only when iterated:
 * decoding a ListResult of 10,000 entries costs one pass over the outer
 * TLV headers; each element is decoded by the iterator's caller. raw is the
 * contents of the list; origin is raw's offset in the decoded buffer so that
 * errors found while iterating still name the offset in the whole PDU. */
struct mhs_seq {
    struct ber_slice raw;
    size_t origin;
    uint32_t count;
};

/* Fills s from the constructed list value t: counts the elements and checks
 * that each is a well-formed TLV; X400MS_ELIMIT past max elements (0: no
 * bound). An empty or absent list leaves count 0. */
int mhs_seq_from_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct mhs_seq *s,
                     const char *type, uint32_t max);

/* Points s at raw bytes that were not decoded (for building an encoder
 * input from already encoded elements). count is left as given. */
static inline struct mhs_seq mhs_seq_raw(struct ber_slice raw, uint32_t count)
{
    struct mhs_seq s = { raw, 0, count };
    return s;
}

struct mhs_seq_iter {
    struct ber_ctx ctx;
    struct ber_iter it;
};

/* Starts an iteration; errors go to err (may be NULL). */
void mhs_seq_iter_init(struct mhs_seq_iter *i, const struct mhs_seq *s, struct ber_error *err);
/* 1 and the next element's TLV, 0 at the end, < 0 on malformed input. */
int mhs_seq_iter_next(struct mhs_seq_iter *i, struct ber_tlv *t);

/* An element decoder: fills the struct at out from the TLV t. */
typedef int mhs_elem_decode_fn(struct ber_ctx *c, const struct ber_tlv *t, void *out);

/* The body of every public *_next() of the codecs: the next element of the
 * list, checked to have elem_tag (0: any tag, fn checks it; type then names
 * the element in the error) and decoded by fn into out. 1, 0 at the end,
 * < 0 on malformed input. */
int mhs_seq_iter_decode(struct mhs_seq_iter *i, ber_tag_t elem_tag, const char *type,
                        mhs_elem_decode_fn *fn, void *out);

/* X400MS_EPROTO naming t's offset: "wrong tag" (t is not the type expected
 * here) and "unexpected member" (t is not a member of the SET/SEQUENCE). */
int mhs_wrong_tag(struct ber_ctx *c, const struct ber_tlv *t, const char *type);
int mhs_unexpected(struct ber_ctx *c, const struct ber_tlv *t, const char *type);
/* Enters the SET/SEQUENCE t (it then walks its members) after checking that
 * t has the universal tag univ (BER_SET, BER_SEQUENCE). */
int mhs_enter(struct ber_ctx *c, const struct ber_tlv *t, unsigned univ, struct ber_iter *it,
              const char *type);

/* A string field: ptr/len into the decoded buffer (or the caller's text),
 * univ is its universal type (BER_PRINTABLE_STRING, BER_NUMERIC_STRING,
 * BER_TELETEX_STRING, BER_IA5_STRING ...). univ == 0 means absent, so an
 * empty but present string (ADMD "") is told apart from an absent one. */
struct mhs_str {
    const uint8_t *ptr;
    uint32_t len;
    uint8_t univ;
};

static inline bool mhs_str_present(const struct mhs_str *s) { return s->univ != 0; }
static inline struct mhs_str mhs_str_make(const char *p, size_t n, unsigned univ)
{
    struct mhs_str s = { (const uint8_t *)p, (uint32_t)n, (uint8_t)univ };
    return s;
}

/* Decodes the primitive string t (of universal type univ, whatever its tag)
 * into s, checking the character set and 1..max (min_len 0 allowed) octets. */
int mhs_get_str(struct ber_ctx *c, const struct ber_tlv *t, const char *type, unsigned univ,
                size_t min_len, size_t max_len, struct mhs_str *s);
/* Decodes a CHOICE of strings (NumericString / PrintableString /
 * TeletexString ...) whose alternatives are the universal types in allowed[]
 * (terminated by 0), taking the one present. */
int mhs_get_str_choice(struct ber_ctx *c, const struct ber_tlv *t, const char *type,
                       const unsigned *allowed, size_t min_len, size_t max_len,
                       struct mhs_str *s);
/* Pushes s with its own universal tag (tag 0) or the given implicit tag. */
int mhs_put_str(struct ber_writer *w, ber_tag_t tag, const struct mhs_str *s);

/* EXPLICIT-tag shortcuts (X.413 is an EXPLICIT module): the outer value t
 * must hold exactly one value of universal type univ. */
int mhs_explicit_inner(struct ber_ctx *c, const struct ber_tlv *t, unsigned univ,
                       struct ber_tlv *inner, const char *type);
int mhs_explicit_int(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int64_t *v);
int mhs_explicit_bool(struct ber_ctx *c, const struct ber_tlv *t, const char *type, bool *v);
/* Pushes [n] EXPLICIT INTEGER / BOOLEAN / ENUMERATED. */
int mhs_put_explicit_int(struct ber_writer *w, unsigned ctx_num, int64_t v);
int mhs_put_explicit_bool(struct ber_writer *w, unsigned ctx_num, bool v);
/* Wraps the octets pushed since mark in [n] (constructed). */
static inline int mhs_wrap_ctx(struct ber_writer *w, ber_mark_t m, unsigned ctx_num)
{
    return ber_wrap(w, m, BER_CTX(ctx_num), true);
}

/* ber_put_slice that does nothing for an empty slice (no pointer
 * arithmetic on a NULL buffer). */
static inline int mhs_put_slice(struct ber_writer *w, struct ber_slice s)
{
    return s.len ? ber_put_raw(w, s.ptr, s.len) : w->error;
}

/* Pushes a raw list (elements already encoded) as SEQUENCE/SET OF with tag. */
int mhs_put_seq(struct ber_writer *w, ber_tag_t tag, const struct mhs_seq *s);

/* Rejects a second occurrence of a SET member (bit = member's index). */
int mhs_seen(struct ber_ctx *c, const struct ber_tlv *t, uint64_t *seen, unsigned bit,
             const char *type);

/* A UTCTime field: sec decoded, raw the contents octets as received so that
 * an entry re-encodes byte for byte. The encoder uses raw when set, else
 * formats sec. present false means the OPTIONAL field is absent. */
struct mhs_time {
    bool present;
    time_t sec;
    struct ber_slice raw;
};
int mhs_get_time(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct mhs_time *v);
int mhs_put_time(struct ber_writer *w, ber_tag_t tag, const struct mhs_time *v);
static inline struct mhs_time mhs_time_make(time_t sec)
{
    struct mhs_time v = { true, sec, { NULL, 0 } };
    return v;
}

/* OCTET STRING content that may be segmented (X.690 8.7.3): bytes is the
 * contents when primitive; a segmented value is kept as its whole TLV in
 * tlv (bytes then empty) and ber_str_copy() on str gets the octets. The
 * encoder re-emits tlv when set, else a primitive OCTET STRING of bytes. */
struct mhs_octets {
    struct ber_slice bytes;
    struct ber_slice tlv;
    struct ber_str str;
};
int mhs_get_octets(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct mhs_octets *o);
int mhs_put_octets(struct ber_writer *w, ber_tag_t tag, const struct mhs_octets *o);
/* Same for a character string type that may be long (IA5 text body part). */
int mhs_get_string_octets(struct ber_ctx *c, const struct ber_tlv *t, const char *type, unsigned univ,
                          struct mhs_octets *o);

/* Decodes buf as exactly one top-level value and calls fn on it. The common
 * body of every public *_decode() function. */
int mhs_decode_top(struct ber_slice in, struct ber_error *err, const char *type,
                   mhs_elem_decode_fn *fn, void *out);

#endif
