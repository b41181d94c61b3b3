/* MS-bind password checks (X.413 8.1.1.1.1.3 simple credentials) off the
 * loop threads, so that a flood of wrong passwords cannot hold up the other
 * binds (issue 10: 40 parallel wrong binds delayed a good one by 4.9 s).
 *
 * - The PBKDF2 work runs on the module's worker pool (x400ms/worker.h), not
 *   on the core's single job thread.
 * - One check per mailbox at a time: further binds to a mailbox whose
 *   check is running wait at its gate, not in the pool's queue, so a flood
 *   against one mailbox occupies at most one pool thread and the other
 *   mailboxes' binds go ahead.
 * - A small cache of recent outcomes, keyed by the mailbox, its stored hash
 *   (a change of password invalidates it) and an HMAC of the presented
 *   password under a key drawn at start: the same credentials again (a UA
 *   re-binding, or a flood repeating one wrong password) skip PBKDF2. A
 *   failure is still answered after bind_failure_delay_ms (bind.c), so the
 *   cache tells an attacker nothing about timing. */
#define X400MS_LOG_MODULE "p7"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "modules/protocol/p7/p7.h"
#include "x400ms/log.h"
#include "x400ms/loop.h"
#include "x400ms/worker.h"

#define CACHE_SLOTS 256
#define CACHE_OK_TTL_MS (10 * 60 * 1000)   /* a verified password, re-used without PBKDF2 */
#define CACHE_FAIL_TTL_MS (60 * 1000)      /* a refused one */

struct cache_slot {
    bool used, ok;
    uint64_t expires_ms;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    uint8_t hash_digest[32];      /* SHA-256 of the stored hash string */
    uint8_t mac[32];              /* HMAC-SHA256(key, password) */
};

/* A mailbox whose check is running, and the binds waiting for it. */
struct gate {
    struct gate *next;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    struct p7_verify_job *head, *tail;
};

struct p7_verify {
    pthread_mutex_t lock;         /* cache and gates */
    uint8_t key[32];
    struct cache_slot cache[CACHE_SLOTS];
    struct gate *gates;
    uint64_t pbkdf2_ms_avg;       /* EWMA of one check, for unknown names */
};

struct p7_verify_job {
    struct p7_verify_job *next;   /* at a gate */
    struct p7_module *m;
    struct p7_session *s;         /* referenced; touched on its loop only */
    struct x400ms_loop *loop;
    p7_verify_done_fn *done;
    void *arg;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    char password[64];
    size_t password_len;
    uint8_t hash_digest[32], mac[32];
    bool ok;
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the cache (under v->lock) ---- */

static struct cache_slot *cache_find(struct p7_verify *v, const struct p7_verify_job *j)
{
    uint64_t now = mono_ms();
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        struct cache_slot *c = &v->cache[i];
        if (c->used && c->expires_ms > now && strcmp(c->mailbox, j->mailbox) == 0 &&
            CRYPTO_memcmp(c->hash_digest, j->hash_digest, 32) == 0 &&
            CRYPTO_memcmp(c->mac, j->mac, 32) == 0)
            return c;
    }
    return NULL;
}

static void cache_put(struct p7_verify *v, const struct p7_verify_job *j)
{
    uint64_t now = mono_ms();
    struct cache_slot *victim = &v->cache[0];
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        struct cache_slot *c = &v->cache[i];
        if (!c->used || c->expires_ms <= now) {
            victim = c;
            break;
        }
        if (c->expires_ms < victim->expires_ms)
            victim = c;
    }
    victim->used = true;
    victim->ok = j->ok;
    victim->expires_ms = now + (j->ok ? CACHE_OK_TTL_MS : CACHE_FAIL_TTL_MS);
    snprintf(victim->mailbox, sizeof victim->mailbox, "%s", j->mailbox);
    memcpy(victim->hash_digest, j->hash_digest, 32);
    memcpy(victim->mac, j->mac, 32);
}

/* ---- the work ---- */

static void job_back(struct p7_verify_job *j)
{
    struct p7_session *s = j->s;
    j->done(s->dead ? NULL : s, j->ok, j->arg);
    p7_session_unref(s);
    explicit_bzero(j, sizeof *j);
    free(j);
}

static void job_work(struct p7_verify_job *j);

/* After a check of j->mailbox: the next waiter goes to the pool, or the gate
 * closes. Any thread. */
static void gate_next(struct p7_verify *v, struct p7_module *m, const char *mailbox)
{
    struct p7_verify_job *w = NULL;
    pthread_mutex_lock(&v->lock);
    for (struct gate **gp = &v->gates; *gp != NULL; gp = &(*gp)->next) {
        struct gate *g = *gp;
        if (strcmp(g->mailbox, mailbox) != 0)
            continue;
        w = g->head;
        if (w != NULL) {
            g->head = w->next;
            if (g->head == NULL)
                g->tail = NULL;
        } else {
            *gp = g->next;
            free(g);
        }
        break;
    }
    pthread_mutex_unlock(&v->lock);
    if (w == NULL)
        return;
    /* to the back of the pool's queue: the other mailboxes get their turn */
    if (x400ms_worker_submit_on(m->pool, w->loop, job_work, job_back, w) < 0) {
        X400MS_LOG_W("mailbox %s: bind check queue full; refusing a waiting bind", mailbox);
        w->ok = false;
        if (x400ms_loop_post(w->loop, job_back, w) < 0)
            X400MS_LOG_W("bind answer dropped: loop stopping");
        gate_next(v, m, mailbox);
    }
}

/* Pool thread: the cache, else PBKDF2. */
static void job_work(struct p7_verify_job *j)
{
    struct p7_verify *v = j->m->verify;
    pthread_mutex_lock(&v->lock);
    struct cache_slot *c = cache_find(v, j);
    bool cached = c != NULL;
    if (cached)
        j->ok = c->ok;
    pthread_mutex_unlock(&v->lock);
    if (!cached) {
        struct x400ms_error err;
        uint64_t t0 = mono_ms();
        j->ok = x400ms_password_verify(j->password, j->password_len, j->hash, &err) == 0;
        uint64_t took = mono_ms() - t0;
        pthread_mutex_lock(&v->lock);
        cache_put(v, j);
        v->pbkdf2_ms_avg = v->pbkdf2_ms_avg == 0 ? took : (v->pbkdf2_ms_avg * 7 + took) / 8;
        pthread_mutex_unlock(&v->lock);
    }
    explicit_bzero(j->password, sizeof j->password);
    gate_next(v, j->m, j->mailbox);
}

/* ---- API (p7.h) ---- */

int p7_verify_check(struct p7_session *s, const char *mailbox, const char *stored_hash,
                    const char *password, size_t password_len, p7_verify_done_fn *done, void *arg)
{
    struct p7_module *m = s->m;
    struct p7_verify *v = m->verify;
    if (password_len >= sizeof ((struct p7_verify_job *)0)->password)
        return X400MS_EINVAL;
    struct p7_verify_job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return X400MS_ENOMEM;
    j->m = m;
    j->s = s;
    j->loop = x400ms_assoc_loop(s->a);
    j->done = done;
    j->arg = arg;
    snprintf(j->mailbox, sizeof j->mailbox, "%s", mailbox);
    snprintf(j->hash, sizeof j->hash, "%s", stored_hash);
    memcpy(j->password, password, password_len);
    j->password_len = password_len;
    unsigned int mac_len = 32;
    if (EVP_Digest(stored_hash, strlen(stored_hash), j->hash_digest, NULL, EVP_sha256(), NULL) != 1 ||
        HMAC(EVP_sha256(), v->key, sizeof v->key, (const unsigned char *)password, password_len,
             j->mac, &mac_len) == NULL) {
        explicit_bzero(j, sizeof *j);
        free(j);
        return X400MS_ENOMEM;
    }
    p7_session_ref(s);

    pthread_mutex_lock(&v->lock);
    struct cache_slot *c = cache_find(v, j);
    if (c != NULL) {
        /* known: answered on the next turn of this loop, without the pool */
        j->ok = c->ok;
        pthread_mutex_unlock(&v->lock);
        explicit_bzero(j->password, sizeof j->password);
        if (x400ms_loop_post(j->loop, job_back, j) == 0)
            return 0;
        p7_session_unref(s);
        free(j);
        return X400MS_ESTATE;
    }
    struct gate *g = v->gates;
    while (g != NULL && strcmp(g->mailbox, mailbox) != 0)
        g = g->next;
    if (g != NULL) {
        /* a check of this mailbox is running: wait behind it */
        if (g->tail)
            g->tail->next = j;
        else
            g->head = j;
        g->tail = j;
        pthread_mutex_unlock(&v->lock);
        return 0;
    }
    g = calloc(1, sizeof *g);
    if (g == NULL) {
        pthread_mutex_unlock(&v->lock);
        p7_session_unref(s);
        explicit_bzero(j, sizeof *j);
        free(j);
        return X400MS_ENOMEM;
    }
    snprintf(g->mailbox, sizeof g->mailbox, "%s", mailbox);
    g->next = v->gates;
    v->gates = g;
    pthread_mutex_unlock(&v->lock);
    int rc = x400ms_worker_submit_on(m->pool, j->loop, job_work, job_back, j);
    if (rc < 0) {
        gate_next(v, m, mailbox); /* lets a waiter that arrived meanwhile go */
        p7_session_unref(s);
        explicit_bzero(j, sizeof *j);
        free(j);
    }
    return rc;
}

uint64_t p7_verify_estimate_ms(struct p7_module *m)
{
    struct p7_verify *v = m->verify;
    pthread_mutex_lock(&v->lock);
    uint64_t ms = v->pbkdf2_ms_avg;
    pthread_mutex_unlock(&v->lock);
    return ms;
}

void p7_verify_seed_estimate(struct p7_module *m, uint64_t ms)
{
    struct p7_verify *v = m->verify;
    pthread_mutex_lock(&v->lock);
    if (v->pbkdf2_ms_avg == 0)
        v->pbkdf2_ms_avg = ms;
    pthread_mutex_unlock(&v->lock);
}

int p7_verify_init(struct p7_module *m, struct x400ms_error *err)
{
    struct p7_verify *v = calloc(1, sizeof *v);
    if (v == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "p7: out of memory");
    if (RAND_bytes(v->key, sizeof v->key) != 1) {
        free(v);
        return x400ms_error_set(err, X400MS_EIO, "p7: no random bytes for the bind cache key");
    }
    pthread_mutex_init(&v->lock, NULL);
    m->verify = v;
    return 0;
}

void p7_verify_fini(struct p7_module *m)
{
    struct p7_verify *v = m->verify;
    if (v == NULL)
        return;
    while (v->gates != NULL) {
        struct gate *g = v->gates;
        v->gates = g->next;
        free(g);
    }
    pthread_mutex_destroy(&v->lock);
    explicit_bzero(v, sizeof *v);
    free(v);
    m->verify = NULL;
}
