#!/usr/bin/env bash
# What one record write costs PowerDNS as its zone grows, with and without its rectify after API writes (docs/scale.md,
# "20,000 zones, and what grew faster than the fleet"). For each mode: a private PowerDNS (eng/native/pdns.sh, SQLite),
# one zone created with api_rectify true or false, filled to 10, 1,000, 5,000 and 20,000 A records in bulk PATCHes,
# and at each size ten single-record PATCHes timed (median, min, max), like the Dns service's write of one dedicated IP into the host zone.
# Usage: tools/scripts/powerdns-write-benchmark.sh      Everything started here is stopped on exit, by PID.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench=$root/.data/powerdns-write-bench
trap 'stop_pids' EXIT

echo "== PowerDNS $(pdns_server --version 2>&1 | grep -o 'Authoritative Server [0-9.]*') on $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for rectify in true false; do
  fresh_dir "$bench"
  start_pdns "$bench"
  echo "-- api_rectify $rectify"
  PDNS_API=$pdns_api PDNS_KEY=$pdns_key RECTIFY=$rectify python3 - <<'PY'
import json, os, statistics, time, urllib.request

api, key, rectify = os.environ["PDNS_API"], os.environ["PDNS_KEY"], os.environ["RECTIFY"] == "true"
zone = "host.bench."

def call(method, path, body=None):
    request = urllib.request.Request(api + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"X-API-Key": key, "Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        response.read()
    return (time.perf_counter() - started) * 1000

def rrset(i):
    return {"name": f"ip{i}.{zone}", "type": "A", "ttl": 300, "changetype": "REPLACE",
            "records": [{"content": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}", "disabled": False}]}

call("POST", "/zones", {"name": zone, "kind": "Native", "nameservers": [f"ns1.{zone}"], "soa_edit_api": "DEFAULT",
                        "api_rectify": rectify})
records = 0
print("| records in the zone | one-record PATCH median ms | min | max |\n|---|---|---|---|")
for size in (10, 1000, 5000, 20000):
    while records < size:  # bulk, under PowerDNS's 2 MB request limit
        upto = min(size, records + 4000)
        call("PATCH", f"/zones/{zone}", {"rrsets": [rrset(i) for i in range(records, upto)]})
        records = upto
    # Named apart from the bulk records, and counted in the zone's size.
    times = [call("PATCH", f"/zones/{zone}", {"rrsets": [rrset(1_000_000 + size * 10 + j)]}) for j in range(10)]
    records += 10
    print(f"| {size} | {statistics.median(times):.1f} | {min(times):.1f} | {max(times):.1f} |")
PY
  stop_pids
done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
