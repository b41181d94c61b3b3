#!/bin/bash
# Issue 9: a backup taken while an MTA delivers over P3 restores, into a fresh
# data dir, every message that was acknowledged before the backup started.
# Real daemon, real P3 deliveries (x400ms-mta), real HTTP (curl).
set -u
top=${X400MS_TOP_BUILDDIR:?run under make check}
command -v curl >/dev/null 2>&1 || { echo "SKIP: no curl"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/x4t-backup-XXXXXX") || exit 99
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    [ -n "${X4T_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    for f in "$tmp"/*.log; do echo "--- $f"; tail -n 40 "$f"; done
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

# start_daemon NAME: writes NAME.json with fresh ports, starts it, waits for ready.
start_daemon() {
    local name=$1 i=0
    p1=$(free_port); p2=$(free_port)
    while [ "$p2" = "$p1" ]; do p2=$(free_port); done
    cat >"$tmp/$name.json" <<JSON
{
  "data_dir": "$name-data",
  "log": { "target": "stderr", "level": "info" },
  "modules": [
    { "name": "rfc1006", "config": { "listen": [ { "address": "127.0.0.1", "port": $p1 } ] } },
    { "name": "store_file" },
    { "name": "p3" },
    { "name": "admin_api", "config": { "address": "127.0.0.1", "port": $p2 } }
  ]
}
JSON
    "$top/core/x400msd" -f -c "$tmp/$name.json" >"$tmp/$name.log" 2>&1 &
    daemon=$!
    pids+=("$daemon")
    until grep -q "x400msd ready" "$tmp/$name.log" 2>/dev/null; do
        kill -0 "$daemon" 2>/dev/null || fail "$name: x400msd exited before ready"
        i=$((i + 1)); [ $i -lt 300 ] || fail "$name: not ready after 30 s"
        sleep 0.1
    done
    token=$(cat "$tmp/$name-data/admin-token") || fail "$name: no admin token"
    api="http://127.0.0.1:$p2/api/v1"
}

stop_daemon() {
    kill -TERM "$daemon"
    wait "$daemon" || fail "x400msd exited $? after SIGTERM"
}

call() { # METHOD PATH [BODY]
    curl -s -S -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        ${3:+--data "$3"} "$api$2"
}

# Every sequence number of alice's In Box, one per line, through the paged listing.
list_seqs() {
    local after=0 page
    while :; do
        page=$(call GET "/mailboxes/alice/entries?box=inbox&limit=500&after=$after") || return 1
        seqs=$(printf '%s' "$page" | grep -o '"seq": *[0-9]*' | grep -o '[0-9]*$')
        [ -n "$seqs" ] || return 0
        printf '%s\n' $seqs
        # next_after is null on the last page: stop there, not when deliveries stop.
        case $page in *'"next_after":null'* | *'"next_after": null'*) return 0 ;; esac
        after=$(printf '%s\n' $seqs | tail -n 1)
    done
}

wait_job() { # KIND ID
    local i=0 doc
    while :; do
        doc=$(call GET "/$1/$2")
        case $doc in
        *'"state": "done"'* | *'"state":"done"'*) return 0 ;;
        *'"state": "failed"'* | *'"state":"failed"'* | *cancelled*) fail "$1 job $2: $doc" ;;
        esac
        i=$((i + 1)); [ $i -lt 600 ] || fail "$1 job $2 not done after 60 s: $doc"
        sleep 0.1
    done
}

job_id() { printf '%s' "$1" | grep -o '"id": *[0-9]*' | head -n 1 | grep -o '[0-9]*$'; }

alice='/C=XX/A= /P=TEST/O=Org/S=alice/'
start_daemon first
call POST /mailboxes "{\"name\": \"alice\", \"or_address\": \"$alice\", \"password\": \"secret-a\"}" |
    grep -q '"name"' || fail "creating mailbox alice"
call POST /mtas '{"name": "mta1", "password": "mta-secret"}' | grep -q mta1 || fail "creating MTA account"

"$top/tools/x400ms-mta" deliver -H "127.0.0.1:$p1" --mta-name mta1 --password mta-secret \
    --to "$alice" --count 3000 --size 2048 --connections 1 --window 1 >"$tmp/deliver.log" 2>&1 &
mta=$!
pids+=("$mta")

# Let deliveries flow, then record what is acknowledged and durable now.
i=0
inbox_total() { call GET /mailboxes/alice | grep -o '"total": *[0-9]*' | head -n 1 | grep -o '[0-9]*$'; }
until [ "$(inbox_total)" -ge 200 ] 2>/dev/null; do
    kill -0 "$mta" 2>/dev/null || fail "x400ms-mta ended before 200 deliveries"
    i=$((i + 1)); [ $i -lt 300 ] || fail "fewer than 200 deliveries after 30 s"
    sleep 0.1
done
list_seqs >"$tmp/before.txt"
kill -0 "$mta" 2>/dev/null && overlap="while x400ms-mta was delivering" || overlap="after x400ms-mta had finished"
doc=$(call POST /backups "{\"mailboxes\": [\"alice\"], \"destination\": \"$tmp/backup\"}")
id=$(job_id "$doc"); [ -n "$id" ] || fail "backup not accepted: $doc"
wait_job backups "$id"
wait "$mta" || fail "x400ms-mta failed"
grep -q "failed=0" "$tmp/deliver.log" || fail "deliveries failed: $(tail -n 1 "$tmp/deliver.log")"
stop_daemon

# A fresh data dir: restore the backup and compare.
start_daemon second
doc=$(call POST /restores "{\"source\": \"$tmp/backup\", \"mode\": \"replace\"}")
id=$(job_id "$doc"); [ -n "$id" ] || fail "restore not accepted: $doc"
wait_job restores "$id"
list_seqs >"$tmp/after.txt"
missing=$(comm -23 <(sort "$tmp/before.txt") <(sort "$tmp/after.txt"))
[ -z "$missing" ] || fail "acknowledged before the backup but not restored: $(echo $missing | head -c 300)"
before=$(wc -l <"$tmp/before.txt"); after=$(wc -l <"$tmp/after.txt")
[ "$after" -le 3000 ] || fail "restored $after entries, more than were delivered"
stop_daemon
echo "PASS: backup taken $overlap: $before entries acknowledged before it, $after restored, none missing"
exit 0
