#!/usr/bin/env bash
# Two Delivery replicas share the ISPs (issue 19 step 4): two Delivery processes (Release, managed mode) on one queue
# and one private PostgreSQL deliver to tools/FakeIsp's fake Gmail/Outlook/Yahoo (hidden limits per sending IP, 2 s of
# burst) from the same IPs; halfway through, the replica holding the most lanes is killed with SIGKILL. Prints, per
# provider: the combined rate from the warm IP against its hidden limit, the deferral share, a warming IP's sends
# against its daily cap, how long each of the killed replica's lanes went without an owner and without a delivery, and
# the messages lost or delivered twice, and which replica held which lane every 10 s. Every deferral's second of the
# run and lane stays in .data/two-replicas/deferrals.csv.
#   DURATION (default 120) seconds;  GMAIL/OUTLOOK/YAHOO hidden limits per minute (default 600/400/300)
#   WARM_GMAIL/WARM_OUTLOOK/WARM_YAHOO: the warming IP's day-1 caps (default 700/500/350: spent after the kill)
#   JOIN_AT: replica B starts this many seconds into the run instead of before it (default 0: before; below DURATION/2)
# Everything started here is stopped on exit, by PID.
set -euo pipefail

DURATION=${DURATION:-120}
GMAIL=${GMAIL:-600}
OUTLOOK=${OUTLOOK:-400}
YAHOO=${YAHOO:-300}
WARM_GMAIL=${WARM_GMAIL:-700}
WARM_OUTLOOK=${WARM_OUTLOOK:-500}
WARM_YAHOO=${WARM_YAHOO:-350}
WARM_IP=127.0.0.9
JOIN_AT=${JOIN_AT:-0}
source "$(dirname "$0")/lib.sh"
run=$root/.data/two-replicas

trap stop_pids EXIT
fresh_dir "$run"

build_delivery_and_fake_isp "$run"

start_postgres "$run"

start_fake_isps "$run" "$GMAIL" "$OUTLOOK" "$YAHOO"

cat >"$run/warmup.json" <<JSON
{ "growthPerDay": 1.4, "rewarmAfterIdleDays": 30, "providers": [
  { "name": "gmail", "firstDayCap": $WARM_GMAIL, "warmDailyVolume": 1000000 },
  { "name": "outlook", "firstDayCap": $WARM_OUTLOOK, "warmDailyVolume": 1000000 },
  { "name": "yahoo", "firstDayCap": $WARM_YAHOO, "warmDailyVolume": 1000000 },
  { "name": "default", "firstDayCap": 200, "warmDailyVolume": 100000 } ] }
JSON
# A killed replica's claimed recipients come back when their claim lease ends: 30 s so they do within the run. A batch
# starts no message in the lease's last 10 s (Delivery:LeaseMargin; a message here takes milliseconds): it hands it back.
replica_args=("--Delivery:Routes:gmail.test=127.0.0.2:$mx_port" "--Delivery:Routes:outlook.test=127.0.0.3:$mx_port"
  "--Delivery:Routes:yahoo.test=127.0.0.4:$mx_port" --Delivery:RetryInitial=00:00:10 --Delivery:RetryMax=00:01:00
  --Delivery:PollInterval=00:00:00.250 --Delivery:Lease=00:00:30 --Delivery:LeaseMargin=00:00:10 --Delivery:ThrottleStateInterval=00:00:02
  "--Delivery:Throttling:Tables:WarmUp=$run/warmup.json")
start_delivery Production "$root/services/Delivery/bin/Release/net10.0/Delivery.dll" "$run/delivery-a.log" "${replica_args[@]}"
pid_a=${pids[-1]}

# Two services: one on a warm IP (a queue that never runs dry), one on an IP in its first warm-up day (more mail than
# its caps). Queued while suspended, so both replicas start before anything is claimed.
per_provider=${PER_PROVIDER:-$(( (GMAIL > OUTLOOK ? GMAIL : OUTLOOK) * (DURATION / 60 + 2) ))}
service_id=$(cat /proc/sys/kernel/random/uuid)
warm_id=$(cat /proc/sys/kernel/random/uuid)
echo "== queueing $per_provider recipients per provider from 127.0.0.1 and cap + 200 from the warming $WARM_IP"
psql -v sid="$service_id" -v wid="$warm_id" -v n="$per_provider" -v wip="$WARM_IP" \
  -v wg="$WARM_GMAIL" -v wo="$WARM_OUTLOOK" -v wy="$WARM_YAHOO" <<'SQL'
INSERT INTO delivery.relay_accounts (service_id, order_id, username, source_ips, status, activated_at) VALUES
  (:'sid', :'sid', 'svc-two-replicas', ARRAY['127.0.0.1'], 'Suspended', now()),
  (:'wid', :'wid', 'svc-two-replicas-warming', ARRAY[:'wip'], 'Suspended', now());
INSERT INTO delivery.ip_warmups (source_ip, service_id, started_at) VALUES (:'wip', :'wid', now());
WITH plan (sid, domain, provider, n) AS (VALUES
    (:'sid'::uuid, 'gmail.test', 'Gmail', :n), (:'sid'::uuid, 'outlook.test', 'Outlook', :n), (:'sid'::uuid, 'yahoo.test', 'Yahoo', :n),
    (:'wid'::uuid, 'gmail.test', 'Gmail', :wg + 200), (:'wid'::uuid, 'outlook.test', 'Outlook', :wo + 200), (:'wid'::uuid, 'yahoo.test', 'Yahoo', :wy + 200)),
-- Both services' mail interleaved in due order (the claim takes a provider's due mail oldest first).
one AS (SELECT gen_random_uuid() AS id, p.sid, p.domain, p.provider, i, now() - interval '1 hour' + i * interval '1 ms' AS due
        FROM plan p, generate_series(1, p.n) AS i),
m AS (
    INSERT INTO delivery.messages (id, service_id, mail_from, size, data, received_at)
    SELECT id, sid, 'sender@customer.test', 80,
           convert_to(E'From: sender@customer.test\r\nSubject: run ' || i || E'\r\n\r\nHello.\r\n', 'UTF8'), now()
    FROM one)
INSERT INTO delivery.recipients (message_id, service_id, address, domain, provider, next_attempt_at, expires_at)
SELECT id, sid, 'reader' || i || '@' || domain, domain, provider, due, now() + interval '3 days' FROM one;
SQL

pid_b="(joins at $JOIN_AT s)"
start_b() {
  start_delivery Production "$root/services/Delivery/bin/Release/net10.0/Delivery.dll" "$run/delivery-b.log" "${replica_args[@]}"
  pid_b=${pids[-1]}
}
((JOIN_AT > 0)) || start_b
sleep 3 # replica A picks up the warm-up at its next state sync (every 2 s); B restored it at start
psql -c "UPDATE delivery.relay_accounts SET status = 'Active' WHERE service_id IN ('$service_id', '$warm_id')"
start=$(psql -c "SELECT extract(epoch FROM now())")
echo "== replicas: A pid $pid_a, B pid $pid_b; sending for $DURATION s, SIGKILL at $((DURATION / 2)) s; load: $(cut -d' ' -f1-3 /proc/loadavg)"
# Who holds each lane, every 2 s (a lease past its expiry counts as nobody's): the spread over time in the report.
( while true; do
    psql -F ',' -c "SELECT round(extract(epoch FROM now()) - $start), lane, provider, CASE WHEN expires_at >= now() THEN owner ELSE '' END
                    FROM delivery.lane_leases" >>"$run/owners.csv" 2>/dev/null || true
    sleep 2
  done ) &
pids+=($!)
sampler=$!
if ((JOIN_AT > 0)); then
  sleep "$JOIN_AT"
  start_b
  echo "== replica B (pid $pid_b) joined at $JOIN_AT s (serving from $(python3 -c "print(round($(date +%s.%N) - $start))") s)"
fi
sleep "$(python3 -c "print(max(0, $start + $DURATION // 2 - $(date +%s.%N)))")"

# The replica holding the most lanes dies without any chance to let them go.
psql -F ',' -c "SELECT lane, provider, owner FROM delivery.lane_leases ORDER BY 1, 2" >"$run/leases-before.csv"
held_a=$(grep -c "/$pid_a/" "$run/leases-before.csv" || true)
held_b=$(grep -c "/$pid_b/" "$run/leases-before.csv" || true)
if ((held_a >= held_b)); then victim=$pid_a survivor=$pid_b; else victim=$pid_b survivor=$pid_a; fi
kill -KILL "$victim"
killed_at=$(psql -c "SELECT extract(epoch FROM now())")
# What was claimed at the kill (the dead replica's batches, and the survivor's, which finish): followed to the end.
psql -c "CREATE TABLE public.in_flight_at_kill AS SELECT id FROM delivery.recipients WHERE status = 'Queued' AND claimed_until > now()"
echo "== killed pid $victim (held $(grep -c "/$victim/" "$run/leases-before.csv" || true) of $(wc -l <"$run/leases-before.csv") lanes); pid $survivor goes on"
sleep $((DURATION - DURATION / 2))
psql -c "UPDATE delivery.relay_accounts SET status = 'Suspended' WHERE service_id IN ('$service_id', '$warm_id')"
# Let every claim end (the survivor's batches finish; the dead replica's claims expire) before counting.
for _ in $(seq 1 60); do
  [[ $(psql -c "SELECT count(*) FROM delivery.recipients WHERE claimed_until > now()") == 0 ]] && break
  sleep 1
done
sleep 2
ended=$(psql -c "SELECT extract(epoch FROM now())")
stop_pid "$sampler"

curl -sf "http://127.0.0.1:$isp_http/counters" >"$run/counters.json" || die "FakeIsp counters unavailable"
psql -F ',' -c "SELECT lane, provider, owner, extract(epoch FROM acquired_at) FROM delivery.lane_leases ORDER BY 1, 2" >"$run/leases-after.csv"
psql -F ',' -c "
  SELECT source_ip, lower(provider), count(*) FILTER (WHERE status = 'Delivered'),
         coalesce(min(extract(epoch FROM completed_at)) FILTER (WHERE status = 'Delivered' AND completed_at > to_timestamp($killed_at)), 0),
         count(*) FILTER (WHERE status = 'Delivered' AND completed_at < to_timestamp($killed_at))
  FROM delivery.recipients WHERE source_ip IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2" >"$run/delivered.csv"
psql -F ',' -c "
  SELECT source_ip, lower(provider), count(*) FROM delivery.delivery_events WHERE event = 'deferred' GROUP BY 1, 2" >"$run/deferred.csv"
# When the deferrals came: the lanes learning their limits (the first 30 s), the take-over (30 s from the kill), the rest.
psql -F ',' -c "
  SELECT CASE WHEN occurred_at < to_timestamp($start + 30) THEN 'first 30 s'
              WHEN occurred_at >= to_timestamp($killed_at) AND occurred_at < to_timestamp($killed_at + 30) THEN '30 s from the kill'
              ELSE 'the rest' END, count(*)
  FROM delivery.delivery_events WHERE event = 'deferred' GROUP BY 1 ORDER BY 1" >"$run/deferred-when.csv"
# Every deferral with its lane and second of the run, to see which phase of the controller's learning paid for it.
psql -F ',' -c "
  SELECT round((extract(epoch FROM occurred_at) - $start)::numeric, 1), r.source_ip, lower(r.provider)
  FROM delivery.delivery_events e JOIN delivery.recipients r ON r.id = e.recipient_id
  WHERE e.event = 'deferred' ORDER BY 1" >"$run/deferrals.csv"
psql -F ',' -c "SELECT source_ip, provider, sent, reserved FROM delivery.ip_warmup_sends ORDER BY 1, 2" >"$run/warmup.csv"
psql -F ',' -c "
  SELECT (SELECT count(*) FROM delivery.recipients WHERE status = 'Delivered'),
         count(*), count(*) FILTER (WHERE r.status = 'Delivered'), count(*) FILTER (WHERE r.status = 'Queued'),
         count(*) FILTER (WHERE r.status NOT IN ('Delivered', 'Queued'))
  FROM public.in_flight_at_kill k JOIN delivery.recipients r USING (id)" >"$run/totals.csv"
echo
RUN=$run START=$start KILLED_AT=$killed_at ENDED=$ended DURATION=$DURATION VICTIM=$victim WARM_IP=$WARM_IP PID_A=$pid_a PID_B=$pid_b \
LIMITS="gmail=$GMAIL,outlook=$OUTLOOK,yahoo=$YAHOO" CAPS="gmail=$WARM_GMAIL,outlook=$WARM_OUTLOOK,yahoo=$WARM_YAHOO" python3 - <<'PY'
import csv, json, os
run = os.environ["RUN"]
rows = lambda name: list(csv.reader(open(os.path.join(run, name))))
limits = {k: int(v) for k, v in (p.split("=") for p in os.environ["LIMITS"].split(","))}
caps = {k: int(v) for k, v in (p.split("=") for p in os.environ["CAPS"].split(","))}
start, killed, ended = float(os.environ["START"]), float(os.environ["KILLED_AT"]), float(os.environ["ENDED"])
duration, warm_ip, victim = int(os.environ["DURATION"]), os.environ["WARM_IP"], os.environ["VICTIM"]
delivered = {(ip, p): (int(n), float(first)) for ip, p, n, first, _ in rows("delivered.csv")}
# Before the kill the share used is the controller's alone; over the run it includes the take-over gap of killed lanes.
before_kill = {(ip, p): int(n) for ip, p, _, _, n in rows("delivered.csv")}
deferred = {(ip, p): int(n) for ip, p, n in rows("deferred.csv")}
print(f"Run {duration} s; counted {ended - start - duration:.0f} s after it, once no claim was running")
print("| Provider | hidden limit/min | delivered from 127.0.0.1 | combined rate/min | of the limit | of the limit before the kill | deferred (relay) | deferral share |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for p, limit in limits.items():
    n = delivered.get(("127.0.0.1", p), (0, 0))[0]
    d = deferred.get(("127.0.0.1", p), 0)
    # Over the run's duration, as throttling-real-run.sh counts: the batches still out at its end add a little.
    early = before_kill.get(("127.0.0.1", p), 0) / (limit * (killed - start) / 60) * 100
    print(f"| {p} | {limit} | {n:,} | {n / duration * 60:.0f} | {n / (limit * duration / 60) * 100:.1f} % | {early:.1f} % | {d} | {d / (n + d) * 100 if n + d else 0:.2f} % |")
print("Deferrals (both IPs) by when: " + ", ".join(f"{when} {n}" for when, n in rows("deferred-when.csv")))
reserved = {(ip, p): int(r) for ip, p, _, r in rows("warmup.csv")}
# The cap counts sends (a deferred attempt used its send); a killed owner's unused reserved block is lost for the day.
print(f"\n| Provider | warming {warm_ip}: day-1 cap | reserved in ip_warmup_sends | sent (delivered + deferred) | delivered | deferred |")
print("|---|---:|---:|---:|---:|---:|")
for p, cap in caps.items():
    n, d = delivered.get((warm_ip, p), (0, 0))[0], deferred.get((warm_ip, p), 0)
    print(f"| {p} | {cap} | {reserved.get((warm_ip, p), 0):,} | {n + d:,} | {n:,} | {d} |")
before = [r for r in rows("leases-before.csv") if f"/{victim}/" in r[2]]
after = {(r[0], r[1]): (r[2], float(r[3])) for r in rows("leases-after.csv")}
print(f"\nThe killed replica's lanes (SIGKILL at {killed - start:.0f} s of the run):")
print("| Lane | taken over after | first delivery on the lane after the kill |")
print("|---|---:|---:|")
for lane, provider, _ in before:
    owner, acquired = after.get((lane, provider), ("", 0))
    first = delivered.get((lane, provider), (0, 0))[1]
    taken = f"{acquired - killed:.1f} s" if owner and f"/{victim}/" not in owner and acquired > killed else "not taken over"
    print(f"| {lane} x {provider} | {taken} | {f'{first - killed:.1f} s' if first else 'none'} |")
# Which replica held which lane over time: A and B by pid, "-" for nobody (free, or its lease expired).
names = {os.environ["PID_A"]: "A", os.environ["PID_B"]: "B"}
label = lambda owner: next((n for pid, n in names.items() if f"/{pid}/" in owner), "-" if not owner else "?")
held = {}
for t, lane, provider, owner in rows("owners.csv"):
    held.setdefault((lane, provider), {})[int(float(t))] = label(owner)
ticks = list(range(0, duration + 1, 10))
print(f"\nWho paced each lane (A pid {os.environ['PID_A']}, B pid {os.environ['PID_B']}; killed: {names.get(victim, victim)}), sampled every 2 s:")
print("| Lane | " + " | ".join(f"{t} s" for t in ticks) + " | owner changes |")
print("|---|" + "---|" * len(ticks) + "---:|")
for key in sorted(held):
    samples = held[key]
    at = lambda t: samples[min(samples, key=lambda s: abs(s - t))]
    # From one owner to another, across a gap without one (a take-over) or not (a hand-over).
    seq = [samples[s] for s in sorted(samples) if samples[s] != "-"]
    changes = sum(1 for a, b in zip(seq, seq[1:]) if a != b)
    print(f"| {key[0]} x {key[1]} | " + " | ".join(at(t) for t in ticks) + f" | {changes} |")
for t in (10, 30, 50):
    at_t = [v[min(v, key=lambda s: abs(s - t))] for v in held.values() if v]
    print(f"At {t} s: A paces {at_t.count('A')} lanes, B {at_t.count('B')}, nobody {at_t.count('-')}")
counters = json.load(open(os.path.join(run, "counters.json")))
isp_accepted = sum(c["accepted"] for c in counters)
relay_delivered, in_flight, then_delivered, then_queued, then_other = (int(x) for x in rows("totals.csv")[0])
print(f"\nISP accepted {isp_accepted:,}; relay delivered {relay_delivered:,}: delivered twice {isp_accepted - relay_delivered} "
      f"(at-least-once: in flight at the kill)")
print(f"Claimed at the kill (both replicas): {in_flight:,}; by the end delivered {then_delivered:,}, queued again (due since their "
      f"claim ended, behind older mail) {then_queued:,}, anything else (lost or bounced) {then_other:,}")
PY
