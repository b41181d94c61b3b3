/* BER writer: builds backwards (from the last octet towards the first) so a
 * constructed value's length is known when its header is prepended. Output
 * uses definite, minimal lengths (X.690 10.1) and minimal integers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "asn1/ber.h"

void ber_writer_init(struct ber_writer *w)
{
    memset(w, 0, sizeof(*w));
    w->max = BER_DEFAULT_MAX_SIZE;
}

void ber_writer_init_fixed(struct ber_writer *w, void *buf, size_t cap)
{
    memset(w, 0, sizeof(*w));
    w->buf = buf;
    w->cap = cap;
    w->max = cap;
    w->fixed = true;
}

void ber_writer_free(struct ber_writer *w)
{
    if (!w->fixed)
        free(w->buf);
    bool fixed = w->fixed;
    size_t max = w->max;
    memset(w, 0, sizeof(*w));
    w->max = fixed ? 0 : max;
}

void ber_writer_reset(struct ber_writer *w)
{
    w->len = 0;
    w->error = 0;
}

static int fail(struct ber_writer *w, int code)
{
    if (!w->error)
        w->error = code;
    return w->error;
}

static int grow(struct ber_writer *w, size_t need)
{
    if (w->fixed || need > w->max)
        return fail(w, X400MS_ELIMIT);
    size_t cap = w->cap ? w->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > w->max)
        cap = w->max;
    uint8_t *nb = malloc(cap);
    if (!nb)
        return fail(w, X400MS_ENOMEM);
    if (w->len)
        memcpy(nb + cap - w->len, w->buf + w->cap - w->len, w->len);
    free(w->buf);
    w->buf = nb;
    w->cap = cap;
    return 0;
}

uint8_t *ber_push(struct ber_writer *w, size_t n)
{
    static uint8_t nothing; /* where zero octets go before the first allocation */
    if (w->error)
        return NULL;
    if (n == 0 && !w->buf)
        return &nothing;
    if (n > w->cap - w->len) {
        if (n > SIZE_MAX - w->len || grow(w, w->len + n) < 0) {
            fail(w, X400MS_ELIMIT);
            return NULL;
        }
    }
    w->len += n;
    return w->buf + (w->cap - w->len);
}

int ber_put_raw(struct ber_writer *w, const void *p, size_t n)
{
    uint8_t *d = ber_push(w, n);
    if (!d)
        return w->error;
    if (n)
        memcpy(d, p, n);
    return 0;
}

uint8_t *ber_writer_take(struct ber_writer *w, size_t *len_r)
{
    if (w->error)
        return NULL;
    size_t n = w->len;
    uint8_t *out = malloc(n ? n : 1);
    if (!out) {
        fail(w, X400MS_ENOMEM);
        return NULL;
    }
    if (n)
        memcpy(out, ber_writer_data(w), n);
    *len_r = n;
    if (w->fixed)
        w->len = 0;
    else
        ber_writer_free(w);
    return out;
}

int ber_put_header(struct ber_writer *w, ber_tag_t tag, bool constructed, size_t len)
{
    uint8_t hdr[2 + 5 + sizeof(size_t)];
    size_t n = 0;
    uint8_t tmp[8];
    size_t k = 0;

    /* identifier (X.690 8.1.2) */
    uint32_t num = BER_TAG_NUMBER(tag);
    uint8_t first = (uint8_t)((BER_TAG_CLASS(tag) << 6) | (constructed ? 0x20 : 0));
    if (num < 31) {
        hdr[n++] = first | (uint8_t)num;
    } else {
        hdr[n++] = first | 0x1f;
        do {
            tmp[k++] = num & 0x7f;
            num >>= 7;
        } while (num);
        while (k > 0) {
            k--;
            hdr[n++] = tmp[k] | (k ? 0x80 : 0);
        }
    }
    /* length, definite and minimal (X.690 10.1) */
    if (len < 0x80) {
        hdr[n++] = (uint8_t)len;
    } else {
        size_t v = len;
        k = 0;
        while (v) {
            tmp[k++] = v & 0xff;
            v >>= 8;
        }
        hdr[n++] = (uint8_t)(0x80 | k);
        while (k > 0)
            hdr[n++] = tmp[--k];
    }
    return ber_put_raw(w, hdr, n);
}

int ber_wrap(struct ber_writer *w, ber_mark_t mark, ber_tag_t tag, bool constructed)
{
    if (w->error)
        return w->error;
    if (mark > w->len)
        return fail(w, X400MS_EINVAL);
    return ber_put_header(w, tag, constructed, w->len - mark);
}

int ber_put_octets(struct ber_writer *w, ber_tag_t tag, const void *p, size_t n)
{
    int rc = ber_put_raw(w, p, n);
    return rc < 0 ? rc : ber_put_header(w, tag, false, n);
}

int ber_put_bool(struct ber_writer *w, ber_tag_t tag, bool v)
{
    uint8_t b = v ? 0xff : 0x00; /* X.690 11.1 */
    return ber_put_octets(w, tag, &b, 1);
}

int ber_put_int64(struct ber_writer *w, ber_tag_t tag, int64_t v)
{
    uint8_t b[8];
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) {
        b[i] = u & 0xff;
        u >>= 8;
    }
    size_t s = 0;
    /* X.690 8.3.2: drop leading octets equal to the sign extension */
    while (s < 7 && ((b[s] == 0x00 && !(b[s + 1] & 0x80)) || (b[s] == 0xff && (b[s + 1] & 0x80))))
        s++;
    return ber_put_octets(w, tag, b + s, 8 - s);
}

int ber_put_integer_raw(struct ber_writer *w, ber_tag_t tag, struct ber_slice v)
{
    if (v.len == 0)
        return fail(w, X400MS_EINVAL);
    return ber_put_octets(w, tag, v.ptr, v.len);
}

int ber_put_enum(struct ber_writer *w, ber_tag_t tag, int64_t v)
{
    return ber_put_int64(w, tag, v);
}

int ber_put_null(struct ber_writer *w, ber_tag_t tag)
{
    return ber_put_header(w, tag, false, 0);
}

int ber_put_oid(struct ber_writer *w, ber_tag_t tag, struct ber_slice oid)
{
    return ber_put_octets(w, tag, oid.ptr, oid.len);
}

int ber_put_oid_text(struct ber_writer *w, ber_tag_t tag, const char *text)
{
    uint8_t buf[128];
    int n = ber_oid_from_text(text, buf, sizeof(buf));
    if (n < 0)
        return fail(w, X400MS_EINVAL);
    return ber_put_octets(w, tag, buf, (size_t)n);
}

int ber_put_bits(struct ber_writer *w, ber_tag_t tag, const uint8_t *bytes, size_t nbits)
{
    size_t nbytes = (nbits + 7) / 8;
    unsigned unused = (unsigned)(nbytes * 8 - nbits);
    uint8_t *d = ber_push(w, nbytes + 1);
    if (!d)
        return w->error;
    d[0] = (uint8_t)unused;
    if (nbytes) {
        memcpy(d + 1, bytes, nbytes);
        d[nbytes] &= (uint8_t)(0xff << unused); /* X.690 11.2.1: unused bits zero */
    }
    return ber_put_header(w, tag, false, nbytes + 1);
}

int ber_put_bits_u32(struct ber_writer *w, ber_tag_t tag, uint32_t mask)
{
    uint8_t b[4] = { 0, 0, 0, 0 };
    size_t nbits = 0;
    for (unsigned i = 0; i < 32; i++) {
        if (mask & (1u << i)) {
            b[i / 8] |= (uint8_t)(0x80 >> (i % 8));
            nbits = i + 1;
        }
    }
    return ber_put_bits(w, tag, b, nbits);
}
