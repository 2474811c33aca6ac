"""Prints the table of tools/scripts/throttling-complaint-run.sh from the files it collected in $RUN (not run alone)."""
import csv
import json
import os
from datetime import datetime

run, start, duration = os.environ["RUN"], float(os.environ["START"]), int(os.environ["DURATION"])
gmail = int(os.environ["GMAIL"])


def load(name):
    return json.load(open(os.path.join(run, name)))


def rel(iso):
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() - start if iso else None


tenants = {"clean": "127.0.1.1", "dirty": "127.0.1.2", "control": "127.0.1.3"}
isp = {s["domain"].split(".")[0]: s for p in load("senders.json") for s in p["senders"] if s["domain"]}
blocks = [b for p in load("blocks.json") for b in p["blocks"]]
reports = load("reports.json")
seen = {row[0]: row for row in csv.reader(open(os.path.join(run, "delivery.csv")))}
delivered = {}
for tenant, second, n in csv.reader(open(os.path.join(run, "delivered.csv"))):
    delivered.setdefault(tenant, {})[int(second)] = int(n)
verdicts = {}
for line in open(os.path.join(run, "verdicts.jsonl")):
    v = json.loads(line)
    verdicts.setdefault(v["tenant"], []).append(v)


def first(tenant, verdict_set):
    return next((v["t"] - start for v in verdicts.get(tenant, []) if v["verdict"] in verdict_set), None)


def per_minute(tenant, begin, end):
    if end <= begin:
        return None
    return sum(n for s, n in delivered.get(tenant, {}).items() if begin <= s < end) * 60 / (end - begin)


def secs(value):
    return "-" if value is None else f"{value:.0f} s"


dirty_paused = first("dirty", {"Suspended"})
split = dirty_paused if dirty_paused is not None else duration / 2
print(f"Fake Gmail: hidden limit {gmail}/min per IP; blocks an IP at {os.environ.get('BLOCK_RATE', '0.003')} complaints over "
      f">= {os.environ.get('BLOCK_MINIMUM', '2000')} messages in the hour; reports {os.environ['REPORT_DELAY']} s after delivery. "
      f"Reports sent by the ISP: {reports['sent']} (given up: {reports['failed']}). Times are seconds after the relays went live.")
print()
print("| Tenant (IP, relay mode) | delivered | complaints: at the ISP / seen by our MX / matched | late bounces: ISP / matched "
      "| first complaint at the ISP | slowed down | paused at Gmail | delivered before the pause | ISP block | pace per min: before / after the dirty tenant's pause |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for tenant, ip in tenants.items():
    s = isp.get(tenant, {})
    row = seen.get(tenant, [tenant, 0, 0, 0, 0, 0, 0])
    first_complaint = rel(s.get("firstComplaintAt"))
    slowed, paused = first(tenant, {"SlowedDown", "Suspended"}), first(tenant, {"Suspended"})
    if tenant == "control":
        slowed = paused = None  # unmanaged: the verdict is computed (the API shows it) but nothing holds its mail back

    def after_first(t):
        if t is None:
            return "- (unmanaged)" if tenant == "control" else "-"
        return f"{t:.0f} s" + (f" (+{t - first_complaint:.0f} s)" if first_complaint is not None else "")

    blocked = [b for b in blocks if b["sourceIp"] == ip]
    block = "never" if not blocked else f"at {rel(blocked[0]['at']):.0f} s ({blocked[0]['complaints']} of {blocked[0]['messages']:,}); {s.get('refusedWhileBlocked', 0):,} refused"
    before_pause = sum(n for sec, n in delivered.get(tenant, {}).items() if paused is not None and sec < paused)
    mode = "unmanaged" if tenant == "control" else "managed"
    before, after = per_minute(tenant, max(30, split - 120), split), per_minute(tenant, split, duration)
    pace = f"{before:.0f} / {after:.0f}" if before is not None and after is not None else "-"
    print(f"| {tenant} ({ip}, {mode}) | {sum(delivered.get(tenant, {}).values()):,} | {s.get('complaints', 0)} / {row[1]} / {row[2]} "
          f"| {s.get('asyncBounces', 0)} / {row[5]} | {secs(first_complaint)} | {after_first(slowed)} | {after_first(paused)} "
          f"| {f'{before_pause:,}' if paused is not None else '-'} | {block} | {pace} |")
with open(os.path.join(run, "timeline.txt"), "w") as out:
    out.write("second, delivered per 10 s: clean dirty control, the dirty tenant's verdict at the end of the 10 s\n")
    for t in range(0, duration, 10):
        counts = [sum(delivered.get(x, {}).get(s, 0) for s in range(t, t + 10)) for x in tenants]
        verdict = next((v["verdict"] for v in reversed(verdicts.get("dirty", [])) if v["t"] - start < t + 10), None)
        out.write(f"{t:4d} {counts[0]:5d} {counts[1]:5d} {counts[2]:5d}   {verdict}\n")
print(f"\nPer 10 s: {os.path.join(run, 'timeline.txt')}")
