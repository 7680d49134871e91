"""Transport limits over real sockets: the server at its descriptor limit
refuses what it cannot serve (closed at once, counted) without spinning and
serves again once connections close; `--max-connections` caps connections;
a request must arrive whole within `--request-timeout` (else `408`), and an
idle keep-alive connection is closed after `--idle-timeout`."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from support.events import assert_error, reference_event
from support.http_client import _complete_http_response, parse_http_response
from support.process import SERVER_BIN
from support.server import Server
from support.timeouts import TIMEOUT

# Hang guard for what the server must do by itself (close, answer 408): a
# server that never does makes the test wait this long and fail.
SERVER_ACTS_WITHIN = 15.0
# The timeouts of `timeout_server`: the 408 tests must see the request timeout
# act well before the idle timeout could have closed the connection.
REQUEST_TIMEOUT = 2
IDLE_TIMEOUT = 30


def serve_args(server, *extra):
    return ["serve", "--listen", "127.0.0.1:0", "--data-dir", server.data_dir, *extra]


def wait_until(predicate, what, timeout=SERVER_ACTS_WITHIN):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout}s: {what}")
        time.sleep(0.05)


def cpu_seconds(pid):
    """User plus system CPU time the process has used so far."""
    after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(after_name[11]), int(after_name[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def closed_by_server(sock):
    """Whether the server has closed `sock` (EOF or reset), without waiting."""
    sock.setblocking(False)  # with a timeout set, Python would wait for data first
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False
    except (ConnectionResetError, ConnectionAbortedError):
        return True


def healthz_status(port):
    """GET /healthz on a new connection: its status, or None when the
    connection was refused or closed without an answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("GET", "/healthz", headers={"Connection": "close"})
        response = conn.getresponse()
        response.read()
        return response.status
    except (http.client.HTTPException, ConnectionError, socket.timeout):
        return None
    finally:
        conn.close()


def get_on(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def read_until_closed(sock, timeout=SERVER_ACTS_WITHIN):
    """What the server sends on `sock` until it closes it or `timeout` passes.
    Returns (bytes, whether the server closed)."""
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            return b"".join(chunks), True
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
    return b"".join(chunks), False


def open_connections(port, count):
    return [socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) for _ in range(count)]


def close_all(sockets):
    for s in sockets:
        s.close()


# ---- descriptors and the connection cap ----

def assert_refuses_at_the_limit_without_spinning(server):
    """400 connections against a server limited to 256 descriptors: the excess
    is closed at once (not left waiting in the backlog), the server stays idle
    meanwhile, and it serves again once some of them close."""
    held = open_connections(server.port, 400)
    try:
        wait_until(lambda: any(closed_by_server(c) for c in held),
                   "the server closed a connection it could not serve")
        before = cpu_seconds(server.pid)
        time.sleep(3)  # the span measured, not a wait for a condition
        used = cpu_seconds(server.pid) - before
        # A loop spinning on EMFILE burns most of a core (2+ CPU-s in 3 s).
        assert used < 0.5, f"the server used {used:.2f} CPU-s in 3 s with 400 connections held"
        # The earliest connections are the ones it accepted; closing them frees room.
        close_all(held[:100])
        wait_until(lambda: healthz_status(server.port) == 200, "/healthz answered after 100 closed")
        assert server.metric_sum("agentsudo_connections_refused_total") > 0
    finally:
        close_all(held)
    wait_until(lambda: server.metric_sum("agentsudo_connections_open") <= 1,
               "every closed connection left the open count")
    assert server.ingest(server.printed_key).status == 201


def test_default_cap_leaves_room_below_a_low_descriptor_limit(make_server):
    server = make_server()
    server.start(descriptor_limit=(256, 256))
    assert_refuses_at_the_limit_without_spinning(server)


def test_accept_backs_off_when_descriptors_run_out(make_server):
    # A cap above what 256 descriptors allow: accept itself fails with EMFILE.
    server = make_server()
    server.start(args=serve_args(server, "--max-connections", "1000"), descriptor_limit=(256, 256))
    assert_refuses_at_the_limit_without_spinning(server)


def test_soft_descriptor_limit_is_raised_to_the_hard_one(make_server):
    server = make_server()
    server.start(descriptor_limit=(256, 4096))
    limits = Path(f"/proc/{server.pid}/limits").read_text().splitlines()
    line = next(line for line in limits if line.startswith("Max open files"))
    soft, hard = line.split()[3:5]
    assert (soft, hard) == ("4096", "4096"), line
    logged = server.wait_for_output(lambda l: "descriptor limit" in l)
    assert logged and "4096" in logged, server.logs()


def test_max_connections_refuses_the_next_and_serves_again_after_a_close(make_server):
    server = make_server()
    server.start(args=serve_args(server, "--max-connections", "20"))
    conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT) for _ in range(20)]
    try:
        for conn in conns:
            assert get_on(conn, "/healthz")[0] == 200
        extra = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
        try:
            wait_until(lambda: closed_by_server(extra), "the 21st connection was closed")
        finally:
            extra.close()
        status, body = get_on(conns[0], "/metrics")  # the connections held are still served
        assert status == 200
        text = body.decode()
        assert "agentsudo_connections_open 20\n" in text, text
        refused = next(l for l in text.splitlines() if l.startswith("agentsudo_connections_refused_total "))
        assert int(refused.split()[1]) >= 1, refused
        conns[1].close()
        wait_until(lambda: healthz_status(server.port) == 200, "a new connection served after one closed")
    finally:
        for conn in conns:
            conn.close()


# ---- timeouts ----

@pytest.fixture(scope="module")
def timeout_server():
    s = Server()
    try:
        s.start(args=serve_args(s, "--request-timeout", str(REQUEST_TIMEOUT),
                                "--idle-timeout", str(IDLE_TIMEOUT)))
        yield s
    finally:
        s.close()


def assert_timed_out(data, closed):
    """A 408 with the standard error body, Connection: close, then the close."""
    response = parse_http_response(data)
    assert response is not None, f"no answer before the connection ended: {data!r}"
    assert_error(response, 408, "REQUEST_TIMEOUT")
    assert response.header("connection") == "close", response
    assert closed, "the connection stayed open after the 408"


def timed_out_count(server):
    return server.metric_sum("agentsudo_requests_timed_out_total")


def stalled_exchange(server, data):
    before = timed_out_count(server)
    s = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    try:
        s.sendall(data)
        assert_timed_out(*read_until_closed(s))
    finally:
        s.close()
    assert timed_out_count(server) > before


def test_partial_header_then_stall_gets_408(timeout_server):
    stalled_exchange(timeout_server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Partial: ye")


def test_partial_body_then_stall_gets_408(timeout_server):
    key = timeout_server.printed_key
    body = json.dumps(reference_event()).encode()
    head = (b"POST /ingest-event HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"X-API-Key: " + key.encode() + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    stored = timeout_server.metric_sum("agentsudo_events_stored_total")
    stalled_exchange(timeout_server, head + body[:10])
    assert timeout_server.metric_sum("agentsudo_events_stored_total") == stored


def test_header_dribbled_a_byte_at_a_time_gets_408_at_the_request_timeout(timeout_server):
    s = socket.create_connection(("127.0.0.1", timeout_server.port), timeout=TIMEOUT)
    answered = threading.Event()

    def dribble():
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Dribble: ")
            while not answered.wait(0.5):
                s.sendall(b"a")  # each byte would reset a per-read timeout
        except OSError:
            pass  # the server closed after its 408

    sender = threading.Thread(target=dribble, daemon=True)
    sender.start()
    try:
        # Well before the idle timeout, which would close without a word.
        data, closed = read_until_closed(s, timeout=IDLE_TIMEOUT - 10)
        answered.set()
        assert_timed_out(data, closed)
    finally:
        answered.set()
        sender.join(TIMEOUT)
        s.close()


def test_a_slow_request_started_is_not_cut_by_the_idle_timeout(make_server):
    server = make_server()
    server.start(args=serve_args(server, "--idle-timeout", "1", "--request-timeout", "30"))
    s = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        time.sleep(2.5)  # the stimulus: longer than the idle timeout, mid-request
        s.sendall(b"Connection: close\r\n\r\n")
        data, closed = read_until_closed(s)
        response = parse_http_response(data)
        assert response is not None and response.status == 200, data
    finally:
        s.close()


def test_idle_keep_alive_connection_is_closed_without_an_answer(make_server):
    # RFC 9110 §15.5.9 allows a 408 here; the server closes silently instead,
    # since a client whose next request crossed the 408 would take it as its answer.
    server = make_server()
    server.start(args=serve_args(server, "--idle-timeout", "1", "--request-timeout", "30"))
    s = socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        deadline = time.monotonic() + TIMEOUT
        got = b""
        while not _complete_http_response(got) and time.monotonic() < deadline:
            got += s.recv(65536)
        assert parse_http_response(got).status == 200
        data, closed = read_until_closed(s)
        assert closed and data == b"", data
    finally:
        s.close()


@pytest.mark.parametrize("option,value", [
    ("--request-timeout", "0"), ("--request-timeout", "-3"), ("--idle-timeout", "0"),
    ("--idle-timeout", "x"), ("--max-connections", "0"),
])
def test_transport_options_are_validated(option, value, tmp_path):
    run = subprocess.run([SERVER_BIN, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path),
                          option, value], capture_output=True, text=True, timeout=TIMEOUT)
    assert run.returncode != 0
    assert option in run.stderr + run.stdout, run.stderr
