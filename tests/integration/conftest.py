"""Fixtures for the integration tests: the real agentsudo-server binary, over the wire.

Every test talks HTTP to a server process started on a free port with a
private temporary data directory, and drives the admin CLI (the same binary)
on that data directory. Nothing here is mocked.
"""

from __future__ import annotations

import ctypes
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVER_BIN = os.environ.get("AGENTSUDO_SERVER_BIN", str(REPO / "build" / "bin" / "agentsudo-server"))

# Upper bound for any single network operation or CLI call: a hang fails the
# test instead of blocking the suite.
TIMEOUT = 15.0
STARTUP_TIMEOUT = 10.0

LISTEN_RE = re.compile(r"agentsudo-server listening on http://127\.0\.0\.1:(\d+)")
KEY_RE = re.compile(r"as_[A-Za-z0-9_-]{32,}")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# RFC 3339 in UTC, as the server writes it: six fraction digits and a Z.
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
# Any RFC 3339 UTC time with a trailing Z (for the reference's looser contract).
TS_Z_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def reference_event(**overrides):
    """The body of the reference's cURL example (plus overrides)."""
    event = {
        "agent_name": "SupportBot",
        "action": "permission_check",
        "scope": "read:orders",
        "allowed": True,
        "function_name": "get_order",
    }
    event.update(overrides)
    return event


class Response:
    """An HTTP answer. Unpacks as (status, headers, json_body)."""

    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers  # lower-cased names
        self.raw = raw
        try:
            self.json = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            self.json = None

    def __iter__(self):
        return iter((self.status, self.headers, self.json))

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        body = self.raw[:600].decode("utf-8", "replace")
        return f"<HTTP {self.status} headers={self.headers} body={body!r}>"


def _die_with_parent():
    """In the child: get SIGKILL if the test process dies, so no server outlives a
    crashed or timed-out test run (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _headers_dict(msg):
    out = {}
    for k, v in msg.items():
        k = k.lower()
        out[k] = f"{out[k]}, {v}" if k in out else v
    return out


class HttpClient:
    """A keep-alive http.client connection that reconnects when needed."""

    def __init__(self, port, timeout=TIMEOUT):
        self.port = port
        self.timeout = timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None, content_type="application/json"):
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None and content_type is not None:
            hdrs.setdefault("Content-Type", content_type)
        for attempt in range(2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=hdrs)
                resp = self.conn.getresponse()
                raw = resp.read()
                result = Response(resp.status, _headers_dict(resp.msg), raw)
                if resp.will_close:
                    self.close()
                return result
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server closed meanwhile: retry once
                # on a fresh one (only safe because the first attempt was reused).
                self.close()
                if attempt == 1 or not reused:
                    raise
        raise AssertionError("unreachable")


class CliError(AssertionError):
    pass


class Server:
    """One agentsudo-server process on a data directory."""

    def __init__(self, data_dir=None, extra_env=None):
        self.bin = SERVER_BIN
        self._own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="agentsudo-it-")
        self.extra_env = extra_env or {}
        self.proc = None
        self.port = None
        self.printed_key = None
        self.startup_seconds = None
        self.stdout_lines = []  # every line of every run, in order
        self.stderr_lines = []
        self._lock = threading.Condition()
        self._readers = []
        self._client = None
        self._token = None
        self._expect_running = False
        self.runs = 0

    # ---- process control -------------------------------------------------

    def start(self, args=None, env=None):
        if not os.access(self.bin, os.X_OK):
            pytest.fail(f"server binary not found or not executable: {self.bin} "
                        "(set AGENTSUDO_SERVER_BIN or build it first)")
        assert self.proc is None or self.proc.poll() is not None, "already running"
        if args is None:
            args = ["serve", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir]
        full_env = dict(os.environ)
        full_env.update(self.extra_env)
        if env:
            full_env.update(env)
        with self._lock:
            first_out = len(self.stdout_lines)
        t0 = time.monotonic()
        self.proc = subprocess.Popen([self.bin, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, env=full_env, preexec_fn=_die_with_parent)
        self.runs += 1
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr_lines), daemon=True),
        ]
        for t in self._readers:
            t.start()
        deadline = t0 + STARTUP_TIMEOUT
        port = None
        with self._lock:
            while port is None:
                for line in self.stdout_lines[first_out:]:
                    m = LISTEN_RE.search(line)
                    if m:
                        port = int(m.group(1))
                        break
                if port is not None:
                    break
                if self.proc.poll() is not None:
                    # Let the pumps drain what is left.
                    self._lock.wait(0.2)
                    pytest.fail(f"server exited with {self.proc.returncode} before listening\n" + self.logs())
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.proc.kill()
                    self.proc.wait(5)
                    pytest.fail(f"server did not print its listening line within {STARTUP_TIMEOUT}s\n"
                                + self.logs())
                self._lock.wait(min(remaining, 0.05))
            self.startup_seconds = time.monotonic() - t0
            run_lines = self.stdout_lines[first_out:]
        self.port = port
        self.run_stdout_start = first_out
        self.printed_key = None
        for line in run_lines:
            if "API key (shown once" in line:
                m = KEY_RE.search(line)
                if m:
                    self.printed_key = m.group(0)
        self._expect_running = True
        self._client = HttpClient(port)
        return self

    def _pump(self, stream, sink):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self._lock:
                sink.append(line)
                self._lock.notify_all()
        stream.close()

    def run_output(self):
        """stdout of the current (or last) run so far."""
        with self._lock:
            return list(self.stdout_lines[self.run_stdout_start:])

    def wait_for_output(self, predicate, timeout=5.0):
        """Wait until some stdout/stderr line satisfies predicate; return it or None."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for line in self.stdout_lines + self.stderr_lines:
                    if predicate(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._lock.wait(remaining)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Signal the server and wait; returns its exit code."""
        self._expect_running = False
        if self._client:
            self._client.close()
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            pytest.fail(f"server did not exit within {timeout}s after signal {sig}\n" + self.logs())
        for t in self._readers:
            t.join(5)
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        rc = self.stop()
        assert rc == 0, f"SIGTERM exit code {rc}\n{self.logs()}"
        return self.start()

    def close(self):
        """Teardown: fail loudly if the server died on its own, then stop it."""
        died = None
        if self._expect_running and self.proc is not None and self.proc.poll() is not None:
            died = self.proc.returncode
        if self.proc is not None and self.proc.poll() is None:
            self.stop(signal.SIGTERM)
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        if died is not None:
            pytest.fail(f"the server died during the test (exit code {died})\n" + self.logs())

    def logs(self, tail=60):
        with self._lock:
            out = self.stdout_lines[-tail:]
            err = self.stderr_lines[-tail:]
        return "---- server stdout ----\n" + "\n".join(out) + "\n---- server stderr ----\n" + "\n".join(err)

    def all_output(self):
        with self._lock:
            return "\n".join(self.stdout_lines + self.stderr_lines)

    # ---- HTTP ------------------------------------------------------------

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, content_type="application/json"):
        """One request on the fixture's keep-alive connection (not thread-safe)."""
        return self._client.request(method, path, body=body, headers=headers, content_type=content_type)

    def client(self):
        """A fresh keep-alive connection for use from another thread."""
        return HttpClient(self.port)

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def ingest(self, key, event=None, headers=None, client=None, **kw):
        body = reference_event(**kw) if event is None else event
        hdrs = {"X-API-Key": key} if key is not None else {}
        hdrs.update(headers or {})
        return (client or self._client).request("POST", "/ingest-event", body=body, headers=hdrs)

    def batch(self, key, events, headers=None, client=None):
        hdrs = {"X-API-Key": key} if key is not None else {}
        hdrs.update(headers or {})
        return (client or self._client).request("POST", "/api/events", body=events, headers=hdrs)

    def raw_exchange(self, data, timeout=TIMEOUT):
        """Send raw bytes on a new socket (while reading concurrently) and return
        what the server answered before closing or the timeout, as bytes.

        The body is sent from a thread so that a server answering early (413)
        and closing does not lose its answer behind our blocked send."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        sender_error = []

        def send():
            try:
                s.sendall(data)
            except OSError as e:  # the server may close while we send
                sender_error.append(e)

        t = threading.Thread(target=send, daemon=True)
        t.start()
        chunks = []
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
                got = b"".join(chunks)
                if _complete_http_response(got):
                    break
        finally:
            t.join(timeout)
            s.close()
        return b"".join(chunks)

    def post_raw(self, path, body, headers=None, content_type="application/json", timeout=TIMEOUT):
        """POST with Connection: close on a raw socket; survives a server that
        answers before reading the whole (large) body."""
        hdrs = {"Host": f"127.0.0.1:{self.port}", "Connection": "close", "Content-Length": str(len(body))}
        if content_type:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
        return self.raw_request(head.encode("latin-1") + body, timeout)

    def metrics(self):
        """/metrics parsed: a list of (name, labels dict, value)."""
        r = self.get("/metrics")
        assert r.status == 200, r
        return parse_prometheus(r.raw.decode("utf-8"))

    def metric_sum(self, name, **labels):
        return sum(v for n, l, v in self.metrics()
                   if n == name and all(l.get(k) == val for k, val in labels.items()))

    def raw_request(self, data, timeout=TIMEOUT):
        """raw_exchange, parsed as one HTTP response (None if none arrived)."""
        got = self.raw_exchange(data, timeout)
        return parse_http_response(got)

    # ---- admin CLI -------------------------------------------------------

    def cli(self, *args, json_out=True, check=True, timeout=TIMEOUT):
        cmd = [self.bin, *args, "--data-dir", self.data_dir]
        if json_out:
            cmd.append("--json")
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise CliError(f"{cmd} exited {p.returncode}\nstdout: {out}\nstderr: {err}")
        if not check:
            return p.returncode, out, err
        if json_out:
            try:
                return json.loads(out)
            except ValueError:
                raise CliError(f"{cmd}: stdout is not exactly one JSON value: {out!r}\nstderr: {err}")
        return out

    def create_project(self, name="proj", tier="pro"):
        args = ["project", "create", "--name", name]
        if tier is not None:
            args += ["--tier", str(tier)]
        obj = self.cli(*args)
        assert set(obj) >= {"project_id", "api_key"}, obj
        return obj["project_id"], obj["api_key"]

    def set_tier(self, project_id, tier):
        return self.cli("project", "set-tier", "--project", project_id, "--tier", str(tier), json_out=False)

    def token(self):
        if self._token is None:
            self._token = self.cli("token", "create")["token"]
        return self._token

    # ---- read API --------------------------------------------------------

    def read(self, project_id, token=None, headers=None, **params):
        token = self.token() if token is None else token
        hdrs = {"Authorization": f"Bearer {token}"} if token else {}
        hdrs.update(headers or {})
        q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        path = f"/api/v1/projects/{project_id}/events" + (f"?{q}" if q else "")
        return self.get(path, headers=hdrs)

    def all_events(self, project_id, page_size=1000, **filters):
        """Every event of the project matching filters, paging with the cursor."""
        events = []
        cursor = None
        for _ in range(100000):
            r = self.read(project_id, limit=page_size, cursor=cursor, **filters)
            assert r.status == 200, r
            events.extend(r.json["events"])
            cursor = r.json["next_cursor"]
            if cursor is None:
                return events
        raise AssertionError("pagination does not end")

    def count(self, project_id, **filters):
        return len(self.all_events(project_id, **filters))


_SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$')
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text):
    samples = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE_RE.match(line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(_LABEL_RE.findall(m.group(3) or ""))
        samples.append((m.group(1), labels, float(m.group(4))))
    return samples


def _complete_http_response(data):
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if m:
        return len(body) >= int(m.group(1))
    if re.search(rb"(?im)^transfer-encoding:.*chunked", head):
        return body.endswith(b"0\r\n\r\n")
    return False


def parse_http_response(data):
    if not data:
        return None
    head, sep, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        return None
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    return Response(int(parts[1]), headers, body)


def _dechunk(data):
    out = []
    while data:
        size_line, sep, rest = data.partition(b"\r\n")
        if not sep:
            break
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        data = rest[size + 2:]
    return b"".join(out)


def assert_error(resp, status, code, field=None, index=None):
    """The common error shape of docs/API.md."""
    assert resp.status == status, f"expected {status} {code}, got {resp!r}"
    body = resp.json
    assert isinstance(body, dict), f"error body is not a JSON object: {resp!r}"
    assert isinstance(body.get("error"), str) and body["error"].strip(), f"no error sentence: {body}"
    assert body.get("code") == code, f"expected code {code}: {body}"
    ctype = resp.header("content-type") or ""
    assert ctype.startswith("application/json"), f"error Content-Type {ctype!r}"
    if field is not None:
        assert body.get("field") == field, f"expected field {field!r}: {body}"
        assert field in body["error"], f"error sentence does not name {field!r}: {body}"
    if index is not None:
        assert body.get("index") == index, f"expected index {index}: {body}"
    return body


# ---- fixtures -------------------------------------------------------------

@pytest.fixture
def server():
    """A fresh server on a fresh data dir, for one test."""
    s = Server()
    try:
        s.start()
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def mserver():
    """One server shared by a module's tests (they must not interfere)."""
    s = Server()
    try:
        s.start()
        yield s
    finally:
        s.close()


@pytest.fixture
def make_server():
    """Factory for servers that a test starts itself (e.g. to time startup)."""
    made = []

    def factory(**kw):
        s = Server(**kw)
        made.append(s)
        return s

    yield factory
    for s in made:
        s.close()
