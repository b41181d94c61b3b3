/* The child of test_store_crash: opens the store at argv[1] and delivers
 * from 4 threads forever, writing "SEQ TAG LEN\n" to stdout (one write per
 * line) for every delivery the store acknowledged as durable. The parent
 * kills it with SIGKILL at a random moment. A fifth thread moves random
 * acknowledged entries to "listed", so renames are under way too. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test_store_util.h"

static struct x400ms_store_mailbox *mb;
static uint32_t base_tag;
static uint32_t last_seq; /* __atomic access: shared by the threads */

static void *deliver(void *arg)
{
    uint32_t thread = (uint32_t)(uintptr_t)arg;
    for (uint32_t i = 0;; i++) {
        struct tsu_entry e;
        struct x400ms_error err = { 0 };
        uint32_t tag = base_tag + thread * 1000000 + i, seq;
        size_t len = 100 + (tag * 7919) % 3000;
        char line[64];
        tsu_entry_init(&e, tag, len);
        if (OPS->put(mb, X400MS_STORE_INBOX, &e.in, &seq, &err) != 0) {
            fprintf(stderr, "child: put failed: %s\n", err.message);
            exit(2);
        }
        int n = snprintf(line, sizeof line, "%u %u %zu\n", seq, tag, len);
        if (write(1, line, (size_t)n) != n)
            exit(3);
        __atomic_store_n(&last_seq, seq, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void *mark_listed(void *arg)
{
    (void)arg;
    for (;;) {
        uint32_t s = __atomic_load_n(&last_seq, __ATOMIC_RELAXED);
        if (s > 10)
            OPS->set_status(mb, X400MS_STORE_INBOX, s - (uint32_t)(rand() % 10), X400MS_STATUS_LISTED, NULL);
        usleep(2000);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct x400ms_error err = { 0 };
    struct sf_options opt = { .flush_interval_s = 1, .background_check = true };
    struct sf_store *store;
    pthread_t th[5];

    if (argc != 3)
        return 1;
    x400ms_log_set_level(X400MS_LOG_ERROR);
    opt.root = argv[1];
    base_tag = (uint32_t)strtoul(argv[2], NULL, 10);
    if (sf_store_open(&opt, &store, &err) != 0) {
        fprintf(stderr, "child: %s\n", err.message);
        return 1;
    }
    struct x400ms_store_mailbox_info info = { .name = "crash", .or_address = "C=GB;S=Crash" };
    OPS->mailbox_create(store, &info, NULL); /* exists after the first round */
    if (OPS->mailbox_open(store, "crash", &mb, &err) != 0) {
        fprintf(stderr, "child: %s\n", err.message);
        return 1;
    }
    if (write(1, "ready\n", 6) != 6)
        return 1;
    for (uintptr_t t = 0; t < 4; t++)
        pthread_create(&th[t], NULL, deliver, (void *)t);
    pthread_create(&th[4], NULL, mark_listed, NULL);
    pthread_join(th[0], NULL);
    return 0;
}
