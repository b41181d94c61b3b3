/* BER runtime of x400ms (DESIGN.md section 6): a zero-allocation TLV reader
 * over a byte slice and a writer that builds backwards into a growable buffer.
 *
 * Rules (X.690 = ITU-T X.690 08/2015):
 *  - The reader accepts any valid BER: all four tag classes, high tag numbers
 *    (X.690 8.1.2.4), definite lengths in short or long form (non-minimal long
 *    forms included, X.690 8.1.3.5) and indefinite lengths (X.690 8.1.3.6),
 *    in any mix, and constructed (segmented) strings (X.690 8.7.3, 8.23.6).
 *  - Nothing is copied and nothing is allocated while decoding: a struct
 *    ber_tlv points into the caller's buffer, which must outlive it.
 *  - Every decoding function returns 0 (or 1/0 for "found / not found" where
 *    documented) or a negative X400MS_E* code: X400MS_EPROTO for malformed
 *    input, X400MS_ELIMIT when a limit (depth, size, tag or integer range of
 *    this implementation) is exceeded, X400MS_EAGAIN only from ber_frame()
 *    ("need more bytes"). The first failure is recorded in the context's
 *    struct ber_error: the ASN.1 type being decoded, the byte offset and what
 *    was wrong. Later failures (an outer decoder returning the same code) do
 *    not overwrite it, so the innermost, most precise report survives.
 *  - The writer builds from the END of the value towards its start: push the
 *    LAST member of a SEQUENCE first, take a mark before the first member
 *    pushed, then ber_wrap() prepends the tag and the (now known) length. All
 *    lengths are definite and minimal (DER-compatible output).
 *
 * Tags are handled as one number, ber_tag_t, holding class and tag number
 * (never the constructed bit): compare with BER_UNIV(BER_INTEGER), BER_CTX(3),
 * BER_APP(0). Whether a value is constructed is the separate field
 * ber_tlv.constructed; ber_get_* helpers check it where X.690 fixes it.
 */
#ifndef X400MS_ASN1_BER_H
#define X400MS_ASN1_BER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "x400ms/error.h"

/* ------------------------------------------------------------------ */
/* Slices, tags, limits, errors                                        */
/* ------------------------------------------------------------------ */

/* A run of bytes inside someone else's buffer. ptr may be NULL when len 0. */
struct ber_slice {
    const uint8_t *ptr;
    size_t len;
};

static inline struct ber_slice ber_slice_make(const void *ptr, size_t len)
{
    struct ber_slice s = { (const uint8_t *)ptr, len };
    return s;
}

/* True when both slices hold the same bytes. */
bool ber_slice_eq(struct ber_slice a, struct ber_slice b);

/* Class + tag number. Tag numbers above BER_TAG_NUMBER_MAX are rejected with
 * X400MS_ELIMIT (nothing in the OSI/MHS world comes near). */
typedef uint32_t ber_tag_t;

#define BER_CLASS_UNIVERSAL   0u
#define BER_CLASS_APPLICATION 1u
#define BER_CLASS_CONTEXT     2u
#define BER_CLASS_PRIVATE     3u

#define BER_TAG_NUMBER_MAX 0x0fffffffu
#define BER_TAG(cls, num) ((ber_tag_t)(((uint32_t)(cls) << 28) | ((uint32_t)(num) & BER_TAG_NUMBER_MAX)))
#define BER_UNIV(num) BER_TAG(BER_CLASS_UNIVERSAL, num)
#define BER_APP(num)  BER_TAG(BER_CLASS_APPLICATION, num)
#define BER_CTX(num)  BER_TAG(BER_CLASS_CONTEXT, num)
#define BER_PRIV(num) BER_TAG(BER_CLASS_PRIVATE, num)
#define BER_TAG_CLASS(tag)  ((unsigned)((tag) >> 28))
#define BER_TAG_NUMBER(tag) ((uint32_t)((tag) & BER_TAG_NUMBER_MAX))

/* Universal tag numbers (X.680 8.4 Table 1). */
enum ber_universal {
    BER_EOC = 0,
    BER_BOOLEAN = 1,
    BER_INTEGER = 2,
    BER_BIT_STRING = 3,
    BER_OCTET_STRING = 4,
    BER_NULL = 5,
    BER_OID = 6,
    BER_OBJECT_DESCRIPTOR = 7,
    BER_EXTERNAL = 8,
    BER_REAL = 9,
    BER_ENUMERATED = 10,
    BER_EMBEDDED_PDV = 11,
    BER_UTF8_STRING = 12,
    BER_RELATIVE_OID = 13,
    BER_SEQUENCE = 16,
    BER_SET = 17,
    BER_NUMERIC_STRING = 18,
    BER_PRINTABLE_STRING = 19,
    BER_TELETEX_STRING = 20, /* T61String */
    BER_VIDEOTEX_STRING = 21,
    BER_IA5_STRING = 22,
    BER_UTC_TIME = 23,
    BER_GENERALIZED_TIME = 24,
    BER_GRAPHIC_STRING = 25,
    BER_VISIBLE_STRING = 26,
    BER_GENERAL_STRING = 27,
    BER_UNIVERSAL_STRING = 28,
    BER_BMP_STRING = 30,
};

/* Bounds every decode honours. ber_ctx_init() sets the defaults below. */
#define BER_DEFAULT_MAX_DEPTH 64u                  /* nested constructed values */
#define BER_DEFAULT_MAX_SIZE ((size_t)64 << 20)    /* largest TLV accepted: 64 MiB */

/* Where and why a decode failed. type and what are static strings (never
 * freed); type is the ASN.1 type or field the caller was decoding, e.g.
 * "AARQ-apdu.application-context-name", what is e.g. "wrong tag".
 * offset counts from ctx->base (plus ctx->origin). */
struct ber_error {
    int code;            /* 0 while no error was recorded */
    size_t offset;
    const char *type;
    const char *what;
};

/* Formats "TYPE at offset N: WHAT" into buf (always NUL-terminated); returns buf. */
char *ber_error_format(const struct ber_error *e, char *buf, size_t size);

/* Copies a recorded BER error into the project's error report
 * ("PREFIX: TYPE at offset N: WHAT", prefix may be NULL). Returns e->code,
 * or X400MS_EPROTO if e holds no code. */
int ber_error_to_x400ms(const struct ber_error *e, struct x400ms_error *err,
                        const char *prefix);

/* ------------------------------------------------------------------ */
/* Reader                                                              */
/* ------------------------------------------------------------------ */

/* One decode of one buffer. Cheap to set up; holds no allocations. */
struct ber_ctx {
    const uint8_t *base;   /* first octet of the buffer being decoded */
    size_t size;           /* its length */
    size_t origin;         /* added to reported offsets (buffer inside a larger PDU) */
    unsigned max_depth;    /* deepest constructed nesting accepted */
    size_t max_size;       /* largest single TLV accepted */
    struct ber_error *err; /* may be NULL */
};

void ber_ctx_init(struct ber_ctx *c, const void *buf, size_t len, struct ber_error *err);

/* A decoded TLV. For an indefinite-length value, len excludes the
 * end-of-contents octets and total includes them. */
struct ber_tlv {
    ber_tag_t tag;         /* class + number */
    bool constructed;
    bool indefinite;       /* had length octet 0x80 */
    unsigned depth;        /* 0 for a top-level value, +1 per enclosing value */
    const uint8_t *start;  /* first identifier octet */
    const uint8_t *val;    /* first contents octet */
    size_t len;            /* contents length */
    size_t total;          /* identifier + length + contents (+ EOC) octets */
};

/* The whole encoding (identifier to last octet), e.g. to keep a value raw. */
static inline struct ber_slice ber_tlv_whole(const struct ber_tlv *t)
{
    return ber_slice_make(t->start, t->total);
}
/* The contents octets. */
static inline struct ber_slice ber_tlv_contents(const struct ber_tlv *t)
{
    return ber_slice_make(t->val, t->len);
}

/* Walks the values one after the other in a range: the top level of a buffer
 * or the contents of a constructed value (SEQUENCE, SET, explicit tag ...). */
struct ber_iter {
    struct ber_ctx *ctx;
    const uint8_t *p;      /* next identifier octet */
    const uint8_t *end;    /* end of the range */
    unsigned depth;        /* depth of the values this iterator yields */
};

/* Iterator over the whole buffer of c (top level, depth 0). */
void ber_iter_init(struct ber_iter *it, struct ber_ctx *c);

/* Reads the next value. Returns 1 and fills t, 0 at the end of the range, or
 * a negative code (truncated header, length past the end of the enclosing
 * value, bad indefinite form, too deep ...). Indefinite values are scanned to
 * their end-of-contents here, so t->len and t->total are always known. */
int ber_next(struct ber_iter *it, struct ber_tlv *t);

/* Like ber_next but does not advance. */
int ber_peek(const struct ber_iter *it, struct ber_tlv *t);

static inline bool ber_at_end(const struct ber_iter *it) { return it->p >= it->end; }

/* Offset (as reported in errors) of the iterator's position / of a pointer. */
size_t ber_offset_of(const struct ber_ctx *c, const uint8_t *p);

/* Records an error at position `at` (may be NULL: offset 0) and returns code.
 * Codecs use it for their own semantic errors ("unknown result value"). */
int ber_fail(struct ber_ctx *c, const uint8_t *at, int code, const char *type, const char *what);

/* Iterator over the contents of the constructed value t (SEQUENCE, SET,
 * explicit tag). Fails with EPROTO "expected constructed" for a primitive,
 * ELIMIT "nesting too deep" past ctx->max_depth. */
int ber_enter(struct ber_ctx *c, const struct ber_tlv *t, struct ber_iter *child, const char *type);

/* Next value must be present and carry `tag` (class+number; the constructed
 * bit is not checked here). EPROTO "missing" at the end, "wrong tag" else. */
int ber_expect(struct ber_iter *it, ber_tag_t tag, struct ber_tlv *t, const char *type);

/* ber_expect + ber_enter in one step (SEQUENCE, explicit tags ...). */
int ber_expect_enter(struct ber_iter *it, ber_tag_t tag, struct ber_iter *child,
                     struct ber_tlv *t_r, const char *type);

/* For OPTIONAL members: returns 1 and consumes the next value if it carries
 * `tag`, 0 (nothing consumed) if it does not or the range is over, < 0 on
 * malformed input. */
int ber_optional(struct ber_iter *it, ber_tag_t tag, struct ber_tlv *t);

/* For SET members: finds the first value tagged `tag` anywhere in the range
 * of it (the iterator is not moved). Returns 1 found, 0 absent, < 0 error. */
int ber_find(const struct ber_iter *it, ber_tag_t tag, struct ber_tlv *t);

/* Checks that the range is exhausted: EPROTO "unexpected trailing element"
 * otherwise (for non-extensible types). */
int ber_end(struct ber_iter *it, const char *type);

/* EXPLICIT tag: outer must be constructed and hold exactly one value, which
 * is returned in inner (X.690 8.14.3). */
int ber_explicit(struct ber_ctx *c, const struct ber_tlv *outer, struct ber_tlv *inner,
                 const char *type);

/* Decodes the single top-level value of c's buffer. Trailing octets after it
 * are EPROTO "trailing octets after value". */
int ber_decode_top(struct ber_ctx *c, struct ber_tlv *t, const char *type);

/* Streaming: is a complete TLV at the start of buf[0..avail)? Returns 0 and
 * sets *total_r to its size, X400MS_EAGAIN if more octets are needed (after
 * validating what is there), EPROTO/ELIMIT if what is there can never be
 * valid. max_size/max_depth 0 mean the defaults. err may be NULL. */
int ber_frame(const void *buf, size_t avail, size_t max_size, unsigned max_depth,
              size_t *total_r, struct ber_error *err);

/* ------------------------------------------------------------------ */
/* Primitive value decoders. Each checks primitive/constructed as X.690 */
/* requires, ignores the tag (implicit tagging is the caller's affair)  */
/* and reports errors with the given type name.                        */
/* ------------------------------------------------------------------ */

int ber_get_bool(struct ber_ctx *c, const struct ber_tlv *t, const char *type, bool *v);
/* INTEGER / ENUMERATED into int64 (ELIMIT "integer too large" past 8 octets). */
int ber_get_int64(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int64_t *v);
/* Same, range-checked into int32_t (EPROTO "integer out of range"). */
int ber_get_int32(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int32_t *v);
/* INTEGER of any size: two's complement contents octets (at least one). */
int ber_get_integer_raw(struct ber_ctx *c, const struct ber_tlv *t, const char *type,
                        struct ber_slice *v);
int ber_get_enum(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int64_t *v);
int ber_get_null(struct ber_ctx *c, const struct ber_tlv *t, const char *type);
/* OBJECT IDENTIFIER contents octets (validated: X.690 8.19). */
int ber_get_oid(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct ber_slice *oid);

/* BIT STRING with named bits: bit n (X.680 numbering, n = 0 is the first
 * bit) sets (1u << n); bits past 31 are ignored. Primitive or segmented. */
int ber_get_bits_u32(struct ber_ctx *c, const struct ber_tlv *t, const char *type, uint32_t *mask);
/* BIT STRING copied into buf (primitive or segmented): *nbits_r bits, first
 * bit = MSB of buf[0], unused trailing bits of the last octet zero. ELIMIT if
 * buf is too small. */
int ber_get_bits(struct ber_ctx *c, const struct ber_tlv *t, const char *type,
                 uint8_t *buf, size_t size, size_t *nbits_r);

/* OCTET STRING and the restricted character strings.
 * A struct ber_str is a view: for a primitive string ptr/len are the
 * characters; for a segmented (constructed) one ptr/len are the raw segment
 * TLVs and nbytes the total of their contents: use ber_str_copy(). */
struct ber_str {
    const uint8_t *ptr;
    size_t len;
    size_t nbytes;         /* string length in octets */
    bool segmented;
};

/* Decodes an OCTET STRING or character string value. `univ` is the string's
 * universal type (BER_OCTET_STRING, BER_PRINTABLE_STRING, BER_NUMERIC_STRING,
 * BER_IA5_STRING, BER_VISIBLE_STRING, BER_TELETEX_STRING, BER_UTF8_STRING,
 * BER_BMP_STRING, BER_UNIVERSAL_STRING, BER_GENERAL_STRING, BER_GRAPHIC_STRING,
 * BER_VIDEOTEX_STRING ...), used for the character set check (Printable,
 * Numeric, IA5, Visible: X.680 41; BMP length even, Universal multiple of 4).
 * Segments must be OCTET STRINGs (X.690 8.23.5). */
int ber_get_str(struct ber_ctx *c, const struct ber_tlv *t, const char *type, unsigned univ,
                struct ber_str *s);

/* Copies the string's octets into buf; ELIMIT if it does not fit. When
 * size > nbytes a NUL is appended (not counted in *len_r). */
int ber_str_copy(const struct ber_str *s, void *buf, size_t size, size_t *len_r);

/* Convenience: primitive string as a slice, else EPROTO "segmented string
 * not allowed here" (for fields whose size bound makes segmenting absurd). */
int ber_get_str_slice(struct ber_ctx *c, const struct ber_tlv *t, const char *type, unsigned univ,
                      struct ber_slice *s);

/* Character set checks (X.680 41.4 Table 10), usable on encode. */
bool ber_is_printable(const uint8_t *p, size_t n);
bool ber_is_numeric(const uint8_t *p, size_t n);
bool ber_is_ia5(const uint8_t *p, size_t n);
bool ber_is_visible(const uint8_t *p, size_t n);

/* UTCTime / GeneralizedTime (X.680 46/47). Times with a "+hhmm"/"-hhmm"
 * offset are converted to UTC; a GeneralizedTime without Z or offset is local
 * time in the standard's words and is taken as UTC here (flag set). UTCTime
 * two-digit years: 50..99 -> 19xx, 00..49 -> 20xx. */
struct ber_time {
    time_t sec;            /* seconds since 1970-01-01T00:00:00Z */
    uint32_t nsec;         /* fraction of GeneralizedTime, 0 for UTCTime */
    bool no_zone;          /* GeneralizedTime had neither Z nor an offset */
};
int ber_get_utctime(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct ber_time *v);
int ber_get_gentime(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct ber_time *v);

/* ------------------------------------------------------------------ */
/* OBJECT IDENTIFIER text form                                         */
/* ------------------------------------------------------------------ */

/* "2.6.0.1.4" from contents octets. Returns the text length, or
 * X400MS_ELIMIT if buf is too small, X400MS_EPROTO if oid is malformed.
 * 128 octets are enough for any OID of this project. */
int ber_oid_to_text(struct ber_slice oid, char *buf, size_t size);
/* Contents octets from "2.6.0.1.4" (arcs fit in uint64). Returns the
 * encoded length, X400MS_EINVAL for bad text, X400MS_ELIMIT if buf is small. */
int ber_oid_from_text(const char *text, uint8_t *buf, size_t size);
/* Orders OIDs by arcs (equal-length arcs compare as numbers): <0, 0, >0. */
int ber_oid_cmp(struct ber_slice a, struct ber_slice b);
static inline bool ber_oid_eq(struct ber_slice a, struct ber_slice b) { return ber_slice_eq(a, b); }

/* ------------------------------------------------------------------ */
/* Writer (builds backwards)                                           */
/* ------------------------------------------------------------------ */

/* Bytes live at buf[cap - len .. cap). Errors are sticky: after the first
 * failure every push is a no-op returning that error, so an encoder may push
 * a whole PDU and check the result of its last call or w->error once. */
struct ber_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
    size_t max;           /* size bound (default BER_DEFAULT_MAX_SIZE) */
    int error;            /* first error (X400MS_ENOMEM / X400MS_ELIMIT / EINVAL), 0 if none */
    bool fixed;           /* caller's buffer: never reallocated */
};

/* Growable heap buffer (allocated on first push). */
void ber_writer_init(struct ber_writer *w);
/* Caller's buffer of cap octets: X400MS_ELIMIT when it overflows. */
void ber_writer_init_fixed(struct ber_writer *w, void *buf, size_t cap);
/* Frees a growable writer's buffer; the writer is empty afterwards. */
void ber_writer_free(struct ber_writer *w);
/* Forgets the contents, keeps the buffer. */
void ber_writer_reset(struct ber_writer *w);

static inline const uint8_t *ber_writer_data(const struct ber_writer *w)
{
    return w->buf ? w->buf + (w->cap - w->len) : (const uint8_t *)"";
}
static inline size_t ber_writer_len(const struct ber_writer *w) { return w->len; }
static inline struct ber_slice ber_writer_slice(const struct ber_writer *w)
{
    return ber_slice_make(ber_writer_data(w), w->len);
}

/* Hands the encoding over as a malloc'd buffer (caller frees) and resets a
 * growable writer to empty. NULL (and w->error set) on failure. */
uint8_t *ber_writer_take(struct ber_writer *w, size_t *len_r);

/* A mark is the writer length at some moment; the octets pushed since make
 * up the contents that ber_wrap() will tag. */
typedef size_t ber_mark_t;
static inline ber_mark_t ber_mark(const struct ber_writer *w) { return w->len; }

/* Prepends identifier and definite length around everything pushed since
 * mark (constructed = set the constructed bit). */
int ber_wrap(struct ber_writer *w, ber_mark_t mark, ber_tag_t tag, bool constructed);
/* Prepends identifier and length octets for len octets already pushed. */
int ber_put_header(struct ber_writer *w, ber_tag_t tag, bool constructed, size_t len);
/* Prepends raw octets (e.g. a value kept raw from a decode). */
int ber_put_raw(struct ber_writer *w, const void *p, size_t n);
static inline int ber_put_slice(struct ber_writer *w, struct ber_slice s)
{
    return ber_put_raw(w, s.ptr, s.len);
}
/* Reserves n octets at the front and returns them (NULL on error). */
uint8_t *ber_push(struct ber_writer *w, size_t n);

/* Primitive values; tag is the tag to emit (BER_UNIV(BER_INTEGER) or an
 * implicit tag such as BER_CTX(0)). */
int ber_put_bool(struct ber_writer *w, ber_tag_t tag, bool v);           /* TRUE = 0xFF */
int ber_put_int64(struct ber_writer *w, ber_tag_t tag, int64_t v);       /* minimal octets */
int ber_put_integer_raw(struct ber_writer *w, ber_tag_t tag, struct ber_slice twos_complement);
int ber_put_enum(struct ber_writer *w, ber_tag_t tag, int64_t v);
int ber_put_null(struct ber_writer *w, ber_tag_t tag);
int ber_put_oid(struct ber_writer *w, ber_tag_t tag, struct ber_slice oid);
int ber_put_oid_text(struct ber_writer *w, ber_tag_t tag, const char *text); /* EINVAL on bad text */
/* Named-bit BIT STRING: trailing zero bits removed (X.690 11.2.2). */
int ber_put_bits_u32(struct ber_writer *w, ber_tag_t tag, uint32_t mask);
/* BIT STRING of nbits bits from bytes (first bit = MSB of bytes[0]). */
int ber_put_bits(struct ber_writer *w, ber_tag_t tag, const uint8_t *bytes, size_t nbits);
/* OCTET STRING and character strings (no charset check: see ber_is_*). */
int ber_put_octets(struct ber_writer *w, ber_tag_t tag, const void *p, size_t n);
static inline int ber_put_str(struct ber_writer *w, ber_tag_t tag, const char *s, size_t n)
{
    return ber_put_octets(w, tag, s, n);
}
/* "YYMMDDhhmmssZ" (EINVAL outside 1950..2049). */
int ber_put_utctime(struct ber_writer *w, ber_tag_t tag, time_t t);
/* "YYYYMMDDhhmmss[.f*]Z", fraction digits of nsec without trailing zeros. */
int ber_put_gentime(struct ber_writer *w, ber_tag_t tag, time_t t, uint32_t nsec);

#endif
