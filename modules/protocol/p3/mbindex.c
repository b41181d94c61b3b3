/* modules/protocol/p3/mbindex.c: the O/R address -> mailbox hash index (see
 * mbindex.h). The previous lookup parsed and compared every mailbox's
 * address whenever the text form of the delivered address did not equal
 * the stored text, i.e. O(mailboxes) parses per delivery. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/protocol/p3/mbindex.h"

struct mb_entry {
    struct mb_entry *next;     /* bucket chain, in mailbox-list order */
    uint64_t key;
    char name[X400MS_STORE_NAME_MAX + 1];
    char *text;                /* the address as the store holds it; addr points into it */
    struct or_address addr;
};

struct mtsu_mbindex {
    const struct x400ms_store_ops *store;
    void *store_ctx;
    pthread_rwlock_t lock;
    bool built;
    uint64_t signature;        /* of the mailbox list the table was built from */
    struct mb_entry **buckets;
    size_t n_buckets;          /* a power of two */
    _Atomic unsigned long lookups, hits, rebuilds;
};

/* ---- hashing ---- */

#define FNV_OFFSET 1469598103934665603ull
#define FNV_PRIME 1099511628211ull

static uint64_t fnv_byte(uint64_t h, uint8_t b)
{
    return (h ^ b) * FNV_PRIME;
}

/* One attribute, normalised coarser than X.411 matching (X.520 case-ignore
 * with insignificant spaces; numeric strings ignore spaces): ASCII case
 * folded, all spaces dropped, empty the same as absent. */
static uint64_t hash_attr(uint64_t h, uint8_t field, const struct mhs_str *s)
{
    if (!mhs_str_present(s))
        return h;
    bool any = false;
    uint64_t v = fnv_byte(h, field);
    for (size_t i = 0; i < s->len; i++) {
        uint8_t c = s->ptr[i];
        if (c == ' ')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c - 'A' + 'a');
        v = fnv_byte(v, c);
        any = true;
    }
    return any ? fnv_byte(v, 0xff) : h;
}

/* The ADMD is left out: " " (any ADMD) matches every ADMD. The directory
 * name and raw extension attributes are not compared by or_address_match. */
static uint64_t address_key(const struct or_address *a)
{
    uint64_t h = FNV_OFFSET;
    const struct mhs_str *fields[] = { &a->country, &a->prmd, &a->org, &a->surname, &a->given,
                                       &a->initials, &a->generation, &a->common_name, &a->x121,
                                       &a->numeric_user_id, &a->terminal_id };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        h = hash_attr(h, (uint8_t)(i + 1), fields[i]);
    h = fnv_byte(h, (uint8_t)(0x40 + a->n_ou));
    for (unsigned i = 0; i < a->n_ou && i < OR_UB_ORGANIZATIONAL_UNITS; i++)
        h = hash_attr(h, (uint8_t)(0x20 + i), &a->ou[i]);
    /* DDAs match in any order: combine their hashes commutatively */
    uint64_t dda = 0;
    for (unsigned i = 0; i < a->n_dda && i < OR_UB_DOMAIN_DEFINED_ATTRIBUTES; i++)
        dda += hash_attr(hash_attr(FNV_OFFSET, 0x30, &a->dda[i].type), 0x31, &a->dda[i].value);
    h = fnv_byte(h, (uint8_t)(0x50 + a->n_dda));
    for (int i = 0; i < 8; i++)
        h = fnv_byte(h, (uint8_t)(dda >> (8 * i)));
    return h;
}

static uint64_t hash_text(uint64_t h, const char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        h = fnv_byte(h, (uint8_t)*s);
    return fnv_byte(h, 0);
}

/* ---- the signature of the mailbox list (names and address texts) ---- */

static int signature_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    uint64_t *h = arg;
    *h = hash_text(hash_text(*h, info->name), info->or_address);
    return 0;
}

static int list_signature(struct mtsu_mbindex *ix, uint64_t *sig, struct x400ms_error *err)
{
    *sig = FNV_OFFSET;
    return ix->store->mailbox_list(ix->store_ctx, signature_visit, sig, err);
}

/* ---- building ---- */

struct build_ctx {
    struct mb_entry *head, **tail;
    size_t n;
    uint64_t sig;
};

static int build_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct build_ctx *b = arg;
    b->sig = hash_text(hash_text(b->sig, info->name), info->or_address);
    if (info->or_address == NULL || info->or_address[0] == '\0')
        return 0;
    struct mb_entry *e = calloc(1, sizeof *e);
    char *text = strdup(info->or_address);
    if (e == NULL || text == NULL) {
        free(e);
        free(text);
        return X400MS_ENOMEM;
    }
    struct x400ms_error perr;
    if (or_address_parse(text, strlen(text), &e->addr, &perr) < 0) {
        free(e); /* an address no delivery can match */
        free(text);
        return 0;
    }
    e->text = text;
    snprintf(e->name, sizeof e->name, "%s", info->name);
    e->key = address_key(&e->addr);
    *b->tail = e;
    b->tail = &e->next;
    b->n++;
    return 0;
}

static void free_table(struct mtsu_mbindex *ix)
{
    for (size_t i = 0; i < ix->n_buckets; i++)
        for (struct mb_entry *e = ix->buckets[i], *next; e != NULL; e = next) {
            next = e->next;
            free(e->text);
            free(e);
        }
    free(ix->buckets);
    ix->buckets = NULL;
    ix->n_buckets = 0;
    ix->built = false;
}

/* Under the write lock. */
static int rebuild(struct mtsu_mbindex *ix, struct x400ms_error *err)
{
    struct build_ctx b = { NULL, NULL, 0, FNV_OFFSET };
    b.tail = &b.head;
    int rc = ix->store->mailbox_list(ix->store_ctx, build_visit, &b, err);
    size_t n_buckets = 16;
    while (n_buckets < 2 * b.n)
        n_buckets *= 2;
    struct mb_entry **buckets = rc >= 0 ? calloc(n_buckets, sizeof *buckets) : NULL;
    if (buckets == NULL) {
        for (struct mb_entry *e = b.head, *next; e != NULL; e = next) {
            next = e->next;
            free(e->text);
            free(e);
        }
        return rc < 0 ? rc : x400ms_error_set(err, X400MS_ENOMEM, "mailbox index: out of memory");
    }
    free_table(ix);
    /* appended at each chain's tail: the list order decides among matches */
    for (struct mb_entry *e = b.head, *next; e != NULL; e = next) {
        next = e->next;
        e->next = NULL;
        struct mb_entry **p = &buckets[e->key & (n_buckets - 1)];
        while (*p != NULL)
            p = &(*p)->next;
        *p = e;
    }
    ix->buckets = buckets;
    ix->n_buckets = n_buckets;
    ix->signature = b.sig;
    ix->built = true;
    atomic_fetch_add(&ix->rebuilds, 1);
    return 0;
}

/* ---- lookup ---- */

/* Under the read lock: the matching entry's name and address text. */
static bool table_find(struct mtsu_mbindex *ix, const struct or_address *addr, char *name,
                       char *text, size_t text_size)
{
    if (!ix->built || ix->n_buckets == 0)
        return false;
    uint64_t key = address_key(addr);
    for (struct mb_entry *e = ix->buckets[key & (ix->n_buckets - 1)]; e != NULL; e = e->next)
        if (e->key == key && or_address_match(&e->addr, addr)) {
            snprintf(name, X400MS_STORE_NAME_MAX + 1, "%s", e->name);
            snprintf(text, text_size, "%s", e->text);
            return true;
        }
    return false;
}

struct confirm_ctx {
    const char *text;
    bool same;
};

static int confirm_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct confirm_ctx *c = arg;
    c->same = info->or_address != NULL && strcmp(info->or_address, c->text) == 0;
    return 0;
}

/* Rebuilds when not built, when forced, or (check_stale) when the table is
 * still the one of signature `stale` (another thread may have rebuilt it
 * meanwhile). */
static int ensure_built(struct mtsu_mbindex *ix, bool force, uint64_t stale, bool check_stale,
                        struct x400ms_error *err)
{
    int rc = 0;
    pthread_rwlock_wrlock(&ix->lock);
    if (!ix->built || force || (check_stale && ix->signature == stale))
        rc = rebuild(ix, err);
    pthread_rwlock_unlock(&ix->lock);
    return rc;
}

int mtsu_mbindex_find(struct mtsu_mbindex *ix, const struct or_address *addr, char *name,
                      struct x400ms_error *err)
{
    atomic_fetch_add(&ix->lookups, 1);
    char text[X400MS_STORE_ADDRESS_MAX + 1];
    bool rebuilt = false;
    int rc;
    pthread_rwlock_rdlock(&ix->lock);
    bool built = ix->built;
    pthread_rwlock_unlock(&ix->lock);
    if (!built) {
        if ((rc = ensure_built(ix, false, 0, false, err)) < 0)
            return rc;
        rebuilt = true;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        pthread_rwlock_rdlock(&ix->lock);
        bool found = table_find(ix, addr, name, text, sizeof text);
        uint64_t sig = ix->signature;
        pthread_rwlock_unlock(&ix->lock);
        if (found) {
            /* still there with the same address? */
            struct confirm_ctx c = { text, false };
            struct x400ms_error e;
            rc = ix->store->mailbox_get(ix->store_ctx, name, NULL, confirm_visit, &c, &e);
            if (rc >= 0 && c.same) {
                atomic_fetch_add(&ix->hits, 1);
                return 0;
            }
            if (rc < 0 && rc != X400MS_ENOENT)
                return x400ms_error_set(err, rc, "%s", e.message);
            if ((rc = ensure_built(ix, true, 0, false, err)) < 0)
                return rc;
            rebuilt = true;
            continue;
        }
        if (rebuilt)
            break; /* built from the current list moments ago: a real miss */
        uint64_t now;
        if ((rc = list_signature(ix, &now, err)) < 0)
            return rc;
        if (now == sig)
            break;
        if ((rc = ensure_built(ix, false, sig, true, err)) < 0)
            return rc;
        rebuilt = true;
    }
    if (or_address_format(addr, OR_TEXT_SLASH, text, sizeof text) < 0)
        snprintf(text, sizeof text, "(unprintable O/R address)");
    return x400ms_error_set(err, X400MS_ENOENT, "no mailbox has the O/R address %s", text);
}

/* ---- life ---- */

int mtsu_mbindex_new(const struct x400ms_store_ops *store, void *store_ctx,
                     struct mtsu_mbindex **ix_r, struct x400ms_error *err)
{
    struct mtsu_mbindex *ix = calloc(1, sizeof *ix);
    if (ix == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "mailbox index: out of memory");
    ix->store = store;
    ix->store_ctx = store_ctx;
    pthread_rwlock_init(&ix->lock, NULL);
    *ix_r = ix;
    return 0;
}

void mtsu_mbindex_invalidate(struct mtsu_mbindex *ix)
{
    pthread_rwlock_wrlock(&ix->lock);
    free_table(ix);
    pthread_rwlock_unlock(&ix->lock);
}

void mtsu_mbindex_stats(struct mtsu_mbindex *ix, struct mtsu_mbindex_stats *st)
{
    st->lookups = atomic_load(&ix->lookups);
    st->hits = atomic_load(&ix->hits);
    st->rebuilds = atomic_load(&ix->rebuilds);
}

void mtsu_mbindex_free(struct mtsu_mbindex **ixp)
{
    struct mtsu_mbindex *ix = *ixp;
    if (ix == NULL)
        return;
    *ixp = NULL;
    free_table(ix);
    pthread_rwlock_destroy(&ix->lock);
    free(ix);
}
