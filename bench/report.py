#!/usr/bin/python3
"""Summaries for bench/run.sh (python3 standard library only).

  report.py line                          one wrk result (JSON on stdin) -> one line
  report.py openloop                      agentsudo_open_loop's result (JSON on stdin)
                                          -> a run record shaped like wrk's
  report.py table RUNS.jsonl FACTS.json OUT.md
                                          the Markdown report, printed and written
                                          to OUT.md; exit 1 if the run is invalid
"""
import json
import os
import re
import statistics
import sys

# Targets of issue 2 ("Performance"), on this 2-core machine.
TARGET_INGEST_RATIO = 0.50
TARGET_INGEST_P99_MS = 10.0
TARGET_BATCH_EVENTS_S = 250_000
TARGET_RSS_MB = 100
# Targets of issue 8 ("Measured"): /v1/check at a fixed 10,000 checks/s.
TARGET_CHECK_RATE_P50_MS = 1.0
TARGET_CHECK_RATE_P99_MS = 5.0
# A measured run during which processes other than the target and wrk used
# more than this (% of one core) is flagged as disturbed.
OTHER_CPU_WARN_PCT = 25


def ms(us):
    return f"{us / 1000:.2f} ms"


def rate(x):
    return f"{x:,.0f}"


def open_loop_record(o):
    """The generator's result as a run record: ok_2xx counts every 2xx of the
    run, warm-up included, since each stored one event (durability)."""
    return {
        "label": o["label"], "path": o["path"], "events_per_request": 1,
        "requests": o["requests"], "ok_2xx": o["ok_2xx_total"], "ok_2xx_measured": o["ok_2xx"],
        "non_2xx": o["non_2xx"] + o["mismatched"], "mismatched": o["mismatched"],
        "socket_errors": o["socket_errors"], "reconnects": o["reconnects"],
        "duration_us": round(o["duration_s"] * 1e6), "rps": o["achieved_rps"],
        "target_rps": o["target_rps"], "events_per_s": o["achieved_rps"],
        "p50_us": o["p50_us"], "p90_us": o["p90_us"], "p99_us": o["p99_us"],
        "p999_us": o["p999_us"], "max_us": o["max_us"], "mean_us": o["mean_us"],
        "send_lag_p50_us": o["send_lag_p50_us"], "send_lag_p99_us": o["send_lag_p99_us"],
        "send_lag_max_us": o["send_lag_max_us"], "connections": o["connections"],
        "valid": o["valid"],
    }


def one_line(r):
    flag = "" if r["valid"] else "   <-- INVALID: {} non-2xx, {} socket errors".format(
        r["non_2xx"], r["socket_errors"])
    ev = ""
    if r["events_per_request"] > 1:
        ev = f" = {rate(r['events_per_s'])} events/s"
    rss = ""
    if "rss_hwm_kb" in r:
        rss = f", VmHWM {r['rss_hwm_kb'] / 1024:.1f} MB"
    cpu = ""
    if "cpu_target_pct" in r:
        cpu = (f", CPU% {r['target']} {r['cpu_target_pct']:.0f} wrk {r['cpu_wrk_pct']:.0f}"
               f" irq {r.get('cpu_irq_pct', 0):.0f} other {r['cpu_other_pct']:.0f}")
    if "target_rps" in r:
        ev = f" of {rate(r['target_rps'])} scheduled, send lag p99 {ms(r['send_lag_p99_us'])}"
    return (f"  {r['target']:6} {r['route']:6} {r['phase']:7} {rate(r['rps']):>9} req/s{ev}, "
            f"p50 {ms(r['p50_us'])}, p99 {ms(r['p99_us'])}{rss}{cpu}{flag}")


def cpu_us_per_request(r):
    if "cpu_target_s" not in r or not r["requests"]:
        return None
    return r["cpu_target_s"] * 1e6 / r["requests"]


def parse_metrics(path):
    """Prometheus text -> {(name, frozenset(labels)): value}; {} if unreadable."""
    out = {}
    try:
        text = open(path).read()
    except OSError:
        return out
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)', line)
        if not m:
            continue
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        try:
            out[(m.group(1), labels)] = float(m.group(4))
        except ValueError:
            pass
    return out


def metrics_notes(facts):
    before = parse_metrics(facts.get("metrics_before") or "")
    after = parse_metrics(facts.get("metrics_after") or "")
    if not after:
        return ["- `/metrics` could not be read after the load."]
    notes = []
    bad = []
    for (name, labels), v in sorted(after.items(), key=lambda kv: str(kv[0])):
        if name != "agentsudo_http_requests_total":
            continue
        lab = dict(labels)
        status = lab.get("status", lab.get("code", ""))
        delta = v - before.get((name, labels), 0.0)
        if delta > 0 and not status.startswith("2"):
            bad.append(f"{lab.get('route', '?')} {status}: {delta:,.0f}")
    if bad:
        notes.append("- **`/metrics` counted non-2xx answers during the benchmark:** " + "; ".join(bad))
    elif any(n == "agentsudo_http_requests_total" for n, _ in after):
        notes.append("- `/metrics`: no non-2xx answers counted during the benchmark.")

    def total(name):
        return sum(v for (n, _), v in after.items() if n == name)

    cnt, s = total("agentsudo_commit_batch_size_count"), total("agentsudo_commit_batch_size_sum")
    if cnt:
        notes.append(f"- Group commit: {cnt:,.0f} commits, {s / cnt:,.1f} events per commit on average "
                     "(`agentsudo_commit_batch_size`, whole server lifetime).")
    stored = total("agentsudo_events_stored_total")
    if stored:
        notes.append(f"- `agentsudo_events_stored_total` = {stored:,.0f}.")
    return notes


def table(runs_path, facts_path, out_path):
    runs = [json.loads(l) for l in open(runs_path) if l.strip()]
    facts = json.load(open(facts_path))
    problems = []

    for r in runs:
        v = cpu_us_per_request(r)
        if v is not None:
            r["cpu_us_per_req"] = v

    def med(target, route, key):
        xs = [r[key] for r in runs if r["target"] == target and r["route"] == route
              and r["phase"] == "measure" and key in r]
        return statistics.median(xs) if xs else None

    for r in runs:
        if not r["valid"]:
            problems.append(
                f"{r['target']} {r['route']} {r['phase']} run {r['run']}: {r['non_2xx']:,} non-2xx "
                f"of {r['requests']:,} responses, {r['socket_errors']:,} socket errors")

    have_server = any(r["target"] == "server" for r in runs)
    bs = facts["batch_size"]
    lines = []
    lines.append(f"## HTTP benchmark: agentsudo-server vs nginx ceiling ({facts['date']})")
    lines.append("")
    lines.append(f"{facts['host_cpus']} CPUs ({facts['cpu_model']}), wrk and the server share them; "
                 f"{facts['wrk']}; medians shown. nginx {facts['nginx']} answers a fixed 201 "
                 f"(`return 201`, 2 workers). Commit {facts['git']}.")
    lines.append("")

    def cell(target, route, key, fmt):
        v = med(target, route, key)
        return fmt(v) if v is not None else "—"

    def mark(ok):
        return "✅" if ok else "❌"

    srv = "server" if have_server else None
    lines.append("| | nginx (ceiling) | agentsudo-server | server / nginx | target |")
    lines.append("|---|---:|---:|---:|---|")
    n_rps, s_rps = med("nginx", "ingest", "rps"), med(srv, "ingest", "rps")
    ratio = f"{s_rps / n_rps:.2f}" if n_rps and s_rps is not None else "—"
    tgt = f"≥ {TARGET_INGEST_RATIO:.2f}× nginx"
    if n_rps and s_rps is not None:
        tgt += " " + mark(s_rps / n_rps >= TARGET_INGEST_RATIO)
    lines.append(f"| `POST /ingest-event` req/s | {cell('nginx', 'ingest', 'rps', rate)} | "
                 f"{cell(srv, 'ingest', 'rps', rate)} | {ratio} | {tgt} |")
    lines.append(f"| `/ingest-event` p50 | {cell('nginx', 'ingest', 'p50_us', ms)} | "
                 f"{cell(srv, 'ingest', 'p50_us', ms)} | | |")
    p99 = med(srv, "ingest", "p99_us")
    tgt = f"< {TARGET_INGEST_P99_MS:.0f} ms" + (" " + mark(p99 / 1000 < TARGET_INGEST_P99_MS) if p99 is not None else "")
    lines.append(f"| `/ingest-event` p99 | {cell('nginx', 'ingest', 'p99_us', ms)} | "
                 f"{cell(srv, 'ingest', 'p99_us', ms)} | | {tgt} |")
    n_b, s_b = med("nginx", "batch", "rps"), med(srv, "batch", "events_per_s")
    ratio = f"{s_b / (n_b * bs):.3f}" if n_b and s_b is not None else "—"
    tgt = f"≥ {TARGET_BATCH_EVENTS_S:,}" + (" " + mark(s_b >= TARGET_BATCH_EVENTS_S) if s_b is not None else "")
    lines.append(f"| `POST /api/events` ×{bs}, events/s | "
                 f"{rate(n_b * bs) + ' (req/s × ' + str(bs) + ')' if n_b else '—'} | "
                 f"{cell(srv, 'batch', 'events_per_s', rate)} | {ratio} | {tgt} |")
    lines.append(f"| `/api/events` req/s | {cell('nginx', 'batch', 'rps', rate)} | "
                 f"{cell(srv, 'batch', 'rps', rate)} | | |")
    lines.append(f"| `/api/events` p50 | {cell('nginx', 'batch', 'p50_us', ms)} | "
                 f"{cell(srv, 'batch', 'p50_us', ms)} | | |")
    lines.append(f"| `/api/events` p99 | {cell('nginx', 'batch', 'p99_us', ms)} | "
                 f"{cell(srv, 'batch', 'p99_us', ms)} | | |")
    def us(v):
        return f"{v:,.1f} µs"
    if med("nginx", "ingest", "cpu_us_per_req") is not None:
        lines.append(f"| `/ingest-event` CPU per request | {cell('nginx', 'ingest', 'cpu_us_per_req', us)} | "
                     f"{cell(srv, 'ingest', 'cpu_us_per_req', us)} | | |")
        lines.append(f"| `/api/events` CPU per event | "
                     f"{cell('nginx', 'batch', 'cpu_us_per_req', lambda v: us(v / bs))} | "
                     f"{cell(srv, 'batch', 'cpu_us_per_req', lambda v: us(v / bs))} | | |")
    if med("nginx", "check", "rps") is not None or med(srv, "check", "rps") is not None:
        n_c, s_c = med("nginx", "check", "rps"), med(srv, "check", "rps")
        ratio = f"{s_c / n_c:.2f}" if n_c and s_c is not None else "—"
        lines.append(f"| `POST /v1/check` req/s (wrk, closed loop) | {cell('nginx', 'check', 'rps', rate)} | "
                     f"{cell(srv, 'check', 'rps', rate)} | {ratio} | |")
        lines.append(f"| `/v1/check` p50 / p99 (wrk) | {cell('nginx', 'check', 'p50_us', ms)} / "
                     f"{cell('nginx', 'check', 'p99_us', ms)} | {cell(srv, 'check', 'p50_us', ms)} / "
                     f"{cell(srv, 'check', 'p99_us', ms)} | | |")
    if med("nginx", "check_rate", "p50_us") is not None or med(srv, "check_rate", "p50_us") is not None:
        cr = facts.get("check_rate", 0)
        lines.append(f"| `/v1/check` at {cr:,}/s: answered/s | {cell('nginx', 'check_rate', 'rps', rate)} | "
                     f"{cell(srv, 'check_rate', 'rps', rate)} | | |")
        for key, name, limit in (("p50_us", "p50", TARGET_CHECK_RATE_P50_MS),
                                 ("p99_us", "p99", TARGET_CHECK_RATE_P99_MS)):
            v = med(srv, "check_rate", key)
            tgt = f"< {limit:g} ms" + (" " + mark(v / 1000 < limit) if v is not None else "")
            if cr != 10_000:
                # The issue sets these targets at 10,000/s; at another rate they are a guide.
                tgt += " (set for 10,000/s)"
            lines.append(f"| `/v1/check` at {cr:,}/s: {name} (open loop) | {cell('nginx', 'check_rate', key, ms)} | "
                         f"{cell(srv, 'check_rate', key, ms)} | | {tgt} |")
        lines.append(f"| `/v1/check` at {cr:,}/s: p99.9 / max | {cell('nginx', 'check_rate', 'p999_us', ms)} / "
                     f"{cell('nginx', 'check_rate', 'max_us', ms)} | {cell(srv, 'check_rate', 'p999_us', ms)} / "
                     f"{cell(srv, 'check_rate', 'max_us', ms)} | | |")
        lines.append(f"| `/v1/check` at {cr:,}/s: generator's send lag p99 | "
                     f"{cell('nginx', 'check_rate', 'send_lag_p99_us', ms)} | "
                     f"{cell(srv, 'check_rate', 'send_lag_p99_us', ms)} | | |")
    hwm = facts.get("rss_hwm_kb")
    if hwm:
        mb = hwm / 1024
        lines.append(f"| server peak RSS (VmHWM) | | {mb:.1f} MB | | < {TARGET_RSS_MB} MB {mark(mb < TARGET_RSS_MB)} |")
    lines.append("")

    if any(r["route"] == "check_rate" for r in runs):
        lines.append(f"Fixed rate: `agentsudo_open_loop` sends {facts.get('check_rate', 0):,} checks/s "
                     f"over {facts.get('check_connections')} keep-alive connections (one schedule per "
                     f"connection, one request in flight each) for the measured seconds after "
                     f"{facts.get('open_loop_warmup_s')} s at the same rate; latency runs from each "
                     "request's *scheduled* send to its answer, so a late answer also delays the "
                     "requests queued behind it (no coordinated omission). Percentiles over every "
                     "request of a run, medians over the runs. *Send lag* is how late the generator "
                     "itself sent (waiting for a connection's previous answer, or for the CPU).")
        lines.append("")

    # Durability: rows in the database vs acknowledged events.
    if have_server:
        acked = facts.get("smoke_events", 0) + sum(
            r["ok_2xx"] * r["events_per_request"] for r in runs if r["target"] == "server")
        rows = facts.get("db_rows")
        if rows is None:
            problems.append("could not count the events in the database")
            lines.append(f"**Durability: could not count rows** (acknowledged events: {acked:,}).")
        else:
            ok = rows >= acked
            extra = rows - acked
            lines.append(
                f"Durability: after SIGTERM (exit status {facts.get('server_exit')}), "
                f"`{facts.get('db_file')}` holds **{rows:,}** events; the server acknowledged "
                f"**{acked:,}** (2xx answers × events per request, `/v1/check` answers and the "
                f"open-loop runs' warm-ups, warm-ups and smoke tests "
                f"included) {'✅' if ok else '❌ EVENTS MISSING'}; {extra:,} more rows than "
                "acknowledged (requests in flight when a load stopped or timed out, and the one "
                "`policy_changed` event of the policy set-up).")
            if not ok:
                problems.append(f"database holds {rows:,} events but {acked:,} were acknowledged")
        if facts.get("server_exit") not in (0, None):
            problems.append(f"server exited with status {facts['server_exit']} after SIGTERM (expected 0)")
        lines.append("")
        lines.extend(metrics_notes(facts))
        th = {}
        for item in (facts.get("server_threads") or "").split():
            name, _, cs = item.rpartition(":")
            th.setdefault(name, []).append(int(cs) / 100)
        if th:
            total = sum(sum(v) for v in th.values())
            parts = "; ".join(
                f"`{n}` ×{len(v)}: " + ", ".join(f"{x:,.1f}" for x in sorted(v, reverse=True)) + " s"
                for n, v in sorted(th.items(), key=lambda kv: -sum(kv[1])))
            lines.append(f"- Server CPU per thread over the whole run ({total:,.1f} s in all): {parts}.")
        lines.append("")

    busy = [r for r in runs if r["phase"] == "measure" and r.get("cpu_other_pct", 0) > OTHER_CPU_WARN_PCT]
    if busy:
        lines.append(f"> **Other work was running on the machine** during {len(busy)} measured run(s) "
                     f"(runs {', '.join(str(r['run']) for r in busy)}: "
                     f"{', '.join(str(round(r['cpu_other_pct'])) + '%' for r in busy)} of "
                     f"{facts['host_cpus'] * 100}% CPU used by neither the target nor wrk); "
                     "those figures understate both targets. Rerun on a quiet machine.")
        lines.append("")
    lines.append("CPU: % of one core over the run (200% = both cores); *irq* = interrupt time (loopback TCP "
                 "lands mostly there, charged to no process); *other* = the machine's busy time minus "
                 "irq, the target's and wrk's. CPU per request/event counts only the target's processes "
                 "(nginx workers; the server).")
    lines.append("")
    lines.append("<details><summary>Every run</summary>")
    lines.append("")
    lines.append("| # | target | route | phase | req/s | events/s | p50 | p99 | p99.9 | max | non-2xx | socket err "
                 "| CPU target | CPU wrk | CPU irq | CPU other | VmHWM |")
    lines.append("|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        hw = f"{r['rss_hwm_kb'] / 1024:.1f} MB" if "rss_hwm_kb" in r else ""
        lines.append(f"| {r['run']} | {r['target']} | {r['route']} | {r['phase']} | {rate(r['rps'])} | "
                     f"{rate(r['events_per_s'])} | {ms(r['p50_us'])} | {ms(r['p99_us'])} | "
                     f"{ms(r['p999_us'])} | {ms(r['max_us'])} | {r['non_2xx']:,} | "
                     f"{r['socket_errors']:,} | {r.get('cpu_target_pct', '')}% | {r.get('cpu_wrk_pct', '')}% | "
                     f"{r.get('cpu_irq_pct', '')}% | {r.get('cpu_other_pct', '')}% | {hw} |")
    lines.append("")
    lines.append("</details>")
    lines.append("")
    lines.append(f"Whole run: {facts.get('elapsed_s')} s; the machine was "
                 f"{facts.get('busy_before_pct', '?')}% busy in the 2 s before it started.")

    if problems:
        lines.insert(2, "")
        lines.insert(2, "\n".join(["> **⚠️ THIS BENCHMARK IS INVALID:**"] +
                                  [f"> - {p}" for p in problems]))
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with open(out_path, "w") as f:
        f.write(text)
    print()
    print(text)
    if problems:
        print("!" * 72, file=sys.stderr)
        print("bench: INVALID RUN:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        print("!" * 72, file=sys.stderr)
        return 1
    return 0


def main(argv):
    if len(argv) == 2 and argv[1] == "line":
        print(one_line(json.loads(sys.stdin.read())))
        return 0
    if len(argv) == 2 and argv[1] == "openloop":
        print(json.dumps(open_loop_record(json.loads(sys.stdin.read()))))
        return 0
    if len(argv) == 5 and argv[1] == "table":
        return table(argv[2], argv[3], argv[4])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
