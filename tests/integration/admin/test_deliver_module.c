/* A test-only module, "admin_test_deliver", for the admin API integration
 * test: it puts entries into the store through store.h (until P3 can
 * deliver, nothing else can), and does so through an admin route it adds
 * with include/x400ms/admin.h - so it also exercises routes from other
 * modules.
 *
 *   POST /api/v1/test/deliver {"mailbox": "alice", "count": 3, "age": 7200,
 *                              "subject": "s", "box": "inbox", "status": "listed"}
 *   -> 200 {"seqs": [1, 2, 3]}
 * age: creation time that many seconds ago; status: moved to after the put. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "x400ms/admin.h"
#include "x400ms/module.h"
#include "x400ms/store.h"

struct deliver_state {
    struct x400ms_core *core;
};

static void deliver(void *ctx, const struct x400ms_admin_request *req,
                    struct x400ms_admin_reply *reply)
{
    struct deliver_state *st = ctx;
    void *store_ctx;
    const struct x400ms_store_ops *store = x400ms_store_find(st->core, NULL, &store_ctx);
    const json_t *body = req->body;
    const char *mailbox = json_string_value(json_object_get(body, "mailbox"));
    const char *subject = json_string_value(json_object_get(body, "subject"));
    const char *box_name = json_string_value(json_object_get(body, "box"));
    const char *status_name = json_string_value(json_object_get(body, "status"));
    json_int_t count = json_integer_value(json_object_get(body, "count"));
    json_int_t age = json_integer_value(json_object_get(body, "age"));
    if (store == NULL || mailbox == NULL || count <= 0 || count > 1000) {
        x400ms_admin_reply_error(reply, 400, "invalid_field", "mailbox",
                                 "need a store, a mailbox and 1..1000 entries");
        return;
    }
    enum x400ms_store_box box = box_name != NULL && strcmp(box_name, "outbox") == 0
                                    ? X400MS_STORE_OUTBOX : X400MS_STORE_INBOX;
    int status = -1;
    if (status_name != NULL)
        status = strcmp(status_name, "processed") == 0 ? X400MS_STATUS_PROCESSED
                 : strcmp(status_name, "listed") == 0  ? X400MS_STATUS_LISTED
                                                        : X400MS_STATUS_NEW;
    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox *mb;
    if (store->mailbox_open(store_ctx, mailbox, &mb, &err) < 0) {
        x400ms_admin_reply_error(reply, 404, "not_found", NULL, "%s", err.message);
        return;
    }
    static const uint8_t envelope[] = { 0x30, 0x00 };
    static const uint8_t content[] = { 0x04, 0x04, 't', 'e', 's', 't' };
    json_t *seqs = json_array();
    for (json_int_t i = 0; i < count; i++) {
        struct x400ms_store_entry_in in = {
            .attrs = {
                .entry_type = box == X400MS_STORE_OUTBOX ? X400MS_ENTRY_SUBMITTED_MESSAGE
                                                         : X400MS_ENTRY_DELIVERED_MESSAGE,
                .priority = X400MS_PRIORITY_NORMAL,
                .importance = X400MS_IPM_ABSENT,
                .sensitivity = X400MS_IPM_ABSENT,
                .precedence = X400MS_PRECEDENCE_ABSENT,
                .content_length = sizeof content,
                .content_type = "22",
                .creation_time = (int64_t)time(NULL) - age,
                .delivery_time = (int64_t)time(NULL) - age,
                .originator = "/C=XX/A= /P=TEST/O=Org/S=sender/",
                .this_recipient = "/C=XX/A= /P=TEST/O=Org/S=rcpt/",
                .subject = subject,
            },
            .envelope = envelope, .envelope_len = sizeof envelope,
            .content = content, .content_len = sizeof content,
        };
        uint32_t seq = 0;
        if (store->put(mb, box, &in, &seq, &err) < 0 ||
            (status >= 0 &&
             store->set_status(mb, box, seq, (enum x400ms_store_status)status, &err) < 0)) {
            store->mailbox_close(mb);
            json_decref(seqs);
            x400ms_admin_reply_error(reply, 500, "internal", NULL, "%s", err.message);
            return;
        }
        json_array_append_new(seqs, json_integer(seq));
    }
    store->mailbox_close(mb);
    reply->status = 200;
    reply->body = json_pack("{s:o}", "seqs", seqs);
}

static const struct x400ms_admin_route_ops deliver_route = {
    .size = sizeof(struct x400ms_admin_route_ops),
    .method = "POST",
    .pattern = "/api/v1/test/deliver",
    .handler = deliver,
    .summary = "test only: put entries into a mailbox",
};

static int deliver_init(struct x400ms_core *core, const json_t *config, void **state,
                        struct x400ms_error *err)
{
    (void)config;
    struct deliver_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    st->core = core;
    int rc = x400ms_admin_route_register(core, "admin_test_deliver.deliver", &deliver_route, st,
                                         err);
    if (rc < 0) {
        free(st);
        return rc;
    }
    *state = st;
    return 0;
}

static void deliver_fini(void *state)
{
    free(state);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "admin_test_deliver",
    .version = "test",
    .init = deliver_init,
    .fini = deliver_fini,
};
