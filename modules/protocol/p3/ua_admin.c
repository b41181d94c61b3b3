/* modules/protocol/p3/ua_admin.c: change-credentials (8) from a bound UA
 * (X.411 8.4.1.2, administration port): the UA changes the simple password
 * the MS holds for it - the password of its mailbox, the same one P7 and
 * the MTS-bind check. The old password is verified and the new one hashed
 * on p3's pool (PBKDF2 is slow); the mailbox keeps its address and
 * settings. Errors: old-credentials-incorrectly-specified (15),
 * new-credentials-unacceptable (14: empty, or not simple). */
#define X400MS_LOG_MODULE "p3"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/mts.h"
#include "modules/protocol/p3/p3.h"
#include "modules/protocol/p3/ua_session.h"
#include "x400ms/log.h"

struct cred_task {
    struct ua_session *s;
    int64_t invoke_id;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    char old_pw[MTS_UB_PASSWORD + 1], new_pw[MTS_UB_PASSWORD + 1];
    size_t old_len, new_len;
    int64_t errcode;                 /* 0: changed */
    char why[600];
};

struct info_copy {
    char or_address[X400MS_STORE_ADDRESS_MAX];
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    struct x400ms_store_settings settings;
};

static int copy_info(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct info_copy *c = arg;
    snprintf(c->or_address, sizeof c->or_address, "%s", info->or_address ? info->or_address : "");
    snprintf(c->hash, sizeof c->hash, "%s", info->password_hash ? info->password_hash : "");
    c->settings = info->settings;
    return 0;
}

/* Pool thread. */
static void cred_work(void *arg)
{
    struct cred_task *t = arg;
    struct p3_module *m = t->s->ua->m;
    struct x400ms_error err = { 0 };
    struct info_copy c;
    memset(&c, 0, sizeof c);
    if (m->store->mailbox_get(m->store_ctx, t->mailbox, NULL, copy_info, &c, &err) < 0) {
        t->errcode = MTS_ERR_REMOTE_BIND_ERROR;
        snprintf(t->why, sizeof t->why, "mailbox %s: %s", t->mailbox, err.message);
        return;
    }
    if (c.hash[0] == '\0' || x400ms_password_verify(t->old_pw, t->old_len, c.hash, &err) != 0) {
        t->errcode = MTS_ERR_OLD_CREDENTIALS_INCORRECTLY_SPECIFIED;
        snprintf(t->why, sizeof t->why, "the old password does not match");
        return;
    }
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    if (x400ms_password_hash(t->new_pw, t->new_len, 0, hash, sizeof hash, &err) < 0) {
        t->errcode = MTS_ERR_NEW_CREDENTIALS_UNACCEPTABLE;
        snprintf(t->why, sizeof t->why, "new password: %s", err.message);
        return;
    }
    struct x400ms_store_mailbox_info info;
    memset(&info, 0, sizeof info);
    info.name = t->mailbox;
    info.or_address = c.or_address;
    info.password_hash = hash;
    info.settings = c.settings;
    if (m->store->mailbox_update(m->store_ctx, t->mailbox, &info, &err) < 0) {
        t->errcode = MTS_ERR_REMOTE_BIND_ERROR;
        snprintf(t->why, sizeof t->why, "mailbox %s not updated: %s", t->mailbox, err.message);
    }
}

static void cred_done(void *arg)
{
    struct cred_task *t = arg;
    struct ua_session *s = t->s;
    if (!s->dead) {
        if (t->errcode != 0) {
            X400MS_LOG_W("peer %s: P3 user %s: change-credentials refused (X.411 error %lld): %s",
                         s->peer, s->mailbox, (long long)t->errcode, t->why);
            x400ms_assoc_error(s->a, t->invoke_id, t->errcode, X400MS_NO_BYTES);
        } else {
            static const uint8_t null_result[] = { 0x05, 0x00 }; /* RESULT NULL */
            X400MS_LOG_N("peer %s: P3 user %s changed its password (change-credentials)", s->peer,
                         s->mailbox);
            x400ms_assoc_reply(s->a, t->invoke_id, X400MS_BYTES(null_result, sizeof null_result));
        }
    }
    ua_session_unref(s);
    explicit_bzero(t, sizeof *t);
    free(t);
}

/* ChangeCredentialsArgument ::= SET { old-credentials [0] Credentials
 * (WITH COMPONENTS { simple }), new-credentials [1] Credentials (idem) }. */
static int decode(struct ber_slice in, struct cred_task *t, bool *simple_r, struct ber_error *be)
{
    struct ber_ctx c;
    struct ber_tlv top, tlv;
    struct ber_iter it;
    struct mts_credentials oldc, newc;
    bool have_old = false, have_new = false;
    ber_ctx_init(&c, in.ptr, in.len, be);
    int rc = ber_decode_top(&c, &top, "ChangeCredentialsArgument");
    if (rc >= 0)
        rc = ber_enter(&c, &top, &it, "ChangeCredentialsArgument");
    while (rc >= 0 && (rc = ber_next(&it, &tlv)) > 0) {
        if (tlv.tag == BER_CTX(0)) {
            rc = mts_credentials_decode_tlv(&c, &tlv, &oldc, "old-credentials");
            have_old = true;
        } else if (tlv.tag == BER_CTX(1)) {
            rc = mts_credentials_decode_tlv(&c, &tlv, &newc, "new-credentials");
            have_new = true;
        }
    }
    if (rc < 0)
        return rc;
    if (!have_old || !have_new)
        return ber_fail(&c, top.start, X400MS_EPROTO, "ChangeCredentialsArgument",
                        "old-credentials and new-credentials are both required");
    *simple_r = oldc.kind == MTS_CRED_SIMPLE && newc.kind == MTS_CRED_SIMPLE;
    if (*simple_r) {
        t->old_len = oldc.password.len > MTS_UB_PASSWORD ? MTS_UB_PASSWORD : oldc.password.len;
        t->new_len = newc.password.len > MTS_UB_PASSWORD ? MTS_UB_PASSWORD : newc.password.len;
        memcpy(t->old_pw, oldc.password.ptr, t->old_len);
        memcpy(t->new_pw, newc.password.ptr, t->new_len);
    }
    return 0;
}

void ua_change_credentials(struct ua_session *s, const struct x400ms_invoke *inv)
{
    struct cred_task *t = calloc(1, sizeof *t);
    if (t == NULL) {
        x400ms_assoc_reject(s->a, inv->invoke_id, X400MS_ROSE_INVOKE_RESOURCE_LIMITATION);
        return;
    }
    bool simple = false;
    struct ber_error be = { 0 };
    if (inv->argument.len == 0 ||
        decode(ber_slice_make(inv->argument.ptr, inv->argument.len), t, &simple, &be) < 0) {
        char msg[200];
        X400MS_LOG_W("peer %s: P3 user %s: ChangeCredentialsArgument malformed (%s): rejected",
                     s->peer, s->mailbox,
                     inv->argument.len ? ber_error_format(&be, msg, sizeof msg) : "absent");
        x400ms_assoc_reject(s->a, inv->invoke_id, X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT);
        free(t);
        return;
    }
    if (!simple || t->new_len == 0) {
        X400MS_LOG_W("peer %s: P3 user %s: change-credentials refused: the new password must be "
                     "a non-empty simple password", s->peer, s->mailbox);
        x400ms_assoc_error(s->a, inv->invoke_id, MTS_ERR_NEW_CREDENTIALS_UNACCEPTABLE,
                           X400MS_NO_BYTES);
        explicit_bzero(t, sizeof *t);
        free(t);
        return;
    }
    t->s = s;
    t->invoke_id = inv->invoke_id;
    snprintf(t->mailbox, sizeof t->mailbox, "%s", s->mailbox);
    ua_session_ref(s);
    if (p3_pool_submit(s->ua->m->pool, s->loop, cred_work, cred_done, t) < 0) {
        ua_session_unref(s);
        explicit_bzero(t, sizeof *t);
        free(t);
        x400ms_assoc_reject(s->a, inv->invoke_id, X400MS_ROSE_INVOKE_RESOURCE_LIMITATION);
    }
}
