#!/bin/sh
# Auto-actions against the real daemon (store_file, autoaction, alert,
# forward, admin_api, and two test-only modules: actions_test_mts, an MTS
# provider delivering locally, so the test does not depend on mta_local, and
# actions_test_probe, standing in for P7 at the alert boundary and
# providing a failing and a hanging plugin). Registrations go through the
# admin API (curl). Covers: filtered auto-alert with requested attributes,
# auto-forward with and without the local copy, the non-receipt notification
# owed to an originator who asked for one, a forward loop between two
# mailboxes that stops, delayed forward only of unfetched entries across a
# restart, and a failing / hanging plugin that neither loses nor delays the
# delivery beyond its bound.
set -u
top=${X400MS_TOP_BUILDDIR:?run under make check}
command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3 (JSON checks)"; exit 77; }
mods=${X400MS_MODULE_PATH:-$top/modules/.libs}
tmts=$top/tests/integration/actions/.libs/actions_test_mts.so
probe=$top/tests/integration/actions/.libs/actions_test_probe.so
[ -f "$tmts" ] && [ -f "$probe" ] || { echo "SKIP: test modules not built"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/x4t-actions-XXXXXX") || exit 99
pid=
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    [ -n "${X4T_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$tmp/x400msd.log" ] && tail -n 60 "$tmp/x400msd.log"; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat >"$tmp/x400ms.json" <<JSON
{
  "module_path": "$mods",
  "data_dir": "data",
  "threads": 2,
  "modules": [
    { "name": "store_file" },
    { "name": "autoaction", "config": { "workers": 2 } },
    { "name": "alert" },
    { "name": "forward" },
    { "name": "actions_test_mts", "file": "$tmts" },
    { "name": "actions_test_probe", "file": "$probe" },
    { "name": "admin_api", "config": { "port": $port } }
  ]
}
JSON

start() {
    [ -f "$tmp/x400msd.log" ] && mv "$tmp/x400msd.log" "$tmp/x400msd.log.1"
    X400MS_MODULE_PATH=$mods "$top/core/x400msd" -f -c "$tmp/x400ms.json" >"$tmp/x400msd.log" 2>&1 &
    pid=$!
    i=0
    until grep -q "x400msd ready" "$tmp/x400msd.log" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || { pid=; fail "x400msd exited before ready"; }
        i=$((i + 1)); [ $i -lt 300 ] || fail "x400msd not ready after 30 s"
        sleep 0.1
    done
    token=$(cat "$tmp/data/admin-token")
}
stop() {
    kill -TERM "$pid"; wait "$pid"; st=$?; pid=
    [ "$st" -eq 0 ] || fail "x400msd exited $st after SIGTERM"
}
api() { # METHOD PATH [BODY] -> body on stdout, status in $tmp/status
    if [ $# -ge 3 ]; then
        curl -s -o "$tmp/out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' --data "$3" "http://127.0.0.1:$port$2" >"$tmp/status"
    else
        curl -s -o "$tmp/out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $token" \
            "http://127.0.0.1:$port$2" >"$tmp/status"
    fi
    cat "$tmp/out"
}
expect() { # STATUS METHOD PATH [BODY]
    want=$1; shift
    api "$@" >/dev/null
    [ "$(cat "$tmp/status")" = "$want" ] || fail "$* -> $(cat "$tmp/status") (want $want): $(cat "$tmp/out")"
}
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
count() { api GET "/api/v1/mailboxes/$1/entries" | grep -o '"seq"' | wc -l | tr -d ' '; } # (no python: it is called in loops)
deliver() { api POST /api/v1/test/actions/deliver "{\"mailbox\": \"$1\", \"priority\": \"$2\", \"subject\": \"s\"}" | sed -n 's/.*"seq": *\([0-9]*\).*/\1/p'; }
addr() { echo "/C=XX/A= /P=TEST/O=Org/S=$1/"; }
wait_for() { # SECONDS COMMAND...: retries until COMMAND succeeds
    n=$(( $1 * 10 )); shift
    while ! "$@" >/dev/null 2>&1; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1; done
}
count_is() { [ "$(count "$1")" = "$2" ]; }

start
for m in alice bob carol dave; do
    expect 201 POST /api/v1/mailboxes "{\"name\": \"$m\", \"or_address\": \"$(addr $m)\", \"password\": \"pw-$m\", \"outbox\": true}"
done
api GET /api/v1/auto-actions | grep -q '"2.999.2.1.1"' || fail "delayed forward type not listed"

# ---- registrations are validated, naming the field ----
expect 404 POST /api/v1/mailboxes/alice/auto-actions '{"type": "1.2.3.4"}'
expect 404 POST /api/v1/mailboxes/nobody/auto-actions '{"type": "2.6.4.4.1"}'
expect 400 POST /api/v1/mailboxes/alice/auto-actions '{"type": "2.6.4.4.1", "parameter": {"filter": {"equal": {"colour": 1}}}}'
grep -q colour "$tmp/out" || fail "the error does not name the bad attribute: $(cat "$tmp/out")"
expect 400 POST /api/v1/mailboxes/alice/auto-actions '{"type": "2.6.4.4.0", "parameter": {"recipients": ["not an address"]}}'
grep -q 'recipients\[0\]' "$tmp/out" || fail "the error does not name recipients[0]: $(cat "$tmp/out")"
expect 400 POST /api/v1/mailboxes/alice/auto-actions "{\"type\": \"2.6.4.4.0\", \"parameter\": {\"recipients\": [\"$(addr dave)\"], \"delete_delivered\": true, \"preserve_retrieval_status\": true}}"
grep -q 'preserve_retrieval_status' "$tmp/out" || fail "exclusive options: $(cat "$tmp/out")"
expect 400 POST /api/v1/mailboxes/alice/auto-actions "{\"type\": \"2.6.4.4.0\", \"parameter\": {\"recipients\": [\"$(addr dave)\"], \"heading_ber\": \"3003020101\"}}"
grep -q 'heading_ber' "$tmp/out" || fail "a bad heading_ber was not named: $(cat "$tmp/out")"
echo "ok: bad registrations refused"

# ---- auto-alert, only urgent, with requested attributes ----
expect 201 POST /api/v1/mailboxes/alice/auto-actions '{"type": "2.6.4.4.1", "id": 7, "parameter": {"filter": {"equal": {"priority": "urgent"}}, "requested_attributes": ["2.6.4.3.31", "2.6.1.7.4"]}}'
s1=$(deliver alice normal); s2=$(deliver alice urgent); s3=$(deliver alice non-urgent)
wait_for 5 grep -q "alert alice $s2 " "$tmp/data/alerts.log" || fail "no alert for the urgent entry $s2"
sleep 0.5
[ "$(grep -c '^alert alice ' "$tmp/data/alerts.log")" -eq 1 ] || fail "alerts for non-urgent entries: $(cat "$tmp/data/alerts.log")"
grep -q "alert alice $s2 7 2 2.6.4.3.31 2.6.1.7.4" "$tmp/data/alerts.log" || fail "alert lacks id/attributes: $(cat "$tmp/data/alerts.log")"
echo "ok: auto-alert for urgent entry $s2 only (not $s1, $s3)"
expect 204 DELETE /api/v1/mailboxes/alice/auto-actions/2.6.4.4.1/7

# ---- auto-forward with the local copy (auto-copy): carol -> dave ----
expect 201 POST /api/v1/mailboxes/carol/auto-actions "{\"type\": \"2.6.4.4.0\", \"parameter\": {\"recipients\": [\"$(addr dave)\"], \"cover_note\": \"fyi\"}}"
deliver carol normal >/dev/null
wait_for 5 count_is dave 1 || fail "dave did not get the forward"
[ "$(count carol)" = 1 ] || fail "carol lost her local copy"
api GET /api/v1/mailboxes/dave/entries | grep -q '"FW: s"' || fail "forward subject: $(cat "$tmp/out")"
# X.420 19: without preserve-retrieval-status the forwarded entry becomes processed
status_of() { api GET "/api/v1/mailboxes/$1/entries" | jget "[e['status'] for e in d['entries'] if e['seq'] == $2][0]"; }
status_is() { [ "$(status_of "$1" "$2")" = "$3" ]; }
cs=$(api GET /api/v1/mailboxes/carol/entries | jget 'd["entries"][0]["seq"]')
wait_for 5 status_is carol "$cs" processed || fail "carol's forwarded entry is $(status_of carol "$cs"), want processed"
echo "ok: auto-forward with local copy (now processed)"

# ---- without the local copy: bob -> dave, delete_delivered ----
expect 201 POST /api/v1/mailboxes/bob/auto-actions "{\"type\": \"2.6.4.4.0\", \"parameter\": {\"recipients\": [\"$(addr dave)\"], \"delete_delivered\": true}}"
deliver bob urgent >/dev/null
wait_for 5 count_is dave 2 || fail "dave did not get bob's forward"
wait_for 5 count_is bob 0 || fail "bob's delivered entry was not deleted after forwarding"
echo "ok: auto-forward without local copy"
expect 204 DELETE /api/v1/mailboxes/bob/auto-actions/2.6.4.4.0/1

# ---- the originator who asked for NRN gets one (X.420 NonReceiptFields,
# non-receipt-reason ipm-auto-forwarded), through the MTS provider ----
expect 400 POST /api/v1/mailboxes/carol/auto-actions "{\"type\": \"2.6.4.4.0\", \"parameter\": {\"recipients\": [\"$(addr dave)\"], \"nrn_comment\": \"not printable: \u00e9\"}}"
grep -q 'nrn_comment' "$tmp/out" || fail "the error does not name nrn_comment: $(cat "$tmp/out")"
expect 201 POST /api/v1/mailboxes/carol/auto-actions "{\"type\": \"2.6.4.4.0\", \"parameter\": {\"recipients\": [\"$(addr dave)\"], \"nrn_comment\": \"Forwarded to dave\"}}"
last_seq() { api GET "/api/v1/mailboxes/$1/entries" | jget 'max(e["seq"] for e in d["entries"])'; }
deliver_ipm() { # MAILBOX FROM NRN IPM_RETURN ID
    api POST /api/v1/test/actions/deliver "{\"mailbox\": \"$1\", \"priority\": \"normal\", \"subject\": \"nrn test\", \"ipm\": {\"originator\": \"$(addr $2)\", \"recipient\": \"$(addr $1)\", \"nrn\": $3, \"ipm_return\": $4, \"id\": \"$5\"}}" | jget 'd["seq"]'
}
al0=$(count alice); d0=$(count dave)
deliver_ipm carol alice false false NO-NRN-1 >/dev/null
wait_for 5 count_is dave $((d0 + 1)) || fail "dave did not get the forward of an IPM"
deliver_ipm carol alice true true NRN-TEST-1 >/dev/null
wait_for 5 count_is dave $((d0 + 2)) || fail "dave did not get the forward of the IPM asking for NRN"
wait_for 5 count_is alice $((al0 + 1)) || fail "alice (the originator) got no NRN: $(count alice) entries"
sleep 0.5
[ "$(count alice)" = $((al0 + 1)) ] || fail "alice got an NRN she did not ask for ($(count alice) entries)"
api POST /api/v1/test/actions/decode "{\"mailbox\": \"alice\", \"seq\": $(last_seq alice)}" >"$tmp/nrn.json"
[ "$(cat "$tmp/status")" = 200 ] || fail "the NRN does not decode: $(cat "$tmp/nrn.json")"
python3 - "$tmp/nrn.json" "$(addr carol)" "$(addr alice)" <<'PY' || fail "NRN content: $(cat "$tmp/nrn.json")"
import json, sys
d = json.load(open(sys.argv[1]))
norm = lambda a: a.replace(" ", "").lower()
assert d["kind"] == "nrn", d
assert d["non_receipt_reason"] == 1, "non-receipt-reason must be ipm-auto-forwarded (1)"
assert d["discard_reason"] == -1, "no discard-reason for an auto-forward"
assert d["subject_ipm"] == "NRN-TEST-1", d["subject_ipm"]
assert norm(d["subject_ipm_user"]) == norm(sys.argv[3]), d["subject_ipm_user"]
assert norm(d["ipn_originator"]) == norm(sys.argv[2]), d["ipn_originator"]
assert d["auto_forward_comment"] == "Forwarded to dave", d["auto_forward_comment"]
r = d["returned_ipm"]
assert r["this_ipm"] == "NRN-TEST-1" and r["subject"] == "nrn test", r
PY
api GET /api/v1/mailboxes/alice/entries | grep -qi '"originator": *"[^"]*S=carol' ||
    grep -qi 'S=carol' "$tmp/out" || fail "the NRN's envelope originator is not carol: $(cat "$tmp/out")"
grep -q "carol entry .*: non-receipt notification (ipm-auto-forwarded) sent to" "$tmp/x400msd.log" ||
    fail "no log line for the NRN"
echo "ok: NRN (ipm-auto-forwarded) to the originator who asked for it, none otherwise"

# ---- a loop alice <-> bob stops ----
expect 201 POST /api/v1/mailboxes/alice/auto-actions "{\"type\": \"2.6.4.4.0\", \"parameter\": {\"recipients\": [\"$(addr bob)\"]}}"
expect 201 POST /api/v1/mailboxes/bob/auto-actions "{\"type\": \"2.6.4.4.0\", \"parameter\": {\"recipients\": [\"$(addr alice)\"]}}"
a0=$(count alice); b0=$(count bob)
deliver alice normal >/dev/null
# alice: original + the one bob sends back; bob: alice's forward
wait_for 5 count_is alice $((a0 + 2)) || fail "alice: $(count alice) entries, want $((a0 + 2))"
sleep 1.5
[ "$(count alice)" = $((a0 + 2)) ] && [ "$(count bob)" = $((b0 + 1)) ] ||
    fail "the loop did not stop: alice $(count alice) (want $((a0 + 2))), bob $(count bob) (want $((b0 + 1)))"
grep -q "already forwarded by this mailbox" "$tmp/x400msd.log" || fail "no loop log line"
echo "ok: forward loop stopped"
expect 204 DELETE /api/v1/mailboxes/alice/auto-actions/2.6.4.4.0/1
expect 204 DELETE /api/v1/mailboxes/bob/auto-actions/2.6.4.4.0/1

# ---- an IPN is forwarded in a notification body part (X.420 7.4.15), its
# returned-ipm only with include-returned-ipm; not at all when only IPMs
# are forwarded (forward-all-object-types unset) ----
ipn_case() { # PARAMETER_EXTRA ID: registers bob -> dave, delivers an NRN with a returned IPM
    expect 201 POST /api/v1/mailboxes/bob/auto-actions "{\"type\": \"2.6.4.4.0\", \"id\": 5, \"parameter\": {\"recipients\": [\"$(addr dave)\"]$1}}"
    api POST /api/v1/test/actions/deliver "{\"mailbox\": \"bob\", \"priority\": \"normal\", \"ipn\": {\"originator\": \"$(addr carol)\", \"id\": \"$2\", \"returned_ipm\": true}}" >/dev/null
}
ipn_check() { # ID RETURNED(True|False)
    api POST /api/v1/test/actions/decode "{\"mailbox\": \"dave\", \"seq\": $(last_seq dave)}" >"$tmp/fwd.json"
    python3 - "$tmp/fwd.json" "$1" "$2" <<'PY' || fail "forwarded IPN: $(cat "$tmp/fwd.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "ipm" and d["auto_forwarded"] is True, d
b = d["body"]
assert len(b) == 1 and b[0]["tag"] == 15 and b[0]["data_type"] == "2.6.1.4.15", b
assert b[0]["parameters_type"] == "2.6.1.11.15", b
n = b[0]["ipn"]
assert n["subject_ipm"] == sys.argv[2] and n["non_receipt_reason"] == 1, n
assert n["returned_ipm"] == (sys.argv[3] == "True"), n
PY
}
d0=$(count dave)
ipn_case "" IPN-1
wait_for 5 count_is dave $((d0 + 1)) || fail "the IPN was not forwarded"
ipn_check IPN-1 False
expect 204 DELETE /api/v1/mailboxes/bob/auto-actions/2.6.4.4.0/5
ipn_case ', "include_returned_ipm": true' IPN-2
wait_for 5 count_is dave $((d0 + 2)) || fail "the IPN was not forwarded (include_returned_ipm)"
ipn_check IPN-2 True
expect 204 DELETE /api/v1/mailboxes/bob/auto-actions/2.6.4.4.0/5
ipn_case ', "ipm_only": true' IPN-3
wait_for 5 grep -q "bob entry .*: not forwarded: an IPN" "$tmp/x400msd.log" || fail "the IPN was not skipped (ipm_only)"
[ "$(count dave)" = $((d0 + 2)) ] || fail "an IPN was forwarded with ipm_only"
expect 204 DELETE /api/v1/mailboxes/bob/auto-actions/2.6.4.4.0/5
# forwarded-content-prohibited: a content that is neither IPM nor IPN stays
expect 201 POST /api/v1/mailboxes/bob/auto-actions "{\"type\": \"2.6.4.4.0\", \"id\": 5, \"parameter\": {\"recipients\": [\"$(addr dave)\"], \"forwarded_content_prohibited\": true}}"
deliver bob normal >/dev/null
wait_for 5 grep -q "bob entry .*: not forwarded: not an IPM, and forwarded-content-prohibited" "$tmp/x400msd.log" ||
    fail "a raw content was not skipped (forwarded_content_prohibited)"
[ "$(count dave)" = $((d0 + 2)) ] || fail "a raw content was forwarded with forwarded_content_prohibited"
expect 204 DELETE /api/v1/mailboxes/bob/auto-actions/2.6.4.4.0/5
echo "ok: IPNs forwarded in a notification body part, returned-ipm only when asked, none when IPMs only; forwarded-content-prohibited"

# ---- failing and hanging plugins: delivery neither lost nor delayed ----
expect 201 POST /api/v1/mailboxes/alice/auto-actions '{"type": "2.999.2.1.90"}'
expect 201 POST /api/v1/mailboxes/alice/auto-actions '{"type": "2.999.2.1.91"}'
n0=$(count alice)
us=$(api POST /api/v1/test/actions/deliver '{"mailbox": "alice", "priority": "normal"}' | jget 'd["put_us"]')
[ "$us" -lt 300000 ] || fail "delivery took $us us with a hanging plugin (bound 300 ms)"
api POST /api/v1/test/actions/deliver '{"mailbox": "alice", "priority": "normal"}' >/dev/null
wait_for 5 grep -q "plugin actions_test_probe: auto-action 2.999.2.1.90 id 1 failed" "$tmp/x400msd.log" ||
    fail "the failure was not logged with the plugin's name"
wait_for 5 grep -q "plugin actions_test_probe: 2.999.2.1.91 id 1 on mailbox alice entry .* exceeded" "$tmp/x400msd.log" ||
    fail "the hang was not logged with the plugin's name"
[ "$(count alice)" = $((n0 + 2)) ] || fail "entries lost: $(count alice), want $((n0 + 2))"
# the other workers still run: an alert registered now still arrives
expect 201 POST /api/v1/mailboxes/alice/auto-actions '{"type": "2.6.4.4.1", "id": 8}'
s=$(deliver alice normal)
wait_for 5 grep -q "alert alice $s 8" "$tmp/data/alerts.log" || fail "dispatch stalled after a hang"
echo "ok: failing/hanging plugin bounded ($us us delivery)"

# ---- metrics: x400ms_autoaction_runs_total{type,result} (3 deliveries above
# ran the failing and the hanging type) ----
runs() { # TYPE RESULT -> the counter's value from GET /api/v1/metrics
    api GET /api/v1/metrics | python3 -c "
import re, sys
want = 'x400ms_autoaction_runs_total{type=\"$1\",result=\"$2\"}'
for line in sys.stdin:
    if line.startswith(want + ' '):
        print(int(float(line.split()[1]))); break
else:
    print(-1)"
}
runs_is() { [ "$(runs "$1" "$2")" = "$3" ]; }
wait_for 5 runs_is 2.999.2.1.90 failed 3 || fail "failed runs of 2.999.2.1.90: $(runs 2.999.2.1.90 failed), want 3"
wait_for 5 runs_is 2.999.2.1.91 timeout 3 || fail "timeouts of 2.999.2.1.91: $(runs 2.999.2.1.91 timeout), want 3"
runs_is 2.999.2.1.90 ok 0 || fail "ok runs of the failing type: $(runs 2.999.2.1.90 ok)"
runs_is 2.999.2.1.91 ok 0 && runs_is 2.999.2.1.91 failed 0 || fail "the abandoned runs were counted again"
[ "$(runs 2.6.4.4.1 ok)" -ge 2 ] || fail "ok runs of auto-alert: $(runs 2.6.4.4.1 ok)"
[ "$(runs 2.6.4.4.0 ok)" -ge 4 ] || fail "ok runs of ipm-auto-forward: $(runs 2.6.4.4.0 ok)"
runs_is 2.999.2.1.1 ok 0 || fail "the delayed type has runs before being registered: $(runs 2.999.2.1.1 ok)"
echo "ok: x400ms_autoaction_runs_total by type and result"
for t in 2.999.2.1.90/1 2.999.2.1.91/1 2.6.4.4.1/8; do expect 204 DELETE "/api/v1/mailboxes/alice/auto-actions/$t"; done

# ---- delayed forward: only unfetched entries, across a restart ----
# (12 s: the fetch below must come before the timers even on a loaded machine)
expect 201 POST /api/v1/mailboxes/carol/auto-actions "{\"type\": \"2.999.2.1.1\", \"parameter\": {\"recipients\": [\"$(addr bob)\"], \"delay\": 12}}"
expect 204 DELETE /api/v1/mailboxes/carol/auto-actions/2.6.4.4.0/1
b0=$(count bob)
t0=$(date +%s)
f1=$(deliver carol normal); f2=$(deliver carol normal)
expect 204 POST /api/v1/test/actions/fetch "{\"mailbox\": \"carol\", \"seq\": $f1}"
wait_for 5 grep -q '"due"' "$tmp/data/autoaction/carol.json" || fail "timers not persisted"
[ $(($(date +%s) - t0)) -lt 12 ] || fail "too slow: the timers fell due before the daemon stopped"
stop
left=$((t0 + 13 - $(date +%s)))
[ "$left" -gt 0 ] && sleep "$left" # the timers fall due while the daemon is down
grep -q '"due"' "$tmp/data/autoaction/carol.json" || fail "timers lost at shutdown"
start
wait_for 5 count_is bob $((b0 + 1)) || fail "delayed forward did not fire after restart (bob $(count bob))"
sleep 1
[ "$(count bob)" = $((b0 + 1)) ] || fail "the fetched entry $f1 was forwarded too"
grep -q "carol entry $f1: fetched in time" "$tmp/x400msd.log" || fail "no log line for the fetched entry"
grep -q "carol entry $f2: auto-forwarded" "$tmp/x400msd.log" || fail "entry $f2 not forwarded"
wait_for 5 sh -c "! grep -q '\"due\"' '$tmp/data/autoaction/carol.json'" || fail "fired timers kept"
api GET /api/v1/mailboxes/carol/auto-actions | grep -q 2.999.2.1.1 || fail "registration lost at restart"
echo "ok: delayed forward across restart"

stop

# ---- the BER parameter of ipm-auto-forward over P7 Register-MS (X.420
# clause 19, both forms), with a filter over non-integer attributes ----
reg=$top/tests/integration/actions/af_register
if [ -x "$reg" ] && ls "$mods"/p7.* "$mods"/rfc1006.* >/dev/null 2>&1; then
p7port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$tmp/x400ms.json" "$p7port" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["modules"].insert(0, {"name": "rfc1006", "config": {"listen": [{"address": "127.0.0.1", "port": int(sys.argv[2])}]}})
m["modules"].append({"name": "p7"})
json.dump(m, open(sys.argv[1], "w"), indent=1)
PY
start
"$reg" "$p7port" "$(addr bob)" pw-bob 1994 "$(addr dave)" "$(addr alice)" || fail "P7 Register-MS (1994 form) refused"
api GET /api/v1/mailboxes/bob/auto-actions >"$tmp/reg.json"
python3 - "$tmp/reg.json" "$(addr bob)" "$(addr dave)" "$(addr alice)" <<'PY' || fail "1994 form: $(cat "$tmp/reg.json")"
import json, sys
norm = lambda a: a.replace(" ", "").lower()
regs = [r for r in json.load(open(sys.argv[1]))["auto_actions"] if r["type"] == "2.6.4.4.0"]
assert len(regs) == 1 and regs[0]["id"] == 1, regs
p = regs[0]["parameter"]
assert [norm(r) for r in p["recipients"]] == [norm(sys.argv[3])], p["recipients"]
assert norm(p["originator"]) == norm(sys.argv[2]), p["originator"]
assert p["priority"] == "urgent" and p["delivery_report"] is True, p
assert p["subject"] == "Forwarded by P7" and p["cover_note"] == "cover from P7", p
assert p["nrn_comment"] == "Auto-forwarded" and p["delete_delivered"] is True, p
f = p["filter"]["and"]
assert f[0] == {"substrings": {"subject": {"initial": "FWD"}}}, f[0]
assert norm(f[1]["equal"]["originator"]) == norm(sys.argv[4]), f[1]
assert f[2] == {"greater_or_equal": {"creation_time": 1000000000}}, f[2]
PY
echo "ok: P7 Register-MS 1994 form decoded (filter on subject, originator-name, creation-time)"
d0=$(count dave); b0=$(count bob)
subj_ipm() { # MAILBOX FROM SUBJECT
    api POST /api/v1/test/actions/deliver "{\"mailbox\": \"$1\", \"priority\": \"normal\", \"subject\": \"$3\", \"ipm\": {\"originator\": \"$(addr $2)\", \"recipient\": \"$(addr $1)\", \"nrn\": false, \"ipm_return\": false, \"id\": \"$3\"}}" >/dev/null
}
subj_ipm bob alice "other subject"
subj_ipm bob carol "FWD from carol"
subj_ipm bob alice "FWD from alice"
wait_for 5 count_is dave $((d0 + 1)) || fail "the entry the BER filter selects was not forwarded"
wait_for 5 count_is bob $((b0 + 2)) || fail "bob: $(count bob) entries, want $((b0 + 2)) (delete-delivered-object)"
sleep 1
[ "$(count dave)" = $((d0 + 1)) ] || fail "entries the filter refuses were forwarded ($(count dave))"
api GET /api/v1/mailboxes/dave/entries | grep -q '"Forwarded by P7"' || fail "forwarding-heading subject not used: $(cat "$tmp/out")"
api GET /api/v1/mailboxes/bob/entries | grep -q '"FWD from alice"' && fail "the forwarded entry was kept (delete-delivered-object)"
echo "ok: the BER registration forwards exactly the entry its filter selects"

"$reg" "$p7port" "$(addr carol)" pw-carol 1988 "$(addr dave)" "$(addr alice)" || fail "P7 Register-MS (1988 form) refused"
api GET /api/v1/mailboxes/carol/auto-actions >"$tmp/reg.json"
python3 - "$tmp/reg.json" "$(addr carol)" "$(addr dave)" <<'PY' || fail "1988 form: $(cat "$tmp/reg.json")"
import json, sys
norm = lambda a: a.replace(" ", "").lower()
regs = [r for r in json.load(open(sys.argv[1]))["auto_actions"] if r["type"] == "2.6.4.4.0"]
assert len(regs) == 1 and regs[0]["id"] == 2, regs
p = regs[0]["parameter"]
assert [norm(r) for r in p["recipients"]] == [norm(sys.argv[3])] and norm(p["originator"]) == norm(sys.argv[2]), p
assert p["cover_note"] == "cover 88" and p["nrn_comment"] == "Forwarded 88", p
assert "delete_delivered" not in p and len(p["filter"]["and"]) == 3, p
assert p["this_ipm_prefix"] == "P88-", p
PY
# the forward: this-IPM starts with the prefix, the cover note is the first
# body part and the delivered IPM the second (X.420 19, 7.4.7)
d0=$(count dave)
subj_ipm carol alice "FWD 88"
wait_for 5 count_is dave $((d0 + 1)) || fail "the 1988 registration did not forward"
api POST /api/v1/test/actions/decode "{\"mailbox\": \"dave\", \"seq\": $(last_seq dave)}" >"$tmp/fwd.json"
python3 - "$tmp/fwd.json" <<'PY' || fail "1988 forward: $(cat "$tmp/fwd.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["this_ipm"].startswith("P88-AF") and d["auto_forwarded"] is True, d
b = d["body"]
assert [x["kind"] for x in b] == ["ia5", "message"] and b[0]["text"] == "cover 88", b
assert b[1]["ipm"]["this_ipm"] == "FWD 88", b[1]
PY
echo "ok: P7 Register-MS 1988 form (AutoForwardArguments, ForwardingInformation1988) decoded and applied"

"$reg" "$p7port" "$(addr alice)" pw-alice conflict "$(addr dave)" "$(addr bob)"; st=$?
[ "$st" = 3 ] || fail "preserve-retrieval-status with delete-delivered-object accepted (exit $st)"
api GET /api/v1/mailboxes/alice/auto-actions | grep -q '2.6.4.4.0' && fail "the refused registration was kept"
echo "ok: exclusive ipm-auto-forward-options refused"

# ---- every field of the 1994 parameter reaches the forward (X.420 19):
# the forwarding-envelope as registered, the forwarding-heading field by
# field, any cover note body part, object-entry-class submission (Out Box),
# preserve-retrieval-status, and IPMs only (forward-all-object-types unset) ----
"$reg" "$p7port" "$(addr alice)" pw-alice groups "$(addr dave)" "$(addr bob)"; st=$?
[ "$st" = 3 ] || fail "submission-options add-message-group-names accepted (exit $st)"
"$reg" "$p7port" "$(addr alice)" pw-alice full "$(addr dave)" "$(addr bob)" || fail "P7 Register-MS (full form) refused"
api GET /api/v1/mailboxes/alice/auto-actions >"$tmp/reg.json"
python3 - "$tmp/reg.json" <<'PY' || fail "full form: $(cat "$tmp/reg.json")"
import json, sys
p = [r for r in json.load(open(sys.argv[1]))["auto_actions"] if r["type"] == "2.6.4.4.0"][0]["parameter"]
for k in ("preserve_retrieval_status", "ipm_only", "store_submission"):
    assert p.get(k) is True, k
assert "delete_delivered" not in p and "filter" not in p, p
assert p["priority"] == "non-urgent" and p["subject"] == "Full heading", p
for k in ("envelope_ber", "heading_ber", "cover_note_ber"):
    assert len(p[k]) > 10, k
PY
d0=$(count dave)
subj_ipm alice carol "full test"
deliver alice normal >/dev/null # not an IPM: not forwarded (forward-all-object-types unset)
wait_for 5 count_is dave $((d0 + 1)) || fail "the IPM was not forwarded by the full registration"
wait_for 5 grep -q "alice entry .*: not forwarded: not an IPM" "$tmp/x400msd.log" || fail "the non-IPM was not skipped"
sleep 0.5
[ "$(count dave)" = $((d0 + 1)) ] || fail "a non-IPM was forwarded without forward-all-object-types"
api POST /api/v1/test/actions/decode "{\"mailbox\": \"dave\", \"seq\": $(last_seq dave)}" >"$tmp/fwd.json"
[ "$(cat "$tmp/status")" = 200 ] || fail "the forward does not decode: $(cat "$tmp/fwd.json")"
python3 - "$tmp/fwd.json" "$(addr alice)" "$(addr dave)" "$(addr bob)" <<'PY' || fail "forwarded IPM: $(cat "$tmp/fwd.json")"
import json, sys
d = json.load(open(sys.argv[1]))
norm = lambda a: a.replace(" ", "").lower()
alice, dave, bob = (norm(a) for a in sys.argv[2:5])
# heading (X.420 7.2): what the registrant gave, with this-IPM and auto-forwarded set by the MS
assert d["kind"] == "ipm" and d["auto_forwarded"] is True, d
assert d["this_ipm"].startswith("AF") and d["this_ipm"] != "tmpl", d["this_ipm"]
assert norm(d["originator"]) == alice, d["originator"]
assert [norm(a) for a in d["authorizing_users"]] == [bob], d["authorizing_users"]
assert [norm(r["name"]) for r in d["primary"]] == [dave], d["primary"]
assert [norm(r["name"]) for r in d["copy"]] == [bob], d["copy"]
assert d["related"] == ["rel-1"], d["related"]
assert d["subject"] == "Full heading", d["subject"]
assert d["expiry_time"] == 1924992000 and d["reply_time"] == 1906588800, (d["expiry_time"], d["reply_time"])
assert [norm(a) for a in d["reply_recipients"]] == [alice], d["reply_recipients"]
assert d["importance"] == 2 and d["sensitivity"] == 3, (d["importance"], d["sensitivity"])
assert d["primary_precedence"] == 3, d["primary_precedence"]
# body: the cover note (a bilateral body part) first, then the forwarded IPM
b = d["body"]
assert [x["kind"] for x in b] == ["bilateral", "message"], b
assert b[0]["text"] == "bilateral cover", b[0]
assert b[1]["ipm"]["this_ipm"] == "full test" and b[1]["ipm"]["subject"] == "full test", b[1]
# envelope (X.411 8.2.1.1.1): the registered forwarding-envelope
e = d["envelope"]
assert norm(e["originator"]) == alice and e["content_type"] == 22, e
assert e["content_identifier"] == "cid-42" and e["priority"] == 1, e
assert e["per_message_indicators"] == 6, e  # implicit-conversion-prohibited, alternate-recipient-allowed
assert e["deferred_delivery_time"] == 1893456000, e
assert [(norm(r["name"]), r["originator_report_request"], r["explicit_conversion"]) for r in e["recipients"]] == \
    [(dave, 24, 0)], e["recipients"]
PY
# preserve-retrieval-status: the forwarded entry stays new
fs=$(api GET /api/v1/mailboxes/alice/entries | jget '[e["seq"] for e in d["entries"] if e.get("subject") == "full test"][0]')
sleep 0.5
status_is alice "$fs" new || fail "preserve-retrieval-status: alice's entry is $(status_of alice "$fs")"
# object-entry-class submission: the forward is in alice's Out Box
api GET "/api/v1/mailboxes/alice/entries?box=outbox" >"$tmp/ob.json"
python3 - "$tmp/ob.json" <<'PY' || fail "Out Box: $(cat "$tmp/ob.json")"
import json, sys
e = json.load(open(sys.argv[1]))["entries"]
assert len(e) == 1 and e[0]["entry_type"] == "submitted-message" and e[0]["subject"] == "Full heading", e
assert e[0]["priority"] == "non-urgent", e
PY
echo "ok: the 1994 parameter's envelope, heading (field by field), cover note, submission and forwarding options applied"
stop
else
    echo "note: P7 BER registration not tested (af_register, p7 or rfc1006 not built)"
fi
echo "PASS: auto-actions"
exit 0
