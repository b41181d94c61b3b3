/* Helpers of the P7 integration tests and benchmark: a data directory with
 * mailboxes filled through the store API in this process (store_file's
 * backend, before the daemon starts on it), the daemon's manifest, client
 * parameters, and a recording TCP relay whose capture tshark dissects. */
#ifndef X400MS_TESTS_P7TEST_H
#define X400MS_TESTS_P7TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x400ms/client.h"
#include "x400ms/store.h"

/* The test mailboxes: alice and bob. */
#define P7T_ALICE "/C=XX/A= /P=TEST/O=Org/S=alice/"
#define P7T_BOB "/C=XX/A= /P=TEST/O=Org/S=bob/"
#define P7T_PASSWORD "secret"

struct p7t_fill {
    const char *name, *or_address, *password;
    size_t entries;               /* In Box entries to deliver */
    size_t content_size;          /* octets of each content */
    bool delete_prohibited, delete_new_prohibited;
    int urgent_every;             /* every Nth entry urgent (0: none) */
    unsigned hash_iterations;     /* PBKDF2 iterations of the password (0: 1000, fast for tests) */
};

/* Opens (creating) the file store under DATA/store, creates the mailbox and
 * delivers its entries (4 threads), then closes the store cleanly. Entry i
 * (1-based) has subject "message i", originator bob, content of
 * content_size octets, creation time now - (entries - i). 0 or -1. */
int p7t_fill_mailbox(const char *data_dir, const struct p7t_fill *f);

/* The daemon's manifest: rfc1006 on @PORT1@, store_file, fakeaction, p7.
 * extra_store_cfg / extra_p7_cfg: JSON members added to those configs
 * (e.g. "\"delete_prohibited\": true"), may be NULL. Caller frees. */
char *p7t_manifest(const char *extra_store_cfg, const char *extra_p7_cfg);

/* Client parameters for the daemon on port. */
void p7t_params(struct x400ms_client_params *p, int port, const char *or_address,
                const char *password, enum x400ms_client_version v);

/* A relay 127.0.0.1:listen_port -> 127.0.0.1:target_port that records every
 * octet of the first connection; p7t_relay_finish writes them to a pcap and
 * runs tshark. */
struct p7t_relay;
struct p7t_relay *p7t_relay_start(int target_port);
int p7t_relay_port(const struct p7t_relay *r);
/* Waits for the connection to end, writes the pcap, checks it: 0 clean (or
 * tshark absent: *skipped set), -1 with the report printed. */
int p7t_relay_finish(struct p7t_relay *r, const char *pcap_path, bool *skipped);

#endif
