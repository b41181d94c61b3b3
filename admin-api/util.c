/* admin-api: small helpers. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "admin-api/util.h"
#include "x400ms/store.h"

int64_t admin_now(void)
{
    return (int64_t)time(NULL);
}

json_t *admin_time_json(int64_t t)
{
    if (t == 0)
        return json_null();
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

bool admin_name_valid(const char *name, const char **why)
{
    size_t len = strlen(name);
    if (len == 0) {
        *why = "must not be empty";
        return false;
    }
    if (len > X400MS_STORE_NAME_MAX) {
        *why = "longer than 64 characters";
        return false;
    }
    if (name[0] == '.') {
        *why = "must not start with '.'";
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            *why = "may only contain letters, digits, '.', '_' and '-'";
            return false;
        }
    }
    return true;
}

char *admin_path_join(const char *base, const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    size_t n = strlen(base) + strlen(path) + 2;
    char *out = malloc(n);
    if (out != NULL)
        snprintf(out, n, "%s/%s", base, path);
    return out;
}

static int write_all(int fd, const char *p, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, p + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

int admin_write_file_atomic(const char *path, const char *text, struct x400ms_error *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    char *dir = strdup(path);
    int rc = 0;
    if (tmp == NULL || dir == NULL) {
        rc = x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        goto out;
    }
    snprintf(tmp, plen + 8, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = x400ms_error_set(err, errno == ENOSPC ? X400MS_ENOSPC : X400MS_EIO, "%s: %s", tmp,
                              strerror(errno));
        goto out;
    }
    if (write_all(fd, text, strlen(text)) != 0 || write_all(fd, "\n", 1) != 0 || fsync(fd) != 0) {
        rc = x400ms_error_set(err, errno == ENOSPC ? X400MS_ENOSPC : X400MS_EIO, "%s: %s", tmp,
                              strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        rc = x400ms_error_set(err, X400MS_EIO, "rename %s: %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    /* the rename itself is durable once the directory is synced */
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
out:
    free(tmp);
    free(dir);
    return rc;
}
