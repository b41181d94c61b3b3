/* bench/alert: a minimal MTA delivering to the MS over P3 (X.411
 * message-delivery on mts-forced-access, X.419), run in a child process
 * with its own OSI stack so that its loop thread and the benchmark's client
 * loop do not share a thread. One association, one delivery at a time, on
 * request; the times are CLOCK_MONOTONIC (one clock for every process of
 * the machine). */
#ifndef X400MS_BENCH_ALERT_P3_MTA_H
#define X400MS_BENCH_ALERT_P3_MTA_H

struct p3_mta;

/* Forks the MTA process. Call before this process starts any thread (the
 * child starts its own). NULL on failure. */
struct p3_mta *p3_mta_start(const char *mta_name, const char *password, const char *originator,
                            const char *recipient, long content_size);

/* The MTA binds to 127.0.0.1:port (MTS-bind, X.411 8.1.1). 0 or -1. */
int p3_mta_bind(struct p3_mta *m, int port);

/* One message-delivery to the recipient; *t_invoke_us is when the invoke
 * was handed to the stack, *t_ack_us when its result came. 0 or -1. */
int p3_mta_deliver(struct p3_mta *m, long long *t_invoke_us, long long *t_ack_us);

/* Releases the association, reaps the child, frees. */
void p3_mta_stop(struct p3_mta *m);

#endif
