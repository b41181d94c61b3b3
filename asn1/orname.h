/* X.411 O/R names and O/R addresses (X.411 9.1.1 .. 9.1.6, 1999 edition):
 * BER decode/encode, the two text forms operators type, and the comparison
 * used to match a bind's initiator name with a mailbox address.
 *
 * Implements the ORName / ORAddress part of asn1/mts.asn (IMPLICIT tags).
 *
 * Forms covered (X.402 18.5): mnemonic (C, ADMD, PRMD, O, OU1-4, personal
 * name, DDAs, common-name), numeric (C, ADMD, PRMD, N-ID), unformatted
 * postal (extension attribute 16) and terminal (X121, T-ID, terminal-type
 * extension attribute 23). The directory name is kept raw. Every other
 * extension attribute (teletex/universal variants, the formatted postal
 * attributes ...) is kept: the whole extension-attributes SET is preserved
 * byte for byte and re-emitted unchanged.
 *
 * Decoding allocates nothing: strings point into the decoded buffer (or into
 * the parsed text). Segmented (constructed) strings inside an O/R address
 * are refused: every component is bounded to at most 180 octets.
 */
#ifndef X400MS_ASN1_ORNAME_H
#define X400MS_ASN1_ORNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn1/ber.h"
#include "asn1/mhs.h"
#include "x400ms/error.h"

/* X.411 upper bounds (MTSUpperBounds) the O/R address honours. */
#define OR_UB_COUNTRY_ALPHA 2
#define OR_UB_COUNTRY_NUMERIC 3
#define OR_UB_DOMAIN_NAME 16
#define OR_UB_X121_ADDRESS 16
#define OR_UB_TERMINAL_ID 24
#define OR_UB_ORGANIZATION_NAME 64
#define OR_UB_NUMERIC_USER_ID 32
#define OR_UB_SURNAME 40
#define OR_UB_GIVEN_NAME 16
#define OR_UB_INITIALS 5
#define OR_UB_GENERATION_QUALIFIER 3
#define OR_UB_ORGANIZATIONAL_UNITS 4
#define OR_UB_ORGANIZATIONAL_UNIT_NAME 32
#define OR_UB_DOMAIN_DEFINED_ATTRIBUTES 4
#define OR_UB_DDA_TYPE 8
#define OR_UB_DDA_VALUE 128
#define OR_UB_COMMON_NAME 64
#define OR_UB_EXTENSION_ATTRIBUTES 256
#define OR_UB_PDS_PARAMETER 30
#define OR_UB_PDS_ADDRESS_LINES 6
#define OR_UB_UNFORMATTED_ADDRESS 180

/* ExtensionAttributeType values the codec decodes (X.411 9.1.5). */
enum or_ext_attr {
    OR_EXT_COMMON_NAME = 1,
    OR_EXT_UNFORMATTED_POSTAL_ADDRESS = 16,
    OR_EXT_TERMINAL_TYPE = 23,
};

/* TerminalType (X.411 9.1.5.23). */
enum or_terminal_type {
    OR_TERMINAL_TELEX = 3,
    OR_TERMINAL_TELETEX = 4,
    OR_TERMINAL_G3_FACSIMILE = 5,
    OR_TERMINAL_G4_FACSIMILE = 6,
    OR_TERMINAL_IA5_TERMINAL = 7,
    OR_TERMINAL_VIDEOTEX = 8,
};

struct or_dda {
    struct mhs_str type, value;
};

/* An O/R address (and, with dn_raw, an O/R name). Absent strings have
 * univ == 0 (see struct mhs_str). */
struct or_address {
    /* built-in standard attributes */
    struct mhs_str country;        /* C: PrintableString (2) or NumericString (3) */
    struct mhs_str admd;           /* A / ADMD: may be present and empty or " " */
    struct mhs_str x121;           /* X121: network-address [0], NumericString */
    struct mhs_str terminal_id;    /* T-ID: [1] PrintableString */
    struct mhs_str prmd;           /* P / PRMD: [2] CHOICE Numeric/Printable */
    struct mhs_str org;            /* O: [3] */
    struct mhs_str numeric_user_id;/* N-ID: [4] NumericString */
    struct mhs_str surname, given, initials, generation; /* S G I Q: [5] SET */
    struct mhs_str ou[OR_UB_ORGANIZATIONAL_UNITS];        /* OU1..OU4: [6] */
    uint8_t n_ou;
    /* built-in domain-defined attributes */
    struct or_dda dda[OR_UB_DOMAIN_DEFINED_ATTRIBUTES];
    uint8_t n_dda;
    /* extension attributes the codec understands */
    struct mhs_str common_name;    /* CN: type 1, PrintableString */
    int terminal_type;             /* type 23; -1 when absent */
    struct mhs_str postal[OR_UB_PDS_ADDRESS_LINES]; /* type 16 printable-address */
    uint8_t n_postal;
    struct mhs_str postal_teletex; /* type 16 teletex-string */
    /* The extension-attributes SET exactly as received (whole TLV), so that
     * unknown attributes survive. When set, the encoder emits it verbatim and
     * ignores common_name/terminal_type/postal; when empty, it builds the SET
     * from those fields. */
    struct ber_slice ext_raw;
    /* ORName only: the directory Name (the TLV inside [0]), kept raw. */
    struct ber_slice dn_raw;
};

void or_address_init(struct or_address *a);

/* True when the address part is semantically absent (X.411 9.1.1: empty
 * standard attributes, no DDAs, no extension attributes). */
bool or_address_is_empty(const struct or_address *a);

/* ---- BER ---------------------------------------------------------- */

/* Decodes ORName from its TLV t whatever t's tag ([APPLICATION 0] or an
 * implicit context tag); type names the field for errors. */
int or_name_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct or_address *a,
                       const char *type);
/* Decodes an ORAddress (SEQUENCE, no directory name) from its TLV. */
int or_address_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct or_address *a,
                          const char *type);
/* Whole-buffer forms: exactly one [APPLICATION 0] ORName / one ORAddress. */
int or_name_decode(struct ber_slice in, struct or_address *a, struct ber_error *err);
int or_address_decode(struct ber_slice in, struct or_address *a, struct ber_error *err);

/* Pushes an ORName with the given tag (BER_APP(0), or BER_CTX(n) where a
 * field tags it implicitly) / an ORAddress (SEQUENCE). X400MS_EINVAL if
 * the address breaks a bound the decoder would refuse. */
int or_name_encode(struct ber_writer *w, ber_tag_t tag, const struct or_address *a);
int or_address_encode(struct ber_writer *w, const struct or_address *a);

/* ---- text forms (asn1/oraddr_text.c) ---------------------------------- */

enum or_text_syntax {
    OR_TEXT_SLASH,      /* X.400 style: /C=XX/A= /P=TEST/O=Org/S=alice/ */
    OR_TEXT_RFC1685,    /* RFC 1685:    C=XX;ADMD= ;PRMD=TEST;O=Org;S=alice */
};

/* Parses either form (a leading '/' selects the slash form). Keys are
 * case-insensitive: C, ADMD or A, PRMD or P, O, OU1..OU4 (or repeated OU),
 * S, G, I, Q, CN, X121, N-ID, T-ID, DDA:type=value. Values point into text,
 * which must outlive a. Errors (X400MS_EINVAL) say which key is wrong and
 * why, in words fit for an operator: unknown key, empty country, value too
 * long (with the X.411 bound), a character not allowed in PrintableString /
 * NumericString, duplicate key, too many OUs or DDAs, G/I/Q without S. */
int or_address_parse(const char *text, size_t len, struct or_address *a,
                     struct x400ms_error *err);

/* Prints a in the chosen syntax, NUL-terminated. Returns the text length or
 * X400MS_ELIMIT when buf is too small. Attributes appear in the order
 * C, ADMD, PRMD, O, OU1..4, S, G, I, Q, CN, X121, N-ID, T-ID, DDAs. */
int or_address_format(const struct or_address *a, enum or_text_syntax syntax,
                      char *buf, size_t size);

/* ---- comparison ------------------------------------------------------- */

/* X.411 / X.520 matching: true when a and b name the same O/R address.
 * Attributes absent from both are ignored; one present on one side only is
 * a mismatch. Printable attributes compare case-insensitively with leading,
 * trailing and repeated spaces not significant; numeric ones ignore spaces.
 * An ADMD of a single space (" ", "any ADMD") matches any ADMD. The
 * directory name and the raw extension attributes are not compared. */
bool or_address_match(const struct or_address *a, const struct or_address *b);

#endif
