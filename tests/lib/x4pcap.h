/* libx4pcap: pcap writer and tshark check for the protocol tests. */
#ifndef X400MS_TESTS_X4PCAP_H
#define X400MS_TESTS_X4PCAP_H
#include "tests/lib/pcap.h"
#include "tests/lib/tshark_check.h"
#endif
