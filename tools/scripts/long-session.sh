#!/usr/bin/env bash
# Long SMTP sessions against the relay (issue 15): Python's smtplib keeps ONE connection open and sends MESSAGES messages
# (default 2,000) spread over DURATION seconds (default 300), while a second connection sends one message whose DATA
# trickles in over SLOW seconds (default 190: longer than the 120 s after which SmtpServer used to cut every session).
# Delivery (built Release, its own PostgreSQL, no RabbitMQ) relays everything to Postfix's smtp-sink, which writes
# each message to a file. Passes when every message got 250, every one was delivered, and the sink holds each
# Message-ID exactly once (no loss, no duplicate). Prints the counts and the sessions' durations.
# smtplib could AUTH, but the test account's password hash would have to be made outside .NET: the relay runs in
# Development with Relay:TrustedClients:127.0.0.1=<service id> instead, as in relay-benchmark.sh.
# Everything started here is stopped on exit, by PID.
set -euo pipefail

MESSAGES=${MESSAGES:-2000}
DURATION=${DURATION:-300}
SLOW=${SLOW:-190}
source "$(dirname "$0")/lib.sh"
work=$root/.data/long-session
export PATH=$PATH:/usr/sbin

trap 'stop_pids' EXIT
fresh_dir "$work"
chmod 755 "$work"
mkdir -p "$work/sink"
chmod 777 "$work/sink"

sink_port=$(free_port)
smtp-sink -u nobody -d "$work/sink/%M." "127.0.0.1:$sink_port" 64 >"$work/sink.log" 2>&1 &
pids+=($!)
wait_port "$sink_port"

echo "== building services/Delivery (Release)"
dotnet build "$root/services/Delivery" -c Release -o "$work/delivery" -nologo -v q >"$work/build.log" 2>&1 || die "build failed: see $work/build.log"
start_postgres "$work"
service_id=$(cat /proc/sys/kernel/random/uuid)
start_delivery Development "$work/delivery/Delivery.dll" "$work/delivery.log" \
  "--Relay:TrustedClients:127.0.0.1=$service_id" "--Delivery:Routes:rcpt.long.test=127.0.0.1:$sink_port" "--Delivery:BypassThrottling=true"
psql -v sid="$service_id" <<'SQL'
INSERT INTO delivery.relay_accounts (service_id, order_id, username, source_ips, status, activated_at)
VALUES (:'sid', :'sid', 'svc-long', ARRAY['127.0.0.1'], 'Active', now());
INSERT INTO delivery.sending_domains (service_id, domain, source, added_at) VALUES (:'sid', 'sender.long.test', 'verified', now());
SQL

echo "== $MESSAGES messages over ${DURATION}s on one connection, and one message trickled over ${SLOW}s on another"
python3 - "$relay_port" "$MESSAGES" "$DURATION" "$SLOW" <<'PY'
import smtplib, sys, threading, time
port, count, duration, slow = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
results = {}

def message(subject, body="Sent on a long session.\r\n"):
    return (f"From: news@sender.long.test\r\nTo: reader@rcpt.long.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject}@sender.long.test>\r\nDate: Sat, 05 Dec 2026 12:00:00 +0000\r\n\r\n{body}")

def bulk():
    start = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port, timeout=600) as smtp:
        smtp.ehlo("bulk.long.test")
        for i in range(count):
            smtp.sendmail("news@sender.long.test", ["reader@rcpt.long.test"], message(f"bulk-{i}"))  # raises unless 250
            time.sleep(max(0.0, start + (i + 1) * duration / count - time.monotonic()))
    results["bulk"] = time.monotonic() - start

def trickle():
    start = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port, timeout=600) as smtp:
        smtp.ehlo("slow.long.test")
        smtp.mail("news@sender.long.test")
        smtp.rcpt("reader@rcpt.long.test")
        code, _ = smtp.docmd("DATA")
        assert code == 354, code
        data = message("slow-0", "".join(f"line {n} of a slow link\r\n" for n in range(400))).encode()
        pieces = 40
        for n in range(pieces):
            smtp.send(data[n * len(data) // pieces:(n + 1) * len(data) // pieces])
            time.sleep(slow / pieces)
        smtp.send(b"\r\n.\r\n")
        code, reply = smtp.getreply()
        assert code == 250, (code, reply)
    results["slow"] = time.monotonic() - start

threads = [threading.Thread(target=f) for f in (bulk, trickle)]
for t in threads: t.start()
for t in threads: t.join()
if set(results) != {"bulk", "slow"}:
    sys.exit(f"a session failed: only {sorted(results)} finished")
print(f"   bulk session: {count} x 250 in {results['bulk']:.0f} s on one connection; slow message: 250 after {results['slow']:.0f} s")
PY

expected=$((MESSAGES + 1))
deadline=$((SECONDS + 300))
until [[ $(psql -c "SELECT count(*) FROM delivery.recipients WHERE status = 'Delivered'") == "$expected" ]]; do
  ((SECONDS < deadline)) || die "not all delivered: $(psql -c "SELECT status, count(*) FROM delivery.recipients GROUP BY 1")"
  sleep 1
done
sleep 2  # the sink writes its file after answering
files=$(find "$work/sink" -type f | wc -l)
unique=$(grep -h -m1 -i '^Message-ID:' -r "$work/sink" | sort -u | wc -l)
echo "   accepted $expected, delivered $expected, sink files $files, distinct Message-IDs $unique"
((files == expected && unique == expected)) || die "expected $expected messages at the sink exactly once each"
echo "long-session: PASS"
