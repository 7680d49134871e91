"""Issue 11 on the server: gzip bodies, event_id idempotency, and SDK loss
(instance_id/sequence gaps, AgentSudo-Dropped) made visible."""

import gzip
import http.client
import json
import socket
import threading
import uuid

from support.events import assert_error, reference_event
from support.timeouts import TIMEOUT


def gz_post(server, key, events, path="/api/events", encoding="gzip", body=None, headers=None):
    raw = body if body is not None else gzip.compress(json.dumps(events).encode())
    hdrs = {"X-API-Key": key, "Content-Encoding": encoding}
    hdrs.update(headers or {})
    return server.request("POST", path, body=raw, headers=hdrs)


def ev(**kw):
    e = reference_event()
    e.update(kw)
    return e


def remaining(r):
    return int(r.headers["x-ratelimit-remaining"])


def delivery(server, project_id):
    r = server.get(f"/api/v1/projects/{project_id}/usage/delivery",
                   headers={"Authorization": f"Bearer {server.token()}"})
    assert r.status == 200, r
    return r.json


# --- gzip ---------------------------------------------------------------------------------

def test_gzip_batch_is_stored(server):
    project_id, key = server.create_project("gz", tier="pro")
    events = [ev(function_name=f"fn_{i}", metadata={"i": i}) for i in range(300)]
    r = gz_post(server, key, events)
    assert r.status == 200 and r.json == {"stored": 300, "duplicates": 0}, r
    stored = server.all_events(project_id)
    assert sorted(e["metadata"]["i"] for e in stored) == list(range(300))


def test_gzip_single_event_and_identity(server):
    project_id, key = server.create_project("gz1", tier="pro")
    r = gz_post(server, key, None, path="/ingest-event", body=gzip.compress(json.dumps(ev()).encode()))
    assert r.status == 201, r
    r = gz_post(server, key, None, path="/ingest-event", encoding="identity", body=json.dumps(ev()).encode())
    assert r.status == 201, r
    assert server.count(project_id) == 2


def test_gzip_bomb_is_refused_and_nothing_is_stored(server):
    project_id, key = server.create_project("bomb", tier="pro")
    # 10 MiB of a valid-looking JSON array inflates past the 4 MiB limit from ~10 KiB on the wire.
    bomb = gzip.compress(b"[" + b" " * (10 * 1024 * 1024) + b"]", 9)
    assert len(bomb) < 64 * 1024
    r = gz_post(server, key, None, body=bomb)
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")
    small = gzip.compress(json.dumps(ev()).encode() + b" " * (70 * 1024))
    r = gz_post(server, key, None, path="/ingest-event", body=small)
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")
    assert server.count(project_id) == 0
    assert server.batch(key, [ev()]).status == 200  # the server is unharmed


def test_truncated_or_corrupt_gzip_is_400_naming_the_header(server):
    project_id, key = server.create_project("trunc", tier="pro")
    whole = gzip.compress(json.dumps([ev() for _ in range(50)]).encode())
    for body in (whole[: len(whole) // 2], whole[:-4], b"not gzip at all", whole + b"junk"):
        r = gz_post(server, key, None, body=body)
        assert_error(r, 400, "INVALID_PAYLOAD", field="Content-Encoding")
    assert server.count(project_id) == 0


def test_other_content_encodings_are_415(server):
    project_id, key = server.create_project("br", tier="pro")
    for coding in ("br", "deflate", "gzip, gzip", "compress"):
        r = gz_post(server, key, [ev()], encoding=coding)
        assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE", field="Content-Encoding")
    # A route that takes no encoded body keeps refusing gzip.
    r = server.request("POST", f"/api/v1/projects/{project_id}/scope-preview",
                       body=gzip.compress(b'{"scopes": ["*"]}'),
                       headers={"Authorization": f"Bearer {server.token()}", "Content-Encoding": "gzip"})
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE", field="Content-Encoding")
    assert server.count(project_id) == 0


# --- event_id -----------------------------------------------------------------------------

def test_retried_batch_is_stored_once_and_charged_once(server):
    project_id, key = server.create_project("retry", tier=100)
    events = [ev(event_id=str(uuid.uuid4()), metadata={"i": i}) for i in range(10)]
    first = server.batch(key, events)
    assert first.status == 200 and first.json == {"stored": 10, "duplicates": 0}, first
    assert remaining(first) == 90
    again = server.batch(key, events)
    assert again.status == 200 and again.json == {"stored": 10, "duplicates": 10}, again
    assert remaining(again) == 90
    stored = server.all_events(project_id)
    assert sorted(e["id"] for e in stored) == sorted(e["event_id"] for e in events)
    # Half old, half new: only the new half is stored and charged.
    mixed = events[:5] + [ev(event_id=str(uuid.uuid4())) for _ in range(5)]
    r = server.batch(key, mixed)
    assert r.json == {"stored": 10, "duplicates": 5} and remaining(r) == 85, r
    assert server.count(project_id) == 15
    usage = server.get(f"/api/v1/projects/{project_id}/usage",
                       headers={"Authorization": f"Bearer {server.token()}"}).json
    assert usage["today"]["events"] == 15
    analytics = server.get(f"/api/v1/projects/{project_id}/analytics?days=1",
                           headers={"Authorization": f"Bearer {server.token()}"}).json
    assert analytics["totals"]["events"] == 15, analytics["totals"]


def test_same_id_twice_in_one_request_is_stored_once(server):
    project_id, key = server.create_project("twice", tier=100)
    eid = str(uuid.uuid4())
    r = server.batch(key, [ev(event_id=eid, function_name="first"), ev(event_id=eid, function_name="second")])
    assert r.json == {"stored": 2, "duplicates": 1} and remaining(r) == 99, r
    stored = server.all_events(project_id)
    assert [(e["id"], e["function_name"]) for e in stored] == [(eid, "first")]


def test_duplicate_on_ingest_event_answers_200_with_the_original(server):
    project_id, key = server.create_project("single", tier=100)
    eid = str(uuid.uuid4())
    first = server.ingest(key, event=ev(event_id=eid, agent_name="Orig", metadata={"v": 1}))
    assert first.status == 201 and first.json["id"] == eid, first
    again = server.ingest(key, event=ev(event_id=eid, agent_name="Other", metadata={"v": 2}))
    assert again.status == 200, again
    assert again.json == first.json
    assert remaining(again) == remaining(first) == 99
    assert server.count(project_id) == 1
    # The duplicate's other agent name registered no agent.
    agents = server.get(f"/api/v1/projects/{project_id}/agents",
                        headers={"Authorization": f"Bearer {server.token()}"}).json["agents"]
    assert [a["name"] for a in agents] == ["Orig"]


def test_an_id_used_in_another_project_is_a_new_event_there(server):
    p1, k1 = server.create_project("one", tier=100)
    p2, k2 = server.create_project("two", tier=100)
    eid = str(uuid.uuid4())
    assert server.ingest(k1, event=ev(event_id=eid, metadata={"p": 1})).status == 201
    r = server.ingest(k2, event=ev(event_id=eid, metadata={"p": 2}))
    assert r.status == 201, r
    assert r.json["project_id"] == p2 and r.json["metadata"] == {"p": 2}
    assert [e["metadata"] for e in server.all_events(p1)] == [{"p": 1}]
    assert [e["metadata"] for e in server.all_events(p2)] == [{"p": 2}]


def test_invalid_members_and_headers_are_400_naming_them(server):
    project_id, key = server.create_project("bad", tier=100)
    inst = str(uuid.uuid4())
    bad = [
        (ev(event_id="not-a-uuid"), "event_id"),
        (ev(event_id=str(uuid.uuid4()).upper()), "event_id"),
        (ev(event_id=12), "event_id"),
        (ev(instance_id="x", sequence=1), "instance_id"),
        (ev(instance_id=inst), "sequence"),
        (ev(sequence=3), "instance_id"),
        (ev(instance_id=inst, sequence=0), "sequence"),
        (ev(instance_id=inst, sequence=2 ** 53 + 1), "sequence"),
        (ev(instance_id=inst, sequence=1.5), "sequence"),
        (ev(instance_id=inst, sequence="1"), "sequence"),
    ]
    for event, field in bad:
        r = server.batch(key, [ev(), event])
        assert_error(r, 400, "INVALID_PAYLOAD", field=field, index=1)
    for headers, field in (({"AgentSudo-Instance": "nope"}, "AgentSudo-Instance"),
                           ({"AgentSudo-Instance": inst, "AgentSudo-Dropped": "-1"}, "AgentSudo-Dropped"),
                           ({"AgentSudo-Instance": inst, "AgentSudo-Dropped": "ten"}, "AgentSudo-Dropped"),
                           ({"AgentSudo-Dropped": "3"}, "AgentSudo-Instance")):
        r = server.batch(key, [ev()], headers=headers)
        assert_error(r, 400, "INVALID_PAYLOAD", field=field)
    assert server.count(project_id) == 0
    ok = server.batch(key, [ev(instance_id=inst, sequence=2 ** 53)])
    assert ok.status == 200, ok


def test_official_python_sdk_body_still_works(server):
    project_id, key = server.create_project("py", tier=100)
    body = [{"timestamp": "2026-01-15T10:00:00.000000Z", "agent_name": "SupportBot",
             "action": "permission_check", "scope": "read:orders", "allowed": True}] * 3
    r = server.request("POST", "/api/events", body=json.dumps(body).encode(),
                       headers={"Content-Type": "application/json", "X-API-Key": key}, content_type=None)
    assert r.status == 200 and r.json == {"stored": 3, "duplicates": 0}, r
    assert server.count(project_id) == 3


# --- loss made visible --------------------------------------------------------------------

def test_gaps_and_drops_reach_the_delivery_route_and_metrics(server):
    project_id, key = server.create_project("gaps", tier="pro")
    inst = str(uuid.uuid4())
    hdrs = {"AgentSudo-Instance": inst, "AgentSudo-Dropped": "4"}
    before = {n: server.metric_sum(n) for n in ("agentsudo_sdk_events_dropped_total",
                                                "agentsudo_sdk_sequence_gaps")}
    events = [ev(event_id=str(uuid.uuid4()), instance_id=inst, sequence=s) for s in (1, 2, 5)]
    assert server.batch(key, events, headers=hdrs).status == 200
    # The retry of the same batch counts nothing twice; a lower drop report changes nothing.
    assert server.batch(key, events, headers={**hdrs, "AgentSudo-Dropped": "2"}).json["duplicates"] == 3
    report = delivery(server, project_id)
    assert report["dropped"] == 4 and report["gaps"] == 2, report
    [instance] = report["instances"]
    assert instance["instance_id"] == inst
    assert (instance["events"], instance["highest_sequence"], instance["gaps"], instance["dropped"]) == (3, 5, 2, 4)
    [day] = instance["days"]
    assert (day["events"], day["lowest_sequence"], day["highest_sequence"], day["gaps"], day["dropped"]) == \
        (3, 1, 5, 2, 4)
    # A late number fills a gap.
    assert server.batch(key, [ev(instance_id=inst, sequence=3)], headers={**hdrs, "AgentSudo-Dropped": "6"}).status == 200
    report = delivery(server, project_id)
    assert report["gaps"] == 1 and report["dropped"] == 6, report
    after = {n: server.metric_sum(n) for n in before}
    assert after["agentsudo_sdk_events_dropped_total"] - before["agentsudo_sdk_events_dropped_total"] == 6
    assert after["agentsudo_sdk_sequence_gaps"] - before["agentsudo_sdk_sequence_gaps"] == 1
    # Another project sees none of it.
    other_id, _ = server.create_project("other", tier="pro")
    assert delivery(server, other_id) == {"dropped": 0, "gaps": 0, "instances": []}


# --- a lost answer ------------------------------------------------------------------------

class AnswerDroppingProxy:
    """Forwards one request to the server, reads the whole answer, and closes the
    client's connection without passing it on: the answer is lost in transit."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.answers = []
        self.thread = threading.Thread(target=self._serve_one, daemon=True)
        self.thread.start()

    def _serve_one(self):
        client, _ = self.listener.accept()
        with client, socket.create_connection(("127.0.0.1", self.upstream_port), timeout=TIMEOUT) as up:
            client.settimeout(TIMEOUT)
            request = b""
            while b"\r\n\r\n" not in request:
                request += client.recv(65536)
            head, _, body = request.partition(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            while len(body) < length:
                body += client.recv(65536)
            up.sendall(head + b"\r\n\r\n" + body)
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                chunk = up.recv(65536)
                if not chunk:
                    break
                answer += chunk
            self.answers.append(answer)
        self.listener.close()


def test_a_retry_after_a_lost_answer_is_not_stored_twice(server):
    project_id, key = server.create_project("lost", tier=100)
    events = [ev(event_id=str(uuid.uuid4()), metadata={"i": i}) for i in range(20)]
    body = json.dumps(events).encode()
    proxy = AnswerDroppingProxy(server.port)

    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=TIMEOUT)
    lost = False
    try:
        conn.request("POST", "/api/events", body=body,
                     headers={"Content-Type": "application/json", "X-API-Key": key})
        conn.getresponse()
    except (http.client.RemoteDisconnected, ConnectionResetError):
        lost = True
    finally:
        conn.close()
    proxy.thread.join(TIMEOUT)
    assert lost, "the proxy passed the answer on"
    assert b" 200 " in proxy.answers[0].split(b"\r\n")[0], proxy.answers
    retry = server.batch(key, events)
    assert retry.json == {"stored": 20, "duplicates": 20}, retry
    assert remaining(retry) == 80
    assert server.count(project_id) == 20
