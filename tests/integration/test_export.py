"""Export of the filtered events as CSV and NDJSON, streamed in chunks."""

import csv
import http.client
import io
import json
import os
import socket
import time
from pathlib import Path

import pytest

from support.events import assert_error, reference_event
from support.timeouts import TIMEOUT

CSV_COLUMNS = ["id", "timestamp", "received_at", "agent_id", "agent_name", "action", "scope",
               "allowed", "function_name", "metadata"]


def auth(server):
    return {"Authorization": f"Bearer {server.token()}"}


def export(server, project_id, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return server.get(f"/api/v1/projects/{project_id}/events/export?{query}", headers=auth(server))


def uncell(text):
    """Undo the formula guard, as a person reading the sheet would."""
    return text[1:] if text[:2] in ("'=", "'+", "'-", "'@") else text


@pytest.fixture(scope="module")
def project(mserver):
    project_id, key = mserver.create_project("export", tier="pro")
    events = []
    for i in range(2500):
        events.append(reference_event(
            agent_name=["Plain", 'Quote "Bot", Inc.', "=cmd|' /C calc'!A0", "@Mention"][i % 4],
            scope=["read:orders", "write:orders", None][i % 3],
            function_name=["get_order", "-negative", None, "+plus"][i % 4],
            allowed=i % 7 != 0,
            metadata={"i": i, "note": "line one\nline two, with \"quotes\"", "formula": "=1+1"}))
    for start in range(0, len(events), 1000):
        r = mserver.batch(key, events[start:start + 1000])
        assert r.status == 200, r
    return project_id


def test_csv_equals_the_read_api(mserver, project):
    r = export(mserver, project, format="csv")
    assert r.status == 200, r
    assert r.header("content-type").startswith("text/csv")
    assert r.header("transfer-encoding") == "chunked"
    assert r.header("content-disposition").startswith("attachment;")
    assert r.header("content-disposition").endswith('.csv"')
    text = r.raw.decode("utf-8")
    assert text.startswith(",".join(CSV_COLUMNS) + "\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == CSV_COLUMNS
    expected = mserver.all_events(project)
    assert len(rows) - 1 == len(expected) == 2500
    for row, event in zip(rows[1:], expected):
        got = dict(zip(CSV_COLUMNS, row))
        assert got["id"] == event["id"]
        assert got["timestamp"] == event["timestamp"]
        assert got["received_at"] == event["received_at"]
        assert got["agent_id"] == event["agent_id"]
        assert uncell(got["agent_name"]) == event["agent_name"]
        assert got["action"] == event["action"]
        assert got["scope"] == (event["scope"] or "")
        assert got["allowed"] == ("true" if event["allowed"] else "false")
        assert uncell(got["function_name"]) == (event["function_name"] or "")
        assert json.loads(got["metadata"]) == event["metadata"]
    # No cell a spreadsheet would run as a formula.
    assert not any(cell[:1] in ("=", "+", "-", "@") for row in rows for cell in row)


def ndjson_events(raw):
    """The export's event lines as the read API shows them: each without its
    audit chain link (which every one carries), and without the checkpoint
    lines that follow the events (docs/AUDIT.md)."""
    lines = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    events = [line for line in lines if "checkpoint" not in line]
    assert lines[:len(events)] == events, "a checkpoint line came before an event"
    for event in events:
        link = event.pop("chain")
        assert len(link["hash"]) == 64 and link["position"] >= 1, link
    return events


def test_ndjson_equals_the_read_api(mserver, project):
    r = export(mserver, project, format="ndjson")
    assert r.status == 200, r
    assert r.header("content-type").startswith("application/x-ndjson")
    assert r.raw.decode("utf-8").endswith("\n")
    assert ndjson_events(r.raw) == mserver.all_events(project)


@pytest.mark.parametrize("filters", [
    {"agent_name": "Plain"},
    {"function_name": "get_order"},
    {"scope": "write:orders", "allowed": "false"},
    {"action": "permission_check", "since": "2000-01-01T00:00:00Z"},
    {"until": "2000-01-01T00:00:00Z"},
])
def test_filters_match_the_read_api(mserver, project, filters):
    from urllib.parse import quote
    r = export(mserver, project, format="ndjson", **{k: quote(v) for k, v in filters.items()})
    assert r.status == 200, r
    got = ndjson_events(r.raw)
    assert got == mserver.all_events(project, **filters)
    if "function_name" in filters:
        assert got and all(e["function_name"] == "get_order" for e in got)


def test_default_format_is_csv_and_empty_exports_have_the_header(mserver):
    project_id, _ = mserver.create_project("export-empty")
    r = export(mserver, project_id)
    assert r.status == 200, r
    assert r.raw.decode() == ",".join(CSV_COLUMNS) + "\r\n"
    r = export(mserver, project_id, format="ndjson")
    assert r.status == 200 and r.raw == b""


@pytest.mark.parametrize("query,field", [("format=xml", "format"), ("limit=5", "limit"),
                                         ("cursor=abc", "cursor"), ("allowed=maybe", "allowed"),
                                         ("since=yesterday", "since")])
def test_bad_parameters_are_refused(mserver, project, query, field):
    r = mserver.get(f"/api/v1/projects/{project}/events/export?{query}", headers=auth(mserver))
    assert_error(r, 400, "INVALID_PARAMETER", field=field)


def test_credentials(mserver, project):
    assert_error(mserver.get(f"/api/v1/projects/{project}/events/export"), 401, "UNAUTHORIZED")
    r = mserver.get("/api/v1/projects/00000000-0000-7000-8000-000000000000/events/export",
                    headers=auth(mserver))
    assert_error(r, 404, "NOT_FOUND")


def test_read_api_takes_function_name(mserver, project):
    r = mserver.read(project, function_name="+plus", limit=1000)
    assert r.status == 200, r
    assert len(r.json["events"]) == 625
    assert all(e["function_name"] == "+plus" for e in r.json["events"])


def rss_kb(server):
    with open(f"/proc/{server.proc.pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def big(mserver):
    out = mserver.cli("seed-demo", "--events", "200000", "--days", "5", "--project", "big", timeout=240)
    return out["project_id"]


def test_a_large_export_streams_with_flat_memory(mserver, big):
    conn = http.client.HTTPConnection("127.0.0.1", mserver.port, timeout=30)
    conn.request("GET", f"/api/v1/projects/{big}/events/export?format=csv", headers=auth(mserver))
    resp = conn.getresponse()
    assert resp.status == 200
    before = rss_kb(mserver)
    peak = before
    rows = 0
    total = 0
    while True:
        block = resp.read(1 << 20)
        if not block:
            break
        total += len(block)
        rows += block.count(b"\n")  # seeded rows hold no newline of their own
        peak = max(peak, rss_kb(mserver))
    conn.close()
    assert rows == 200001  # the header and every event
    assert total > 30 * 1024 * 1024
    # The body is tens of megabytes; the server never held more than a few
    # pages of it. (ASan's quarantine keeps freed memory resident, so the
    # bound means nothing in the sanitizer build.)
    if "ASAN_OPTIONS" not in os.environ:
        assert peak - before < 20 * 1024, (before, peak, total)


def open_sockets(pid):
    """How many sockets the process holds open."""
    fds = Path(f"/proc/{pid}/fd")
    count = 0
    for fd in fds.iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except FileNotFoundError:  # closed while we looked
            pass
    return count


def test_a_client_leaving_mid_export_does_not_hurt_the_server(mserver, big):
    before = open_sockets(mserver.proc.pid)
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", mserver.port), timeout=10)
        s.sendall((f"GET /api/v1/projects/{big}/events/export?format=ndjson HTTP/1.1\r\n"
                   f"Host: x\r\nAuthorization: Bearer {mserver.token()}\r\n\r\n").encode())
        got = s.recv(65536)
        assert got.startswith(b"HTTP/1.1 200")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # a reset, mid-body
    # The server has met the resets: it closed its end of all three, which it
    # does when a write fails (it cannot have sent tens of megabytes already).
    deadline = time.monotonic() + TIMEOUT
    while open_sockets(mserver.proc.pid) > before:
        assert mserver.alive(), "the server died on a client's reset"
        assert time.monotonic() < deadline, "the server never closed the reset connections"
        time.sleep(0.01)  # a polling interval, not a wait for time to pass
    assert mserver.alive()
    r = mserver.get("/healthz")
    assert r.status == 200, r
    r = export(mserver, big, format="ndjson", agent_name="DBMaintenance")
    assert r.status == 200
    assert len(ndjson_events(r.raw)) == mserver.count(big, agent_name="DBMaintenance")
