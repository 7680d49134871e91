"""Operations: health, metrics, signals, startup time, first-start project, configuration."""

import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from support.events import KEY_RE, reference_event
from support.process import SERVER_BIN


def test_healthz(server):
    r = server.get("/healthz")
    assert r.status == 200, r
    assert r.json == {"status": "ok"}
    assert r.header("content-type").startswith("application/json")
    # No authentication needed, and HEAD-less clients with Connection: close work too.
    r = server.request("GET", "/healthz", headers={"Connection": "close"})
    assert r.status == 200


def test_metrics_names_and_growth(server):
    _, key = server.create_project("m", tier=3)
    r = server.get("/metrics")
    assert r.status == 200, r
    assert r.header("content-type").startswith("text/plain"), r.headers
    text = r.raw.decode()
    for name in ("agentsudo_http_requests_total", "agentsudo_events_stored_total",
                 "agentsudo_quota_rejections_total", "agentsudo_commit_batch_size",
                 "agentsudo_request_duration_seconds"):
        assert f"# TYPE {name} " in text, f"{name} not declared in /metrics:\n{text[:2000]}"
    assert "# TYPE agentsudo_commit_batch_size histogram" in text
    assert "# TYPE agentsudo_request_duration_seconds histogram" in text
    assert "# TYPE agentsudo_events_stored_total counter" in text

    stored0 = server.metric_sum("agentsudo_events_stored_total")
    rejected0 = server.metric_sum("agentsudo_quota_rejections_total")
    assert server.ingest(key).status == 201
    assert server.batch(key, [reference_event()] * 2).status == 200
    assert server.ingest(key).status == 429
    assert server.ingest(key, event={"agent_name": 1}).status == 400
    samples = server.metrics()

    def total(name, **labels):
        return sum(v for n, l, v in samples if n == name and all(l.get(k) == x for k, x in labels.items()))

    assert total("agentsudo_events_stored_total") - stored0 == 3
    assert total("agentsudo_quota_rejections_total") - rejected0 == 1
    by_status = {}
    for n, l, v in samples:
        if n == "agentsudo_http_requests_total":
            assert "route" in l and "status" in l, l
            by_status.setdefault(l["status"], 0)
            by_status[l["status"]] += v
    for status in ("200", "201", "400", "429"):
        assert by_status.get(status, 0) >= 1, by_status
    ingest_routes = {l["route"] for n, l, v in samples if n == "agentsudo_http_requests_total" and l.get("status") == "201"}
    assert any("ingest-event" in r for r in ingest_routes), ingest_routes
    # Histograms have buckets, a count and a sum; a commit happened.
    assert total("agentsudo_commit_batch_size_count") >= 2
    assert total("agentsudo_commit_batch_size_bucket", le="+Inf") == total("agentsudo_commit_batch_size_count")
    assert total("agentsudo_request_duration_seconds_count") >= 4
    assert total("agentsudo_request_duration_seconds_sum") > 0


def test_metrics_labels_are_bounded(server):
    """Unknown paths must not each create a new time series (route label cardinality)."""
    for i in range(20):
        assert server.get(f"/random-{i}").status == 404
    routes = {l.get("route") for n, l, v in server.metrics() if n == "agentsudo_http_requests_total"}
    assert not any(r and "random-" in r for r in routes), routes


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_exits_0(server, sig):
    assert server.get("/healthz").status == 200
    port = server.port
    rc = server.stop(sig)
    assert rc == 0, f"exit code {rc} after {sig!r}\n{server.logs()}"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_ready_file(make_server):
    """serve --ready-file: written once listening, private, and what the
    server printed; setup_url and default_api_key only when they apply."""
    s = make_server()
    s.start()
    assert s.ready_file_mode == 0o600, oct(s.ready_file_mode)
    assert s.pid == s.proc.pid
    assert set(s.ready) == {"url", "pid", "setup_url", "default_api_key"}, s.ready
    # The ready file can land before the pipe reader has the lines printed
    # just ahead of it, so wait for them rather than read once.
    for expected in (f"listening on {s.ready['url']}", s.ready["setup_url"], s.ready["default_api_key"]):
        assert s.wait_for_output(lambda line, e=expected: e in line), (expected, s.logs())
    assert s.get("/healthz").status == 200
    # A restart: the default project exists, no key; still no user, so setup.
    assert s.stop() == 0
    s.start()
    assert set(s.ready) == {"url", "pid", "setup_url"}, s.ready


def test_first_start_creates_the_default_project(make_server):
    # How fast it starts is for the benchmarks; the start itself is bounded by
    # the fixture's hang guard (STARTUP_TIMEOUT).
    s = make_server()
    s.start()
    assert s.get("/healthz").status == 200
    # First start: a default project, its key printed once.
    key = s.printed_key
    assert key, "no 'API key (shown once' line with a key on first start:\n" + "\n".join(s.run_output())
    assert KEY_RE.fullmatch(key)
    projects = s.cli("project", "list")
    assert [p["name"] for p in projects] == ["default"], projects
    assert projects[0]["daily_quota"] == 1000 and projects[0]["tier"] == "free"
    r = s.ingest(key)
    assert r.status == 201, r
    assert r.json["project_id"] == projects[0]["project_id"]
    assert r.headers.get("x-ratelimit-limit") == "1000"

    # Second start on the same directory: no new project, no key.
    assert s.stop() == 0
    s.start()
    assert s.printed_key is None
    out = "\n".join(s.run_output())
    assert "shown once" not in out and not KEY_RE.search(out), out
    assert len(s.cli("project", "list")) == 1
    assert s.ingest(key).status == 201


def test_first_key_is_printed_only_on_stdout_once(make_server):
    s = make_server()
    s.start()
    key = s.printed_key
    assert key
    s.ingest(key)
    s.stop()
    text = s.all_output()
    assert text.count(key) == 1, "the default key was printed more than once (or logged)"


def test_cli_before_first_serve(make_server):
    """A data dir prepared with the CLI before any serve: the server starts on it and its projects work."""
    s = make_server()
    project_id, key = s.create_project("mine")
    s.start()
    names = [p["name"] for p in s.cli("project", "list")]
    assert "mine" in names
    assert s.ingest(key).status == 201


def test_environment_variables_and_serve_is_default(make_server):
    s = make_server()
    s.start(args=[], env={"AGENTSUDO_LISTEN": "127.0.0.1:0", "AGENTSUDO_DATA_DIR": s.data_dir})
    assert s.get("/healthz").status == 200
    assert s.printed_key
    assert s.ingest(s.printed_key).status == 201
    # The data landed in the directory given by the environment.
    assert os.listdir(s.data_dir)
    assert s.stop() == 0


def test_port_in_use_fails_fast(server):
    with tempfile.TemporaryDirectory(prefix="agentsudo-it-busy-") as d:
        p = subprocess.run([SERVER_BIN, "serve", "--listen", f"127.0.0.1:{server.port}", "--data-dir", d],
                           capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    assert p.returncode != 0, p
    assert server.get("/healthz").status == 200


def test_unknown_command_fails(server):
    rc, out, err = server.cli("frobnicate", json_out=False, check=False)
    assert rc != 0


def test_cli_works_while_serving_under_load(server):
    """The admin CLI on the data dir of a busy server: neither blocks the other."""
    import threading
    project_id, key = server.create_project("busy", tier=10_000_000)
    stop = threading.Event()
    failures = []
    acks = [0]

    def stream():
        c = server.client()
        try:
            while not stop.is_set():
                r = server.ingest(key, client=c)
                if r.status != 201:
                    failures.append(r)
                    return
                acks[0] += 1
        except Exception as e:
            failures.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=stream) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(5):
            pid, k = server.create_project(f"p{i}")
            assert server.ingest(k).status == 201
        server.cli("key", "create", "--project", project_id)
        server.cli("project", "list")
    finally:
        stop.set()
        for t in threads:
            t.join(20)
    assert not failures, failures[:3]
    assert acks[0] > 0
    # No bound on time: a CLI blocked by the server's writer would fail on
    # SQLite's busy timeout, which server.cli() already turns into a failure.


def test_slow_and_idle_clients_do_not_block_others(server):
    _, key = server.create_project("slow")
    idle = []
    try:
        for i in range(40):
            c = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            if i % 2:
                c.sendall(b"POST /ingest-event HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")  # headers unfinished
            else:
                c.sendall(b"POST /ingest-event HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"X-API-Key: " + key.encode() + b"\r\nContent-Length: 100\r\n\r\n{\"agent")  # body unfinished
            idle.append(c)
        for _ in range(10):
            assert server.ingest(key).status == 201
        assert server.get("/healthz").status == 200
        # Answered while every stalled client is still stalled: the server has
        # neither answered nor closed any of them, so nothing above waited for
        # their request timeout to free the server.
        for c in idle:
            c.setblocking(False)  # with a timeout set, Python would wait for data first
            with pytest.raises(BlockingIOError):
                c.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    finally:
        for c in idle:
            c.close()


def test_sigterm_with_idle_connections_exits_promptly(server):
    """Open keep-alive and half-sent connections do not hold the shutdown hostage."""
    _, key = server.create_project("idle")
    keep = server.client()
    assert server.ingest(key, client=keep).status == 201  # now idle, kept alive
    half = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    half.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    try:
        rc = server.stop(signal.SIGTERM, timeout=30)  # a hang guard, not a bound
    finally:
        keep.close()
        half.close()
    assert rc == 0
    # Held hostage, the shutdown would wait out the drain deadline and say so.
    assert "drain deadline passed" not in server.all_output(), server.logs()
