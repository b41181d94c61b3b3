/* Encoding and checking the header of an entry file (entry_file.h). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "crc32c.h"
#include "entry_file.h"

static size_t str_len(const char *s) { return s ? strlen(s) : 0; }

int sf_entry_validate(const struct x400ms_store_attrs *a, struct x400ms_error *err)
{
    static const struct { size_t off; size_t max; const char *name; } strings[] = {
        { offsetof(struct x400ms_store_attrs, content_type), X400MS_STORE_CONTENT_TYPE_MAX, "content_type" },
        { offsetof(struct x400ms_store_attrs, originator), X400MS_STORE_ADDRESS_MAX, "originator" },
        { offsetof(struct x400ms_store_attrs, this_recipient), X400MS_STORE_ADDRESS_MAX, "this_recipient" },
        { offsetof(struct x400ms_store_attrs, subject), X400MS_STORE_SUBJECT_MAX, "subject" },
    };
    if (!a)
        return x400ms_error_set(err, X400MS_EINVAL, "attrs: missing");
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        const char *s = *(const char *const *)((const char *)a + strings[i].off);
        if (str_len(s) > strings[i].max)
            return x400ms_error_set(err, X400MS_EINVAL, "attrs.%s: %zu bytes, at most %zu allowed",
                                    strings[i].name, str_len(s), strings[i].max);
    }
    if (a->entry_type >= X400MS_ENTRY_TYPE_COUNT)
        return x400ms_error_set(err, X400MS_EINVAL, "attrs.entry_type: %u is not an X.413 entry type",
                                a->entry_type);
    if (a->priority >= X400MS_PRIORITY_COUNT)
        return x400ms_error_set(err, X400MS_EINVAL, "attrs.priority: %u is not an X.411 priority",
                                a->priority);
    if (a->importance > X400MS_IMPORTANCE_HIGH && a->importance != X400MS_IPM_ABSENT)
        return x400ms_error_set(err, X400MS_EINVAL, "attrs.importance: %u out of range", a->importance);
    if ((a->sensitivity == 0 || a->sensitivity > X400MS_SENSITIVITY_COMPANY_CONFIDENTIAL) &&
        a->sensitivity != X400MS_IPM_ABSENT)
        return x400ms_error_set(err, X400MS_EINVAL, "attrs.sensitivity: %u out of range", a->sensitivity);
    if (a->precedence < X400MS_PRECEDENCE_ABSENT || a->precedence > 127)
        return x400ms_error_set(err, X400MS_EINVAL, "attrs.precedence: %d out of range", a->precedence);
    if (a->mts_id_len > X400MS_STORE_MTS_ID_MAX || (a->mts_id_len && !a->mts_id))
        return x400ms_error_set(err, X400MS_EINVAL, "attrs.mts_id: %zu bytes, at most %d allowed",
                                a->mts_id_len, X400MS_STORE_MTS_ID_MAX);
    if (a->n_children > X400MS_STORE_CHILDREN_MAX || (a->n_children && !a->children))
        return x400ms_error_set(err, X400MS_EINVAL, "attrs.children: %zu, at most %d allowed",
                                a->n_children, X400MS_STORE_CHILDREN_MAX);
    return 0;
}

static uint8_t *put_field(uint8_t *p, const void *bytes, size_t len)
{
    sf_put16(p, (uint16_t)len);
    if (len)
        memcpy(p + 2, bytes, len);
    p[2 + len] = 0; /* strings can be used in place after decoding */
    return p + 3 + len;
}

size_t sf_entry_encode_header(uint8_t *buf, uint32_t seq, unsigned box,
                              const struct x400ms_store_attrs *a, uint64_t envelope_len,
                              uint64_t content_len)
{
    uint8_t *p;

    memset(buf, 0, SF_ENTRY_FIXED);
    memcpy(buf, SF_ENTRY_MAGIC, 4);
    sf_put16(buf + 4, SF_ENTRY_VERSION);
    buf[6] = (uint8_t)box;
    sf_put32(buf + 12, seq);
    sf_put32(buf + 16, a->parent_seq);
    buf[20] = a->entry_type;
    buf[21] = a->priority;
    buf[22] = a->importance;
    buf[23] = a->sensitivity;
    sf_put16(buf + 24, (uint16_t)a->precedence);
    sf_put64(buf + 32, (uint64_t)a->creation_time);
    sf_put64(buf + 40, (uint64_t)a->delivery_time);
    sf_put64(buf + 48, a->content_length);
    sf_put64(buf + 56, envelope_len);
    sf_put64(buf + 64, content_len);
    p = buf + SF_ENTRY_FIXED;
    p = put_field(p, a->content_type, str_len(a->content_type));
    p = put_field(p, a->originator, str_len(a->originator));
    p = put_field(p, a->this_recipient, str_len(a->this_recipient));
    p = put_field(p, a->subject, str_len(a->subject));
    p = put_field(p, a->mts_id, a->mts_id_len);
    sf_put16(p, (uint16_t)a->n_children);
    p += 2;
    for (size_t i = 0; i < a->n_children; i++, p += 4)
        sf_put32(p, a->children[i]);
    sf_put32(buf + 8, (uint32_t)(p - buf) + 4);
    sf_put32(p, sf_crc32c(0, buf, (size_t)(p - buf)));
    return (size_t)(p - buf) + 4;
}

static const uint8_t *get_field(const uint8_t *p, const uint8_t *end, size_t max,
                                const char **s_r, size_t *len_r)
{
    size_t len;
    if (end - p < 3)
        return NULL;
    len = sf_get16(p);
    if (len > max || (size_t)(end - p) < 3 + len || p[2 + len] != 0)
        return NULL;
    *s_r = len ? (const char *)p + 2 : NULL;
    if (len_r)
        *len_r = len;
    return p + 3 + len;
}

int sf_entry_decode_header(const uint8_t *buf, size_t len, struct sf_entry_header *h,
                           struct x400ms_error *err)
{
    const uint8_t *p, *end;
    const char *mts_id;
    size_t n;

    if (len < SF_ENTRY_FIXED + 4 || memcmp(buf, SF_ENTRY_MAGIC, 4) != 0)
        return x400ms_error_set(err, X400MS_ECORRUPT, "entry header: bad magic or too short (%zu bytes)", len);
    if (sf_get16(buf + 4) != SF_ENTRY_VERSION)
        return x400ms_error_set(err, X400MS_ECORRUPT, "entry header: unknown version %u", sf_get16(buf + 4));
    h->header_len = sf_get32(buf + 8);
    if (h->header_len < SF_ENTRY_FIXED + 6 * 3 || h->header_len > SF_ENTRY_HEADER_MAX)
        return x400ms_error_set(err, X400MS_ECORRUPT, "entry header: bad header length %u", h->header_len);
    if (len < h->header_len)
        return X400MS_EAGAIN;
    if (sf_crc32c(0, buf, h->header_len - 4) != sf_get32(buf + h->header_len - 4))
        return x400ms_error_set(err, X400MS_ECORRUPT, "entry header: CRC mismatch");
    memset(&h->attrs, 0, sizeof h->attrs);
    h->box = buf[6];
    h->attrs.seq = sf_get32(buf + 12);
    h->attrs.parent_seq = sf_get32(buf + 16);
    h->attrs.entry_type = buf[20];
    h->attrs.priority = buf[21];
    h->attrs.importance = buf[22];
    h->attrs.sensitivity = buf[23];
    h->attrs.precedence = (int16_t)sf_get16(buf + 24);
    h->attrs.creation_time = (int64_t)sf_get64(buf + 32);
    h->attrs.delivery_time = (int64_t)sf_get64(buf + 40);
    h->attrs.content_length = sf_get64(buf + 48);
    h->envelope_len = sf_get64(buf + 56);
    h->content_len = sf_get64(buf + 64);
    p = buf + SF_ENTRY_FIXED;
    end = buf + h->header_len - 4;
    if (!(p = get_field(p, end, X400MS_STORE_CONTENT_TYPE_MAX, &h->attrs.content_type, NULL)) ||
        !(p = get_field(p, end, X400MS_STORE_ADDRESS_MAX, &h->attrs.originator, NULL)) ||
        !(p = get_field(p, end, X400MS_STORE_ADDRESS_MAX, &h->attrs.this_recipient, NULL)) ||
        !(p = get_field(p, end, X400MS_STORE_SUBJECT_MAX, &h->attrs.subject, NULL)) ||
        !(p = get_field(p, end, X400MS_STORE_MTS_ID_MAX, &mts_id, &h->attrs.mts_id_len)) ||
        end - p < 2)
        return x400ms_error_set(err, X400MS_ECORRUPT, "entry header: bad attribute field");
    h->attrs.mts_id = (const uint8_t *)mts_id;
    n = sf_get16(p);
    p += 2;
    if (n > X400MS_STORE_CHILDREN_MAX || (size_t)(end - p) != 4 * n)
        return x400ms_error_set(err, X400MS_ECORRUPT, "entry header: bad child list");
    for (size_t i = 0; i < n; i++, p += 4)
        h->children[i] = sf_get32(p);
    h->attrs.children = n ? h->children : NULL;
    h->attrs.n_children = n;
    if (h->box >= X400MS_STORE_BOX_COUNT || h->attrs.entry_type >= X400MS_ENTRY_TYPE_COUNT ||
        h->attrs.priority >= X400MS_PRIORITY_COUNT || h->attrs.seq == 0)
        return x400ms_error_set(err, X400MS_ECORRUPT, "entry header: attribute out of range");
    return 0;
}

int sf_entry_read_header(int fd, uint8_t *buf, struct sf_entry_header *h, struct x400ms_error *err)
{
    struct stat st;
    size_t want = 4096, have = 0;
    int rc;

    if (fstat(fd, &st) != 0)
        return x400ms_error_set(err, X400MS_EIO, "fstat: %s", strerror(errno));
    for (;;) {
        while (have < want) {
            ssize_t n = pread(fd, buf + have, want - have, (off_t)have);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return x400ms_error_set(err, X400MS_EIO, "read: %s", strerror(errno));
            if (n == 0)
                break;
            have += (size_t)n;
        }
        rc = sf_entry_decode_header(buf, have, h, err);
        if (rc != X400MS_EAGAIN)
            break;
        if (have < want) /* the file ends inside the header */
            return x400ms_error_set(err, X400MS_ECORRUPT, "entry file truncated inside its header");
        want = h->header_len;
    }
    if (rc != 0)
        return rc;
    if ((uint64_t)st.st_size != sf_entry_file_size(h))
        return x400ms_error_set(err, X400MS_ECORRUPT, "entry file is %lld bytes, its header says %llu",
                                (long long)st.st_size, (unsigned long long)sf_entry_file_size(h));
    return 0;
}
