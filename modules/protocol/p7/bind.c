/* MS-bind (X.413 8.1.1): the initiator name is matched against the
 * mailboxes' O/R addresses (X.411 matching, asn1/orname.h), the simple
 * credentials against the stored hash on the job thread (PBKDF2 is slow),
 * and a failure of either kind gets the same authentication-error after the
 * same delay, so that names cannot be probed. */
#define X400MS_LOG_MODULE "p7"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/orname.h"
#include "modules/protocol/p7/p7.h"
#include "x400ms/log.h"
#include "x400ms/loop.h"

/* What the mailbox lookup found, and the presented password. */
struct bind_job {
    struct p7_module *m;
    char password[64];
    size_t password_len;
    bool found;                   /* a mailbox has this name */
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    char or_address[X400MS_STORE_ADDRESS_MAX];
};

struct mailbox_match {
    const struct or_address *name;
    struct bind_job *job;
};

static int match_mailbox(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct mailbox_match *mm = arg;
    struct or_address addr;
    struct x400ms_error err;
    if (info->or_address == NULL ||
        or_address_parse(info->or_address, strlen(info->or_address), &addr, &err) < 0)
        return 0;
    if (!or_address_match(mm->name, &addr))
        return 0;
    mm->job->found = true;
    snprintf(mm->job->mailbox, sizeof mm->job->mailbox, "%s", info->name);
    snprintf(mm->job->hash, sizeof mm->job->hash, "%s",
             info->password_hash ? info->password_hash : "");
    snprintf(mm->job->or_address, sizeof mm->job->or_address, "%s", info->or_address);
    return 1; /* stop */
}

/* ---- answers ---- */

static void bind_failed_now(struct p7_session *s)
{
    /* MSBindError unqualified-error authentication-error(0) (X.413 8.1.1.3) */
    static const uint8_t auth_error[] = { 0x0a, 0x01, 0x00 };
    struct x400ms_assoc *a = s->a;
    p7_metrics_count(P7_MOP_BIND, P7_MRES_ERROR);
    x400ms_assoc_set_user(a, NULL);
    p7_alert_session_end(s);
    s->dead = true;
    s->a = NULL;
    x400ms_assoc_bind_error(a, X400MS_BYTES(auth_error, sizeof auth_error));
    p7_session_unref(s); /* the association's reference: no aborted() follows */
}

static void bind_delay_over(struct p7_session *s)
{
    s->delay_timer = NULL; /* one-shot: freed by the loop */
    bind_failed_now(s);
    p7_session_unref(s);   /* the timer's reference */
}

/* extra_ms: added to the delay when no password check ran (unknown name),
 * so that the answer comes as late as for a wrong password. */
static void bind_fail(struct p7_session *s, const char *why, uint64_t extra_ms)
{
    p7_run_bind_hook(s, false, false);
    uint64_t delay = (uint64_t)s->m->cfg.bind_failure_delay_ms + extra_ms;
    X400MS_LOG_N("peer %s: MS-bind refused (%s); answering authentication-error in %llu ms",
                 s->peer, why, (unsigned long long)delay);
    p7_session_ref(s);
    s->delay_timer = x400ms_timer_add(x400ms_assoc_loop(s->a), delay, false,
                                      bind_delay_over, s);
    if (s->delay_timer == NULL) {
        p7_session_unref(s);
        bind_failed_now(s);
    }
}

/* OIDs of the registered auto-action types, for the bind result. */
struct oid_collect {
    uint8_t (*buf)[P7_OID_MAX];
    struct ber_slice *arr;
    uint32_t n, max;
};

static int collect_auto_action(void *arg, const char *name, const char *module, const void *ops,
                               void *ctx)
{
    (void)module;
    (void)ops;
    (void)ctx;
    struct oid_collect *oc = arg;
    if (oc->n >= oc->max)
        return 1;
    int n = ber_oid_from_text(name, oc->buf[oc->n], P7_OID_MAX);
    if (n > 0) {
        oc->arr[oc->n] = ber_slice_make(oc->buf[oc->n], (size_t)n);
        oc->n++;
    }
    return 0;
}

static void bind_accept(struct p7_session *s, bool configuration)
{
    struct ms_bind_result r;
    memset(&r, 0, sizeof r);
    r.credentials.kind = MTS_CRED_SIMPLE; /* responder-credentials: empty simple password */
    r.credentials.password = ber_slice_make("", 0);

    static const char *const content_types[] = { "2.6.1.10.0", "2.6.1.10.1" };
    /* X.413 matching rules (2.6.4.8.n) and the X.520 ones the store applies */
    static const char *const matching_rules[] = { "2.6.4.8.6", "2.6.4.8.10", "2.6.4.8.11",
                                                  "2.6.4.8.14", "2.6.4.8.17", "2.5.13.14",
                                                  "2.5.13.15", "2.5.13.25", "2.5.13.26" };
    static const int64_t entry_classes[] = { MS_EC_DELIVERY, MS_EC_SUBMISSION };
    uint8_t aa_buf[32][P7_OID_MAX], ct_buf[2][P7_OID_MAX], mr_buf[9][P7_OID_MAX];
    struct ber_slice aa[32], at[64], ct[2], mr[9];

    if (configuration) {
        /* X.413 8.1.1.2: the configuration is returned when requested */
        struct oid_collect oc = { aa_buf, aa, 0, 32 };
        x400ms_service_foreach(s->m->core, X400MS_SERVICE_AUTOACTION, collect_auto_action, &oc);
        r.available_auto_actions.present = oc.n > 0;
        r.available_auto_actions.arr = aa;
        r.available_auto_actions.n = oc.n;
        uint32_t n_at = 0;
        for (size_t i = 0; i < p7_attr_count && n_at < 64; i++)
            at[n_at++] = ber_slice_make(p7_attrs[i].enc, p7_attrs[i].enc_len);
        r.available_attribute_types.present = true;
        r.available_attribute_types.arr = at;
        r.available_attribute_types.n = n_at;
        for (int i = 0; i < 2; i++)
            ct[i] = ber_slice_make(ct_buf[i], (size_t)ber_oid_from_text(content_types[i], ct_buf[i], P7_OID_MAX));
        r.content_types_supported.present = true;
        r.content_types_supported.arr = ct;
        r.content_types_supported.n = 2;
        if (s->is94) {
            r.entry_classes_supported.present = true;
            r.entry_classes_supported.arr = entry_classes;
            r.entry_classes_supported.n = 2;
            for (int i = 0; i < 9; i++)
                mr[i] = ber_slice_make(mr_buf[i], (size_t)ber_oid_from_text(matching_rules[i], mr_buf[i], P7_OID_MAX));
            r.matching_rules_supported.present = true;
            r.matching_rules_supported.arr = mr;
            r.matching_rules_supported.n = 9;
        }
    }
    /* alert-indication (X.413 8.1.1.1.2.5): an auto-alert fired while no UA
     * of the mailbox was bound; from now on alerts come to this session */
    r.alert_indication = p7_alert_session_bound(s);

    struct ber_writer w;
    ber_writer_init(&w);
    if (ms_bind_result_encode(&w, &r) < 0 || w.error) {
        X400MS_LOG_E("peer %s: cannot encode the MSBindResult: %s", s->peer, x400ms_strerror(w.error));
        ber_writer_free(&w);
        bind_failed_now(s);
        return;
    }
    s->bound = true;
    p7_metrics_count(P7_MOP_BIND, P7_MRES_OK);
    p7_run_bind_hook(s, false, true);
    x400ms_assoc_bind_accept(s->a, X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)));
    ber_writer_free(&w);
}

struct bind_state {
    struct bind_job job;
    bool configuration;
};

static void bind_verified(struct p7_session *s, bool ok, void *arg)
{
    struct bind_state *bs = arg;
    if (s == NULL) { /* the association died meanwhile */
        free(bs);
        return;
    }
    if (!ok) {
        bind_fail(s, "wrong password", 0);
        free(bs);
        return;
    }
    struct x400ms_error err;
    snprintf(s->mailbox, sizeof s->mailbox, "%s", bs->job.mailbox);
    snprintf(s->or_address, sizeof s->or_address, "%s", bs->job.or_address);
    int rc = s->m->store->mailbox_open(s->m->store_ctx, s->mailbox, &s->mb, &err);
    if (rc < 0) {
        X400MS_LOG_W("peer %s: mailbox %s: %s", s->peer, s->mailbox, err.message);
        bind_fail(s, "mailbox cannot be opened", 0);
        free(bs);
        return;
    }
    p7_regs_load(s->m, s->mailbox, &s->regs);
    X400MS_LOG_I("peer %s: MS-bind to mailbox %s (%s)", s->peer, s->mailbox,
                 s->m->ac[s->kind].name);
    bind_accept(s, bs->configuration);
    free(bs);
}

/* Restrictions ::= SET { allowed-content-types [0] SET OF OID, allowed-EITs
 * [1] SET OF OID, maximum-attribute-length [2] INTEGER } (X.413 8.1.1.1.1.4,
 * EXPLICIT tags). */
static int decode_restrictions(struct ber_slice in, struct p7_restrictions *r)
{
    struct ber_error be;
    struct ber_ctx c;
    struct ber_tlv t, mbr, inner, o;
    struct ber_iter it, set;
    memset(&be, 0, sizeof be);
    ber_ctx_init(&c, in.ptr, in.len, &be);
    int rc = ber_decode_top(&c, &t, "Restrictions");
    if (rc < 0)
        return rc;
    if (t.tag != BER_UNIV(BER_SET) || (rc = ber_enter(&c, &t, &it, "Restrictions")) < 0)
        return X400MS_EPROTO;
    while ((rc = ber_next(&it, &mbr)) == 1) {
        if ((rc = ber_explicit(&c, &mbr, &inner, "Restrictions")) < 0)
            return rc;
        switch (mbr.tag == BER_CTX(0) ? 0 : mbr.tag == BER_CTX(1) ? 1 : mbr.tag == BER_CTX(2) ? 2 : 3) {
        case 0:
            r->content_types = true;
            if ((rc = ber_enter(&c, &inner, &set, "allowed-content-types")) < 0)
                return rc;
            while ((rc = ber_next(&set, &o)) == 1) {
                struct ber_slice oid;
                if ((rc = ber_get_oid(&c, &o, "allowed-content-types", &oid)) < 0)
                    return rc;
                if (r->n_ct < P7_MAX_RESTRICTED_TYPES && oid.len <= P7_OID_MAX) {
                    memcpy(r->ct[r->n_ct], oid.ptr, oid.len);
                    r->ct_len[r->n_ct++] = oid.len;
                }
            }
            break;
        case 1:
            r->eits = true;
            break;
        case 2:
            if ((rc = ber_get_int64(&c, &inner, "maximum-attribute-length", &r->max_length)) < 0)
                return rc;
            r->has_max_length = true;
            break;
        default:
            break; /* extensible: ignore */
        }
        if (rc < 0)
            return rc;
    }
    return rc;
}

int p7_bind(void *ctx, struct x400ms_assoc *a, const struct x400ms_bind_request *req)
{
    struct p7_module *m = ctx;
    if (m->store == NULL)
        return X400MS_ESTATE;
    struct p7_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return X400MS_ENOMEM;
    s->m = m;
    s->a = a;
    s->refs = 1;
    s->kind = P7_AC_88;
    for (int k = 0; k < P7_AC_COUNT; k++)
        if (strcmp(m->ac[k].oid, req->context_oid) == 0)
            s->kind = (enum p7_context_kind)k;
    s->is94 = s->kind == P7_AC_94 || s->kind == P7_AC_R94;
    snprintf(s->peer, sizeof s->peer, "%s", x400ms_assoc_peer(a));

    struct ms_bind_arg arg;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    int rc = ms_bind_arg_decode(ber_slice_make(req->argument.ptr, req->argument.len), &arg, &be);
    if (rc < 0) {
        char text[200];
        ber_error_format(&be, text, sizeof text);
        X400MS_LOG_N("peer %s: MSBindArgument malformed: %s; association refused", s->peer, text);
        free(s);
        return X400MS_EPROTO;
    }
    if (arg.fetch_restrictions.len > 0 &&
        decode_restrictions(arg.fetch_restrictions, &s->restrictions) < 0) {
        X400MS_LOG_N("peer %s: fetch-restrictions malformed; association refused", s->peer);
        free(s);
        return X400MS_EPROTO;
    }
    struct bind_state *bs = calloc(1, sizeof *bs);
    if (bs == NULL) {
        free(s);
        return X400MS_ENOMEM;
    }
    bs->job.m = m;
    bs->configuration = arg.ms_configuration_request;
    x400ms_assoc_set_user(a, s);

    bool simple = arg.credentials.kind == MTS_CRED_SIMPLE &&
                  arg.credentials.password.len < sizeof bs->job.password;
    if (simple) {
        memcpy(bs->job.password, arg.credentials.password.ptr, arg.credentials.password.len);
        bs->job.password_len = arg.credentials.password.len;
        struct mailbox_match mm = { &arg.initiator_name, &bs->job };
        struct x400ms_error err;
        if (m->store->mailbox_list(m->store_ctx, match_mailbox, &mm, &err) < 0 && !bs->job.found)
            X400MS_LOG_W("peer %s: mailbox lookup: %s", s->peer, err.message);
    }
    /* Strong/protected credentials are not supported, and a mailbox without
     * a password is refused (X.413 leaves it to the MS): like an unknown
     * name, answered after the delay plus the time a check would take, so
     * that names cannot be probed, and without spending a check on them. */
    if (!bs->job.found || bs->job.hash[0] == '\0') {
        explicit_bzero(bs->job.password, sizeof bs->job.password);
        free(bs);
        bind_fail(s, simple ? "no mailbox has this O/R name or it has no password"
                            : "credentials are not simple", p7_verify_estimate_ms(m));
        return 0;
    }
    rc = p7_verify_check(s, bs->job.mailbox, bs->job.hash, bs->job.password,
                         bs->job.password_len, bind_verified, bs);
    explicit_bzero(bs->job.password, sizeof bs->job.password);
    if (rc < 0) {
        free(bs);
        bind_fail(s, "cannot queue the password check", 0);
    }
    return 0;
}
