"""The live feed: Server-Sent Events of new events, resumable, capped."""

import json
import signal
import socket
import time

import pytest

from support.events import assert_error, reference_event

# Delivery is promised within 1 s; that is for the benchmarks to measure. Here
# it is a hang guard only: a frame that never comes fails the test.
DELIVERY_TIMEOUT = 15.0


class EventStream:
    """A raw-socket SSE client: sends the request, parses chunks and frames."""

    def __init__(self, server, project_id, token=None, last_event_id=None, query=""):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=DELIVERY_TIMEOUT)
        headers = f"Authorization: Bearer {token or server.token()}\r\n"
        if last_event_id:
            headers += f"Last-Event-ID: {last_event_id}\r\n"
        self.sock.sendall((f"GET /api/v1/projects/{project_id}/live{query} HTTP/1.1\r\n"
                           f"Host: x\r\n{headers}\r\n").encode())
        self.buffer = b""
        head = self._read_until(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ")[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
        self.body = b""  # de-chunked bytes not yet parsed into frames
        self.ended = False
        self.raw_error = None
        if "content-length" in self.headers:
            self.raw_error = self._read_exact(int(self.headers["content-length"]))

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("server closed the stream")
        self.buffer += data

    def _read_until(self, marker):
        while marker not in self.buffer:
            self._fill()
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _read_exact(self, n):
        while len(self.buffer) < n:
            self._fill()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _next_chunk(self):
        size = int(self._read_until(b"\r\n").split(b";")[0], 16)
        data = self._read_exact(size)
        self._read_exact(2)
        if size == 0:
            self.ended = True
        return data

    def frame(self, timeout=DELIVERY_TIMEOUT):
        """The next frame (dict of field -> value, or {"comment": ...})."""
        deadline = time.monotonic() + timeout
        while b"\n\n" not in self.body:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.ended:
                raise TimeoutError("no frame")
            self.sock.settimeout(remaining)
            self.body += self._next_chunk()
        raw, _, self.body = self.body.partition(b"\n\n")
        fields = {}
        for line in raw.decode("utf-8").split("\n"):
            if line.startswith(":"):
                fields["comment"] = line[1:].strip()
            else:
                name, _, value = line.partition(": ")
                fields[name] = value
        return fields

    def next_event(self, timeout=DELIVERY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            f = self.frame(max(0.01, deadline - time.monotonic()))
            if f.get("event") == "event":
                return f["id"], json.loads(f["data"])

    def close(self):
        self.sock.close()


@pytest.fixture
def project(mserver):
    project_id, key = mserver.create_project("live", tier="pro")
    return project_id, key


def test_a_new_event_arrives(mserver, project):
    project_id, key = project
    old = mserver.ingest(key, agent_name="Before")
    assert old.status == 201
    stream = EventStream(mserver, project_id)
    try:
        assert stream.status == 200
        assert stream.headers["content-type"] == "text/event-stream"
        assert stream.headers["transfer-encoding"] == "chunked"
        assert stream.frame() == {"retry": "2000"}
        r = mserver.ingest(key, agent_name="Live", metadata={"n": 1})
        assert r.status == 201
        event_id, event = stream.next_event()
        assert event == r.json  # the read API's shape, and not the older event
        assert event_id
        # A batch arrives whole and in order.
        batch = [reference_event(agent_name="Batch", metadata={"i": i}) for i in range(30)]
        assert mserver.batch(key, batch).status == 200
        got = [stream.next_event()[1]["metadata"]["i"] for _ in range(30)]
        assert got == list(range(30))
    finally:
        stream.close()


def test_other_projects_events_never_appear(mserver, project):
    project_id, key = project
    _, other_key = mserver.create_project("live-other")
    stream = EventStream(mserver, project_id)
    try:
        stream.frame()
        assert mserver.ingest(other_key, agent_name="Elsewhere").status == 201
        mine = mserver.ingest(key, agent_name="Mine")
        assert stream.next_event()[1]["id"] == mine.json["id"]
    finally:
        stream.close()


@pytest.mark.parametrize("how", ["header", "query"])
def test_resumes_after_last_event_id(mserver, project, how):
    project_id, key = project
    stream = EventStream(mserver, project_id)
    first = mserver.ingest(key, metadata={"n": 1}).json
    first_id, got = stream.next_event()
    assert got["id"] == first["id"]
    stream.close()
    missed = [mserver.ingest(key, metadata={"n": n}).json for n in (2, 3)]
    if how == "header":
        resumed = EventStream(mserver, project_id, last_event_id=first_id)
    else:
        resumed = EventStream(mserver, project_id, query=f"?last_event_id={first_id}")
    try:
        assert resumed.status == 200
        replay = [resumed.next_event()[1]["id"] for _ in range(2)]
        assert replay == [e["id"] for e in missed]
        later = mserver.ingest(key, metadata={"n": 4}).json
        assert resumed.next_event()[1]["id"] == later["id"]
    finally:
        resumed.close()


def test_action_keeps_only_the_actions_asked_for(mserver, project):
    """?action= (repeatable): a stream following only approval steps hears
    nothing of a busy project's checks, and resumes after what it was sent."""
    project_id, key = project
    query = "?action=approval_requested&action=approval_denied"
    stream = EventStream(mserver, project_id, query=query)
    try:
        assert stream.status == 200
        stream.frame()  # retry
        assert mserver.ingest(key, action="permission_check").status == 201
        asked = mserver.request("POST", "/v1/check", headers={"X-API-Key": key},
                                body={"agent_name": "Asker", "scope": "write:x", "on_denial": "approval"})
        assert asked.status == 200 and asked.json["action"] == "approval_requested", asked
        assert mserver.ingest(key, action="approval_granted").status == 201
        denied = mserver.ingest(key, action="approval_denied")
        assert denied.status == 201
        first_id, first = stream.next_event()
        assert first["action"] == "approval_requested" and first["id"] == asked.json["event_id"], first
        _, second = stream.next_event()
        assert second["id"] == denied.json["id"], second
    finally:
        stream.close()
    # Resuming with the same filter replays only matching events after the id.
    assert mserver.ingest(key, action="permission_denied").status == 201
    later = mserver.ingest(key, action="approval_requested")
    resumed = EventStream(mserver, project_id, last_event_id=first_id, query=query)
    try:
        assert resumed.next_event()[1]["id"] == denied.json["id"]
        assert resumed.next_event()[1]["id"] == later.json["id"]
    finally:
        resumed.close()


@pytest.mark.parametrize("query", ["?action=", "?action=" + "x" * 101,
                                   "?" + "&".join(f"action=a{i}" for i in range(21))])
def test_a_bad_action_filter_is_refused(mserver, project, query):
    project_id, _ = project
    stream = EventStream(mserver, project_id, query=query)
    try:
        assert stream.status == 400
        body = json.loads(stream.raw_error)
        assert body["code"] == "INVALID_PARAMETER" and body["field"] == "action", body
    finally:
        stream.close()


def test_a_foreign_or_forged_last_event_id_is_refused(mserver, project):
    project_id, key = project
    other_id, other_key = mserver.create_project("live-foreign")
    s = EventStream(mserver, other_id)
    mserver.ingest(other_key)
    foreign_id, _ = s.next_event()
    s.close()
    for bad in (foreign_id, "forged", mserver.read(project_id, limit=1).json["next_cursor"] or "x"):
        stream = EventStream(mserver, project_id, last_event_id=bad)
        assert stream.status == 400
        body = json.loads(stream.raw_error)
        assert body["code"] == "INVALID_PARAMETER" and body["field"] == "last_event_id"
        stream.close()


def test_credentials(mserver, project):
    project_id, key = project
    assert_error(mserver.get(f"/api/v1/projects/{project_id}/live"), 401, "UNAUTHORIZED")
    assert_error(mserver.get(f"/api/v1/projects/{project_id}/live",
                             headers={"Authorization": f"Bearer {key}"}), 403, "FORBIDDEN")
    assert_error(mserver.get("/api/v1/projects/00000000-0000-7000-8000-000000000000/live",
                             headers={"Authorization": f"Bearer {mserver.token()}"}), 404, "NOT_FOUND")


def test_at_most_five_streams_per_token(mserver, project):
    project_id, key = project
    token = mserver.cli("token", "create")["token"]
    streams = [EventStream(mserver, project_id, token=token) for _ in range(5)]
    try:
        assert all(s.status == 200 for s in streams)
        sixth = EventStream(mserver, project_id, token=token)
        assert sixth.status == 429
        assert json.loads(sixth.raw_error)["code"] == "RATE_LIMITED"
        sixth.close()
        # Another caller has its own five.
        other = EventStream(mserver, project_id)
        assert other.status == 200
        other.close()
        # A stream the client closes frees its slot.
        streams.pop().close()
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while True:
            again = EventStream(mserver, project_id, token=token)
            if again.status == 200:
                streams.append(again)
                break
            again.close()
            assert time.monotonic() < deadline, "a closed stream never gave its slot back"
            time.sleep(0.1)
        # Every open stream still delivers.
        sent = mserver.ingest(key, agent_name="Fanout").json
        for s in streams:
            assert s.next_event()[1]["id"] == sent["id"]
    finally:
        for s in streams:
            s.close()


def test_sigterm_ends_open_streams_and_the_server_exits_promptly(server):
    project_id, key = server.create_project("live-drain")
    streams = [EventStream(server, project_id) for _ in range(3)]
    assert all(s.status == 200 for s in streams)
    # No bound on time: a stream that held the shutdown up would be cut at the
    # server's drain deadline without its final chunk, which s.ended catches.
    assert server.stop(signal.SIGTERM, timeout=15) == 0
    for s in streams:
        with pytest.raises((TimeoutError, EOFError)):
            while True:
                s.frame(timeout=DELIVERY_TIMEOUT)
        assert s.ended, "the stream ended without its last chunk"
        s.close()
