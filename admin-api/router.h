/* admin-api: the route table and its matcher.
 *
 * A route is (method, pattern, handler). Patterns are absolute paths whose
 * segments are literals or {name} captures (one non-empty segment each).
 * Matching a request gives one of three answers, in the manner of GNU
 * Taler's routing: a route; "no such path" (404); or "path known, method
 * not" (405) together with the Allow list (RFC 9110 15.5.6). */
#ifndef ADMIN_ROUTER_H
#define ADMIN_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include "x400ms/admin.h"

#define ADMIN_PATH_MAX 2048 /* longer request paths get 414 */

struct admin_route {
    const char *method;
    const char *pattern;
    x400ms_admin_handler_fn *handler;
    void *ctx;
    const char *summary;
    const char *module;   /* who added it: "admin_api" for the built-in ones */
};

struct admin_router {
    struct admin_route *routes;
    size_t count, cap;
};

/* The values a match captured; they point into `buf`. */
struct admin_captures {
    unsigned count;
    const char *names[X400MS_ADMIN_MAX_CAPTURES];
    const char *values[X400MS_ADMIN_MAX_CAPTURES];
    char buf[ADMIN_PATH_MAX + 1];
    char names_buf[256];
};

enum admin_match_result {
    ADMIN_MATCH_OK = 0,
    ADMIN_MATCH_NO_PATH = 1,    /* 404 */
    ADMIN_MATCH_NO_METHOD = 2,  /* 405 */
};

void admin_router_init(struct admin_router *router);
void admin_router_free(struct admin_router *router);

/* Checks that a pattern is well formed: starts with '/', no empty segment,
 * captures are whole segments "{[a-z_]+}", at most X400MS_ADMIN_MAX_CAPTURES.
 * Returns 0 or X400MS_EINVAL with err saying what is wrong. */
int admin_route_pattern_check(const char *pattern, struct x400ms_error *err);

/* Adds a route (the strings and ctx must outlive the router). Refuses a bad
 * pattern or method and a duplicate: same method and a pattern equal to an
 * existing one up to capture names (X400MS_EEXIST). */
int admin_router_add(struct admin_router *router, const struct admin_route *route,
                     struct x400ms_error *err);

/* Matches method + path (no query). HEAD matches GET routes. On OK, *route_r
 * and caps are set; on NO_METHOD, `allow` gets the comma-separated methods
 * of the routes whose pattern matches the path. */
enum admin_match_result admin_router_match(const struct admin_router *router, const char *method,
                                           const char *path, const struct admin_route **route_r,
                                           struct admin_captures *caps, char *allow,
                                           size_t allow_len);

#endif
