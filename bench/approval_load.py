#!/usr/bin/env python3
"""What holding approvals costs a running server (bench/approvals.sh).

    approval_load.py --url URL --api-key KEY --pid PID [--pending 10000] [--waiters 1000]

Creates PENDING approval requests (POST /v1/check, on_denial "approval", a
distinct argument digest each, a 24 h expiry), then measures ingest
(wrk with bench/ingest.lua) alternately without and with WAITERS long-polls
held open on GET /v1/approvals/{id}?wait=60 (each re-asked when it answers),
REPS times each, and prints one JSON line: the server's RSS before the
requests, with them, and with the waiters held; the median ingest rate of
each side and their ratio. Exits non-zero when a request or a waiter failed.
"""

import argparse
import asyncio
import concurrent.futures
import hashlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))


def rss_kb(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def create_pending(host, port, api_key, count, threads=8):
    """Returns the ids of `count` new pending requests."""

    def create_range(start, stop):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        ids = []
        for i in range(start, stop):
            body = json.dumps({
                "agent_name": "bench-approver", "scope": "write:refunds",
                "function_name": "issue_refund", "on_denial": "approval",
                "args_digest": hashlib.sha256(str(i).encode()).hexdigest(),
                "approval_ttl_seconds": 86400})
            conn.request("POST", "/v1/check", body,
                         {"X-API-Key": api_key, "Content-Type": "application/json"})
            response = conn.getresponse()
            answer = json.loads(response.read())
            if response.status != 200 or answer.get("action") != "approval_requested":
                raise RuntimeError(f"request {i}: {response.status} {answer}")
            ids.append(answer["approval"]["id"])
        conn.close()
        return ids

    step = (count + threads - 1) // threads
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        parts = [pool.submit(create_range, s, min(s + step, count)) for s in range(0, count, step)]
        return [i for part in parts for i in part.result()]


class HeldWaiters:
    """`count` connections each long-polling one approval until stopped."""

    def __init__(self, host, port, api_key, ids, count):
        self.host, self.port, self.api_key = host, port, api_key
        self.ids = ids[:count]
        self.connected = 0
        self.failures = []
        self._loop = asyncio.new_event_loop()
        self._stop = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._all_connected = threading.Event()

    def start(self):
        self._thread.start()
        if not self._all_connected.wait(60):
            raise RuntimeError(f"only {self.connected} of {len(self.ids)} waiters connected")

    def stop(self):
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _run(self):
        self._loop.run_until_complete(self._main())

    async def _main(self):
        self._stop = asyncio.Event()
        tasks = [asyncio.create_task(self._wait_on(i)) for i in self.ids]
        await self._stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _wait_on(self, approval_id):
        reader, writer = await asyncio.open_connection(self.host, self.port)
        request = (f"GET /v1/approvals/{approval_id}?wait=60 HTTP/1.1\r\nHost: {self.host}\r\n"
                   f"X-API-Key: {self.api_key}\r\n\r\n").encode()
        try:
            first = True
            while True:
                writer.write(request)
                await writer.drain()
                if first:
                    self.connected += 1
                    if self.connected == len(self.ids):
                        self._all_connected.set()
                    first = False
                status_line = await reader.readline()
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                await reader.readexactly(length)
                if b" 200 " not in status_line:
                    self.failures.append(status_line.decode(errors="replace").strip())
                    return
        except asyncio.CancelledError:
            pass
        except (OSError, asyncio.IncompleteReadError) as error:
            self.failures.append(repr(error))
        finally:
            writer.close()


def wait_for_gauge(host, port, name, at_least, timeout=60.0):
    """Until the server's /metrics shows `name` >= at_least: the waits are held."""
    deadline = time.monotonic() + timeout
    value = 0.0
    while time.monotonic() < deadline:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request("GET", "/metrics")
        for line in conn.getresponse().read().decode().splitlines():
            if line.startswith(name + " "):
                value = float(line.split()[1])
        conn.close()
        if value >= at_least:
            return
        time.sleep(0.05)
    raise RuntimeError(f"{name} reached only {value}, not {at_least}")


def ingest_rate(url, api_key, seconds, connections):
    env = dict(os.environ, BENCH_API_KEY=api_key, BENCH_LABEL="approvals ingest")
    out = subprocess.run(["/usr/bin/wrk", "-t2", f"-c{connections}", f"-d{seconds}s",
                          "-s", os.path.join(BENCH_DIR, "ingest.lua"), url],
                         env=env, capture_output=True, text=True, timeout=seconds + 60, check=True)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result = json.loads(line[len("BENCH_RESULT "):])
            if result["non_2xx"] or result["socket_errors"]:
                raise RuntimeError(f"ingest run had errors: {result}")
            return result["events_per_s"]
    raise RuntimeError("wrk printed no result:\n" + out.stdout + out.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--pending", type=int, default=10000)
    parser.add_argument("--waiters", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)

    rss_idle = rss_kb(args.pid)
    ids = create_pending(url.hostname, url.port, args.api_key, args.pending)
    rss_pending = rss_kb(args.pid)
    without, held, rss_held = [], [], []
    failures = []
    for _ in range(args.reps):
        without.append(ingest_rate(args.url, args.api_key, args.seconds, args.connections))
        waiters = HeldWaiters(url.hostname, url.port, args.api_key, ids, args.waiters)
        waiters.start()
        wait_for_gauge(url.hostname, url.port, "agentsudo_approval_waiters", args.waiters)
        rss_held.append(rss_kb(args.pid))
        held.append(ingest_rate(args.url, args.api_key, args.seconds, args.connections))
        waiters.stop()
        failures += waiters.failures
    result = {
        "pending": len(ids), "waiters": args.waiters,
        "rss_idle_kb": rss_idle, "rss_pending_kb": rss_pending,
        "rss_held_kb": int(statistics.median(rss_held)),
        "ingest_without_per_s": statistics.median(without),
        "ingest_held_per_s": statistics.median(held),
        "ingest_ratio": statistics.median(h / w for h, w in zip(held, without)),
        "waiter_failures": len(failures),
    }
    print(json.dumps(result))
    if failures:
        print("waiter failures: " + "; ".join(failures[:5]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
