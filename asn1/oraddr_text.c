/* O/R address text forms and comparison (see asn1/orname.h).
 *
 * Two syntaxes are read and written:
 *   slash form (X.400 / ISODE style):  /C=XX/A= /P=TEST/O=Org/S=alice/
 *   RFC 1685 form:                      C=XX;ADMD= ;PRMD=TEST;O=Org;S=alice
 * The attribute keys are those of RFC 1685 section 3 (and their usual
 * one-letter abbreviations). Values are taken literally up to the next
 * separator; nothing is copied: the struct points into the text. */
#include "asn1/orname.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum key_id {
    K_C, K_ADMD, K_PRMD, K_O, K_OU, K_OU1, K_OU2, K_OU3, K_OU4, K_S, K_G, K_I, K_Q, K_CN,
    K_X121, K_NID, K_TID, K_DDA,
};

struct key_def {
    const char *name;
    enum key_id id;
    const char *what;      /* for messages */
    unsigned univ;         /* BER_PRINTABLE_STRING or BER_NUMERIC_STRING */
    size_t max;            /* X.411 upper bound */
};

static const struct key_def keys[] = {
    { "C", K_C, "country", BER_PRINTABLE_STRING, 3 },
    { "ADMD", K_ADMD, "ADMD", BER_PRINTABLE_STRING, OR_UB_DOMAIN_NAME },
    { "A", K_ADMD, "ADMD", BER_PRINTABLE_STRING, OR_UB_DOMAIN_NAME },
    { "PRMD", K_PRMD, "PRMD", BER_PRINTABLE_STRING, OR_UB_DOMAIN_NAME },
    { "P", K_PRMD, "PRMD", BER_PRINTABLE_STRING, OR_UB_DOMAIN_NAME },
    { "O", K_O, "organization", BER_PRINTABLE_STRING, OR_UB_ORGANIZATION_NAME },
    { "OU", K_OU, "organizational unit", BER_PRINTABLE_STRING, OR_UB_ORGANIZATIONAL_UNIT_NAME },
    { "OU1", K_OU1, "organizational unit 1", BER_PRINTABLE_STRING, OR_UB_ORGANIZATIONAL_UNIT_NAME },
    { "OU2", K_OU2, "organizational unit 2", BER_PRINTABLE_STRING, OR_UB_ORGANIZATIONAL_UNIT_NAME },
    { "OU3", K_OU3, "organizational unit 3", BER_PRINTABLE_STRING, OR_UB_ORGANIZATIONAL_UNIT_NAME },
    { "OU4", K_OU4, "organizational unit 4", BER_PRINTABLE_STRING, OR_UB_ORGANIZATIONAL_UNIT_NAME },
    { "S", K_S, "surname", BER_PRINTABLE_STRING, OR_UB_SURNAME },
    { "G", K_G, "given name", BER_PRINTABLE_STRING, OR_UB_GIVEN_NAME },
    { "I", K_I, "initials", BER_PRINTABLE_STRING, OR_UB_INITIALS },
    { "Q", K_Q, "generation qualifier", BER_PRINTABLE_STRING, OR_UB_GENERATION_QUALIFIER },
    { "CN", K_CN, "common name", BER_PRINTABLE_STRING, OR_UB_COMMON_NAME },
    { "X121", K_X121, "X.121 address", BER_NUMERIC_STRING, OR_UB_X121_ADDRESS },
    { "N-ID", K_NID, "numeric user identifier", BER_NUMERIC_STRING, OR_UB_NUMERIC_USER_ID },
    { "T-ID", K_TID, "terminal identifier", BER_PRINTABLE_STRING, OR_UB_TERMINAL_ID },
};

static const struct key_def *find_key(const char *k, size_t n)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strlen(keys[i].name) == n && strncasecmp(keys[i].name, k, n) == 0)
            return &keys[i];
    return NULL;
}

static int check_chars(const char *v, size_t n, unsigned univ, const char *what,
                       struct x400ms_error *err)
{
    if (univ == BER_NUMERIC_STRING) {
        if (!ber_is_numeric((const uint8_t *)v, n))
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s: only digits and spaces are allowed (NumericString)", what);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!ber_is_printable((const uint8_t *)v + i, 1))
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s: character '%c' is not allowed in a PrintableString "
                                    "(letters, digits, space and ' ( ) + , - . / : = ? only)",
                                    what, isprint((unsigned char)v[i]) ? v[i] : '?');
    return 0;
}

static bool all_digits(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return n > 0;
}

static int set_once(struct mhs_str *s, const char *v, size_t n, unsigned univ, const char *what,
                    struct x400ms_error *err)
{
    if (mhs_str_present(s))
        return x400ms_error_set(err, X400MS_EINVAL, "%s given twice", what);
    *s = mhs_str_make(v, n, univ);
    return 0;
}

static int put_dda(struct or_address *a, const char *k, size_t kn, const char *v, size_t vn,
                   struct x400ms_error *err)
{
    /* k is "DDA:type" */
    const char *t = k + 4;
    size_t tn = kn - 4;

    if (tn == 0)
        return x400ms_error_set(err, X400MS_EINVAL, "DDA: the type after \"DDA:\" is empty");
    if (tn > OR_UB_DDA_TYPE)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "DDA type \"%.*s\" is too long (%zu characters, at most %d)",
                                (int)tn, t, tn, OR_UB_DDA_TYPE);
    if (vn == 0)
        return x400ms_error_set(err, X400MS_EINVAL, "DDA %.*s: empty value", (int)tn, t);
    if (vn > OR_UB_DDA_VALUE)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "DDA %.*s: value too long (%zu characters, at most %d)",
                                (int)tn, t, vn, OR_UB_DDA_VALUE);
    if (a->n_dda >= OR_UB_DOMAIN_DEFINED_ATTRIBUTES)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "too many domain-defined attributes (at most %d)",
                                OR_UB_DOMAIN_DEFINED_ATTRIBUTES);
    if (check_chars(t, tn, BER_PRINTABLE_STRING, "DDA type", err) < 0 ||
        check_chars(v, vn, BER_PRINTABLE_STRING, "DDA value", err) < 0)
        return X400MS_EINVAL;
    a->dda[a->n_dda].type = mhs_str_make(t, tn, BER_PRINTABLE_STRING);
    a->dda[a->n_dda].value = mhs_str_make(v, vn, BER_PRINTABLE_STRING);
    a->n_dda++;
    return 0;
}

static int put_attr(struct or_address *a, const char *k, size_t kn, const char *v, size_t vn,
                    bool ou_numbered[4], struct x400ms_error *err)
{
    const struct key_def *d;
    unsigned univ;

    if (kn > 4 && strncasecmp(k, "DDA:", 4) == 0)
        return put_dda(a, k, kn, v, vn, err);
    d = find_key(k, kn);
    if (!d)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "unknown attribute \"%.*s\" (expected C, ADMD, PRMD, O, OU1-OU4, "
                                "S, G, I, Q, CN, X121, N-ID, T-ID or DDA:type)", (int)kn, k);
    univ = d->univ;
    if (d->id == K_C) {
        if (vn == 0)
            return x400ms_error_set(err, X400MS_EINVAL, "country (C) is empty");
        if (vn == 3 && all_digits(v, vn))
            univ = BER_NUMERIC_STRING;
        else if (vn != 2)
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "country (C) \"%.*s\" must be 2 letters (ISO 3166) or "
                                    "3 digits (X.121 DCC)", (int)vn, v);
    } else if (d->id != K_ADMD && vn == 0) {
        return x400ms_error_set(err, X400MS_EINVAL, "%s (%s) is empty", d->what, d->name);
    }
    if (vn > d->max)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "%s (%s) is too long: %zu characters, X.411 allows at most %zu",
                                d->what, d->name, vn, d->max);
    if (check_chars(v, vn, univ, d->what, err) < 0)
        return X400MS_EINVAL;
    switch (d->id) {
    case K_C: return set_once(&a->country, v, vn, univ, d->what, err);
    case K_ADMD: return set_once(&a->admd, v, vn, univ, d->what, err);
    case K_PRMD: return set_once(&a->prmd, v, vn, univ, d->what, err);
    case K_O: return set_once(&a->org, v, vn, univ, d->what, err);
    case K_S: return set_once(&a->surname, v, vn, univ, d->what, err);
    case K_G: return set_once(&a->given, v, vn, univ, d->what, err);
    case K_I: return set_once(&a->initials, v, vn, univ, d->what, err);
    case K_Q: return set_once(&a->generation, v, vn, univ, d->what, err);
    case K_CN: return set_once(&a->common_name, v, vn, univ, d->what, err);
    case K_X121: return set_once(&a->x121, v, vn, univ, d->what, err);
    case K_NID: return set_once(&a->numeric_user_id, v, vn, univ, d->what, err);
    case K_TID: return set_once(&a->terminal_id, v, vn, univ, d->what, err);
    case K_OU:
        if (a->n_ou >= OR_UB_ORGANIZATIONAL_UNITS)
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "too many organizational units (at most %d)",
                                    OR_UB_ORGANIZATIONAL_UNITS);
        a->ou[a->n_ou++] = mhs_str_make(v, vn, univ);
        return 0;
    default: { /* OU1..OU4: position given */
        unsigned pos = (unsigned)(d->id - K_OU1);

        if (ou_numbered[pos] || mhs_str_present(&a->ou[pos]))
            return x400ms_error_set(err, X400MS_EINVAL, "%s given twice", d->what);
        ou_numbered[pos] = true;
        a->ou[pos] = mhs_str_make(v, vn, univ);
        if (a->n_ou < pos + 1)
            a->n_ou = (uint8_t)(pos + 1);
        return 0;
    }
    }
}

int or_address_parse(const char *text, size_t len, struct or_address *a,
                     struct x400ms_error *err)
{
    bool ou_numbered[4] = { false, false, false, false };
    const char *p = text, *end = text + len;
    char sep;
    int rc;

    or_address_init(a);
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    if (p == end)
        return x400ms_error_set(err, X400MS_EINVAL, "empty O/R address");
    if (*p == '/') {
        sep = '/';
        p++;
    } else {
        sep = ';';
    }
    while (p < end) {
        const char *item = p, *eq, *stop;

        stop = memchr(p, sep, (size_t)(end - p));
        if (!stop)
            stop = end;
        p = stop < end ? stop + 1 : end;
        if (stop == item) {
            if (sep == ';' && p < end)
                return x400ms_error_set(err, X400MS_EINVAL, "empty attribute between ';'");
            continue; /* trailing '/' or ';' */
        }
        /* DDA:type=value: the '=' after the type. */
        eq = memchr(item, '=', (size_t)(stop - item));
        if (!eq)
            return x400ms_error_set(err, X400MS_EINVAL, "\"%.*s\": expected KEY=value",
                                    (int)(stop - item), item);
        {
            const char *k = item, *ke = eq;

            while (k < ke && *k == ' ')
                k++;
            while (ke > k && ke[-1] == ' ')
                ke--;
            if ((rc = put_attr(a, k, (size_t)(ke - k), eq + 1, (size_t)(stop - eq - 1),
                               ou_numbered, err)) < 0)
                return rc;
        }
    }
    for (unsigned i = 0; i < a->n_ou; i++)
        if (!mhs_str_present(&a->ou[i]))
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "OU%u given without OU%u (units are hierarchical)",
                                    a->n_ou, i + 1);
    if (!mhs_str_present(&a->surname) &&
        (mhs_str_present(&a->given) || mhs_str_present(&a->initials) ||
         mhs_str_present(&a->generation)))
        return x400ms_error_set(err, X400MS_EINVAL,
                                "given name, initials or generation qualifier without a "
                                "surname (S): X.411 requires the surname in a personal name");
    if (or_address_is_empty(a))
        return x400ms_error_set(err, X400MS_EINVAL, "O/R address has no attributes");
    return 0;
}

/* ---- printing ------------------------------------------------------------ */

struct outbuf {
    char *buf;
    size_t size, len;
    bool overflow;
};

static void out_raw(struct outbuf *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->size) {
        o->overflow = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void out_attr(struct outbuf *o, enum or_text_syntax syn, const char *key,
                     const struct mhs_str *v, bool *first)
{
    if (!mhs_str_present(v))
        return;
    if (syn == OR_TEXT_RFC1685 && !*first)
        out_raw(o, ";", 1);
    out_raw(o, key, strlen(key));
    out_raw(o, "=", 1);
    out_raw(o, (const char *)v->ptr, v->len);
    if (syn == OR_TEXT_SLASH)
        out_raw(o, "/", 1);
    *first = false;
}

int or_address_format(const struct or_address *a, enum or_text_syntax syn, char *buf, size_t size)
{
    struct outbuf o = { buf, size, 0, false };
    bool first = true;
    bool rfc = syn == OR_TEXT_RFC1685;
    char key[16];

    if (!size)
        return X400MS_ELIMIT;
    buf[0] = '\0';
    if (syn == OR_TEXT_SLASH)
        out_raw(&o, "/", 1);
    out_attr(&o, syn, "C", &a->country, &first);
    out_attr(&o, syn, rfc ? "ADMD" : "A", &a->admd, &first);
    out_attr(&o, syn, rfc ? "PRMD" : "P", &a->prmd, &first);
    out_attr(&o, syn, "O", &a->org, &first);
    for (unsigned i = 0; i < a->n_ou; i++) {
        snprintf(key, sizeof(key), "OU%u", i + 1);
        out_attr(&o, syn, key, &a->ou[i], &first);
    }
    out_attr(&o, syn, "S", &a->surname, &first);
    out_attr(&o, syn, "G", &a->given, &first);
    out_attr(&o, syn, "I", &a->initials, &first);
    out_attr(&o, syn, "Q", &a->generation, &first);
    out_attr(&o, syn, "CN", &a->common_name, &first);
    out_attr(&o, syn, "X121", &a->x121, &first);
    out_attr(&o, syn, "N-ID", &a->numeric_user_id, &first);
    out_attr(&o, syn, "T-ID", &a->terminal_id, &first);
    for (unsigned i = 0; i < a->n_dda; i++) {
        char k[4 + OR_UB_DDA_TYPE + 1];

        snprintf(k, sizeof(k), "DDA:%.*s", (int)a->dda[i].type.len,
                 (const char *)a->dda[i].type.ptr);
        out_attr(&o, syn, k, &a->dda[i].value, &first);
    }
    if (o.overflow)
        return X400MS_ELIMIT;
    return (int)o.len;
}

/* ---- comparison (X.411 / X.520 caseIgnoreMatch) ---------------------------- */

/* Next significant character: spaces collapse to one, leading and trailing
 * spaces vanish; numeric strings drop spaces entirely. Returns -1 at end. */
static int next_char(const struct mhs_str *s, size_t *i, bool numeric)
{
    const uint8_t *p = s->ptr;
    size_t n = s->len;

    if (*i == 0)
        while (*i < n && p[*i] == ' ')
            (*i)++;
    if (*i >= n)
        return -1;
    if (p[*i] == ' ') {
        while (*i < n && p[*i] == ' ')
            (*i)++;
        if (*i >= n || numeric)
            return *i >= n ? -1 : tolower(p[(*i)++]);
        return ' ';
    }
    return tolower(p[(*i)++]);
}

static bool str_match(const struct mhs_str *a, const struct mhs_str *b)
{
    size_t i = 0, j = 0;
    bool numeric;

    if (mhs_str_present(a) != mhs_str_present(b))
        return false;
    if (!mhs_str_present(a))
        return true;
    numeric = a->univ == BER_NUMERIC_STRING || b->univ == BER_NUMERIC_STRING;
    for (;;) {
        int ca = next_char(a, &i, numeric), cb = next_char(b, &j, numeric);

        if (ca != cb)
            return false;
        if (ca < 0)
            return true;
    }
}

static bool admd_is_any(const struct mhs_str *s)
{
    return mhs_str_present(s) && s->len == 1 && s->ptr[0] == ' ';
}

bool or_address_match(const struct or_address *a, const struct or_address *b)
{
    if (!str_match(&a->country, &b->country))
        return false;
    if (!(admd_is_any(&a->admd) && mhs_str_present(&b->admd)) &&
        !(admd_is_any(&b->admd) && mhs_str_present(&a->admd)) &&
        !str_match(&a->admd, &b->admd))
        return false;
    if (!str_match(&a->prmd, &b->prmd) || !str_match(&a->org, &b->org) ||
        !str_match(&a->surname, &b->surname) || !str_match(&a->given, &b->given) ||
        !str_match(&a->initials, &b->initials) || !str_match(&a->generation, &b->generation) ||
        !str_match(&a->common_name, &b->common_name) || !str_match(&a->x121, &b->x121) ||
        !str_match(&a->numeric_user_id, &b->numeric_user_id) ||
        !str_match(&a->terminal_id, &b->terminal_id))
        return false;
    if (a->n_ou != b->n_ou || a->n_dda != b->n_dda)
        return false;
    for (unsigned i = 0; i < a->n_ou; i++)
        if (!str_match(&a->ou[i], &b->ou[i]))
            return false;
    /* DDAs: same set of type=value pairs, in any order. */
    for (unsigned i = 0; i < a->n_dda; i++) {
        bool found = false;

        for (unsigned j = 0; j < b->n_dda && !found; j++)
            found = str_match(&a->dda[i].type, &b->dda[j].type) &&
                    str_match(&a->dda[i].value, &b->dda[j].value);
        if (!found)
            return false;
    }
    return true;
}
