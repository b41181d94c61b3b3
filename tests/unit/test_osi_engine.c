/* Unit tests of the OSI engines (core/osi): session, presentation, ACSE and
 * ROSE machines fed TSDUs directly, no sockets. The TSDUs are built by the
 * test client's own encoder (tests/integration/osi/osic.c, hand-coded SPDU
 * headers + the BER writer), and what the stack sends is parsed back the
 * same way: the engines are checked against an independent encoding. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/osi/osi.h"
#include "tests/integration/osi/osic.h"
#include "x400ms/log.h"

/* ---- a fake lower layer that keeps what the stack sends ---- */

struct fake_lower {
    uint8_t *tsdu[16];
    size_t len[16];
    int n;
    int closes;
    struct x400ms_assoc *a;
};

static int fake_send(void *lower, const uint8_t *tsdu, size_t len)
{
    struct fake_lower *f = lower;
    if (f->n >= 16)
        return X400MS_ELIMIT;
    f->tsdu[f->n] = malloc(len ? len : 1);
    memcpy(f->tsdu[f->n], tsdu, len);
    f->len[f->n++] = len;
    return 0;
}

static void fake_close(void *lower, bool abort)
{
    (void)abort;
    struct fake_lower *f = lower;
    f->closes++;
}

static const struct osi_lower_ops fake_ops = { .send = fake_send, .close = fake_close };

static void fake_reset(struct fake_lower *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->tsdu[i]);
    f->n = 0;
}

/* ---- the test application context ---- */

struct events {
    int binds, invokes, releases, aborts;
    enum x400ms_abort_source abort_src;
    int64_t held_id;          /* opcode 5 is answered later */
    int outcomes;
    struct x400ms_outcome last;
    uint8_t last_result[64];
};
static struct events ev;

static const struct x400ms_abstract_syntax t_syn[] = { { "2.999.1.2", X400MS_AS_BIND | X400MS_AS_REQUIRED } };
static const int64_t t_ops[] = { 1, 5 };

static int t_bind(void *ctx, struct x400ms_assoc *a, const struct x400ms_bind_request *req)
{
    ev.binds++;
    return x400ms_assoc_bind_accept(a, req->argument);
}

static void t_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    ev.invokes++;
    if (inv->opcode == 5) {
        ev.held_id = inv->invoke_id;
        return;
    }
    x400ms_assoc_reply(a, inv->invoke_id, inv->argument);
}

static void t_released(void *ctx, struct x400ms_assoc *a) { ev.releases++; }
static void t_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *w)
{
    ev.aborts++;
    ev.abort_src = w->source;
}

static const struct x400ms_app_context t_ac = {
    .size = sizeof(struct x400ms_app_context), .oid = "2.999.1.1", .name = "test",
    .syntaxes = t_syn, .n_syntaxes = 1, .opcodes = t_ops, .n_opcodes = 2, .max_peer_invokes = 2,
    .bind = t_bind, .invoke = t_invoke, .released = t_released, .aborted = t_aborted,
};

static const struct x400ms_app_context *t_find(const char *oid, void **ctx_r)
{
    *ctx_r = NULL;
    return strcmp(oid, "2.999.1.1") == 0 ? &t_ac : NULL;
}

/* ---- helpers ---- */

static const struct osic_pctx std_ctxs[] = { { 1, "2.2.1.0.1" }, { 3, "2.999.1.2" } };
static const uint8_t bind_arg[] = { 0x04, 0x02, 'h', 'i' };

static struct x400ms_assoc *new_assoc(struct fake_lower *f)
{
    memset(f, 0, sizeof(*f));
    memset(&ev, 0, sizeof(ev));
    f->a = osi_assoc_new(NULL, NULL, &fake_ops, f, "unit-peer", false);
    assert_non_null(f->a);
    return f->a;
}

static void feed(struct x400ms_assoc *a, struct ber_writer *w)
{
    assert_int_equal(w->error, 0);
    osi_input(a, ber_writer_data(w), ber_writer_len(w));
    ber_writer_reset(w);
}

static void feed_cn(struct x400ms_assoc *a, const struct osic_pctx *ctxs, size_t n, const char *ac)
{
    struct ber_writer w;
    ber_writer_init(&w);
    osic_build_cn(&w, ctxs, n, 1, ac, ber_slice_make(bind_arg, sizeof(bind_arg)), 3);
    feed(a, &w);
    ber_writer_free(&w);
}

/* The one SPDU of interest in out TSDU i (the last one when concatenated). */
static struct osic_spdu out_spdu(struct fake_lower *f, int i)
{
    struct osic_spdu s[4];
    assert_true(i < f->n);
    int k = osic_spdus(f->tsdu[i], f->len[i], s, 4);
    assert_true(k >= 1);
    return s[k - 1];
}

/* The value of the first PDV in the SPDU's user data (after the PPDU
 * wrapper for CPA: found through the path). */
static struct ber_slice pdv_value(struct ber_slice fed)
{
    int pctx;
    struct ber_slice v;
    assert_int_equal(osic_pdv(fed, &pctx, &v), 0);
    return v;
}

static void finish(struct fake_lower *f)
{
    if (!f->a->lower_gone)
        osi_lower_gone(f->a, 0, NULL);
    fake_reset(f);
}

static struct x400ms_assoc *associated(struct fake_lower *f)
{
    struct x400ms_assoc *a = new_assoc(f);
    feed_cn(a, std_ctxs, 2, "2.999.1.1");
    assert_int_equal(f->n, 1);
    assert_int_equal(out_spdu(f, 0).si, 14); /* AC */
    fake_reset(f);
    return a;
}

static void feed_invoke(struct x400ms_assoc *a, int64_t id, int64_t op)
{
    struct ber_writer w, v;
    ber_writer_init(&w);
    ber_writer_init(&v);
    static const uint8_t arg[] = { 0x04, 0x03, 'a', 'b', 'c' };
    osic_push_invoke(&v, id, op, ber_slice_make(arg, sizeof(arg)));
    osic_build_data(&w, 3, ber_writer_slice(&v));
    feed(a, &w);
    ber_writer_free(&w);
    ber_writer_free(&v);
}

/* ROSE PDU sent in out TSDU i. */
static struct ber_slice out_rose(struct fake_lower *f, int i)
{
    struct osic_spdu s = out_spdu(f, i);
    assert_int_equal(s.si, 1); /* DT */
    return pdv_value(s.user_info);
}

/* ---- tests ---- */

static void test_osi_associate_echo_release(void **state)
{
    struct fake_lower f;
    struct x400ms_assoc *a = new_assoc(&f);
    feed_cn(a, std_ctxs, 2, "2.999.1.1");
    assert_int_equal(ev.binds, 1);
    assert_int_equal(f.n, 1);
    struct osic_spdu ac = out_spdu(&f, 0);
    assert_int_equal(ac.si, 14);
    struct ber_slice cpa = osic_user_data(&ac);
    /* CPA: both contexts accepted, AARE accepted with the echoed bind. */
    struct ber_tlv t;
    assert_int_equal(osic_path(cpa, &t, BER_CTX(2), BER_CTX(5), (ber_tag_t)0), 1);
    struct ber_tlv ua;
    assert_int_equal(osic_path(cpa, &ua, BER_CTX(2), BER_APP(1), (ber_tag_t)0), 1);
    struct ber_slice aare = pdv_value(ber_tlv_whole(&ua));
    assert_int_equal(osic_path_int(aare, BER_CTX(2), BER_UNIV(BER_INTEGER), (ber_tag_t)0), 0);
    struct ber_tlv br;
    assert_int_equal(osic_path(aare, &br, BER_CTX(30), BER_UNIV(BER_EXTERNAL), BER_CTX(0),
                               BER_CTX(17), BER_UNIV(BER_OCTET_STRING), (ber_tag_t)0), 1);
    assert_memory_equal(br.start, bind_arg, sizeof(bind_arg));
    fake_reset(&f);

    feed_invoke(a, 7, 1);
    assert_int_equal(ev.invokes, 1);
    assert_int_equal(f.n, 1);
    struct ber_slice rr = out_rose(&f, 0);
    assert_int_equal(rr.ptr[0], 0xA2); /* returnResult */
    assert_int_equal(osic_path_int(rr, BER_UNIV(BER_INTEGER), (ber_tag_t)0), 7);
    assert_int_equal(osic_path_int(rr, BER_UNIV(BER_SEQUENCE), BER_UNIV(BER_INTEGER), (ber_tag_t)0), 1);
    fake_reset(&f);

    struct ber_writer w;
    ber_writer_init(&w);
    osic_build_fn(&w, 1);
    osi_hold(a);
    feed(a, &w);
    ber_writer_free(&w);
    assert_int_equal(f.n, 1);
    assert_int_equal(out_spdu(&f, 0).si, 10); /* DN */
    struct osic_spdu dn = out_spdu(&f, 0);
    struct ber_slice rlre = pdv_value(osic_user_data(&dn));
    assert_int_equal(rlre.ptr[0], 0x63); /* RLRE */
    assert_int_equal(ev.releases, 1);
    assert_int_equal(ev.aborts, 0);
    assert_true(f.closes >= 1);
    osi_unhold(a);
    finish(&f);
}

static void test_osi_unknown_context_neg(void **state)
{
    struct fake_lower f;
    struct x400ms_assoc *a = new_assoc(&f);
    feed_cn(a, std_ctxs, 2, "2.999.9.9");
    assert_int_equal(ev.binds, 0);
    assert_int_equal(f.n, 1);
    struct osic_spdu rf = out_spdu(&f, 0);
    assert_int_equal(rf.si, 12); /* RF */
    struct ber_slice cpr = osic_user_data(&rf);
    struct ber_tlv ua;
    assert_int_equal(osic_path(cpr, &ua, BER_APP(1), (ber_tag_t)0), 1);
    struct ber_slice aare = pdv_value(ber_tlv_whole(&ua));
    assert_int_equal(aare.ptr[0], 0x61);
    /* result rejected-permanent, acse-service-user application-context-name-not-supported */
    assert_int_equal(osic_path_int(aare, BER_CTX(2), BER_UNIV(BER_INTEGER), (ber_tag_t)0), 1);
    assert_int_equal(osic_path_int(aare, BER_CTX(3), BER_CTX(1), BER_UNIV(BER_INTEGER), (ber_tag_t)0), 2);
    assert_true(f.closes >= 1);
    finish(&f);
}

static void test_osi_no_common_syntax_neg(void **state)
{
    static const struct osic_pctx ctxs[] = { { 1, "2.2.1.0.1" }, { 3, "2.999.7.7" } };
    struct fake_lower f;
    struct x400ms_assoc *a = new_assoc(&f);
    feed_cn(a, ctxs, 2, "2.999.1.1");
    assert_int_equal(ev.binds, 0);
    struct osic_spdu rf = out_spdu(&f, 0);
    assert_int_equal(rf.si, 12);
    struct ber_slice cpr = osic_user_data(&rf);
    assert_int_equal(cpr.ptr[0], 0x30); /* CPR normal-mode-parameters */
    /* second context: provider-rejection (2), abstract-syntax-not-supported (1) */
    struct ber_tlv list;
    assert_int_equal(osic_path(cpr, &list, BER_CTX(5), (ber_tag_t)0), 1);
    struct ber_ctx c;
    ber_ctx_init(&c, list.start, list.total, NULL);
    struct ber_iter it, item;
    struct ber_tlv t;
    assert_int_equal(ber_enter(&c, &list, &it, "l"), 0);
    assert_int_equal(ber_next(&it, &t), 1);
    assert_int_equal(osic_path_int(ber_tlv_whole(&t), BER_CTX(0), (ber_tag_t)0), 0);
    assert_int_equal(ber_next(&it, &t), 1);
    assert_int_equal(osic_path_int(ber_tlv_whole(&t), BER_CTX(0), (ber_tag_t)0), 2);
    assert_int_equal(osic_path_int(ber_tlv_whole(&t), BER_CTX(2), (ber_tag_t)0), 1);
    (void)item;
    assert_true(osic_path_int(cpr, BER_CTX(10), (ber_tag_t)0) >= 0); /* provider-reason present */
    finish(&f);
}

static void test_osi_rose_rejects_neg(void **state)
{
    struct fake_lower f;
    struct x400ms_assoc *a = associated(&f);
    /* unknown operation 9 -> reject invoke unrecognisedOperation (1) */
    feed_invoke(a, 1, 9);
    struct ber_slice r = out_rose(&f, 0);
    assert_int_equal(r.ptr[0], 0xA4);
    assert_int_equal(osic_path_int(r, BER_CTX(1), (ber_tag_t)0), 1);
    fake_reset(&f);
    /* operation 5 is held; the same id again -> duplicateInvocation (0) */
    feed_invoke(a, 2, 5);
    assert_int_equal(f.n, 0);
    feed_invoke(a, 2, 5);
    r = out_rose(&f, 0);
    assert_int_equal(osic_path_int(r, BER_CTX(1), (ber_tag_t)0), 0);
    fake_reset(&f);
    /* max_peer_invokes is 2: a third outstanding -> resourceLimitation (3) */
    feed_invoke(a, 3, 5);
    assert_int_equal(f.n, 0);
    feed_invoke(a, 4, 5);
    r = out_rose(&f, 0);
    assert_int_equal(osic_path_int(r, BER_CTX(1), (ber_tag_t)0), 3);
    fake_reset(&f);
    /* answering the held invoke works once, then ENOENT */
    assert_int_equal(x400ms_assoc_reply(a, 2, X400MS_NO_BYTES), 0);
    assert_int_equal(x400ms_assoc_reply(a, 2, X400MS_NO_BYTES), X400MS_ENOENT);
    fake_reset(&f);
    /* a returnResult for an invoke never made -> reject returnResult (2) unrecognisedInvocation (0) */
    struct ber_writer w, v;
    ber_writer_init(&w);
    ber_writer_init(&v);
    ber_mark_t m = ber_mark(&v);
    ber_put_int64(&v, BER_UNIV(BER_INTEGER), 99);
    ber_wrap(&v, m, BER_CTX(2), true);
    osic_build_data(&w, 3, ber_writer_slice(&v));
    feed(a, &w);
    r = out_rose(&f, 0);
    assert_int_equal(osic_path_int(r, BER_CTX(2), (ber_tag_t)0), 0);
    fake_reset(&f);
    /* garbage in place of a ROSE PDU -> reject general (0) */
    static const uint8_t junk[] = { 0xA7, 0x03, 0x02, 0x01, 0x01 };
    osic_build_data(&w, 3, ber_slice_make(junk, sizeof(junk)));
    feed(a, &w);
    r = out_rose(&f, 0);
    assert_int_equal(r.ptr[0], 0xA4);
    assert_true(osic_path(r, &(struct ber_tlv){ 0 }, BER_CTX(0), (ber_tag_t)0) == 1);
    ber_writer_free(&w);
    ber_writer_free(&v);
    assert_int_equal(ev.aborts, 0);
    finish(&f);
    assert_int_equal(ev.aborts, 1); /* the transport went: aborted once */
}

static void done_cb(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    ev.outcomes++;
    ev.last = *o;
    if (o->result.len && o->result.len <= sizeof(ev.last_result))
        memcpy(ev.last_result, o->result.ptr, o->result.len);
}

static void test_osi_invoke_peer(void **state)
{
    struct fake_lower f;
    struct x400ms_assoc *a = associated(&f);
    static const uint8_t arg[] = { 0x02, 0x01, 0x05 };
    int64_t id = -1;
    assert_int_equal(x400ms_assoc_invoke(a, 25, X400MS_BYTES(arg, sizeof(arg)), NULL, done_cb, NULL, &id), 0);
    struct ber_slice inv = out_rose(&f, 0);
    assert_int_equal(inv.ptr[0], 0xA1);
    assert_int_equal(osic_path_int(inv, BER_UNIV(BER_INTEGER), (ber_tag_t)0), id);
    fake_reset(&f);
    /* the peer answers returnResult { id, { 25, INTEGER 6 } } */
    struct ber_writer w, v;
    ber_writer_init(&w);
    ber_writer_init(&v);
    ber_mark_t m = ber_mark(&v);
    ber_put_int64(&v, BER_UNIV(BER_INTEGER), 6);
    ber_put_int64(&v, BER_UNIV(BER_INTEGER), 25);
    ber_wrap(&v, m, BER_UNIV(BER_SEQUENCE), true);
    ber_put_int64(&v, BER_UNIV(BER_INTEGER), id);
    ber_wrap(&v, m, BER_CTX(2), true);
    osic_build_data(&w, 3, ber_writer_slice(&v));
    feed(a, &w);
    assert_int_equal(ev.outcomes, 1);
    assert_int_equal(ev.last.kind, X400MS_OUTCOME_RESULT);
    assert_int_equal(ev.last.opcode, 25);
    assert_int_equal(ev.last_result[2], 6);
    assert_int_equal(f.n, 0);
    /* a second invoke left outstanding ends with ENDED when the transport goes */
    assert_int_equal(x400ms_assoc_invoke(a, 25, X400MS_NO_BYTES, NULL, done_cb, NULL, NULL), 0);
    ber_writer_free(&w);
    ber_writer_free(&v);
    finish(&f);
    assert_int_equal(ev.outcomes, 2);
    assert_int_equal(ev.last.kind, X400MS_OUTCOME_ENDED);
}

static void test_osi_peer_abort(void **state)
{
    struct fake_lower f;
    struct x400ms_assoc *a = associated(&f);
    struct ber_writer w;
    ber_writer_init(&w);
    osic_build_abort(&w, 1);
    osi_hold(a);
    feed(a, &w);
    ber_writer_free(&w);
    assert_int_equal(ev.aborts, 1);
    assert_int_equal(ev.abort_src, X400MS_ABORT_PEER_USER);
    assert_int_equal(f.n, 0); /* nothing answers an AB with transport release */
    assert_true(f.closes >= 1);
    osi_unhold(a);
    finish(&f);
    assert_int_equal(ev.aborts, 1);
}

static void test_osi_bad_spdu_neg(void **state)
{
    struct fake_lower f;
    struct x400ms_assoc *a = associated(&f);
    /* a DT whose LI runs past the TSDU */
    static const uint8_t bad[] = { 0x01, 0x00, 0x01, 0x40, 0x61 };
    osi_hold(a);
    osi_input(a, bad, sizeof(bad));
    assert_int_equal(ev.aborts, 1);
    assert_int_equal(f.n, 1);
    struct osic_spdu ab = out_spdu(&f, 0);
    assert_int_equal(ab.si, 25); /* AB */
    struct ber_slice td;
    assert_int_equal(osic_ses_find(ab.params, 17, &td), 1);
    assert_true(td.ptr[0] & 0x04); /* protocol error */
    osi_unhold(a);
    finish(&f);
}

static void test_osi_data_before_connect_neg(void **state)
{
    struct fake_lower f;
    struct x400ms_assoc *a = new_assoc(&f);
    feed_invoke(a, 1, 1);
    assert_int_equal(ev.invokes, 0);
    assert_true(f.closes >= 1);
    finish(&f);
}

/* A CN with the session parameters given as raw octets before the user data. */
static void feed_cn_raw(struct x400ms_assoc *a, const uint8_t *head, size_t head_len,
                        struct ber_slice bind)
{
    struct ber_writer w;
    ber_writer_init(&w);
    ber_mark_t all = ber_mark(&w);
    osic_build_cn(&w, std_ctxs, 2, 1, "2.999.1.1", bind, 3);
    /* keep only the CP: strip what osic_build_cn put in front of it */
    struct osic_spdu s[1];
    assert_int_equal(osic_spdus(ber_writer_data(&w), ber_writer_len(&w), s, 1), 1);
    struct ber_slice cp = osic_user_data(&s[0]);
    uint8_t *copy = malloc(cp.len);
    memcpy(copy, cp.ptr, cp.len);
    size_t n = cp.len;
    ber_writer_reset(&w);
    ber_put_raw(&w, copy, n);
    osic_ses_param(&w, n <= 512 ? 193 : 194, n);
    ber_put_raw(&w, head, head_len);
    osic_ses_param(&w, 13, ber_writer_len(&w) - all);
    free(copy);
    feed(a, &w);
    ber_writer_free(&w);
}

static void test_osi_session_pt_dt_accepted(void **state)
{
    struct fake_lower f;
    struct x400ms_assoc *a = associated(&f);
    struct ber_writer w, v;
    ber_writer_init(&w);
    ber_writer_init(&v);
    static const uint8_t arg[] = { 0x05, 0x00 };
    osic_push_invoke(&v, 3, 1, ber_slice_make(arg, sizeof(arg)));
    osic_build_data(&w, 3, ber_writer_slice(&v));
    /* turn GT (01 00) into PT (02 00): X.225 6.3.7 allows PT + DT too */
    uint8_t *p = (uint8_t *)ber_writer_data(&w);
    p[0] = 0x02;
    feed(a, &w);
    assert_int_equal(ev.invokes, 1);
    assert_int_equal(out_rose(&f, 0).ptr[0], 0xA2);
    ber_writer_free(&w);
    ber_writer_free(&v);
    finish(&f);
}

static void test_osi_session_version1_only(void **state)
{
    static const uint8_t head[] = { 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x01,
                                    0x14, 0x02, 0x00, 0x02 };
    struct fake_lower f;
    struct x400ms_assoc *a = new_assoc(&f);
    feed_cn_raw(a, head, sizeof(head), ber_slice_make(bind_arg, sizeof(bind_arg)));
    assert_int_equal(f.n, 1);
    struct osic_spdu ac = out_spdu(&f, 0);
    assert_int_equal(ac.si, 14);
    struct ber_slice v;
    assert_int_equal(osic_ses_find(ac.params, 22, &v), 1);
    assert_int_equal(v.ptr[0], 1); /* version 1 answered */
    finish(&f);
}

static void test_osi_session_no_common_version_neg(void **state)
{
    static const uint8_t head[] = { 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x04,
                                    0x14, 0x02, 0x00, 0x02 };
    struct fake_lower f;
    struct x400ms_assoc *a = new_assoc(&f);
    feed_cn_raw(a, head, sizeof(head), ber_slice_make(bind_arg, sizeof(bind_arg)));
    assert_int_equal(ev.binds, 0);
    struct osic_spdu rf = out_spdu(&f, 0);
    assert_int_equal(rf.si, 12);
    struct ber_slice v;
    assert_int_equal(osic_ses_find(rf.params, 50, &v), 1);
    assert_int_equal(v.ptr[0], 132); /* versions not supported */
    assert_true(f.closes >= 1);
    finish(&f);
}

static void test_osi_session_extended_user_data(void **state)
{
    /* a 2000-octet bind argument: CN and AC user data need PGI 194 (v2) */
    uint8_t big[2004];
    big[0] = 0x04;
    big[1] = 0x82;
    big[2] = 0x07;
    big[3] = 0xD0;
    memset(big + 4, 'z', 2000);
    struct fake_lower f;
    struct x400ms_assoc *a = new_assoc(&f);
    struct ber_writer w;
    ber_writer_init(&w);
    osic_build_cn(&w, std_ctxs, 2, 1, "2.999.1.1", ber_slice_make(big, sizeof(big)), 3);
    feed(a, &w);
    ber_writer_free(&w);
    assert_int_equal(ev.binds, 1);
    struct osic_spdu ac = out_spdu(&f, 0);
    assert_int_equal(ac.si, 14);
    struct ber_slice v;
    assert_int_equal(osic_ses_find(ac.params, 194, &v), 1);
    assert_true(v.len > 2000);
    assert_non_null(memmem(v.ptr, v.len, big, sizeof(big))); /* the bind result echoed */
    finish(&f);
}

static void test_osi_session_release_wrong_state_neg(void **state)
{
    struct fake_lower f;
    struct x400ms_assoc *a = new_assoc(&f);
    /* FN before any CN: protocol error, nothing is released */
    struct ber_writer w;
    ber_writer_init(&w);
    osic_build_fn(&w, 1);
    feed(a, &w);
    ber_writer_free(&w);
    assert_int_equal(ev.releases, 0);
    assert_true(f.closes >= 1);
    finish(&f);
}

int main(void)
{
    x400ms_log_set_level(X400MS_LOG_ERROR);
    osi_test_find_context = t_find;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_osi_associate_echo_release),
        cmocka_unit_test(test_osi_unknown_context_neg),
        cmocka_unit_test(test_osi_no_common_syntax_neg),
        cmocka_unit_test(test_osi_rose_rejects_neg),
        cmocka_unit_test(test_osi_invoke_peer),
        cmocka_unit_test(test_osi_peer_abort),
        cmocka_unit_test(test_osi_bad_spdu_neg),
        cmocka_unit_test(test_osi_data_before_connect_neg),
        cmocka_unit_test(test_osi_session_pt_dt_accepted),
        cmocka_unit_test(test_osi_session_version1_only),
        cmocka_unit_test(test_osi_session_no_common_version_neg),
        cmocka_unit_test(test_osi_session_extended_user_data),
        cmocka_unit_test(test_osi_session_release_wrong_state_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
