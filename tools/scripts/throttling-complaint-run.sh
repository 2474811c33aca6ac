#!/usr/bin/env bash
# Real-socket complaint proof (issue 16): does the controller slow down and pause a tenant whose list draws complaints
# BEFORE the ISP blocks its IP, while a clean tenant at the same ISP keeps its pace? Run as
#   tools/scripts/throttling-real-run.sh --complaints
# Three tenants, each with its own dedicated IP and hosted domain, send a queue that never runs dry to tools/FakeIsp's
# fake Gmail (hidden limit GMAIL/min per IP) through the real Delivery service (Release, its own PostgreSQL):
#   clean    managed,   CLEAN share of its mail complained about (a good list: 0.01 %)
#   dirty    managed,   DIRTY share (0.5 %)
#   control  unmanaged (no pacing, as without our controller), DIRTY share: shows the ISP's block is reachable in the run
# The fake ISP decides complaints per reader (a stable share per address), counts them against the sending IP at once
# and blocks the IP (Gmail's 421 4.7.0 "temporarily blocked") when they reach BLOCK_RATE of at least BLOCK_MINIMUM
# messages within the hour. It sends each complaint REPORT_DELAY seconds later as an ARF report (RFC 5965, the original
# attached) to abuse@ the envelope sender's domain (our VERP return path), at the MX it finds in DNS: a private
# PowerDNS holding "MX 10 mta1.<domain>" -> the tenant's IP, exactly the records Dns publishes; Delivery's inbound MX
# listens there (Inbound:DedicatedIpPort) and feeds what it matches to the controller. BOUNCES of every tenant's mail
# bounces late (an RFC 3464 DSN to the VERP return path) the same way.
# The script asks Delivery's API every second for each tenant's verdict at Gmail (GET /api/services/{id}/delivery) and
# prints: complaints at the ISP, reports sent, complaints matched by Delivery, when the dirty tenant was slowed down and
# paused (seconds after the ISP's first complaint), the ISP's blocks, and each tenant's pace before and after.
#   DURATION (300) s  GMAIL (900)/min  CLEAN (0.0001)  DIRTY (0.005)  BOUNCES (0.005)  REPORT_DELAY (30) s
#   BLOCK_RATE (0.003)  BLOCK_MINIMUM (2000)
# Everything started here is stopped on exit, by PID. Work files: .data/throttling-complaint-run/.
set -euo pipefail

DURATION=${DURATION:-300}
GMAIL=${GMAIL:-900}
CLEAN=${CLEAN:-0.0001}
DIRTY=${DIRTY:-0.005}
BOUNCES=${BOUNCES:-0.005}
REPORT_DELAY=${REPORT_DELAY:-30}
BLOCK_RATE=${BLOCK_RATE:-0.003}
BLOCK_MINIMUM=${BLOCK_MINIMUM:-2000}
source "$(dirname "$0")/lib.sh"
run=$root/.data/throttling-complaint-run

trap stop_pids EXIT
fresh_dir "$run"

build_delivery_and_fake_isp "$run"

start_postgres "$run"
start_pdns "$run"

# tenant name, dedicated IP, relay mode, complaint share
tenants=("clean 127.0.1.1 managed $CLEAN" "dirty 127.0.1.2 managed $DIRTY" "control 127.0.1.3 unmanaged $DIRTY")

echo "== publishing each tenant's MX in PowerDNS (MX 10 mta1.<domain>, mta1 -> the tenant's IP)"
for t in "${tenants[@]}"; do
  read -r name ip _ _ <<<"$t"
  zone="$name.test."
  curl -sf -H "X-API-Key: $pdns_key" -H 'Content-Type: application/json' "$pdns_api/zones" -d @- >/dev/null <<JSON || die "PowerDNS refused $zone"
{"name": "$zone", "kind": "Native", "nameservers": ["ns1.promta.local."], "rrsets": [
  {"name": "$zone", "type": "MX", "ttl": 60, "records": [{"content": "10 mta1.$zone", "disabled": false}]},
  {"name": "mta1.$zone", "type": "A", "ttl": 60, "records": [{"content": "$ip", "disabled": false}]}]}
JSON
done

mx_port=$(free_port)
isp_http=$(free_port)
senders=()
i=0
for t in "${tenants[@]}"; do
  read -r name _ _ share <<<"$t"
  senders+=("--FakeIsp:Senders:$i:Domain=$name.test" "--FakeIsp:Senders:$i:ComplaintRate=$share")
  i=$((i + 1))
done
dotnet "$root/tools/FakeIsp/bin/Release/net10.0/FakeIsp.dll" --urls "http://127.0.0.1:$isp_http" \
  "--FakeIsp:SmtpPort=$mx_port" "--FakeIsp:DnsResolver=127.0.0.1:$dns_port" "--FakeIsp:ReportMxPort=$mx_port" \
  "--FakeIsp:ReportDelay=$(date -u -d "@$REPORT_DELAY" +%T)" "--FakeIsp:AsyncBounceRate=$BOUNCES" \
  "--FakeIsp:ComplaintBlock:Rate=$BLOCK_RATE" "--FakeIsp:ComplaintBlock:MinimumMessages=$BLOCK_MINIMUM" "${senders[@]}" \
  --FakeIsp:Providers:0:Name=Gmail --FakeIsp:Providers:0:Domain=gmail.test --FakeIsp:Providers:0:Address=127.0.0.2 \
  "--FakeIsp:Providers:0:RateLimitPerMinute=$GMAIL" \
  "--FakeIsp:Providers:0:ThrottleReply=421 4.7.28 [127.0.0.1] Our system has detected an unusual rate of mail originating from your IP address." \
  >"$run/fake-isp.log" 2>&1 &
pids+=($!)
wait_port "$mx_port" 127.0.0.2

# Inbound:DedicatedIpPort: the inbound MX listens on every dedicated IP that a hosted domain's MX points at, on the fake
# ISPs' port (in production: port 25 of the same IPs). Delivery resolves through the same PowerDNS, so the DSNs it owes
# the tenants for late bounces reach their domains' MX (our inbound MX) as in the AppHost's local run; without a
# resolver every such lookup would wait for a DNS timeout.
start_delivery Production "$root/services/Delivery/bin/Release/net10.0/Delivery.dll" "$run/delivery.log" \
  "--Delivery:Routes:gmail.test=127.0.0.2:$mx_port" "--Delivery:Resolvers:0=127.0.0.1:$dns_port" \
  --Delivery:AllowInternalMxAddresses=true "--Delivery:MxPort=$mx_port" \
  --Delivery:RetryInitial=00:00:10 --Delivery:RetryMax=00:01:00 --Delivery:PollInterval=00:00:00.250 \
  "--Verp:SigningKey=$(random_secret 32)" "--Inbound:DedicatedIpPort=$mx_port" --Inbound:RefreshInterval=00:00:01 \
  --Inbound:Hostname=mx.promta.test

per_tenant=${PER_TENANT:-$((GMAIL * (DURATION / 60 + 2)))}
customer=$(cat /proc/sys/kernel/random/uuid)
echo "== queueing $per_tenant recipients per tenant, then activating the relays for $DURATION s"
for t in "${tenants[@]}"; do
  read -r name ip mode _ <<<"$t"
  psql -v sid="$(cat /proc/sys/kernel/random/uuid)" -v n="$per_tenant" -v name="$name" -v ip="$ip" -v mode="$mode" -v customer="$customer" <<'SQL'
INSERT INTO delivery.service_owners (service_id, customer_id, order_id) VALUES (:'sid', :'customer', :'sid');
INSERT INTO delivery.relay_accounts (service_id, order_id, username, source_ips, status, activated_at, relay_mode)
VALUES (:'sid', :'sid', 'svc-' || :'name', ARRAY[:'ip'], 'Suspended', now(), :'mode');
-- The tenant's own domain, verified: our MX receives its mail and its VERP return paths live there.
INSERT INTO delivery.sending_domains (service_id, domain, source, added_at) VALUES (:'sid', :'name' || '.test', 'verified', now());
WITH m AS (
    INSERT INTO delivery.messages (id, service_id, mail_from, size, data, received_at)
    SELECT gen_random_uuid(), :'sid', 'news@' || :'name' || '.test', 80,
           convert_to('From: news@' || :'name' || E'.test\r\nSubject: issue ' || i || E'\r\n\r\nHello.\r\n', 'UTF8'), now()
    FROM generate_series(1, :n) AS i
    RETURNING id)
INSERT INTO delivery.recipients (message_id, service_id, address, domain, provider, next_attempt_at, expires_at)
SELECT id, :'sid', :'name' || '-reader' || row_number() OVER () || '@gmail.test', 'gmail.test', 'Gmail', now(), now() + interval '3 days'
FROM m;
SQL
done
psql -c "UPDATE delivery.relay_accounts SET status = 'Active'"
start=$(psql -c "SELECT extract(epoch FROM now())")
psql -F ' ' -c "SELECT a.username, a.service_id FROM delivery.relay_accounts a ORDER BY a.username" >"$run/services.txt"

# Every second, each tenant's verdict at Gmail as the customer sees it (the gateway's signed caller header made here).
INTERNAL_SECRET=$internal_secret PORT=$http_port CUSTOMER=$customer DURATION=$DURATION SERVICES="$run/services.txt" python3 - >"$run/verdicts.jsonl" <<'PY'
import base64, hashlib, hmac, http.client, json, os, time, uuid
secret, port, customer = os.environ["INTERNAL_SECRET"], int(os.environ["PORT"]), uuid.UUID(os.environ["CUSTOMER"]).hex
payload = f"{customer}.customer.{int(time.time()) + 24 * 3600}"
signature = base64.urlsafe_b64encode(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()).decode().rstrip("=")
headers = {"X-ProMTA-Caller": f"{payload}.{signature}"}
services = [line.split() for line in open(os.environ["SERVICES"]) if line.strip()]
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
end = time.time() + int(os.environ["DURATION"])
while time.time() < end:
    tick = time.time()
    for username, service in services:
        try:
            connection.request("GET", f"/api/services/{service}/delivery", headers=headers)
            body = json.loads(connection.getresponse().read())
        except (OSError, http.client.HTTPException, ValueError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        gmail = next((p for p in body["providers"] if p["provider"] == "Gmail"), None)
        if gmail:
            reputation = gmail.get("reputation") or {}
            print(json.dumps({"t": tick, "tenant": username[4:], "verdict": reputation.get("verdict"), "complaintRate": reputation.get("complaintRate"),
                              "state": gmail["state"], "rate": gmail["currentRateLimit"], "sent": gmail["sent"]}), flush=True)
    time.sleep(max(0, 1 - (time.time() - tick)))
PY
psql -c "UPDATE delivery.relay_accounts SET status = 'Suspended'"
# Reports of the last messages are still on their way: wait for them so the counts compare.
sleep $((REPORT_DELAY + 5))

curl -sf "http://127.0.0.1:$isp_http/senders" >"$run/senders.json" || die "FakeIsp senders unavailable"
curl -sf "http://127.0.0.1:$isp_http/blocks" >"$run/blocks.json" || die "FakeIsp blocks unavailable"
curl -sf "http://127.0.0.1:$isp_http/reports" >"$run/reports.json" || die "FakeIsp reports unavailable"
psql -F ',' -c "
  SELECT substr(a.username, 5),
         (SELECT count(*) FROM delivery.inbound_messages i WHERE i.service_id = a.service_id AND i.kind = 'arf'),
         (SELECT count(*) FROM delivery.delivery_events e WHERE e.service_id = a.service_id AND e.event = 'complained'),
         (SELECT coalesce(extract(epoch FROM min(e.occurred_at)), 0) FROM delivery.delivery_events e WHERE e.service_id = a.service_id AND e.event = 'complained'),
         (SELECT count(*) FROM delivery.inbound_messages i WHERE i.service_id = a.service_id AND i.kind = 'dsn'),
         (SELECT count(*) FROM delivery.recipients r WHERE r.service_id = a.service_id AND r.last_reply LIKE '%(reported after delivery)'),
         (SELECT count(*) FROM delivery.suppressions s WHERE s.service_id = a.service_id)
  FROM delivery.relay_accounts a ORDER BY 1" >"$run/delivery.csv"
psql -F ',' -c "
  SELECT substr(a.username, 5), floor(extract(epoch FROM e.occurred_at) - $start)::int, count(*)
  FROM delivery.delivery_events e JOIN delivery.relay_accounts a USING (service_id)
  WHERE e.event = 'delivered' GROUP BY 1, 2 ORDER BY 1, 2" >"$run/delivered.csv"
echo
RUN=$run START=$start DURATION=$DURATION GMAIL=$GMAIL REPORT_DELAY=$REPORT_DELAY BLOCK_RATE=$BLOCK_RATE BLOCK_MINIMUM=$BLOCK_MINIMUM python3 "$root/tools/scripts/throttling-complaint-table.py"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg). Work files: $run"
