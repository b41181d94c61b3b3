/* UTCTime and GeneralizedTime (X.680 46, 47; X.690 11.7/11.8 for the forms
 * this writer emits). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "asn1/ber.h"

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const uint8_t *p, size_t n, unsigned *v)
{
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        x = x * 10 + (unsigned)(p[i] - '0');
    }
    *v = x;
    return true;
}

static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

/* Parses the common tail: [mm[ss]] optional per `sec_optional`, fraction
 * (GeneralizedTime only), zone. */
static int parse_time(struct ber_ctx *c, const struct ber_tlv *t, const char *type, bool gen,
                      struct ber_time *v)
{
    const uint8_t *p = t->val;
    size_t n = t->len, i = 0;
    unsigned year, mon, day, hh, mm = 0, ss = 0;
    uint32_t nsec = 0;
    const char *bad = gen ? "bad GeneralizedTime" : "bad UTCTime";

    if (t->constructed)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "expected primitive");
    if (gen) {
        if (n < 10 || !digits(p, 4, &year))
            return ber_fail(c, t->start, X400MS_EPROTO, type, bad);
        i = 4;
    } else {
        if (n < 11 || !digits(p, 2, &year))
            return ber_fail(c, t->start, X400MS_EPROTO, type, bad);
        year += year < 50 ? 2000 : 1900;
        i = 2;
    }
    if (!digits(p + i, 2, &mon) || !digits(p + i + 2, 2, &day) || !digits(p + i + 4, 2, &hh))
        return ber_fail(c, t->start, X400MS_EPROTO, type, bad);
    i += 6;
    /* minutes: mandatory in UTCTime, optional in GeneralizedTime */
    if (i + 2 <= n && digits(p + i, 2, &mm)) {
        i += 2;
        if (i + 2 <= n && digits(p + i, 2, &ss))
            i += 2;
    } else if (!gen) {
        return ber_fail(c, t->start, X400MS_EPROTO, type, bad);
    }
    if (gen && i < n && (p[i] == '.' || p[i] == ',')) {
        i++;
        size_t nd = 0;
        uint32_t scale = 100000000;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            if (nd < 9) {
                nsec += (uint32_t)(p[i] - '0') * scale;
                scale /= 10;
            }
            nd++;
            i++;
        }
        if (nd == 0)
            return ber_fail(c, t->start, X400MS_EPROTO, type, bad);
    }
    int64_t offset = 0;
    v->no_zone = false;
    if (i < n && p[i] == 'Z') {
        i++;
    } else if (i < n && (p[i] == '+' || p[i] == '-')) {
        unsigned oh, om;
        if (i + 5 > n || !digits(p + i + 1, 2, &oh) || !digits(p + i + 3, 2, &om) || oh > 23 || om > 59)
            return ber_fail(c, t->start, X400MS_EPROTO, type, bad);
        offset = (int64_t)(oh * 3600 + om * 60) * (p[i] == '+' ? 1 : -1);
        i += 5;
    } else if (gen) {
        v->no_zone = true;
    } else {
        return ber_fail(c, t->start, X400MS_EPROTO, type, "UTCTime without zone");
    }
    if (i != n)
        return ber_fail(c, t->start, X400MS_EPROTO, type, bad);
    if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hh > 23 || mm > 59 || ss > 60)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "date or time out of range");
    if (mon == 2 && day == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "date or time out of range");
    int64_t secs = days_from_civil(year, mon, day) * 86400 + hh * 3600 + mm * 60 + ss - offset;
    v->sec = (time_t)secs;
    v->nsec = nsec;
    return 0;
}

int ber_get_utctime(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct ber_time *v)
{
    return parse_time(c, t, type, false, v);
}

int ber_get_gentime(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct ber_time *v)
{
    return parse_time(c, t, type, true, v);
}

static void split_time(time_t t, int64_t *y, unsigned *mo, unsigned *d, unsigned *h, unsigned *mi,
                       unsigned *s)
{
    int64_t secs = (int64_t)t;
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, y, mo, d);
    *h = (unsigned)(rem / 3600);
    *mi = (unsigned)(rem / 60 % 60);
    *s = (unsigned)(rem % 60);
}

int ber_put_utctime(struct ber_writer *w, ber_tag_t tag, time_t t)
{
    int64_t y;
    unsigned mo, d, h, mi, s;
    char buf[32];

    split_time(t, &y, &mo, &d, &h, &mi, &s);
    if (y < 1950 || y > 2049) {
        if (!w->error)
            w->error = X400MS_EINVAL;
        return w->error;
    }
    int n = snprintf(buf, sizeof(buf), "%02u%02u%02u%02u%02u%02uZ", (unsigned)(y % 100), mo, d, h, mi, s);
    return ber_put_octets(w, tag, buf, (size_t)n);
}

int ber_put_gentime(struct ber_writer *w, ber_tag_t tag, time_t t, uint32_t nsec)
{
    int64_t y;
    unsigned mo, d, h, mi, s;
    char buf[48];

    split_time(t, &y, &mo, &d, &h, &mi, &s);
    if (y < 0 || y > 9999 || nsec >= 1000000000u) {
        if (!w->error)
            w->error = X400MS_EINVAL;
        return w->error;
    }
    int n = snprintf(buf, sizeof(buf), "%04u%02u%02u%02u%02u%02u", (unsigned)y, mo, d, h, mi, s);
    if (nsec) {
        /* X.690 11.7.3: no trailing zeros in the fraction. */
        char frac[16];
        snprintf(frac, sizeof(frac), "%09u", nsec);
        size_t fl = 9;
        while (fl > 0 && frac[fl - 1] == '0')
            fl--;
        frac[fl] = 0;
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, ".%s", frac);
    }
    buf[n++] = 'Z';
    return ber_put_octets(w, tag, buf, (size_t)n);
}
