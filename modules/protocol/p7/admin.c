/* The operation dispatch, the administration port (Register-MS, X.413
 * 8.2.7) and Modify (X.413 1994, 8.2.9); the MS-submission port is in
 * submit.c. */
#define X400MS_LOG_MODULE "p7"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/protocol/p7/p7.h"
#include "x400ms/autoaction.h"
#include "x400ms/log.h"

void p7_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    (void)ctx;
    struct p7_session *s = x400ms_assoc_user(a);
    if (s == NULL || !s->bound) {
        p7_metrics_count(p7_metrics_op_of(inv->opcode), P7_MRES_REJECT);
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
        return;
    }
    p7_metrics_invoked(s, inv->invoke_id, inv->opcode);
    switch (inv->opcode) {
    case MS_OP_SUMMARIZE: p7_op_summarize(s, inv); break;
    case MS_OP_LIST: p7_op_list(s, inv); break;
    case MS_OP_FETCH: p7_op_fetch(s, inv); break;
    case MS_OP_DELETE: p7_op_delete(s, inv); break;
    case MS_OP_REGISTER_MS: p7_op_register(s, inv); break;
    case MS_OP_MODIFY: p7_op_modify(s, inv); break;
    case MS_OP_MESSAGE_SUBMISSION:
    case MS_OP_PROBE_SUBMISSION:
    case MS_OP_CANCEL_DEFERRED_DELIVERY:
    case MS_OP_SUBMISSION_CONTROL:
        p7_op_submission(s, inv);
        break;
    default:
        p7_send_reject(s, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
        break;
    }
}

/* ---- Register-MS ---- */

/* Applies the parts of a Register-MSArgument that need no password check to
 * r. Returns 0, or 1 with the error sent. */
static int register_apply(struct p7_session *s, int64_t invoke_id, const struct ms_register_arg *arg,
                          struct p7_registrations *r)
{
    struct ber_error be;
    memset(&be, 0, sizeof be);
    int rc;
    void *aa_ctx = NULL;
    const struct x400ms_autoaction_registry_ops *aa = x400ms_autoaction_registry_find(s->m->core, &aa_ctx);
    if (arg->has_registrations) {
        struct mhs_seq_iter it;
        struct ms_auto_action_registration reg;
        struct ms_problem probs[8];
        uint32_t n_probs = 0;
        mhs_seq_iter_init(&it, &arg->registrations, &be);
        while ((rc = ms_auto_action_registration_next(&it, &reg)) == 1) {
            char type[128];
            if (ber_oid_to_text(reg.type, type, sizeof type) < 0)
                continue;
            /* dispatched by type to the auto-action registry (X400MS_SERVICE_AUTOACTION) */
            if (x400ms_service_find(s->m->core, X400MS_SERVICE_AUTOACTION, type, NULL) == NULL) {
                if (n_probs < 8) {
                    memset(&probs[n_probs], 0, sizeof probs[0]);
                    probs[n_probs].problem = 0; /* unavailable-auto-action-type */
                    probs[n_probs].type = reg.type;
                    probs[n_probs].sequence_number = -1;
                    n_probs++;
                }
                continue;
            }
            /* the dispatcher (modules/action/autoaction) keeps and runs it */
            if (aa != NULL) {
                struct x400ms_error aerr;
                int arc = aa->register_ber(aa_ctx, s->mailbox, type, reg.registration_id,
                                           reg.parameter.ptr, reg.parameter.len, &aerr);
                if (arc < 0) {
                    X400MS_LOG_I("peer %s: auto-action %s: %s", s->peer, type, aerr.message);
                    if (n_probs < 8) {
                        memset(&probs[n_probs], 0, sizeof probs[0]);
                        /* X.413 AutoActionRequestProblem: unavailable-auto-action-type
                         * (0) when unknown, else auto-action-type-incompatible-with-
                         * service (1): the parameter is not acceptable */
                        probs[n_probs].problem = arc == X400MS_ENOENT ? 0 : 1;
                        probs[n_probs].type = reg.type;
                        probs[n_probs].sequence_number = -1;
                        n_probs++;
                    }
                    continue;
                }
            }
            size_t k;
            for (k = 0; k < r->n_auto_actions; k++)
                if (strcmp(r->auto_actions[k].type, type) == 0 &&
                    r->auto_actions[k].id == reg.registration_id)
                    break;
            if (k == r->n_auto_actions) {
                if (k >= P7_MAX_AUTO_ACTIONS) {
                    struct ms_simple_error e;
                    memset(&e, 0, sizeof e);
                    e.code = MS_ERR_REGISTER_MS;
                    e.problem = 2; /* registration-limit-exceeded */
                    static const uint8_t types[] = { 0x31, 0x00 };
                    e.raw = ber_slice_make(types, sizeof types);
                    p7_error_simple(s, invoke_id, &e);
                    return 1;
                }
                r->n_auto_actions++;
            } else {
                free(r->auto_actions[k].parameter);
            }
            struct p7_auto_action *x = &r->auto_actions[k];
            memset(x, 0, sizeof *x);
            snprintf(x->type, sizeof x->type, "%s", type);
            x->id = reg.registration_id;
            if (reg.parameter.len > 0 && (x->parameter = malloc(reg.parameter.len)) != NULL) {
                memcpy(x->parameter, reg.parameter.ptr, reg.parameter.len);
                x->parameter_len = reg.parameter.len;
            }
        }
        if (rc < 0) {
            p7_reject_mistyped(s, invoke_id, "Register-MS", &be);
            return 1;
        }
        if (n_probs > 0) {
            char text[128] = "?";
            ber_oid_to_text(probs[0].type, text, sizeof text);
            X400MS_LOG_I("peer %s: auto-action type %s is not available", s->peer, text);
            struct ms_problem_error e;
            memset(&e, 0, sizeof e);
            e.code = MS_ERR_AUTO_ACTION_REQUEST;
            e.problems = probs;
            e.n_problems = e.max_problems = n_probs;
            p7_error_problems(s, invoke_id, &e);
            return 1;
        }
    }
    if (arg->has_deregistrations) {
        struct mhs_seq_iter it;
        struct ber_slice type;
        int64_t id;
        mhs_seq_iter_init(&it, &arg->deregistrations, &be);
        while ((rc = ms_deregistration_next(&it, &type, &id)) == 1) {
            char text[128];
            if (ber_oid_to_text(type, text, sizeof text) < 0)
                continue;
            if (aa != NULL) {
                struct x400ms_error aerr;
                if (aa->deregister(aa_ctx, s->mailbox, text, id, &aerr) < 0)
                    X400MS_LOG_D("peer %s: deregistering %s %lld: %s", s->peer, text,
                                 (long long)id, aerr.message);
            }
            for (size_t k = 0; k < r->n_auto_actions; k++) {
                if (strcmp(r->auto_actions[k].type, text) != 0 || r->auto_actions[k].id != id)
                    continue;
                free(r->auto_actions[k].parameter);
                r->auto_actions[k] = r->auto_actions[--r->n_auto_actions];
                break;
            }
        }
        if (rc < 0) {
            p7_reject_mistyped(s, invoke_id, "Register-MS", &be);
            return 1;
        }
    }
    const struct ms_oid_list *lists[2] = { &arg->list_attribute_defaults,
                                           &arg->fetch_attribute_defaults };
    for (int l = 0; l < 2; l++) {
        if (!lists[l]->present)
            continue;
        int *out = l == 0 ? r->list_defaults : r->fetch_defaults;
        size_t *n = l == 0 ? &r->n_list_defaults : &r->n_fetch_defaults;
        *n = 0;
        *(l == 0 ? &r->has_list_defaults : &r->has_fetch_defaults) = true;
        struct mhs_seq_iter it;
        struct ber_slice oid;
        mhs_seq_iter_init(&it, &lists[l]->raw, &be);
        while ((rc = ms_oid_next(&it, &oid)) == 1) {
            int idx = p7_attr_find(oid);
            if (idx < 0) {
                p7_error_attribute(s, invoke_id, 1, oid); /* unavailable-attribute-type */
                return 1;
            }
            if (*n < P7_MAX_ATTR_DEFAULTS)
                out[(*n)++] = idx;
        }
        if (rc < 0) {
            p7_reject_mistyped(s, invoke_id, "Register-MS", &be);
            return 1;
        }
    }
    if (arg->ua_registrations.len > 0) {
        free(r->ua_registrations);
        r->ua_registrations = malloc(arg->ua_registrations.len);
        if (r->ua_registrations != NULL) {
            memcpy(r->ua_registrations, arg->ua_registrations.ptr, arg->ua_registrations.len);
            r->ua_registrations_len = arg->ua_registrations.len;
        }
    }
    return 0;
}

static int copy_regs(struct p7_registrations *dst, const struct p7_registrations *src)
{
    *dst = *src;
    for (size_t i = 0; i < src->n_auto_actions; i++) {
        dst->auto_actions[i].parameter = NULL;
        if (src->auto_actions[i].parameter != NULL) {
            dst->auto_actions[i].parameter = malloc(src->auto_actions[i].parameter_len);
            if (dst->auto_actions[i].parameter == NULL)
                return X400MS_ENOMEM;
            memcpy(dst->auto_actions[i].parameter, src->auto_actions[i].parameter,
                   src->auto_actions[i].parameter_len);
        }
    }
    dst->ua_registrations = NULL;
    if (src->ua_registrations != NULL) {
        dst->ua_registrations = malloc(src->ua_registrations_len);
        if (dst->ua_registrations == NULL)
            return X400MS_ENOMEM;
        memcpy(dst->ua_registrations, src->ua_registrations, src->ua_registrations_len);
    }
    return 0;
}

static void register_result(struct p7_session *s, int64_t invoke_id, bool status_requested)
{
    if (!s->is94 || !status_requested) {
        p7_reply_null(s, invoke_id); /* no-status-information NULL */
        return;
    }
    /* registered-information SET { auto-action-registrations [0],
     * list-attribute-defaults [1], fetch-attribute-defaults [2] } */
    struct ber_writer w;
    ber_writer_init(&w);
    ber_mark_t top = ber_mark(&w);
    const struct p7_registrations *r = &s->regs;
    for (int l = 1; l >= 0; l--) {
        const int *idx = l == 0 ? r->list_defaults : r->fetch_defaults;
        size_t n = l == 0 ? r->n_list_defaults : r->n_fetch_defaults;
        if (n == 0)
            continue;
        ber_mark_t m = ber_mark(&w);
        for (size_t i = n; i-- > 0;)
            ber_put_oid(&w, BER_UNIV(BER_OID), ber_slice_make(p7_attrs[idx[i]].enc,
                                                              p7_attrs[idx[i]].enc_len));
        ber_wrap(&w, m, BER_UNIV(BER_SET), true);
        ber_wrap(&w, m, BER_CTX(l + 1), true);
    }
    if (r->n_auto_actions > 0) {
        ber_mark_t m = ber_mark(&w);
        for (size_t i = r->n_auto_actions; i-- > 0;) {
            const struct p7_auto_action *x = &r->auto_actions[i];
            ber_mark_t e = ber_mark(&w);
            if (x->parameter != NULL) {
                ber_mark_t p = ber_mark(&w);
                ber_put_raw(&w, x->parameter, x->parameter_len);
                ber_wrap(&w, p, BER_CTX(1), true);
            }
            if (x->id != 1)
                mhs_put_explicit_int(&w, 0, x->id);
            ber_put_oid_text(&w, BER_UNIV(BER_OID), x->type);
            ber_wrap(&w, e, BER_UNIV(BER_SEQUENCE), true);
        }
        ber_wrap(&w, m, BER_UNIV(BER_SET), true);
        ber_wrap(&w, m, BER_CTX(0), true);
    }
    ber_wrap(&w, top, BER_UNIV(BER_SET), true);
    p7_reply_writer(s, invoke_id, &w);
    ber_writer_free(&w);
}

/* Decodes, applies, persists and answers; the argument must be valid now. */
static void register_finish(struct p7_session *s, int64_t invoke_id, struct ber_slice in)
{
    struct ms_register_arg arg;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (ms_register_arg_decode(in, &arg, &be) < 0) {
        p7_reject_mistyped(s, invoke_id, "Register-MS", &be);
        return;
    }
    /* start from what is on disk: another UA of the mailbox may have
     * registered meanwhile */
    struct p7_registrations cur, next;
    p7_regs_load(s->m, s->mailbox, &cur);
    if (copy_regs(&next, &cur) < 0) {
        p7_regs_free(&cur);
        p7_error_service(s, invoke_id, 0, "out of memory");
        return;
    }
    p7_regs_free(&cur);
    if (register_apply(s, invoke_id, &arg, &next) != 0) {
        p7_regs_free(&next);
        return;
    }
    if (p7_regs_save(s->m, s->mailbox, &next) < 0) {
        p7_regs_free(&next);
        p7_error_service(s, invoke_id, 0, "cannot record the registration");
        return;
    }
    p7_regs_free(&s->regs);
    s->regs = next;
    register_result(s, invoke_id, arg.registration_status_request.len > 0);
}

/* change-credentials runs on the job thread: verify the old password, hash
 * the new one, update the mailbox. */
struct cred_job {
    struct p7_module *m;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    char old_pw[64], new_pw[64];
    size_t old_len, new_len;
    int64_t invoke_id;
    uint8_t *argument;
    size_t argument_len;
    int result;                   /* 0 ok, 1 wrong old credentials, < 0 failure */
};

struct info_copy {
    struct x400ms_store_mailbox_info info;
    char or_address[X400MS_STORE_ADDRESS_MAX];
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
};

static int copy_info(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct info_copy *c = arg;
    c->info = *info;
    snprintf(c->or_address, sizeof c->or_address, "%s", info->or_address ? info->or_address : "");
    snprintf(c->hash, sizeof c->hash, "%s", info->password_hash ? info->password_hash : "");
    c->info.or_address = c->or_address;
    c->info.password_hash = c->hash;
    c->info.name = NULL;
    return 0;
}

static void cred_change(void *arg)
{
    struct cred_job *j = arg;
    struct x400ms_error err;
    struct info_copy c;
    memset(&c, 0, sizeof c);
    j->result = X400MS_EIO;
    if (j->m->store->mailbox_get(j->m->store_ctx, j->mailbox, NULL, copy_info, &c, &err) < 0)
        goto out;
    if (x400ms_password_verify(j->old_pw, j->old_len, c.hash, &err) != 0) {
        j->result = 1;
        goto out;
    }
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    if (x400ms_password_hash(j->new_pw, j->new_len, 0, hash, sizeof hash, &err) < 0)
        goto out;
    c.info.password_hash = hash;
    if (j->m->store->mailbox_update(j->m->store_ctx, j->mailbox, &c.info, &err) < 0)
        goto out;
    j->result = 0;
out:
    explicit_bzero(j->old_pw, sizeof j->old_pw);
    explicit_bzero(j->new_pw, sizeof j->new_pw);
}

static void cred_changed(struct p7_session *s, void *arg)
{
    struct cred_job *j = arg;
    if (s != NULL) {
        if (j->result == 0) {
            X400MS_LOG_N("peer %s: mailbox %s: credentials changed", s->peer, s->mailbox);
            register_finish(s, j->invoke_id, ber_slice_make(j->argument, j->argument_len));
        } else if (j->result == 1) {
            X400MS_LOG_N("peer %s: mailbox %s: change-credentials with wrong old credentials",
                         s->peer, s->mailbox);
            p7_error_security(s, j->invoke_id, 1); /* authentication-problem */
        } else {
            p7_error_service(s, j->invoke_id, 0, "cannot update the credentials");
        }
    }
    free(j->argument);
    free(j);
}

void p7_op_register(struct p7_session *s, const struct x400ms_invoke *inv)
{
    struct ms_register_arg arg;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ber_slice in = ber_slice_make(inv->argument.ptr, inv->argument.len);
    if (ms_register_arg_decode(in, &arg, &be) < 0) {
        p7_reject_mistyped(s, inv->invoke_id, "Register-MS", &be);
        return;
    }
    if (!arg.has_change_credentials) {
        register_finish(s, inv->invoke_id, in);
        return;
    }
    if (arg.old_credentials.kind != MTS_CRED_SIMPLE || arg.new_credentials.kind != MTS_CRED_SIMPLE ||
        arg.old_credentials.password.len >= 64 || arg.new_credentials.password.len >= 64) {
        p7_error_security(s, inv->invoke_id, 1);
        return;
    }
    struct cred_job *j = calloc(1, sizeof *j);
    if (j == NULL || (j->argument = malloc(in.len ? in.len : 1)) == NULL) {
        free(j);
        p7_error_service(s, inv->invoke_id, 0, "out of memory");
        return;
    }
    j->m = s->m;
    snprintf(j->mailbox, sizeof j->mailbox, "%s", s->mailbox);
    memcpy(j->old_pw, arg.old_credentials.password.ptr, arg.old_credentials.password.len);
    j->old_len = arg.old_credentials.password.len;
    memcpy(j->new_pw, arg.new_credentials.password.ptr, arg.new_credentials.password.len);
    j->new_len = arg.new_credentials.password.len;
    j->invoke_id = inv->invoke_id;
    memcpy(j->argument, in.ptr, in.len);
    j->argument_len = in.len;
    if (p7_run_job(s, cred_change, cred_changed, j) < 0) {
        free(j->argument);
        free(j);
        p7_error_service(s, inv->invoke_id, 0, "busy");
    }
}

/* ---- Modify (X.413 1994, 8.2.9): retrieval-status only ---- */

static int modify_collect(void *arg, const struct x400ms_store_attrs *a)
{
    uint32_t **pp = arg;
    uint32_t *v = pp[0];
    size_t *n = (size_t *)pp[1];
    size_t *cap = (size_t *)pp[2];
    if (*n >= *cap)
        return 1;
    v[(*n)++] = a->seq;
    return 0;
}

void p7_op_modify(struct p7_session *s, const struct x400ms_invoke *inv)
{
    struct ms_modify_arg arg;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (ms_modify_arg_decode(ber_slice_make(inv->argument.ptr, inv->argument.len), &arg, &be) < 0) {
        p7_reject_mistyped(s, inv->invoke_id, "Modify", &be);
        return;
    }
    enum x400ms_store_box box;
    if (!p7_box_of(s, arg.entry_class, &box)) {
        p7_error_entry_class(s, inv->invoke_id, arg.entry_class);
        return;
    }
    /* The one modification supported: retrieval-status (add-attribute). */
    int64_t status = -1;
    struct mhs_seq_iter it;
    struct ms_modification mod;
    int rc;
    mhs_seq_iter_init(&it, &arg.modifications, &be);
    while ((rc = ms_modification_next(&it, &mod)) == 1) {
        struct ber_slice type = mod.kind == MS_MOD_ADD_ATTRIBUTE ? mod.attribute.type : mod.type;
        int idx = mod.kind == MS_MOD_ADD_ATTRIBUTE ? p7_attr_find(type) : -1;
        if (idx < 0 || p7_attrs[idx].id != X400MS_ATTR_STATUS) {
            if (mod.kind != MS_MOD_ADD_ATTRIBUTE && mod.kind != MS_MOD_REMOVE_ATTRIBUTE) {
                /* add-values / remove-values: the OrderedAttribute's type */
                static const uint8_t status_oid[] = { 0x56, 0x04, 0x03, 0x0f };
                type = ber_slice_make(status_oid, sizeof status_oid);
            }
            p7_error_attribute(s, inv->invoke_id, 5, type); /* inappropriate-modification */
            return;
        }
        struct mhs_seq_iter vi;
        struct ber_tlv vt;
        mhs_seq_iter_init(&vi, &mod.attribute.values, &be);
        if (mhs_seq_iter_next(&vi, &vt) != 1 || ber_get_int64(&vi.ctx, &vt, "retrieval-status", &status) < 0 ||
            status < 0 || status > 2) {
            p7_error_attribute(s, inv->invoke_id, 0, type); /* invalid-attribute-value */
            return;
        }
    }
    if (rc < 0) {
        p7_reject_mistyped(s, inv->invoke_id, "Modify", &be);
        return;
    }
    size_t cap = 100000, n = 0;
    uint32_t *seqs = malloc(cap * sizeof *seqs);
    if (seqs == NULL) {
        p7_error_service(s, inv->invoke_id, 0, "out of memory");
        return;
    }
    struct x400ms_error err;
    if (arg.by_selector) {
        struct p7_filter_arena *ar = malloc(sizeof *ar);
        struct x400ms_store_selector sel;
        int kind;
        if (ar == NULL || p7_selector_translate(&arg.selector, box, ar, &sel, &kind) < 0) {
            if (ar != NULL && kind == 1)
                p7_error_attribute(s, inv->invoke_id, ar->problem, ar->bad_type);
            else if (ar != NULL && kind == 2)
                p7_error_range(s, inv->invoke_id);
            else
                p7_error_invalid_parameters(s, inv->invoke_id, "bad selector");
            free(ar);
            free(seqs);
            return;
        }
        void *pp[3] = { seqs, &n, &cap };
        rc = s->m->store->select(s->mb, box, &sel, modify_collect, pp, NULL, &err);
        free(ar);
    } else {
        int64_t v;
        mhs_seq_iter_init(&it, &arg.specific_entries.raw, &be);
        while ((rc = ms_int_next(&it, &v)) == 1 && n < cap)
            seqs[n++] = (uint32_t)v;
        if (rc < 0) {
            free(seqs);
            p7_reject_mistyped(s, inv->invoke_id, "Modify", &be);
            return;
        }
        for (size_t i = 0; i < n; i++) {
            struct x400ms_store_entry *e;
            if (s->m->store->get(s->mb, box, seqs[i], X400MS_STORE_GET_ATTRS, &e, &err) < 0) {
                p7_error_seqnum(s, inv->invoke_id, &seqs[i], 1);
                free(seqs);
                return;
            }
            s->m->store->entry_free(e);
        }
    }
    int64_t *done = calloc(n ? n : 1, sizeof *done);
    size_t n_done = 0;
    for (size_t i = 0; done != NULL && i < n; i++) {
        struct x400ms_store_entry *e;
        if (s->m->store->get(s->mb, box, seqs[i], X400MS_STORE_GET_ATTRS, &e, &err) < 0)
            continue;
        uint8_t cur = e->attrs.status;
        s->m->store->entry_free(e);
        if (status >= 0 && status < cur) {
            /* the store's retrieval status only moves forward */
            X400MS_LOG_I("peer %s: modify of %u refused: status %u cannot go back to %lld",
                         s->peer, seqs[i], cur, (long long)status);
            struct ms_simple_error me;
            memset(&me, 0, sizeof me);
            me.code = MS_ERR_MODIFY;
            me.problem = 4; /* modify-restriction-problem */
            me.failing_entry = seqs[i];
            me.modification_number = 1;
            me.entries_modified.present = n_done > 0;
            me.entries_modified.arr = done;
            me.entries_modified.n = (uint32_t)n_done;
            p7_error_simple(s, inv->invoke_id, &me);
            free(done);
            free(seqs);
            return;
        }
        if (status >= 0 &&
            s->m->store->set_status(s->mb, box, seqs[i], (enum x400ms_store_status)status, &err) < 0)
            continue;
        done[n_done++] = seqs[i];
    }
    free(seqs);
    /* ModifyResult ::= SET { entries-modified [0] SEQUENCE OF SequenceNumber } */
    struct ber_writer w;
    ber_writer_init(&w);
    ber_mark_t top = ber_mark(&w);
    if (n_done > 0) {
        ber_mark_t m = ber_mark(&w);
        for (size_t i = n_done; i-- > 0;)
            ber_put_int64(&w, BER_UNIV(BER_INTEGER), done[i]);
        ber_wrap(&w, m, BER_UNIV(BER_SEQUENCE), true);
        ber_wrap(&w, m, BER_CTX(0), true);
    }
    ber_wrap(&w, top, BER_UNIV(BER_SET), true);
    p7_reply_writer(s, inv->invoke_id, &w);
    ber_writer_free(&w);
    free(done);
}
