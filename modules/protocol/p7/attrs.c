/* The MS attributes P7 serves (X.413 12.2 MSGeneralAttributeTypes and the
 * X.420 heading attributes the store indexes), their value encodings, and
 * the translation of an X.413 Selector/Filter into the store's selector. */
#define X400MS_LOG_MODULE "p7"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/orname.h"
#include "modules/protocol/p7/p7.h"
#include "x400ms/log.h"

/* One row per attribute; a table because the standard is one (STYLE.md). */
struct p7_attr p7_attrs[] = {
    { "child-sequence-numbers", "2.6.4.3.0", X400MS_ATTR_CHILDREN, P7_SYN_INTEGER, true, false, true, {0}, 0 },
    { "content", "2.6.4.3.1", 0, P7_SYN_CONTENT, false, false, false, {0}, 0 },
    { "content-length", "2.6.4.3.6", X400MS_ATTR_CONTENT_LENGTH, P7_SYN_INTEGER, false, false, true, {0}, 0 },
    { "content-type", "2.6.4.3.8", X400MS_ATTR_CONTENT_TYPE, P7_SYN_CONTENT_TYPE, false, false, true, {0}, 0 },
    { "creation-time", "2.6.4.3.11", X400MS_ATTR_CREATION_TIME, P7_SYN_UTCTIME, false, false, true, {0}, 0 },
    { "retrieval-status", "2.6.4.3.15", X400MS_ATTR_STATUS, P7_SYN_INTEGER, false, true, true, {0}, 0 },
    { "entry-type", "2.6.4.3.16", X400MS_ATTR_ENTRY_TYPE, P7_SYN_INTEGER, false, true, true, {0}, 0 },
    { "message-delivery-envelope", "2.6.4.3.18", 0, P7_SYN_ENVELOPE, false, false, false, {0}, 0 },
    { "message-identifier", "2.6.4.3.19", X400MS_ATTR_MTS_ID, P7_SYN_MTS_ID, false, false, true, {0}, 0 },
    { "message-delivery-time", "2.6.4.3.20", X400MS_ATTR_DELIVERY_TIME, P7_SYN_UTCTIME, false, false, true, {0}, 0 },
    { "message-submission-time", "2.6.4.3.23", X400MS_ATTR_DELIVERY_TIME, P7_SYN_UTCTIME, false, false, true, {0}, 0 },
    { "originator-name", "2.6.4.3.27", X400MS_ATTR_ORIGINATOR, P7_SYN_ORNAME, false, false, true, {0}, 0 },
    { "parent-sequence-number", "2.6.4.3.29", X400MS_ATTR_PARENT_SEQ, P7_SYN_INTEGER, false, false, true, {0}, 0 },
    { "priority", "2.6.4.3.31", X400MS_ATTR_PRIORITY, P7_SYN_PRIORITY, false, true, true, {0}, 0 },
    { "sequence-number", "2.6.4.3.39", X400MS_ATTR_SEQ, P7_SYN_INTEGER, false, false, true, {0}, 0 },
    { "this-recipient-name", "2.6.4.3.41", X400MS_ATTR_THIS_RECIPIENT, P7_SYN_ORNAME, false, false, true, {0}, 0 },
    { "ipm-originator", "2.6.1.7.2", X400MS_ATTR_ORIGINATOR, P7_SYN_ORDESCRIPTOR, false, false, true, {0}, 0 },
    { "subject", "2.6.1.7.4", X400MS_ATTR_SUBJECT, P7_SYN_TELETEX, false, false, true, {0}, 0 },
    { "importance", "2.6.1.7.7", X400MS_ATTR_IMPORTANCE, P7_SYN_ENUM, false, true, true, {0}, 0 },
    { "sensitivity", "2.6.1.7.8", X400MS_ATTR_SENSITIVITY, P7_SYN_ENUM, false, true, true, {0}, 0 },
    { "precedence", "2.6.1.7.37", X400MS_ATTR_PRECEDENCE, P7_SYN_INTEGER, false, true, true, {0}, 0 },
};
const size_t p7_attr_count = sizeof p7_attrs / sizeof p7_attrs[0];

int p7_attrs_init(void)
{
    for (size_t i = 0; i < p7_attr_count; i++) {
        if (p7_attrs[i].enc_len != 0)
            continue;
        int n = ber_oid_from_text(p7_attrs[i].oid, p7_attrs[i].enc, sizeof p7_attrs[i].enc);
        if (n < 0)
            return n;
        p7_attrs[i].enc_len = (size_t)n;
    }
    return 0;
}

int p7_attr_find(struct ber_slice oid)
{
    for (size_t i = 0; i < p7_attr_count; i++)
        if (p7_attrs[i].enc_len == oid.len && memcmp(p7_attrs[i].enc, oid.ptr, oid.len) == 0)
            return (int)i;
    return -1;
}

/* The two delivery/submission time attributes share the index field: each
 * is present only in its own box. */
static bool time_attr_applies(int idx, enum x400ms_store_box box)
{
    const char *oid = p7_attrs[idx].oid;
    if (strcmp(oid, "2.6.4.3.20") == 0)
        return box == X400MS_STORE_INBOX;
    if (strcmp(oid, "2.6.4.3.23") == 0)
        return box == X400MS_STORE_OUTBOX;
    return true;
}

/* The last O/R names encoded on this (loop) thread: a List page repeats the
 * same few originators and recipients, and parsing the text form each time
 * was most of the attribute encoding's cost. */
#define ORNAME_MEMO 8
#define ORNAME_MEMO_TEXT 256
#define ORNAME_MEMO_BER 768
struct orname_memo {
    char text[ORNAME_MEMO_TEXT];
    uint8_t ber[ORNAME_MEMO_BER];
    size_t len;                   /* 0: unused */
};
static __thread struct orname_memo ornames[ORNAME_MEMO];
static __thread unsigned ornames_next;

static int push_orname_text(struct ber_writer *w, const char *text)
{
    size_t text_len = strlen(text);
    bool memoable = text_len < ORNAME_MEMO_TEXT;
    if (memoable)
        for (size_t i = 0; i < ORNAME_MEMO; i++)
            if (ornames[i].len > 0 && strcmp(ornames[i].text, text) == 0)
                return ber_put_raw(w, ornames[i].ber, ornames[i].len) < 0 ? w->error : 1;
    struct or_address a;
    struct x400ms_error err;
    if (or_address_parse(text, text_len, &a, &err) < 0)
        return 0; /* not a valid address text: the attribute is left out */
    size_t before = ber_writer_len(w);
    if (or_name_encode(w, BER_APP(0), &a) < 0)
        return w->error;
    size_t len = ber_writer_len(w) - before;
    if (memoable && len <= ORNAME_MEMO_BER) {
        /* the backwards writer's newest bytes are at its front */
        struct orname_memo *m = &ornames[ornames_next++ % ORNAME_MEMO];
        memcpy(m->text, text, text_len + 1);
        memcpy(m->ber, ber_writer_data(w), len);
        m->len = len;
    }
    return 1;
}

/* The content-type attribute holds an OBJECT IDENTIFIER (X.413
 * MSGeneralAttributeTypes; Wireshark dissects it so): a built-in X.411
 * content type is given as the OID of the same content (P2 1984 = 2,
 * P22 1988 = 22); other built-in types have none and are left out. */
static const char *content_type_oid(const char *text)
{
    if (strchr(text, '.') != NULL)
        return text;
    if (strcmp(text, "2") == 0)
        return "2.6.1.10.0";
    if (strcmp(text, "22") == 0)
        return "2.6.1.10.1";
    return NULL;
}

static int push_content_type(struct ber_writer *w, const char *text)
{
    /* the two built-in P2 contents, encoded once */
    static const uint8_t p2_84[] = { 0x56, 0x01, 0x0a, 0x00 }; /* 2.6.1.10.0 */
    static const uint8_t p2_88[] = { 0x56, 0x01, 0x0a, 0x01 }; /* 2.6.1.10.1 */
    const char *oid = content_type_oid(text);
    if (oid == NULL)
        return 0;
    if (strcmp(oid, "2.6.1.10.1") == 0)
        return ber_put_oid(w, BER_UNIV(BER_OID), ber_slice_make(p2_88, sizeof p2_88)) < 0 ? w->error : 1;
    if (strcmp(oid, "2.6.1.10.0") == 0)
        return ber_put_oid(w, BER_UNIV(BER_OID), ber_slice_make(p2_84, sizeof p2_84)) < 0 ? w->error : 1;
    return ber_put_oid_text(w, BER_UNIV(BER_OID), oid) < 0 ? w->error : 1;
}

/* Pushes the value(s) of attribute idx, last value first. Returns the number
 * of values pushed (0: absent), or < 0. */
static int push_values(struct ber_writer *w, int idx, enum x400ms_store_box box,
                       const struct x400ms_store_attrs *a, const struct x400ms_store_entry *entry)
{
    const struct p7_attr *d = &p7_attrs[idx];
    if (!time_attr_applies(idx, box))
        return 0;
    int64_t iv;
    const char *sv;
    switch (d->id) {
    case X400MS_ATTR_CHILDREN:
        for (size_t i = a->n_children; i-- > 0;)
            ber_put_int64(w, BER_UNIV(BER_INTEGER), a->children[i]);
        return w->error ? w->error : (int)a->n_children;
    case X400MS_ATTR_SEQ: iv = a->seq; break;
    case X400MS_ATTR_PARENT_SEQ:
        if (a->parent_seq == 0)
            return 0;
        iv = a->parent_seq;
        break;
    case X400MS_ATTR_ENTRY_TYPE: iv = a->entry_type; break;
    case X400MS_ATTR_STATUS: iv = a->status; break;
    case X400MS_ATTR_PRIORITY: iv = a->priority; break;
    case X400MS_ATTR_IMPORTANCE:
        if (a->importance == X400MS_IPM_ABSENT)
            return 0;
        iv = a->importance;
        break;
    case X400MS_ATTR_SENSITIVITY:
        if (a->sensitivity == X400MS_IPM_ABSENT)
            return 0;
        iv = a->sensitivity;
        break;
    case X400MS_ATTR_PRECEDENCE:
        if (a->precedence == X400MS_PRECEDENCE_ABSENT)
            return 0;
        iv = a->precedence;
        break;
    case X400MS_ATTR_CONTENT_LENGTH: iv = (int64_t)a->content_length; break;
    case X400MS_ATTR_CREATION_TIME: iv = a->creation_time; break;
    case X400MS_ATTR_DELIVERY_TIME:
        if (a->delivery_time == 0)
            return 0;
        iv = a->delivery_time;
        break;
    case X400MS_ATTR_CONTENT_TYPE: sv = a->content_type; goto string;
    case X400MS_ATTR_ORIGINATOR: sv = a->originator; goto string;
    case X400MS_ATTR_THIS_RECIPIENT: sv = a->this_recipient; goto string;
    case X400MS_ATTR_SUBJECT: sv = a->subject; goto string;
    case X400MS_ATTR_MTS_ID:
        if (a->mts_id == NULL || a->mts_id_len == 0)
            return 0;
        return ber_put_raw(w, a->mts_id, a->mts_id_len) < 0 ? w->error : 1;
    default:
        /* not in the index: content and envelope come from the entry */
        if (entry == NULL)
            return 0;
        if (d->syntax == P7_SYN_CONTENT) {
            if (entry->content == NULL)
                return 0;
            return ber_put_octets(w, BER_UNIV(BER_OCTET_STRING), entry->content,
                                  entry->content_len) < 0 ? w->error : 1;
        }
        if (d->syntax == P7_SYN_ENVELOPE) {
            if (entry->envelope == NULL || entry->envelope_len == 0 || box != X400MS_STORE_INBOX)
                return 0;
            return ber_put_raw(w, entry->envelope, entry->envelope_len) < 0 ? w->error : 1;
        }
        return 0;
    }
    /* integer-like */
    switch (d->syntax) {
    case P7_SYN_UTCTIME:
        return ber_put_utctime(w, BER_UNIV(BER_UTC_TIME), (time_t)iv) < 0 ? 0 : 1;
    case P7_SYN_ENUM:
        return ber_put_enum(w, BER_UNIV(BER_ENUMERATED), iv) < 0 ? w->error : 1;
    case P7_SYN_PRIORITY:
        /* X.411 Priority ::= [APPLICATION 7] ENUMERATED (IMPLICIT module) */
        return ber_put_enum(w, BER_APP(7), iv) < 0 ? w->error : 1;
    default:
        return ber_put_int64(w, BER_UNIV(BER_INTEGER), iv) < 0 ? w->error : 1;
    }
string:
    if (sv == NULL || sv[0] == '\0')
        return 0;
    switch (d->syntax) {
    case P7_SYN_ORNAME:
        return push_orname_text(w, sv);
    case P7_SYN_ORDESCRIPTOR: {
        /* X.420 ORDescriptor ::= SET { formal-name ORName OPTIONAL, ... } */
        ber_mark_t m = ber_mark(w);
        int rc = push_orname_text(w, sv);
        if (rc <= 0)
            return rc;
        return ber_wrap(w, m, BER_UNIV(BER_SET), true) < 0 ? w->error : 1;
    }
    case P7_SYN_CONTENT_TYPE:
        return push_content_type(w, sv);
    default:
        /* X.420 (1988) SubjectField ::= TeletexString */
        return ber_put_octets(w, BER_UNIV(BER_TELETEX_STRING), sv, strlen(sv)) < 0 ? w->error : 1;
    }
}

int p7_attr_push_value(struct ber_writer *w, int idx, enum x400ms_store_box box,
                       const struct x400ms_store_attrs *attrs, const struct x400ms_store_entry *entry)
{
    int n = push_values(w, idx, box, attrs, entry);
    return n > 1 ? 1 : n;
}

int p7_attr_push(struct ber_writer *w, int idx, enum x400ms_store_box box,
                 const struct x400ms_store_attrs *attrs, const struct x400ms_store_entry *entry)
{
    ber_mark_t m = ber_mark(w);
    int n = push_values(w, idx, box, attrs, entry);
    if (n <= 0) {
        /* drop whatever a failed push left */
        w->len = m;
        return n;
    }
    /* Attribute ::= SEQUENCE { attribute-type, attribute-values SEQUENCE OF } */
    ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
    ber_put_oid(w, BER_UNIV(BER_OID), ber_slice_make(p7_attrs[idx].enc, p7_attrs[idx].enc_len));
    ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
    return w->error ? w->error : 1;
}

/* ---- Selector / Filter -> store selector ---- */

static char *arena_text(struct p7_filter_arena *ar, const void *p, size_t n)
{
    if (ar->n_text + n + 1 > sizeof ar->text)
        return NULL;
    char *out = ar->text + ar->n_text;
    memcpy(out, p, n);
    out[n] = '\0';
    ar->n_text += n + 1;
    return out;
}

static struct x400ms_store_filter *arena_node(struct p7_filter_arena *ar)
{
    if (ar->n_nodes >= P7_FILTER_NODES)
        return NULL;
    struct x400ms_store_filter *f = &ar->nodes[ar->n_nodes++];
    memset(f, 0, sizeof *f);
    return f;
}

/* Decodes an assertion value of attribute idx into the node: integers
 * (INTEGER / ENUMERATED / Priority / UTCTime as seconds) or text (strings,
 * O/R names as their text form). Returns 0 or < 0 (invalid value). */
static int assertion_value(struct p7_filter_arena *ar, int idx, struct ber_slice value,
                           struct x400ms_store_filter *f, const char **text_r)
{
    const struct p7_attr *d = &p7_attrs[idx];
    struct ber_error be;
    struct ber_ctx c;
    struct ber_tlv t;
    memset(&be, 0, sizeof be);
    ber_ctx_init(&c, value.ptr, value.len, &be);
    if (ber_decode_top(&c, &t, "AttributeValue") < 0)
        return X400MS_EPROTO;
    switch (d->syntax) {
    case P7_SYN_INTEGER:
    case P7_SYN_ENUM:
    case P7_SYN_PRIORITY:
        return ber_get_int64(&c, &t, "AttributeValue", &f->int_value);
    case P7_SYN_UTCTIME: {
        struct ber_time bt;
        int rc = t.tag == BER_UNIV(BER_GENERALIZED_TIME) ? ber_get_gentime(&c, &t, "time", &bt)
                                                          : ber_get_utctime(&c, &t, "time", &bt);
        f->int_value = bt.sec;
        return rc;
    }
    case P7_SYN_ORNAME:
    case P7_SYN_ORDESCRIPTOR: {
        struct ber_tlv in = t;
        if (d->syntax == P7_SYN_ORDESCRIPTOR) {
            struct ber_iter it;
            if (ber_enter(&c, &t, &it, "ORDescriptor") < 0 || ber_next(&it, &in) != 1)
                return X400MS_EPROTO;
        }
        struct or_address a;
        if (or_name_decode_tlv(&c, &in, &a, "ORName") < 0)
            return X400MS_EPROTO;
        char buf[X400MS_STORE_ADDRESS_MAX];
        if (or_address_format(&a, OR_TEXT_SLASH, buf, sizeof buf) < 0)
            return X400MS_EPROTO;
        *text_r = arena_text(ar, buf, strlen(buf));
        return *text_r ? 0 : X400MS_ELIMIT;
    }
    case P7_SYN_CONTENT_TYPE: {
        char buf[128];
        if (t.tag == BER_UNIV(BER_OID)) {
            struct ber_slice oid;
            if (ber_get_oid(&c, &t, "ContentType", &oid) < 0 || ber_oid_to_text(oid, buf, sizeof buf) < 0)
                return X400MS_EPROTO;
            /* the store keeps built-in types as their number */
            if (strcmp(buf, "2.6.1.10.0") == 0)
                snprintf(buf, sizeof buf, "2");
            else if (strcmp(buf, "2.6.1.10.1") == 0)
                snprintf(buf, sizeof buf, "22");
        } else {
            int64_t v;
            if (ber_get_int64(&c, &t, "ContentType", &v) < 0)
                return X400MS_EPROTO;
            snprintf(buf, sizeof buf, "%lld", (long long)v);
        }
        *text_r = arena_text(ar, buf, strlen(buf));
        return *text_r ? 0 : X400MS_ELIMIT;
    }
    case P7_SYN_MTS_ID:
        f->bytes = value.ptr;
        f->bytes_len = value.len;
        return 0;
    default: {
        /* a character string of any kind, or an X.420 UniversalOrBMPString
         * reduced to its octets */
        struct ber_str s;
        unsigned univ = BER_TAG_CLASS(t.tag) == BER_CLASS_UNIVERSAL ? BER_TAG_NUMBER(t.tag)
                                                                    : BER_OCTET_STRING;
        if (univ == BER_PRINTABLE_STRING || univ == BER_IA5_STRING || univ == BER_NUMERIC_STRING)
            univ = BER_OCTET_STRING; /* lenient: the store compares text */
        if (ber_get_str(&c, &t, "string", univ, &s) < 0)
            return X400MS_EPROTO;
        char buf[X400MS_STORE_SUBJECT_MAX + 1];
        size_t n;
        if (ber_str_copy(&s, buf, sizeof buf, &n) < 0)
            return X400MS_ELIMIT;
        *text_r = arena_text(ar, buf, n);
        return *text_r ? 0 : X400MS_ELIMIT;
    }
    }
}

static int filter_translate(struct p7_filter_arena *ar, struct ber_slice tlv, int depth,
                            struct x400ms_store_filter *out)
{
    struct ms_filter f;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (depth > MS_FILTER_MAX_DEPTH)
        return X400MS_ELIMIT;
    int rc = ms_filter_decode(tlv, &f, &be);
    if (rc < 0)
        return rc;
    if (f.kind == MS_FILTER_AND || f.kind == MS_FILTER_OR) {
        out->op = f.kind == MS_FILTER_AND ? X400MS_FILTER_AND : X400MS_FILTER_OR;
        size_t first = ar->n_nodes;
        if (ar->n_nodes + f.subfilters.count > P7_FILTER_NODES)
            return X400MS_ELIMIT;
        ar->n_nodes += f.subfilters.count; /* reserve contiguous children */
        struct mhs_seq_iter it;
        struct ber_tlv t;
        size_t i = 0;
        mhs_seq_iter_init(&it, &f.subfilters, &be);
        while ((rc = mhs_seq_iter_next(&it, &t)) == 1) {
            memset(&ar->nodes[first + i], 0, sizeof ar->nodes[0]);
            rc = filter_translate(ar, ber_tlv_whole(&t), depth + 1, &ar->nodes[first + i]);
            if (rc < 0)
                return rc;
            i++;
        }
        if (rc < 0)
            return rc;
        out->children = &ar->nodes[first];
        out->n_children = i;
        return 0;
    }
    if (f.kind == MS_FILTER_NOT) {
        struct x400ms_store_filter *child = arena_node(ar);
        if (child == NULL)
            return X400MS_ELIMIT;
        out->op = X400MS_FILTER_NOT;
        out->children = child;
        out->n_children = 1;
        return filter_translate(ar, f.sub, depth + 1, child);
    }
    /* FilterItem */
    struct ber_slice type = f.type;
    int idx = p7_attr_find(type);
    if (idx < 0 || p7_attrs[idx].id == 0) {
        ar->bad_attr = 1;
        ar->bad_type = type;
        ar->problem = idx < 0 ? 1 : 2; /* unavailable-attribute-type / inappropriate-matching */
        return X400MS_EINVAL;
    }
    out->attr = p7_attrs[idx].id;
    const char *text = NULL;
    switch (f.item) {
    case MS_FI_PRESENT:
        out->op = X400MS_FILTER_PRESENT;
        return 0;
    case MS_FI_EQUALITY: out->op = X400MS_FILTER_EQUAL; break;
    case MS_FI_GREATER_OR_EQUAL: out->op = X400MS_FILTER_GREATER_OR_EQUAL; break;
    case MS_FI_LESS_OR_EQUAL: out->op = X400MS_FILTER_LESS_OR_EQUAL; break;
    case MS_FI_APPROXIMATE_MATCH: out->op = X400MS_FILTER_APPROX; break;
    case MS_FI_SUBSTRINGS: {
        out->op = X400MS_FILTER_SUBSTRINGS;
        struct mhs_seq_iter it;
        struct ber_tlv t;
        mhs_seq_iter_init(&it, &f.substrings, &be);
        size_t any_first = ar->n_anys;
        while ((rc = mhs_seq_iter_next(&it, &t)) == 1) {
            /* [0] initial / [1] any / [2] final, EXPLICIT around the value */
            struct ber_tlv inner;
            if (ber_explicit(&it.ctx, &t, &inner, "substrings") < 0)
                return X400MS_EPROTO;
            struct x400ms_store_filter tmp;
            memset(&tmp, 0, sizeof tmp);
            const char *s = NULL;
            rc = assertion_value(ar, idx, ber_tlv_whole(&inner), &tmp, &s);
            if (rc < 0 || s == NULL)
                goto bad_value;
            switch (BER_TAG_NUMBER(t.tag)) {
            case 0: out->initial = s; break;
            case 2: out->final = s; break;
            default:
                if (ar->n_anys >= P7_FILTER_NODES)
                    return X400MS_ELIMIT;
                ar->anys[ar->n_anys++] = s;
                break;
            }
        }
        if (rc < 0)
            return rc;
        out->any = &ar->anys[any_first];
        out->n_any = ar->n_anys - any_first;
        return 0;
    }
    default:
        ar->bad_attr = 1;
        ar->bad_type = type;
        ar->problem = 2; /* inappropriate-matching: other-match not supported */
        return X400MS_EINVAL;
    }
    rc = assertion_value(ar, idx, f.value, out, &text);
    if (rc < 0)
        goto bad_value;
    out->str_value = text;
    return 0;
bad_value:
    ar->bad_attr = 1;
    ar->bad_type = type;
    ar->problem = 0; /* invalid-attribute-value */
    return X400MS_EINVAL;
}

int p7_selector_translate(const struct ms_selector *in, enum x400ms_store_box box,
                          struct p7_filter_arena *arena, struct x400ms_store_selector *out,
                          int *kind_r)
{
    (void)box;
    memset(out, 0, sizeof *out);
    arena->n_nodes = arena->n_text = arena->n_anys = 0;
    arena->bad_attr = -1;
    *kind_r = 0;
    out->include_children = in->child_entries;
    if (in->range == MS_RANGE_SEQUENCE_NUMBER) {
        if (in->has_from && in->has_to && in->from_seq > in->to_seq) {
            *kind_r = 2;
            return X400MS_EINVAL;
        }
        if (in->has_from)
            out->seq_from = (uint32_t)in->from_seq;
        out->seq_to = in->has_to ? (uint32_t)in->to_seq : 0;
        if (in->has_to && in->to_seq == 0) {
            /* "to 0" selects nothing; 0 means "no bound" to the store */
            out->seq_from = UINT32_MAX;
            out->seq_to = UINT32_MAX;
        }
    } else if (in->range == MS_RANGE_CREATION_TIME) {
        if (in->has_from && in->has_to && in->from_time.sec > in->to_time.sec) {
            *kind_r = 2;
            return X400MS_EINVAL;
        }
        if (in->has_from)
            out->time_from = in->from_time.sec;
        if (in->has_to)
            out->time_to = in->to_time.sec;
    }
    if (in->filter.len > 0) {
        struct x400ms_store_filter *root = arena_node(arena);
        if (root == NULL)
            return X400MS_ELIMIT;
        int rc = filter_translate(arena, in->filter, 0, root);
        if (rc < 0) {
            *kind_r = arena->bad_attr == 1 ? 1 : 3;
            return rc;
        }
        out->filter = root;
    }
    if (in->has_limit)
        out->limit = (size_t)in->limit;
    return 0;
}
