"""Event bodies the tests send, the formats the server writes, and the error
shape of docs/API.md."""

from __future__ import annotations

import re

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
