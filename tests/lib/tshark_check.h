/* Test helper: asks tshark ($TSHARK) to dissect a pcap and fails when a frame
 * is malformed or has an error-level expert item. */
#ifndef X400MS_TESTS_TSHARK_CHECK_H
#define X400MS_TESTS_TSHARK_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* Path of tshark from $TSHARK, NULL when empty or unset (skip the test). */
const char *x4_tshark_path(void);

/* Runs `$TSHARK -r pcap -d tcp.port==PORT,tpkt -V` and `... -q -z expert,error`.
 * Returns 0 when clean, 1 when tshark reports malformed frames or errors
 * (report holds the offending lines), -1 when tshark could not run.
 * If verbose_out is not NULL, the -V text is also copied there (truncated). */
int x4_tshark_check(const char *pcap, uint16_t port, char *report, size_t report_size,
                    char *verbose_out, size_t verbose_size);

#endif
