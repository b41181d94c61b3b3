/* x400ms public API: hooks.
 *
 * A hook is a named point where the core or a module lets other modules act
 * (Dovecot's hooks, OpenLDAP's overlays). Callbacks run in order of priority
 * (lower first, then registration order), on the thread that runs the hook.
 * Each returns X400MS_HOOK_CONTINUE to pass the event on, X400MS_HOOK_STOP to
 * end the chain (the event was consumed), or a negative X400MS_E* code, which
 * also ends the chain and is returned to the caller of x400ms_hook_run. */
#ifndef X400MS_HOOKS_H
#define X400MS_HOOKS_H

#include "x400ms/error.h"

struct x400ms_core;

enum { X400MS_HOOK_CONTINUE = 0, X400MS_HOOK_STOP = 1 };

/* Hook names the in-tree modules run; the event type is named beside each. */
#define X400MS_HOOK_ENTRY_DELIVERED "entry-delivered" /* struct x400ms_store_event (store.h) */
#define X400MS_HOOK_ENTRY_SUBMITTED "entry-submitted" /* struct x400ms_store_event */
#define X400MS_HOOK_ENTRY_FETCHED "entry-fetched"     /* struct x400ms_store_event */
#define X400MS_HOOK_ENTRY_DELETED "entry-deleted"     /* struct x400ms_store_event */
#define X400MS_HOOK_BIND "bind"                       /* struct x400ms_bind_event (bind_event.h) */
#define X400MS_HOOK_UNBIND "unbind"                   /* struct x400ms_bind_event (bind_event.h) */

typedef int x400ms_hook_fn(void *ctx, const char *hook, void *event);

/* Registers fn for hook (any name: modules may define their own hooks).
 * Only during init(). */
int x400ms_hook_add(struct x400ms_core *core, const char *hook, int priority,
                    x400ms_hook_fn *fn, void *ctx, struct x400ms_error *err);

/* Runs the chain. Returns X400MS_HOOK_CONTINUE when every callback continued
 * (or there is none), X400MS_HOOK_STOP, or the first negative code.
 * Thread-safe (the chains do not change after init). */
int x400ms_hook_run(struct x400ms_core *core, const char *hook, void *event);

#endif
