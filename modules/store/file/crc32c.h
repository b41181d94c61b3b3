/* CRC-32C (Castagnoli, RFC 3720 B.4), the checksum of entry and index files. */
#ifndef STORE_FILE_CRC32C_H
#define STORE_FILE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC over buf: start with crc = 0; returns the new value. */
uint32_t sf_crc32c(uint32_t crc, const void *buf, size_t len);

#endif
