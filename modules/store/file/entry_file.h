/* The entry file of the file store: one file per entry, written once.
 * Layout (docs/store-format.md, all integers little-endian):
 *
 *   header  fixed part (SF_ENTRY_FIXED bytes), variable attributes, header CRC
 *   body    envelope bytes, content bytes
 *   trailer CRC-32C of the body
 *
 * The header caches the index attributes so that the index can be rebuilt
 * from the files without decoding any BER. The retrieval status is NOT in
 * the file: the file name's state letter is authoritative for it. */
#ifndef STORE_FILE_ENTRY_FILE_H
#define STORE_FILE_ENTRY_FILE_H

#include <stddef.h>
#include <stdint.h>
#include "x400ms/store.h"

#define SF_ENTRY_MAGIC "X4ME"
#define SF_ENTRY_VERSION 1
#define SF_ENTRY_FIXED 72
/* The largest header the limits of store.h allow (fixed + 6 fields + CRC). */
#define SF_ENTRY_HEADER_MAX                                                                    \
    (SF_ENTRY_FIXED + 6 * 3 + X400MS_STORE_CONTENT_TYPE_MAX + 2 * X400MS_STORE_ADDRESS_MAX +   \
     X400MS_STORE_SUBJECT_MAX + X400MS_STORE_MTS_ID_MAX + 4 * X400MS_STORE_CHILDREN_MAX + 4)

/* A decoded header. attrs' strings point into the buffer that was decoded;
 * attrs.children points into `children` below. */
struct sf_entry_header {
    uint32_t header_len;
    uint8_t box;
    uint64_t envelope_len, content_len;
    struct x400ms_store_attrs attrs;
    uint32_t children[X400MS_STORE_CHILDREN_MAX];
};

/* Checks attrs against the limits of store.h; 0 or X400MS_EINVAL naming the field. */
int sf_entry_validate(const struct x400ms_store_attrs *a, struct x400ms_error *err);

/* Encodes the header of entry `seq` (attrs already validated) into buf of
 * SF_ENTRY_HEADER_MAX bytes; returns its length. */
size_t sf_entry_encode_header(uint8_t *buf, uint32_t seq, unsigned box,
                              const struct x400ms_store_attrs *a, uint64_t envelope_len,
                              uint64_t content_len);

/* Decodes a header from buf (len bytes available: at least the header).
 * Returns 0, X400MS_EAGAIN when len is shorter than the header says (read
 * more and call again), or X400MS_ECORRUPT with err saying what is wrong. */
int sf_entry_decode_header(const uint8_t *buf, size_t len, struct sf_entry_header *h,
                           struct x400ms_error *err);

/* The total file size a decoded header implies. */
static inline uint64_t sf_entry_file_size(const struct sf_entry_header *h)
{
    return (uint64_t)h->header_len + h->envelope_len + h->content_len + 4;
}

/* Reads and checks the header of the open entry file fd (pread from 0) and
 * that the file has the size the header implies. buf must hold
 * SF_ENTRY_HEADER_MAX bytes and is where h's strings point. */
int sf_entry_read_header(int fd, uint8_t *buf, struct sf_entry_header *h, struct x400ms_error *err);

/* Little-endian helpers shared with the index file. */
static inline void sf_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void sf_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void sf_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t sf_get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t sf_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t sf_get64(const uint8_t *p)
{
    return (uint64_t)sf_get32(p) | (uint64_t)sf_get32(p + 4) << 32;
}

#endif
