/* modules/protocol/p3/mtsutil.c: see mtsutil.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/ipms.h"
#include "modules/protocol/p3/mtsutil.h"

int mtsu_content_type_text(const struct mts_content_type *ct, char *buf, size_t size)
{
    if (!ct->present) {
        if (size > 0)
            buf[0] = '\0';
        return 0;
    }
    if (ct->builtin) {
        int n = snprintf(buf, size, "%d", (int)ct->builtin_value);
        return n < 0 || (size_t)n >= size ? X400MS_ELIMIT : n;
    }
    return ber_oid_to_text(ct->oid, buf, size);
}

bool mtsu_content_is_ipm(const struct mts_content_type *ct)
{
    if (!ct->present)
        return false;
    if (ct->builtin)
        return ct->builtin_value == MTS_CONTENT_P22_1988 || ct->builtin_value == MTS_CONTENT_P2_1984;
    char text[64];
    if (ber_oid_to_text(ct->oid, text, sizeof text) < 0)
        return false;
    /* id-mct-p2-1984 2.6.1.10.0, id-mct-p22-1988 2.6.1.10.1 (X.420 annex) */
    return strcmp(text, "2.6.1.10.0") == 0 || strcmp(text, "2.6.1.10.1") == 0;
}

static void subject_copy(const struct mhs_octets *o, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    if (o->bytes.len > 0) {
        n = o->bytes.len < size - 1 ? o->bytes.len : size - 1;
        memcpy(buf, o->bytes.ptr, n);
        buf[n] = '\0';
    } else if (o->str.nbytes > 0) {
        if (ber_str_copy(&o->str, buf, size, &n) < 0)
            buf[0] = '\0';
    }
    /* Teletex text is not UTF-8: keep printable ASCII, replace the rest, so
     * the index holds valid UTF-8 and a Teletex subject still matches. */
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            *p = '?';
}

void mtsu_ipm_attrs(const struct mts_content_type *ct, struct ber_slice content,
                    struct x400ms_store_attrs *attrs, struct mtsu_attr_buf *buf)
{
    attrs->importance = X400MS_IPM_ABSENT;
    attrs->sensitivity = X400MS_IPM_ABSENT;
    attrs->precedence = X400MS_PRECEDENCE_ABSENT;
    if (!mtsu_content_is_ipm(ct) || content.len == 0)
        return;
    struct ipms_object obj;
    struct ber_error berr = { 0 };
    if (ipms_object_decode(content, &obj, &berr) < 0 || obj.kind != IPMS_OBJ_IPM)
        return;
    const struct ipm_heading *h = &obj.ipm.heading;
    if (h->has_subject) {
        subject_copy(&h->subject, buf->subject, sizeof buf->subject);
        attrs->subject = buf->subject;
    }
    attrs->importance = (uint8_t)h->importance; /* X.420 ImportanceField, DEFAULT normal */
    if (h->sensitivity > 0)
        attrs->sensitivity = (uint8_t)h->sensitivity;
    if (h->primary_precedence >= 0 && h->primary_precedence <= 127)
        attrs->precedence = (int16_t)h->primary_precedence;
}

int mtsu_encode_identifier(const struct mts_identifier *id, uint8_t *buf, size_t size)
{
    struct ber_writer w;
    ber_writer_init_fixed(&w, buf, size);
    int rc = mts_identifier_encode(&w, BER_APP(4), id);
    if (rc < 0)
        return rc;
    /* the fixed writer builds at the end of buf: move it to the start */
    size_t n = ber_writer_len(&w);
    memmove(buf, ber_writer_data(&w), n);
    return (int)n;
}

static int address_text(const struct or_address *a, char *buf, size_t size)
{
    int rc = or_address_format(a, OR_TEXT_SLASH, buf, size);
    if (rc < 0)
        buf[0] = '\0';
    return rc;
}

int mtsu_delivery_attrs(const struct mts_delivery_arg *a, struct ber_slice content,
                        struct x400ms_store_attrs *attrs, struct mtsu_attr_buf *buf,
                        struct x400ms_error *err)
{
    memset(attrs, 0, sizeof *attrs);
    attrs->entry_type = X400MS_ENTRY_DELIVERED_MESSAGE;
    attrs->priority = (uint8_t)(a->priority >= 0 && a->priority <= 2 ? a->priority : 0);
    attrs->content_length = content.len;
    if (mtsu_content_type_text(&a->content_type, buf->content_type, sizeof buf->content_type) > 0)
        attrs->content_type = buf->content_type;
    attrs->delivery_time = a->delivery_time.present ? (int64_t)a->delivery_time.sec
                                                    : (int64_t)time(NULL);
    if (address_text(&a->originator_name, buf->originator, sizeof buf->originator) > 0)
        attrs->originator = buf->originator;
    if (address_text(&a->this_recipient_name, buf->this_recipient, sizeof buf->this_recipient) > 0)
        attrs->this_recipient = buf->this_recipient;
    int n = mtsu_encode_identifier(&a->delivery_identifier, buf->mts_id, sizeof buf->mts_id);
    if (n < 0)
        return x400ms_error_set(err, n, "message-delivery-identifier does not encode");
    attrs->mts_id = buf->mts_id;
    attrs->mts_id_len = (size_t)n;
    mtsu_ipm_attrs(&a->content_type, content, attrs, buf);
    return 0;
}

int mtsu_report_attrs(const struct mts_report_delivery_arg *a, int64_t now,
                      struct x400ms_store_attrs *attrs, struct mtsu_attr_buf *buf,
                      struct x400ms_error *err)
{
    memset(attrs, 0, sizeof *attrs);
    attrs->entry_type = X400MS_ENTRY_DELIVERED_REPORT;
    attrs->priority = X400MS_PRIORITY_NORMAL;
    attrs->importance = X400MS_IPM_ABSENT;
    attrs->sensitivity = X400MS_IPM_ABSENT;
    attrs->precedence = X400MS_PRECEDENCE_ABSENT;
    attrs->delivery_time = now;
    if (a->content_type.present &&
        mtsu_content_type_text(&a->content_type, buf->content_type, sizeof buf->content_type) > 0)
        attrs->content_type = buf->content_type;
    if (a->has_returned_content)
        attrs->content_length = a->returned_content.bytes.len ? a->returned_content.bytes.len
                                                              : a->returned_content.str.nbytes;
    /* message-delivery-identifier of a report entry: the subject
     * submission's identifier, which is what the originator matches on */
    int n = mtsu_encode_identifier(&a->subject_submission_identifier, buf->mts_id,
                                   sizeof buf->mts_id);
    if (n < 0)
        return x400ms_error_set(err, n, "subject-submission-identifier does not encode");
    attrs->mts_id = buf->mts_id;
    attrs->mts_id_len = (size_t)n;
    return 0;
}

int mtsu_split_delivery(struct ber_slice arg, struct ber_writer *w, struct ber_slice *content_r,
                        uint8_t **copy_r, struct x400ms_error *err)
{
    struct ber_error berr = { 0 };
    struct ber_ctx c;
    struct ber_tlv top, t, last = { 0 };
    struct ber_iter it;
    const uint8_t *first = NULL;
    *copy_r = NULL;
    ber_ctx_init(&c, arg.ptr, arg.len, &berr);
    int rc = ber_decode_top(&c, &top, "MessageDeliveryArgument");
    if (rc >= 0)
        rc = ber_enter(&c, &top, &it, "MessageDeliveryArgument");
    while (rc >= 0 && (rc = ber_next(&it, &t)) > 0) {
        if (first == NULL)
            first = t.start;
        last = t;
    }
    if (rc < 0)
        return ber_error_to_x400ms(&berr, err, "MessageDeliveryArgument");
    if (first == NULL || last.tag != BER_UNIV(BER_OCTET_STRING))
        return x400ms_error_set(err, X400MS_EPROTO, "MessageDeliveryArgument: no content");
    /* X.413 MessageDeliveryEnvelope: the same SEQUENCE without the content */
    ber_mark_t m = ber_mark(w);
    if (last.start > first)
        ber_put_raw(w, first, (size_t)(last.start - first));
    if ((rc = ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true)) < 0)
        return x400ms_error_set(err, rc, "MessageDeliveryEnvelope does not encode");
    if (!last.constructed) {
        *content_r = ber_tlv_contents(&last);
        return 0;
    }
    struct ber_str s;
    if ((rc = ber_get_str(&c, &last, "Content", BER_OCTET_STRING, &s)) < 0)
        return ber_error_to_x400ms(&berr, err, "Content");
    uint8_t *copy = malloc(s.nbytes + 1);
    size_t n = 0;
    if (copy == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    if ((rc = ber_str_copy(&s, copy, s.nbytes + 1, &n)) < 0) {
        free(copy);
        return x400ms_error_set(err, rc, "Content: segments do not copy");
    }
    *copy_r = copy;
    *content_r = ber_slice_make(copy, n);
    return 0;
}

/* One mailbox whose address matches, found by visiting all of them. */
struct match_ctx {
    const struct or_address *addr;
    char *name;
    bool found;
};

static int match_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct match_ctx *mc = arg;
    if (info->or_address == NULL || info->or_address[0] == '\0')
        return 0;
    struct or_address a;
    struct x400ms_error e;
    if (or_address_parse(info->or_address, strlen(info->or_address), &a, &e) < 0)
        return 0;
    if (!or_address_match(&a, mc->addr))
        return 0;
    snprintf(mc->name, X400MS_STORE_NAME_MAX + 1, "%s", info->name);
    mc->found = true;
    return 1;
}

static int name_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct match_ctx *mc = arg;
    snprintf(mc->name, X400MS_STORE_NAME_MAX + 1, "%s", info->name);
    mc->found = true;
    return 1;
}

int mtsu_find_mailbox(const struct x400ms_store_ops *store, void *store_ctx,
                      const struct or_address *addr, char *name, struct x400ms_error *err)
{
    struct match_ctx mc = { addr, name, false };
    char text[X400MS_STORE_ADDRESS_MAX];
    static const enum or_text_syntax forms[] = { OR_TEXT_SLASH, OR_TEXT_RFC1685 };
    for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
        if (or_address_format(addr, forms[k], text, sizeof text) <= 0)
            continue;
        struct x400ms_error e;
        int rc = store->mailbox_get(store_ctx, NULL, text, name_visit, &mc, &e);
        if (mc.found)
            return 0;
        if (rc < 0 && rc != X400MS_ENOENT)
            return x400ms_error_set(err, rc, "%s", e.message);
    }
    int rc = store->mailbox_list(store_ctx, match_visit, &mc, err);
    if (mc.found)
        return 0;
    if (rc < 0)
        return rc;
    if (or_address_format(addr, OR_TEXT_SLASH, text, sizeof text) < 0)
        snprintf(text, sizeof text, "(unprintable O/R address)");
    return x400ms_error_set(err, X400MS_ENOENT, "no mailbox has the O/R address %s", text);
}

struct names_ctx {
    char (*names)[X400MS_STORE_NAME_MAX + 1];
    size_t n, cap;
};

static int names_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct names_ctx *nc = arg;
    if (nc->n == nc->cap) {
        size_t cap = nc->cap ? nc->cap * 2 : 64;
        void *p = realloc(nc->names, cap * sizeof *nc->names);
        if (p == NULL)
            return X400MS_ENOMEM;
        nc->names = p;
        nc->cap = cap;
    }
    snprintf(nc->names[nc->n++], X400MS_STORE_NAME_MAX + 1, "%s", info->name);
    return 0;
}

static int hit_visit(void *arg, const struct x400ms_store_attrs *attrs)
{
    (void)arg;
    (void)attrs;
    return 1;
}

int mtsu_find_report_mailbox(const struct x400ms_store_ops *store, void *store_ctx,
                             const struct x400ms_store_selector *sel, char *name,
                             struct x400ms_error *err)
{
    /* The names first: the store holds a mailbox's lock while visiting it,
     * so opening a mailbox from the visitor could deadlock. */
    struct names_ctx nc = { NULL, 0, 0 };
    int rc = store->mailbox_list(store_ctx, names_visit, &nc, err);
    if (rc < 0) {
        free(nc.names);
        return rc;
    }
    for (size_t i = 0; i < nc.n; i++) {
        struct x400ms_store_mailbox *mb;
        struct x400ms_error e;
        if (store->mailbox_open(store_ctx, nc.names[i], &mb, &e) < 0)
            continue;
        rc = store->select(mb, X400MS_STORE_OUTBOX, sel, hit_visit, NULL, NULL, &e);
        store->mailbox_close(mb);
        if (rc == 1) {
            snprintf(name, X400MS_STORE_NAME_MAX + 1, "%s", nc.names[i]);
            free(nc.names);
            return 0;
        }
    }
    free(nc.names);
    return x400ms_error_set(err, X400MS_ENOENT, "no Out Box holds the subject submission");
}
