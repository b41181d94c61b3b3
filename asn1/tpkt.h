/* RFC 1006 TPKT framing and the X.224 class 0 TPDUs (CR, CC, DR, DT, ER).
 *
 * Pure functions over byte slices, no allocation: the decoder fills a struct
 * whose pointers point into the input; the encoders write complete TPKTs
 * (4-octet TPKT header + TPDU) into a caller buffer.
 *
 * Wire format (RFC 1006 section 6, X.224 section 13):
 *   TPKT  = 03 00 LL LL TPDU          LL: length of the whole TPKT, 7..65535
 *   TPDU  = LI code fixed-part params [user data]
 *           LI: header length without LI itself, 1..254 (255 reserved)
 *   CR    = LI E0 dst-ref(2)=0 src-ref(2) class-option params
 *   CC    = LI D0 dst-ref(2) src-ref(2) class-option params
 *   DR    = LI 80 dst-ref(2) src-ref(2) reason params
 *   DT    = 02 F0 EOT|NR data                  (class 0: LI is always 2)
 *   ER    = LI 70 dst-ref(2) cause [C1 len invalid-TPDU-header]
 *
 * Part of libx400ms (asn1/transport.mk); used by modules/transport/rfc1006. */
#ifndef X400MS_ASN1_TPKT_H
#define X400MS_ASN1_TPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x400ms/error.h"

#define TPKT_VERSION 3
#define TPKT_HEADER_LEN 4
#define TPKT_MAX_LEN 65535u
/* RFC 1006 section 6: the largest TPDU a TPKT can carry. */
#define X224_MAX_TPDU_SIZE (TPKT_MAX_LEN - TPKT_HEADER_LEN)
/* X.224 13.3.4 b): TPDU size code 7..13 = 128..8192 octets; absent = 128. */
#define X224_DEFAULT_TPDU_SIZE 128u
#define X224_DT_HEADER_LEN 3
/* TPKT header + class 0 DT header in front of every TSDU segment. */
#define X224_DT_OVERHEAD (TPKT_HEADER_LEN + X224_DT_HEADER_LEN)
/* The smallest TPKT: a DT without data. */
#define TPKT_MIN_LEN X224_DT_OVERHEAD
/* LI is one octet and 255 is reserved (X.224 13.2.1). */
#define X224_MAX_LI 254u

/* TPDU codes (X.224 Table 8), high nibble; CR/CC carry CDT in the low one. */
enum x224_code {
    X224_CR = 0xE0,
    X224_CC = 0xD0,
    X224_DR = 0x80,
    X224_DC = 0xC0,
    X224_DT = 0xF0,
    X224_ED = 0x10,
    X224_AK = 0x60,
    X224_EA = 0x20,
    X224_RJ = 0x50,
    X224_ER = 0x70,
};

/* Parameter codes of the variable part (X.224 13.3.4, 13.5.4, 13.12.4). */
enum x224_param {
    X224_P_TPDU_SIZE = 0xC0,
    X224_P_CALLING_TSAP = 0xC1, /* in ER: the invalid TPDU */
    X224_P_CALLED_TSAP = 0xC2,
    X224_P_CHECKSUM = 0xC3,
    X224_P_VERSION = 0xC4,
    X224_P_OPTIONS = 0xC6,      /* additional option selection; RFC 1006 section 6: bit 1 = expedited */
    X224_P_ALT_CLASSES = 0xC7,
    X224_P_ADDITIONAL_INFO = 0xE0,
    X224_P_PREF_TPDU_SIZE = 0xF0, /* preferred maximum TPDU size, in units of 128 octets */
};
#define X224_P_INVALID_TPDU X224_P_CALLING_TSAP

/* DR reasons (X.224 13.5.3 d)); class 0 uses 0..3 and the 128+ ones. */
enum x224_dr_reason {
    X224_DR_UNSPECIFIED = 0,
    X224_DR_CONGESTION = 1,       /* congestion at TSAP */
    X224_DR_NOT_ATTACHED = 2,     /* session entity not attached to TSAP */
    X224_DR_ADDRESS_UNKNOWN = 3,  /* called TSAP unknown */
    X224_DR_NORMAL = 128,
    X224_DR_NEGOTIATION_FAILED = 130,
    X224_DR_PROTOCOL_ERROR = 133,
    X224_DR_LENGTH_INVALID = 138,
};

/* ER reject causes (X.224 13.12.3 c)). */
enum x224_er_cause {
    X224_ER_UNSPECIFIED = 0,
    X224_ER_INVALID_PARAM_CODE = 1,
    X224_ER_INVALID_TPDU_TYPE = 2,
    X224_ER_INVALID_PARAM_VALUE = 3,
};

/* Longest T-selector this codec writes (the decoder takes up to 255). */
#define X224_TSEL_MAX 32

/* A decoded or to-be-encoded TPDU. Slices point into the decoded input. */
struct x224_tpdu {
    uint8_t code;        /* enum x224_code (CR/CC: high nibble only) */
    uint8_t cdt;         /* CR/CC: low nibble of the code (0 in class 0) */
    uint16_t dst_ref, src_ref;
    uint8_t class_option; /* CR/CC: class << 4 | option bits */
    uint8_t reason;      /* DR */
    uint8_t cause;       /* ER; after a failed decode: the cause an ER should carry */
    bool eot;            /* DT: last TPDU of the TSDU */

    /* CR/CC parameters; absent ones are 0 / NULL with the has_ flag false. */
    uint32_t tpdu_size;      /* from C0 (2^code), 0 when absent */
    uint32_t pref_tpdu_size; /* from F0 (value * 128), 0 when absent */
    bool has_calling, has_called, has_options, has_alt_classes;
    const uint8_t *calling_tsel, *called_tsel;
    size_t calling_tsel_len, called_tsel_len;
    uint8_t options;         /* C6 */
    uint8_t alt_classes;     /* C7: bit n set = class n offered as an alternative */

    /* ER: C1 invalid TPDU header; DR: E0 additional information. */
    const uint8_t *info;
    size_t info_len;

    /* DT user data; CR/CC/DR user data when present (not used in class 0). */
    const uint8_t *data;
    size_t data_len;
};

/* Looks at the start of a byte stream. Returns 0 when a whole TPKT is there
 * (*tpkt_len_r = its length, header included), X400MS_EAGAIN when more bytes
 * are needed, X400MS_EPROTO for a wrong version or a length below 7, and
 * X400MS_ELIMIT for a length above max_len. err says what and where. */
int tpkt_peek(const uint8_t *buf, size_t len, size_t max_len, size_t *tpkt_len_r,
              struct x400ms_error *err);

/* Writes the 4-octet TPKT header for a TPKT of tpkt_len octets (<= 65535). */
void tpkt_put_header(uint8_t *out, size_t tpkt_len);

/* Decodes one TPDU (the TPKT payload, without the TPKT header). Returns 0,
 * or X400MS_EPROTO with err naming the TPDU, the field and its offset in the
 * TPDU, and out->cause set to the ER reject cause that answers the fault.
 * Unknown parameters of CR/CC/DR are skipped (X.224 13.3.4: ignore).
 * TPDU types outside class 0 (ED, AK, EA, RJ, DC) decode their code only
 * and return X400MS_ENOTSUP with cause X224_ER_INVALID_TPDU_TYPE. */
int x224_decode(const uint8_t *tpdu, size_t len, struct x224_tpdu *out, struct x400ms_error *err);

/* Encodes t (CR, CC, DR or ER; for DT see x224_put_dt_header) as a complete
 * TPKT into out. Returns the number of octets written, or 0 when cap is too
 * small, the code is not one of those, a T-selector is longer than
 * X224_TSEL_MAX or the header would exceed LI 254. Parameters written:
 * CR/CC: C1/C2 when has_calling/has_called, C0 when tpdu_size (a power of two
 * 128..8192), F0 when pref_tpdu_size (a multiple of 128), C6 when has_options;
 * ER: C1 with info; DR: E0 with info. */
size_t x224_encode(uint8_t *out, size_t cap, const struct x224_tpdu *t);

/* Writes the TPKT header and the class 0 DT header (X224_DT_OVERHEAD octets)
 * for a DT TPDU carrying data_len octets. */
void x224_put_dt_header(uint8_t *out, size_t data_len, bool eot);

/* The C0 code (7..13) of the largest power-of-two TPDU size <= size; 0 when
 * size < 128. */
unsigned x224_tpdu_size_code(size_t size);

/* A short name of a TPDU code: "CR", "DT", ... or "unknown". */
const char *x224_code_name(uint8_t code);

#endif
