/* x400ms public API: the event of the hooks X400MS_HOOK_BIND and
 * X400MS_HOOK_UNBIND (hooks.h), run by the protocol modules (p7; p3 may
 * too) when a peer binds (successfully or not) and when a bound
 * association ends. Valid during the hook only; the hook runs on the
 * association's loop thread and must not block. */
#ifndef X400MS_BIND_EVENT_H
#define X400MS_BIND_EVENT_H

#include <stdbool.h>
#include <stddef.h>

struct x400ms_bind_event {
    size_t size;              /* sizeof(struct x400ms_bind_event) of the module running the hook */
    const char *mailbox;      /* store mailbox name; NULL when the bind failed before one was found */
    const char *peer;         /* the peer's transport address, text ("127.0.0.1:40312") */
    const char *protocol;     /* "p7", "p3" */
    const char *context;      /* application context OID text ("2.6.0.1.4") */
    bool success;             /* BIND: accepted; UNBIND: always true */
};

#endif
