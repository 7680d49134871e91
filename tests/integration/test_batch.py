"""POST /api/events: the official Python SDK's batch format."""

import datetime
import json
import os
import subprocess
import tempfile
import uuid

import pytest

from support.events import TS_RE, UUID_RE, assert_error, reference_event
from support.timeouts import TIMEOUT


def sdk_event(i, timestamp, agent_name="SupportBot", action="permission_check", scope=None, allowed=True,
              function_name=None, metadata=None):
    """One event as the official SDK builds it: fixed member order, None members left out."""
    e = {"timestamp": timestamp, "agent_name": agent_name, "action": action, "scope": scope,
         "allowed": allowed, "function_name": function_name, "metadata": metadata}
    return {k: v for k, v in e.items() if v is not None}


def sdk_post(server, key, events):
    """What the SDK puts on the wire: a JSON array, two headers."""
    return server.request("POST", "/api/events", body=json.dumps(events).encode(),
                          headers={"Content-Type": "application/json", "X-API-Key": key}, content_type=None)


def test_sdk_batch_is_stored_with_client_timestamps(server):
    project_id, key = server.create_project("sdk", tier="pro")
    events = []
    for i in range(25):
        ts = f"2026-01-15T10:{i:02d}:00.{123456 + i:06d}Z"
        events.append(sdk_event(
            i, ts, agent_name=f"Agent{i % 3}",
            action=["permission_check", "permission_denied", "audit_violation", "callback_approved",
                    "callback_denied"][i % 5],
            scope=None if i % 4 == 0 else f"read:orders{i}",
            allowed=(i % 5 in (0, 3)),
            function_name=None if i % 3 == 0 else f"fn_{i}",
            metadata=None if i % 2 else {"i": i, "sdk": "python"}))
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    r = sdk_post(server, key, events)
    assert r.status == 200, r
    assert r.json == {"stored": 25, "duplicates": 0}, r.json
    for h in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert h in r.headers, r.headers
    stored = server.all_events(project_id)
    assert len(stored) == 25
    by_ts = {e["timestamp"]: e for e in stored}
    for sent in events:
        got = by_ts.get(sent["timestamp"])
        assert got is not None, f"timestamp {sent['timestamp']} not read back: {sorted(by_ts)}"
        assert UUID_RE.match(got["id"]) and UUID_RE.match(got["agent_id"])
        assert got["project_id"] == project_id
        assert got["agent_name"] == sent["agent_name"]
        assert got["action"] == sent["action"]
        assert got["allowed"] is sent["allowed"]
        assert got["scope"] == sent.get("scope")
        assert got["function_name"] == sent.get("function_name")
        assert got["metadata"] == sent.get("metadata", {})
        assert TS_RE.match(got["received_at"]), got
        assert got["received_at"][:10] == today, "received_at is the time of receipt, not the client's"
    # The same agent name within the batch got one agent id.
    ids_by_name = {}
    for e in stored:
        ids_by_name.setdefault(e["agent_name"], set()).add(e["agent_id"])
    assert all(len(v) == 1 for v in ids_by_name.values()), ids_by_name
    # and it is the id /ingest-event uses for that name.
    r = server.ingest(key, agent_name="Agent1")
    assert r.status == 201
    assert {r.json["agent_id"]} == ids_by_name["Agent1"]


@pytest.mark.parametrize("sent,expected", [
    ("2026-01-15T10:30:00.123456Z", "2026-01-15T10:30:00.123456Z"),
    ("2026-01-15T10:30:00Z", "2026-01-15T10:30:00.000000Z"),  # what isoformat() gives at microsecond 0
    ("2026-01-15T10:30:00.1Z", "2026-01-15T10:30:00.100000Z"),
    ("2026-01-15T11:30:00.000001+01:00", "2026-01-15T10:30:00.000001Z"),
    ("2026-01-15T10:30:00.999999Z", "2026-01-15T10:30:00.999999Z"),
])
def test_timestamp_normalisation(mserver, sent, expected):
    project_id, key = mserver.create_project("ts-" + uuid.uuid4().hex[:8], tier="pro")
    r = sdk_post(mserver, key, [sdk_event(0, sent)])
    assert r.status == 200 and r.json == {"stored": 1, "duplicates": 0}, r
    (e,) = mserver.all_events(project_id)
    assert e["timestamp"] == expected


def test_missing_timestamp_is_time_of_receipt(mserver):
    project_id, key = mserver.create_project("nots", tier="pro")
    r = sdk_post(mserver, key, [{"agent_name": "a", "action": "permission_check", "allowed": True}])
    assert r.status == 200, r
    (e,) = mserver.all_events(project_id)
    assert TS_RE.match(e["timestamp"]) and e["timestamp"] == e["received_at"]


def test_one_bad_item_refuses_the_whole_batch(mserver):
    project_id, key = mserver.create_project("bad-item", tier="pro")
    events = [sdk_event(i, f"2026-01-15T10:30:0{i}.000000Z", agent_name=f"A{i}") for i in range(6)]
    events[3] = {"timestamp": "2026-01-15T10:30:03.000000Z", "action": "permission_check", "allowed": True}
    r = sdk_post(mserver, key, events)
    body = assert_error(r, 400, "INVALID_PAYLOAD", field="agent_name", index=3)
    assert "3" in body["error"], body
    assert mserver.count(project_id) == 0
    # The same batch, fixed, is stored whole.
    events[3]["agent_name"] = "A3"
    r = sdk_post(mserver, key, events)
    assert r.status == 200 and r.json == {"stored": 6, "duplicates": 0}, r
    assert mserver.count(project_id) == 6


@pytest.mark.parametrize("position", [0, 999])
def test_bad_item_at_the_edges(mserver, position):
    project_id, key = mserver.create_project(f"edge{position}", tier="pro")
    events = [sdk_event(i, "2026-01-15T10:30:00.000000Z") for i in range(1000)]
    events[position] = dict(events[position], allowed="yes")
    r = sdk_post(mserver, key, events)
    assert_error(r, 400, "INVALID_PAYLOAD", field="allowed", index=position)
    assert mserver.count(project_id) == 0


@pytest.mark.parametrize("item", [5, "event", None, [], [reference_event()]], ids=repr)
def test_item_not_an_object(mserver, item):
    project_id, key = mserver.create_project("notobj", tier="pro")
    r = sdk_post(mserver, key, [reference_event(), item])
    assert_error(r, 400, "INVALID_PAYLOAD", index=1)
    assert mserver.count(project_id) == 0


@pytest.mark.parametrize("body", [b"{}", reference_event(), b'"x"', b"null"], ids=["empty-object", "one-event-object", "string", "null"])
def test_body_not_an_array(mserver, body):
    project_id, key = mserver.create_project("notarray", tier="pro")
    r = mserver.request("POST", "/api/events", body=body if isinstance(body, bytes) else json.dumps(body),
                        headers={"X-API-Key": key})
    assert_error(r, 400, "INVALID_PAYLOAD")
    assert mserver.count(project_id) == 0


def test_empty_batch(mserver):
    project_id, key = mserver.create_project("empty", tier="pro")
    r = sdk_post(mserver, key, [])
    assert r.status == 200 and r.json == {"stored": 0, "duplicates": 0}, r
    assert mserver.count(project_id) == 0


def test_1000_items_fit_1001_do_not(mserver):
    project_id, key = mserver.create_project("thousand", tier="pro")
    events = [sdk_event(i, "2026-01-15T10:30:00.123456Z", agent_name=f"bot{i % 10}") for i in range(1001)]
    r = sdk_post(mserver, key, events)
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")  # over the route's limit of 1,000 events
    assert mserver.count(project_id) == 0
    r = sdk_post(mserver, key, events[:1000])
    assert r.status == 200 and r.json == {"stored": 1000, "duplicates": 0}, r
    assert mserver.count(project_id) == 1000


def test_unknown_members_ignored_in_batch(mserver):
    project_id, key = mserver.create_project("unknown-members", tier="pro")
    e = sdk_event(0, "2026-01-15T10:30:00.123456Z")
    e["sdk_version"] = "9.9"
    e["trace"] = {"span": 1}
    r = sdk_post(mserver, key, [e])
    assert r.status == 200 and r.json == {"stored": 1, "duplicates": 0}, r
    (got,) = mserver.all_events(project_id)
    assert "sdk_version" not in got and "trace" not in got


def test_batch_retry_is_safe_after_refusal(mserver):
    """Stored whole or not at all: retrying a refused batch after fixing it gives exactly one copy."""
    project_id, key = mserver.create_project("retry", tier="pro")
    events = [sdk_event(i, f"2026-01-15T10:30:{i:02d}.000000Z") for i in range(10)]
    bad = events + [{"agent_name": "x", "action": "bad action!", "allowed": True}]
    r = sdk_post(mserver, key, bad)
    assert_error(r, 400, "INVALID_PAYLOAD", field="action", index=10)
    r = sdk_post(mserver, key, events)
    assert r.status == 200 and r.json == {"stored": 10, "duplicates": 0}
    assert mserver.count(project_id) == 10


def test_batch_near_4MiB_is_accepted(mserver):
    """The documented limit is 4 MiB: a 3.9 MiB batch of 1000 events is stored."""
    project_id, key = mserver.create_project("big-batch", tier="pro")
    pad = 4000
    events = [sdk_event(i, "2026-01-15T10:30:00.123456Z", metadata={"pad": "x" * pad, "i": i}) for i in range(1000)]
    body = json.dumps(events).encode()
    assert 3.8 * 1024 * 1024 < len(body) < 4 * 1024 * 1024, len(body)
    r = mserver.post_raw("/api/events", body, {"X-API-Key": key})
    assert r is not None and r.status == 200, f"{len(body)} bytes: {r!r}"
    assert r.json == {"stored": 1000, "duplicates": 0}
    assert mserver.count(project_id) == 1000


def test_curl_large_batch_from_a_file(mserver):
    """curl sends `Expect: 100-continue` for bodies over 1 MB; the server must not stall it."""
    project_id, key = mserver.create_project("curl-batch", tier="pro")
    events = [sdk_event(i, "2026-01-15T10:30:00.123456Z", metadata={"pad": "x" * 2000, "i": i})
              for i in range(1000)]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(events, f)
        path = f.name
    try:
        assert os.path.getsize(path) > 1024 * 1024
        p = subprocess.run(["curl", "-sS", "-v", "--max-time", str(TIMEOUT), "-w", "\n%{http_code} %{time_total}",
                            "-X", "POST", f"{mserver.base_url}/api/events",
                            "-H", "Content-Type: application/json", "-H", f"X-API-Key: {key}",
                            "--data-binary", f"@{path}"], capture_output=True, timeout=TIMEOUT + 5)
    finally:
        os.unlink(path)
    assert p.returncode == 0, p.stderr
    body, _, tail = p.stdout.decode().rpartition("\n")
    code, seconds = tail.split()
    print(f"\ncurl 1000-event batch ({len(body)} bytes answer): {code} in {float(seconds):.3f}s")
    assert code == "200", body
    assert json.loads(body) == {"stored": 1000, "duplicates": 0}
    assert mserver.count(project_id) == 1000
    trace = p.stderr.decode("utf-8", "replace")
    assert "Expect: 100-continue" in trace, "curl did not send Expect; the test proves nothing"
    # Without a "100 Continue" (or an early final answer) curl waits 1 s, then says so.
    assert "Done waiting for 100-continue" not in trace, f"the server ignored Expect: 100-continue ({seconds}s)"
