/* X.411 ORName / ORAddress BER codec (asn1/mts.asn, "O/R names";
 * X.411 9.1, IMPLICIT tags). See asn1/orname.h. */
#include "asn1/orname.h"

#include <string.h>

static const unsigned num_or_printable[] = { BER_NUMERIC_STRING, BER_PRINTABLE_STRING, 0 };

void or_address_init(struct or_address *a)
{
    memset(a, 0, sizeof(*a));
    a->terminal_type = -1;
}

bool or_address_is_empty(const struct or_address *a)
{
    return !mhs_str_present(&a->country) && !mhs_str_present(&a->admd) &&
           !mhs_str_present(&a->x121) && !mhs_str_present(&a->terminal_id) &&
           !mhs_str_present(&a->prmd) && !mhs_str_present(&a->org) &&
           !mhs_str_present(&a->numeric_user_id) && !mhs_str_present(&a->surname) &&
           a->n_ou == 0 && a->n_dda == 0 && a->ext_raw.len == 0 &&
           !mhs_str_present(&a->common_name) && a->terminal_type < 0 && a->n_postal == 0 &&
           !mhs_str_present(&a->postal_teletex);
}

/* ---- decode ------------------------------------------------------------ */

/* PersonalName ::= SET { surname [0], given-name [1], initials [2],
 * generation-qualifier [3] } (X.411 9.1.3.8), all PrintableString. */
static int decode_personal_name(struct ber_ctx *c, const struct ber_tlv *t, struct or_address *a)
{
    static const char type[] = "ORAddress.personal-name";
    struct ber_iter it;
    struct ber_tlv m;
    uint64_t seen = 0;
    int rc;

    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (BER_TAG_CLASS(m.tag) != BER_CLASS_CONTEXT || BER_TAG_NUMBER(m.tag) > 3)
            return ber_fail(c, m.start, X400MS_EPROTO, type, "unexpected member");
        if ((rc = mhs_seen(c, &m, &seen, BER_TAG_NUMBER(m.tag), type)) < 0)
            return rc;
        switch (BER_TAG_NUMBER(m.tag)) {
        case 0: rc = mhs_get_str(c, &m, "ORAddress.personal-name.surname", BER_PRINTABLE_STRING, 1, OR_UB_SURNAME, &a->surname); break;
        case 1: rc = mhs_get_str(c, &m, "ORAddress.personal-name.given-name", BER_PRINTABLE_STRING, 1, OR_UB_GIVEN_NAME, &a->given); break;
        case 2: rc = mhs_get_str(c, &m, "ORAddress.personal-name.initials", BER_PRINTABLE_STRING, 1, OR_UB_INITIALS, &a->initials); break;
        default: rc = mhs_get_str(c, &m, "ORAddress.personal-name.generation-qualifier", BER_PRINTABLE_STRING, 1, OR_UB_GENERATION_QUALIFIER, &a->generation); break;
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (!(seen & 1))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "surname missing");
    return 0;
}

static int decode_ou_names(struct ber_ctx *c, const struct ber_tlv *t, struct or_address *a)
{
    static const char type[] = "ORAddress.organizational-unit-names";
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (a->n_ou >= OR_UB_ORGANIZATIONAL_UNITS)
            return ber_fail(c, m.start, X400MS_EPROTO, type, "more than 4 organizational units");
        if (m.tag != BER_UNIV(BER_PRINTABLE_STRING))
            return ber_fail(c, m.start, X400MS_EPROTO, type, "wrong tag");
        if ((rc = mhs_get_str(c, &m, type, BER_PRINTABLE_STRING, 1,
                              OR_UB_ORGANIZATIONAL_UNIT_NAME, &a->ou[a->n_ou])) < 0)
            return rc;
        a->n_ou++;
    }
    if (rc == 0 && a->n_ou == 0)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "empty list");
    return rc;
}

/* BuiltInStandardAttributes (X.411 9.1.3). Members are accepted in any order
 * (a SEQUENCE in the standard; being liberal costs nothing here). */
static int decode_standard(struct ber_ctx *c, const struct ber_tlv *t, struct or_address *a)
{
    static const char type[] = "ORAddress.built-in-standard-attributes";
    struct ber_iter it;
    struct ber_tlv m, in;
    uint64_t seen = 0;
    int rc;

    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        unsigned bit;

        if (m.tag == BER_APP(1))
            bit = 10;
        else if (m.tag == BER_APP(2))
            bit = 11;
        else if (BER_TAG_CLASS(m.tag) == BER_CLASS_CONTEXT && BER_TAG_NUMBER(m.tag) <= 6)
            bit = BER_TAG_NUMBER(m.tag);
        else
            return ber_fail(c, m.start, X400MS_EPROTO, type, "unexpected member");
        if ((rc = mhs_seen(c, &m, &seen, bit, type)) < 0)
            return rc;
        switch (bit) {
        case 10: /* CountryName: [APPLICATION 1] CHOICE, hence explicit */
            if ((rc = ber_explicit(c, &m, &in, "ORAddress.country-name")) < 0)
                return rc;
            rc = mhs_get_str_choice(c, &in, "ORAddress.country-name", num_or_printable, 2, 3,
                                    &a->country);
            if (rc == 0 && a->country.len != (a->country.univ == BER_NUMERIC_STRING
                                              ? OR_UB_COUNTRY_NUMERIC : OR_UB_COUNTRY_ALPHA))
                rc = ber_fail(c, in.start, X400MS_EPROTO, "ORAddress.country-name",
                              "country is 2 letters or 3 digits");
            break;
        case 11:
            if ((rc = ber_explicit(c, &m, &in, "ORAddress.administration-domain-name")) < 0)
                return rc;
            rc = mhs_get_str_choice(c, &in, "ORAddress.administration-domain-name",
                                    num_or_printable, 0, OR_UB_DOMAIN_NAME, &a->admd);
            break;
        case 0:
            rc = mhs_get_str(c, &m, "ORAddress.network-address", BER_NUMERIC_STRING, 1,
                             OR_UB_X121_ADDRESS, &a->x121);
            break;
        case 1:
            rc = mhs_get_str(c, &m, "ORAddress.terminal-identifier", BER_PRINTABLE_STRING, 1,
                             OR_UB_TERMINAL_ID, &a->terminal_id);
            break;
        case 2:
            if ((rc = ber_explicit(c, &m, &in, "ORAddress.private-domain-name")) < 0)
                return rc;
            rc = mhs_get_str_choice(c, &in, "ORAddress.private-domain-name", num_or_printable,
                                    1, OR_UB_DOMAIN_NAME, &a->prmd);
            break;
        case 3:
            rc = mhs_get_str(c, &m, "ORAddress.organization-name", BER_PRINTABLE_STRING, 1,
                             OR_UB_ORGANIZATION_NAME, &a->org);
            break;
        case 4:
            rc = mhs_get_str(c, &m, "ORAddress.numeric-user-identifier", BER_NUMERIC_STRING, 1,
                             OR_UB_NUMERIC_USER_ID, &a->numeric_user_id);
            break;
        case 5:
            rc = decode_personal_name(c, &m, a);
            break;
        default:
            rc = decode_ou_names(c, &m, a);
            break;
        }
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int decode_dda(struct ber_ctx *c, const struct ber_tlv *t, struct or_address *a)
{
    static const char type[] = "ORAddress.built-in-domain-defined-attributes";
    struct ber_iter it, in;
    struct ber_tlv m, f;
    int rc;

    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        struct or_dda *d;

        if (a->n_dda >= OR_UB_DOMAIN_DEFINED_ATTRIBUTES)
            return ber_fail(c, m.start, X400MS_EPROTO, type, "more than 4 attributes");
        d = &a->dda[a->n_dda];
        if (m.tag != BER_UNIV(BER_SEQUENCE) || (rc = ber_enter(c, &m, &in, type)) < 0)
            return m.tag != BER_UNIV(BER_SEQUENCE)
                       ? ber_fail(c, m.start, X400MS_EPROTO, type, "wrong tag") : rc;
        if ((rc = ber_expect(&in, BER_UNIV(BER_PRINTABLE_STRING), &f, "ORAddress.dda.type")) < 0 ||
            (rc = mhs_get_str(c, &f, "ORAddress.dda.type", BER_PRINTABLE_STRING, 1,
                              OR_UB_DDA_TYPE, &d->type)) < 0 ||
            (rc = ber_expect(&in, BER_UNIV(BER_PRINTABLE_STRING), &f, "ORAddress.dda.value")) < 0 ||
            (rc = mhs_get_str(c, &f, "ORAddress.dda.value", BER_PRINTABLE_STRING, 1,
                              OR_UB_DDA_VALUE, &d->value)) < 0 ||
            (rc = ber_end(&in, "ORAddress.dda")) < 0)
            return rc;
        a->n_dda++;
    }
    return rc;
}

/* UnformattedPostalAddress ::= SET { printable-address SEQUENCE SIZE (1..6)
 * OF PrintableString OPTIONAL, teletex-string TeletexString OPTIONAL }. */
static int decode_postal(struct ber_ctx *c, const struct ber_tlv *t, struct or_address *a)
{
    static const char type[] = "ORAddress.unformatted-postal-address";
    struct ber_iter it, lines;
    struct ber_tlv m, l;
    int rc;

    if (t->tag != BER_UNIV(BER_SET))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "wrong tag");
    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_UNIV(BER_SEQUENCE) && a->n_postal == 0) {
            if ((rc = ber_enter(c, &m, &lines, type)) < 0)
                return rc;
            while ((rc = ber_next(&lines, &l)) == 1) {
                if (a->n_postal >= OR_UB_PDS_ADDRESS_LINES)
                    return ber_fail(c, l.start, X400MS_EPROTO, type, "more than 6 lines");
                if (l.tag != BER_UNIV(BER_PRINTABLE_STRING))
                    return ber_fail(c, l.start, X400MS_EPROTO, type, "wrong tag");
                if ((rc = mhs_get_str(c, &l, type, BER_PRINTABLE_STRING, 1, OR_UB_PDS_PARAMETER,
                                      &a->postal[a->n_postal])) < 0)
                    return rc;
                a->n_postal++;
            }
            if (rc < 0)
                return rc;
        } else if (m.tag == BER_UNIV(BER_TELETEX_STRING) && !mhs_str_present(&a->postal_teletex)) {
            if ((rc = mhs_get_str(c, &m, type, BER_TELETEX_STRING, 1, OR_UB_UNFORMATTED_ADDRESS,
                                  &a->postal_teletex)) < 0)
                return rc;
        } else {
            return ber_fail(c, m.start, X400MS_EPROTO, type, "unexpected member");
        }
    }
    return rc;
}

/* ExtensionAttributes ::= SET SIZE (1..256) OF SEQUENCE {
 *   extension-attribute-type [0] INTEGER, extension-attribute-value [1] ANY }.
 * The known types are decoded, the whole SET is kept raw. */
static int decode_extensions(struct ber_ctx *c, const struct ber_tlv *t, struct or_address *a)
{
    static const char type[] = "ORAddress.extension-attributes";
    struct ber_iter it, in;
    struct ber_tlv m, ft, fv, val;
    unsigned n = 0;
    int rc;

    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    a->ext_raw = ber_tlv_whole(t);
    while ((rc = ber_next(&it, &m)) == 1) {
        int64_t attr;

        if (++n > OR_UB_EXTENSION_ATTRIBUTES)
            return ber_fail(c, m.start, X400MS_EPROTO, type, "more than 256 attributes");
        if (m.tag != BER_UNIV(BER_SEQUENCE))
            return ber_fail(c, m.start, X400MS_EPROTO, type, "wrong tag");
        if ((rc = ber_enter(c, &m, &in, type)) < 0 ||
            (rc = ber_expect(&in, BER_CTX(0), &ft, "ORAddress.extension-attribute-type")) < 0 ||
            (rc = ber_get_int64(c, &ft, "ORAddress.extension-attribute-type", &attr)) < 0 ||
            (rc = ber_expect(&in, BER_CTX(1), &fv, "ORAddress.extension-attribute-value")) < 0 ||
            (rc = ber_explicit(c, &fv, &val, "ORAddress.extension-attribute-value")) < 0 ||
            (rc = ber_end(&in, "ORAddress.extension-attribute")) < 0)
            return rc;
        switch (attr) {
        case OR_EXT_COMMON_NAME:
            if (val.tag != BER_UNIV(BER_PRINTABLE_STRING))
                return ber_fail(c, val.start, X400MS_EPROTO, "ORAddress.common-name", "wrong tag");
            rc = mhs_get_str(c, &val, "ORAddress.common-name", BER_PRINTABLE_STRING, 1,
                             OR_UB_COMMON_NAME, &a->common_name);
            break;
        case OR_EXT_UNFORMATTED_POSTAL_ADDRESS:
            rc = decode_postal(c, &val, a);
            break;
        case OR_EXT_TERMINAL_TYPE: {
            int64_t tt;

            if (val.tag != BER_UNIV(BER_INTEGER))
                return ber_fail(c, val.start, X400MS_EPROTO, "ORAddress.terminal-type", "wrong tag");
            rc = ber_get_int64(c, &val, "ORAddress.terminal-type", &tt);
            if (rc == 0 && (tt < 0 || tt > 256))
                rc = ber_fail(c, val.start, X400MS_EPROTO, "ORAddress.terminal-type",
                              "value out of range");
            a->terminal_type = (int)tt;
            break;
        }
        default:
            break; /* kept in ext_raw */
        }
        if (rc < 0)
            return rc;
    }
    if (rc == 0 && n == 0)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "empty list");
    return rc;
}

/* The ORAddress components inside an already entered SEQUENCE; with_dn
 * accepts ORName's [0] directory-name. */
static int decode_components(struct ber_ctx *c, struct ber_iter *it, const struct ber_tlv *outer,
                             struct or_address *a, bool with_dn, const char *type)
{
    struct ber_tlv m, in;
    int rc;

    or_address_init(a);
    if ((rc = ber_expect(it, BER_UNIV(BER_SEQUENCE), &m, "ORAddress.built-in-standard-attributes")) < 0 ||
        (rc = decode_standard(c, &m, a)) < 0)
        return rc;
    if ((rc = ber_optional(it, BER_UNIV(BER_SEQUENCE), &m)) < 0)
        return rc;
    if (rc == 1 && (rc = decode_dda(c, &m, a)) < 0)
        return rc;
    if ((rc = ber_optional(it, BER_UNIV(BER_SET), &m)) < 0)
        return rc;
    if (rc == 1 && (rc = decode_extensions(c, &m, a)) < 0)
        return rc;
    if (with_dn) {
        if ((rc = ber_optional(it, BER_CTX(0), &m)) < 0)
            return rc;
        if (rc == 1) {
            /* directory-name [0] Name: Name is a CHOICE, so the tag is explicit. */
            if ((rc = ber_explicit(c, &m, &in, "ORName.directory-name")) < 0)
                return rc;
            a->dn_raw = ber_tlv_whole(&in);
        }
    }
    (void)outer;
    return ber_end(it, type);
}

int or_name_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct or_address *a,
                       const char *type)
{
    struct ber_iter it;
    int rc = ber_enter(c, t, &it, type ? type : "ORName");

    return rc < 0 ? rc : decode_components(c, &it, t, a, true, type ? type : "ORName");
}

int or_address_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct or_address *a,
                          const char *type)
{
    struct ber_iter it;
    int rc = ber_enter(c, t, &it, type ? type : "ORAddress");

    return rc < 0 ? rc : decode_components(c, &it, t, a, false, type ? type : "ORAddress");
}

static int name_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    if (t->tag != BER_APP(0))
        return ber_fail(c, t->start, X400MS_EPROTO, "ORName", "wrong tag");
    return or_name_decode_tlv(c, t, out, "ORName");
}

static int address_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    if (t->tag != BER_UNIV(BER_SEQUENCE))
        return ber_fail(c, t->start, X400MS_EPROTO, "ORAddress", "wrong tag");
    return or_address_decode_tlv(c, t, out, "ORAddress");
}

int or_name_decode(struct ber_slice in, struct or_address *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "ORName", name_top, a);
}

int or_address_decode(struct ber_slice in, struct or_address *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "ORAddress", address_top, a);
}

/* ---- encode ------------------------------------------------------------ */

static int put_ext_attr_begin(struct ber_writer *w, ber_mark_t *m)
{
    *m = ber_mark(w);
    return 0;
}

/* Wraps the value pushed since m into SEQUENCE { [0] type, [1] value }. */
static int put_ext_attr_end(struct ber_writer *w, ber_mark_t m, int type)
{
    ber_wrap(w, m, BER_CTX(1), true);
    ber_put_int64(w, BER_CTX(0), type);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}

static int put_extensions(struct ber_writer *w, const struct or_address *a)
{
    ber_mark_t set, m;

    if (a->ext_raw.len)
        return mhs_put_slice(w, a->ext_raw);
    if (!mhs_str_present(&a->common_name) && a->terminal_type < 0 && a->n_postal == 0 &&
        !mhs_str_present(&a->postal_teletex))
        return 0;
    set = ber_mark(w);
    /* SET OF in ascending type order: 23, 16, 1 pushed backwards. */
    if (a->terminal_type >= 0) {
        put_ext_attr_begin(w, &m);
        ber_put_int64(w, BER_UNIV(BER_INTEGER), a->terminal_type);
        put_ext_attr_end(w, m, OR_EXT_TERMINAL_TYPE);
    }
    if (a->n_postal || mhs_str_present(&a->postal_teletex)) {
        ber_mark_t pset;

        put_ext_attr_begin(w, &m);
        pset = ber_mark(w);
        if (mhs_str_present(&a->postal_teletex))
            ber_put_octets(w, BER_UNIV(BER_TELETEX_STRING), a->postal_teletex.ptr,
                           a->postal_teletex.len);
        if (a->n_postal) {
            ber_mark_t seq = ber_mark(w);

            for (int i = a->n_postal - 1; i >= 0; i--)
                ber_put_octets(w, BER_UNIV(BER_PRINTABLE_STRING), a->postal[i].ptr,
                               a->postal[i].len);
            ber_wrap(w, seq, BER_UNIV(BER_SEQUENCE), true);
        }
        ber_wrap(w, pset, BER_UNIV(BER_SET), true);
        put_ext_attr_end(w, m, OR_EXT_UNFORMATTED_POSTAL_ADDRESS);
    }
    if (mhs_str_present(&a->common_name)) {
        put_ext_attr_begin(w, &m);
        ber_put_octets(w, BER_UNIV(BER_PRINTABLE_STRING), a->common_name.ptr, a->common_name.len);
        put_ext_attr_end(w, m, OR_EXT_COMMON_NAME);
    }
    return ber_wrap(w, set, BER_UNIV(BER_SET), true);
}

static int put_components(struct ber_writer *w, const struct or_address *a, bool with_dn)
{
    ber_mark_t m;

    if (a->n_ou > OR_UB_ORGANIZATIONAL_UNITS || a->n_dda > OR_UB_DOMAIN_DEFINED_ATTRIBUTES ||
        a->n_postal > OR_UB_PDS_ADDRESS_LINES ||
        (!mhs_str_present(&a->surname) && (mhs_str_present(&a->given) ||
                                           mhs_str_present(&a->initials) ||
                                           mhs_str_present(&a->generation))))
        return w->error ? w->error : (w->error = X400MS_EINVAL);
    if (with_dn && a->dn_raw.len) {
        m = ber_mark(w);
        mhs_put_slice(w, a->dn_raw);
        ber_wrap(w, m, BER_CTX(0), true);
    }
    put_extensions(w, a);
    if (a->n_dda) {
        ber_mark_t seq = ber_mark(w);

        for (int i = a->n_dda - 1; i >= 0; i--) {
            m = ber_mark(w);
            mhs_put_str(w, BER_UNIV(BER_PRINTABLE_STRING), &a->dda[i].value);
            mhs_put_str(w, BER_UNIV(BER_PRINTABLE_STRING), &a->dda[i].type);
            ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
        }
        ber_wrap(w, seq, BER_UNIV(BER_SEQUENCE), true);
    }
    /* BuiltInStandardAttributes, last member first. */
    {
        ber_mark_t std = ber_mark(w);

        if (a->n_ou) {
            m = ber_mark(w);
            for (int i = a->n_ou - 1; i >= 0; i--)
                mhs_put_str(w, BER_UNIV(BER_PRINTABLE_STRING), &a->ou[i]);
            ber_wrap(w, m, BER_CTX(6), true);
        }
        if (mhs_str_present(&a->surname)) {
            m = ber_mark(w);
            if (mhs_str_present(&a->generation))
                mhs_put_str(w, BER_CTX(3), &a->generation);
            if (mhs_str_present(&a->initials))
                mhs_put_str(w, BER_CTX(2), &a->initials);
            if (mhs_str_present(&a->given))
                mhs_put_str(w, BER_CTX(1), &a->given);
            mhs_put_str(w, BER_CTX(0), &a->surname);
            ber_wrap(w, m, BER_CTX(5), true);
        }
        if (mhs_str_present(&a->numeric_user_id))
            mhs_put_str(w, BER_CTX(4), &a->numeric_user_id);
        if (mhs_str_present(&a->org))
            mhs_put_str(w, BER_CTX(3), &a->org);
        if (mhs_str_present(&a->prmd)) {
            m = ber_mark(w);
            mhs_put_str(w, 0, &a->prmd);
            ber_wrap(w, m, BER_CTX(2), true);
        }
        if (mhs_str_present(&a->terminal_id))
            mhs_put_str(w, BER_CTX(1), &a->terminal_id);
        if (mhs_str_present(&a->x121))
            mhs_put_str(w, BER_CTX(0), &a->x121);
        if (mhs_str_present(&a->admd)) {
            m = ber_mark(w);
            mhs_put_str(w, 0, &a->admd);
            ber_wrap(w, m, BER_APP(2), true);
        }
        if (mhs_str_present(&a->country)) {
            m = ber_mark(w);
            mhs_put_str(w, 0, &a->country);
            ber_wrap(w, m, BER_APP(1), true);
        }
        return ber_wrap(w, std, BER_UNIV(BER_SEQUENCE), true);
    }
}

int or_name_encode(struct ber_writer *w, ber_tag_t tag, const struct or_address *a)
{
    ber_mark_t m = ber_mark(w);

    put_components(w, a, true);
    return ber_wrap(w, m, tag, true);
}

int or_address_encode(struct ber_writer *w, const struct or_address *a)
{
    ber_mark_t m = ber_mark(w);

    put_components(w, a, false);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}
