/* x400ms public API: the MTA accounts allowed to deliver over P3.
 *
 * An MTA binding to the MS over P3 (X.411 8.1.1.1 MTS-bind, simple
 * credentials) names itself and gives a password. The service "mta-accounts"
 * (kind X400MS_SERVICE_OTHER) keeps those accounts: a name and a password
 * hash made like mailbox passwords (x400ms_password_hash, store.h). The
 * admin API module registers it during its init() and manages it through
 * GET/POST /api/v1/mtas and DELETE /api/v1/mtas/{name}; the accounts are
 * persisted as one file in the data directory, replaced atomically (write a
 * temporary file, fsync, rename, fsync the directory) on every change.
 *
 * The P3 module finds it in its start():
 *
 *   void *ctx;
 *   const struct x400ms_mta_accounts_ops *mtas = x400ms_mta_accounts_find(core, &ctx);
 *   ...
 *   rc = mtas->verify(ctx, initiator_name, password, password_len, &err);
 *   // 0: accepted; X400MS_EAUTH: unknown MTA or wrong password (the same
 *   // answer for both, so a peer cannot probe names)
 *
 * Thread-safe; verify() runs the KDF (tens of milliseconds) outside any lock. */
#ifndef X400MS_MTA_ACCOUNTS_H
#define X400MS_MTA_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>
#include "x400ms/core.h"
#include "x400ms/error.h"

#define X400MS_MTA_ACCOUNTS_SERVICE "mta-accounts"
#define X400MS_MTA_NAME_MAX 64 /* [A-Za-z0-9._-], not starting with '.' */

struct x400ms_mta_account_info {
    const char *name;
    int64_t created;          /* seconds since 1970 UTC */
};
typedef int x400ms_mta_account_visit_fn(void *arg, const struct x400ms_mta_account_info *info);

struct x400ms_mta_accounts_ops {
    size_t size; /* sizeof(struct x400ms_mta_accounts_ops) */
    /* Adds an account; X400MS_EEXIST when the name is taken, X400MS_EINVAL
     * for a bad name or an empty password. Durable on return. */
    int (*add)(void *ctx, const char *name, const char *password, size_t password_len,
               struct x400ms_error *err);
    /* Replaces the password; X400MS_ENOENT when unknown. Durable on return. */
    int (*set_password)(void *ctx, const char *name, const char *password, size_t password_len,
                        struct x400ms_error *err);
    /* Removes an account; X400MS_ENOENT when unknown. Durable on return. */
    int (*remove)(void *ctx, const char *name, struct x400ms_error *err);
    /* Visits every account in name order; stops when fn returns non-zero. */
    int (*list)(void *ctx, x400ms_mta_account_visit_fn *fn, void *arg, struct x400ms_error *err);
    /* 0 when name exists and password matches (constant-time compare),
     * X400MS_EAUTH otherwise. */
    int (*verify)(void *ctx, const char *name, const char *password, size_t password_len,
                  struct x400ms_error *err);
};

static inline const struct x400ms_mta_accounts_ops *
x400ms_mta_accounts_find(const struct x400ms_core *core, void **ctx_r)
{
    const struct x400ms_mta_accounts_ops *ops = (const struct x400ms_mta_accounts_ops *)
        x400ms_service_find(core, X400MS_SERVICE_OTHER, X400MS_MTA_ACCOUNTS_SERVICE, ctx_r);
    if (ops != NULL && ops->size < offsetof(struct x400ms_mta_accounts_ops, verify) +
                                       sizeof ops->verify)
        return NULL;
    return ops;
}

#endif
