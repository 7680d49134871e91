"""HTTP to the server: a keep-alive client, raw-socket exchanges for what a
client library would not send, and parsing of raw answers."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time

from .prometheus import parse_prometheus
from .events import reference_event
from .timeouts import TIMEOUT


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
    """One raw HTTP/1.1 answer as a Response (None if there is none)."""
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


class HttpDriver:
    """The HTTP half of `Server`: needs `port` and `_client` (an HttpClient)."""

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

    def raw_request(self, data, timeout=TIMEOUT):
        """raw_exchange, parsed as one HTTP response (None if none arrived)."""
        got = self.raw_exchange(data, timeout)
        return parse_http_response(got)

    def metrics(self):
        """/metrics parsed: a list of (name, labels dict, value)."""
        r = self.get("/metrics")
        assert r.status == 200, r
        return parse_prometheus(r.raw.decode("utf-8"))

    def metric_sum(self, name, **labels):
        return sum(v for n, l, v in self.metrics()
                   if n == name and all(l.get(k) == val for k, val in labels.items()))
