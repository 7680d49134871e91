"""Request framing per RFC 9112, over raw sockets: a request whose body length
is ambiguous is refused and its connection closed, so nothing hidden in its
body is ever run as a next request (request smuggling); request targets and
Host are checked as §3.2 says; an oversized header section gets 431."""

from __future__ import annotations

import json
import socket
import time

import pytest

from support.events import assert_error, reference_event
from support.http_client import parse_http_response

# How long a test waits for the server to close a connection it must close.
# A connection the server keeps open instead makes the test wait this long and fail.
CLOSE_WAIT = 5.0


@pytest.fixture(scope="module")
def proj(mserver):
    return mserver.create_project("framing", tier="pro")


def event_body(agent_name):
    return json.dumps(reference_event(agent_name=agent_name)).encode()


def ingest_request(key, body, target=b"/ingest-event", host=b"x", extra=b"", length=True):
    """A well-formed POST /ingest-event, with `extra` header lines added."""
    head = (b"POST " + target + b" HTTP/1.1\r\n"
            + (b"Host: " + host + b"\r\n" if host is not None else b"")
            + b"Content-Type: application/json\r\nX-API-Key: " + key.encode() + b"\r\n"
            + (b"Content-Length: " + str(len(body)).encode() + b"\r\n" if length else b"")
            + extra + b"\r\n")
    return head + body


def exchange_until_close(port, data, timeout=CLOSE_WAIT):
    """Sends `data` on a new connection and reads until the server closes it or
    `timeout` passes. Returns (bytes received, whether the server closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    chunks = []
    closed = False
    deadline = time.monotonic() + timeout
    try:
        s.sendall(data)
        while time.monotonic() < deadline:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            chunks.append(chunk)
    finally:
        s.close()
    return b"".join(chunks), closed


def split_responses(data):
    """The HTTP responses in `data`, each parsed (all carry Content-Length)."""
    responses = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep:
            break
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        responses.append(parse_http_response(head + sep + rest[:length]))
        data = rest[length:]
    return responses


def refused_and_closed(mserver, data, status, code):
    """Asserts the request gets exactly one answer, the error given, and that
    the server then closes the connection. Returns the error body."""
    got, closed = exchange_until_close(mserver.port, data)
    responses = split_responses(got)
    assert len(responses) == 1, f"expected one answer, got {len(responses)}: {got[:800]!r}"
    body = assert_error(responses[0], status, code)
    assert closed, "the server kept the connection open after a framing error"
    if not got.startswith(b"HTTP/1.0"):  # where closing is not the default
        assert (responses[0].header("connection") or "").lower() == "close", responses[0]
    return body


def smuggling(key, transfer_encoding, agent_name):
    """A POST whose body is a second, complete ingest request; a server that
    misreads the outer framing runs the inner one."""
    inner = ingest_request(key, event_body(agent_name))
    return ingest_request(key, inner, length=False,
                          extra=b"Transfer-Encoding: " + transfer_encoding + b"\r\n")


# ---- Transfer-Encoding (§6.1, §6.3) -------------------------------------------

@pytest.mark.parametrize("coding", [b"identity", b"chunked, identity", b"xchunked", b"chunkedx",
                                    b"gzip", b"chunked;q=1", b"", b", ,", b"chunked, chunked"])
def test_final_coding_not_chunked_is_400_and_the_body_never_runs(mserver, proj, coding):
    project_id, key = proj
    agent = "Smuggled-" + (coding.decode().replace(",", "").replace(" ", "").replace(";", "")
                           .replace("=", "") or "empty")
    body = refused_and_closed(mserver, smuggling(key, coding, agent), 400, "INVALID_PAYLOAD")
    assert "Transfer-Encoding" in body["error"], body
    assert mserver.all_events(project_id, agent_name=agent) == []


@pytest.mark.parametrize("coding", [b"gzip, chunked", b"deflate, chunked", b"identity, chunked"])
def test_coding_the_server_does_not_implement_is_501(mserver, proj, coding):
    """§6.1: a server SHOULD answer 501 to a transfer coding it does not understand."""
    project_id, key = proj
    body = event_body("Gzipped")
    chunked = hex(len(body))[2:].encode() + b"\r\n" + body + b"\r\n0\r\n\r\n"
    data = ingest_request(key, chunked, length=False, extra=b"Transfer-Encoding: " + coding + b"\r\n")
    refused_and_closed(mserver, data, 501, "NOT_IMPLEMENTED")
    assert mserver.all_events(project_id, agent_name="Gzipped") == []


def test_chunked_alone_still_works(mserver, proj):
    project_id, key = proj
    body = event_body("Chunked")
    chunked = hex(len(body))[2:].encode() + b"\r\n" + body + b"\r\n0\r\n\r\n"
    data = ingest_request(key, chunked, length=False, extra=b"Transfer-Encoding: Chunked\r\n")
    got, _ = exchange_until_close(mserver.port, data + b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                  b"Connection: close\r\n\r\n")
    responses = split_responses(got)
    assert [r.status for r in responses] == [201, 200], got[:800]
    assert len(mserver.all_events(project_id, agent_name="Chunked")) == 1


@pytest.mark.parametrize("fields", [
    b"Content-Length: {n}\r\nTransfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: chunked\r\nContent-Length: {n}\r\n",
    b"Content-Length: {n}\r\nTransfer-Encoding: identity\r\n",
    b"Transfer-Encoding: identity\r\nContent-Length: {n}\r\n",
], ids=["cl-then-chunked", "chunked-then-cl", "cl-then-identity", "identity-then-cl"])
def test_transfer_encoding_with_content_length_is_400_and_closed(mserver, proj, fields):
    """§6.1 lets TE win or calls it an error; we take the error: nothing of the
    message is processed, since either framing may be the one a proxy used."""
    project_id, key = proj
    inner = ingest_request(key, event_body("BothFramings"))
    body = hex(len(inner))[2:].encode() + b"\r\n" + inner + b"\r\n0\r\n\r\n"
    extra = fields.replace(b"{n}", str(len(body)).encode())
    refused_and_closed(mserver, ingest_request(key, body, length=False, extra=extra), 400,
                       "INVALID_PAYLOAD")
    assert mserver.all_events(project_id, agent_name="BothFramings") == []


def test_transfer_encoding_in_http_1_0_is_400(mserver, proj):
    """§6.1: HTTP/1.0 has no transfer codings; such framing is faulty."""
    _, key = proj
    data = (b"POST /ingest-event HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"X-API-Key: " + key.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    refused_and_closed(mserver, data, 400, "INVALID_PAYLOAD")


# ---- header fields (§5.2) -----------------------------------------------------

@pytest.mark.parametrize("folded", [b"X-Note: first\r\n second\r\n", b"X-Note: first\r\n\tsecond\r\n",
                                    b"X-Note:\r\n folded\r\n"])
def test_obsolete_line_folding_is_400(mserver, proj, folded):
    project_id, key = proj
    data = ingest_request(key, event_body("Folded"), extra=folded)
    body = refused_and_closed(mserver, data, 400, "INVALID_PAYLOAD")
    assert "fold" in body["error"], body
    assert mserver.all_events(project_id, agent_name="Folded") == []


def test_whitespace_before_the_first_field_is_400(mserver):
    """§2.2: a line of whitespace after the start line hides a field from some parsers."""
    data = b"GET /healthz HTTP/1.1\r\n Host: x\r\n\r\n"
    refused_and_closed(mserver, data, 400, "INVALID_PAYLOAD")


def test_header_section_over_the_limit_is_431(mserver):
    data = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
    data += b"".join(b"X-Junk-%d: %s\r\n" % (i, b"y" * 100) for i in range(200)) + b"\r\n"
    assert len(data) > 16 * 1024
    refused_and_closed(mserver, data, 431, "HEADER_TOO_LARGE")


def test_header_section_just_under_the_limit_is_served(mserver):
    padding = b"y" * (15 * 1024)
    r = mserver.raw_request(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + padding + b"\r\n\r\n")
    assert r is not None and r.status == 200, r


# ---- request target and Host (§3.2) -------------------------------------------

def test_absolute_form_target_is_routed_by_its_path(mserver, proj):
    project_id, key = proj
    target = f"http://127.0.0.1:{mserver.port}/ingest-event".encode()
    r = mserver.raw_request(ingest_request(key, event_body("Absolute"), target=target))
    assert r is not None and r.status == 201, r
    assert r.json["agent_name"] == "Absolute"
    assert len(mserver.all_events(project_id, agent_name="Absolute")) == 1


@pytest.mark.parametrize("target", [b"http://example.test/healthz", b"HTTP://EXAMPLE.TEST/healthz",
                                    b"https://example.test:8443/healthz?probe=1",
                                    b"http://[::1]:8080/healthz"])
def test_absolute_form_get(mserver, target):
    r = mserver.raw_request(b"GET " + target + b" HTTP/1.1\r\nHost: other\r\n\r\n")
    assert r is not None and r.status == 200 and r.json == {"status": "ok"}, r


def test_absolute_form_without_a_path_means_the_root(mserver):
    root = mserver.raw_request(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    r = mserver.raw_request(b"GET http://example.test HTTP/1.1\r\nHost: x\r\n\r\n")
    assert root is not None and r is not None, (root, r)
    assert (r.status, r.raw) == (root.status, root.raw), (root, r)


@pytest.mark.parametrize("target", [b"metrics", b"healthz", b"ingest-event", b"ftp://example.test/healthz",
                                    b"http://user@example.test/healthz", b"http:///healthz",
                                    b"?x=1", b"*"])
def test_target_that_is_not_origin_or_absolute_form_is_400(mserver, target):
    data = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    body = refused_and_closed(mserver, data, 400, "INVALID_PAYLOAD")
    assert "target" in body["error"], body


def test_http_1_1_without_host_is_400(mserver):
    body = refused_and_closed(mserver, b"GET /healthz HTTP/1.1\r\n\r\n", 400, "INVALID_PAYLOAD")
    assert "Host" in body["error"], body


def test_two_host_fields_are_400(mserver):
    data = b"GET /healthz HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n"
    body = refused_and_closed(mserver, data, 400, "INVALID_PAYLOAD")
    assert "Host" in body["error"], body


@pytest.mark.parametrize("host", [b"a b", b"a/b", b"user@a.test", b"a.test\x01"])
def test_host_with_an_invalid_value_is_400(mserver, host):
    data = b"GET /healthz HTTP/1.1\r\nHost: " + host + b"\r\n\r\n"
    refused_and_closed(mserver, data, 400, "INVALID_PAYLOAD")


def test_http_1_0_without_host_is_served(mserver):
    r = mserver.raw_request(b"GET /healthz HTTP/1.0\r\n\r\n")
    assert r is not None and r.status == 200, r


def test_empty_host_is_allowed(mserver):
    """§3.2: a client with no authority to name sends an empty Host."""
    r = mserver.raw_request(b"GET /healthz HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n")
    assert r is not None and r.status == 200, r


def test_server_survives_and_answered_no_5xx_but_501(mserver):
    """501 is the refusal of a coding; the dashboard's 503 (when none is built)
    comes from the root requests above; any other 5xx is a failure."""
    assert mserver.alive(), mserver.logs()
    r = mserver.get("/healthz")
    assert r.status == 200, r
    expected = {("unmatched", "501"), ("dashboard", "503")}
    fivexx = [(labels, v) for name, labels, v in mserver.metrics()
              if name == "agentsudo_http_requests_total" and labels.get("status", "").startswith("5")
              and (labels.get("route"), labels.get("status")) not in expected and v > 0]
    assert not fivexx, fivexx
