#!/usr/bin/env bash
# Real-socket run of adaptive throttling (issue 7): the Delivery service (Release, managed mode, its own PostgreSQL)
# delivers a queue that never runs dry to tools/FakeIsp's fake MX servers on 127.0.0.2-4, each with a hidden rate
# limit per sending IP (a token bucket with 2 s of burst, the simulation's model) answered with that ISP's throttling
# reply. After DURATION seconds it prints, per provider: messages accepted, attempts deferred, the hidden capacity used,
# when the accepted rate first reached 90% of the limit, what the relay recorded, and the queue's row updates.
#   DURATION (default 300) seconds;  GMAIL/OUTLOOK/YAHOO hidden limits per minute (default 600/400/300)
# The queue is filled with SQL (PER_PROVIDER recipients each, more than the run can deliver) before the relay account
# is activated, so the run measures the outbound pacing only. Everything started here is stopped on exit, by PID.
#   --complaints: the complaint proof instead (a clean and a dirty tenant at one ISP, reports back through our inbound
#   MX): throttling-complaint-run.sh
set -euo pipefail
[[ ${1:-} == --complaints ]] && exec "$(dirname "$0")/throttling-complaint-run.sh"

DURATION=${DURATION:-300}
GMAIL=${GMAIL:-600}
OUTLOOK=${OUTLOOK:-400}
YAHOO=${YAHOO:-300}
source "$(dirname "$0")/lib.sh"
run=$root/.data/throttling-run

trap stop_pids EXIT
fresh_dir "$run"

build_delivery_and_fake_isp "$run"

start_postgres "$run"

# The fake ISPs with their hidden limits (lib.sh says why Yahoo answers its rate-limit reply here).
start_fake_isps "$run" "$GMAIL" "$OUTLOOK" "$YAHOO"

start_delivery Production "$root/services/Delivery/bin/Release/net10.0/Delivery.dll" "$run/delivery.log" \
  "--Delivery:Routes:gmail.test=127.0.0.2:$mx_port" "--Delivery:Routes:outlook.test=127.0.0.3:$mx_port" \
  "--Delivery:Routes:yahoo.test=127.0.0.4:$mx_port" \
  --Delivery:RetryInitial=00:00:10 --Delivery:RetryMax=00:01:00 --Delivery:PollInterval=00:00:00.250

per_provider=${PER_PROVIDER:-$(( (GMAIL > OUTLOOK ? GMAIL : OUTLOOK) * (DURATION / 60 + 2) ))}
service_id=$(cat /proc/sys/kernel/random/uuid)
echo "== queueing $per_provider recipients per provider, then activating the relay for $DURATION s"
psql -v sid="$service_id" -v n="$per_provider" <<'SQL'
INSERT INTO delivery.relay_accounts (service_id, order_id, username, source_ips, status, activated_at)
VALUES (:'sid', :'sid', 'svc-throttling-run', ARRAY['127.0.0.1'], 'Suspended', now());
WITH m AS (
    INSERT INTO delivery.messages (id, service_id, mail_from, size, data, received_at)
    SELECT gen_random_uuid(), :'sid', 'sender@customer.test', 80,
           convert_to(E'From: sender@customer.test\r\nSubject: run ' || i || E'\r\n\r\nHello.\r\n', 'UTF8'), now()
    FROM generate_series(1, :n * 3) AS i
    RETURNING id)
INSERT INTO delivery.recipients (message_id, service_id, address, domain, provider, next_attempt_at, expires_at)
SELECT id, :'sid', 'reader' || row_number() OVER () || '@' || d.domain, d.domain, d.provider, now(), now() + interval '3 days'
FROM (SELECT id, row_number() OVER () AS k FROM m) AS msg
JOIN (VALUES (0, 'gmail.test', 'Gmail'), (1, 'outlook.test', 'Outlook'), (2, 'yahoo.test', 'Yahoo')) AS d (slot, domain, provider)
  ON msg.k % 3 = d.slot;
UPDATE delivery.relay_accounts SET status = 'Active' WHERE service_id = :'sid';
SQL
start=$(psql -c "SELECT extract(epoch FROM now())")
sleep "$DURATION"
psql -c "UPDATE delivery.relay_accounts SET status = 'Suspended' WHERE service_id = '$service_id'"

# What the ISPs saw (their counters: every attempt, every throttling reply) and when our accepted rate first reached
# 90% of each hidden limit (10 s buckets of delivered recipients).
curl -sf "http://127.0.0.1:$isp_http/counters" >"$run/counters.json" || die "FakeIsp counters unavailable"
curl -sf "http://127.0.0.1:$isp_http/timeline" >"$run/timeline.json" || die "FakeIsp timeline unavailable"
# The relay's side: deferrals it recorded (an answer it did not get from the ISP shows up here, not at the ISP).
psql -F ',' -c "
  SELECT provider, count(*) FILTER (WHERE status = 'Delivered'), coalesce(sum(deferrals), 0), coalesce(sum(attempts), 0)
  FROM delivery.recipients GROUP BY 1 ORDER BY 1" >"$run/relay.csv"
# Queue churn: every claim and every result is a row update, also for a claim our own pacing hands back unsent.
sleep 1 # the statistics reach pg_stat within a second
updates=$(psql -c "SELECT sum(n_tup_upd) FROM pg_stat_user_tables WHERE schemaname = 'delivery' AND relname IN ('recipients', 'messages')")
psql -F ',' -c "
  SELECT provider, floor((extract(epoch FROM completed_at) - $start) / 10)::int * 10, count(*)
  FROM delivery.recipients WHERE status = 'Delivered' GROUP BY 1, 2 ORDER BY 1, 2" >"$run/delivered.csv"
echo
LIMITS="Gmail=$GMAIL,Outlook=$OUTLOOK,Yahoo=$YAHOO" DURATION=$DURATION RUN=$run START=$start UPDATES=$updates python3 - <<'PY'
import csv, json, os
limits = dict(p.split("=") for p in os.environ["LIMITS"].split(","))
duration = int(os.environ["DURATION"])
counters = {c["name"]: c for c in json.load(open(os.path.join(os.environ["RUN"], "counters.json")))}
buckets = {}
for provider, second, n in csv.reader(open(os.path.join(os.environ["RUN"], "delivered.csv"))):
    buckets.setdefault(provider, []).append((int(second), int(n)))
print("| Provider | hidden limit/min | accepted | attempts at the ISP | deferred | capacity used | first 10 s at >= 90% of the limit |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, limit in limits.items():
    limit = int(limit)
    c = counters[name]
    accepted, deferred = c["accepted"], c["throttled"]
    attempts = accepted + deferred + c["unknownUsers"] + c["rejectedAsSpam"] + c["greylisted"]
    reached = next((s for s, n in sorted(buckets.get(name, [])) if n * 6 >= 0.9 * limit), None)
    print(f"| {name} | {limit} | {accepted:,} | {attempts:,} | {deferred:,} ({deferred / attempts * 100 if attempts else 0:.1f} %) "
          f"| {accepted / (limit * duration / 60) * 100:.1f} % | {f'{reached} s' if reached is not None else 'never'} |")

# Evidence for where the deferrals happen: what each ISP answered per 10 s (timeline.txt) and what the relay recorded.
start = float(os.environ["START"])
with open(os.path.join(os.environ["RUN"], "timeline.txt"), "w") as out:
    for isp in json.load(open(os.path.join(os.environ["RUN"], "timeline.json"))):
        rows = {}
        for s in isp["seconds"]:
            t = int((s["second"] - start) // 10 * 10)
            a, d = rows.get(t, (0, 0))
            rows[t] = (a + s["accepted"], d + s["throttled"])
        out.write(f"{isp['name']}: second, accepted/10 s, throttled/10 s\n")
        for t, (a, d) in sorted(rows.items()):
            out.write(f"  {t:4d} {a:5d} {d:5d}\n")
print()
print("| Provider | relay: delivered | relay: deferrals recorded | relay: attempts recorded |")
print("|---|---:|---:|---:|")
for provider, delivered, deferrals, claims in csv.reader(open(os.path.join(os.environ["RUN"], "relay.csv"))):
    print(f"| {provider} | {int(delivered):,} | {int(deferrals):,} | {int(claims):,} |")
updates = int(os.environ['UPDATES'])
delivered = sum(int(row[1]) for row in csv.reader(open(os.path.join(os.environ["RUN"], "relay.csv"))))
print(f"\nQueue row updates (recipients and messages: claims and results, including claims handed back unsent): {updates:,}")
# Issue 19's measure: a delivered message costs one claim and one result (2); holds and deferrals add to it.
print(f"Queue row updates per delivered message: {updates / delivered if delivered else float('nan'):.2f} ({delivered:,} delivered)")
print(f"Per 10 s at each ISP: {os.path.join(os.environ['RUN'], 'timeline.txt')}")
PY
