"""What the Python benchmarks share: server processes on a store, the admin
CLI, and wrk runs with the result line bench/common.lua prints."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROUTES = {"ingest": "ingest.lua", "batch": "batch.lua"}


class Node:
    """One `agentsudo-server serve` process on a store."""

    def __init__(self, server: Path, store: list[str], workdir: Path, name: str, *extra: str):
        out = workdir / f"{name}.out"
        with open(out, "w") as stdout, open(workdir / f"{name}.err", "w") as stderr:
            self.proc = subprocess.Popen(
                ["stdbuf", "-oL", str(server), "serve", "--listen", "127.0.0.1:0", *store, *extra],
                stdout=stdout, stderr=stderr)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.proc.poll() is None:
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", out.read_text())
            if found:
                self.port = int(found.group(1))
                self.url = f"http://127.0.0.1:{self.port}"
                return
            time.sleep(0.05)
        raise SystemExit(f"{name} did not start; see {workdir}/{name}.err")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)


def cli_json(server: Path, store: list[str], *args: str) -> dict:
    out = subprocess.run([str(server), *args, *store, "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def unlimited_project_key(server: Path, store: list[str], name: str = "bench") -> dict:
    """A project no quota stops; returns `project create --json`'s answer."""
    return cli_json(server, store, "project", "create", "--name", name, "--tier", "1000000000")


def run_wrk(url: str, route: str, key: str, label: str, *, seconds: int, threads: int = 2,
            connections: int = 64, batch_size: int = 100) -> dict:
    """One wrk run; exits when it fails or a response was not 2xx."""
    env = dict(os.environ, BENCH_API_KEY=key, BENCH_LABEL=label, BENCH_BATCH_SIZE=str(batch_size))
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-s", str(BENCH / ROUTES[route]), url],
        env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((l for l in out.stdout.splitlines() if l.startswith("BENCH_RESULT ")), None)
    if out.returncode != 0 or line is None:
        raise SystemExit(f"wrk {label} failed:\n{out.stdout}\n{out.stderr}")
    if "BENCH INVALID" in out.stdout + out.stderr:
        raise SystemExit(f"wrk {label}: responses that were not 2xx:\n{out.stdout}{out.stderr}")
    return json.loads(line.split(" ", 1)[1])


def psql_value(url: str, sql: str) -> str:
    return subprocess.run(["psql", "-tA", url, "-c", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def sqlite_value(data_dir: Path, sql: str) -> str:
    return subprocess.run(["sqlite3", str(data_dir / "agentsudo.db"), sql], check=True,
                          capture_output=True, text=True).stdout.strip()
