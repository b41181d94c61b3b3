/* x400ms watch: registers auto-alert (X.413 12.3, 2.6.4.4.1) and prints
 * each Alert (X.413 8.2.8) the Message Store invokes, with the new entry's
 * originator and subject, until --count alerts came, --timeout passed or a
 * signal. The registration is withdrawn on the way out, so that alerts are
 * not recorded as pending for the next bind. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/cli/cli.h"

#define AUTO_ALERT "2.6.4.4.1"
#define WATCH_REGISTRATION_ID 1
#define WATCH_QUEUE 256

/* Alerts come on the client's loop thread; the main thread asks for the
 * entries' attributes (blocking calls are not allowed on the loop). */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint32_t seq[WATCH_QUEUE];
    int64_t reg[WATCH_QUEUE];
    size_t head, n;
} q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { 0 }, { 0 }, 0, 0 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void on_alert(void *ctx, int64_t registration_id, uint32_t seq, const uint8_t *arg,
                     size_t len)
{
    (void)ctx;
    (void)arg;
    (void)len;
    pthread_mutex_lock(&q.lock);
    if (q.n < WATCH_QUEUE) {
        size_t i = (q.head + q.n) % WATCH_QUEUE;
        q.seq[i] = seq;
        q.reg[i] = registration_id;
        q.n++;
    }
    pthread_cond_signal(&q.cond);
    pthread_mutex_unlock(&q.lock);
}

static int parse(int argc, char **argv, long *count, long *timeout)
{
    *count = 0;
    *timeout = 0;
    for (int i = 0; i < argc; i++) {
        char *end;
        if ((strcmp(argv[i], "--count") == 0 || strcmp(argv[i], "--timeout") == 0) && i + 1 < argc) {
            long v = strtol(argv[i + 1], &end, 10);
            if (*end != '\0' || v < 0) {
                fprintf(stderr, "x400ms: watch: %s: expected a number\n", argv[i]);
                return EXIT_USAGE;
            }
            *(argv[i][2] == 'c' ? count : timeout) = v;
            i++;
        } else {
            fprintf(stderr, "x400ms: watch: unknown argument %s\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

int cmd_watch_check(int argc, char **argv)
{
    long count, timeout;
    return parse(argc, argv, &count, &timeout);
}

static void print_alert(struct x400ms_client *c, int64_t reg, uint32_t seq, bool json)
{
    struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
    sel.seq_from = sel.seq_to = seq;
    struct x400ms_client_list l;
    struct x400ms_error err;
    const struct x400ms_client_entry *e = NULL;
    if (seq > 0 && x400ms_client_list(c, 0, &sel, NULL, &l, &err) == 0 && l.n > 0)
        e = &l.entries[0];
    else
        l.entries = NULL, l.n = 0;
    if (json) {
        printf("{\"alert\": %lld, \"seq\": %u, \"originator\": ", (long long)reg, seq);
        cli_json_str(e ? e->originator : "");
        printf(", \"subject\": ");
        cli_json_str(e ? e->subject : "");
        printf("}\n");
    } else {
        printf("alert %lld: entry %u from %s: %s\n", (long long)reg, seq,
               e && e->originator[0] ? e->originator : "-", e ? e->subject : "");
    }
    fflush(stdout);
    if (l.entries != NULL)
        x400ms_client_list_free(&l);
}

int cmd_watch(struct x400ms_client *c, int argc, char **argv, bool json)
{
    long count, timeout;
    int rc = parse(argc, argv, &count, &timeout);
    if (rc != EXIT_OK)
        return rc;
    x400ms_client_set_alert_handler(c, on_alert, NULL);
    struct x400ms_client_register r = { .auto_action_type = AUTO_ALERT,
                                        .auto_action_id = WATCH_REGISTRATION_ID };
    struct x400ms_error err;
    if (x400ms_client_register_ms(c, &r, &err) < 0)
        return cli_ms_error(c, &err);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!json)
        fprintf(stderr, "watching for alerts (Ctrl-C to stop)\n");
    struct timespec end;
    clock_gettime(CLOCK_REALTIME, &end);
    end.tv_sec += timeout;
    long seen = 0;
    rc = EXIT_OK;
    while (!stop && (count == 0 || seen < count)) {
        if (!x400ms_client_alive(c)) {
            fprintf(stderr, "x400ms: watch: the association ended\n");
            rc = EXIT_MS_ERROR;
            break;
        }
        /* wake up now and then to notice signals and a dead association */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 200 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        if (timeout > 0 && (until.tv_sec > end.tv_sec ||
                            (until.tv_sec == end.tv_sec && until.tv_nsec > end.tv_nsec)))
            until = end;
        pthread_mutex_lock(&q.lock);
        if (q.n == 0)
            pthread_cond_timedwait(&q.cond, &q.lock, &until);
        bool have = q.n > 0;
        uint32_t seq = have ? q.seq[q.head] : 0;
        int64_t reg = have ? q.reg[q.head] : 0;
        if (have) {
            q.head = (q.head + 1) % WATCH_QUEUE;
            q.n--;
        }
        pthread_mutex_unlock(&q.lock);
        if (have) {
            print_alert(c, reg, seq, json);
            seen++;
            continue;
        }
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        if (timeout > 0 && (now.tv_sec > end.tv_sec ||
                            (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec)))
            break;
    }
    x400ms_client_set_alert_handler(c, NULL, NULL);
    if (x400ms_client_alive(c)) {
        struct x400ms_client_register d = { .deregister_type = AUTO_ALERT,
                                            .deregister_id = WATCH_REGISTRATION_ID };
        if (x400ms_client_register_ms(c, &d, &err) < 0)
            fprintf(stderr, "x400ms: watch: could not withdraw the auto-alert: %s\n", err.message);
    }
    return rc;
}
