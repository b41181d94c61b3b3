/* x400ms public API: logging.
 *
 * Every line carries a level and the name of the module that wrote it, e.g.
 *   2026-11-22T08:30:01.123Z notice [rfc1006] peer 127.0.0.1:40112: CR refused: unknown T-selector
 * A source file defines X400MS_LOG_MODULE before including this header and
 * then uses the short macros. Logging is thread-safe; a line is written with
 * one write(2) so lines of different threads never interleave. */
#ifndef X400MS_LOG_H
#define X400MS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include "x400ms/error.h"

enum x400ms_log_level {
    X400MS_LOG_ERROR = 0,
    X400MS_LOG_WARNING = 1,
    X400MS_LOG_NOTICE = 2,
    X400MS_LOG_INFO = 3,
    X400MS_LOG_DEBUG = 4,
};

void x400ms_log(enum x400ms_log_level level, const char *module, const char *fmt, ...)
    X400MS_PRINTF(3, 4);
void x400ms_logv(enum x400ms_log_level level, const char *module, const char *fmt, va_list ap);

/* True when a line of this level would be written: guard costly formatting. */
bool x400ms_log_enabled(enum x400ms_log_level level);

/* Configuration, used by the daemon (and by tests that want quiet output). */
void x400ms_log_set_level(enum x400ms_log_level level);
/* "stderr" (default), "syslog", or a file path (reopened by x400ms_log_reopen). */
int x400ms_log_set_target(const char *target, struct x400ms_error *err);
int x400ms_log_reopen(void);
/* Parses "error", "warning", "notice", "info", "debug"; -1 if unknown. */
int x400ms_log_level_parse(const char *name);

#ifndef X400MS_LOG_MODULE
#define X400MS_LOG_MODULE "core"
#endif
#define X400MS_LOG_E(...) x400ms_log(X400MS_LOG_ERROR, X400MS_LOG_MODULE, __VA_ARGS__)
#define X400MS_LOG_W(...) x400ms_log(X400MS_LOG_WARNING, X400MS_LOG_MODULE, __VA_ARGS__)
#define X400MS_LOG_N(...) x400ms_log(X400MS_LOG_NOTICE, X400MS_LOG_MODULE, __VA_ARGS__)
#define X400MS_LOG_I(...) x400ms_log(X400MS_LOG_INFO, X400MS_LOG_MODULE, __VA_ARGS__)
#define X400MS_LOG_D(...) \
    do { if (x400ms_log_enabled(X400MS_LOG_DEBUG)) \
        x400ms_log(X400MS_LOG_DEBUG, X400MS_LOG_MODULE, __VA_ARGS__); } while (0)

#endif
