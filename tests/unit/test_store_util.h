/* Helpers shared by the file store's unit tests (test_store_*.c). */
#ifndef TEST_STORE_UTIL_H
#define TEST_STORE_UTIL_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "modules/store/file/fsutil.h"
#include "modules/store/file/store_file.h"
#include "tests/lib/x4test.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"

#define OPS (&sf_store_ops)

/* A store in a fresh directory; background checks off unless asked, so that
 * tests decide when a check runs. */
static inline struct sf_store *tsu_open(const char *root, bool background_check)
{
    struct x400ms_error err = { 0 };
    struct sf_options opt = { .root = root, .flush_interval_s = 0, .ageing_interval_s = 0,
                              .background_check = background_check };
    struct sf_store *store = NULL;
    int rc = sf_store_open(&opt, &store, &err);
    if (rc)
        fprintf(stderr, "sf_store_open: %s\n", err.message);
    assert_int_equal(rc, 0);
    return store;
}

static inline void tsu_create(struct sf_store *store, const char *name, const char *addr)
{
    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox_info info = { .name = name, .or_address = addr,
                                              .settings = { .outbox_enabled = true } };
    int rc = OPS->mailbox_create(store, &info, &err);
    if (rc)
        fprintf(stderr, "mailbox_create: %s\n", err.message);
    assert_int_equal(rc, 0);
}

static inline struct x400ms_store_mailbox *tsu_mbopen(struct sf_store *store, const char *name)
{
    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox *mb = NULL;
    int rc = OPS->mailbox_open(store, name, &mb, &err);
    if (rc)
        fprintf(stderr, "mailbox_open: %s\n", err.message);
    assert_int_equal(rc, 0);
    return mb;
}

/* Deterministic content of `len` bytes derived from `tag`. */
static inline void tsu_fill(uint8_t *buf, size_t len, uint32_t tag)
{
    uint32_t x = tag * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
}

struct tsu_entry {
    struct x400ms_store_entry_in in;
    uint8_t env[64];
    uint8_t content[4096];
    char subject[64];
};

/* An entry with recognisable bytes and attributes derived from tag. */
static inline void tsu_entry_init(struct tsu_entry *e, uint32_t tag, size_t content_len)
{
    memset(e, 0, sizeof *e);
    if (content_len > sizeof e->content)
        content_len = sizeof e->content;
    tsu_fill(e->env, sizeof e->env, tag ^ 0xabcdef);
    tsu_fill(e->content, content_len, tag);
    snprintf(e->subject, sizeof e->subject, "Subject number %u", tag);
    e->in.attrs = (struct x400ms_store_attrs){
        .entry_type = X400MS_ENTRY_DELIVERED_MESSAGE, .priority = (uint8_t)(tag % 3),
        .importance = X400MS_IPM_ABSENT, .sensitivity = X400MS_IPM_ABSENT,
        .precedence = X400MS_PRECEDENCE_ABSENT, .content_length = content_len,
        .content_type = "2.6.1.10.1", .delivery_time = 1700000000 + tag,
        .originator = "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Sender",
        .this_recipient = "C=GB;ADMD= ;PRMD=x400ms;O=Test;S=Rcpt", .subject = e->subject,
    };
    e->in.envelope = e->env;
    e->in.envelope_len = sizeof e->env;
    e->in.content = e->content;
    e->in.content_len = content_len;
}

/* Puts an entry and returns when its file is written too: the store
 * acknowledges a small entry once its journal record is durable and writes
 * the file after (commit.c), and these tests look at the files. The window
 * between the two has tests of its own (test_store_early_ack.c). */
static inline uint32_t tsu_put(struct x400ms_store_mailbox *mb, unsigned box, uint32_t tag, size_t len)
{
    struct x400ms_error err = { 0 };
    struct tsu_entry e;
    uint32_t seq = 0;
    tsu_entry_init(&e, tag, len);
    int rc = OPS->put(mb, (enum x400ms_store_box)box, &e.in, &seq, &err);
    if (rc)
        fprintf(stderr, "put: %s\n", err.message);
    assert_int_equal(rc, 0);
    assert_true(seq > 0);
    sf_mailbox_wait_written(mb, seq);
    return seq;
}

/* Asserts that entry seq has the content of tag (len bytes). */
static inline void tsu_assert_content(struct x400ms_store_mailbox *mb, unsigned box, uint32_t seq,
                                      uint32_t tag, size_t len)
{
    struct x400ms_error err = { 0 };
    struct x400ms_store_entry *e = NULL;
    struct tsu_entry want;
    int rc = OPS->get(mb, (enum x400ms_store_box)box, seq, X400MS_STORE_GET_ENVELOPE | X400MS_STORE_GET_CONTENT,
                      &e, &err);
    if (rc)
        fprintf(stderr, "get %u: %s\n", seq, err.message);
    assert_int_equal(rc, 0);
    tsu_entry_init(&want, tag, len);
    assert_int_equal(e->content_len, len);
    assert_memory_equal(e->content, want.content, len);
    assert_int_equal(e->envelope_len, sizeof want.env);
    assert_memory_equal(e->envelope, want.env, sizeof want.env);
    assert_int_equal(e->attrs.seq, seq);
    assert_string_equal(e->attrs.subject, want.subject);
    OPS->entry_free(e);
}

struct tsu_seqs {
    uint32_t seq[4096];
    uint8_t status[4096];
    size_t n;
};

static inline int tsu_collect(void *arg, const struct x400ms_store_attrs *a)
{
    struct tsu_seqs *s = arg;
    if (s->n < sizeof s->seq / sizeof s->seq[0]) {
        s->seq[s->n] = a->seq;
        s->status[s->n] = a->status;
        s->n++;
    }
    return 0;
}

static inline void tsu_list(struct x400ms_store_mailbox *mb, unsigned box, const struct x400ms_store_selector *sel,
                            struct tsu_seqs *out, uint32_t *next_r)
{
    struct x400ms_error err = { 0 };
    memset(out, 0, sizeof *out);
    int rc = OPS->select(mb, (enum x400ms_store_box)box, sel, tsu_collect, out, next_r, &err);
    if (rc)
        fprintf(stderr, "select: %s\n", err.message);
    assert_int_equal(rc, 0);
}

/* Quiet logs: only errors, unless X400MS_TEST_VERBOSE is set. */
static inline void tsu_quiet(void)
{
    if (!getenv("X400MS_TEST_VERBOSE"))
        x400ms_log_set_level(X400MS_LOG_ERROR);
}

/* The common fixture start: quiet logs, a fresh directory named after tag,
 * a store in it (background checks off), mailbox NAME (O/R address addr)
 * created and opened. */
static inline void tsu_fixture_open(const char *tag, const char *name, const char *addr, char **dir_r,
                                    struct sf_store **store_r, struct x400ms_store_mailbox **mb_r)
{
    tsu_quiet();
    *dir_r = x4t_tempdir(tag);
    *store_r = tsu_open(*dir_r, false);
    tsu_create(*store_r, name, addr);
    *mb_r = tsu_mbopen(*store_r, name);
}

/* Its end: closes the mailbox (when open) and the store, removes and frees
 * the directory. */
static inline void tsu_fixture_close(char *dir, struct sf_store *store, struct x400ms_store_mailbox *mb)
{
    if (mb)
        OPS->mailbox_close(mb);
    sf_store_close(store);
    x4t_rmtree(dir);
    free(dir);
}

/* The fixture most store tests use: a store in a fresh directory with one
 * mailbox open (cmocka setup/teardown bodies). */
struct tsu_fixture {
    char *dir;
    struct sf_store *store;
    struct x400ms_store_mailbox *mb;
};

static inline int tsu_setup(void **state, const char *tag, const char *name, const char *addr)
{
    struct tsu_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    tsu_fixture_open(tag, name, addr, &f->dir, &f->store, &f->mb);
    *state = f;
    return 0;
}

static inline int tsu_teardown(void **state)
{
    struct tsu_fixture *f = *state;
    tsu_fixture_close(f->dir, f->store, f->mb);
    free(f);
    return 0;
}

/* An index check of mailbox name finds it consistent with `entries` files. */
static inline void tsu_assert_consistent(struct sf_store *store, const char *name, uint64_t entries)
{
    struct x400ms_error err = { 0 };
    struct x400ms_store_check_report rep = { 0 };
    int rc = OPS->check(store, name, &rep, &err);
    if (rc)
        fprintf(stderr, "check: %s\n", err.message);
    assert_int_equal(rc, 0);
    assert_true(rep.consistent);
    assert_int_equal(rep.entries, entries);
}

#endif
