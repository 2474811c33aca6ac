#!/usr/bin/env bash
# Message search at scale: GET /api/services/{id}/messages against EVENTS delivery events (default 10,000,000).
# Publishes services/Delivery (Release), starts it on a private PostgreSQL (its migrations create the schema), seeds
# 100 services with EVENTS/6 messages of two recipients each, three events per recipient (accepted, deferred with the
# reply and source IP, delivered), spread over the last 6 days, then times QUERIES sequential requests of each kind
# over HTTP (keep-alive, the gateway's signed caller header made here): by recipient address, by queue id, the newest
# page of the default 7-day window, and page 20 of it. Prints p50/p95/p99/max per kind and the machine's load.
#   EVENTS (default 10000000)  QUERIES per kind (default 1000)
# Everything started here is stopped on exit, by PID.
set -euo pipefail

EVENTS=${EVENTS:-10000000}
QUERIES=${QUERIES:-1000}
source "$(dirname "$0")/lib.sh"
bench=$root/.data/message-search-bench
trap 'stop_pids' EXIT
fresh_dir "$bench"

echo "== publishing services/Delivery (Release)"
dotnet publish "$root/services/Delivery" -c Release -o "$bench/delivery" -nologo -v q >"$bench/build.log" 2>&1 || die "publish failed: see $bench/build.log"
start_postgres "$bench"
start_delivery Production "$bench/delivery/Delivery.dll" "$bench/delivery.log" --Inbound:Port=0 --Inbound:DedicatedIpPort=0
wait_port "$http_port"
for _ in $(seq 1 300); do [[ $(psql -c "SELECT to_regclass('delivery.webhooks') IS NOT NULL") == t ]] && break; sleep 0.2; done

messages=$((EVENTS / 6))
customer=00000000-0000-0000-0000-0000000000c1
echo "== seeding $messages messages, $((messages * 2)) recipients, $((messages * 6)) events"
seed_start=$(date +%s)
psql -v messages="$messages" -v customer="$customer" <<'SQL'
SET search_path = delivery;
INSERT INTO service_owners (service_id, customer_id, order_id)
SELECT ('00000000-0000-0000-0000-' || lpad(to_hex(s), 12, '0'))::uuid, :'customer', gen_random_uuid() FROM generate_series(1, 100) s;
INSERT INTO relay_accounts (service_id, order_id, username, source_ips, status, activated_at)
SELECT service_id, order_id, 'svc-bench-' || service_id, ARRAY['203.0.113.' || (row_number() OVER ())::text], 'Active', now() FROM service_owners;
-- Message i belongs to service i % 100; its id is i in hex, so the client can pick real ids without asking.
INSERT INTO messages (id, service_id, mail_from, size, data, received_at)
SELECT lpad(to_hex(i), 32, '0')::uuid, ('00000000-0000-0000-0000-' || lpad(to_hex(i % 100 + 1), 12, '0'))::uuid,
       'news@sender.bench.test', 2048, '\x00'::bytea, now() - (:messages - i) * interval '6 days' / :messages
FROM generate_series(1, :messages) i;
-- Recipient addresses repeat (500,000 distinct), as a list mailed every few days does.
INSERT INTO recipients (id, message_id, service_id, address, domain, provider, status, attempts, deferrals, next_attempt_at, expires_at,
                        last_attempt_at, last_reply, source_ip, completed_at)
SELECT i * 2 + n, lpad(to_hex(i), 32, '0')::uuid, ('00000000-0000-0000-0000-' || lpad(to_hex(i % 100 + 1), 12, '0'))::uuid,
       'r' || ((i * 2 + n) % 500000) || '@gmail.test', 'gmail.test', 'Gmail', 'Delivered', 2, 1, at, at + interval '5 days',
       at + interval '2 minutes', '250 2.0.0 OK', '203.0.113.1', at + interval '2 minutes'
FROM generate_series(1, :messages) i CROSS JOIN generate_series(0, 1) n
CROSS JOIN LATERAL (SELECT now() - (:messages - i) * interval '6 days' / :messages AS at) t;
DO $$ BEGIN PERFORM setval('recipients_id_seq', (SELECT max(id) FROM recipients)); END $$;
INSERT INTO delivery_events (service_id, message_id, recipient_id, recipient, provider, event, reply, source_ip, occurred_at)
SELECT r.service_id, r.message_id, r.id, r.address, r.provider, e.event, e.reply, '203.0.113.1', r.next_attempt_at + e.after
FROM recipients r CROSS JOIN (VALUES ('accepted', NULL, interval '0'), ('deferred', '451 4.7.1 Try again later', interval '1 minute'),
                                     ('delivered', '250 2.0.0 OK', interval '2 minutes')) e (event, reply, after);
ANALYZE;
SQL
echo "seeded in $(($(date +%s) - seed_start)) s: $(psql -c 'SELECT count(*) FROM delivery.delivery_events') events"

echo "== $QUERIES requests of each kind, one at a time"
INTERNAL_SECRET=$internal_secret PORT=$http_port CUSTOMER=$customer MESSAGES=$messages QUERIES=$QUERIES python3 - <<'PY'
import base64, hashlib, hmac, http.client, json, os, random, time, uuid
secret, port, customer = os.environ["INTERNAL_SECRET"], int(os.environ["PORT"]), uuid.UUID(os.environ["CUSTOMER"]).hex
messages, queries = int(os.environ["MESSAGES"]), int(os.environ["QUERIES"])
payload = f"{customer}.customer.{int(time.time()) + 24 * 3600}"
signature = base64.urlsafe_b64encode(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()).decode().rstrip("=")
headers = {"X-ProMTA-Caller": f"{payload}.{signature}"}
connection = http.client.HTTPConnection("127.0.0.1", port)
service = lambda i: f"00000000-0000-0000-0000-{i % 100 + 1:012x}"
def by_recipient():
    i = random.randint(1, messages)
    return f"/api/services/{service(i)}/messages?recipient=r{(i * 2) % 500000}@gmail.test"
def by_id():
    i = random.randint(1, messages)
    return f"/api/services/{service(i)}/messages?messageId={i:032x}"
kinds = {
    "recipient": by_recipient,
    "messageId": by_id,
    "newest page (7-day window)": lambda: f"/api/services/{service(random.randint(0, 99))}/messages",
    "page 20 (7-day window)": lambda: f"/api/services/{service(random.randint(0, 99))}/messages?page=20",
}
print(f"{'query':<28} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'found':>6}")
for name, path in kinds.items():
    for _ in range(20):  # warm-up: JIT, connection, plans
        connection.request("GET", path(), headers=headers); connection.getresponse().read()
    times, found = [], 0
    for _ in range(queries):
        started = time.perf_counter()
        connection.request("GET", path(), headers=headers)
        response = connection.getresponse()
        body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        if response.status != 200: raise SystemExit(f"{name}: HTTP {response.status} {body[:200]!r}")
        found += bool(json.loads(body)["items"])
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(len(times) * p))]
    print(f"{name:<28} {q(0.50):8.1f} {q(0.95):8.1f} {q(0.99):8.1f} {times[-1]:8.1f} {found * 100 // queries:5d}%")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
