/* x400ms public API: error codes and the error report every fallible call fills.
 *
 * Convention (STYLE.md): functions return 0 on success or a negative
 * X400MS_E* code; the human explanation goes into a struct x400ms_error that
 * names the file, peer, PDU or field at fault. */
#ifndef X400MS_ERROR_H
#define X400MS_ERROR_H

#include <stddef.h>

#if defined(__GNUC__)
#define X400MS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define X400MS_PRINTF(fmt, args)
#endif

enum x400ms_errcode {
    X400MS_OK = 0,
    X400MS_EINVAL = -1,     /* bad argument or configuration */
    X400MS_ENOMEM = -2,     /* out of memory */
    X400MS_EAGAIN = -3,     /* need more bytes / would block: try again later */
    X400MS_EPROTO = -4,     /* malformed input from a peer */
    X400MS_ELIMIT = -5,     /* a configured or built-in bound was exceeded */
    X400MS_ENOENT = -6,     /* no such mailbox, entry, module, file ... */
    X400MS_EEXIST = -7,     /* already exists / duplicate */
    X400MS_EIO = -8,        /* I/O error from the operating system */
    X400MS_EPERM = -9,      /* not permitted (policy) */
    X400MS_EABI = -10,      /* module ABI version or size mismatch */
    X400MS_EDEP = -11,      /* module dependency missing or cyclic */
    X400MS_ESTATE = -12,    /* call not valid in the current state */
    X400MS_ENOSPC = -13,    /* no space left on the device */
    X400MS_ETIMEDOUT = -14, /* a time bound expired */
    X400MS_ECLOSED = -15,   /* the peer or connection went away */
    X400MS_ENOTSUP = -16,   /* not supported / not implemented by this build */
    X400MS_EAUTH = -17,     /* authentication failed */
    X400MS_ECORRUPT = -18,  /* stored data failed its check */
};

/* Filled by a failing call. `code` repeats the return value; `message` is one
 * line, without a trailing newline, fit for a log or an HTTP error body. */
struct x400ms_error {
    int code;
    char message[400];
};

/* Sets err (when not NULL) and returns `code`, so callers can write
 * `return x400ms_error_set(err, X400MS_EINVAL, "port: expected ...");` */
int x400ms_error_set(struct x400ms_error *err, int code, const char *fmt, ...)
    X400MS_PRINTF(3, 4);

/* Prefixes err->message with "prefix: " (e.g. the manifest file name). */
void x400ms_error_prefix(struct x400ms_error *err, const char *fmt, ...)
    X400MS_PRINTF(2, 3);

void x400ms_error_clear(struct x400ms_error *err);

/* A short constant text for a code ("malformed input", "not found"). */
const char *x400ms_strerror(int code);

#endif
