/* modules/protocol/p3/mtsutil: what the P3 delivery responder and the local
 * MTA (modules/mta/local) both need to put an X.411 delivery into a mailbox:
 * the index attributes derived from a delivery (X.413 12.2 general
 * attributes, X.420 heading attributes for an IPM content), the
 * MessageDeliveryEnvelope stored with the entry, and finding the mailbox of
 * an O/R address. Compiled into both modules (not a public API). */
#ifndef X400MS_P3_MTSUTIL_H
#define X400MS_P3_MTSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn1/ber.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "x400ms/error.h"
#include "x400ms/store.h"

/* Storage for the strings x400ms_store_attrs points to. */
struct mtsu_attr_buf {
    char content_type[X400MS_STORE_CONTENT_TYPE_MAX];
    char originator[X400MS_STORE_ADDRESS_MAX];
    char this_recipient[X400MS_STORE_ADDRESS_MAX];
    char subject[X400MS_STORE_SUBJECT_MAX + 1];
    uint8_t mts_id[X400MS_STORE_MTS_ID_MAX];
};

/* Text of an X.411 ContentType: "22" for built-in, dotted OID otherwise. */
int mtsu_content_type_text(const struct mts_content_type *ct, char *buf, size_t size);
/* True for the interpersonal-messaging contents (built-in 2 and 22, 2.6.1.10.0/1). */
bool mtsu_content_is_ipm(const struct mts_content_type *ct);

/* Fills the IPM heading attributes (subject, importance, sensitivity,
 * precedence) of attrs from a P22 content, or leaves them absent when the
 * content is not an IPM or does not decode (a delivery is never refused for
 * its content: X.411 does not look inside). */
void mtsu_ipm_attrs(const struct mts_content_type *ct, struct ber_slice content,
                    struct x400ms_store_attrs *attrs, struct mtsu_attr_buf *buf);

/* The attributes of a message delivery (X.411 8.3.1.1) for the In Box of
 * this_recipient_name. */
int mtsu_delivery_attrs(const struct mts_delivery_arg *a, struct ber_slice content,
                        struct x400ms_store_attrs *attrs, struct mtsu_attr_buf *buf,
                        struct x400ms_error *err);
/* The attributes of a report delivery (X.411 8.3.1.2): entry type report,
 * originator absent, delivery time now. */
int mtsu_report_attrs(const struct mts_report_delivery_arg *a, int64_t now,
                      struct x400ms_store_attrs *attrs, struct mtsu_attr_buf *buf,
                      struct x400ms_error *err);

/* The X.413 MessageDeliveryEnvelope of a MessageDeliveryArgument (its
 * SEQUENCE without the final content member) pushed onto w, and the content
 * octets into *content_r (pointing into arg; a segmented content is copied
 * into *copy_r, which the caller frees). */
int mtsu_split_delivery(struct ber_slice arg, struct ber_writer *w, struct ber_slice *content_r,
                        uint8_t **copy_r, struct x400ms_error *err);

/* Finds the mailbox whose O/R address matches addr (X.411 matching rules):
 * by its text forms first, then by comparing every mailbox. Returns 0 with
 * the name in name (X400MS_STORE_NAME_MAX + 1 bytes), X400MS_ENOENT when no
 * mailbox has that address. Thread-safe. */
int mtsu_find_mailbox(const struct x400ms_store_ops *store, void *store_ctx,
                      const struct or_address *addr, char *name, struct x400ms_error *err);

/* Finds the mailbox whose Out Box holds an entry the selector selects
 * (the submission log entry of a report's subject message). 0 with the name,
 * X400MS_ENOENT when none. */
int mtsu_find_report_mailbox(const struct x400ms_store_ops *store, void *store_ctx,
                             const struct x400ms_store_selector *sel, char *name,
                             struct x400ms_error *err);

/* MTSIdentifier encoded into buf: returns its length or a negative code. */
int mtsu_encode_identifier(const struct mts_identifier *id, uint8_t *buf, size_t size);

#endif
