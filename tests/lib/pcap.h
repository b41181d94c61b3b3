/* Test helper: writes a pcap file of one TCP connection between 127.0.0.1
 * ports, wrapping each payload in Ethernet / IPv4 / TCP with correct
 * sequence and acknowledgement numbers, so tshark reassembles the stream. */
#ifndef X400MS_TESTS_PCAP_H
#define X400MS_TESTS_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct x4pcap;

/* Creates the file and writes the global header and a TCP three-way
 * handshake from client_port to server_port. NULL on error (errno set). */
struct x4pcap *x4pcap_open(const char *path, uint16_t client_port, uint16_t server_port);
/* One TCP segment carrying payload (<= 65000 octets) in one direction. */
int x4pcap_write(struct x4pcap *p, bool from_client, const void *payload, size_t len);
/* Writes FIN/ACK in both directions and closes; 0 or -1. */
int x4pcap_close(struct x4pcap *p);

/* Convenience: payload of one TSDU in TPKT (RFC 1006) + COTP DT (02 F0 80)
 * into buf; returns the length or 0 if buf is too small. */
size_t x4pcap_tpkt_dt(uint8_t *buf, size_t size, const void *tsdu, size_t len);

#endif
