/* modules/protocol/p3/upadmin: the administration operations the MS, as an
 * MTS-user, invokes on the upstream MTA over mts-access (X.411 8.4, on
 * id-as-mase): register (8.4.1.1, opcode 1) and change-credentials
 * (8.4.1.2, opcode 8). Encoders of their arguments, shared by the submission
 * initiator (upstream.c) and x400ms-mta serve's checks. */
#ifndef X400MS_P3_UPADMIN_H
#define X400MS_P3_UPADMIN_H

#include "asn1/ber.h"
#include "asn1/orname.h"

/* RegisterArgument ::= SET { user-name UserName OPTIONAL, ... } with only
 * user-name (an ORName, [APPLICATION 0]) - X.411 8.4.1.1.1.1. */
int p3_register_arg_encode(struct ber_writer *w, const struct or_address *user_name);

/* ChangeCredentialsArgument ::= SET { old-credentials [0] Credentials,
 * new-credentials [1] Credentials }, both simple (X.411 8.4.1.2.1). */
int p3_change_credentials_arg_encode(struct ber_writer *w, const char *old_password,
                                     const char *new_password);

#endif
