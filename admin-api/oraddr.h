/* admin-api: O/R addresses given in text form (by the MHS codec's parser,
 * asn1/orname.h). */
#ifndef ADMIN_ORADDR_H
#define ADMIN_ORADDR_H

#include <stdbool.h>
#include <stddef.h>

/* Parses text (slash form /C=XX/A= /P=TEST/O=Org/S=alice/ or RFC 1685
 * form) and writes its canonical slash form into out, so that one address
 * is stored one way whatever syntax the operator typed. On false, why (of
 * why_len bytes) says what is wrong, in the parser's words. */
bool admin_oraddr_canonical(const char *text, char *out, size_t out_len, char *why,
                            size_t why_len);

/* True when a and b (text forms) name the same O/R address under the X.411
 * matching rules (case, spaces, "any ADMD"). False if either is malformed. */
bool admin_oraddr_same(const char *a, const char *b);

#endif
