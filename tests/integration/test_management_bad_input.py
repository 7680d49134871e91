"""Bad input to every management route: a clear 4xx, never a crash, never a change."""

import json

import pytest

from support.accounts import set_up_admin
from support.events import assert_error

BODIES = [
    "",
    "not json",
    "[]",
    "null",
    "\"string\"",
    "123",
    "{\"name\": " + "[" * 10000 + "]" * 10000 + "}",
    json.dumps({"name": "x" * 60000}),
    json.dumps({"name": None, "scopes": None, "role": None, "session_ttl_seconds": None, "tier": None,
                "email": None, "password": None, "confirm": None}),
    json.dumps({"name": {"nested": True}, "scopes": [[["deep"]]], "tier": [1], "email": 5, "confirm": 7}),
    json.dumps({"session_ttl_seconds": 18446744073709551615, "tier": 18446744073709551615}),
    json.dumps({"session_ttl_seconds": -9223372036854775808, "tier": 1e308}),
    json.dumps({"name": "\udcff"}, ensure_ascii=False).encode("utf-8", "surrogatepass"),
    b"{\"name\": \"\xff\xfe\"}",
    json.dumps({"email": "a@b.c", "password": "p" * 2000}),
]

ROUTES = [
    ("POST", "/api/v1/setup"),
    ("POST", "/api/v1/session"),
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/projects"),
    ("PATCH", "/api/v1/projects/{project_id}"),
    ("DELETE", "/api/v1/projects/{project_id}"),
    ("POST", "/api/v1/projects/{project_id}/members"),
    ("POST", "/api/v1/projects/{project_id}/agents"),
    ("PATCH", "/api/v1/projects/{project_id}/agents/{agent_id}"),
]


@pytest.fixture(scope="module")
def target(mserver):
    admin = set_up_admin(mserver)
    created = admin.create_project("target")
    pid = created["project"]["id"]
    agent = admin.post(f"/api/v1/projects/{pid}/agents", {"name": "bot", "scopes": ["read:*"]}).json
    return admin, {"project_id": pid, "agent_id": agent["id"]}


def state(admin, ids):
    pid = ids["project_id"]
    return [admin.get(p).json for p in ("/api/v1/projects", "/api/v1/users", f"/api/v1/projects/{pid}/members",
                                        f"/api/v1/projects/{pid}/agents", f"/api/v1/projects/{pid}/keys")]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_bad_bodies_are_refused_cleanly(mserver, target, route):
    admin, ids = target
    before = state(admin, ids)
    method, template = route
    path = template.format(**ids)
    for body in BODIES:
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        r = admin.client.request(method, path, body=raw, headers=admin.headers(method))
        assert 400 <= r.status < 500, (body[:80], r)
        assert r.json and isinstance(r.json.get("code"), str), r
        assert mserver.alive()
    assert state(admin, ids) == before, f"{method} {path}: a refused body changed something"


def test_throttled_garbage_logins_do_not_grow_without_bound(server):
    """Many distinct malformed emails: each a failed login (401, as for an
    unknown email), until the address has used its 30 attempts across
    accounts; then 429."""
    client = server.client()
    for i in range(35):
        r = client.request("POST", "/api/v1/session", body={"email": f"junk{i}" + "x" * 5000, "password": "y" * 10})
        if i < 30:
            assert_error(r, 401, "UNAUTHORIZED")
        else:
            assert_error(r, 429, "RATE_LIMITED")
