/* admin-api: the "mta-accounts" service (include/x400ms/mta_accounts.h). */
#ifndef ADMIN_MTA_ACCOUNTS_H
#define ADMIN_MTA_ACCOUNTS_H

#include "x400ms/mta_accounts.h"

struct admin_mta_accounts;

extern const struct x400ms_mta_accounts_ops admin_mta_accounts_ops;

/* Loads the accounts file (a missing file is an empty set). Errors name the
 * file and what is wrong in it. */
int admin_mta_accounts_open(const char *path, struct admin_mta_accounts **mtas_r,
                            struct x400ms_error *err);
void admin_mta_accounts_free(struct admin_mta_accounts *mtas);
/* Password KDF iterations (0: the default); tests lower it. */
void admin_mta_accounts_set_iterations(struct admin_mta_accounts *mtas, unsigned iterations);

#endif
