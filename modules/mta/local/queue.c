/* modules/mta/local/queue.c: the durable queue. Each accepted submission
 * is one file DATA/mta_local/queue/<local-id>.q written to a temporary name,
 * flushed, renamed and the directory flushed, before submit() answers
 * ACCEPTED (mts.h: an accepted message is never lost). The file is removed
 * once every recipient was delivered or reported on. Layout: a text header
 *   x400ms-mta-local-queue 1\n id=..\n mailbox=..\n probe=0|1\n time=..\n
 *   envelope=N\n content=N\n \n
 * then N envelope octets and N content octets. */
#define X400MS_LOG_MODULE "mta_local"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modules/mta/local/mta.h"
#include "x400ms/log.h"

#define QUEUE_MAGIC "x400ms-mta-local-queue 1\n"

static int mkdir_p(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(tmp, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int mtal_queue_open(struct mtal *m, struct x400ms_error *err)
{
    const char *data = x400ms_core_data_dir(m->core);
    snprintf(m->queue_dir, sizeof m->queue_dir, "%s/mta_local/queue", data ? data : ".");
    if (mkdir_p(m->queue_dir) < 0)
        return x400ms_error_set(err, X400MS_EIO, "%s: %s", m->queue_dir, strerror(errno));
    return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t k = write(fd, b, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

int mtal_queue_write(struct mtal *m, const struct mtal_item *it, struct x400ms_error *err)
{
    char path[4200], tmp[4210], head[512];
    snprintf(path, sizeof path, "%s/%s.q", m->queue_dir, it->id);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int n = snprintf(head, sizeof head, QUEUE_MAGIC "id=%s\nmailbox=%s\nprobe=%d\ntime=%lld\n"
                     "envelope=%zu\ncontent=%zu\n\n", it->id, it->mailbox, it->probe ? 1 : 0,
                     (long long)it->submission_time, it->envelope_len, it->content_len);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return x400ms_error_set(err, errno == ENOSPC ? X400MS_ENOSPC : X400MS_EIO, "%s: %s", tmp,
                                strerror(errno));
    int rc = write_all(fd, head, (size_t)n);
    if (rc == 0 && it->envelope_len)
        rc = write_all(fd, it->envelope, it->envelope_len);
    if (rc == 0 && it->content_len)
        rc = write_all(fd, it->content, it->content_len);
    if (rc == 0)
        rc = fsync(fd);
    int saved = errno;
    close(fd);
    if (rc == 0 && rename(tmp, path) < 0) {
        saved = errno;
        rc = -1;
    }
    if (rc < 0) {
        unlink(tmp);
        return x400ms_error_set(err, saved == ENOSPC ? X400MS_ENOSPC : X400MS_EIO,
                                "queue file %s: %s", path, strerror(saved));
    }
    sync_dir(m->queue_dir);
    return 0;
}

void mtal_queue_remove(struct mtal *m, const struct mtal_item *it)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.q", m->queue_dir, it->id);
    if (unlink(path) < 0 && errno != ENOENT)
        X400MS_LOG_W("cannot remove queue file %s: %s", path, strerror(errno));
    sync_dir(m->queue_dir);
}

void mtal_item_free(struct mtal_item *it)
{
    if (it == NULL)
        return;
    free(it->envelope);
    free(it->content);
    free(it->done_mask);
    free(it->relay_mask);
    free(it);
}

static const char *header_value(const char *head, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = head; p && *p;) {
        if (strncmp(p, key, k) == 0 && p[k] == '=')
            return p + k + 1;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return NULL;
}

static void copy_value(char *dst, size_t size, const char *v)
{
    size_t n = v ? strcspn(v, "\n") : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, v, n);
    dst[n] = '\0';
}

/* Reads one queue file; NULL (logged) when it is damaged. */
static struct mtal_item *load_one(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        X400MS_LOG_W("queue file %s: %s", path, strerror(errno));
        return NULL;
    }
    char head[2048];
    size_t hl = 0;
    int c, prev = 0;
    while (hl + 1 < sizeof head && (c = fgetc(f)) != EOF) {
        head[hl++] = (char)c;
        if (c == '\n' && prev == '\n')
            break;
        prev = c;
    }
    head[hl] = '\0';
    struct mtal_item *it = calloc(1, sizeof *it);
    const char *env = header_value(head, "envelope"), *con = header_value(head, "content");
    if (it == NULL || strncmp(head, QUEUE_MAGIC, strlen(QUEUE_MAGIC)) != 0 || env == NULL ||
        con == NULL)
        goto bad;
    copy_value(it->id, sizeof it->id, header_value(head, "id"));
    copy_value(it->mailbox, sizeof it->mailbox, header_value(head, "mailbox"));
    const char *v = header_value(head, "probe");
    it->probe = v != NULL && *v == '1';
    v = header_value(head, "time");
    it->submission_time = v ? strtoll(v, NULL, 10) : 0;
    it->envelope_len = strtoull(env, NULL, 10);
    it->content_len = strtoull(con, NULL, 10);
    if (it->id[0] == '\0' || it->envelope_len == 0 || it->envelope_len > (1u << 30) ||
        it->content_len > (1u << 30))
        goto bad;
    it->envelope = malloc(it->envelope_len);
    it->content = malloc(it->content_len + 1);
    if (it->envelope == NULL || it->content == NULL ||
        fread(it->envelope, 1, it->envelope_len, f) != it->envelope_len ||
        (it->content_len && fread(it->content, 1, it->content_len, f) != it->content_len))
        goto bad;
    fclose(f);
    return it;
bad:
    X400MS_LOG_E("queue file %s is damaged: left in place, not delivered", path);
    fclose(f);
    mtal_item_free(it);
    return NULL;
}

int mtal_queue_load(struct mtal *m, struct x400ms_error *err)
{
    DIR *d = opendir(m->queue_dir);
    if (d == NULL)
        return x400ms_error_set(err, X400MS_EIO, "%s: %s", m->queue_dir, strerror(errno));
    struct dirent *de;
    unsigned loaded = 0;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", m->queue_dir, de->d_name);
        if (n > 4 && strcmp(de->d_name + n - 4, ".tmp") == 0) {
            unlink(path); /* never acknowledged: the submitter got no ACCEPTED */
            continue;
        }
        if (n < 3 || strcmp(de->d_name + n - 2, ".q") != 0)
            continue;
        struct mtal_item *it = load_one(path);
        if (it == NULL)
            continue;
        struct mts_submission_envelope e;
        struct x400ms_error e2 = { 0 };
        if (mtal_decode_envelope(it, &e, &e2) < 0) {
            X400MS_LOG_E("queue file %s: %s: left in place", path, e2.message);
            mtal_item_free(it);
            continue;
        }
        it->deferred = !it->probe && e.deferred_delivery_time.present
                           ? (int64_t)e.deferred_delivery_time.sec : 0;
        it->latest = mtal_latest_delivery_time(&e);
        it->rank = mtal_urgency_rank(e.priority);
        it->order = it->submission_time; /* older first after a restart */
        it->next = m->items;
        m->items = it;
        loaded++;
    }
    closedir(d);
    /* order among reloaded items: by submission time, then after them the new ones */
    uint64_t max = 0;
    for (struct mtal_item *it = m->items; it; it = it->next)
        if (it->order > max)
            max = it->order;
    m->next_order = max + 1;
    if (loaded)
        X400MS_LOG_N("%u queued message(s) reloaded from %s", loaded, m->queue_dir);
    return 0;
}
