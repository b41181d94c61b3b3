/* admin-api: the libmicrohttpd server (its threads, the request life cycle:
 * auth, routing, body limit, JSON parsing, dispatch, reply). */
#ifndef ADMIN_HTTP_H
#define ADMIN_HTTP_H

#include "admin-api/server.h"

/* Binds and starts the HTTP threads (module start()). */
int admin_http_start(struct admin_server *srv, struct x400ms_error *err);
/* Stops accepting, closes connections, joins the threads (module stop()). */
void admin_http_stop(struct admin_server *srv);
/* True when libmicrohttpd was built with TLS (GnuTLS). */
bool admin_http_tls_supported(void);

#endif
