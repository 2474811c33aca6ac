#!/usr/bin/env bash
# Transactional latency under a bulk drain (issue 19 step 5): the Delivery service (Release, paced as in production, its
# own PostgreSQL) drains N bulk messages to one provider (tools/FakeIsp's Gmail MX on 127.0.0.2) while a client submits
# one transactional message (X-ProMTA-Stream: transactional) every second through the relay. Prints, for the
# transactional messages, accept -> delivered p50/p99/max (accept: the relay's 250 at the client; delivered: the
# recipient's completed_at, written after the MX's 250), and the bulk drain rate.
#   N (default 20000; N=2000 for a quick run) bulk messages, queued by SQL before the relay account is activated
#   RATE (default 6000) messages per minute the Gmail lane starts at (the provider table's startRatePerMinute, given to
#        the service as an operator does: Delivery:Throttling:Tables:Providers); 6000 is Gmail's ceiling
#   ISP_LIMIT (default 0: none) the fake MX's hidden limit per minute;  TIMEOUT (default 1800) seconds for the drain
# The transactional client is trusted like relay-benchmark.sh's (Relay:TrustedClients, Development only): no AUTH, so
# the header marks the stream. Everything started here is stopped on exit, by PID.
set -euo pipefail

N=${N:-20000}
RATE=${RATE:-6000}
ISP_LIMIT=${ISP_LIMIT:-0}
TIMEOUT=${TIMEOUT:-1800}
source "$(dirname "$0")/lib.sh"
run=$root/.data/transactional-latency

trap stop_pids EXIT
fresh_dir "$run"
echo "== load before: $(uptime)"

build_delivery_and_fake_isp "$run"

start_postgres "$run"

mx_port=$(free_port)
isp_http=$(free_port)
dotnet "$root/tools/FakeIsp/bin/Release/net10.0/FakeIsp.dll" --urls "http://127.0.0.1:$isp_http" "--FakeIsp:SmtpPort=$mx_port" \
  --FakeIsp:Providers:0:Name=Gmail --FakeIsp:Providers:0:Domain=gmail.test --FakeIsp:Providers:0:Address=127.0.0.2 \
  "--FakeIsp:Providers:0:RateLimitPerMinute=$ISP_LIMIT" >"$run/fake-isp.log" 2>&1 &
pids+=($!)
wait_port "$mx_port" 127.0.0.2

# The shipped provider table with the Gmail lane starting at RATE: a lane that has learned its pace, as a steady
# sender's has (a fresh lane starts at 300 a minute and would take an hour over 20,000).
providers=$run/providers.json
RATE=$RATE python3 - "$root/libs/MailPolicy/Data/providers.json" "$providers" <<'PY'
import json, os, sys
table = json.load(open(sys.argv[1]))
for p in table["providers"]:
    if p["name"] == "gmail":
        p["startRatePerMinute"] = int(os.environ["RATE"])
        p["ceilingRatePerMinute"] = max(p["ceilingRatePerMinute"], int(os.environ["RATE"]))
json.dump(table, open(sys.argv[2], "w"))
PY

service_id=$(cat /proc/sys/kernel/random/uuid)
start_delivery Development "$root/services/Delivery/bin/Release/net10.0/Delivery.dll" "$run/delivery.log" \
  "--Delivery:Routes:gmail.test=127.0.0.2:$mx_port" "--Delivery:Throttling:Tables:Providers=$providers" \
  "--Relay:TrustedClients:127.0.0.1=$service_id"

echo "== queueing $N bulk messages to gmail.test"
psql -v sid="$service_id" -v n="$N" <<'SQL'
INSERT INTO delivery.relay_accounts (service_id, order_id, username, source_ips, status, activated_at)
VALUES (:'sid', :'sid', 'svc-transactional-latency', ARRAY['127.0.0.1'], 'Suspended', now());
INSERT INTO delivery.sending_domains (service_id, domain, source, added_at) VALUES (:'sid', 'customer.test', 'verified', now());
WITH m AS (
    INSERT INTO delivery.messages (id, service_id, mail_from, size, data, received_at)
    SELECT gen_random_uuid(), :'sid', 'news@customer.test', 2048,
           convert_to(E'From: news@customer.test\r\nSubject: campaign ' || i || E'\r\n\r\n' || repeat(E'Bulk text of the campaign, one line of many.\r\n', 45), 'UTF8'), now()
    FROM generate_series(1, :n) AS i
    RETURNING id)
INSERT INTO delivery.recipients (message_id, service_id, address, domain, provider, next_attempt_at, expires_at)
SELECT id, :'sid', 'reader' || row_number() OVER () || '@gmail.test', 'gmail.test', 'Gmail', now(), now() + interval '3 days' FROM m;
UPDATE delivery.relay_accounts SET status = 'Active' WHERE service_id = :'sid';
SQL
start=$(psql -c "SELECT extract(epoch FROM now())")

echo "== one transactional message a second until the bulk drain ends"
PSQL="$pg_bin/psql" PGPASSWORD=$pg_password PG_PORT=$pg_port RELAY_PORT=$relay_port N=$N TIMEOUT=$TIMEOUT START=$start \
  python3 - >"$run/accepted.csv" <<'PY'
import os, smtplib, subprocess, sys, time
def sql(q):
    return subprocess.run([os.environ["PSQL"], "-h", "127.0.0.1", "-p", os.environ["PG_PORT"], "-U", "postgres", "-d", "promta",
                           "-XAtq", "-c", q], check=True, capture_output=True, text=True).stdout.strip()
n, deadline = int(os.environ["N"]), float(os.environ["START"]) + int(os.environ["TIMEOUT"])
i = 0
while True:
    tick = time.time()
    i += 1
    client = smtplib.SMTP("127.0.0.1", int(os.environ["RELAY_PORT"]), timeout=30)
    client.ehlo("app.customer.test")
    client.mail("app@customer.test")
    client.rcpt(f"reset{i}@gmail.test")
    code, reply = client.data(f"From: app@customer.test\r\nTo: reset{i}@gmail.test\r\nSubject: Your reset link {i}\r\n"
                              f"X-ProMTA-Stream: transactional\r\n\r\nhttps://app.customer.test/reset/{i}\r\n".encode())
    accepted = time.time()
    client.quit()
    if code != 250: sys.exit(f"transactional message {i} refused: {code} {reply}")
    print(f"{reply.decode().split('queued as ')[1].strip()},{accepted:.6f}", flush=True)
    if int(sql("SELECT count(*) FROM delivery.recipients WHERE stream = 'bulk' AND status = 'Delivered'")) >= n: break
    if time.time() > deadline: sys.exit(f"the bulk drain did not end within {os.environ['TIMEOUT']} s")
    time.sleep(max(0, 1 - (time.time() - tick)))
PY
sent=$(wc -l <"$run/accepted.csv")
for _ in $(seq 1 300); do
  done_count=$(psql -c "SELECT count(*) FROM delivery.recipients WHERE stream = 'transactional' AND status <> 'Queued'")
  ((done_count >= sent)) && break
  sleep 0.2
done
echo "== load after: $(uptime)"
psql -F ',' -c "
  SELECT replace(m.id::text, '-', ''), r.status, extract(epoch FROM r.completed_at)
  FROM delivery.recipients r JOIN delivery.messages m ON m.id = r.message_id WHERE r.stream = 'transactional'" >"$run/delivered.csv"
bulk=$(psql -F ',' -c "
  SELECT count(*) FILTER (WHERE status = 'Delivered'), extract(epoch FROM max(completed_at)), coalesce(sum(deferrals), 0)
  FROM delivery.recipients WHERE stream = 'bulk'")

RUN=$run N=$N START=$start BULK=$bulk RATE=$RATE python3 - <<'PY'
import csv, math, os
run = os.environ["RUN"]
accepted = {qid: float(t) for qid, t in csv.reader(open(os.path.join(run, "accepted.csv")))}
latencies, undelivered = [], 0
for qid, status, completed in csv.reader(open(os.path.join(run, "delivered.csv"))):
    if status != "Delivered" or not completed: undelivered += 1; continue
    latencies.append(float(completed) - accepted[qid])
latencies.sort()
def pct(p): return latencies[max(0, math.ceil(p / 100 * len(latencies)) - 1)]  # nearest rank
delivered, last, deferrals = os.environ["BULK"].split(",")
drain = float(last) - float(os.environ["START"])
print()
print(f"| bulk messages | lane start rate/min | bulk drained in | bulk delivered/s | bulk deferrals | transactional sent | p50 | p99 | max |")
print("|---|---|---|---|---|---|---|---|---|")
print(f"| {int(delivered):,} | {int(os.environ['RATE']):,} | {drain:.1f} s | {int(delivered) / drain:,.0f} | {deferrals} | {len(latencies)} (+{undelivered} not delivered) "
      f"| {pct(50):.3f} s | {pct(99):.3f} s | {latencies[-1]:.3f} s |")
PY
