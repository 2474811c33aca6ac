#!/usr/bin/env bash
# Scale proof (issue 20), one scenario per run on a private PostgreSQL. Scenarios (tools/ScaleBenchmark):
#   renewals: SERVICES services of CUSTOMERS customers ordered and paid through Billing's first-month charge (Stripe.net
#             against the in-process Stripe emulator), DUE of them renewed on the measured day by WORKERS processors side
#             by side (as replicas), each Stripe call taking LATENCY_MS. Prints time, Stripe calls, and the once-each checks.
#   SERVICES (20000) CUSTOMERS (10000) DUE (1000) WORKERS (1) LATENCY_MS (0); WORKERS and LATENCY_MS may be lists
#   ("1,4"): one run per pair, each on its own cohort of DUE services in the same seeded fleet.
#   dns:      SERVICES services, each a hosted sending domain and one IP's PTR and A, created through Dns's consumers' code
#             against a private PowerDNS (eng/native/pdns.sh); then one monitoring cycle, step by step: propagation,
#             delegation (publishes each domain's records), drift of every rrset, the daily recheck. Prints time and
#             PowerDNS's counters per step.
# Usage: tools/scripts/scale-benchmark.sh renewals|dns      Everything started here is stopped on exit, by PID.
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
  PDNS_DATA_DIR=$bench/pdns DNS_PORT=${PDNS_DNS_ENDPOINT##*:} API_PORT=$api_port API_KEY=$PDNS_API_KEY \
    "$root/eng/native/pdns.sh" >"$bench/pdns.log" 2>&1 &
  pids+=($!)
  wait_port "$api_port"
fi
echo "== $scenario on $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
ConnectionStrings__promta=$pg_connection dotnet "$bench/tool/ScaleBenchmark.dll" "$scenario" \
  --services "${SERVICES:-20000}" --customers "${CUSTOMERS:-10000}" --due "${DUE:-1000}" --workers "${WORKERS:-1}" --latency-ms "${LATENCY_MS:-0}"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
