/* pcap writer for the protocol tests (see pcap.h). Format: libpcap 2.4,
 * link type 1 (Ethernet). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/pcap.h"

struct x4pcap {
    FILE *f;
    uint16_t cport, sport;
    uint32_t cseq, sseq;       /* next sequence number of each side */
    uint32_t usec;             /* fake clock */
    uint16_t ip_id;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)((p[i] << 8) | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static int segment(struct x4pcap *p, bool from_client, uint8_t flags, const void *payload, size_t len)
{
    uint8_t hdr[16 + 14 + 20 + 20];
    uint8_t *eth = hdr + 16, *ip = eth + 14, *tcp = ip + 20;
    size_t caplen = 14 + 20 + 20 + len;
    uint32_t *seq = from_client ? &p->cseq : &p->sseq;
    uint32_t ack = from_client ? p->sseq : p->cseq;

    memset(hdr, 0, sizeof(hdr));
    p->usec += 1000;
    /* record header: ts_sec, ts_usec, incl_len, orig_len (little-endian as the global header) */
    uint32_t rec[4] = { 1700000000u + p->usec / 1000000u, p->usec % 1000000u, (uint32_t)caplen,
                        (uint32_t)caplen };
    memcpy(hdr, rec, 16);
    /* Ethernet: zero MACs, type IPv4 */
    put16(eth + 12, 0x0800);
    /* IPv4 */
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + 20 + len));
    put16(ip + 4, p->ip_id++);
    put16(ip + 6, 0x4000);      /* DF */
    ip[8] = 64;
    ip[9] = 6;                  /* TCP */
    put32(ip + 12, 0x7f000001);
    put32(ip + 16, 0x7f000001);
    put16(ip + 10, ip_checksum(ip, 20));
    /* TCP */
    put16(tcp, from_client ? p->cport : p->sport);
    put16(tcp + 2, from_client ? p->sport : p->cport);
    put32(tcp + 4, *seq);
    put32(tcp + 8, (flags & 0x10) ? ack : 0);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 65535);
    if (fwrite(hdr, sizeof(hdr), 1, p->f) != 1 || (len && fwrite(payload, len, 1, p->f) != 1))
        return -1;
    *seq += (uint32_t)len + ((flags & 0x03) ? 1u : 0u); /* SYN and FIN take one number */
    return 0;
}

struct x4pcap *x4pcap_open(const char *path, uint16_t client_port, uint16_t server_port)
{
    struct x4pcap *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->f = fopen(path, "wb");
    if (!p->f) {
        free(p);
        return NULL;
    }
    p->cport = client_port;
    p->sport = server_port;
    p->cseq = 1000;
    p->sseq = 5000;
    /* magic, version 2.4, thiszone, sigfigs, snaplen, linktype Ethernet */
    uint32_t g[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 262144, 1 };
    if (fwrite(g, sizeof(g), 1, p->f) != 1 || segment(p, true, 0x02, NULL, 0) < 0 ||
        segment(p, false, 0x12, NULL, 0) < 0 || segment(p, true, 0x10, NULL, 0) < 0) {
        fclose(p->f);
        free(p);
        return NULL;
    }
    return p;
}

int x4pcap_write(struct x4pcap *p, bool from_client, const void *payload, size_t len)
{
    if (len > 65000) {
        errno = EMSGSIZE;
        return -1;
    }
    return segment(p, from_client, 0x18, payload, len); /* PSH, ACK */
}

int x4pcap_close(struct x4pcap *p)
{
    int rc = 0;
    if (segment(p, true, 0x11, NULL, 0) < 0 || segment(p, false, 0x11, NULL, 0) < 0 ||
        segment(p, true, 0x10, NULL, 0) < 0)
        rc = -1;
    if (fclose(p->f) != 0)
        rc = -1;
    free(p);
    return rc;
}

size_t x4pcap_tpkt_dt(uint8_t *buf, size_t size, const void *tsdu, size_t len)
{
    size_t total = 4 + 3 + len;
    if (total > size || total > 65535)
        return 0;
    buf[0] = 3;                 /* RFC 1006 version */
    buf[1] = 0;
    put16(buf + 2, (uint16_t)total);
    buf[4] = 2;                 /* X.224 DT: LI 2, code F0, EOT */
    buf[5] = 0xf0;
    buf[6] = 0x80;
    memcpy(buf + 7, tsdu, len);
    return total;
}
