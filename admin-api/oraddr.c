/* admin-api: O/R address text check, by the MHS codec's parser. */
#include <stdio.h>
#include <string.h>
#include "admin-api/oraddr.h"
#include "asn1/orname.h"

bool admin_oraddr_valid(const char *text, char *why, size_t why_len)
{
    struct or_address a;
    struct x400ms_error err = { 0 };
    or_address_init(&a);
    if (or_address_parse(text, strlen(text), &a, &err) < 0) {
        snprintf(why, why_len, "%s", err.message[0] != '\0' ? err.message : "malformed O/R address");
        return false;
    }
    if (or_address_is_empty(&a)) {
        snprintf(why, why_len, "the O/R address has no attribute");
        return false;
    }
    return true;
}
