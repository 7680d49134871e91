"""Every error of docs/API.md, in the common body shape; a refused request stores nothing;
garbage never crashes the server."""

import json

import pytest

from support.events import assert_error, reference_event


@pytest.fixture(scope="module")
def proj(mserver):
    return mserver.create_project("errors", tier="pro")


@pytest.fixture
def unchanged(mserver, proj):
    """Asserts at the end of the test that the project's events did not change."""
    project_id, _ = proj
    before = mserver.count(project_id)
    yield
    assert mserver.alive(), "server died\n" + mserver.logs()
    after = mserver.count(project_id)
    assert after == before, f"a refused request stored something: {before} -> {after} events"


def ev(**kw):
    """The reference event with overrides; a value of DROP removes the member."""
    e = reference_event()
    for k, v in kw.items():
        if v is DROP:
            e.pop(k, None)
        else:
            e[k] = v
    return e


DROP = object()


def nested_object(levels):
    obj = {"leaf": 1}
    for _ in range(levels - 1):
        obj = {"n": obj}
    return obj


BAD_EVENTS = [
    # (id, event, field)
    ("missing-agent_name", ev(agent_name=DROP), "agent_name"),
    ("missing-action", ev(action=DROP), "action"),
    ("missing-allowed", ev(allowed=DROP), "allowed"),
    ("null-agent_name", ev(agent_name=None), "agent_name"),
    ("null-action", ev(action=None), "action"),
    ("null-allowed", ev(allowed=None), "allowed"),
    ("agent_name-number", ev(agent_name=123), "agent_name"),
    ("agent_name-object", ev(agent_name={"a": 1}), "agent_name"),
    ("action-bool", ev(action=True), "action"),
    ("allowed-string", ev(allowed="true"), "allowed"),
    ("allowed-int", ev(allowed=1), "allowed"),
    ("scope-number", ev(scope=5), "scope"),
    ("scope-array", ev(scope=["read:orders"]), "scope"),
    ("function_name-array", ev(function_name=[]), "function_name"),
    ("function_name-bool", ev(function_name=False), "function_name"),
    ("metadata-string", ev(metadata="x"), "metadata"),
    ("metadata-array", ev(metadata=[1, 2]), "metadata"),
    ("metadata-number", ev(metadata=3), "metadata"),
    ("timestamp-number", ev(timestamp=1736937000), "timestamp"),
    ("agent_name-empty", ev(agent_name=""), "agent_name"),
    ("agent_name-201-bytes", ev(agent_name="x" * 201), "agent_name"),
    ("agent_name-202-bytes-utf8", ev(agent_name="é" * 101), "agent_name"),
    ("agent_name-newline", ev(agent_name="Support\nBot"), "agent_name"),
    ("agent_name-nul", ev(agent_name="Support\u0000Bot"), "agent_name"),
    ("agent_name-del", ev(agent_name="Support\u007fBot"), "agent_name"),
    ("agent_name-escape", ev(agent_name="Support\u001b[31mBot"), "agent_name"),
    # U+0080..U+009F are control characters too (Unicode category Cc).
    ("agent_name-c1-nel", ev(agent_name="Support\u0085Bot"), "agent_name"),
    ("scope-c1-csi", ev(scope="read:\u009borders"), "scope"),
    ("action-empty", ev(action=""), "action"),
    ("action-65", ev(action="a" * 65), "action"),
    ("action-space", ev(action="permission check"), "action"),
    ("action-slash", ev(action="permission/check"), "action"),
    ("action-quote", ev(action="x'; DROP TABLE events; --"), "action"),
    ("action-unicode", ev(action="permissión"), "action"),
    ("scope-257", ev(scope="s" * 257), "scope"),
    ("scope-tab", ev(scope="read:\torders"), "scope"),
    ("function_name-257", ev(function_name="f" * 257), "function_name"),
    ("function_name-cr", ev(function_name="get\rorder"), "function_name"),
    ("metadata-9-levels", ev(metadata=nested_object(9)), "metadata"),
    ("metadata-deep-array", ev(metadata={"a": [[[[[[[[[1]]]]]]]]]}), "metadata"),
    ("metadata-over-16KiB", ev(metadata={"k": "v" * (16 * 1024 - 8) + "x"}), "metadata"),
    ("timestamp-words", ev(timestamp="yesterday"), "timestamp"),
    ("timestamp-no-offset", ev(timestamp="2026-01-15T10:30:00"), "timestamp"),
    ("timestamp-month-13", ev(timestamp="2026-13-01T00:00:00Z"), "timestamp"),
    ("timestamp-feb-30", ev(timestamp="2026-02-30T00:00:00Z"), "timestamp"),
    ("timestamp-hour-25", ev(timestamp="2026-01-15T25:00:00Z"), "timestamp"),
    ("timestamp-before-1970", ev(timestamp="1969-12-31T23:59:59Z"), "timestamp"),
    ("timestamp-before-1970-by-offset", ev(timestamp="1970-01-01T00:30:00+01:00"), "timestamp"),
    ("timestamp-year-10000", ev(timestamp="10000-01-01T00:00:00Z"), "timestamp"),
    ("timestamp-after-9999-by-offset", ev(timestamp="9999-12-31T23:59:59-01:00"), "timestamp"),
    ("timestamp-offset-24h", ev(timestamp="2026-01-15T10:30:00+24:00"), "timestamp"),
    ("timestamp-date-only", ev(timestamp="2026-01-15"), "timestamp"),
    ("timestamp-empty", ev(timestamp=""), "timestamp"),
    ("timestamp-garbage-tail", ev(timestamp="2026-01-15T10:30:00Zjunk"), "timestamp"),
]


def test_bad_event_list_is_sane():
    # The over-16KiB case really is 16 KiB + 1 as compact JSON.
    meta = [e for i, e, _ in BAD_EVENTS if i == "metadata-over-16KiB"][0]["metadata"]
    assert len(json.dumps(meta, separators=(",", ":"))) == 16 * 1024 + 1


@pytest.mark.parametrize("event,field", [(e, f) for _, e, f in BAD_EVENTS], ids=[i for i, _, _ in BAD_EVENTS])
def test_invalid_payload_names_the_field(mserver, proj, unchanged, event, field):
    _, key = proj
    r = mserver.ingest(key, event=event)
    assert_error(r, 400, "INVALID_PAYLOAD", field=field)


@pytest.mark.parametrize("event,field", [(e, f) for _, e, f in BAD_EVENTS[::4]], ids=[i for i, _, _ in BAD_EVENTS[::4]])
def test_invalid_payload_in_a_batch_names_field_and_index(mserver, proj, unchanged, event, field):
    _, key = proj
    batch = [reference_event(agent_name=f"b{i}") for i in range(5)]
    batch[2] = event
    r = mserver.batch(key, batch)
    assert_error(r, 400, "INVALID_PAYLOAD", field=field, index=2)


@pytest.mark.parametrize("body", [
    b"",
    b"   ",
    b"{",
    b'{"agent_name": "SupportBot", "action": "permission_check"',
    b'{"agent_name": "SupportBot",}',
    b"not json at all",
    b"null",
    b"42",
    b'"a string"',
    b"true",
    b"[]",
    b'[{"agent_name": "SupportBot", "action": "permission_check", "allowed": true}]',
    b"{'agent_name': 'single quotes'}",
    b'{"agent_name": "SupportBot", "action": "permission_check", "allowed": true} trailing',
    b'{"agent_name": "SupportBot", "action": "permission_check", "allowed": tru}',
], ids=lambda b: repr(b[:24]))
def test_not_an_event_object(mserver, proj, unchanged, body):
    _, key = proj
    r = mserver.request("POST", "/ingest-event", body=body, headers={"X-API-Key": key})
    assert_error(r, 400, "INVALID_PAYLOAD")


# ---- garbage: a clean 4xx (never a 5xx), and the server stays up ----------------

GARBAGE = [
    ("deep-arrays-10000", b"[" * 10000 + b"]" * 10000),
    ("deep-arrays-10000-unclosed", b"[" * 10000),
    ("deep-objects-in-metadata", b'{"agent_name":"a","action":"b","allowed":true,"metadata":'
     + b'{"a":' * 10000 + b"1" + b"}" * 10000 + b"}"),
    ("deep-arrays-in-metadata", b'{"agent_name":"a","action":"b","allowed":true,"metadata":{"a":'
     + b"[" * 10000 + b"]" * 10000 + b"}}"),
    ("huge-number-allowed", b'{"agent_name":"a","action":"b","allowed":1e999999}'),
    ("huge-integer-agent_name", b'{"agent_name":' + b"9" * 5000 + b',"action":"b","allowed":true}'),
    ("invalid-utf8-agent_name", b'{"agent_name":"\xff\xfe\xfd","action":"b","allowed":true}'),
    ("overlong-utf8", b'{"agent_name":"\xc0\xaf","action":"b","allowed":true}'),
    ("lone-surrogate-escape", b'{"agent_name":"\\ud800","action":"b","allowed":true}'),
    ("raw-nul-in-string", b'{"agent_name":"Sup\x00port","action":"b","allowed":true}'),
    ("raw-nul-bytes", b"\x00" * 64),
    ("binary-junk", bytes(range(256)) * 4),
    ("bad-escape", b'{"agent_name":"\\q","action":"b","allowed":true}'),
    ("utf8-bom", b'\xef\xbb\xbf{"agent_name":"bom","action":"b","allowed":true,"x":'),
    ("duplicate-everything", b'{' + b'"agent_name":"a",' * 2000 + b'"action":"b","allowed":tru'),
]


@pytest.mark.parametrize("route", ["/ingest-event", "/api/events"])
@pytest.mark.parametrize("body", [b for _, b in GARBAGE], ids=[i for i, _ in GARBAGE])
def test_garbage_is_refused_cleanly(mserver, proj, unchanged, route, body):
    _, key = proj
    r = mserver.request("POST", route, body=body, headers={"X-API-Key": key})
    assert_error(r, 400, "INVALID_PAYLOAD")


def test_huge_number_in_metadata_never_500(mserver, proj):
    project_id, key = proj
    body = b'{"agent_name":"NumBot","action":"b","allowed":true,"metadata":{"n":1e400,"m":' + b"1" * 400 + b"}}"
    r = mserver.request("POST", "/ingest-event", body=body, headers={"X-API-Key": key})
    # A number no double holds would be stored as an infinity, which no JSON
    # answer can carry (API.md: numbers in metadata within a double's range).
    assert_error(r, 400, "INVALID_PAYLOAD", field="metadata")
    assert mserver.all_events(project_id, agent_name="NumBot") == []


# ---- authentication ------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {},
    {"X-API-Key": ""},
    {"X-API-Key": "as_" + "A" * 43},
    {"X-API-Key": "bogus"},
    {"X-API-Key": "asm_" + "A" * 43},
    {"Authorization": "Bearer as_" + "A" * 43},
], ids=["missing", "empty", "unknown", "malformed", "management-token-shape", "bearer-instead"])
@pytest.mark.parametrize("route", ["/ingest-event", "/api/events"])
def test_invalid_api_key(mserver, proj, unchanged, headers, route):
    body = reference_event() if route == "/ingest-event" else [reference_event()]
    r = mserver.request("POST", route, body=body, headers=headers)
    assert_error(r, 401, "INVALID_API_KEY")


def test_near_miss_keys(mserver, proj, unchanged):
    _, key = proj
    for bad in (key.upper() if key != key.upper() else key.lower(), key[:-1], key + "x", key[3:]):
        r = mserver.ingest(bad)
        assert_error(r, 401, "INVALID_API_KEY")


def test_management_token_cannot_ingest(mserver, proj, unchanged):
    token = mserver.token()
    r = mserver.ingest(token)
    assert_error(r, 401, "INVALID_API_KEY")


def test_error_bodies_do_not_echo_the_key(mserver, proj, unchanged):
    _, key = proj
    r = mserver.ingest(key, event={"action": "x", "allowed": True})
    assert r.status == 400
    assert key not in r.raw.decode()


# ---- routes, methods, sizes, media types ---------------------------------------

@pytest.mark.parametrize("method,path", [
    ("GET", "/does-not-exist"),
    ("POST", "/does-not-exist"),
    ("GET", "/ingest-event/extra"),
    ("POST", "/api/events/1"),
    ("GET", "/api/v1/nothing"),
    ("GET", "/INGEST-EVENT"),
])
def test_unknown_route_404(mserver, unchanged, method, path):
    r = mserver.request(method, path, body=b"{}" if method == "POST" else None)
    assert_error(r, 404, "NOT_FOUND")


@pytest.mark.parametrize("method,path,allow", [
    ("GET", "/ingest-event", "POST"),
    ("PUT", "/ingest-event", "POST"),
    ("DELETE", "/ingest-event", "POST"),
    ("GET", "/api/events", "POST"),
    ("POST", "/healthz", "GET"),
    ("POST", "/metrics", "GET"),
    ("DELETE", "/api/v1/projects/00000000-0000-0000-0000-000000000000/events", "GET"),
])
def test_wrong_method_405_with_allow(mserver, unchanged, method, path, allow):
    r = mserver.request(method, path)
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    allowed = [m.strip() for m in (r.header("allow") or "").split(",")]
    assert allow in allowed, r.headers


def test_body_over_64KiB_is_413(mserver, proj, unchanged):
    _, key = proj
    event = reference_event(metadata={"k": "v" * (64 * 1024)})
    r = mserver.post_raw("/ingest-event", json.dumps(event).encode(), {"X-API-Key": key})
    assert r is not None, "no answer (connection reset before the 413 was read?)"
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


def test_body_of_exactly_64KiB_is_not_413(mserver, proj, unchanged):
    """64 KiB is within the route's limit: the answer is about metadata's own limit."""
    _, key = proj
    base = json.dumps(reference_event(metadata={"k": ""})).encode()
    body = json.dumps(reference_event(metadata={"k": "v" * (64 * 1024 - len(base))})).encode()
    assert len(body) == 64 * 1024
    r = mserver.request("POST", "/ingest-event", body=body, headers={"X-API-Key": key})
    assert_error(r, 400, "INVALID_PAYLOAD", field="metadata")


def test_content_length_over_limit_without_body(mserver, proj, unchanged):
    """A client announcing 10 MB gets a 413 without the server waiting for it."""
    _, key = proj
    req = (b"POST /ingest-event HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"X-API-Key: " + key.encode() + b"\r\nContent-Length: 10000000\r\n\r\n{")
    r = mserver.raw_request(req, timeout=5)
    assert r is not None, "no answer to an oversized Content-Length"
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


def test_batch_body_over_4MiB_is_413(mserver, proj, unchanged):
    _, key = proj
    item = reference_event(metadata={"k": "v" * 8000})
    batch = [item] * 600  # about 4.9 MB, 600 events (under the count limit)
    body = json.dumps(batch).encode()
    assert len(body) > 4 * 1024 * 1024
    r = mserver.post_raw("/api/events", body, {"X-API-Key": key})
    assert r is not None, "no answer (connection reset before the 413 was read?)"
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "application/xml",
                                   "multipart/form-data; boundary=x"])
@pytest.mark.parametrize("route", ["/ingest-event", "/api/events"])
def test_unsupported_media_type(mserver, proj, unchanged, ctype, route):
    _, key = proj
    body = reference_event() if route == "/ingest-event" else [reference_event()]
    r = mserver.request("POST", route, body=body, headers={"X-API-Key": key, "Content-Type": ctype})
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_malformed_http_does_not_kill_the_server(mserver):
    for junk in (b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
                 b"POST /ingest-event HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                 b"POST /ingest-event HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                 b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\n" + b"X-Junk: y\r\n" * 5000 + b"\r\n"):
        r = mserver.raw_request(junk, timeout=5)
        if r is not None:
            assert 400 <= r.status < 500, (junk[:40], r)
    r = mserver.get("/healthz")
    assert r.status == 200, r


def test_server_still_healthy_at_the_end(mserver):
    assert mserver.alive(), mserver.logs()
    r = mserver.get("/healthz")
    assert r.status == 200 and r.json == {"status": "ok"}, r
    # Not one of the requests above was answered with a 5xx.
    samples = mserver.metrics()
    fivexx = [(labels, v) for name, labels, v in samples
              if name == "agentsudo_http_requests_total" and labels.get("status", "").startswith("5") and v > 0]
    assert not fivexx, fivexx
