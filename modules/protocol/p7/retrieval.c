/* The retrieval port (X.413 8.2): Summarize, List, Fetch, Delete. Each
 * operation decodes its argument (asn1/ms.h), asks the store and encodes
 * its result with the backwards writer; every failure gets the X.413
 * abstract error the standard names for it. */
#define X400MS_LOG_MODULE "p7"
#include <stdlib.h>
#include <string.h>

#include "modules/protocol/p7/p7.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"

/* ---- shared pieces ---- */

/* Decoded entry-class -> box, or the entry-class error already sent. */
static bool box_or_error(struct p7_session *s, int64_t invoke_id, int64_t ec,
                         enum x400ms_store_box *box)
{
    if (p7_box_of(s, ec, box))
        return true;
    p7_error_entry_class(s, invoke_id, ec);
    return false;
}

/* Selector -> store selector, or the error already sent. */
static bool selector_or_error(struct p7_session *s, int64_t invoke_id, const struct ms_selector *in,
                              enum x400ms_store_box box, struct p7_filter_arena *ar,
                              struct x400ms_store_selector *out)
{
    int kind;
    if (p7_selector_translate(in, box, ar, out, &kind) == 0)
        return true;
    if (kind == 1)
        p7_error_attribute(s, invoke_id, ar->problem, ar->bad_type);
    else if (kind == 2)
        p7_error_range(s, invoke_id);
    else
        p7_error_invalid_parameters(s, invoke_id, "filter too large or malformed");
    return false;
}

/* The requested attributes of a List/Fetch (X.413 8.2.1.3: an
 * EntryInformationSelection; absent: the registered defaults; no defaults:
 * `all_default`). Returns the count, or -1 with the error sent. */
static int requested_attrs(struct p7_session *s, int64_t invoke_id, bool has,
                           const struct mhs_seq *sel, const int *defaults, size_t n_defaults,
                           bool has_defaults, bool all_default, int *out, size_t max)
{
    size_t n = 0;
    if (has) {
        struct mhs_seq_iter it;
        struct ms_attr_selection as;
        struct ber_error be;
        memset(&be, 0, sizeof be);
        mhs_seq_iter_init(&it, sel, &be);
        int rc;
        while ((rc = ms_attr_selection_next(&it, &as)) == 1) {
            int idx = p7_attr_find(as.type);
            if (idx < 0) {
                /* X.413 8.4.1 unavailable-attribute-type(1) */
                p7_error_attribute(s, invoke_id, 1, as.type);
                return -1;
            }
            if (n < max)
                out[n++] = idx;
        }
        if (rc < 0) {
            p7_reject_mistyped(s, invoke_id, "requested-attributes", &be);
            return -1;
        }
        return (int)n;
    }
    if (has_defaults) {
        for (size_t i = 0; i < n_defaults && n < max; i++)
            out[n++] = defaults[i];
        return (int)n;
    }
    if (all_default)
        for (size_t i = 0; i < p7_attr_count && n < max; i++)
            out[n++] = (int)i;
    return (int)n;
}

/* Pushes EntryInformation { sequence-number, attributes } (X.413 8.2.1.1.1.5). */
static int push_entry_info(struct ber_writer *w, const int *attrs, size_t n_attrs,
                           enum x400ms_store_box box, const struct x400ms_store_attrs *a,
                           const struct x400ms_store_entry *entry)
{
    ber_mark_t m = ber_mark(w);
    ber_mark_t set = ber_mark(w);
    int pushed = 0;
    for (size_t i = n_attrs; i-- > 0;) {
        int rc = p7_attr_push(w, attrs[i], box, a, entry);
        if (rc < 0)
            return rc;
        pushed += rc;
    }
    if (pushed > 0)
        ber_wrap(w, set, BER_UNIV(BER_SET), true);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), a->seq);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}

/* A forward-growing byte buffer (entries are visited in order, the writer
 * builds backwards). */
struct fbuf {
    uint8_t *p;
    size_t len, cap;
};

static int fbuf_add(struct fbuf *b, const uint8_t *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (q == NULL)
            return X400MS_ENOMEM;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

struct seqs {
    uint32_t *v;
    size_t n, cap;
};

static int seqs_add(struct seqs *s, uint32_t v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        uint32_t *q = realloc(s->v, cap * sizeof *q);
        if (q == NULL)
            return X400MS_ENOMEM;
        s->v = q;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    return 0;
}

/* ---- List (X.413 8.2.4) ---- */

struct list_visit {
    struct fbuf out;
    struct ber_writer ew;         /* one entry, reused */
    const int *attrs;
    size_t n_attrs;
    enum x400ms_store_box box;
    struct seqs new_seqs;         /* entries to mark listed afterwards */
    size_t count;
    int error;
};

static int list_visit(void *arg, const struct x400ms_store_attrs *a)
{
    struct list_visit *lv = arg;
    ber_writer_reset(&lv->ew);
    if (push_entry_info(&lv->ew, lv->attrs, lv->n_attrs, lv->box, a, NULL) < 0 ||
        fbuf_add(&lv->out, ber_writer_data(&lv->ew), ber_writer_len(&lv->ew)) < 0 ||
        (a->status == X400MS_STATUS_NEW && seqs_add(&lv->new_seqs, a->seq) < 0)) {
        lv->error = X400MS_ENOMEM;
        return 1;
    }
    lv->count++;
    return 0;
}

void p7_op_list(struct p7_session *s, const struct x400ms_invoke *inv)
{
    struct ms_list_arg arg;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (ms_list_arg_decode(ber_slice_make(inv->argument.ptr, inv->argument.len), &arg, &be) < 0) {
        p7_reject_mistyped(s, inv->invoke_id, "List", &be);
        return;
    }
    enum x400ms_store_box box;
    if (!box_or_error(s, inv->invoke_id, arg.entry_class, &box))
        return;
    struct p7_filter_arena *ar = malloc(sizeof *ar);
    if (ar == NULL) {
        p7_error_service(s, inv->invoke_id, 0, "out of memory");
        return;
    }
    struct x400ms_store_selector sel;
    int attrs[64];
    int n_attrs;
    if (!selector_or_error(s, inv->invoke_id, &arg.selector, box, ar, &sel) ||
        (n_attrs = requested_attrs(s, inv->invoke_id, arg.has_requested_attributes,
                                   &arg.requested_attributes, s->regs.list_defaults,
                                   s->regs.n_list_defaults, s->regs.has_list_defaults, false,
                                   attrs, 64)) < 0) {
        free(ar);
        return;
    }
    if (sel.limit == 0 || sel.limit > (size_t)s->m->cfg.max_list)
        sel.limit = (size_t)s->m->cfg.max_list;

    struct list_visit lv;
    memset(&lv, 0, sizeof lv);
    ber_writer_init(&lv.ew);
    lv.attrs = attrs;
    lv.n_attrs = (size_t)n_attrs;
    lv.box = box;
    uint32_t next = 0;
    struct x400ms_error err;
    int rc = s->m->store->select(s->mb, box, &sel, list_visit, &lv, &next, &err);
    free(ar);
    ber_writer_free(&lv.ew);
    if (rc < 0 || lv.error) {
        X400MS_LOG_W("peer %s: mailbox %s: list: %s", s->peer, s->mailbox,
                     rc < 0 ? err.message : "out of memory");
        p7_error_service(s, inv->invoke_id, 0, "store failure");
        free(lv.out.p);
        free(lv.new_seqs.v);
        return;
    }

    /* ListResult ::= SET { next [0] OPTIONAL, requested [1] SEQUENCE OF
     * EntryInformation OPTIONAL } -- pushed backwards */
    struct ber_writer w;
    ber_writer_init(&w);
    ber_mark_t top = ber_mark(&w);
    if (lv.count > 0) {
        ber_mark_t m = ber_mark(&w);
        ber_put_raw(&w, lv.out.p, lv.out.len);
        ber_wrap(&w, m, BER_UNIV(BER_SEQUENCE), true);
        ber_wrap(&w, m, BER_CTX(1), true);
    }
    if (next != 0)
        mhs_put_explicit_int(&w, 0, next);
    ber_wrap(&w, top, BER_UNIV(BER_SET), true);
    p7_reply_writer(s, inv->invoke_id, &w);
    ber_writer_free(&w);
    free(lv.out.p);

    /* X.413 8.2.4: listing makes new entries listed (one store call, one
     * lock hold for the whole page) */
    if (lv.new_seqs.n > 0 &&
        x400ms_store_set_status_many(s->m->store, s->mb, box, lv.new_seqs.v, lv.new_seqs.n,
                                     X400MS_STATUS_LISTED, &err) < 0 &&
        err.code != X400MS_ENOENT) /* deleted meanwhile by another UA: fine */
        X400MS_LOG_W("peer %s: mailbox %s: marking %zu entries listed: %s", s->peer, s->mailbox,
                     lv.new_seqs.n, err.message);
    free(lv.new_seqs.v);
}

/* ---- Summarize (X.413 8.2.3) ---- */

#define SUM_MAX_REQ 8
#define SUM_VALUES 32

struct sum_visit {
    const int *req;
    size_t n_req;
    uint64_t count;
    uint32_t lowest, highest;
    uint64_t absent[SUM_MAX_REQ];
    uint64_t values[SUM_MAX_REQ][SUM_VALUES];
};

static int64_t attr_int_value(enum x400ms_store_attr_id id, const struct x400ms_store_attrs *a,
                              bool *present)
{
    *present = true;
    switch (id) {
    case X400MS_ATTR_STATUS: return a->status;
    case X400MS_ATTR_PRIORITY: return a->priority;
    case X400MS_ATTR_ENTRY_TYPE: return a->entry_type;
    case X400MS_ATTR_IMPORTANCE:
        *present = a->importance != X400MS_IPM_ABSENT;
        return a->importance;
    case X400MS_ATTR_SENSITIVITY:
        *present = a->sensitivity != X400MS_IPM_ABSENT;
        return a->sensitivity;
    case X400MS_ATTR_PRECEDENCE:
        *present = a->precedence != X400MS_PRECEDENCE_ABSENT;
        return a->precedence;
    default:
        *present = false;
        return 0;
    }
}

static int sum_visit(void *arg, const struct x400ms_store_attrs *a)
{
    struct sum_visit *sv = arg;
    if (sv->count == 0 || a->seq < sv->lowest)
        sv->lowest = a->seq;
    if (a->seq > sv->highest)
        sv->highest = a->seq;
    sv->count++;
    for (size_t i = 0; i < sv->n_req; i++) {
        bool present;
        int64_t v = attr_int_value(p7_attrs[sv->req[i]].id, a, &present);
        if (!present || v < 0 || v >= SUM_VALUES)
            sv->absent[i]++;
        else
            sv->values[i][v]++;
    }
    return 0;
}

static void set_int_attr(struct x400ms_store_attrs *a, enum x400ms_store_attr_id id, int64_t v)
{
    switch (id) {
    case X400MS_ATTR_STATUS: a->status = (uint8_t)v; break;
    case X400MS_ATTR_PRIORITY: a->priority = (uint8_t)v; break;
    case X400MS_ATTR_ENTRY_TYPE: a->entry_type = (uint8_t)v; break;
    case X400MS_ATTR_IMPORTANCE: a->importance = (uint8_t)v; break;
    case X400MS_ATTR_SENSITIVITY: a->sensitivity = (uint8_t)v; break;
    case X400MS_ATTR_PRECEDENCE: a->precedence = (int16_t)v; break;
    default: break;
    }
}

void p7_op_summarize(struct p7_session *s, const struct x400ms_invoke *inv)
{
    struct ms_summarize_arg arg;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (ms_summarize_arg_decode(ber_slice_make(inv->argument.ptr, inv->argument.len), &arg, &be) < 0) {
        p7_reject_mistyped(s, inv->invoke_id, "Summarize", &be);
        return;
    }
    enum x400ms_store_box box;
    if (!box_or_error(s, inv->invoke_id, arg.entry_class, &box))
        return;
    struct sum_visit *sv = calloc(1, sizeof *sv);
    int req[SUM_MAX_REQ];
    size_t n_req = 0;
    if (sv == NULL) {
        p7_error_service(s, inv->invoke_id, 0, "out of memory");
        return;
    }
    if (arg.summary_requests.present) {
        struct mhs_seq_iter it;
        struct ber_slice oid;
        int rc;
        mhs_seq_iter_init(&it, &arg.summary_requests.raw, &be);
        while ((rc = ms_oid_next(&it, &oid)) == 1) {
            int idx = p7_attr_find(oid);
            if (idx < 0 || !p7_attrs[idx].summarizable) {
                /* unavailable-attribute-type(1) / inappropriate-for-operation(4) */
                p7_error_attribute(s, inv->invoke_id, idx < 0 ? 1 : 4, oid);
                free(sv);
                return;
            }
            if (n_req < SUM_MAX_REQ)
                req[n_req++] = idx;
        }
        if (rc < 0) {
            p7_reject_mistyped(s, inv->invoke_id, "Summarize", &be);
            free(sv);
            return;
        }
    }
    sv->req = req;
    sv->n_req = n_req;

    struct p7_filter_arena *ar = malloc(sizeof *ar);
    struct x400ms_store_selector sel;
    if (ar == NULL) {
        free(sv);
        p7_error_service(s, inv->invoke_id, 0, "out of memory");
        return;
    }
    if (!selector_or_error(s, inv->invoke_id, &arg.selector, box, ar, &sel)) {
        free(ar);
        free(sv);
        return;
    }
    struct x400ms_error err;
    uint32_t next = 0;
    int rc = s->m->store->select(s->mb, box, &sel, sum_visit, sv, &next, &err);
    free(ar);
    if (rc < 0) {
        X400MS_LOG_W("peer %s: mailbox %s: summarize: %s", s->peer, s->mailbox, err.message);
        p7_error_service(s, inv->invoke_id, 0, "store failure");
        free(sv);
        return;
    }

    /* SummarizeResult ::= SET { next [0], count [1], span [2], summaries [3] } */
    struct ber_writer w;
    ber_writer_init(&w);
    ber_mark_t top = ber_mark(&w);
    if (n_req > 0) {
        ber_mark_t sums = ber_mark(&w);
        for (size_t i = n_req; i-- > 0;) {
            ber_mark_t sm = ber_mark(&w);
            uint64_t values_total = 0;
            ber_mark_t pm = ber_mark(&w);
            for (int v = SUM_VALUES; v-- > 0;) {
                if (sv->values[i][v] == 0)
                    continue;
                struct x400ms_store_attrs fake;
                memset(&fake, 0, sizeof fake);
                set_int_attr(&fake, p7_attrs[req[i]].id, v);
                ber_mark_t e = ber_mark(&w);
                ber_put_int64(&w, BER_UNIV(BER_INTEGER), (int64_t)sv->values[i][v]);
                p7_attr_push_value(&w, req[i], box, &fake, NULL);
                ber_put_oid(&w, BER_UNIV(BER_OID),
                            ber_slice_make(p7_attrs[req[i]].enc, p7_attrs[req[i]].enc_len));
                ber_wrap(&w, e, BER_UNIV(BER_SEQUENCE), true);
                values_total++;
            }
            if (values_total > 0) {
                ber_wrap(&w, pm, BER_UNIV(BER_SET), true);
                ber_wrap(&w, pm, BER_CTX(1), true);
            }
            if (sv->absent[i] > 0)
                mhs_put_explicit_int(&w, 0, (int64_t)sv->absent[i]);
            ber_wrap(&w, sm, BER_UNIV(BER_SET), true);
        }
        ber_wrap(&w, sums, BER_UNIV(BER_SEQUENCE), true);
        ber_wrap(&w, sums, BER_CTX(3), true);
    }
    if (sv->count > 0) {
        ber_mark_t sp = ber_mark(&w);
        mhs_put_explicit_int(&w, 1, sv->highest);
        mhs_put_explicit_int(&w, 0, sv->lowest);
        ber_wrap(&w, sp, BER_UNIV(BER_SEQUENCE), true);
        ber_wrap(&w, sp, BER_CTX(2), true);
    }
    mhs_put_explicit_int(&w, 1, (int64_t)sv->count);
    if (next != 0)
        mhs_put_explicit_int(&w, 0, next);
    ber_wrap(&w, top, BER_UNIV(BER_SET), true);
    p7_reply_writer(s, inv->invoke_id, &w);
    ber_writer_free(&w);
    free(sv);
}

/* ---- Fetch (X.413 8.2.5) ---- */

struct fetch_visit {
    struct seqs seqs;
    size_t max;
    int error;
};

static int fetch_visit(void *arg, const struct x400ms_store_attrs *a)
{
    struct fetch_visit *fv = arg;
    if (seqs_add(&fv->seqs, a->seq) < 0) {
        fv->error = X400MS_ENOMEM;
        return 1;
    }
    return 0;
}

/* The fetch-restrictions of the bind (X.413 8.1.1.1.1.4) against an entry
 * whose content is requested. Returns 0, or 1 with the error sent. */
static int check_restrictions(struct p7_session *s, int64_t invoke_id,
                              const struct x400ms_store_attrs *a, uint32_t override)
{
    const struct p7_restrictions *r = &s->restrictions;
    uint8_t tlv[P7_OID_MAX + 8];
    struct ms_problem p;
    memset(&p, 0, sizeof p);
    p.sequence_number = -1;
    if (r->content_types && !(override & (1u << 0))) {
        uint8_t enc[P7_OID_MAX];
        int n = -1;
        if (a->content_type != NULL && strchr(a->content_type, '.') != NULL)
            n = ber_oid_from_text(a->content_type, enc, sizeof enc);
        else if (a->content_type != NULL && strcmp(a->content_type, "22") == 0)
            n = ber_oid_from_text("2.6.1.10.1", enc, sizeof enc); /* built-in P2 1988 */
        bool allowed = false;
        for (size_t i = 0; n > 0 && i < r->n_ct; i++)
            if (r->ct_len[i] == (size_t)n && memcmp(r->ct[i], enc, (size_t)n) == 0)
                allowed = true;
        if (!allowed) {
            /* restriction content-type [0] OBJECT IDENTIFIER */
            struct ber_writer w;
            ber_writer_init_fixed(&w, tlv, sizeof tlv);
            ber_mark_t m = ber_mark(&w);
            if (n > 0)
                ber_put_oid(&w, BER_UNIV(BER_OID), ber_slice_make(enc, (size_t)n));
            else
                ber_put_oid_text(&w, BER_UNIV(BER_OID), "2.6.1.10.1");
            ber_wrap(&w, m, BER_CTX(0), true);
            p.problem = 1; /* content-type-problem */
            p.value = ber_writer_slice(&w);
            goto refuse;
        }
    }
    if (r->has_max_length && !(override & (1u << 2)) &&
        a->content_length > (uint64_t)r->max_length) {
        struct ber_writer w;
        ber_writer_init_fixed(&w, tlv, sizeof tlv);
        ber_mark_t m = ber_mark(&w);
        ber_put_int64(&w, BER_UNIV(BER_INTEGER), r->max_length);
        ber_wrap(&w, m, BER_CTX(2), true);
        p.problem = 3; /* maximum-length-problem */
        p.value = ber_writer_slice(&w);
        goto refuse;
    }
    return 0;
refuse:
    X400MS_LOG_I("peer %s: fetch of %u refused by the bind's fetch-restrictions (problem %lld)",
                 s->peer, a->seq, (long long)p.problem);
    struct ms_problem_error e;
    memset(&e, 0, sizeof e);
    e.code = MS_ERR_FETCH_RESTRICTION;
    e.problems = &p;
    e.n_problems = e.max_problems = 1;
    p7_error_problems(s, invoke_id, &e);
    return 1;
}

void p7_op_fetch(struct p7_session *s, const struct x400ms_invoke *inv)
{
    struct ms_fetch_arg arg;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (ms_fetch_arg_decode(ber_slice_make(inv->argument.ptr, inv->argument.len), &arg, &be) < 0) {
        p7_reject_mistyped(s, inv->invoke_id, "Fetch", &be);
        return;
    }
    enum x400ms_store_box box;
    if (!box_or_error(s, inv->invoke_id, arg.entry_class, &box))
        return;
    int attrs[64];
    int n_attrs = requested_attrs(s, inv->invoke_id, arg.has_requested_attributes,
                                  &arg.requested_attributes, s->regs.fetch_defaults,
                                  s->regs.n_fetch_defaults, s->regs.has_fetch_defaults, true,
                                  attrs, 64);
    if (n_attrs < 0)
        return;
    struct x400ms_error err;
    struct fetch_visit fv;
    memset(&fv, 0, sizeof fv);
    uint32_t next = 0;
    uint32_t override = 0;
    uint32_t seq;
    if (arg.precise) {
        seq = (uint32_t)arg.sequence_number;
    } else {
        struct p7_filter_arena *ar = malloc(sizeof *ar);
        struct x400ms_store_selector sel;
        if (ar == NULL) {
            p7_error_service(s, inv->invoke_id, 0, "out of memory");
            return;
        }
        if (!selector_or_error(s, inv->invoke_id, &arg.search, box, ar, &sel)) {
            free(ar);
            return;
        }
        if (arg.search.has_override)
            override = arg.search.override;
        size_t cap = (size_t)s->m->cfg.max_fetch_list + 1;
        if (sel.limit == 0 || sel.limit > cap)
            sel.limit = cap;
        int rc = s->m->store->select(s->mb, box, &sel, fetch_visit, &fv, &next, &err);
        free(ar);
        if (rc < 0 || fv.error) {
            p7_error_service(s, inv->invoke_id, 0, "store failure");
            free(fv.seqs.v);
            return;
        }
        if (fv.seqs.n == 0) {
            /* nothing selected: an empty FetchResult */
            struct ber_writer w;
            ber_writer_init(&w);
            ber_mark_t top = ber_mark(&w);
            ber_wrap(&w, top, BER_UNIV(BER_SET), true);
            p7_reply_writer(s, inv->invoke_id, &w);
            ber_writer_free(&w);
            free(fv.seqs.v);
            return;
        }
        seq = fv.seqs.v[0];
    }

    bool want_content = false, want_envelope = false;
    for (int i = 0; i < n_attrs; i++) {
        want_content |= p7_attrs[attrs[i]].syntax == P7_SYN_CONTENT;
        want_envelope |= p7_attrs[attrs[i]].syntax == P7_SYN_ENVELOPE;
    }
    /* Without fetch-restrictions the content is read in the same call as the
     * attributes; with them, the attributes are checked first (X.413
     * 8.1.1.1.1.4) so that a refused content is never read. */
    unsigned flags = (want_content ? X400MS_STORE_GET_CONTENT : 0) |
                     (want_envelope ? X400MS_STORE_GET_ENVELOPE : 0);
    bool restricted = want_content && (s->restrictions.content_types ||
                                       s->restrictions.has_max_length);
    struct x400ms_store_entry *entry = NULL;
    int rc = s->m->store->get(s->mb, box, seq, restricted ? X400MS_STORE_GET_ATTRS : flags,
                              &entry, &err);
    if (rc == X400MS_ENOENT) {
        p7_error_seqnum(s, inv->invoke_id, &seq, 1);
        free(fv.seqs.v);
        return;
    }
    if (rc < 0) {
        X400MS_LOG_W("peer %s: mailbox %s: fetch %u: %s", s->peer, s->mailbox, seq, err.message);
        p7_error_service(s, inv->invoke_id, 0, "store failure");
        free(fv.seqs.v);
        return;
    }
    if (want_content && check_restrictions(s, inv->invoke_id, &entry->attrs, override)) {
        s->m->store->entry_free(entry);
        free(fv.seqs.v);
        return;
    }
    if (restricted) {
        s->m->store->entry_free(entry);
        entry = NULL;
        rc = s->m->store->get(s->mb, box, seq, flags, &entry, &err);
        if (rc < 0) {
            X400MS_LOG_W("peer %s: mailbox %s: fetch %u: %s", s->peer, s->mailbox, seq, err.message);
            if (rc == X400MS_ENOENT)
                p7_error_seqnum(s, inv->invoke_id, &seq, 1);
            else
                p7_error_service(s, inv->invoke_id, 0, "store failure");
            free(fv.seqs.v);
            return;
        }
    }

    /* FetchResult ::= SET { entry-information [0], list [1] SEQUENCE OF
     * SequenceNumber, next [2] } */
    struct ber_writer w;
    ber_writer_init(&w);
    ber_mark_t top = ber_mark(&w);
    size_t listed = fv.seqs.n > 1 ? fv.seqs.n - 1 : 0;
    if (listed > (size_t)s->m->cfg.max_fetch_list) {
        /* the one past the cap is where a later Fetch continues */
        next = fv.seqs.v[fv.seqs.n - 1];
        listed--;
    }
    if (next != 0)
        mhs_put_explicit_int(&w, 2, next);
    if (listed > 0) {
        ber_mark_t lm = ber_mark(&w);
        for (size_t i = listed; i >= 1; i--)
            ber_put_int64(&w, BER_UNIV(BER_INTEGER), fv.seqs.v[i]);
        ber_wrap(&w, lm, BER_UNIV(BER_SEQUENCE), true);
        ber_wrap(&w, lm, BER_CTX(1), true);
    }
    ber_mark_t em = ber_mark(&w);
    push_entry_info(&w, attrs, (size_t)n_attrs, box, &entry->attrs, entry);
    ber_wrap(&w, em, BER_CTX(0), true);
    ber_wrap(&w, top, BER_UNIV(BER_SET), true);
    p7_reply_writer(s, inv->invoke_id, &w);
    ber_writer_free(&w);
    free(fv.seqs.v);

    /* X.413 8.2.5: an entry whose content was fetched is processed */
    if (want_content && entry->content != NULL) {
        s->m->store->set_status(s->mb, box, seq, X400MS_STATUS_PROCESSED, &err);
        struct x400ms_store_event ev = { s->mailbox, NULL, s->mb, box, seq, &entry->attrs };
        x400ms_hook_run(s->m->core, X400MS_HOOK_ENTRY_FETCHED, &ev);
    }
    s->m->store->entry_free(entry);
}

/* ---- Delete (X.413 8.2.6) ---- */

struct delete_visit {
    struct seqs seqs;
    int error;
};

static int delete_visit(void *arg, const struct x400ms_store_attrs *a)
{
    struct delete_visit *dv = arg;
    if (seqs_add(&dv->seqs, a->seq) < 0) {
        dv->error = X400MS_ENOMEM;
        return 1;
    }
    return 0;
}

struct mailbox_settings {
    bool found;
    struct x400ms_store_settings settings;
};

static int settings_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct mailbox_settings *ms = arg;
    ms->found = true;
    ms->settings = info->settings;
    return 0;
}

void p7_op_delete(struct p7_session *s, const struct x400ms_invoke *inv)
{
    struct ms_delete_arg arg;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (ms_delete_arg_decode(ber_slice_make(inv->argument.ptr, inv->argument.len), &arg, &be) < 0) {
        p7_reject_mistyped(s, inv->invoke_id, "Delete", &be);
        return;
    }
    enum x400ms_store_box box;
    if (!box_or_error(s, inv->invoke_id, arg.entry_class, &box))
        return;
    struct x400ms_error err;
    struct delete_visit dv;
    memset(&dv, 0, sizeof dv);
    if (arg.by_selector) {
        struct p7_filter_arena *ar = malloc(sizeof *ar);
        struct x400ms_store_selector sel;
        if (ar == NULL) {
            p7_error_service(s, inv->invoke_id, 0, "out of memory");
            return;
        }
        if (!selector_or_error(s, inv->invoke_id, &arg.selector, box, ar, &sel)) {
            free(ar);
            return;
        }
        if (sel.limit == 0 || sel.limit > (size_t)s->m->cfg.max_delete)
            sel.limit = (size_t)s->m->cfg.max_delete;
        int rc = s->m->store->select(s->mb, box, &sel, delete_visit, &dv, NULL, &err);
        free(ar);
        if (rc < 0 || dv.error) {
            p7_error_service(s, inv->invoke_id, 0, "store failure");
            free(dv.seqs.v);
            return;
        }
    } else {
        struct mhs_seq_iter it;
        int64_t v;
        int rc;
        mhs_seq_iter_init(&it, &arg.sequence_numbers.raw, &be);
        while ((rc = ms_int_next(&it, &v)) == 1) {
            if (v < 0 || v > MS_UB_MESSAGES || dv.seqs.n >= (size_t)s->m->cfg.max_delete) {
                free(dv.seqs.v);
                p7_error_invalid_parameters(s, inv->invoke_id, "sequence number out of range");
                return;
            }
            seqs_add(&dv.seqs, (uint32_t)v);
        }
        if (rc < 0) {
            free(dv.seqs.v);
            p7_reject_mistyped(s, inv->invoke_id, "Delete", &be);
            return;
        }
    }

    /* Check every entry first: the 1988 service deletes all or none. */
    struct mailbox_settings ms;
    memset(&ms, 0, sizeof ms);
    s->m->store->mailbox_get(s->m->store_ctx, s->mailbox, NULL, settings_visit, &ms, &err);
    uint32_t missing[16];
    size_t n_missing = 0;
    struct ms_problem probs[16];
    size_t n_probs = 0;
    for (size_t i = 0; i < dv.seqs.n; i++) {
        struct x400ms_store_entry *e = NULL;
        int rc = s->m->store->get(s->mb, box, dv.seqs.v[i], X400MS_STORE_GET_ATTRS, &e, &err);
        if (rc == X400MS_ENOENT) {
            if (n_missing < 16)
                missing[n_missing++] = dv.seqs.v[i];
            continue;
        }
        if (rc < 0) {
            free(dv.seqs.v);
            p7_error_service(s, inv->invoke_id, 0, "store failure");
            return;
        }
        int problem = -1;
        if (ms.settings.deletion_prohibited)
            problem = 1; /* delete-restriction-problem */
        else if (e->attrs.parent_seq != 0 && !arg.by_selector)
            problem = 0; /* child-entry-specified: children go with their parent */
        else if (e->attrs.status == X400MS_STATUS_NEW && ms.settings.delete_new_prohibited)
            problem = s->is94 ? 2 : 1; /* new-entry-specified (94) */
        s->m->store->entry_free(e);
        if (problem >= 0 && n_probs < 16) {
            memset(&probs[n_probs], 0, sizeof probs[0]);
            probs[n_probs].problem = problem;
            probs[n_probs].sequence_number = dv.seqs.v[i];
            n_probs++;
        }
    }
    if (n_missing > 0) {
        free(dv.seqs.v);
        p7_error_seqnum(s, inv->invoke_id, missing, n_missing);
        return;
    }
    if (n_probs > 0) {
        free(dv.seqs.v);
        X400MS_LOG_I("peer %s: mailbox %s: delete refused (problem %lld for %lld)", s->peer,
                     s->mailbox, (long long)probs[0].problem, (long long)probs[0].sequence_number);
        struct ms_problem_error pe;
        memset(&pe, 0, sizeof pe);
        pe.code = MS_ERR_DELETE;
        pe.problems = probs;
        pe.n_problems = pe.max_problems = (uint32_t)n_probs;
        p7_error_problems(s, inv->invoke_id, &pe);
        return;
    }

    struct seqs deleted = { 0 };
    int refused = 0;
    for (size_t i = 0; i < dv.seqs.n; i++) {
        uint32_t kids[256];
        size_t n_kids = 0;
        s->m->store->children(s->mb, box, dv.seqs.v[i], kids, 256, &n_kids, &err);
        if (n_kids > 256)
            n_kids = 256;
        for (size_t k = 0; k < n_kids; k++)
            if (s->m->store->delete_entry(s->mb, box, kids[k], &err) == 0)
                seqs_add(&deleted, kids[k]);
        int rc = s->m->store->delete_entry(s->mb, box, dv.seqs.v[i], &err);
        if (rc == 0) {
            seqs_add(&deleted, dv.seqs.v[i]);
        } else if (rc == X400MS_EPERM) {
            /* the deployment prohibits deletion */
            refused = 1;
            memset(&probs[0], 0, sizeof probs[0]);
            probs[0].problem = 1;
            probs[0].sequence_number = dv.seqs.v[i];
            break;
        } else if (rc != X400MS_ENOENT) {
            X400MS_LOG_W("peer %s: mailbox %s: delete %u: %s", s->peer, s->mailbox,
                         dv.seqs.v[i], err.message);
        }
    }
    free(dv.seqs.v);
    if (refused) {
        X400MS_LOG_I("peer %s: mailbox %s: delete refused: deletion prohibited", s->peer, s->mailbox);
        int64_t *arr = NULL;
        struct ms_problem_error pe;
        memset(&pe, 0, sizeof pe);
        pe.code = MS_ERR_DELETE;
        pe.problems = probs;
        pe.n_problems = pe.max_problems = 1;
        if (s->is94 && deleted.n > 0 && (arr = calloc(deleted.n, sizeof *arr)) != NULL) {
            for (size_t i = 0; i < deleted.n; i++)
                arr[i] = deleted.v[i];
            pe.entries_deleted.present = true;
            pe.entries_deleted.arr = arr;
            pe.entries_deleted.n = (uint32_t)deleted.n;
        }
        p7_error_problems(s, inv->invoke_id, &pe);
        free(arr);
        free(deleted.v);
        return;
    }
    X400MS_LOG_D("peer %s: mailbox %s: %zu entries deleted", s->peer, s->mailbox, deleted.n);
    if (!s->is94) {
        p7_reply_null(s, inv->invoke_id); /* delete-result-88 NULL */
    } else {
        /* delete-result-94 SET { entries-deleted [0] SEQUENCE OF SequenceNumber } */
        struct ber_writer w;
        ber_writer_init(&w);
        ber_mark_t top = ber_mark(&w);
        if (deleted.n > 0) {
            ber_mark_t m = ber_mark(&w);
            for (size_t i = deleted.n; i-- > 0;)
                ber_put_int64(&w, BER_UNIV(BER_INTEGER), deleted.v[i]);
            ber_wrap(&w, m, BER_UNIV(BER_SEQUENCE), true);
            ber_wrap(&w, m, BER_CTX(0), true);
        }
        ber_wrap(&w, top, BER_UNIV(BER_SET), true);
        p7_reply_writer(s, inv->invoke_id, &w);
        ber_writer_free(&w);
    }
    free(deleted.v);
}
