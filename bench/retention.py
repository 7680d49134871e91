#!/usr/bin/env python3
"""Ingestion while retention removes a month of events (`make bench`).

    bench/retention.py BUILD_DIR

For each store (SQLite in a data directory; PostgreSQL in a private cluster
started here): seeds BENCH_RETENTION_EVENTS events (default 3,000,000) over
31 days into a project with `seed-demo`, makes a second project that clients
write to, and starts one server. Then, with wrk posting batches of 100 to
/api/events into the second project:

  before   wrk alone
  sweeping the seeded project's retention set to 1 day and the other's to 7
           (so that on PostgreSQL every old day partition can go whole), then
           `agentsudo-server retention run` started 1 s into the run: the
           same pass the server's own sweeper makes, in a second process
  after    wrk alone again

Prints events/s and p99 of each run, the pass's own time and what it removed,
writes the table to bench/results/retention.md, and exits non-zero when a
response was not 2xx, the pass failed, or a second pass still finds events
to remove.

Knobs: BENCH_RETENTION_EVENTS, BENCH_DURATION=10 (seconds per wrk run).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))
sys.path.insert(0, str(BENCH))

import postgres_cluster  # noqa: E402
from http_nodes import Node, cli_json, run_wrk, unlimited_project_key  # noqa: E402

EVENTS = int(os.environ.get("BENCH_RETENTION_EVENTS", "3000000"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
DAYS = 31


def log(message: str) -> None:
    print(f"bench-retention: {message}", file=sys.stderr, flush=True)


def sweep_during_run(server: Path, store: list[str], url: str, key: str) -> tuple[dict, dict, float]:
    """wrk for DURATION s with a retention pass started 1 s in; returns wrk's
    result, the pass's JSON and its wall time."""
    outcome: dict = {}

    def sweep():
        time.sleep(1)
        started = time.monotonic()
        out = subprocess.run([str(server), "retention", "run", *store, "--json"],
                             capture_output=True, text=True)
        outcome["seconds"] = time.monotonic() - started
        outcome["proc"] = out

    thread = threading.Thread(target=sweep)
    thread.start()
    result = run_wrk(url, "batch", key, "sweeping", seconds=DURATION)
    thread.join()
    out = outcome["proc"]
    if out.returncode != 0:
        raise SystemExit(f"retention run failed ({out.returncode}): {out.stdout}{out.stderr}")
    return result, json.loads(out.stdout), outcome["seconds"]


def bench_store(name: str, server: Path, store: list[str], work: Path) -> dict:
    log(f"{name}: seeding {EVENTS:,} events over {DAYS} days")
    seeded = cli_json(server, store, "seed-demo", "--events", str(EVENTS), "--days", str(DAYS),
                      "--project", "old")
    live = unlimited_project_key(server, store, "live")
    node = Node(server, store, work, name)
    try:
        before = run_wrk(node.url, "batch", live["api_key"], "before", seconds=DURATION)
        for project, days in ((seeded["project_id"], "1"), (live["project_id"], "7")):
            subprocess.run([str(server), "project", "set-retention", *store, "--project", project,
                            "--days", days], check=True, capture_output=True)
        during, swept, sweep_seconds = sweep_during_run(server, store, node.url, live["api_key"])
        after = run_wrk(node.url, "batch", live["api_key"], "after", seconds=DURATION)
    finally:
        node.stop()
    again = cli_json(server, store, "retention", "run")
    if again["events_removed"] != 0:
        raise SystemExit(f"{name}: a second pass still removed {again['events_removed']} events")
    log(f"{name}: pass removed {swept['events_removed']:,} events, dropped "
        f"{swept['partitions_dropped']} partitions in {sweep_seconds:.1f} s")
    return {"before": before, "during": during, "after": after, "swept": swept,
            "sweep_seconds": sweep_seconds}


def render(results: dict) -> str:
    lines = [f"`bench/retention.py build`: {EVENTS:,} seeded events over {DAYS} days, retention "
             f"then set to 1 day; wrk -t2 -c64 posting batches of 100 for {DURATION} s per run "
             "into another project",
             "",
             "| store | events/s without a pass (median of before, after) | events/s during the pass "
             "| ratio | p99 without | p99 during | the pass: events removed, partitions dropped, "
             "wall time |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for name, r in results.items():
        base = statistics.median([r["before"]["events_per_s"], r["after"]["events_per_s"]])
        base_p99 = statistics.median([r["before"]["p99_us"], r["after"]["p99_us"]]) / 1000
        during = r["during"]["events_per_s"]
        lines.append(f"| {name} | {base:,.0f} | {during:,.0f} | {during / base:.2f} | "
                     f"{base_p99:.1f} ms | {r['during']['p99_us'] / 1000:.1f} ms | "
                     f"{r['swept']['events_removed']:,}, {r['swept']['partitions_dropped']}, "
                     f"{r['sweep_seconds']:.1f} s |")
    return "\n".join(lines) + "\n"


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = Path(sys.argv[1]).resolve()
    server = build / "bin" / "agentsudo-server"
    work = Path(tempfile.mkdtemp(prefix="agentsudo-bench-retention."))
    cluster = work / "pg"
    try:
        results = {}
        sqlite_dir = work / "sqlite"
        sqlite_dir.mkdir()
        results["SQLite"] = bench_store("sqlite", server, ["--data-dir", str(sqlite_dir)], work)
        cluster_url = postgres_cluster.start(cluster)
        url = postgres_cluster.create_database(cluster_url, "bench_retention")
        pg_dir = work / "pg-node"
        pg_dir.mkdir()
        results["PostgreSQL"] = bench_store("postgres", server,
                                            ["--database-url", url, "--data-dir", str(pg_dir)], work)
        table = render(results)
        print(table)
        (BENCH / "results").mkdir(exist_ok=True)
        (BENCH / "results" / "retention.md").write_text(table)
        return 0
    finally:
        if (cluster / "data").exists():
            postgres_cluster.stop(cluster)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
