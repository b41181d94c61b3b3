/* admin-api: checking an O/R address given in text form. */
#ifndef ADMIN_ORADDR_H
#define ADMIN_ORADDR_H

#include <stdbool.h>
#include <stddef.h>

/* True when text is a well-formed O/R address in the slash form
 * (/C=XX/A= /P=TEST/O=Org/S=alice/) or RFC 1685 form; otherwise why (of
 * why_len bytes) says what is wrong, in the parser's words (asn1/orname.h). */
bool admin_oraddr_valid(const char *text, char *why, size_t why_len);

#endif
