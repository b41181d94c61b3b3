/* OBJECT IDENTIFIER text form and ordering (X.690 8.19, X.660). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "asn1/ber.h"

/* Reads one subidentifier at *pos; false when malformed or over 64 bits. */
static bool read_subid(struct ber_slice oid, size_t *pos, uint64_t *v)
{
    uint64_t x = 0;
    size_t i = *pos;
    if (i >= oid.len || oid.ptr[i] == 0x80)
        return false;
    for (;;) {
        if (i >= oid.len || x > (UINT64_MAX >> 7))
            return false;
        uint8_t b = oid.ptr[i++];
        x = (x << 7) | (b & 0x7f);
        if (!(b & 0x80))
            break;
    }
    *pos = i;
    *v = x;
    return true;
}

int ber_oid_to_text(struct ber_slice oid, char *buf, size_t size)
{
    size_t pos = 0, out = 0;
    bool first = true;

    if (oid.len == 0)
        return X400MS_EPROTO;
    while (pos < oid.len) {
        uint64_t v;
        char tmp[48];
        int n;
        if (!read_subid(oid, &pos, &v))
            return X400MS_EPROTO;
        if (first) {
            /* X.690 8.19.4: first subidentifier = arc1 * 40 + arc2. */
            unsigned a1 = v < 40 ? 0 : v < 80 ? 1 : 2;
            n = snprintf(tmp, sizeof(tmp), "%u.%llu", a1, (unsigned long long)(v - 40u * a1));
            first = false;
        } else {
            n = snprintf(tmp, sizeof(tmp), ".%llu", (unsigned long long)v);
        }
        if ((size_t)n + out + 1 > size)
            return X400MS_ELIMIT;
        memcpy(buf + out, tmp, (size_t)n);
        out += (size_t)n;
    }
    buf[out] = 0;
    return (int)out;
}

static size_t put_subid(uint64_t v, uint8_t *tmp)
{
    uint8_t rev[10];
    size_t n = 0;
    do {
        rev[n++] = v & 0x7f;
        v >>= 7;
    } while (v);
    for (size_t i = 0; i < n; i++)
        tmp[i] = rev[n - 1 - i] | (i + 1 < n ? 0x80 : 0);
    return n;
}

int ber_oid_from_text(const char *text, uint8_t *buf, size_t size)
{
    uint64_t arcs[2] = { 0, 0 };
    size_t narcs = 0, out = 0;
    const char *p = text;

    if (!text || !*text)
        return X400MS_EINVAL;
    for (;;) {
        uint64_t v = 0;
        if (*p < '0' || *p > '9')
            return X400MS_EINVAL;
        if (*p == '0' && p[1] >= '0' && p[1] <= '9')
            return X400MS_EINVAL; /* no leading zeros */
        while (*p >= '0' && *p <= '9') {
            if (v > (UINT64_MAX - 9) / 10)
                return X400MS_EINVAL;
            v = v * 10 + (uint64_t)(*p++ - '0');
        }
        if (narcs < 2) {
            arcs[narcs] = v;
        }
        narcs++;
        if (narcs == 2) {
            /* X.660: first arc 0..2; second < 40 under 0 and 1. */
            if (arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39) || arcs[1] > UINT64_MAX - 80)
                return X400MS_EINVAL;
            v = arcs[0] * 40 + arcs[1];
        }
        if (narcs >= 2) {
            uint8_t tmp[10];
            size_t n = put_subid(v, tmp);
            if (out + n > size)
                return X400MS_ELIMIT;
            memcpy(buf + out, tmp, n);
            out += n;
        }
        if (*p == 0)
            break;
        if (*p != '.')
            return X400MS_EINVAL;
        p++;
    }
    if (narcs < 2)
        return X400MS_EINVAL;
    return (int)out;
}

int ber_oid_cmp(struct ber_slice a, struct ber_slice b)
{
    size_t pa = 0, pb = 0;
    while (pa < a.len && pb < b.len) {
        uint64_t va, vb;
        bool oka = read_subid(a, &pa, &va), okb = read_subid(b, &pb, &vb);
        if (!oka || !okb) /* malformed: fall back to octet order */
            break;
        if (va != vb)
            return va < vb ? -1 : 1;
    }
    if (pa < a.len || pb < b.len) {
        if (pa >= a.len)
            return -1;
        if (pb >= b.len)
            return 1;
        size_t n = a.len < b.len ? a.len : b.len;
        int r = memcmp(a.ptr, b.ptr, n);
        return r ? r : (a.len < b.len ? -1 : a.len > b.len);
    }
    return 0;
}
