#!/usr/bin/env bash
# Starts the whole stack (Release, its own data folder and ports, so a running developer stack is not touched),
# runs tools/LoadGenerator against it, prints its report and stops the stack again.
#   ORDERS (200), CUSTOMERS (20), COMPARISONS (1000), CONCURRENCY (8), KEEP_DATA=1 keeps .data/load-*, NO_BUILD=1,
#   WARMUP (0) orders to Active first, not measured (the stack's JIT and pools warm: steady-state CPU per order),
#   IDLE_SECONDS (15) of idle CPU measured before the orders, APPHOST_ARGS more AppHost settings (--Telemetry:...=...)
# Prints the CPU per order of each process of the stack (read from /proc over the orders phase) beside the rates.
# Profiling (skews the CPU numbers: measure without it):
#   PG_STAT_STATEMENTS=1   PostgreSQL's top statements by total time over the run (reset when the orders start)
#   TRACE="Ordering Aspire.Dashboard" TRACE_SECONDS=30   dotnet-trace collect-linux cpu-sampling (perf events) of these
#                          processes once the orders start, written to .data/traces/<name>-<time>.nettrace; read with
#                          `dotnet tool run dotnet-trace -- report <file> topN -n 60 --inclusive`
# Against a stack you already run: dotnet run --project tools/LoadGenerator -c Release -- --gateway http://localhost:8080
#   (add --ordering http://localhost:<port> --data .data for the gateway overhead; pin it with --ServicePorts:Ordering=<port>)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$root"
data=$PWD/.data/load-$(date +%Y%m%d-%H%M%S)
mkdir -p "$PWD/.data"
export PG_STAT_STATEMENTS=${PG_STAT_STATEMENTS:-}  # read by eng/native/postgres.sh, which the stack starts
gateway_port=$(free_port) ordering_port=$(free_port)

if [[ ${NO_BUILD:-} != 1 ]]; then  # NO_BUILD=1: run what was built last (back-to-back runs)
  dotnet build AppHost -c Release -v q -nologo >/dev/null
  dotnet build tools/LoadGenerator -c Release -v q -nologo >/dev/null
fi

# The launch profile's settings, on free ports (the dashboard's fixed ones may be taken by a running stack).
# setsid: the stack gets its own process group, so stopping it (SIGINT, like Ctrl+C) reaches every part of it.
ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development ASPNETCORE_URLS="http://localhost:$(free_port)" \
ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://localhost:$(free_port)" ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://localhost:$(free_port)" \
ASPIRE_ALLOW_UNSECURED_TRANSPORT=true ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true \
setsid dotnet run --project AppHost -c Release --no-build --no-launch-profile -- --Infrastructure:DataDir="$data" --Infrastructure:Mode=native \
  --Ports:Gateway="$gateway_port" --ServicePorts:Ordering="$ordering_port" --Ports:Dns="$(free_port)" --Ports:Smtp="$(free_port)" \
  --Ports:FakeMx="$(free_port)" --Ports:InboundSmtp="$(free_port)" ${APPHOST_ARGS:-} >"$data.apphost.log" 2>&1 &
stack=$!
stop() {
  # SIGTERM, not SIGINT: a background job of a script ignores SIGINT.
  kill -TERM -- "-$stack" 2>/dev/null || true
  wait "$stack" 2>/dev/null || true
  [[ ${KEEP_DATA:-0} == 1 ]] || rm -rf "$data" "$data.apphost.log" "$data.generator.log"
}
trap stop EXIT

for _ in $(seq 1 300); do
  curl -sf -m 2 "http://localhost:$gateway_port/health" >/dev/null 2>&1 && break
  kill -0 "$stack" 2>/dev/null || { cat "$data.apphost.log"; die "the stack did not start"; }
  sleep 1
done
echo "stack up: gateway :$gateway_port, ordering :$ordering_port; $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GB"
psql_stack() { # SQL -> rows, with lib.sh's psql on the stack's own PostgreSQL (its real port, not DCP's proxy)
  local pgdata=$data/postgres
  [[ -f $pgdata/RELOCATED ]] && pgdata=$(cat "$pgdata/RELOCATED")
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1) pg_password=$(cat "$data/secrets/postgres-password")
  pg_port=$(sed -n 4p "$pgdata/pgdata/postmaster.pid")
  psql "$@"
}
stack_process() { # name -> the PID of this stack's process whose command ends in /name (DCP detaches from the AppHost)
  local apphost dcp pid
  apphost=$(pgrep -f "AppHost --Infrastructure:DataDir=$data " | head -n1)
  dcp=$(pgrep -f "dcp start-apiserver --monitor $apphost " | head -n1)
  for pid in $(pgrep -f "/$1\$"); do
    pstree -p "$dcp" | grep -q "($pid)" && { echo "$pid"; return 0; }
  done
  return 1
}
[[ -n ${TRACE:-} ]] && dotnet tool restore >/dev/null && mkdir -p .data/traces
if [[ -n ${TRACE:-} || $PG_STAT_STATEMENTS == 1 ]]; then
  (
    # Profile the orders, not the warm-up and the idle measurement before them.
    until grep -q "^placing orders" "$data.generator.log" 2>/dev/null; do sleep 0.5; done
    if [[ $PG_STAT_STATEMENTS == 1 ]]; then
      psql_stack -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" -c "SELECT pg_stat_reset()" >/dev/null
    fi
    for name in ${TRACE:-}; do
      pid=$(stack_process "$name") || { echo "no process $name to trace" >&2; continue; }
      dotnet tool run dotnet-trace -- collect-linux -p "$pid" --profile cpu-sampling --duration "00:00:00:${TRACE_SECONDS:-30}" \
        -o ".data/traces/$name-$(date +%H%M%S).nettrace" >/dev/null 2>&1 &
    done
    wait
  ) &
  profilers=$!
fi
dotnet tools/LoadGenerator/bin/Release/net10.0/LoadGenerator.dll --gateway "http://localhost:$gateway_port" \
  --ordering "http://localhost:$ordering_port" --data "$data" --orders "${ORDERS:-200}" --warmup-orders "${WARMUP:-0}" --customers "${CUSTOMERS:-20}" \
  --comparisons "${COMPARISONS:-1000}" --concurrency "${CONCURRENCY:-8}" --idle-seconds "${IDLE_SECONDS:-15}" --stack-pid "$stack" \
  | tee "$data.generator.log"
if [[ $PG_STAT_STATEMENTS == 1 ]]; then
  # The counts that say what an order costs PostgreSQL whatever the machine's load (the orders window, idle pollers included).
  echo; echo "PostgreSQL per order since the orders started (statements; BEGIN, COMMIT, ROLLBACK; transactions, implicit ones included; sessions started):"
  psql_stack -P format=aligned -P tuples_only=off -c "SELECT round(sum(calls) / ${ORDERS:-200}.0, 1) AS statements,
    round(sum(calls) FILTER (WHERE query LIKE 'BEGIN%') / ${ORDERS:-200}.0, 1) AS begins, round(sum(calls) FILTER (WHERE query = 'COMMIT') / ${ORDERS:-200}.0, 1) AS commits,
    round(sum(calls) FILTER (WHERE query = 'ROLLBACK') / ${ORDERS:-200}.0, 1) AS rollbacks,
    (SELECT round((xact_commit + xact_rollback) / ${ORDERS:-200}.0, 1) FROM pg_stat_database WHERE datname = 'promta') AS transactions,
    (SELECT round(sessions / ${ORDERS:-200}.0, 2) FROM pg_stat_database WHERE datname = 'promta') AS sessions FROM pg_stat_statements"
  echo; echo "PostgreSQL, top statements by total time since the orders started:"
  psql_stack -P format=aligned -P tuples_only=off -c "SELECT calls, round(total_exec_time::numeric, 0) AS total_ms, round(mean_exec_time::numeric, 2) AS mean_ms,
    left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25"
  # Execution time above includes lock waits, which cost no CPU; calls and planning show the pollers and the parsing,
  # and new sessions (a fork and a SCRAM authentication each) show connection churn.
  echo; echo "PostgreSQL, top statements by calls (with planning time) since the orders started:"
  psql_stack -P format=aligned -P tuples_only=off -c "SELECT calls, round(total_plan_time::numeric, 0) AS plan_ms, round(total_exec_time::numeric, 0) AS exec_ms,
    left(regexp_replace(query, '\s+', ' ', 'g'), 100) AS query FROM pg_stat_statements ORDER BY calls DESC LIMIT 15"
  echo; echo "PostgreSQL, sessions and transactions since the orders started, and the open sessions per service (application_name):"
  psql_stack -P format=aligned -P tuples_only=off -c "SELECT datname, sessions, xact_commit, xact_rollback FROM pg_stat_database
    WHERE datname IS NOT NULL ORDER BY sessions DESC" -c "SELECT application_name, count(*) AS open, min(backend_start)::time(0) AS oldest,
    max(backend_start)::time(0) AS newest FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC"
  # Where PostgreSQL's CPU went since its start (the stack's whole life, idle and signups included): its client backends
  # (alive ones; the sessions above say how few ended) against its own background processes.
  echo; echo "PostgreSQL, CPU seconds since its start by process kind:"
  pgdata=$data/postgres; [[ -f $pgdata/RELOCATED ]] && pgdata=$(cat "$pgdata/RELOCATED")
  postmaster=$(head -n1 "$pgdata/pgdata/postmaster.pid")
  { echo "$postmaster postmaster"; ps -o pid=,args= --ppid "$postmaster"; } | while read -r pid args; do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null) || continue
    kind=${args#postgres: }; [[ $kind == *"("*")"* ]] && kind="client backends"
    echo "$kind|$ticks"
  done | awk -F'|' -v hz="$(getconf CLK_TCK)" '{t[$1] += $2; n[$1]++} END {for (k in t) printf "%8.1f s  %4d  %s\n", t[k] / hz, n[k], k}' | sort -rn
fi
# The profilers only: a bare wait would wait for the stack too.
[[ -z ${profilers:-} ]] || wait "$profilers"
