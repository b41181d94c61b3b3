/* File-system helpers (fsutil.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fsutil.h"

int sf_errno_code(int e)
{
    switch (e) {
    case ENOENT: case ENOTDIR: return X400MS_ENOENT;
    case EEXIST: return X400MS_EEXIST;
    case ENOSPC: case EDQUOT: return X400MS_ENOSPC;
    case ENOMEM: return X400MS_ENOMEM;
    case EACCES: case EPERM: case EROFS: return X400MS_EPERM;
    default: return X400MS_EIO;
    }
}

int sf_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int sf_writev_all(int fd, struct iovec *iov, int iovcnt)
{
    while (iovcnt > 0) {
        ssize_t n = writev(fd, iov, iovcnt > IOV_MAX ? IOV_MAX : iovcnt);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
            n -= (ssize_t)iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + n;
            iov->iov_len -= (size_t)n;
        }
    }
    return 0;
}

int sf_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO; /* short file */
            return -1;
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

int sf_fsync_dir(int dir_fd)
{
    return fsync(dir_fd) == 0 ? 0 : sf_errno_code(errno);
}

int sf_write_atomic(int dir_fd, const char *name, const void *buf, size_t len,
                    struct x400ms_error *err)
{
    char tmp[300];
    int fd, e;

    snprintf(tmp, sizeof tmp, "%s.tmp", name);
    fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        goto fail;
    if (sf_write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
        e = errno;
        close(fd);
        unlinkat(dir_fd, tmp, 0);
        errno = e;
        goto fail;
    }
    close(fd);
    if (renameat(dir_fd, tmp, dir_fd, name) != 0 || fsync(dir_fd) != 0)
        goto fail;
    return 0;
fail:
    e = errno;
    return x400ms_error_set(err, sf_errno_code(e), "writing %s: %s", name, strerror(e));
}

int sf_read_file(int dir_fd, const char *name, char **buf_r, size_t *len_r, struct x400ms_error *err)
{
    struct stat st;
    char *buf;
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC), e;

    if (fd < 0 || fstat(fd, &st) != 0)
        goto fail;
    if (!(buf = malloc((size_t)st.st_size + 1))) {
        close(fd);
        return x400ms_error_set(err, X400MS_ENOMEM, "reading %s: out of memory", name);
    }
    if (sf_pread_all(fd, buf, (size_t)st.st_size, 0) != 0) {
        free(buf);
        goto fail;
    }
    close(fd);
    buf[st.st_size] = 0;
    *buf_r = buf;
    if (len_r)
        *len_r = (size_t)st.st_size;
    return 0;
fail:
    e = errno;
    if (fd >= 0)
        close(fd);
    return x400ms_error_set(err, sf_errno_code(e), "reading %s: %s", name, strerror(e));
}

int sf_mkdirat(int dir_fd, const char *name, struct x400ms_error *err)
{
    if (mkdirat(dir_fd, name, 0700) != 0 && errno != EEXIST)
        return x400ms_error_set(err, sf_errno_code(errno), "mkdir %s: %s", name, strerror(errno));
    return 0;
}

int sf_mkdir_p(const char *path, struct x400ms_error *err)
{
    char buf[PATH_MAX];
    size_t len = strlen(path);

    if (len == 0 || len >= sizeof buf)
        return x400ms_error_set(err, X400MS_EINVAL, "bad directory path '%s'", path);
    memcpy(buf, path, len + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return x400ms_error_set(err, sf_errno_code(errno), "mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return x400ms_error_set(err, sf_errno_code(errno), "mkdir %s: %s", buf, strerror(errno));
    return 0;
}

int sf_rmtree_at(int dir_fd, const char *name)
{
    struct dirent *de;
    DIR *d;
    int fd, rc = 0;

    if (unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return sf_errno_code(errno);
    fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0)
            close(fd);
        return sf_errno_code(errno);
    }
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        int r = sf_rmtree_at(dirfd(d), de->d_name);
        if (r && !rc)
            rc = r;
    }
    closedir(d);
    if (unlinkat(dir_fd, name, AT_REMOVEDIR) != 0 && !rc)
        rc = sf_errno_code(errno);
    return rc;
}
