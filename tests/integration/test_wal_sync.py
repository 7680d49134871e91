"""An acknowledgement leaves only after the event is synced to disk.

kill -9 cannot show a missing fsync: the page cache outlives the process, so
`PRAGMA synchronous=OFF` passes every crash test. What can show it is the
order of the server's system calls. SQLite in WAL mode with synchronous=FULL
syncs the -wal file at every commit; with NORMAL it syncs the WAL only at a
checkpoint, with OFF never. So under strace, for every acknowledged ingest
(201 from /ingest-event, 200 from /api/events) a sync of the -wal file must
complete after the server read that request and before it started sending
the answer. The test keys on the order strace observed the calls in, never
on their times.
"""

import os
import re
import shutil
import signal
import sqlite3
import threading

import pytest

from support.events import reference_event
from support.timeouts import TIMEOUT

BIG_QUOTA = 10_000_000
THREADS = 4
EVENTS_PER_THREAD = 15
BATCHES_PER_THREAD = 3


def database(server):
    return os.path.join(server.data_dir, "agentsudo.db")


def test_database_is_in_wal_mode(server):
    """journal_mode=WAL is a property of the file: byte 18 and 19 of its header
    are 2, and a read-only connection reports it."""
    with open(database(server), "rb") as f:
        header = f.read(100)
    assert header.startswith(b"SQLite format 3\x00")
    assert header[18] == 2 and header[19] == 2, f"write/read versions {header[18]}/{header[19]}, not WAL"
    db = sqlite3.connect(f"file:{database(server)}?mode=ro", uri=True, timeout=TIMEOUT)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()
    # synchronous is per connection, so no other connection can read the
    # server's: test_every_ack_follows_a_sync_of_the_wal observes its effect.


# One strace line: "<tid> <time> <rest>".
LINE_RE = re.compile(r"^(\d+)\s+\S+\s+(.*)$")
# A whole call, or the first half of one: name(first argument ...
# The fd's annotation (-yy) may hold "->", as in <TCP:[127.0.0.1:80->127.0.0.1:5000]>.
CALL_RE = re.compile(r"^([a-z_0-9]+)\((\d+)(<(?:->|[^>])*>)?")
RESUMED_RE = re.compile(r"^<\.\.\. ([a-z_0-9]+) resumed>")
RESULT_RE = re.compile(r"\)\s+=\s+(-?\d+)")

READS = {"read", "readv", "recvfrom", "recvmsg"}
SENDS = {"write", "writev", "sendto", "sendmsg"}
SYNCS = {"fsync", "fdatasync"}


class Call:
    """One system call as strace saw it: where it entered and returned in the
    trace (line numbers), its fd's path, its result and the text strace printed."""

    def __init__(self, name, fd_path, entered):
        self.name = name
        self.fd_path = fd_path
        self.entered = entered
        self.returned = None
        self.result = None
        self.text = ""


def parse_trace(path):
    """Every call of the trace, in the order they entered."""
    calls = []
    pending = {}  # tid -> Call not yet returned
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f):
            m = LINE_RE.match(line.rstrip("\n"))
            if not m:
                continue
            tid, rest = m.group(1), m.group(2)
            resumed = RESUMED_RE.match(rest)
            if resumed:
                call = pending.pop(tid, None)
                if call is None or call.name != resumed.group(1):
                    continue
            else:
                c = CALL_RE.match(rest)
                if not c:
                    continue  # signals, exits
                call = Call(c.group(1), c.group(3) or "", number)
                calls.append(call)
            call.text += rest
            if rest.endswith("<unfinished ...>"):
                pending[tid] = call
                continue
            r = RESULT_RE.search(rest)
            call.returned = number
            call.result = int(r.group(1)) if r else None
    return calls


def unsynced_acks(calls):
    """The acknowledgements in the trace, the WAL syncs, and the acknowledgements
    sent with no WAL sync between reading their request and starting to send
    them (as (request, answer) texts)."""
    wal_syncs = [c.returned for c in calls
                 if c.name in SYNCS and c.fd_path.endswith("-wal>") and c.result == 0]
    reads = {}  # connection -> the reads that returned data since its last answer
    acks = []
    bad = []
    for c in calls:
        if not c.fd_path.startswith("<TCP"):
            continue
        if c.name in READS and c.result is not None and c.result > 0:
            reads.setdefault(c.fd_path, []).append(c)
        elif c.name in SENDS:
            request = reads.pop(c.fd_path, [])
            if not re.search(r'"HTTP/1\.1 20[01] ', c.text):
                continue
            text = "".join(r.text for r in request)
            if not re.search(r"POST /(ingest-event|api/events) ", text):
                continue
            acks.append(c)
            read_at = request[-1].returned
            if not any(read_at < s < c.entered for s in wal_syncs):
                bad.append((text[:160], c.text[:160]))
    return acks, wal_syncs, bad


def test_every_ack_follows_a_sync_of_the_wal(make_server, tmp_path):
    assert shutil.which("strace"), "this test needs strace (scripts/install-deps installs it)"
    trace = tmp_path / "server.strace"
    s = make_server()
    # LeakSanitizer cannot run under ptrace; every other test of the ASan
    # build still checks leaks. ASAN_OPTIONS keeps the rest of its settings.
    asan = ":".join(o for o in [os.environ.get("ASAN_OPTIONS", ""), "detect_leaks=0"] if o)
    s.start(env={"ASAN_OPTIONS": asan}, wrapper=["strace", "-f", "--seccomp-bpf", "-tt", "-yy", "-s", "256", "-o", str(trace),
                     "-e", "trace=" + ",".join(sorted(READS | SENDS | SYNCS | {"openat"}))])
    server_pid = s.pid  # the server's, from its ready file; s.proc is strace
    try:
        run_load_and_stop(s, server_pid)
    finally:
        try:
            os.kill(server_pid, signal.SIGKILL)  # only if something above failed
        except ProcessLookupError:
            pass

    acks, wal_syncs, bad = unsynced_acks(parse_trace(trace))
    want = THREADS * (EVENTS_PER_THREAD + BATCHES_PER_THREAD)
    assert len(acks) == want, f"found {len(acks)} acknowledgements in the trace, sent {want}"
    assert wal_syncs, "the server never synced its WAL (synchronous is not FULL)"
    assert not bad, (f"{len(bad)} of {len(acks)} acknowledgements left before a sync of the WAL "
                     f"(synchronous is not FULL?); first: {bad[0]}")


def run_load_and_stop(s, server_pid):
    """Concurrent ingests and batches, then SIGTERM to the server itself
    (strace's child): strace exits with it, its trace complete."""
    _, key = s.create_project("synced", tier=BIG_QUOTA)

    acked = []
    errors = []

    def stream(t):
        client = s.client()
        try:
            for n in range(EVENTS_PER_THREAD):
                r = s.ingest(key, client=client, agent_name=f"T{t}", metadata={"n": n})
                if r.status != 201:
                    errors.append(r)
                    return
                acked.append(r.json["id"])
            for b in range(BATCHES_PER_THREAD):
                r = s.batch(key, [reference_event(agent_name=f"B{t}", metadata={"b": b, "k": k})
                                  for k in range(5)], client=client)
                if r.status != 200:
                    errors.append(r)
                    return
        finally:
            client.close()

    threads = [threading.Thread(target=stream, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * EVENTS_PER_THREAD)
        assert not t.is_alive(), "a client hangs"
    assert not errors, errors[:3]

    os.kill(server_pid, signal.SIGTERM)
    assert s.proc.wait(TIMEOUT) == 0, s.logs()
    s.stop()
