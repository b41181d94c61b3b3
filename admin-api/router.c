/* admin-api: the route table and its matcher (see router.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "admin-api/router.h"

void admin_router_init(struct admin_router *router)
{
    memset(router, 0, sizeof *router);
}

void admin_router_free(struct admin_router *router)
{
    free(router->routes);
    memset(router, 0, sizeof *router);
}

static bool segment_is_capture(const char *seg, size_t len)
{
    return len >= 3 && seg[0] == '{' && seg[len - 1] == '}';
}

int admin_route_pattern_check(const char *pattern, struct x400ms_error *err)
{
    if (pattern == NULL || pattern[0] != '/')
        return x400ms_error_set(err, X400MS_EINVAL, "route pattern must start with '/'");
    if (strlen(pattern) > ADMIN_PATH_MAX)
        return x400ms_error_set(err, X400MS_EINVAL, "route pattern longer than %d bytes",
                                ADMIN_PATH_MAX);
    unsigned captures = 0;
    const char *p = pattern + 1;
    for (;;) {
        const char *end = strchr(p, '/');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len == 0)
            return x400ms_error_set(err, X400MS_EINVAL, "route pattern %s has an empty segment",
                                    pattern);
        if (memchr(p, '{', len) != NULL || memchr(p, '}', len) != NULL) {
            if (!segment_is_capture(p, len))
                return x400ms_error_set(err, X400MS_EINVAL,
                                        "route pattern %s: a capture must be a whole segment {name}",
                                        pattern);
            for (size_t i = 1; i + 1 < len; i++)
                if (!((p[i] >= 'a' && p[i] <= 'z') || p[i] == '_'))
                    return x400ms_error_set(err, X400MS_EINVAL,
                                            "route pattern %s: capture names use [a-z_]", pattern);
            if (++captures > X400MS_ADMIN_MAX_CAPTURES)
                return x400ms_error_set(err, X400MS_EINVAL,
                                        "route pattern %s has more than %d captures", pattern,
                                        X400MS_ADMIN_MAX_CAPTURES);
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return 0;
}

/* Two patterns are the same route shape when their segments are equal, with
 * any capture equal to any other capture. */
static bool patterns_same_shape(const char *a, const char *b)
{
    for (;;) {
        const char *ea = strchr(a, '/'), *eb = strchr(b, '/');
        size_t la = ea != NULL ? (size_t)(ea - a) : strlen(a);
        size_t lb = eb != NULL ? (size_t)(eb - b) : strlen(b);
        bool ca = segment_is_capture(a, la), cb = segment_is_capture(b, lb);
        if (ca != cb)
            return false;
        if (!ca && (la != lb || memcmp(a, b, la) != 0))
            return false;
        if ((ea == NULL) != (eb == NULL))
            return false;
        if (ea == NULL)
            return true;
        a = ea + 1;
        b = eb + 1;
    }
}

static bool method_is_known(const char *m)
{
    static const char *const known[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };
    for (size_t i = 0; known[i] != NULL; i++)
        if (strcmp(m, known[i]) == 0)
            return true;
    return false;
}

int admin_router_add(struct admin_router *router, const struct admin_route *route,
                     struct x400ms_error *err)
{
    int rc = admin_route_pattern_check(route->pattern, err);
    if (rc < 0)
        return rc;
    if (route->method == NULL || !method_is_known(route->method))
        return x400ms_error_set(err, X400MS_EINVAL, "route %s: unsupported method %s",
                                route->pattern, route->method != NULL ? route->method : "(null)");
    if (route->handler == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "route %s %s has no handler", route->method,
                                route->pattern);
    for (size_t i = 0; i < router->count; i++) {
        const struct admin_route *r = &router->routes[i];
        if (strcmp(r->method, route->method) == 0 && patterns_same_shape(r->pattern + 1,
                                                                         route->pattern + 1))
            return x400ms_error_set(err, X400MS_EEXIST, "route %s %s clashes with %s %s of %s",
                                    route->method, route->pattern, r->method, r->pattern,
                                    r->module != NULL ? r->module : "?");
    }
    if (router->count == router->cap) {
        size_t cap = router->cap != 0 ? router->cap * 2 : 32;
        struct admin_route *grown = realloc(router->routes, cap * sizeof *grown);
        if (grown == NULL)
            return x400ms_error_set(err, X400MS_ENOMEM, "out of memory adding a route");
        router->routes = grown;
        router->cap = cap;
    }
    router->routes[router->count++] = *route;
    return 0;
}

/* Matches path against pattern; on success returns the number of literal
 * segments (its specificity) and fills caps, else -1. caps->buf must already
 * hold a copy of the path split by NULs at the same offsets. */
static int match_one(const char *pattern, const char *path, struct admin_captures *caps)
{
    int literals = 0;
    unsigned ncap = 0;
    const char *pp = pattern + 1;
    const char *sp = path + 1;
    for (;;) {
        const char *pe = strchr(pp, '/'), *se = strchr(sp, '/');
        size_t pl = pe != NULL ? (size_t)(pe - pp) : strlen(pp);
        size_t sl = se != NULL ? (size_t)(se - sp) : strlen(sp);
        if (sl == 0)
            return -1; /* empty segment: "//" or a trailing '/' */
        if (segment_is_capture(pp, pl)) {
            if (ncap < X400MS_ADMIN_MAX_CAPTURES && caps != NULL) {
                caps->names[ncap] = NULL; /* set by the caller from the pattern */
                caps->values[ncap] = caps->buf + (sp - path);
            }
            ncap++;
        } else if (pl != sl || memcmp(pp, sp, pl) != 0) {
            return -1;
        } else {
            literals++;
        }
        if ((pe == NULL) != (se == NULL))
            return -1;
        if (pe == NULL)
            break;
        pp = pe + 1;
        sp = se + 1;
    }
    if (caps != NULL)
        caps->count = ncap;
    return literals;
}

/* The capture names of a pattern, copied NUL-terminated into caps->names_buf
 * (the pattern itself cannot be split: it is constant). */
static void fill_capture_names(const char *pattern, struct admin_captures *caps)
{
    char *names_buf = caps->names_buf;
    size_t names_len = sizeof caps->names_buf;
    unsigned n = 0;
    size_t used = 0;
    for (const char *p = pattern; (p = strchr(p, '{')) != NULL && n < caps->count; p++) {
        const char *end = strchr(p, '}');
        size_t len = (size_t)(end - p - 1);
        if (used + len + 1 > names_len)
            break;
        memcpy(names_buf + used, p + 1, len);
        names_buf[used + len] = '\0';
        caps->names[n++] = names_buf + used;
        used += len + 1;
    }
}

enum admin_match_result admin_router_match(const struct admin_router *router, const char *method,
                                           const char *path, const struct admin_route **route_r,
                                           struct admin_captures *caps, char *allow,
                                           size_t allow_len)
{
    size_t plen = strlen(path);
    if (allow != NULL && allow_len > 0)
        allow[0] = '\0';
    if (path[0] != '/' || plen > ADMIN_PATH_MAX)
        return ADMIN_MATCH_NO_PATH;
    /* A NUL-split copy of the path: captured values point into it. */
    memcpy(caps->buf, path, plen + 1);
    for (size_t i = 0; i < plen; i++)
        if (caps->buf[i] == '/')
            caps->buf[i] = '\0';

    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    const struct admin_route *best = NULL;
    int best_score = -1;
    bool path_known = false;
    for (size_t i = 0; i < router->count; i++) {
        const struct admin_route *r = &router->routes[i];
        int score = match_one(r->pattern, path, NULL);
        if (score < 0)
            continue;
        path_known = true;
        if (strcmp(r->method, want) == 0) {
            if (score > best_score) {
                best = r;
                best_score = score;
            }
        } else if (allow != NULL && strstr(allow, r->method) == NULL) {
            size_t used = strlen(allow);
            snprintf(allow + used, allow_len - used, "%s%s", used != 0 ? ", " : "", r->method);
        }
    }
    if (best == NULL)
        return path_known ? ADMIN_MATCH_NO_METHOD : ADMIN_MATCH_NO_PATH;
    match_one(best->pattern, path, caps);
    fill_capture_names(best->pattern, caps);
    *route_r = best;
    return ADMIN_MATCH_OK;
}
