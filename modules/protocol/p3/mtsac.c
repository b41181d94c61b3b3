/* modules/protocol/p3/mtsac: the P3 application contexts (see mtsac.h). */
#include "modules/protocol/p3/mtsac.h"

#include <stddef.h>

/* The bind is on id-as-mts (2.6.0.2.11); the reliable contexts carry it in
 * RTSE's RTORQ on id-as-mts-rtse (2.6.0.2.8). The operations go on msse
 * (submission), mdse (delivery) and mase (administration), the 94 contexts
 * on mdse-94 and mase-94. The order of the syntaxes is the order of the
 * presentation contexts proposed: kept as each side always proposed them
 * (mts-access: msse first; mts-forced-access: mdse first). */
#define AS_MTS { "2.6.0.2.11", X400MS_AS_BIND | X400MS_AS_REQUIRED }
#define AS_MTS_RTSE { "2.6.0.2.8", X400MS_AS_BIND | X400MS_AS_RTSE | X400MS_AS_REQUIRED }
#define AS_MSSE { "2.6.0.2.1", 0 }
#define AS_MDSE_88 { "2.6.0.2.2", 0 }
#define AS_MASE_88 { "2.6.0.2.6", 0 }
#define AS_MDSE_94 { "2.6.0.2.14", 0 }
#define AS_MASE_94 { "2.6.0.2.16", 0 }

static const struct x400ms_abstract_syntax syn_a88[] = { AS_MTS, AS_MSSE, AS_MDSE_88, AS_MASE_88 };
static const struct x400ms_abstract_syntax syn_a94[] = { AS_MTS, AS_MSSE, AS_MDSE_94, AS_MASE_94 };
static const struct x400ms_abstract_syntax syn_r88[] = {
    AS_MTS_RTSE, AS_MSSE, AS_MDSE_88, AS_MASE_88 };
static const struct x400ms_abstract_syntax syn_r94[] = {
    AS_MTS_RTSE, AS_MSSE, AS_MDSE_94, AS_MASE_94 };
static const struct x400ms_abstract_syntax syn_f88[] = { AS_MTS, AS_MDSE_88, AS_MSSE, AS_MASE_88 };
static const struct x400ms_abstract_syntax syn_f94[] = { AS_MTS, AS_MDSE_94, AS_MSSE, AS_MASE_94 };
static const struct x400ms_abstract_syntax syn_fr88[] = {
    AS_MTS_RTSE, AS_MDSE_88, AS_MSSE, AS_MASE_88 };
static const struct x400ms_abstract_syntax syn_fr94[] = {
    AS_MTS_RTSE, AS_MDSE_94, AS_MSSE, AS_MASE_94 };

struct mtsac_def {
    const char *oid, *name;
    const struct x400ms_abstract_syntax *syntaxes;
};

/* [kind][reliable][is94] */
static const struct mtsac_def defs[2][2][2] = {
    [MTSAC_ACCESS] = {
        { { "2.6.0.1.0", "mts-access-88", syn_a88 },             /* id-ac-mts-access-88 */
          { "2.6.0.1.7", "mts-access-94", syn_a94 } },           /* id-ac-mts-access-94 */
        { { "2.6.0.1.2", "mts-reliable-access-88", syn_r88 },
          { "2.6.0.1.9", "mts-reliable-access-94", syn_r94 } },
    },
    [MTSAC_FORCED_ACCESS] = {
        { { "2.6.0.1.1", "mts-forced-access-88", syn_f88 },
          { "2.6.0.1.8", "mts-forced-access-94", syn_f94 } },
        { { "2.6.0.1.3", "mts-forced-reliable-access-88", syn_fr88 },
          { "2.6.0.1.10", "mts-forced-reliable-access-94", syn_fr94 } },
    },
};

void mtsac_set(struct x400ms_app_context *ac, enum mtsac_kind kind, bool reliable, bool is94)
{
    const struct mtsac_def *d = &defs[kind][reliable][is94];
    ac->size = sizeof *ac;
    ac->oid = d->oid;
    ac->name = d->name;
    ac->syntaxes = d->syntaxes;
    ac->n_syntaxes = 4;
    ac->reliable = reliable;
}
