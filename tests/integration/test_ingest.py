"""POST /ingest-event: the reference's contract, to the letter."""

import datetime
import json
import subprocess

import pytest

from support.events import TS_RE, TS_Z_RE, UUID_RE, reference_event
from support.timeouts import TIMEOUT

# The reference's cURL body, character for character (newlines included).
REFERENCE_BODY_MULTILINE = """{
"agent_name": "SupportBot",
"action": "permission_check",
"scope": "read:orders",
"allowed": true,
"function_name": "get_order"
}"""
REFERENCE_BODY_ONELINE = ('{"agent_name": "SupportBot", "action": "permission_check", "scope": "read:orders", '
                          '"allowed": true, "function_name": "get_order"}')


def parse_ts(s):
    return datetime.datetime.strptime(s.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z") if "." in s else \
        datetime.datetime.strptime(s.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S%z")


@pytest.fixture(scope="module")
def proj(mserver):
    return mserver.create_project("ingest", tier="pro")


@pytest.mark.parametrize("body", [REFERENCE_BODY_ONELINE, REFERENCE_BODY_MULTILINE], ids=["oneline", "multiline"])
def test_reference_curl_example_verbatim(mserver, proj, body):
    project_id, key = proj
    before = datetime.datetime.now(datetime.timezone.utc)
    # The reference's command; only output options (-sS, -w, --max-time) added.
    cmd = ["curl", "-sS", "--max-time", str(TIMEOUT), "-w", "\n%{http_code}",
           "-X", "POST", f"{mserver.base_url}/ingest-event",
           "-H", "Content-Type: application/json",
           "-H", f"X-API-Key: {key}",
           "-d", body]
    p = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT + 5)
    after = datetime.datetime.now(datetime.timezone.utc)
    assert p.returncode == 0, p.stderr
    out, _, code = p.stdout.decode().rpartition("\n")
    assert code == "201", f"status {code}, body {out}"
    ev = json.loads(out)
    # Every field of the reference's response...
    assert UUID_RE.match(ev["id"]), ev
    assert ev["project_id"] == project_id
    assert UUID_RE.match(ev["agent_id"]), ev
    assert ev["agent_name"] == "SupportBot"
    assert ev["action"] == "permission_check"
    assert ev["scope"] == "read:orders"
    assert ev["allowed"] is True
    assert TS_Z_RE.match(ev["timestamp"]), ev["timestamp"]
    assert TS_RE.match(ev["timestamp"]), f"timestamp not in the documented form: {ev['timestamp']}"
    # ...plus what the issue adds.
    assert ev["function_name"] == "get_order"
    assert ev["metadata"] == {}
    assert TS_RE.match(ev["received_at"]), ev
    # No client timestamp: the decision time is the time of receipt.
    ts = parse_ts(ev["timestamp"])
    slack = datetime.timedelta(seconds=2)
    assert before - slack <= ts <= after + slack, (before, ts, after)
    assert ev["timestamp"] == ev["received_at"]
    # And it is really stored, as answered.
    stored = [e for e in mserver.all_events(project_id) if e["id"] == ev["id"]]
    assert len(stored) == 1
    for k, v in ev.items():
        assert stored[0][k] == v, (k, stored[0], ev)


def test_response_is_json_with_201(mserver, proj):
    _, key = proj
    r = mserver.ingest(key)
    assert r.status == 201, r
    assert r.header("content-type").startswith("application/json")


def test_content_type_with_charset_is_accepted(mserver, proj):
    _, key = proj
    r = mserver.ingest(key, headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status == 201, r


def test_ids_are_unique(mserver, proj):
    _, key = proj
    ids = set()
    for _ in range(20):
        r = mserver.ingest(key)
        assert r.status == 201, r
        ids.add(r.json["id"])
    assert len(ids) == 20


def test_same_agent_name_same_agent_id(server):
    p1, k1 = server.create_project("one")
    p2, k2 = server.create_project("two")
    a = server.ingest(k1, agent_name="SupportBot")
    b = server.ingest(k1, agent_name="SupportBot", action="permission_denied", allowed=False)
    c = server.ingest(k1, agent_name="BillingBot")
    d = server.ingest(k2, agent_name="SupportBot")
    e = server.ingest(k1, agent_name="supportbot")
    for r in (a, b, c, d, e):
        assert r.status == 201, r
    assert a.json["agent_id"] == b.json["agent_id"]
    assert a.json["agent_id"] != c.json["agent_id"]
    assert a.json["project_id"] == p1 and d.json["project_id"] == p2
    assert a.json["agent_id"] != d.json["agent_id"], "agents are per project"
    assert a.json["agent_id"] != e.json["agent_id"], "agent names are case-sensitive"
    # Still the same after a restart (agents are registered, not derived per run).
    server.restart()
    f = server.ingest(k1, agent_name="SupportBot")
    assert f.status == 201, f
    assert f.json["agent_id"] == a.json["agent_id"]


def test_same_agent_concurrently_gets_one_id(server):
    """Agents registered on first sight, by many requests at once: still one id."""
    import concurrent.futures
    _, key = server.create_project("race")

    def post(i):
        c = server.client()
        try:
            return c.request("POST", "/ingest-event", body=reference_event(agent_name="RaceBot"),
                             headers={"X-API-Key": key})
        finally:
            c.close()

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        results = list(ex.map(post, range(32)))
    assert all(r.status == 201 for r in results), [r for r in results if r.status != 201][:3]
    assert len({r.json["agent_id"] for r in results}) == 1


def test_optional_fields_absent(mserver, proj):
    _, key = proj
    r = mserver.ingest(key, event={"agent_name": "Min", "action": "permission_denied", "allowed": False})
    assert r.status == 201, r
    ev = r.json
    assert ev["scope"] is None
    assert ev["function_name"] is None
    assert ev["metadata"] == {}
    assert ev["allowed"] is False
    assert ev["action"] == "permission_denied"


def test_optional_fields_null(mserver, proj):
    _, key = proj
    r = mserver.ingest(key, scope=None, function_name=None, metadata=None, timestamp=None)
    assert r.status == 201, r
    assert r.json["scope"] is None and r.json["function_name"] is None and r.json["metadata"] == {}
    assert TS_RE.match(r.json["timestamp"])


def test_metadata_is_stored_as_sent(mserver, proj):
    project_id, key = proj
    meta = {"order": 42, "ratio": 0.5, "tags": ["a", "é", "🤖"], "nested": {"ok": True, "none": None},
            "quote": "she said \"hi\"\n"}
    r = mserver.ingest(key, metadata=meta, agent_name="MetaBot")
    assert r.status == 201, r
    assert r.json["metadata"] == meta
    stored = mserver.all_events(project_id, agent_name="MetaBot")
    assert [e["metadata"] for e in stored] == [meta]


def test_unknown_members_are_ignored_and_not_stored(mserver, proj):
    project_id, key = proj
    r = mserver.ingest(key, agent_name="FutureBot", session_id="abc", extra={"x": 1})
    assert r.status == 201, r
    assert "session_id" not in r.json and "extra" not in r.json
    (stored,) = mserver.all_events(project_id, agent_name="FutureBot")
    assert "session_id" not in stored and "extra" not in stored


def test_client_timestamp_is_honoured_and_normalised(mserver, proj):
    _, key = proj
    cases = {
        "2026-01-15T10:30:00.123456Z": "2026-01-15T10:30:00.123456Z",
        "2026-01-15T10:30:00Z": "2026-01-15T10:30:00.000000Z",
        "2026-01-15T12:30:00.5+02:00": "2026-01-15T10:30:00.500000Z",
        "2026-01-15T05:00:00-05:30": "2026-01-15T10:30:00.000000Z",
        "1970-01-01T00:00:00Z": "1970-01-01T00:00:00.000000Z",
        "1970-01-01T01:00:00+01:00": "1970-01-01T00:00:00.000000Z",
        "9999-12-31T23:59:59+01:00": "9999-12-31T22:59:59.000000Z",
    }
    for sent, expected in cases.items():
        r = mserver.ingest(key, timestamp=sent)
        assert r.status == 201, (sent, r)
        assert r.json["timestamp"] == expected, (sent, r.json)
        assert TS_RE.match(r.json["received_at"])
        assert r.json["received_at"] != r.json["timestamp"]


def test_boundaries_accepted(mserver, proj):
    _, key = proj
    ok = [
        reference_event(agent_name="a"),
        reference_event(agent_name="x" * 200),
        reference_event(agent_name="é" * 100),  # 200 bytes of UTF-8
        reference_event(agent_name="Agent 🤖 ünïcode"),
        reference_event(action="a"),
        reference_event(action="A" * 64),
        reference_event(action="Az09_.:-"),
        reference_event(scope=""),
        reference_event(scope="s" * 256),
        reference_event(function_name="f" * 256),
        reference_event(metadata={}),
        reference_event(timestamp="9999-12-31T23:59:59.999999Z"),
    ]
    for ev in ok:
        r = mserver.ingest(key, event=ev)
        assert r.status == 201, (ev, r)
        for k in ("agent_name", "action", "scope", "function_name"):
            assert r.json[k] == ev[k], (k, r.json)


def nested_object(levels):
    """metadata with `levels` levels of objects, metadata itself being level 1."""
    obj = {"leaf": 1}
    for _ in range(levels - 1):
        obj = {"n": obj}
    return obj


def test_metadata_limits_at_the_boundary(mserver, proj):
    _, key = proj
    r = mserver.ingest(key, metadata=nested_object(8))
    assert r.status == 201, r
    assert r.json["metadata"] == nested_object(8)
    # Exactly 16 KiB as compact JSON.
    overhead = len(json.dumps({"k": ""}, separators=(",", ":")))
    meta = {"k": "v" * (16 * 1024 - overhead)}
    assert len(json.dumps(meta, separators=(",", ":"))) == 16 * 1024
    r = mserver.ingest(key, metadata=meta)
    assert r.status == 201, r.status
    assert r.json["metadata"] == meta


def test_metadata_size_is_measured_compact(mserver, proj):
    """Whitespace in the body does not count against metadata's 16 KiB."""
    _, key = proj
    meta = {"k%03d" % i: "v" * 100 for i in range(140)}
    assert len(json.dumps(meta, separators=(",", ":"))) <= 16 * 1024 < len(json.dumps(meta, indent=8))
    body = json.dumps(reference_event(metadata=meta), indent=8)
    r = mserver.request("POST", "/ingest-event", body=body, headers={"X-API-Key": key})
    assert r.status == 201, r
    assert r.json["metadata"] == meta


def test_keep_alive_many_requests_one_connection(mserver, proj):
    _, key = proj
    c = mserver.client()
    try:
        for i in range(50):
            r = mserver.ingest(key, client=c, agent_name=f"ka{i}")
            assert r.status == 201, r
        # http.client reuses the socket as long as the server keeps it open.
        assert c.conn is not None and c.conn.sock is not None, "server closed a keep-alive connection"
    finally:
        c.close()


def test_chunked_request_body(mserver, proj):
    """HTTP/1.1 clients may send the body chunked."""
    _, key = proj
    body = json.dumps(reference_event(agent_name="ChunkBot")).encode()
    half = len(body) // 2
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:half], body[half:])) + b"0\r\n\r\n"
    req = (b"POST /ingest-event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"X-API-Key: " + key.encode() + b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks)
    r = mserver.raw_request(req)
    assert r is not None and r.status == 201, r
    assert r.json["agent_name"] == "ChunkBot"


def test_pipelined_requests_are_answered_in_order(mserver, proj):
    """Several requests written at once on one connection: one answer each, in order."""
    import socket
    _, key = proj
    reqs = b""
    for i in range(3):
        body = json.dumps(reference_event(agent_name=f"Pipe{i}")).encode()
        reqs += (b"POST /ingest-event HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Key: "
                 + key.encode() + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    reqs += b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", mserver.port), timeout=TIMEOUT) as s:
        s.sendall(reqs)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    names = [json.loads(m.group(1))["agent_name"] for m in
             __import__("re").finditer(rb'(\{"id".*?"received_at":"[^"]*"\})', data)]
    assert data.count(b"HTTP/1.1 201") == 3, data[:2000]
    assert names == ["Pipe0", "Pipe1", "Pipe2"], data[:2000]
    assert data.count(b"HTTP/1.1 200") == 1 and data.rstrip().endswith(b'{"status":"ok"}'), data[-300:]
