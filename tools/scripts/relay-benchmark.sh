#!/usr/bin/env bash
# Relay benchmark: Postfix's smtp-source injects N messages into the ProMTA relay (services/Delivery published Release, ReadyToRun,
# its own PostgreSQL) which delivers them to smtp-sink on 127.0.0.1 (Delivery:Routes static route); then the same load
# goes through a throwaway Postfix instance (config and queue in a temp dir under /var/tmp, removed on exit) relaying to the same sink.
# Prints accepted/s (N / injection time), delivered/s (N / end-to-end time), the end-to-end time (first connection
# to last delivery) and the CPU time the MTA used per message for both. The CPU column is the load-robust one on a
# shared machine: user+system time of the MTA's process trees (ProMTA: the Delivery process and its PostgreSQL server
# with all backends; Postfix: master and all its daemons), from just before injection to the last delivery, read from
# /proc (exited children count through their parent's cutime/cstime). smtp-source and smtp-sink are not counted.
#   N (default 20000) messages of SIZE bytes of body (default 10240) over SESSIONS connections (default 20)
#   SKIP_POSTFIX=1  only ProMTA;  SKIP_PROMTA=1  only Postfix;  TIMEOUT seconds to wait for delivery (default 1800)
#   PG_STAT_STATEMENTS=1  ProMTA's top PostgreSQL statements by total time and calls over the run (pg_stat_statements),
#           then the queue tables' row writes (updates and how many were HOT: no index entry written)
#   NO_PUBLISH=1  run the Delivery published by the last run (.data/bench-delivery) instead of publishing again: A/B runs
#           alternating two worktrees, each published once (the publish is outside the measured window either way)
#   RUNS=3  the whole comparison three times (ProMTA then Postfix in each), then each run's ratios ProMTA/Postfix
#           and their medians: machines differ in what Postfix costs, so only a same-run ratio compares
# smtp-source cannot AUTH, so the relay runs in Development with Relay:TrustedClients:127.0.0.1=<service id>: the
# loopback client relays for that one service without AUTH (benchmark only; refused outside Development).
# Every message is DKIM-signed by ProMTA (a key for the From domain, encrypted as Dns publishes it, is stored first).
# RabbitMQ is not started: the relay and the outbound worker do not use it (MassTransit's reconnect logs are muted).
# Everything started here is stopped on exit, by PID; /etc/postfix is not touched.
set -euo pipefail

N=${N:-20000}
SIZE=${SIZE:-10240}
SESSIONS=${SESSIONS:-20}
TIMEOUT=${TIMEOUT:-1800}
source "$(dirname "$0")/lib.sh"
export PG_STAT_STATEMENTS=${PG_STAT_STATEMENTS:-}  # read by eng/native/postgres.sh

if ((${RUNS:-1} > 1)); then
  runs_dir=$(mktemp -d)
  for run in $(seq "$RUNS"); do
    echo "== run $run of $RUNS"
    RUNS=1 "$0" | tee "$runs_dir/$run.log"
  done
  python3 - "$runs_dir"/*.log <<'PY'
import re, statistics, sys
def row(lines, name):
    cells = [c.strip() for c in [l for l in lines if l.startswith('| ' + name)][-1].strip('|').split('|')]
    return float(cells[3].replace(',', '')), float(cells[5])  # delivered/s, cpu ms/msg
print('\n| run | ProMTA delivered/s | Postfix delivered/s | ratio | ProMTA cpu ms/msg | Postfix cpu ms/msg | ratio |')
print('|---|---|---|---|---|---|---|')
rates, cpus = [], []
for i, path in enumerate(sys.argv[1:], 1):
    lines = open(path).read().splitlines()
    (pr, pc), (xr, xc) = row(lines, 'ProMTA'), row(lines, 'Postfix')
    rates.append(pr / xr); cpus.append(pc / xc)
    print(f'| {i} | {pr:,.0f} | {xr:,.0f} | {pr / xr:.2f}x | {pc:.2f} | {xc:.2f} | {pc / xc:.2f}x |')
print(f'| median | | | {statistics.median(rates):.2f}x | | | {statistics.median(cpus):.2f}x |')
PY
  rm -rf "$runs_dir"
  exit 0
fi
bench=$root/.data/bench
from=bench@sender.bench.test
to=sink@rcpt.bench.test

now() { date +%s.%N; }
for tool in smtp-source smtp-sink postfix; do command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || die "$tool not installed"; done
export PATH=$PATH:/usr/sbin

postfix_dir=""
cleanup() {
  set +e
  if [[ -n $postfix_dir && -f $postfix_dir/spool/pid/master.pid ]]; then postfix -c "$postfix_dir/etc" stop >/dev/null 2>&1; fi
  stop_pids
  [[ -n $postfix_dir ]] && rm -rf "$postfix_dir"
}
trap cleanup EXIT

fresh_dir "$bench"
chmod 755 "$bench"

# The sink both sides deliver to. smtp-sink drops privileges to nobody after binding (required as root).
sink_port=$(free_port)
smtp-sink -u nobody "127.0.0.1:$sink_port" 1024 >"$bench/sink.log" 2>&1 &
pids+=($!)
wait_port "$sink_port"

inject() { # port -> injection seconds
  local start end
  start=$(now)
  smtp-source -d -s "$SESSIONS" -m "$N" -l "$SIZE" -f "$from" -t "$to" -M client.bench.test "127.0.0.1:$1" >"$bench/source-$1.log" 2>&1 \
    || die "smtp-source failed: $(tail -n3 "$bench/source-$1.log")"
  end=$(now)
  echo "$start $end"
}

cpu_ticks() { # pids -> clock ticks of user+system time of these processes, their live descendants and reaped children
  python3 - "$@" <<'PY'
import os, sys
stats = {}
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        with open(f'/proc/{pid}/stat') as f: fields = f.read().rsplit(')', 1)[1].split()
    except OSError:
        continue
    stats[int(pid)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))  # ppid; utime stime cutime cstime
children = {}
for pid, (ppid, _) in stats.items(): children.setdefault(ppid, []).append(pid)
todo, seen, total = [int(p) for p in sys.argv[1:]], set(), 0
while todo:
    pid = todo.pop()
    if pid in seen or pid not in stats: continue
    seen.add(pid); total += stats[pid][1]; todo += children.get(pid, [])
print(total)
PY
}
hz=$(getconf CLK_TCK)

wait_delivered() { # command printing the delivered count, start -> end time
  local deadline=$(($(date +%s) + TIMEOUT)) count=0
  while :; do
    count=$("$@")
    ((count >= N)) && { now; return; }
    (($(date +%s) > deadline)) && die "only $count of $N delivered after ${TIMEOUT}s"
    sleep 0.2
  done
}

results=()
report() { # name start injected delivered cpu-ticks
  results+=("$(python3 -c "
n=$N; s=$2; i=$3; d=$4; cpu=$5/$hz
print(f'| $1 | {n:,} | {n/(i-s):,.0f} | {n/(d-s):,.0f} | {d-s:.1f} s | {cpu*1000/n:.2f} | {cpu:.1f} s |')")")
  echo "${results[-1]}"
}

if [[ -z ${SKIP_PROMTA:-} ]]; then
  # Published as it is deployed: Release, ReadyToRun for this machine's runtime identifier.
  [[ -n ${NO_PUBLISH:-} ]] || echo "== ProMTA: publishing services/Delivery (Release, ReadyToRun)"
  [[ -n ${NO_PUBLISH:-} ]] || dotnet publish "$root/services/Delivery" -c Release -r "$(dotnet --info | awk '/^ *RID:/ {print $2; exit}')" --self-contained false \
    -o "$root/.data/bench-delivery" -nologo -v q >"$bench/build.log" 2>&1 || die "publish failed: see $bench/build.log"

  start_postgres "$bench"

  service_id=$(cat /proc/sys/kernel/random/uuid)
  # smtp-source opens all SESSIONS from 127.0.0.1: the relay's per-client connection limit (50) must not refuse them.
  start_delivery Development "$root/.data/bench-delivery/Delivery.dll" "$bench/delivery.log" \
    "--Relay:TrustedClients:127.0.0.1=$service_id" "--Delivery:Routes:rcpt.bench.test=127.0.0.1:$sink_port" \
    "--Delivery:BypassThrottling=true" "--Relay:MaxConnectionsPerClient=$((SESSIONS + 1))"

  # The service as activation and Dns leave it: an active relay account sending from 127.0.0.1, its verified sending
  # domain (the relay accepts senders only there), and a DKIM key for
  # the From domain encrypted the way DkimKeyProtector does (HKDF-SHA256 + AES-256-GCM, "{service:N}/{selector}" as AD).
  selector=pmbench
  encrypted=$(DKIM_SECRET=$dkim_key SERVICE=$service_id SELECTOR=$selector python3 -c '
import base64, os, uuid
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
key = HKDF(hashes.SHA256(), 32, None, b"promta-dkim-private-key").derive(os.environ["DKIM_SECRET"].encode())
pkcs8 = rsa.generate_private_key(65537, 2048).private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
nonce = os.urandom(12)
associated = uuid.UUID(os.environ["SERVICE"]).hex + "/" + os.environ["SELECTOR"]
sealed = AESGCM(key).encrypt(nonce, pkcs8, associated.encode())
print(base64.b64encode(bytes([1]) + nonce + sealed[-16:] + sealed[:-16]).decode())')
  psql -v sid="$service_id" -v key="$encrypted" -v sel="$selector" <<'SQL'
INSERT INTO delivery.relay_accounts (service_id, order_id, username, source_ips, status, activated_at)
VALUES (:'sid', :'sid', 'svc-bench', ARRAY['127.0.0.1'], 'Active', now());
INSERT INTO delivery.dkim_keys (service_id, selector, domain, private_key_encrypted, published_at)
VALUES (:'sid', :'sel', 'sender.bench.test', :'key', now());
INSERT INTO delivery.sending_domains (service_id, domain, source, added_at) VALUES (:'sid', 'sender.bench.test', 'verified', now());
SQL

  [[ $PG_STAT_STATEMENTS == 1 ]] && psql -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" \
    -c "SELECT pg_stat_reset_shared('wal')" >/dev/null
  echo "== ProMTA: $N messages of $SIZE bytes over $SESSIONS connections"
  pg_before=$(cpu_ticks "${pids[1]}") relay_before=$(cpu_ticks "${pids[2]}")
  times=$(inject "$relay_port")
  read -r start injected <<<"$times"
  delivered=$(wait_delivered psql -c "SELECT count(*) FROM delivery.recipients WHERE status = 'Delivered'")
  pg_after=$(cpu_ticks "${pids[1]}") relay_after=$(cpu_ticks "${pids[2]}")
  echo "   CPU: Delivery $(((relay_after - relay_before) * 1000 / hz)) ms, PostgreSQL $(((pg_after - pg_before) * 1000 / hz)) ms"
  other=$(psql -c "SELECT count(*) FROM delivery.recipients WHERE status <> 'Delivered'")
  ((other == 0)) || die "$other recipients not delivered"
  if [[ $PG_STAT_STATEMENTS == 1 ]]; then
    echo "   PostgreSQL, top statements by total time over the run:"
    psql -P format=aligned -P tuples_only=off -c "SELECT calls, round(total_exec_time::numeric) AS total_ms,
      round(mean_exec_time::numeric, 3) AS mean_ms, plans, round(total_plan_time::numeric) AS plan_ms, rows,
      shared_blks_hit + shared_blks_read AS blocks, round(wal_bytes / 1048576) AS wal_mb, left(regexp_replace(query, '\s+', ' ', 'g'), 120) AS query
      FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25"
    psql -c "SELECT 'calls in all: ' || sum(calls) || ', exec ms in all: ' || round(sum(total_exec_time)::numeric) FROM pg_stat_statements"
    # Blocks touched and WAL written do not grow with the machine's load as times do.
    psql -c "SELECT 'WAL over the run: ' || wal_records || ' records, ' || pg_size_pretty(wal_bytes) || ', ' || wal_fpi || ' full pages' FROM pg_stat_wal"
    psql -c "SELECT 'sessions since the start: ' || sessions || ', client backends now: ' || numbackends FROM pg_stat_database WHERE datname = 'promta'"
    # A HOT update writes no index entry; any other update writes one into every index of the table (busy backends
    # report their counts about once a second, hence the pause).
    sleep 2
    echo "   The queue's tables (row writes since the cluster started; HOT = updates that wrote no index entry):"
    psql -P format=aligned -P tuples_only=off -c "SELECT relname, n_tup_ins AS inserted, n_tup_upd AS updated, n_tup_hot_upd AS hot,
      n_tup_del AS deleted, n_dead_tup AS dead_now, pg_size_pretty(pg_table_size(relid)) AS heap, pg_size_pretty(pg_indexes_size(relid)) AS indexes
      FROM pg_stat_user_tables WHERE schemaname = 'delivery' AND relname IN ('recipients', 'messages', 'delivery_events', 'history_deltas') ORDER BY relname"
  fi
  report "ProMTA (Delivery, Release)" "$start" "$injected" "$delivered" $((relay_after - relay_before + pg_after - pg_before))

  # Free the CPU for the Postfix run: stop the relay, then PostgreSQL (newest first).
  stop_pid "${pids[2]}"
  stop_pid "${pids[1]}"
  pids=("${pids[0]}")
fi

if [[ -z ${SKIP_POSTFIX:-} ]]; then
  # Outside the repo: Postfix's daemons run as "postfix", which may not traverse the repo's path (e.g. /root).
  postfix_dir=$(mktemp -d /var/tmp/promta-bench-postfix.XXXXXX)
  chmod 755 "$postfix_dir"
  mkdir -p "$postfix_dir/etc" "$postfix_dir/spool" "$postfix_dir/data"
  chown postfix:postfix "$postfix_dir/data"
  postfix_port=$(free_port)
  cat >"$postfix_dir/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $postfix_dir/spool
data_directory = $postfix_dir/data
maillog_file = $postfix_dir/maillog
maillog_file_prefixes = $postfix_dir/
myhostname = postfix.bench.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$sink_port
alias_maps =
alias_database =
local_recipient_maps =
smtpd_tls_security_level = none
smtp_tls_security_level = none
EOF
  # Postfix's stock services, unchrooted, with smtpd on a free loopback port.
  cat >"$postfix_dir/etc/master.cf" <<EOF
127.0.0.1:$postfix_port inet n - n - - smtpd
pickup    unix n - n 60   1 pickup
cleanup   unix n - n -    0 cleanup
qmgr      unix n - n 300  1 qmgr
tlsmgr    unix - - n 1000? 1 tlsmgr
rewrite   unix - - n -    - trivial-rewrite
bounce    unix - - n -    0 bounce
defer     unix - - n -    0 bounce
trace     unix - - n -    0 bounce
verify    unix - - n -    1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n -    - proxymap
proxywrite unix - - n -   1 proxymap
smtp      unix - - n -    - smtp
relay     unix - - n -    - smtp
showq     unix n - n -    - showq
error     unix - - n -    - error
retry     unix - - n -    - error
discard   unix - - n -    - discard
local     unix - n n -    - local
lmtp      unix - - n -    - lmtp
anvil     unix - - n -    1 anvil
scache    unix - - n -    1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
  echo "== Postfix $(postconf -c "$postfix_dir/etc" -h mail_version): $N messages of $SIZE bytes over $SESSIONS connections"
  postfix -c "$postfix_dir/etc" check >"$bench/postfix-start.log" 2>&1 || true
  postfix -c "$postfix_dir/etc" start >>"$bench/postfix-start.log" 2>&1 || die "Postfix did not start: $(tail -n5 "$bench/postfix-start.log")"
  wait_port "$postfix_port"
  sent_count() { grep -c ' status=sent ' "$postfix_dir/maillog" 2>/dev/null || true; }
  postfix_master=$(head -n1 "$postfix_dir/spool/pid/master.pid" | tr -d ' ')
  cpu_before=$(cpu_ticks "$postfix_master")
  times=$(inject "$postfix_port")
  read -r start injected <<<"$times"
  delivered=$(wait_delivered sent_count)
  cpu_after=$(cpu_ticks "$postfix_master")
  report "Postfix $(postconf -c "$postfix_dir/etc" -h mail_version) (defaults)" "$start" "$injected" "$delivered" $((cpu_after - cpu_before))
fi

echo
echo "| MTA | messages | accepted/s | delivered/s | end-to-end | cpu ms/msg | cpu total |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
