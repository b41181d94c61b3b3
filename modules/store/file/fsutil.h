/* Small file-system helpers of the file store (EINTR and short writes handled). */
#ifndef STORE_FILE_FSUTIL_H
#define STORE_FILE_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include "x400ms/error.h"

/* Maps errno to an X400MS_E* code (ENOSPC -> X400MS_ENOSPC, ENOENT -> X400MS_ENOENT, ...). */
int sf_errno_code(int e);
int sf_write_all(int fd, const void *buf, size_t len);
int sf_writev_all(int fd, struct iovec *iov, int iovcnt);
int sf_pread_all(int fd, void *buf, size_t len, uint64_t off);
/* Writes `name` in dir_fd atomically: name.tmp, fsync, rename, fsync(dir). */
int sf_write_atomic(int dir_fd, const char *name, const void *buf, size_t len,
                    struct x400ms_error *err);
/* Reads a whole (small) file; *buf_r is NUL-terminated, free() it. */
int sf_read_file(int dir_fd, const char *name, char **buf_r, size_t *len_r, struct x400ms_error *err);
/* mkdir -p for one level relative to dir_fd; EEXIST is fine. */
int sf_mkdirat(int dir_fd, const char *name, struct x400ms_error *err);
/* mkdir -p of an absolute or relative path. */
int sf_mkdir_p(const char *path, struct x400ms_error *err);
/* Removes name (file or tree) under dir_fd. */
int sf_rmtree_at(int dir_fd, const char *name);
/* fsync of a directory fd, mapped to a code. */
int sf_fsync_dir(int dir_fd);

#endif
