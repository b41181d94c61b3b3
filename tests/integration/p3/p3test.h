/* Helpers of the P3 integration tests and bench/delivery: mailboxes created
 * and read back through the store API in this process (store_file's
 * backend on DATA/store, while no daemon runs on it), the daemon's manifest
 * and running x400ms-mta. */
#ifndef X400MS_TESTS_P3TEST_H
#define X400MS_TESTS_P3TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x400ms/store.h"

#define P3T_ALICE "/C=XX/A= /P=TEST/O=Org/S=alice/"
#define P3T_BOB "/C=XX/A= /P=TEST/O=Org/S=bob/"
#define P3T_NOBODY "/C=XX/A= /P=TEST/O=Org/S=nobody/"
#define P3T_MTA "mta1"
#define P3T_MTA_PASSWORD "mta-secret"

/* Creates mailboxes name[i] with address addr[i] under DATA/store. 0 or -1. */
int p3t_create_mailboxes(const char *data_dir, const char *const *names,
                         const char *const *addrs, size_t n);

/* One In Box / Out Box entry as read back. */
struct p3t_entry {
    uint32_t seq;
    int entry_type, priority, importance;
    char subject[256], originator[256], this_recipient[256], content_type[64];
    uint64_t content_length;
    int64_t delivery_time;
};
/* Reads up to max entries of a box of mailbox `name` (store opened in this
 * process: the daemon must not run). Returns the count or -1. */
int p3t_read_box(const char *data_dir, const char *name, enum x400ms_store_box box,
                 struct p3t_entry *out, size_t max);

/* The manifest: rfc1006 on @PORT1@, store_file, p3 with the account
 * P3T_MTA/P3T_MTA_PASSWORD (hashed here), then `extra_modules` (JSON
 * objects, each followed by a comma, or "") before p3. Caller frees. */
char *p3t_manifest(const char *extra_modules, const char *extra_p3_cfg);

/* Runs tools/x400ms-mta with args (NULL-terminated, without the program);
 * returns its exit status, output in *out (caller frees). */
int p3t_run_mta(const char *const *args, char **out, int timeout_ms);
/* Parses the last line "delivered=N acknowledged=N failed=N ..." of out. */
int p3t_parse_summary(const char *out, long *delivered, long *acknowledged, long *failed);



/* A TCP relay 127.0.0.1:p3t_relay_port() -> 127.0.0.1:target that records
 * the first connection's octets into a pcap (tests/lib/pcap.h) for tshark.
 * p3t_relay_finish waits for that connection to end (at most timeout_ms)
 * and closes the pcap. */
struct p3t_relay;
struct p3t_relay *p3t_relay_start(int target, const char *pcap_path);
int p3t_relay_port(const struct p3t_relay *r);
int p3t_relay_finish(struct p3t_relay *r, int timeout_ms);
#endif
