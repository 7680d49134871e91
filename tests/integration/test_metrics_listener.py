"""`serve --metrics-listen HOST:PORT`: /metrics (and /healthz) on a listener
of their own, and /metrics gone from the public one. Without the option the
public listener serves /metrics as before."""

import subprocess
import tempfile
import urllib.parse

from support.events import assert_error
from support.http_client import HttpClient
from support.process import SERVER_BIN
from support.prometheus import parse_prometheus
from support.timeouts import TIMEOUT


def start_with_metrics_listener(make_server):
    server = make_server()
    server.start(args=["serve", "--listen", "127.0.0.1:0", "--data-dir", server.data_dir,
                       "--metrics-listen", "127.0.0.1:0"])
    url = urllib.parse.urlsplit(server.ready.get("metrics_url", ""))
    assert url.scheme == "http" and url.hostname == "127.0.0.1" and url.port, server.ready
    assert url.path == "/metrics", server.ready
    assert url.port != server.port
    return server, HttpClient(url.port)


def events_stored(client):
    r = client.request("GET", "/metrics")
    assert r.status == 200, r
    return sum(v for name, _, v in parse_prometheus(r.raw.decode("utf-8"))
               if name == "agentsudo_events_stored_total")


def test_metrics_served_on_their_own_listener_only(make_server):
    server, metrics = start_with_metrics_listener(make_server)
    r = metrics.request("GET", "/metrics")
    assert r.status == 200, r
    assert r.header("content-type").startswith("text/plain"), r.headers
    assert "# TYPE agentsudo_http_requests_total counter" in r.raw.decode()
    assert metrics.request("GET", "/healthz").json == {"status": "ok"}

    # The public listener no longer answers /metrics, and still serves the rest.
    assert_error(server.get("/metrics"), 404, "NOT_FOUND")
    assert server.get("/healthz").status == 200
    _, key = server.create_project("counted", tier="pro")
    stored = events_stored(metrics)
    assert server.ingest(key).status == 201
    assert events_stored(metrics) == stored + 1

    # Nothing but the ops routes on the metrics listener: no API, no dashboard.
    for path in ("/api/v1/projects", "/", "/index.html", "/api/v1/setup"):
        assert_error(metrics.request("GET", path), 404, "NOT_FOUND")
    assert_error(metrics.request("POST", "/ingest-event", body={}, headers={"X-API-Key": key}), 404,
                 "NOT_FOUND")
    assert any(server.ready["metrics_url"] in line for line in server.run_output()), server.logs()


def test_without_the_option_the_public_listener_serves_metrics(server):
    assert "metrics_url" not in server.ready, server.ready
    r = server.get("/metrics")
    assert r.status == 200, r
    assert "# TYPE agentsudo_http_requests_total counter" in r.raw.decode()


def test_a_bad_metrics_address_stops_the_start():
    with tempfile.TemporaryDirectory(prefix="agentsudo-it-") as data_dir:
        p = subprocess.run([SERVER_BIN, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir,
                            "--metrics-listen", "nowhere"],
                           capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert p.returncode != 0, p
    assert b"nowhere" in p.stderr, p.stderr
