/* The error report of include/x400ms/error.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "x400ms/error.h"

int x400ms_error_set(struct x400ms_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

void x400ms_error_prefix(struct x400ms_error *err, const char *fmt, ...)
{
    char joined[sizeof err->message];
    size_t n;
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    n = (size_t)vsnprintf(joined, sizeof joined, fmt, ap);
    va_end(ap);
    if (n + 2 < sizeof joined) {
        size_t old_len = strnlen(err->message, sizeof err->message);
        joined[n++] = ':';
        joined[n++] = ' ';
        /* Whatever of the old message fits; a cut message still reads. */
        if (old_len > sizeof joined - n - 1)
            old_len = sizeof joined - n - 1;
        memcpy(joined + n, err->message, old_len);
        joined[n + old_len] = '\0';
    }
    memcpy(err->message, joined, sizeof joined);
}

void x400ms_error_clear(struct x400ms_error *err)
{
    if (err) {
        err->code = 0;
        err->message[0] = '\0';
    }
}

/* Indexed by -code. */
static const char *const error_texts[] = {
    [0] = "success",
    [-X400MS_EINVAL] = "invalid argument",
    [-X400MS_ENOMEM] = "out of memory",
    [-X400MS_EAGAIN] = "try again",
    [-X400MS_EPROTO] = "malformed input",
    [-X400MS_ELIMIT] = "limit exceeded",
    [-X400MS_ENOENT] = "not found",
    [-X400MS_EEXIST] = "already exists",
    [-X400MS_EIO] = "input/output error",
    [-X400MS_EPERM] = "not permitted",
    [-X400MS_EABI] = "ABI mismatch",
    [-X400MS_EDEP] = "dependency error",
    [-X400MS_ESTATE] = "invalid state",
    [-X400MS_ENOSPC] = "no space left",
    [-X400MS_ETIMEDOUT] = "timed out",
    [-X400MS_ECLOSED] = "connection closed",
    [-X400MS_ENOTSUP] = "not supported",
    [-X400MS_EAUTH] = "authentication failed",
    [-X400MS_ECORRUPT] = "stored data corrupt",
};

const char *x400ms_strerror(int code)
{
    if (code > 0 || -code >= (int)(sizeof error_texts / sizeof error_texts[0]) ||
        !error_texts[-code])
        return "unknown error";
    return error_texts[-code];
}
