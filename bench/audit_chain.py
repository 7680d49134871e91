#!/usr/bin/env python3
"""The audit chain's cost and verification speed (bench/audit_chain.sh).

For each of REPS rounds, alternating, starts the server with the chain on
and off (AGENTSUDO_BENCH_UNCHAINED_EVENTS=1, the baseline), posts EVENTS
events in batches of 1000 from THREADS keep-alive connections, and reads the
CPU time of the server's commit-writer thread from /proc before and after:
CPU per event stored. Then times `agentsudo-server verify` over the last
chained data directory: events verified per second. Prints a Markdown table.
"""

import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BIN = os.path.realpath(sys.argv[1])
EVENTS = int(os.environ.get("AUDIT_BENCH_EVENTS", "1000000"))
REPS = int(os.environ.get("AUDIT_BENCH_REPS", "3"))
THREADS = int(os.environ.get("AUDIT_BENCH_THREADS", "4"))
BATCH = 1000
TICKS = os.sysconf("SC_CLK_TCK")


def writer_cpu_seconds(pid):
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            if f.read().strip() != "commit-writer":
                continue
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
    raise RuntimeError("no commit-writer thread")


def start(data_dir, chained):
    env = dict(os.environ)
    env.pop("AGENTSUDO_BENCH_UNCHAINED_EVENTS", None)
    if not chained:
        env["AGENTSUDO_BENCH_UNCHAINED_EVENTS"] = "1"
    out = subprocess.run([BIN, "project", "create", "--name", "bench", "--tier", "1000000000",
                          "--data-dir", data_dir, "--json"], env=env, check=True,
                         capture_output=True, text=True)
    key = json.loads(out.stdout)["api_key"]
    ready = os.path.join(data_dir, "ready.json")
    proc = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir,
                             "--ready-file", ready], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(ready) and os.path.getsize(ready) > 0:
            break
        time.sleep(0.05)
    with open(ready) as f:
        url = json.load(f)["url"]
    port = int(url.rsplit(":", 1)[1].rstrip("/"))
    return proc, port, key


def post_batches(port, key, batches, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "X-API-Key": key}
    for _ in range(batches):
        conn.request("POST", "/api/events", body, headers)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError(f"POST /api/events answered {r.status}")
    conn.close()


def one_run(chained, body, keep_dir=False):
    data_dir = tempfile.mkdtemp(prefix="agentsudo-audit-bench-")
    proc, port, key = start(data_dir, chained)
    try:
        before = writer_cpu_seconds(proc.pid)
        batches = EVENTS // BATCH
        per = [batches // THREADS + (1 if i < batches % THREADS else 0) for i in range(THREADS)]
        threads = [threading.Thread(target=post_batches, args=(port, key, n, body)) for n in per]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        cpu = writer_cpu_seconds(proc.pid) - before
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    if not keep_dir:
        shutil.rmtree(data_dir)
    return cpu / (batches * BATCH) * 1e6, batches * BATCH / wall, data_dir


def main():
    events = [{"agent_name": f"bot{i % 8}", "action": "permission_check", "scope": "read:orders",
               "allowed": i % 5 != 0, "function_name": "get_order", "metadata": {"i": i}}
              for i in range(BATCH)]
    body = json.dumps(events).encode()
    on, off, rate_on, rate_off = [], [], [], []
    chained_dir = None
    for rep in range(REPS):
        us, rate, _ = one_run(False, body)
        off.append(us)
        rate_off.append(rate)
        last = rep == REPS - 1
        us, rate, data_dir = one_run(True, body, keep_dir=last)
        on.append(us)
        rate_on.append(rate)
        if last:
            chained_dir = data_dir
    started = time.monotonic()
    verify = subprocess.run([BIN, "verify", "--data-dir", chained_dir, "--json"], capture_output=True,
                            text=True)
    verify_seconds = time.monotonic() - started
    report = json.loads(verify.stdout)
    checked = sum(p["events_checked"] for p in report["projects"])
    shutil.rmtree(chained_dir)
    if verify.returncode != 0 or checked != EVENTS:
        print(f"verify failed: exit {verify.returncode}, {checked} events checked", file=sys.stderr)
        return 1
    m_on, m_off = statistics.median(on), statistics.median(off)
    print(f"| commit writer, {EVENTS:,} events in batches of {BATCH}, {THREADS} connections | median of {REPS} |")
    print("|---|---:|")
    print(f"| CPU per event, chain off (baseline) | {m_off:.2f} µs |")
    print(f"| CPU per event, chain on | {m_on:.2f} µs |")
    print(f"| chain overhead | {100 * (m_on - m_off) / m_off:+.1f}% |")
    pairs = sorted(100 * (a - b) / b for a, b in zip(on, off))
    print(f"| overhead of each paired run (on vs the off run before it) | {', '.join(f'{p:+.0f}%' for p in pairs)} |")
    print(f"| events stored/s, chain off / on | {statistics.median(rate_off):,.0f} / {statistics.median(rate_on):,.0f} |")
    print(f"| `verify` of {checked:,} events (one project) | {verify_seconds:.2f} s = {checked / verify_seconds:,.0f} events/s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
