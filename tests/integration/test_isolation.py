"""Tenant isolation: what a user of one project must never see or change in another.

User A is a member of P1 only, user B of P2 only. For every project-scoped
route, B asking about P1 gets 404 NOT_FOUND, exactly like a project that does
not exist, and P1 is unchanged afterwards. Objects of P1 (keys, agents,
members) are also unreachable through B's own project P2.

Which routes are project-scoped is the server's own route table's word
(`agentsudo-server routes --json`, access "project"): a route there with no
case in CASES fails test_every_project_route_has_an_isolation_case, and a
route that does not answer (renamed, removed) fails its case. Nothing here
is ever skipped.
"""

import pytest

from support.accounts import Operator, add_user, set_up_admin
from support.events import assert_error
from support.routes import route_key, server_routes


def case(query="", body=None):
    """One request to a route: a query string and a body (templates)."""
    return {"query": query, "body": body}


# Every project-scoped route of the server, keyed "METHOD path" exactly as the
# route table spells it, with the requests the matrix sends to it.
# Placeholders: {project_id}, {project_name}, {key_id}, {agent_id}, {user_id}
# (a member of the project), {approval_id} (a pending approval request), {webhook_id}.
CASES = {
    "GET /api/v1/projects/{project_id}": [case()],
    "PATCH /api/v1/projects/{project_id}": [case(body={"name": "taken over", "tier": 1})],
    "DELETE /api/v1/projects/{project_id}": [case(body={"confirm": "{project_name}"})],
    "GET /api/v1/projects/{project_id}/members": [case()],
    "POST /api/v1/projects/{project_id}/members": [case(body={"email": "b@example.com"})],
    "DELETE /api/v1/projects/{project_id}/members/{user_id}": [case()],
    "GET /api/v1/projects/{project_id}/keys": [case()],
    "POST /api/v1/projects/{project_id}/keys": [case()],
    "POST /api/v1/projects/{project_id}/keys/{key_id}/rotate": [case()],
    "DELETE /api/v1/projects/{project_id}/keys/{key_id}": [case()],
    "GET /api/v1/projects/{project_id}/agents": [case()],
    "POST /api/v1/projects/{project_id}/agents": [case(body={"name": "intruder", "scopes": ["*"]})],
    "GET /api/v1/projects/{project_id}/agents/{agent_id}": [case()],
    "PATCH /api/v1/projects/{project_id}/agents/{agent_id}": [case(body={"scopes": ["*"], "role": "admin"})],
    "DELETE /api/v1/projects/{project_id}/agents/{agent_id}": [case()],
    "GET /api/v1/projects/{project_id}/agents/{agent_id}/history": [case()],
    "POST /api/v1/projects/{project_id}/agents/{agent_id}/preview": [case(body={"scopes": ["*"]})],
    "GET /api/v1/projects/{project_id}/events": [case()],
    "POST /api/v1/projects/{project_id}/scope-preview": [case(body={"scopes": ["*"]})],
    "GET /api/v1/projects/{project_id}/events/export": [case("?format=csv"), case("?format=ndjson")],
    "GET /api/v1/projects/{project_id}/audit/verify": [case()],
    "GET /api/v1/projects/{project_id}/analytics": [case("?days=7")],
    "GET /api/v1/projects/{project_id}/usage": [case()],
    "GET /api/v1/projects/{project_id}/usage/delivery": [case()],
    "GET /api/v1/projects/{project_id}/live": [case()],
    "GET /api/v1/projects/{project_id}/approvals": [case("?status=all")],
    "POST /api/v1/projects/{project_id}/approvals/{approval_id}/approve": [case(body={"for_minutes": 60})],
    "POST /api/v1/projects/{project_id}/approvals/{approval_id}/deny": [case(body={"reason": "taken over"})],
    "GET /api/v1/projects/{project_id}/webhooks": [case()],
    "POST /api/v1/projects/{project_id}/webhooks": [case(body={"url": "https://intruder.example.com/hook"})],
    "DELETE /api/v1/projects/{project_id}/webhooks/{webhook_id}": [case()],
    "GET /api/v1/projects/{project_id}/webhooks/{webhook_id}/deliveries": [case("?limit=10")],
    "POST /api/v1/projects/{project_id}/webhooks/{webhook_id}/test": [case()],
}

# (method, path template with its query, body), one per request of CASES.
ROUTES = [(key.split(" ", 1)[0], key.split(" ", 1)[1] + c["query"], c["body"])
          for key, cases in CASES.items() for c in cases]

# Routes whose path names an object of the project besides the project.
OBJECT_IDS = ("{key_id}", "{agent_id}", "{user_id}", "{approval_id}", "{webhook_id}")
OBJECT_ROUTES = [r for r in ROUTES if any(name in r[1] for name in OBJECT_IDS)]


def test_every_project_route_has_an_isolation_case():
    project_routes = {route_key(r["method"], r["path"]) for r in server_routes() if r["access"] == "project"}
    missing = sorted(project_routes - set(CASES))
    assert not missing, (f"project routes with no isolation case: {missing}; add each to CASES in "
                         "tests/integration/test_isolation.py (a body its handler accepts, and any query it needs)")
    unserved = sorted(set(CASES) - project_routes)
    assert not unserved, (f"CASES holds routes the server's table has no project route for (renamed, removed, "
                          f"or no longer project-scoped?): {unserved}")


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
        asked = mserver.request("POST", "/v1/check", headers={"X-API-Key": created["api_key"]},
                                body={"agent_name": f"{name}-bot", "scope": "write:x", "on_denial": "approval"})
        assert asked.status == 200 and asked.json["action"] == "approval_requested", asked
        # Port 9 (discard): nothing is ever sent to it, since no test delivery succeeds.
        webhook = person.post(f"/api/v1/projects/{pid}/webhooks", {"url": "http://127.0.0.1:9/hook"}).json
        return {"project_id": pid, "project_name": name, "key_id": created["key"]["id"],
                "agent_id": agent["id"], "user_id": person.id, "api_key": created["api_key"],
                "approval_id": asked.json["approval"]["id"],
                "webhook_id": webhook["webhook"]["id"]}

    return {"a": a, "b": b, "p1": populate(a, "P1"), "p2": populate(b, "P2")}


def snapshot(person, values):
    """Everything a member can read about the project."""
    pid = values["project_id"]
    base = f"/api/v1/projects/{pid}"
    state = {}
    for path in (base, base + "/members", base + "/keys", base + "/agents", base + "/events?limit=1000",
                 base + "/approvals?status=all", base + "/webhooks",
                 base + "/webhooks/" + values["webhook_id"] + "/deliveries"):
        r = person.get(path)
        assert r.status == 200, r
        state[path] = r.json
    # A delivery to the unreachable hook is retried on the server's own clock,
    # so its attempts may move between two snapshots: what a tenant could
    # change is which deliveries exist.
    deliveries = base + "/webhooks/" + values["webhook_id"] + "/deliveries"
    state[deliveries] = sorted(d["id"] for d in state[deliveries]["deliveries"])
    return state


def assert_served(resp, route):
    """A route that is not served answers 404 too: tell that apart by its
    sentence, and fail (a renamed route must not pass as isolated)."""
    body = resp.json or {}
    if resp.status in (404, 405) and str(body.get("error", "")).startswith(("no such route", "this route answers")):
        pytest.fail(f"{route_id(route)} is not served: {resp!r}; update CASES in test_isolation.py "
                    "to the server's route table")


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_other_tenant_gets_404_and_changes_nothing(mserver, world, route):
    method, template, body = route
    p1, a, b = world["p1"], world["a"], world["b"]
    before = snapshot(a, p1)
    r = b.call(method, fill(template, p1), fill(body, p1))
    assert_served(r, route)
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
    mixed = {**p2, "key_id": p1["key_id"], "agent_id": p1["agent_id"], "user_id": p1["user_id"],
             "approval_id": p1["approval_id"],
             "webhook_id": p1["webhook_id"]}
    before = snapshot(a, p1)
    r = b.call(method, fill(template, mixed), fill(body, mixed))
    assert_served(r, route)
    assert_error(r, 404, "NOT_FOUND")
    assert snapshot(a, p1) == before


@pytest.mark.parametrize("route", [r for r in ROUTES if r[0] == "GET" and "/live" not in r[1]], ids=route_id)
def test_member_reaches_the_same_routes(world, route):
    """The control: the 404s above come from isolation, not from a broken route."""
    method, template, body = route
    r = world["a"].call(method, fill(template, world["p1"]), None)
    assert_served(r, route)
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
    assert_error(b.post(f"/api/v1/users/{world['a'].id}/password", {"new_password": "taken over at last"}),
                 403, "FORBIDDEN")
    assert world["a"].get("/api/v1/session").status == 200, "A's session survived B's reset attempt"


def test_a_password_change_is_the_callers_own(world):
    """/api/v1/session/password names no user: it can only ever change the
    caller's, so B's change leaves A's password and sessions as they were."""
    b = world["b"]
    r = b.post("/api/v1/session/password", {"current_password": "not b's password", "new_password": "x" * 12})
    assert_error(r, 403, "FORBIDDEN")
    assert world["a"].get("/api/v1/session").status == 200


def test_non_admins_cannot_manage_tokens(mserver, world):
    b = world["b"]
    token_id = mserver.cli("token", "create", "--name", "kept")["token_id"]
    before = mserver.cli("token", "list")
    assert_error(b.get("/api/v1/tokens"), 403, "FORBIDDEN")
    assert_error(b.post("/api/v1/tokens", {"name": "mine"}), 403, "FORBIDDEN")
    assert_error(b.delete(f"/api/v1/tokens/{token_id}"), 403, "FORBIDDEN")
    assert mserver.cli("token", "list") == before
