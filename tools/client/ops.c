/* The typed P7 operations of the client library: arguments built with the
 * X.413 codecs (asn1/ms.h), results decoded into plain structs. */
#define X400MS_LOG_MODULE "client"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/ms.h"
#include "asn1/orname.h"
#include "tools/client/client-ops.h"

static const char *const error_names[] = {
    [21] = "attribute-error", [22] = "auto-action-request-error", [23] = "delete-error",
    [24] = "fetch-restriction-error", [25] = "range-error", [26] = "security-error",
    [27] = "service-error", [28] = "sequence-number-error", [29] = "invalid-parameters-error",
    [30] = "message-group-error", [31] = "ms-extension-error", [32] = "register-ms-error",
    [33] = "modify-error", [34] = "entry-class-error", [12] = "security-error",
    /* X.411 errors of the submission operations (X.413 8.3 passes them on) */
    [1] = "submission-control-violated", [2] = "element-of-service-not-subscribed",
    [3] = "deferred-delivery-cancellation-rejected", [4] = "originator-invalid",
    [5] = "recipient-improperly-specified", [6] = "message-submission-identifier-invalid",
    [7] = "inconsistent-request", [9] = "unsupported-critical-function",
    [10] = "remote-bind-error",
};

const char *x400ms_client_error_name(int64_t errcode)
{
    if (errcode >= 0 && errcode < (int64_t)(sizeof error_names / sizeof error_names[0]) &&
        error_names[errcode] != NULL)
        return error_names[errcode];
    return "error";
}

/* Runs an operation; an abstract error becomes X400MS_EPERM with the error
 * remembered, a reject X400MS_EPROTO. On 0, out holds the result. */
int client_run(struct x400ms_client *c, int64_t opcode, struct ber_writer *w,
               struct x400ms_client_outcome *out, struct x400ms_error *err)
{
    if (w->error) {
        ber_writer_free(w);
        return x400ms_error_set(err, X400MS_EINVAL, "client: cannot encode the argument");
    }
    int rc = x400ms_client_invoke(c, opcode, ber_writer_data(w), ber_writer_len(w), out, err);
    ber_writer_free(w);
    if (rc < 0)
        return rc;
    if (out->kind == 1)
        return 0;
    if (out->kind == 3) {
        rc = x400ms_error_set(err, X400MS_EPROTO, "the MS rejected operation %lld (ROSE problem 0x%x)",
                              (long long)opcode, out->problem);
        x400ms_client_outcome_free(out);
        return rc;
    }
    /* kind 2: an X.413 abstract error */
    free(c->last_param);
    c->last_param = out->data;
    c->last_param_len = out->len;
    out->data = NULL;
    c->last_errcode = out->errcode;
    c->last_problem = -1;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ber_slice p = ber_slice_make(c->last_param, c->last_param_len);
    switch (out->errcode) {
    case MS_ERR_ATTRIBUTE: case MS_ERR_AUTO_ACTION_REQUEST: case MS_ERR_DELETE:
    case MS_ERR_FETCH_RESTRICTION: case MS_ERR_SEQUENCE_NUMBER: {
        struct ms_problem probs[8];
        struct ms_problem_error pe;
        memset(&pe, 0, sizeof pe);
        pe.code = (int)out->errcode;
        pe.problems = probs;
        pe.max_problems = 8;
        if (ms_problem_error_decode(p, &pe, &be) == 0 && pe.n_problems > 0)
            c->last_problem = probs[0].problem;
        break;
    }
    case MS_ERR_SECURITY: case MS_ERR_MTS_SECURITY: {
        struct ber_ctx bc;
        struct ber_tlv t;
        int64_t v;
        ber_ctx_init(&bc, p.ptr, p.len, &be);
        if (ber_decode_top(&bc, &t, "SecurityProblem") == 0 && ber_get_int64(&bc, &t, "x", &v) == 0)
            c->last_problem = v;
        break;
    }
    case MS_ERR_INVALID_PARAMETERS:
        break;
    default: {
        struct ms_simple_error se;
        memset(&se, 0, sizeof se);
        se.code = (int)out->errcode;
        if (ms_simple_error_decode(p, &se, &be) == 0)
            c->last_problem = out->errcode == MS_ERR_ENTRY_CLASS ? (int64_t)se.problem_bits : se.problem;
        break;
    }
    }
    rc = x400ms_error_set(err, X400MS_EPERM, "the MS answered %s (%lld), problem %lld",
                          x400ms_client_error_name(out->errcode), (long long)out->errcode,
                          (long long)c->last_problem);
    x400ms_client_outcome_free(out);
    return rc;
}

/* ---- selector ---- */

/* Filter item [0] { equality [0] { AVA } } (EXPLICIT tags, X.413). */
static void push_equality(struct ber_writer *w, const char *oid, int64_t v, ber_tag_t vtag)
{
    ber_mark_t m = ber_mark(w);
    ber_put_enum(w, vtag, v);
    ber_put_oid_text(w, BER_UNIV(BER_OID), oid);
    ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
    ber_wrap(w, m, BER_CTX(0), true);
    ber_wrap(w, m, BER_CTX(0), true);
}

/* Builds the Filter of sel into fw (empty when none). */
static void build_filter(const struct x400ms_client_selector *sel, struct ber_writer *fw)
{
    int n = (sel->status >= 0) + (sel->priority >= 0) + (sel->filter != NULL);
    if (n == 0)
        return;
    ber_mark_t m = ber_mark(fw);
    if (sel->filter != NULL)
        ber_put_raw(fw, sel->filter, sel->filter_len);
    if (sel->priority >= 0)
        push_equality(fw, "2.6.4.3.31", sel->priority, BER_APP(7)); /* X.411 Priority */
    if (sel->status >= 0)
        push_equality(fw, "2.6.4.3.15", sel->status, BER_UNIV(BER_INTEGER));
    if (n > 1) {
        ber_wrap(fw, m, BER_UNIV(BER_SET), true); /* and [1] SET OF Filter */
        ber_wrap(fw, m, BER_CTX(1), true);
    }
}

static void selector_fill(const struct x400ms_client_selector *in, struct ber_writer *fw,
                          struct ms_selector *s)
{
    memset(s, 0, sizeof *s);
    if (in == NULL)
        return;
    s->child_entries = in->child_entries;
    if (in->seq_from || in->seq_to) {
        s->range = MS_RANGE_SEQUENCE_NUMBER;
        s->has_from = in->seq_from != 0;
        s->from_seq = in->seq_from;
        s->has_to = in->seq_to != 0;
        s->to_seq = in->seq_to;
    } else if (in->time_from || in->time_to) {
        s->range = MS_RANGE_CREATION_TIME;
        s->has_from = in->time_from != 0;
        s->from_time = mhs_time_make((time_t)in->time_from);
        s->has_to = in->time_to != 0;
        s->to_time = mhs_time_make((time_t)in->time_to);
    }
    build_filter(in, fw);
    if (ber_writer_len(fw) > 0)
        s->filter = ber_writer_slice(fw);
    if (in->limit) {
        s->has_limit = true;
        s->limit = in->limit;
    }
    s->has_override = in->has_override;
    s->override = in->override;
}

/* ---- entries ---- */

static const char *const default_list_attrs[] = {
    "2.6.4.3.39", "2.6.4.3.15", "2.6.4.3.31", "2.6.4.3.16", "2.6.4.3.6", "2.6.4.3.11",
    "2.6.4.3.20", "2.6.4.3.27", "2.6.1.7.4", "2.6.4.3.8", NULL,
};

static void entry_init(struct x400ms_client_entry *e)
{
    memset(e, 0, sizeof *e);
    e->status = e->priority = e->entry_type = e->importance = e->sensitivity = e->precedence = -1;
    e->content_length = -1;
}

static void attr_apply(struct x400ms_client_entry *e, const struct ms_attribute *a)
{
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct mhs_seq_iter it;
    struct ber_tlv t;
    mhs_seq_iter_init(&it, &a->values, &be);
    if (mhs_seq_iter_next(&it, &t) != 1)
        return;
    struct ber_ctx *c = &it.ctx;
    int64_t v = 0;
    struct ber_time bt;
    char oid[64];
    if (ber_oid_to_text(a->type, oid, sizeof oid) < 0)
        return;
    e->n_attributes++;
    struct { const char *oid; int *field; } ints[] = {
        { "2.6.4.3.15", &e->status }, { "2.6.4.3.31", &e->priority }, { "2.6.4.3.16", &e->entry_type },
        { "2.6.1.7.7", &e->importance }, { "2.6.1.7.8", &e->sensitivity }, { "2.6.1.7.37", &e->precedence },
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (strcmp(oid, ints[i].oid) == 0) {
            if (ber_get_int64(c, &t, "v", &v) == 0)
                *ints[i].field = (int)v;
            return;
        }
    if (strcmp(oid, "2.6.4.3.39") == 0 && ber_get_int64(c, &t, "v", &v) == 0)
        e->seq = (uint32_t)v;
    else if (strcmp(oid, "2.6.4.3.29") == 0 && ber_get_int64(c, &t, "v", &v) == 0)
        e->parent_seq = (uint32_t)v;
    else if (strcmp(oid, "2.6.4.3.6") == 0 && ber_get_int64(c, &t, "v", &v) == 0)
        e->content_length = v;
    else if ((strcmp(oid, "2.6.4.3.11") == 0 || strcmp(oid, "2.6.4.3.20") == 0 ||
              strcmp(oid, "2.6.4.3.23") == 0) && ber_get_utctime(c, &t, "t", &bt) == 0)
        *(strcmp(oid, "2.6.4.3.11") == 0 ? &e->creation_time
          : strcmp(oid, "2.6.4.3.20") == 0 ? &e->delivery_time : &e->submission_time) = bt.sec;
    else if (strcmp(oid, "2.6.4.3.27") == 0 || strcmp(oid, "2.6.4.3.41") == 0) {
        struct or_address addr;
        char *dst = strcmp(oid, "2.6.4.3.27") == 0 ? e->originator : e->this_recipient;
        if (or_name_decode_tlv(c, &t, &addr, "ORName") == 0)
            or_address_format(&addr, OR_TEXT_SLASH, dst, 256);
    } else if (strcmp(oid, "2.6.4.3.8") == 0) {
        struct ber_slice o;
        if (t.tag == BER_UNIV(BER_OID) && ber_get_oid(c, &t, "ct", &o) == 0)
            ber_oid_to_text(o, e->content_type, sizeof e->content_type);
        else if (ber_get_int64(c, &t, "ct", &v) == 0)
            snprintf(e->content_type, sizeof e->content_type, "%lld", (long long)v);
    } else if (strcmp(oid, "2.6.1.7.4") == 0) {
        struct ber_str s;
        size_t n;
        unsigned univ = BER_TAG_CLASS(t.tag) == BER_CLASS_UNIVERSAL ? BER_TAG_NUMBER(t.tag) : BER_OCTET_STRING;
        if (ber_get_str(c, &t, "subject", univ, &s) == 0)
            ber_str_copy(&s, e->subject, sizeof e->subject, &n);
    } else if (strcmp(oid, "2.6.4.3.1") == 0) {
        struct ber_str s;
        if (ber_get_str(c, &t, "content", BER_OCTET_STRING, &s) == 0 &&
            (e->content = malloc(s.nbytes + 1)) != NULL)
            ber_str_copy(&s, e->content, s.nbytes + 1, &e->content_len);
    }
}

static int entry_from_info(const struct ms_entry_info *ei, struct x400ms_client_entry *e)
{
    entry_init(e);
    e->seq = (uint32_t)ei->sequence_number;
    if (!ei->has_attributes)
        return 0;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct mhs_seq_iter it;
    struct ms_attribute a;
    int rc;
    mhs_seq_iter_init(&it, &ei->attributes, &be);
    while ((rc = ms_attribute_next(&it, &a)) == 1)
        attr_apply(e, &a);
    return rc < 0 ? rc : 0;
}

void x400ms_client_entry_free(struct x400ms_client_entry *e)
{
    free(e->content);
    e->content = NULL;
}

void x400ms_client_list_free(struct x400ms_client_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        x400ms_client_entry_free(&l->entries[i]);
    free(l->entries);
    memset(l, 0, sizeof *l);
}

/* AttributeSelection list from OID texts. */
static struct ms_attr_selection *selections(const char *const *attrs, uint8_t (*buf)[64], uint32_t *n)
{
    *n = 0;
    size_t count = 0;
    while (attrs[count] != NULL)
        count++;
    struct ms_attr_selection *sel = calloc(count ? count : 1, sizeof *sel);
    if (sel == NULL)
        return NULL;
    for (size_t i = 0; i < count && i < 64; i++) {
        int len = ber_oid_from_text(attrs[i], buf[i], 64);
        if (len <= 0)
            continue;
        sel[*n].type = ber_slice_make(buf[i], (size_t)len);
        (*n)++;
    }
    return sel;
}

int x400ms_client_list(struct x400ms_client *c, int entry_class,
                       const struct x400ms_client_selector *sel, const char *const *attrs,
                       struct x400ms_client_list *out, struct x400ms_error *err)
{
    memset(out, 0, sizeof *out);
    struct ber_writer fw, w;
    ber_writer_init(&fw);
    ber_writer_init(&w);
    struct ms_list_arg arg;
    memset(&arg, 0, sizeof arg);
    arg.entry_class = entry_class;
    selector_fill(sel, &fw, &arg.selector);
    uint8_t buf[64][64];
    uint32_t n;
    struct ms_attr_selection *as = selections(attrs ? attrs : default_list_attrs, buf, &n);
    arg.has_requested_attributes = true;
    arg.requested_array = as;
    arg.n_requested_array = n;
    ms_list_arg_encode(&w, &arg);
    free(as);
    ber_writer_free(&fw);
    struct x400ms_client_outcome o;
    int rc = client_run(c, MS_OP_LIST, &w, &o, err);
    if (rc < 0)
        return rc;
    struct ms_list_result r;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    rc = ms_list_result_decode(ber_slice_make(o.data, o.len), &r, &be);
    if (rc == 0) {
        out->next = r.has_next ? (uint32_t)r.next : 0;
        if (r.has_requested && r.requested.count > 0) {
            out->entries = calloc(r.requested.count, sizeof *out->entries);
            struct mhs_seq_iter it;
            struct ms_entry_info ei;
            mhs_seq_iter_init(&it, &r.requested, &be);
            while (out->entries && (rc = ms_entry_info_next(&it, &ei)) == 1)
                entry_from_info(&ei, &out->entries[out->n++]);
            if (rc > 0)
                rc = 0;
        }
    }
    x400ms_client_outcome_free(&o);
    if (rc < 0) {
        x400ms_client_list_free(out);
        char text[200];
        return x400ms_error_set(err, X400MS_EPROTO, "ListResult malformed: %s",
                                ber_error_format(&be, text, sizeof text));
    }
    return 0;
}

int x400ms_client_fetch(struct x400ms_client *c, int entry_class, uint32_t seq,
                        const char *const *attrs, struct x400ms_client_entry *out,
                        struct x400ms_error *err)
{
    entry_init(out);
    struct ber_writer w;
    ber_writer_init(&w);
    struct ms_fetch_arg arg;
    memset(&arg, 0, sizeof arg);
    arg.entry_class = entry_class;
    arg.precise = true;
    arg.sequence_number = seq;
    uint8_t buf[64][64];
    uint32_t n = 0;
    struct ms_attr_selection *as = NULL;
    if (attrs != NULL) {
        as = selections(attrs, buf, &n);
        arg.has_requested_attributes = true;
        arg.requested_array = as;
        arg.n_requested_array = n;
    }
    ms_fetch_arg_encode(&w, &arg);
    free(as);
    struct x400ms_client_outcome o;
    int rc = client_run(c, MS_OP_FETCH, &w, &o, err);
    if (rc < 0)
        return rc;
    struct ms_fetch_result r;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    rc = ms_fetch_result_decode(ber_slice_make(o.data, o.len), &r, &be);
    if (rc == 0 && r.has_entry)
        rc = entry_from_info(&r.entry, out);
    x400ms_client_outcome_free(&o);
    if (rc < 0) {
        char text[200];
        return x400ms_error_set(err, X400MS_EPROTO, "FetchResult malformed: %s",
                                ber_error_format(&be, text, sizeof text));
    }
    if (!r.has_entry)
        return x400ms_error_set(err, X400MS_ENOENT, "Fetch returned no entry");
    return 0;
}

int x400ms_client_summarize(struct x400ms_client *c, int entry_class,
                            const struct x400ms_client_selector *sel,
                            struct x400ms_client_summary *out, struct x400ms_error *err)
{
    memset(out, 0, sizeof *out);
    struct ber_writer fw, w;
    ber_writer_init(&fw);
    ber_writer_init(&w);
    struct ms_summarize_arg arg;
    memset(&arg, 0, sizeof arg);
    arg.entry_class = entry_class;
    struct x400ms_client_selector all = X400MS_CLIENT_SELECTOR_INIT;
    selector_fill(sel ? sel : &all, &fw, &arg.selector);
    uint8_t o1[16], o2[16];
    struct ber_slice reqs[2] = {
        ber_slice_make(o1, (size_t)ber_oid_from_text("2.6.4.3.15", o1, sizeof o1)),
        ber_slice_make(o2, (size_t)ber_oid_from_text("2.6.4.3.31", o2, sizeof o2)),
    };
    arg.summary_requests.present = true;
    arg.summary_requests.arr = reqs;
    arg.summary_requests.n = 2;
    ms_summarize_arg_encode(&w, &arg);
    ber_writer_free(&fw);
    struct x400ms_client_outcome o;
    int rc = client_run(c, MS_OP_SUMMARIZE, &w, &o, err);
    if (rc < 0)
        return rc;
    struct ms_summarize_result r;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    rc = ms_summarize_result_decode(ber_slice_make(o.data, o.len), &r, &be);
    if (rc == 0) {
        out->count = (uint64_t)r.count;
        out->next = r.has_next ? (uint32_t)r.next : 0;
        if (r.has_span) {
            out->lowest = (uint32_t)r.lowest;
            out->highest = (uint32_t)r.highest;
        }
        /* summaries: SEQUENCE OF Summary, in the order requested */
        struct ber_ctx bc;
        struct ber_tlv seq, sum, m, set, e, x;
        struct ber_iter it, si, mi, ei;
        int idx = 0;
        ber_ctx_init(&bc, r.summaries.ptr, r.summaries.len, &be);
        if (r.summaries.len > 0 && ber_decode_top(&bc, &seq, "summaries") == 0 &&
            ber_enter(&bc, &seq, &it, "summaries") == 0) {
            while (ber_next(&it, &sum) == 1 && idx < 2) {
                uint64_t *counts = idx == 0 ? out->by_status : out->by_priority;
                idx++;
                if (ber_enter(&bc, &sum, &si, "Summary") < 0)
                    break;
                while (ber_next(&si, &m) == 1) {
                    if (m.tag != BER_CTX(1) || ber_explicit(&bc, &m, &set, "present") < 0 ||
                        ber_enter(&bc, &set, &mi, "present") < 0)
                        continue;
                    while (ber_next(&mi, &e) == 1) {
                        int64_t val = -1, cnt = 0;
                        if (ber_enter(&bc, &e, &ei, "present") < 0)
                            break;
                        ber_next(&ei, &x); /* type */
                        if (ber_next(&ei, &x) == 1)
                            ber_get_int64(&bc, &x, "value", &val);
                        if (ber_next(&ei, &x) == 1)
                            ber_get_int64(&bc, &x, "count", &cnt);
                        if (val >= 0 && val < 3)
                            counts[val] = (uint64_t)cnt;
                    }
                }
            }
        }
    }
    x400ms_client_outcome_free(&o);
    if (rc < 0) {
        char text[200];
        return x400ms_error_set(err, X400MS_EPROTO, "SummarizeResult malformed: %s",
                                ber_error_format(&be, text, sizeof text));
    }
    return 0;
}

int x400ms_client_delete(struct x400ms_client *c, int entry_class, const uint32_t *seqs, size_t n,
                         size_t *deleted_r, struct x400ms_error *err)
{
    struct ber_writer w;
    ber_writer_init(&w);
    struct ms_delete_arg arg;
    memset(&arg, 0, sizeof arg);
    arg.entry_class = entry_class;
    int64_t *arr = calloc(n ? n : 1, sizeof *arr);
    if (arr == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "client: out of memory");
    for (size_t i = 0; i < n; i++)
        arr[i] = seqs[i];
    arg.sequence_numbers.present = true;
    arg.sequence_numbers.arr = arr;
    arg.sequence_numbers.n = (uint32_t)n;
    ms_delete_arg_encode(&w, &arg);
    free(arr);
    struct x400ms_client_outcome o;
    int rc = client_run(c, MS_OP_DELETE, &w, &o, err);
    if (rc < 0)
        return rc;
    if (deleted_r != NULL) {
        struct ms_delete_result r;
        struct ber_error be;
        memset(&be, 0, sizeof be);
        *deleted_r = n;
        if (ms_delete_result_decode(ber_slice_make(o.data, o.len), &r, &be) == 0 && r.is_94)
            *deleted_r = r.entries_deleted.present ? r.entries_deleted.raw.count : 0;
    }
    x400ms_client_outcome_free(&o);
    return 0;
}

static void oid_list_fill(const char *const *oids, uint8_t (*buf)[64], struct ber_slice *arr,
                          struct ms_oid_list *l)
{
    l->present = true;
    l->arr = arr;
    l->n = 0;
    for (size_t i = 0; oids[i] != NULL && i < 32; i++) {
        int len = ber_oid_from_text(oids[i], buf[i], 64);
        if (len > 0)
            arr[l->n++] = ber_slice_make(buf[i], (size_t)len);
    }
}

int x400ms_client_register_ms(struct x400ms_client *c, const struct x400ms_client_register *r,
                              struct x400ms_error *err)
{
    struct ber_writer w, dw;
    ber_writer_init(&w);
    ber_writer_init(&dw);
    struct ms_register_arg arg;
    memset(&arg, 0, sizeof arg);
    uint8_t lbuf[32][64], fbuf[32][64], tbuf[64];
    struct ber_slice larr[32], farr[32];
    if (r->list_defaults)
        oid_list_fill(r->list_defaults, lbuf, larr, &arg.list_attribute_defaults);
    if (r->fetch_defaults)
        oid_list_fill(r->fetch_defaults, fbuf, farr, &arg.fetch_attribute_defaults);
    if (r->old_password && r->new_password) {
        arg.has_change_credentials = true;
        arg.old_credentials.kind = arg.new_credentials.kind = MTS_CRED_SIMPLE;
        arg.old_credentials.password = ber_slice_make(r->old_password, strlen(r->old_password));
        arg.new_credentials.password = ber_slice_make(r->new_password, strlen(r->new_password));
    }
    struct ms_auto_action_registration reg;
    if (r->auto_action_type) {
        memset(&reg, 0, sizeof reg);
        int len = ber_oid_from_text(r->auto_action_type, tbuf, sizeof tbuf);
        if (len <= 0)
            return x400ms_error_set(err, X400MS_EINVAL, "bad auto-action type %s", r->auto_action_type);
        reg.type = ber_slice_make(tbuf, (size_t)len);
        reg.registration_id = r->auto_action_id ? r->auto_action_id : 1;
        if (r->auto_action_parameter)
            reg.parameter = ber_slice_make(r->auto_action_parameter, r->auto_action_parameter_len);
        arg.has_registrations = true;
        arg.registration_array = &reg;
        arg.n_registration_array = 1;
    }
    if (r->deregister_type) {
        /* SEQUENCE { auto-action-type, registration-identifier [0] DEFAULT 1 } */
        ber_mark_t m = ber_mark(&dw);
        int64_t id = r->deregister_id ? r->deregister_id : 1;
        if (id != 1)
            mhs_put_explicit_int(&dw, 0, id);
        ber_put_oid_text(&dw, BER_UNIV(BER_OID), r->deregister_type);
        ber_wrap(&dw, m, BER_UNIV(BER_SEQUENCE), true);
        arg.has_deregistrations = true;
        arg.deregistrations = mhs_seq_raw(ber_writer_slice(&dw), 1);
    }
    ms_register_arg_encode(&w, &arg);
    ber_writer_free(&dw);
    struct x400ms_client_outcome o;
    int rc = client_run(c, MS_OP_REGISTER_MS, &w, &o, err);
    if (rc == 0)
        x400ms_client_outcome_free(&o);
    return rc;
}

int x400ms_client_modify_status(struct x400ms_client *c, int entry_class, const uint32_t *seqs,
                                size_t n, int status, struct x400ms_error *err)
{
    struct ber_writer w;
    ber_writer_init(&w);
    struct ms_modify_arg arg;
    memset(&arg, 0, sizeof arg);
    arg.entry_class = entry_class;
    int64_t *arr = calloc(n ? n : 1, sizeof *arr);
    if (arr == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "client: out of memory");
    for (size_t i = 0; i < n; i++)
        arr[i] = seqs[i];
    arg.specific_entries.present = true;
    arg.specific_entries.arr = arr;
    arg.specific_entries.n = (uint32_t)n;
    uint8_t oid[16], val[8];
    struct ber_slice value = ber_slice_make(val, 3);
    val[0] = 0x02; val[1] = 0x01; val[2] = (uint8_t)status;
    struct ms_modification mod;
    memset(&mod, 0, sizeof mod);
    mod.kind = MS_MOD_ADD_ATTRIBUTE;
    mod.attribute.type = ber_slice_make(oid, (size_t)ber_oid_from_text("2.6.4.3.15", oid, sizeof oid));
    mod.attribute.value_array = &value;
    mod.attribute.n_value_array = 1;
    arg.modification_array = &mod;
    arg.n_modification_array = 1;
    ms_modify_arg_encode(&w, &arg);
    free(arr);
    struct x400ms_client_outcome o;
    int rc = client_run(c, MS_OP_MODIFY, &w, &o, err);
    if (rc == 0)
        x400ms_client_outcome_free(&o);
    return rc;
}

int x400ms_client_restrictions_encode(const char *const *content_types, long long max_length,
                                      uint8_t *buf, size_t size)
{
    struct ber_writer w;
    ber_writer_init_fixed(&w, buf, size);
    ber_mark_t top = ber_mark(&w);
    if (max_length >= 0) {
        ber_mark_t m = ber_mark(&w);
        ber_put_int64(&w, BER_UNIV(BER_INTEGER), max_length);
        ber_wrap(&w, m, BER_CTX(2), true);
    }
    if (content_types != NULL) {
        ber_mark_t m = ber_mark(&w);
        size_t n = 0;
        while (content_types[n] != NULL)
            n++;
        for (size_t i = n; i-- > 0;)
            ber_put_oid_text(&w, BER_UNIV(BER_OID), content_types[i]);
        ber_wrap(&w, m, BER_UNIV(BER_SET), true);
        ber_wrap(&w, m, BER_CTX(0), true);
    }
    ber_wrap(&w, top, BER_UNIV(BER_SET), true);
    if (w.error)
        return w.error;
    size_t len = ber_writer_len(&w);
    memmove(buf, ber_writer_data(&w), len);
    return (int)len;
}
