/* modules/protocol/p3/upadmin.c: see upadmin.h. */
#include <string.h>

#include "asn1/mts.h"
#include "modules/protocol/p3/upadmin.h"

int p3_register_arg_encode(struct ber_writer *w, const struct or_address *user_name)
{
    ber_mark_t m = ber_mark(w);
    int rc = 0;
    if (user_name != NULL)
        rc = or_name_encode(w, BER_APP(0), user_name); /* UserName ::= ORName */
    if (rc >= 0)
        rc = ber_wrap(w, m, BER_UNIV(BER_SET), true);
    return rc;
}

static void simple(struct mts_credentials *c, const char *password)
{
    memset(c, 0, sizeof *c);
    c->kind = MTS_CRED_SIMPLE;
    c->password = ber_slice_make(password, strlen(password));
}

int p3_change_credentials_arg_encode(struct ber_writer *w, const char *old_password,
                                     const char *new_password)
{
    struct mts_credentials oldc, newc;
    simple(&oldc, old_password);
    simple(&newc, new_password);
    ber_mark_t m = ber_mark(w);
    /* the writer builds back to front (asn1/ber.h): [1] first, then [0];
     * a tag on the Credentials CHOICE is explicit */
    int rc = mts_credentials_encode(w, 1, &newc);
    if (rc >= 0)
        rc = mts_credentials_encode(w, 0, &oldc);
    if (rc >= 0)
        rc = ber_wrap(w, m, BER_UNIV(BER_SET), true);
    return rc;
}
