/* Helpers of the whole-daemon crash and disk-full tests and of bench/load:
 * the daemon with rfc1006 + store_file + p3 + p7 + admin_api, x400ms-mta
 * delivering in a background thread, P7 clients listing and fetching in
 * background threads, the admin API's index check, and the In Box read
 * back through the store API (while no daemon runs) with each entry's
 * MTS identifier. */
#ifndef X400MS_TESTS_CRASHTEST_H
#define X400MS_TESTS_CRASHTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "tests/lib/x4test.h"

/* Mailboxes alice and bob (P7 password P7T_PASSWORD), each with `preload`
 * In Box entries of `size` octets, under DATA/store. 0 or -1. */
int ct_create_mailboxes(const char *data_dir, size_t preload, size_t size);

/* The manifest: rfc1006 on @PORT1@, store_file, p3 with the account
 * P3T_MTA/P3T_MTA_PASSWORD, p7, admin_api on @PORT2@. extra_*_cfg: JSON
 * members added to that module's config (e.g. "\"max_connections\": 20000"),
 * or NULL. Caller frees. */
char *ct_manifest(const char *extra_store_cfg, const char *extra_rfc1006_cfg);

/* POST /api/v1/mailboxes/NAME/index/check and waits for the job: 1 when it
 * reported consistent, 0 when not (the job document in why), -1 on error. */
int ct_index_check(struct x4t_daemon *d, const char *mailbox, char *why, size_t why_len);

/* ---- x400ms-mta deliver in a background thread ---- */
struct ct_mta;
/* Starts `x400ms-mta deliver` to 127.0.0.1:port, `count` messages of `size`
 * octets round robin to alice and bob over `conns` associations, window 8.
 * ack_log: a file for --ack-log when x400ms-mta has that option, or NULL. */
struct ct_mta *ct_mta_start(int port, long count, long size, int conns, const char *ack_log);
/* Waits for it; returns its exit status and the counts of its summary line
 * (-1 each when absent); *out gets its output (caller frees, may be NULL). */
int ct_mta_finish(struct ct_mta *m, long *delivered, long *acknowledged, long *failed, char **out);
/* True when this build's x400ms-mta has --ack-log. */
bool ct_mta_has_ack_log(void);

/* ---- P7 clients in background threads ---- */
struct ct_p7load_stats {
    long binds, bind_failures, lists, fetches, op_failures;
};
struct ct_p7load;
/* `threads` threads, each bound as alice or bob (alternately) to port,
 * listing the newest 20 In Box entries and fetching one of them, again and
 * again; when the association ends (the daemon died) it binds again. */
struct ct_p7load *ct_p7load_start(int port, int threads);
void ct_p7load_stop(struct ct_p7load *l, struct ct_p7load_stats *stats);

/* ---- the store read back in this process (no daemon running) ---- */
struct ct_entry {
    uint32_t seq;
    uint64_t content_length;
    char local_id[40]; /* the MTS identifier's local part, "" when absent */
};
/* The In Box of mailbox `name`; *out malloc'ed (caller frees). Count or -1. */
int ct_read_inbox(const char *data_dir, const char *name, struct ct_entry **out);

/* SIGTERM, waits (up to 10 s) for the daemon to exit by itself, then reaps
 * it keeping its data dir (x4t_daemon_stop removes it). 0, or -1 when it
 * had to be killed (its log printed). Frees d. */
int ct_daemon_graceful_stop(struct x4t_daemon *d);

/* The admin token of the daemon (DATA/admin-token) into buf; 0 or -1. */
int ct_admin_token(struct x4t_daemon *d, char *buf, size_t len);

#endif
