/* Shared by the OSI fuzz targets: abort() when a value that decoded and was
 * re-encoded fails to decode again (an encoder/decoder disagreement). */
#ifndef X400MS_FUZZ_COMMON_H
#define X400MS_FUZZ_COMMON_H
#include <stdint.h>
#include <stdlib.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#define FUZZ_CHECK(cond) do { if (!(cond)) abort(); } while (0)
#endif
