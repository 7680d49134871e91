"""Tenant isolation: what a user of one project must never see or change in another.

User A is a member of P1 only, user B of P2 only. For every project-scoped
route, B asking about P1 gets 404 NOT_FOUND, exactly like a project that does
not exist, and P1 is unchanged afterwards. Objects of P1 (keys, agents,
members) are also unreachable through B's own project P2.

ROUTES is the one list to extend: a route added later (by any part of the
server) is appended here and the whole matrix applies to it. A route this
build does not serve yet is skipped, not passed.
"""

import pytest

from support.accounts import Operator, add_user, set_up_admin
from support.events import assert_error

# (method, path template, body). Placeholders: {project_id}, {project_name},
# {key_id}, {agent_id}, {user_id} (a member of the project).
ROUTES = [
    ("GET", "/api/v1/projects/{project_id}", None),
    ("PATCH", "/api/v1/projects/{project_id}", {"name": "taken over", "tier": 1}),
    ("DELETE", "/api/v1/projects/{project_id}", {"confirm": "{project_name}"}),
    ("GET", "/api/v1/projects/{project_id}/members", None),
    ("POST", "/api/v1/projects/{project_id}/members", {"email": "b@example.com"}),
    ("DELETE", "/api/v1/projects/{project_id}/members/{user_id}", None),
    ("GET", "/api/v1/projects/{project_id}/keys", None),
    ("POST", "/api/v1/projects/{project_id}/keys", None),
    ("POST", "/api/v1/projects/{project_id}/keys/{key_id}/rotate", None),
    ("DELETE", "/api/v1/projects/{project_id}/keys/{key_id}", None),
    ("GET", "/api/v1/projects/{project_id}/agents", None),
    ("POST", "/api/v1/projects/{project_id}/agents", {"name": "intruder", "scopes": ["*"]}),
    ("GET", "/api/v1/projects/{project_id}/agents/{agent_id}", None),
    ("PATCH", "/api/v1/projects/{project_id}/agents/{agent_id}", {"scopes": ["*"], "role": "admin"}),
    ("DELETE", "/api/v1/projects/{project_id}/agents/{agent_id}", None),
    ("GET", "/api/v1/projects/{project_id}/events", None),
    # Routes of the contract served by other parts of the server; skipped
    # until this build serves them.
    ("POST", "/api/v1/projects/{project_id}/scope-preview", {"scopes": ["*"]}),
    ("GET", "/api/v1/projects/{project_id}/events/export?format=csv", None),
    ("GET", "/api/v1/projects/{project_id}/events/export?format=ndjson", None),
    ("GET", "/api/v1/projects/{project_id}/analytics?days=7", None),
    ("GET", "/api/v1/projects/{project_id}/usage", None),
    ("GET", "/api/v1/projects/{project_id}/live", None),
]

# Routes whose path names an object of the project besides the project.
OBJECT_ROUTES = [r for r in ROUTES if "{key_id}" in r[1] or "{agent_id}" in r[1] or "{user_id}" in r[1]]


def fill(template, values):
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    return template


def route_id(route):
    return f"{route[0]} {route[1]}"


@pytest.fixture(scope="module")
def world(mserver):
    """P1 with A, a key, an agent and events; P2 with B and its own objects."""
    admin = set_up_admin(mserver)
    a = add_user(admin, "a@example.com")
    b = add_user(admin, "b@example.com")

    def populate(person, name):
        created = person.create_project(name)
        pid = created["project"]["id"]
        agent = person.post(f"/api/v1/projects/{pid}/agents", {"name": f"{name}-bot", "scopes": ["read:*"]}).json
        for i in range(3):
            assert mserver.ingest(created["api_key"], agent_name=f"{name}-bot", metadata={"i": i}).status == 201
        return {"project_id": pid, "project_name": name, "key_id": created["key"]["id"],
                "agent_id": agent["id"], "user_id": person.id, "api_key": created["api_key"]}

    return {"a": a, "b": b, "p1": populate(a, "P1"), "p2": populate(b, "P2")}


def snapshot(person, values):
    """Everything a member can read about the project."""
    pid = values["project_id"]
    base = f"/api/v1/projects/{pid}"
    state = {}
    for path in (base, base + "/members", base + "/keys", base + "/agents", base + "/events?limit=1000"):
        r = person.get(path)
        assert r.status == 200, r
        state[path] = r.json
    return state


def skip_if_unserved(resp, route):
    body = resp.json or {}
    if resp.status in (404, 405) and str(body.get("error", "")).startswith(("no such route", "this route answers")):
        pytest.skip(f"{route_id(route)} is not served by this build yet")


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_other_tenant_gets_404_and_changes_nothing(mserver, world, route):
    method, template, body = route
    p1, a, b = world["p1"], world["a"], world["b"]
    before = snapshot(a, p1)
    r = b.call(method, fill(template, p1), fill(body, p1))
    skip_if_unserved(r, route)
    assert_error(r, 404, "NOT_FOUND")
    # Exactly the answer for a project that does not exist.
    ghost = {**p1, "project_id": "00000000-0000-7000-8000-000000000000"}
    r_ghost = b.call(method, fill(template, ghost), fill(body, ghost))
    assert r_ghost.status == 404 and r_ghost.json["code"] == r.json["code"]
    assert snapshot(a, p1) == before, f"{route_id(route)} by another tenant changed P1"
    assert mserver.ingest(p1["api_key"], agent_name="P1-bot").status == 201, "P1's key still works"


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=route_id)
def test_objects_unreachable_through_own_project(world, route):
    """B's own project id with P1's key, agent or member id: 404, nothing changes."""
    method, template, body = route
    p1, p2, a, b = world["p1"], world["p2"], world["a"], world["b"]
    mixed = {**p2, "key_id": p1["key_id"], "agent_id": p1["agent_id"], "user_id": p1["user_id"]}
    before = snapshot(a, p1)
    r = b.call(method, fill(template, mixed), fill(body, mixed))
    skip_if_unserved(r, route)
    assert_error(r, 404, "NOT_FOUND")
    assert snapshot(a, p1) == before


@pytest.mark.parametrize("route", [r for r in ROUTES if r[0] == "GET" and "/live" not in r[1]], ids=route_id)
def test_member_reaches_the_same_routes(world, route):
    """The control: the 404s above come from isolation, not from a broken route."""
    method, template, body = route
    r = world["a"].call(method, fill(template, world["p1"]), None)
    skip_if_unserved(r, route)
    assert r.status == 200, r


def test_lists_show_only_own_projects(mserver, world):
    a_ids = [p["id"] for p in world["a"].get("/api/v1/projects").json["projects"]]
    b_ids = [p["id"] for p in world["b"].get("/api/v1/projects").json["projects"]]
    assert world["p1"]["project_id"] in a_ids and world["p2"]["project_id"] not in a_ids
    assert world["p2"]["project_id"] in b_ids and world["p1"]["project_id"] not in b_ids
    all_ids = [p["id"] for p in Operator(mserver).get("/api/v1/projects").json["projects"]]
    assert {world["p1"]["project_id"], world["p2"]["project_id"]} <= set(all_ids)


def test_non_admins_cannot_manage_users(world):
    b = world["b"]
    assert_error(b.get("/api/v1/users"), 403, "FORBIDDEN")
    assert_error(b.delete(f"/api/v1/users/{world['a'].id}"), 403, "FORBIDDEN")
    assert world["a"].get("/api/v1/session").status == 200
