/* x400ms public API: adding routes to the admin API.
 *
 * The admin API module ("admin_api", admin-api/) serves a JSON HTTP API with
 * libmicrohttpd on its own threads. Its routes are a table; another module
 * can add routes to it by registering an admin-route service during its
 * init():
 *
 *   static void p7_sessions_get(void *ctx, const struct x400ms_admin_request *req,
 *                               struct x400ms_admin_reply *reply)
 *   {
 *       reply->status = 200;
 *       reply->body = json_pack("{s:i}", "sessions", p7_session_count(ctx));
 *   }
 *   static const struct x400ms_admin_route_ops p7_sessions_route = {
 *       .size = sizeof(struct x400ms_admin_route_ops),
 *       .method = "GET", .pattern = "/api/v1/p7/sessions",
 *       .handler = p7_sessions_get, .summary = "open P7 associations",
 *   };
 *   rc = x400ms_admin_route_register(core, "p7.sessions", &p7_sessions_route, state, err);
 *
 * The admin module collects every such route in its start(), so the
 * registering module must be initialised before admin_api starts (always
 * true: every init runs before any start). A route whose method and pattern
 * clash with an existing one is refused with a log line.
 *
 * Everything before the handler is done by the admin module: bearer-token
 * authentication (401), 404/405 (with Allow), the body size limit (413), and
 * parsing the body once into JSON (400 naming "body" when malformed). The
 * handler runs on one of the admin module's HTTP threads, never on a loop
 * thread: it may block briefly (a store call) but must not wait for network
 * peers; long work belongs on x400ms_core_run_job (core.h).
 *
 * Patterns are absolute paths whose segments are literals or captures
 * written {name}; a capture matches one non-empty segment (already
 * percent-decoded). */
#ifndef X400MS_ADMIN_H
#define X400MS_ADMIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "x400ms/core.h"
#include "x400ms/error.h"

#define X400MS_ADMIN_MAX_CAPTURES 4

/* One request, valid for the duration of the handler call. */
struct x400ms_admin_request {
    size_t size;          /* sizeof(struct x400ms_admin_request) of the admin module */
    const char *method;   /* "GET", "POST", "PATCH", "DELETE", ... */
    const char *path;     /* decoded path without the query */
    unsigned ncaptures;
    const char *capture_names[X400MS_ADMIN_MAX_CAPTURES]; /* "name" for {name} */
    const char *captures[X400MS_ADMIN_MAX_CAPTURES];      /* their values */
    const json_t *body;   /* the parsed JSON body, NULL when the request had none */
    /* Query argument `name` (decoded), NULL if absent. */
    const char *(*query)(const struct x400ms_admin_request *req, const char *name);
    void *impl;           /* the admin module's own */
};

/* What a handler fills. The admin module owns and frees what is put here. */
struct x400ms_admin_reply {
    int status;           /* HTTP status; 0 is taken as 500 */
    json_t *body;         /* a JSON body (the reply steals the reference), or */
    char *text;           /* a raw body from malloc() with its length and type */
    size_t text_len;
    const char *content_type; /* static string, for text; JSON is application/json */
    char location[256];   /* a Location header when not empty (201, 202) */
};

/* The value of capture `name`, or NULL. */
static inline const char *x400ms_admin_capture(const struct x400ms_admin_request *req,
                                               const char *name)
{
    for (unsigned i = 0; i < req->ncaptures && i < X400MS_ADMIN_MAX_CAPTURES; i++) {
        const char *n = req->capture_names[i];
        size_t k = 0;
        while (n[k] != '\0' && n[k] == name[k])
            k++;
        if (n[k] == '\0' && name[k] == '\0')
            return req->captures[i];
    }
    return NULL;
}

/* Fills reply with the admin API's error document
 *   {"error": {"code": CODE, "message": MESSAGE, "field": FIELD or null}}
 * where CODE is a short snake_case word ("invalid_field", "not_found",
 * "conflict", ...) and FIELD the JSON path of the bad input ("or_address",
 * "mailboxes[2]", "query.limit"), or NULL. */
static inline void x400ms_admin_reply_error(struct x400ms_admin_reply *reply, int status,
                                            const char *code, const char *field,
                                            const char *fmt, ...)
    X400MS_PRINTF(5, 6);
static inline void x400ms_admin_reply_error(struct x400ms_admin_reply *reply, int status,
                                            const char *code, const char *field,
                                            const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_decref(reply->body);
    reply->status = status;
    reply->body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message", message,
                            "field", field != NULL ? json_string(field) : json_null());
}

typedef void x400ms_admin_handler_fn(void *ctx, const struct x400ms_admin_request *req,
                                     struct x400ms_admin_reply *reply);

/* An admin-route service (kind X400MS_SERVICE_ADMIN_ROUTE). */
struct x400ms_admin_route_ops {
    size_t size;             /* sizeof(struct x400ms_admin_route_ops) */
    const char *method;      /* "GET", "POST", "PUT", "PATCH" or "DELETE" */
    const char *pattern;     /* "/api/v1/p7/sessions/{id}" */
    x400ms_admin_handler_fn *handler; /* called with the ctx given at registration */
    const char *summary;     /* one line for logs and GET /api/v1/modules */
};

/* Registers a route (during init()). `name` is unique among admin routes,
 * conventionally "MODULE.what". ops and ctx must stay valid until fini(). */
static inline int x400ms_admin_route_register(struct x400ms_core *core, const char *name,
                                              const struct x400ms_admin_route_ops *ops,
                                              void *ctx, struct x400ms_error *err)
{
    return x400ms_service_register(core, X400MS_SERVICE_ADMIN_ROUTE, name, ops, ctx, err);
}

#endif
