#!/usr/bin/env bash
# Scale proof (issue 20), one scenario per run on a private PostgreSQL. Scenarios (tools/ScaleBenchmark):
#   renewals: SERVICES services of CUSTOMERS customers ordered and paid through Billing's first-month charge (Stripe.net
#             against the in-process Stripe emulator), DUE of them renewed on the measured day by WORKERS processors side
#             by side (as replicas), each Stripe call taking LATENCY_MS. Prints time, Stripe calls, and the once-each checks.
#   SERVICES (20000) CUSTOMERS (10000) DUE (1000) WORKERS (1) LATENCY_MS (0); WORKERS and LATENCY_MS may be lists
#   ("1,4"): one run per pair, each on its own cohort of DUE services in the same seeded fleet.
#   dns:      SERVICES services, each a hosted sending domain and one IP's PTR and A, created through Dns's consumers' code
#             against a private PowerDNS on PostgreSQL through PgBouncer (POWERDNS_POOLER=0: straight); then one monitoring cycle, step by step: propagation,
#             delegation (publishes each domain's records), drift of every rrset, the daily recheck. Prints time and
#             PowerDNS's counters per step, and the seeding's PowerDNS API calls (count and mean time per kind).
#   api:      SERVICES services of CUSTOMERS customers through Ordering's, Billing's and Delivery's own code (sign-up,
#             order placement, first-month charge, the consumers' steps to live, MESSAGES messages per service queued
#             and completed as the outbound worker does); then Ordering, Billing and Delivery (Release) run on that
#             database and answer REQUESTS calls per customer route, one at a time: p50/p90/p99 per route.
#             MESSAGES (10) REQUESTS (1000)
# Usage: tools/scripts/scale-benchmark.sh renewals|dns|api      Everything started here is stopped on exit, by PID.
set -euo pipefail

scenario=${1:-renewals}
source "$(dirname "$0")/lib.sh"
bench=$root/.data/scale-bench-$scenario
trap 'stop_pids' EXIT
fresh_dir "$bench"

echo "== building tools/ScaleBenchmark (Release)"
dotnet build "$root/tools/ScaleBenchmark" -c Release -o "$bench/tool" -nologo -v q >"$bench/build.log" 2>&1 || die "build failed: see $bench/build.log"
start_postgres "$bench"
if [[ $scenario == dns ]]; then
  export PDNS_API_KEY=$(random_secret) PDNS_DNS_ENDPOINT=127.0.0.1:$(free_port)
  api_port=$(free_port)
  export PDNS_API_URL=http://127.0.0.1:$api_port
  # PowerDNS keeps its zones in PostgreSQL, as production does (deploy/base/powerdns): SQLite takes one writer at a
  # time, so seeding 20,000 services through it took hours.
  psql -c 'CREATE DATABASE pdns'
  # Through PgBouncer, as production pools it (deploy/base/postgres/powerdns-db-pooler.yaml): PowerDNS opens a session
  # per API request. POWERDNS_POOLER=0 connects it straight to PostgreSQL (the comparison in docs/scale.md).
  pdns_db_port=$pg_port
  if [[ ${POWERDNS_POOLER:-1} != 0 ]]; then
    pdns_db_port=$(free_port)
    PGB_DATA_DIR=$bench/pgbouncer PGB_PORT=$pdns_db_port PG_HOST=127.0.0.1 PG_PORT=$pg_port PG_DATABASE=pdns \
      PG_USER=postgres PG_PASSWORD=$pg_password "$root/eng/native/pgbouncer.sh" >"$bench/pgbouncer.log" 2>&1 &
    pids+=($!)
    wait_port "$pdns_db_port"
  fi
  PDNS_PGSQL="127.0.0.1 $pdns_db_port pdns postgres $pg_password" PDNS_DATA_DIR=$bench/pdns DNS_PORT=${PDNS_DNS_ENDPOINT##*:} \
    API_PORT=$api_port API_KEY=$PDNS_API_KEY "$root/eng/native/pdns.sh" >"$bench/pdns.log" 2>&1 &
  pids+=($!)
  wait_port "$api_port"
fi
echo "== $scenario on $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
benchmark() { # scenario
  ConnectionStrings__promta=$pg_connection dotnet "$bench/tool/ScaleBenchmark.dll" "$1" \
    --services "${SERVICES:-20000}" --customers "${CUSTOMERS:-10000}" --due "${DUE:-1000}" --workers "${WORKERS:-1}" \
    --latency-ms "${LATENCY_MS:-0}" --messages "${MESSAGES:-10}" --requests "${REQUESTS:-1000}"
}
if [[ $scenario != api ]]; then
  benchmark "$scenario"
  if [[ $scenario == dns ]]; then
    echo "PowerDNS's PostgreSQL database over the run (pg_stat_database; active = time its backends ran statements):"
    psql -c "SELECT format('%s sessions started, %s transactions, %s s active, %s s in sessions', sessions, xact_commit + xact_rollback,
               round(active_time::numeric / 1000, 1), round(session_time::numeric / 1000, 1)) FROM pg_stat_database WHERE datname = 'pdns'"
  fi
else
  benchmark api-seed
  export Auth__InternalSecret=$(random_secret)
  for service in Ordering Billing Delivery; do
    echo "== publishing services/$service (Release)"
    dotnet publish "$root/services/$service" -c Release -o "$bench/$service" -nologo -v q >>"$bench/build.log" 2>&1 || die "publish failed: see $bench/build.log"
  done
  ordering_port=$(free_port) billing_port=$(free_port) delivery_port=$(free_port)
  start_service "$bench/Ordering/Ordering.dll" "$bench/ordering.log" "$ordering_port" Auth__TokenSigningKey="$(random_secret)" \
    Staff__Email=operator@scale.test Staff__Password="$(random_secret)" Relay__Host=localhost Relay__Port=2525
  start_service "$bench/Billing/Billing.dll" "$bench/billing.log" "$billing_port" Billing__PortalUrl=http://localhost \
    Stripe__EmulatorUrl="http://127.0.0.1:$(free_port)" Stripe__Webhooks__Secret="$(random_secret)"
  # The outbound worker would claim the 2 % deferred messages in a day; the relay and inbound MX listen on ports of their own.
  start_service "$bench/Delivery/Delivery.dll" "$bench/delivery.log" "$delivery_port" Dkim__EncryptionKey="$(random_secret)" \
    Relay__Port="$(free_port)" Inbound__Port=0 Inbound__DedicatedIpPort=0
  for port in "$ordering_port" "$billing_port" "$delivery_port"; do wait_port "$port"; done
  ORDERING_URL=http://127.0.0.1:$ordering_port BILLING_URL=http://127.0.0.1:$billing_port DELIVERY_URL=http://127.0.0.1:$delivery_port \
    benchmark api
fi
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
