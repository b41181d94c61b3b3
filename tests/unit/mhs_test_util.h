/* Helpers for the MHS codec tests (test_asn1_{orname,mts,ms,ipms}.c):
 * rewrite a BER encoding into other valid BER forms of the same value, and
 * a canonical form to compare encodings regardless of those choices.
 *
 *   mhs_t_reform(in, MHS_T_INDEFINITE)   every constructed value indefinite
 *   mhs_t_reform(in, MHS_T_MIXED)        indefinite on every other level
 *   mhs_t_reform(in, MHS_T_REVERSE_SETS) members of every universal SET reversed
 *   mhs_t_canonical(in)                  definite lengths, SET members sorted
 *
 * Written independently of asn1/ber.c (its own tiny TLV walker) so that the
 * tests do not check the codec with itself. Header-only, test code only. */
#ifndef MHS_TEST_UTIL_H
#define MHS_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MHS_T_DEFINITE = 0, MHS_T_INDEFINITE = 1, MHS_T_MIXED = 2, MHS_T_REVERSE_SETS = 4,
       MHS_T_SORT_SETS = 8 };

struct mhs_t_buf {
    uint8_t *p;
    size_t len, cap;
};

static void mhs_t_put(struct mhs_t_buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void mhs_t_put_len(struct mhs_t_buf *b, size_t n)
{
    uint8_t l[9];
    int k = 0;

    if (n < 128) {
        l[0] = (uint8_t)n;
        mhs_t_put(b, l, 1);
        return;
    }
    for (size_t v = n; v; v >>= 8)
        k++;
    l[0] = (uint8_t)(0x80 | k);
    for (int i = 0; i < k; i++)
        l[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
    mhs_t_put(b, l, (size_t)k + 1);
}

/* Parses one TLV at p (definite or indefinite); returns total size, sets the
 * header size, contents pointer/length; 0 on malformed input. */
static size_t mhs_t_tlv(const uint8_t *p, size_t n, size_t *hdr, const uint8_t **val, size_t *vlen,
                        int *constructed)
{
    size_t i = 1, len;

    if (n < 2)
        return 0;
    *constructed = (p[0] & 0x20) != 0;
    if ((p[0] & 0x1f) == 0x1f)
        while (i < n && (p[i++] & 0x80))
            ;
    if (i >= n)
        return 0;
    if (p[i] == 0x80) {
        size_t pos = i + 1;

        while (pos + 2 <= n && !(p[pos] == 0 && p[pos + 1] == 0)) {
            size_t h, l, t;
            const uint8_t *v;
            int c;

            t = mhs_t_tlv(p + pos, n - pos, &h, &v, &l, &c);
            if (!t)
                return 0;
            pos += t;
        }
        if (pos + 2 > n)
            return 0;
        *hdr = i + 1;
        *val = p + i + 1;
        *vlen = pos - (i + 1);
        return pos + 2;
    }
    if (p[i] & 0x80) {
        int k = p[i] & 0x7f;

        len = 0;
        for (int j = 0; j < k; j++)
            len = (len << 8) | p[i + 1 + j];
        i += 1 + (size_t)k;
    } else {
        len = p[i++];
    }
    if (i + len > n)
        return 0;
    *hdr = i;
    *val = p + i;
    *vlen = len;
    return i + len;
}

struct mhs_t_child {
    uint8_t *p;
    size_t n;
};

static int mhs_t_cmp_child(const void *a, const void *b)
{
    const struct mhs_t_child *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, n);

    return c ? c : (x->n < y->n ? -1 : x->n > y->n);
}

static void mhs_t_reform_into(const uint8_t *in, size_t n, int flags, unsigned depth,
                              struct mhs_t_buf *out)
{
    size_t pos = 0;

    while (pos < n) {
        size_t hdr, vlen, idlen = 1, t;
        const uint8_t *val;
        int constructed;

        t = mhs_t_tlv(in + pos, n - pos, &hdr, &val, &vlen, &constructed);
        if (!t) { /* leave malformed tails as they are */
            mhs_t_put(out, in + pos, n - pos);
            return;
        }
        if ((in[pos] & 0x1f) == 0x1f)
            while (in[pos + idlen++] & 0x80)
                ;
        if (!constructed) {
            mhs_t_put(out, in + pos, idlen);
            mhs_t_put_len(out, vlen);
            mhs_t_put(out, val, vlen);
        } else {
            struct mhs_t_buf inner = { NULL, 0, 0 };
            bool indef = (flags & MHS_T_INDEFINITE) || ((flags & MHS_T_MIXED) && depth % 2 == 0);

            if (in[pos] == 0x31 && (flags & (MHS_T_REVERSE_SETS | MHS_T_SORT_SETS))) {
                struct mhs_t_child kids[4096];
                size_t nk = 0, cp = 0;

                while (cp < vlen && nk < 4096) {
                    size_t h2, l2;
                    const uint8_t *v2;
                    int c2;
                    size_t t2 = mhs_t_tlv(val + cp, vlen - cp, &h2, &v2, &l2, &c2);
                    struct mhs_t_buf kb = { NULL, 0, 0 };

                    if (!t2)
                        break;
                    mhs_t_reform_into(val + cp, t2, flags, depth + 1, &kb);
                    kids[nk].p = kb.p;
                    kids[nk].n = kb.len;
                    nk++;
                    cp += t2;
                }
                if (flags & MHS_T_SORT_SETS)
                    qsort(kids, nk, sizeof(kids[0]), mhs_t_cmp_child);
                for (size_t k = 0; k < nk; k++) {
                    size_t idx = (flags & MHS_T_REVERSE_SETS) ? nk - 1 - k : k;

                    mhs_t_put(&inner, kids[idx].p, kids[idx].n);
                }
                for (size_t k = 0; k < nk; k++)
                    free(kids[k].p);
            } else {
                mhs_t_reform_into(val, vlen, flags, depth + 1, &inner);
            }
            mhs_t_put(out, in + pos, idlen);
            if (indef) {
                uint8_t z[2] = { 0, 0 }, m = 0x80;

                mhs_t_put(out, &m, 1);
                if (inner.len)
                    mhs_t_put(out, inner.p, inner.len);
                mhs_t_put(out, z, 2);
            } else {
                mhs_t_put_len(out, inner.len);
                if (inner.len)
                    mhs_t_put(out, inner.p, inner.len);
            }
            free(inner.p);
        }
        pos += t;
    }
}

/* Returns a malloc'd buffer (caller frees) and its length in *out_len. */
static uint8_t *mhs_t_reform(const uint8_t *in, size_t n, int flags, size_t *out_len)
{
    struct mhs_t_buf b = { NULL, 0, 0 };

    mhs_t_reform_into(in, n, flags, 0, &b);
    *out_len = b.len;
    return b.p;
}

static uint8_t *mhs_t_canonical(const uint8_t *in, size_t n, size_t *out_len)
{
    return mhs_t_reform(in, n, MHS_T_DEFINITE | MHS_T_SORT_SETS, out_len);
}

/* True when a and b are the same value up to length forms and SET order. */
static bool mhs_t_same_value(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    size_t x, y;
    uint8_t *ca = mhs_t_canonical(a, an, &x), *cb = mhs_t_canonical(b, bn, &y);
    bool eq = x == y && memcmp(ca, cb, x) == 0;

    free(ca);
    free(cb);
    return eq;
}

static size_t mhs_t_unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    unsigned v;

    while (*h) {
        while (*h == ' ' || *h == '\n')
            h++;
        if (!*h)
            break;
        if (sscanf(h, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

/* With asn1/ber.h and cmocka included first: checks that `der` decodes in
 * its indefinite, mixed and SET-reversed forms and re-encodes to the same
 * value. recode decodes `in` and encodes the result into w. */
#ifdef X400MS_ASN1_BER_H
typedef int (*mhs_t_recode_fn)(struct ber_slice in, struct ber_writer *w, struct ber_error *err);

static void mhs_t_check_forms(const uint8_t *der, size_t n, mhs_t_recode_fn recode, const char *what)
{
    static const int forms[] = { MHS_T_DEFINITE, MHS_T_INDEFINITE, MHS_T_MIXED, MHS_T_REVERSE_SETS,
                                 MHS_T_REVERSE_SETS | MHS_T_INDEFINITE };

    for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
        size_t rn;
        uint8_t *r = mhs_t_reform(der, n, forms[f], &rn);
        struct ber_writer w;
        struct ber_error err;
        int rc;

        memset(&err, 0, sizeof(err));
        ber_writer_init(&w);
        rc = recode(ber_slice_make(r, rn), &w, &err);
        if (rc != 0)
            fail_msg("%s, form %d: decode/encode failed %d: %s at %zu: %s", what, forms[f], rc,
                     err.type ? err.type : "-", err.offset, err.what ? err.what : "-");
        if (!mhs_t_same_value(ber_writer_data(&w), ber_writer_len(&w), der, n))
            fail_msg("%s, form %d: re-encoding differs from the original value", what, forms[f]);
        if (forms[f] == MHS_T_DEFINITE &&
            (ber_writer_len(&w) != n || memcmp(ber_writer_data(&w), der, n) != 0))
            fail_msg("%s: definite round trip not byte for byte", what);
        ber_writer_free(&w);
        free(r);
    }
}
#endif

#endif
