#!/bin/bash
# The third-party auto-action plugin (examples/autoaction-log) built out of
# tree, and ageing by manifest (store_file default_max_age), against the real
# daemon:
#  1. install the build tree (library, headers, x400ms.pc; the whole
#     `make install` with X4T_FULL_INSTALL=1) into a temporary DESTDIR and build the plugin
#     with its own Makefile, which uses only `pkg-config --cflags --libs
#     x400ms` (x400ms.pc relocated into the DESTDIR);
#  2. start x400msd with rfc1006, store_file (default_max_age inbox 3s,
#     ageing every second), p3, autoaction, the plugin and admin_api;
#  3. over the admin API: mailboxes alice (her own inbox_max_age of one hour)
#     and bob (none), an MTA account, the plugin's auto-action for alice with
#     a filter "only urgent" (and bad parameters refused, naming the field);
#  4. deliver over real P3 (tools/x400ms-mta): 1 normal, 2 urgent, 2 normal to
#     alice; the plugin's file must get exactly the 2 urgent lines, with the
#     sequence numbers the store gave the urgent entries;
#  5. deliver 2 to bob: they are aged out by the default within seconds
#     while alice, with her own longer max_age, keeps her 5.
# Also: a default_max_age with an unknown key is refused by `x400msd -t`,
# naming it.
set -u
top=${X400MS_TOP_BUILDDIR:?run under make check}
src=${X400MS_TOP_SRCDIR:?run under make check}
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: no pkg-config"; exit 77; }
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || { echo "SKIP: no C compiler"; exit 77; }
command -v make >/dev/null 2>&1 || { echo "SKIP: no make (the plugin's Makefile)"; exit 77; }
command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3 (JSON checks)"; exit 77; }
mta=$top/tools/x400ms-mta
[ -x "$mta" ] || { echo "SKIP: tools/x400ms-mta not built"; exit 77; }
mods=${X400MS_MODULE_PATH:-$top/modules/.libs}
for m in store_file p3 rfc1006 autoaction admin_api; do
    [ -f "$mods/$m.la" ] || [ -f "$mods/$m.so" ] ||
        { echo "SKIP: module $m not built as a shared module"; exit 77; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/x4t-plugin-XXXXXX") || exit 99
pid=
cleanup() {
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
    [ -n "${X4T_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    [ -f "$tmp/x400msd.log" ] && tail -n 60 "$tmp/x400msd.log"
    exit 1
}

# A port nobody listens on (bash's /dev/tcp connects only when one does).
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 40000))
        (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return; }
    done
}

# ---- 1. install, then build the plugin out of tree ----
# An independent make: not the jobserver of the make check running us.
unset MAKEFLAGS MFLAGS MAKELEVEL
# What a plugin author installs: the library, the public headers and
# x400ms.pc. The whole `make install` (X4T_FULL_INSTALL=1) relinks every
# module and takes over 30 s on a loaded machine; tests/integration/oot-module
# already covers it.
if [ -n "${X4T_FULL_INSTALL:-}" ]; then
    set -- install
else
    # libx400ms.la alone: installing libx400ms-client.la relinks it in the build
    # tree (libtool moves the built .so aside meanwhile), and the P7 tests
    # running beside this one would fail to load it.
    set -- install-libLTLIBRARIES lib_LTLIBRARIES=libx400ms.la install-x400msincludeHEADERS \
        install-pkgconfigDATA
fi
make -C "$top" "$@" DESTDIR="$tmp/dest" >"$tmp/install.log" 2>&1 ||
    { tail -n 40 "$tmp/install.log"; fail "make $* DESTDIR=$tmp/dest"; }
pc=$(find "$tmp/dest" -name x400ms.pc | head -n 1)
[ -n "$pc" ] || fail "x400ms.pc was not installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
# Relocate only x400ms.pc (--define-variable would relocate jansson.pc too).
mkdir -p "$tmp/pc" "$tmp/plugin"
sed "s|^prefix=.*|prefix=$tmp/dest$prefix|" "$pc" >"$tmp/pc/x400ms.pc"
[ -f "$tmp/dest$prefix/include/x400ms/autoaction.h" ] || fail "autoaction.h was not installed"
# The plugin's own Makefile, run in the source tree, output to $tmp/plugin.
PKG_CONFIG_PATH="$tmp/pc" make -C "$src/examples/autoaction-log" O="$tmp/plugin" CC="$CC" \
    >"$tmp/plugin-build.log" 2>&1 || { cat "$tmp/plugin-build.log"; fail "building the plugin"; }
grep -q -- "-I$tmp/dest" "$tmp/plugin-build.log" ||
    fail "the plugin was not built against the installed headers: $(cat "$tmp/plugin-build.log")"
plugin=$tmp/plugin/autoaction_log.so
[ -f "$plugin" ] || fail "no $plugin"
echo "ok: plugin built out of tree with pkg-config"

# ---- 2. the daemon ----
p3port=$(free_port); port=$(free_port)
while [ "$port" = "$p3port" ]; do port=$(free_port); done
manifest() { # DEFAULT_MAX_AGE_JSON
    cat <<JSON
{
  "module_path": "$mods",
  "data_dir": "data",
  "log": { "target": "stderr", "level": "info" },
  "modules": [
    { "name": "rfc1006", "config": { "listen": [ { "address": "127.0.0.1", "port": $p3port } ] } },
    { "name": "store_file", "config": { "ageing_interval": "1s", "default_max_age": $1 } },
    { "name": "p3" },
    { "name": "autoaction", "config": { "workers": 2 } },
    { "name": "autoaction_log", "file": "$plugin", "config": { "file": "deliveries.log" } },
    { "name": "admin_api", "config": { "address": "127.0.0.1", "port": $port } }
  ]
}
JSON
}

manifest '{ "inbox": "3s", "sent": "30d" }' >"$tmp/bad.json"
if X400MS_MODULE_PATH=$mods "$top/core/x400msd" -t -c "$tmp/bad.json" >"$tmp/bad.log" 2>&1; then
    fail "x400msd -t accepted default_max_age.sent"
fi
grep -q "default_max_age.sent" "$tmp/bad.log" || fail "the error does not name default_max_age.sent: $(cat "$tmp/bad.log")"
manifest '{ "inbox": "3s", "outbox": "30d" }' >"$tmp/x400ms.json"
X400MS_MODULE_PATH=$mods "$top/core/x400msd" -t -c "$tmp/x400ms.json" >"$tmp/check.log" 2>&1 ||
    { cat "$tmp/check.log"; fail "x400msd -t refused the manifest"; }
echo "ok: default_max_age validated by x400msd -t"

X400MS_MODULE_PATH=$mods "$top/core/x400msd" -f -c "$tmp/x400ms.json" >"$tmp/x400msd.log" 2>&1 &
pid=$!
i=0
until grep -q "x400msd ready" "$tmp/x400msd.log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { pid=; fail "x400msd exited before ready"; }
    i=$((i + 1)); [ $i -lt 300 ] || fail "x400msd not ready after 30 s"
    sleep 0.1
done
grep -q "module autoaction_log 1.0 from $plugin" "$tmp/x400msd.log" ||
    fail "the daemon did not load autoaction_log from $plugin"
token=$(cat "$tmp/data/admin-token") || fail "no admin token"

api() { # METHOD PATH [BODY] -> body on stdout, status in $tmp/status
    curl -s -o "$tmp/out" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' ${3:+--data "$3"} "http://127.0.0.1:$port$2" >"$tmp/status"
    cat "$tmp/out"
}
expect() { # STATUS METHOD PATH [BODY]
    local want=$1; shift
    api "$@" >/dev/null
    [ "$(cat "$tmp/status")" = "$want" ] || fail "$* -> $(cat "$tmp/status") (want $want): $(cat "$tmp/out")"
}
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
count() { api GET "/api/v1/mailboxes/$1/entries?box=inbox" | jget 'len(d["entries"])'; }
wait_for() { # SECONDS COMMAND...: retries until COMMAND succeeds
    local n=$(( $1 * 10 )); shift
    while ! "$@" >/dev/null 2>&1; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1; done
}
count_is() { [ "$(count "$1")" = "$2" ]; }
lines_are() { [ -f "$tmp/data/deliveries.log" ] && [ "$(wc -l <"$tmp/data/deliveries.log")" -eq "$1" ]; }
deliver() { # MAILBOX PRIORITY COUNT SUBJECT
    "$mta" deliver -H "127.0.0.1:$p3port" --mta-name mta1 --password mta-secret \
        --to "/C=XX/A= /P=TEST/O=Org/S=$1/" --priority "$2" --count "$3" --subject "$4" \
        >>"$tmp/deliver.log" 2>&1 || { cat "$tmp/deliver.log"; fail "x400ms-mta deliver to $1 ($2 x$3)"; }
}

# ---- 3. mailboxes, MTA account, registration ----
expect 201 POST /api/v1/mailboxes \
    '{"name": "alice", "or_address": "/C=XX/A= /P=TEST/O=Org/S=alice/", "password": "pw-a", "inbox_max_age": "1h"}'
expect 201 POST /api/v1/mailboxes \
    '{"name": "bob", "or_address": "/C=XX/A= /P=TEST/O=Org/S=bob/", "password": "pw-b"}'
expect 201 POST /api/v1/mailboxes \
    '{"name": "carol", "or_address": "/C=XX/A= /P=TEST/O=Org/S=carol/", "password": "pw-c"}'
# carol opts out of the deployment's default ageing.
expect 200 PATCH /api/v1/mailboxes/carol '{"inbox_max_age": "never"}'
api GET /api/v1/mailboxes/carol | jget 'd["inbox_max_age"]' | grep -qx never ||
    fail "carol's inbox_max_age does not read back as never: $(cat "$tmp/out")"
expect 400 PATCH /api/v1/mailboxes/carol '{"inbox_max_age": -5}'
grep -q 'inbox_max_age' "$tmp/out" || fail "the error does not name inbox_max_age: $(cat "$tmp/out")"
expect 201 POST /api/v1/mtas '{"name": "mta1", "password": "mta-secret"}'
api GET /api/v1/mailboxes/alice | jget 'd["inbox_max_age"]' | grep -qx 3600 ||
    fail "alice's own inbox_max_age is not 3600: $(cat "$tmp/out")"

api GET /api/v1/auto-actions | grep -q '"2.999.3.1.1"' || fail "the plugin's type is not listed: $(cat "$tmp/out")"
expect 400 POST /api/v1/mailboxes/alice/auto-actions '{"type": "2.999.3.1.1", "parameter": {"label": "two words"}}'
grep -q 'parameter.label' "$tmp/out" || fail "the error does not name parameter.label: $(cat "$tmp/out")"
expect 400 POST /api/v1/mailboxes/alice/auto-actions '{"type": "2.999.3.1.1", "parameter": {"colour": "red"}}'
grep -q 'parameter.colour' "$tmp/out" || fail "the error does not name parameter.colour: $(cat "$tmp/out")"
expect 201 POST /api/v1/mailboxes/alice/auto-actions \
    '{"type": "2.999.3.1.1", "id": 1, "parameter": {"filter": {"equal": {"priority": "urgent"}}, "label": "tower"}}'
echo "ok: plugin auto-action registered for alice (only urgent), bad parameters refused"

# ---- 4. real P3 deliveries: 2 urgent among 3 normal ----
deliver alice normal 1 "routine one"
deliver alice urgent 2 'Runway 27 "closed"'
deliver alice normal 2 "routine two"
wait_for 5 count_is alice 5 || fail "alice has $(count alice) entries, want 5"
wait_for 5 lines_are 2 || fail "the plugin's file has not 2 lines: $(cat "$tmp/data/deliveries.log" 2>&1)"
sleep 0.5 # a late line for a normal entry would show now
lines_are 2 || fail "the plugin logged non-urgent entries: $(cat "$tmp/data/deliveries.log")"
urgent=$(api GET "/api/v1/mailboxes/alice/entries?box=inbox" |
    jget '" ".join(str(e["seq"]) for e in d["entries"] if e["priority"] == "urgent")')
[ "$(echo $urgent | wc -w)" -eq 2 ] || fail "the store does not list 2 urgent entries: $(cat "$tmp/out")"
for s in $urgent; do
    grep -qx "label=tower mailbox=alice seq=$s priority=urgent subject=\"Runway 27 \\\\\"closed\\\\\"\"" \
        "$tmp/data/deliveries.log" || fail "no line for urgent entry $s: $(cat "$tmp/data/deliveries.log")"
done
echo "ok: exactly the 2 urgent deliveries (seq $urgent) logged by the plugin"

# ---- 5. ageing by manifest ----
deliver carol normal 2 "never aged" # older than bob's: aged first if "never" were ignored
deliver bob normal 2 "to be aged"
# Created less than a second ago, the 3 s default cannot have run yet.
count_is bob 2 || fail "bob has $(count bob) entries right after delivery, want 2"
wait_for 10 count_is bob 0 || fail "bob's entries were not aged out by default_max_age: $(count bob) left"
grep -q "mailbox bob: inbox: 2 entries older than 3s aged out" "$tmp/x400msd.log" ||
    fail "no ageing log line for bob"
sleep 1.5 # one more ageing round
count_is alice 5 || fail "alice (own inbox_max_age 1h) lost entries to the default: $(count alice) left"
count_is carol 2 || fail "carol (inbox_max_age never) lost entries to the default: $(count carol) left"
echo "ok: default_max_age aged bob's entries out, alice's own max_age and carol's never kept theirs"

kill -TERM "$pid"
wait "$pid"
status=$?
pid=
[ "$status" -eq 0 ] || fail "x400msd exited $status after SIGTERM"
echo "PASS: out-of-tree auto-action plugin and ageing by manifest"
exit 0
