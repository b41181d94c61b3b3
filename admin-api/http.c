/* admin-api: the libmicrohttpd server.
 *
 * libmicrohttpd calls on_request several times per request (its access
 * handler protocol): once when the headers are in, once per chunk of body,
 * and once more with no data when the body is complete. The first call
 * decides everything that needs no body - URL length (414), bearer token
 * (401), route (404 / 405 with Allow, RFC 9110 15.5.6), a declared
 * Content-Length over the limit (413) - so such requests are answered
 * before any body byte is read. Body chunks are appended up to max_body; a
 * body that grows past it (chunked transfer coding) is then discarded as it
 * arrives, never buffered, and answered 413. The last call parses the body
 * once into JSON and runs the route's handler. */
#define X400MS_LOG_MODULE "admin_api"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include "admin-api/http.h"
#include "admin-api/token.h"
#include "x400ms/log.h"

struct admin_http_req {
    struct admin_server *srv;
    struct MHD_Connection *conn;
    const struct admin_route *route;
    struct admin_captures caps;
    char *body;
    size_t body_len, body_cap;
    bool too_large;
    struct timespec started;
};

bool admin_http_tls_supported(void)
{
    return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

static void count_status(struct admin_server *srv, unsigned status)
{
    if (status < ADMIN_STATUS_SLOTS)
        atomic_fetch_add_explicit(&srv->requests_by_status[status], 1, memory_order_relaxed);
}

static double elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) * 1e3 + (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

/* Serialises the reply and queues it. extra: NULL or a header name/value. */
static enum MHD_Result queue_reply(struct admin_http_req *hr, const char *method, const char *url,
                                   struct x400ms_admin_reply *reply, const char *extra_name,
                                   const char *extra_value)
{
    char *text = NULL;
    size_t len = 0;
    const char *ctype = NULL;
    unsigned status = reply->status > 0 ? (unsigned)reply->status : MHD_HTTP_INTERNAL_SERVER_ERROR;
    if (reply->body != NULL) {
        char *json = json_dumps(reply->body, JSON_COMPACT | JSON_ENCODE_ANY);
        if (json != NULL) {
            len = strlen(json);
            text = malloc(len + 2);
            if (text != NULL) {
                memcpy(text, json, len);
                text[len++] = '\n';
                text[len] = '\0';
            }
            free(json);
        }
        if (text == NULL) {
            status = MHD_HTTP_INTERNAL_SERVER_ERROR;
            len = 0;
        }
        ctype = "application/json";
    } else if (reply->text != NULL) {
        text = reply->text;
        reply->text = NULL;
        len = reply->text_len;
        ctype = reply->content_type != NULL ? reply->content_type : "text/plain; charset=utf-8";
    }
    json_decref(reply->body);
    reply->body = NULL;

    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, text != NULL ? text : (char *)"",
                                        text != NULL ? MHD_RESPMEM_MUST_FREE
                                                     : MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        free(text);
        return MHD_NO;
    }
    if (ctype != NULL)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (reply->location[0] != '\0')
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, reply->location);
    if (extra_name != NULL)
        MHD_add_response_header(resp, extra_name, extra_value);
    enum MHD_Result ret = MHD_queue_response(hr->conn, status, resp);
    MHD_destroy_response(resp);
    count_status(hr->srv, status);
    if (strcmp(method, "GET") != 0 || status >= 400)
        X400MS_LOG_I("%s %s -> %u (%.1f ms)", method, url, status, elapsed_ms(&hr->started));
    else
        X400MS_LOG_D("%s %s -> %u (%.1f ms)", method, url, status, elapsed_ms(&hr->started));
    return ret;
}

static enum MHD_Result queue_error(struct admin_http_req *hr, const char *method, const char *url,
                                   int status, const char *code, const char *field,
                                   const char *message, const char *extra_name,
                                   const char *extra_value)
{
    struct x400ms_admin_reply reply = { 0 };
    x400ms_admin_reply_error(&reply, status, code, field, "%s", message);
    return queue_reply(hr, method, url, &reply, extra_name, extra_value);
}

static const char *query_lookup(const struct x400ms_admin_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->impl, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result dispatch(struct admin_http_req *hr, const char *method, const char *url)
{
    struct x400ms_admin_reply reply = { 0 };
    json_t *body = NULL;
    if (hr->body_len > 0) {
        json_error_t jerr;
        body = json_loadb(hr->body, hr->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (body == NULL) {
            char message[300];
            snprintf(message, sizeof message, "malformed JSON at line %d column %d: %s", jerr.line,
                     jerr.column, jerr.text);
            return queue_error(hr, method, url, MHD_HTTP_BAD_REQUEST, "malformed_json", "body",
                               message, NULL, NULL);
        }
    }
    struct x400ms_admin_request req = {
        .size = sizeof req,
        .method = method,
        .path = url,
        .ncaptures = hr->caps.count,
        .body = body,
        .query = query_lookup,
        .impl = hr->conn,
    };
    for (unsigned i = 0; i < hr->caps.count && i < X400MS_ADMIN_MAX_CAPTURES; i++) {
        req.capture_names[i] = hr->caps.names[i];
        req.captures[i] = hr->caps.values[i];
    }
    hr->route->handler(hr->route->ctx, &req, &reply);
    json_decref(body);
    if (reply.status == 0 && reply.body == NULL && reply.text == NULL)
        x400ms_admin_reply_error(&reply, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL,
                                 "the handler of %s %s gave no reply", method,
                                 hr->route->pattern);
    return queue_reply(hr, method, url, &reply, NULL, NULL);
}

/* The first call for a request: everything decided from the headers. */
static enum MHD_Result on_headers(struct admin_http_req *hr, const char *method, const char *url)
{
    struct admin_server *srv = hr->srv;
    char allow[64];
    if (strlen(url) > ADMIN_PATH_MAX)
        return queue_error(hr, method, "(long URL)", MHD_HTTP_URI_TOO_LONG, "uri_too_long", NULL,
                           "the request path is longer than 2048 bytes", NULL, NULL);
    const char *auth = MHD_lookup_connection_value(hr->conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_AUTHORIZATION);
    if (!admin_token_check(srv->token_digest, auth))
        return queue_error(hr, method, url, MHD_HTTP_UNAUTHORIZED, "unauthorized", NULL,
                           auth == NULL ? "missing Authorization: Bearer <token> header"
                                        : "wrong bearer token",
                           MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"x400ms\"");
    switch (admin_router_match(&srv->router, method, url, &hr->route, &hr->caps, allow,
                               sizeof allow)) {
    case ADMIN_MATCH_OK:
        break;
    case ADMIN_MATCH_NO_PATH:
        return queue_error(hr, method, url, MHD_HTTP_NOT_FOUND, "not_found", NULL,
                           "no such resource", NULL, NULL);
    case ADMIN_MATCH_NO_METHOD: {
        char message[128];
        snprintf(message, sizeof message, "method %s not allowed here; allowed: %s", method, allow);
        return queue_error(hr, method, url, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                           NULL, message, MHD_HTTP_HEADER_ALLOW, allow);
    }
    }
    const char *clen = MHD_lookup_connection_value(hr->conn, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (clen != NULL) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(clen, &end, 10);
        if (errno != 0 || n > (unsigned long long)srv->cfg.max_body) {
            char message[128];
            snprintf(message, sizeof message, "the request body is larger than %lld bytes",
                     srv->cfg.max_body);
            return queue_error(hr, method, url, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", "body",
                               message, NULL, NULL);
        }
    }
    return MHD_YES;
}

static enum MHD_Result on_body(struct admin_http_req *hr, const char *data, size_t len)
{
    size_t max = (size_t)hr->srv->cfg.max_body;
    if (hr->too_large)
        return MHD_YES; /* discard: the reply will be 413 */
    if (hr->body_len + len > max) {
        hr->too_large = true;
        free(hr->body);
        hr->body = NULL;
        hr->body_len = hr->body_cap = 0;
        return MHD_YES;
    }
    if (hr->body_len + len > hr->body_cap) {
        size_t cap = hr->body_cap != 0 ? hr->body_cap : 4096;
        while (cap < hr->body_len + len)
            cap *= 2;
        if (cap > max)
            cap = max;
        char *grown = realloc(hr->body, cap);
        if (grown == NULL)
            return MHD_NO;
        hr->body = grown;
        hr->body_cap = cap;
    }
    memcpy(hr->body + hr->body_len, data, len);
    hr->body_len += len;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct admin_http_req *hr = *con_cls;
    (void)version;
    if (hr == NULL) {
        hr = calloc(1, sizeof *hr);
        if (hr == NULL)
            return MHD_NO;
        hr->srv = cls;
        hr->conn = conn;
        clock_gettime(CLOCK_MONOTONIC, &hr->started);
        *con_cls = hr;
        return on_headers(hr, method, url);
    }
    if (*upload_data_size > 0) {
        enum MHD_Result r = on_body(hr, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return r;
    }
    if (hr->too_large) {
        char message[128];
        snprintf(message, sizeof message, "the request body is larger than %lld bytes",
                 hr->srv->cfg.max_body);
        return queue_error(hr, method, url, MHD_HTTP_CONTENT_TOO_LARGE, "too_large", "body",
                           message, NULL, NULL);
    }
    return dispatch(hr, method, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct admin_http_req *hr = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (hr != NULL) {
        free(hr->body);
        free(hr);
        *con_cls = NULL;
    }
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    X400MS_LOG_W("libmicrohttpd: %s", line);
}

/* Our own listening socket, so a bind failure gets a precise message. */
static int open_listener(const struct admin_config *cfg, bool *ipv6, struct x400ms_error *err)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, cfg->address, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)cfg->port);
        sslen = sizeof *sin;
        *ipv6 = false;
    } else if (inet_pton(AF_INET6, cfg->address, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)cfg->port);
        sslen = sizeof *sin6;
        *ipv6 = true;
    } else {
        return x400ms_error_set(err, X400MS_EINVAL, "address: %s is not an IPv4 or IPv6 address",
                                cfg->address);
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return x400ms_error_set(err, X400MS_EIO, "socket: %s", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (*ipv6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sslen) < 0 || listen(fd, 128) < 0) {
        int saved = errno;
        close(fd);
        return x400ms_error_set(err, X400MS_EIO, "cannot listen on %s%s%s:%lld: %s",
                                *ipv6 ? "[" : "", cfg->address, *ipv6 ? "]" : "", cfg->port,
                                strerror(saved));
    }
    return fd;
}

int admin_http_start(struct admin_server *srv, struct x400ms_error *err)
{
    const struct admin_config *cfg = &srv->cfg;
    bool ipv6 = false;
    int fd = open_listener(cfg, &ipv6, err);
    if (fd < 0)
        return fd;

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
    if (ipv6)
        flags |= MHD_USE_IPv6;
    if (srv->tls_cert_pem != NULL)
        flags |= MHD_USE_TLS;

    struct MHD_OptionItem opts[16];
    size_t n = 0;
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, fd, NULL };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed,
                                         srv };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
                                         (intptr_t)cfg->max_connections, NULL };
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)cfg->timeout,
                                         NULL };
    if (cfg->threads > 1)
        opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)cfg->threads,
                                             NULL };
    if (srv->tls_cert_pem != NULL) {
        opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert_pem };
        opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key_pem };
        /* Modern defaults: TLS 1.2 and 1.3 only (DESIGN.md section 10). */
        opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0,
                                             (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" };
    }
    opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

    /* Function pointers travel as intptr_t in an option array, as
     * libmicrohttpd documents for MHD_OPTION_ARRAY. */
    /* The logger first, so that libmicrohttpd reports option errors through it. */
    srv->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
                                MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
                                MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (srv->mhd == NULL) {
        close(fd);
        return x400ms_error_set(err, X400MS_EIO,
                                "libmicrohttpd could not start on %s:%lld (see the log above)",
                                cfg->address, cfg->port);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
    srv->bound_port = info != NULL ? info->port : (unsigned)cfg->port;
    return 0;
}

void admin_http_stop(struct admin_server *srv)
{
    if (srv->mhd != NULL) {
        MHD_stop_daemon(srv->mhd); /* closes the listening socket too */
        srv->mhd = NULL;
    }
}
