/* admin-api: O/R address text check, by the MHS codec's parser. */
#include <stdio.h>
#include <string.h>
#include "admin-api/oraddr.h"
#include "asn1/orname.h"

bool admin_oraddr_canonical(const char *text, char *out, size_t out_len, char *why,
                            size_t why_len)
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
    if (or_address_format(&a, OR_TEXT_SLASH, out, out_len) < 0) {
        snprintf(why, why_len, "the O/R address is longer than %zu bytes in slash form",
                 out_len - 1);
        return false;
    }
    return true;
}

bool admin_oraddr_same(const char *a_text, const char *b_text)
{
    struct or_address a, b;
    or_address_init(&a);
    or_address_init(&b);
    return or_address_parse(a_text, strlen(a_text), &a, NULL) == 0 &&
           or_address_parse(b_text, strlen(b_text), &b, NULL) == 0 && or_address_match(&a, &b);
}
