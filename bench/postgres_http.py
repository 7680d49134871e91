#!/usr/bin/env python3
"""Ingestion over HTTP on PostgreSQL beside SQLite, in one run (`make bench`).

    bench/postgres_http.py BUILD_DIR

Starts a private PostgreSQL 15 cluster (tests/support/postgres_cluster.py),
then three deployments of the same binary:

  sqlite     one node on SQLite in a temporary data directory (the default)
  pg-1       one node on PostgreSQL
  pg-2       two nodes on one PostgreSQL database behind nginx (one worker,
             kept-alive upstream connections, as deploy/nginx.conf)

and runs wrk against each (POST /ingest-event with one event, POST
/api/events with 100), the deployments alternating round by round so that
drift on a shared machine hits them alike. PostgreSQL's own ceiling on the
same rows (plain 100-row INSERTs, one per transaction, from
agentsudo_pg_group_commit_bench) is measured in the same run. Prints a
Markdown table of medians and ratios, writes it to
bench/results/postgres_http.md, and exits non-zero when a measured response
was not 2xx or an acknowledged event is missing from the store.

Knobs (environment): BENCH_DURATION=10 (seconds per run), BENCH_REPS=3,
BENCH_CONNECTIONS=64, BENCH_THREADS=2.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(BENCH))

import postgres_cluster  # noqa: E402
from http_nodes import ROUTES, Node, psql_value, run_wrk, sqlite_value, unlimited_project_key  # noqa: E402
from support.nginx import ReverseProxy  # noqa: E402

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
REPS = int(os.environ.get("BENCH_REPS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "64"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
BATCH_SIZE = 100


def log(message: str) -> None:
    print(f"bench-postgres: {message}", file=sys.stderr, flush=True)


class Deployment:
    """A named way to run the server: its nodes, the URL clients use, and
    how to count what it stored."""

    def __init__(self, name, key, nodes, url, count_stored):
        self.name, self.key, self.nodes, self.url, self.count_stored = name, key, nodes, url, count_stored
        self.acknowledged = 0

    def run(self, route: str, label: str) -> dict:
        result = run_wrk(self.url, route, self.key, f"{self.name} {route} {label}",
                         seconds=DURATION, threads=THREADS, connections=CONNECTIONS,
                         batch_size=BATCH_SIZE)
        self.acknowledged += result["ok_2xx"] * result["events_per_request"]
        return result


COUNT_CHECKS = "SELECT count(*) FROM events WHERE action = 'permission_check'"


def pg_ceiling(build: Path, cluster_url: str) -> dict:
    url = postgres_cluster.create_database(cluster_url, "bench_ceiling")
    out = subprocess.run([str(build / "bin" / "agentsudo_pg_group_commit_bench"), url,
                          str(BATCH_SIZE), "300"], check=True, capture_output=True, text=True).stdout
    rates = dict(re.findall(r"^\s+(PgEventStore::append|plain multi-row INSERT)\s+([\d.]+) rows/s",
                            out, re.M))
    return {"writer": float(rates["PgEventStore::append"]),
            "ceiling": float(rates["plain multi-row INSERT"])}


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    build = Path(sys.argv[1]).resolve()
    server = build / "bin" / "agentsudo-server"
    work = Path(tempfile.mkdtemp(prefix="agentsudo-bench-pg."))
    cluster = work / "pg"
    cluster_url = postgres_cluster.start(cluster)
    nodes: list[Node] = []
    proxy = None
    try:
        sqlite_dir = work / "sqlite"
        sqlite_dir.mkdir()
        pg1_url = postgres_cluster.create_database(cluster_url, "bench_one")
        pg2_url = postgres_cluster.create_database(cluster_url, "bench_two")
        deployments = []
        for name, store, count in (
                ("sqlite", ["--data-dir", str(sqlite_dir)], lambda: int(sqlite_value(sqlite_dir, COUNT_CHECKS))),
                ("pg-1", ["--database-url", pg1_url], lambda: int(psql_value(pg1_url, COUNT_CHECKS))),
                ("pg-2", ["--database-url", pg2_url], lambda: int(psql_value(pg2_url, COUNT_CHECKS)))):
            (work / name).mkdir(exist_ok=True)
            node_store = [*store, "--data-dir", str(work / name)] if name != "sqlite" else store
            key = unlimited_project_key(server, node_store)["api_key"]
            count_nodes = 2 if name == "pg-2" else 1
            started = [Node(server, node_store, work, f"{name}-{i}") for i in range(count_nodes)]
            nodes.extend(started)
            if count_nodes == 2:
                proxy = ReverseProxy(started[0].port, started[1].port).start()
                url = f"http://127.0.0.1:{proxy.port}"
            else:
                url = f"http://127.0.0.1:{started[0].port}"
            deployments.append(Deployment(name, key, started, url, count))
            log(f"{name}: {url}")

        results: dict[tuple[str, str], list[float]] = {}
        for route in ROUTES:
            for d in deployments:  # warm-up, not measured
                d.run(route, "warmup")
            for rep in range(REPS):
                for d in deployments:
                    r = d.run(route, str(rep))
                    results.setdefault((d.name, route), []).append(r["events_per_s"])
                    log(f"{d.name} {route} run {rep + 1}: {r['events_per_s']:.0f} events/s")
        for n in nodes:
            n.stop()
        for d in deployments:
            stored = d.count_stored()
            if stored < d.acknowledged:
                raise SystemExit(f"{d.name}: {d.acknowledged} events acknowledged, {stored} stored")
            log(f"{d.name}: {d.acknowledged} events acknowledged, {stored} stored")
        ceiling = pg_ceiling(build, cluster_url)
        log(f"PostgreSQL ceiling at {BATCH_SIZE} rows: {ceiling['ceiling']:.0f} rows/s, "
            f"writer {ceiling['writer']:.0f} rows/s")
        table = render(results, ceiling, deployments)
        print(table)
        (BENCH / "results").mkdir(exist_ok=True)
        (BENCH / "results" / "postgres_http.md").write_text(table)
        return 0
    finally:
        for n in nodes:
            n.stop()
        if proxy:
            proxy.close()
        postgres_cluster.stop(cluster)
        shutil.rmtree(work, ignore_errors=True)


def render(results, ceiling, deployments) -> str:
    def med(name, route):
        return statistics.median(results[(name, route)])

    lines = [f"`bench/postgres_http.py build`, wrk -t{THREADS} -c{CONNECTIONS}, {DURATION} s runs, "
             f"median of {REPS}, deployments alternating",
             "",
             "| route | SQLite, one node | PostgreSQL, one node | PostgreSQL, two nodes + nginx "
             "| PG one / SQLite | PG two / PG one |",
             "|---|---:|---:|---:|---:|---:|"]
    for route, label in (("ingest", "`/ingest-event` (events/s)"),
                         ("batch", f"`/api/events` ×{BATCH_SIZE} (events/s)")):
        s, p1, p2 = med("sqlite", route), med("pg-1", route), med("pg-2", route)
        lines.append(f"| {label} | {s:,.0f} | {p1:,.0f} | {p2:,.0f} | {p1 / s:.2f} | {p2 / p1:.2f} |")
    lines += ["",
              f"PostgreSQL's own ceiling on the same rows ({BATCH_SIZE}-row INSERTs, one per "
              f"transaction, synchronous_commit on): {ceiling['ceiling']:,.0f} rows/s; the commit "
              f"writer alone on the same batches: {ceiling['writer']:,.0f} rows/s "
              f"({ceiling['writer'] / ceiling['ceiling']:.2f}×).",
              ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
