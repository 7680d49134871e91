"""The management API's happy paths and errors: projects, members, keys,
agents, users, /api/v1/server, and who may call it at all."""

import pytest

from support.accounts import PASSWORD, Operator, Person, add_user, set_up_admin
from support.events import TS_RE, UUID_RE, assert_error, reference_event

P = "/api/v1/projects"


@pytest.fixture
def admin(server):
    return set_up_admin(server)


# ---- who may call ---------------------------------------------------------

@pytest.mark.parametrize("path", [P, "/api/v1/users", "/api/v1/server"])
def test_credentials_required(server, path):
    assert_error(server.get(path), 401, "UNAUTHORIZED")
    assert_error(server.get(path, headers={"Authorization": "Bearer asm_unknown"}), 401, "UNAUTHORIZED")
    assert_error(server.get(path, headers={"Cookie": "agentsudo_session=ass_forged"}), 401, "UNAUTHORIZED")
    assert_error(server.get(path, headers={"Authorization": "Basic abc"}), 401, "UNAUTHORIZED")


def test_ingest_keys_never_manage(server):
    _, key = server.create_project("p")
    for headers in ({"X-API-Key": key}, {"Authorization": f"Bearer {key}"}):
        assert_error(server.get(P, headers=headers), 403, "FORBIDDEN")
        r = server.request("POST", P, body={"name": "by-key"}, headers=headers)
        assert_error(r, 403, "FORBIDDEN")
    names = [p["name"] for p in Operator(server).get(P).json["projects"]]
    assert "by-key" not in names


def test_server_info(admin):
    r = admin.get("/api/v1/server")
    assert r.status == 200, r
    assert r.json == {"version": "0.1.0", "secure_cookies": False}


# ---- projects -------------------------------------------------------------

def test_project_create_get_list(server, admin):
    r = admin.post(P, {"name": "Shop", "tier": "pro"})
    assert r.status == 201, r
    project, key, api_key = r.json["project"], r.json["key"], r.json["api_key"]
    assert UUID_RE.match(project["id"]) and project["name"] == "Shop"
    assert project["tier"] == {"name": "pro", "daily_quota": 100000}
    assert TS_RE.match(project["created_at"])
    assert project["retention_days"] is None and project["data_since"] is None
    assert set(key) == {"id", "prefix", "created_at", "last_used_at", "revoked_at"}
    assert api_key.startswith(key["prefix"]) and key["revoked_at"] is None
    # The key it returns ingests into that project.
    assert server.ingest(api_key).status == 201
    # The first event sets data_since; nothing else moves.
    got = admin.get(f"{P}/{project['id']}").json
    assert TS_RE.match(got["data_since"])
    project["data_since"] = got["data_since"]
    assert got == project
    listed = admin.get(P).json["projects"]
    assert project in listed
    # The creator is the first member.
    members = admin.get(f"{P}/{project['id']}/members").json["members"]
    assert [m["email"] for m in members] == ["admin@example.com"]
    # Default tier is free; custom tiers take a positive integer.
    assert admin.post(P, {"name": "f"}).json["project"]["tier"] == {"name": "free", "daily_quota": 1000}
    assert admin.post(P, {"name": "c", "tier": 250}).json["project"]["tier"] == {"name": "custom", "daily_quota": 250}


@pytest.mark.parametrize("body,field", [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "bad\u0007name"}, "name"),
    ({"name": 5}, "name"),
    ({"name": "ok", "tier": "gold"}, "tier"),
    ({"name": "ok", "tier": 0}, "tier"),
    ({"name": "ok", "tier": -5}, "tier"),
    ({"name": "ok", "tier": 1.5}, "tier"),
    ({"name": "ok", "owner": "me"}, "owner"),
])
def test_project_create_validation(admin, body, field):
    before = admin.get(P).json["projects"]
    assert_error(admin.post(P, body), 400, "INVALID_PAYLOAD", field=field)
    assert admin.get(P).json["projects"] == before, "a refused create made nothing"


def test_project_bodies_must_be_json_objects(admin):
    r = admin.call("POST", P, body="[1,2]")
    assert_error(r, 400, "INVALID_PAYLOAD")
    r = admin.client.request("POST", P, body="name=x", headers=admin.headers("POST"), content_type="text/plain")
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    r = admin.call("POST", P, body="{not json")
    assert_error(r, 400, "INVALID_PAYLOAD")


def test_project_rename_and_tier(server, admin):
    created = admin.create_project("old", tier="free")
    pid, key = created["project"]["id"], created["api_key"]
    r = admin.patch(f"{P}/{pid}", {"name": "new", "tier": 3})
    assert r.status == 200, r
    assert r.json["name"] == "new" and r.json["tier"] == {"name": "custom", "daily_quota": 3}
    assert admin.get(f"{P}/{pid}").json == r.json
    # The new quota applies to ingestion at once.
    for _ in range(3):
        assert server.ingest(key).status == 201
    assert_error(server.ingest(key), 429, "RATE_LIMITED")
    # An invalid member changes nothing, not even the valid one beside it.
    assert_error(admin.patch(f"{P}/{pid}", {"name": "newer", "tier": "platinum"}), 400, "INVALID_PAYLOAD", field="tier")
    assert admin.get(f"{P}/{pid}").json["name"] == "new"
    # An empty PATCH changes nothing; data_since moved with the first event.
    unchanged = admin.patch(f"{P}/{pid}", {}).json
    assert TS_RE.match(unchanged["data_since"])
    assert unchanged == {**r.json, "data_since": unchanged["data_since"]}


def test_project_delete_needs_confirmation(server, admin):
    created = admin.create_project("Doomed")
    pid, key = created["project"]["id"], created["api_key"]
    assert server.ingest(key).status == 201
    assert_error(admin.delete(f"{P}/{pid}"), 400, "INVALID_PAYLOAD", field="confirm")
    assert_error(admin.delete(f"{P}/{pid}", {}), 400, "INVALID_PAYLOAD", field="confirm")
    assert_error(admin.delete(f"{P}/{pid}", {"confirm": "doomed"}), 400, "INVALID_PAYLOAD", field="confirm")
    assert admin.get(f"{P}/{pid}").status == 200, "still there"
    assert admin.delete(f"{P}/{pid}", {"confirm": "Doomed"}).status == 204
    assert_error(admin.get(f"{P}/{pid}"), 404, "NOT_FOUND")
    assert_error(admin.get(f"{P}/{pid}/events"), 404, "NOT_FOUND")
    assert_error(server.ingest(key), 401, "INVALID_API_KEY")
    assert pid not in [p["id"] for p in admin.get(P).json["projects"]]


@pytest.mark.parametrize("pid", ["not-a-uuid", "00000000-0000-7000-8000-000000000000", "%00", "..%2F"])
def test_unknown_project_ids(admin, pid):
    assert_error(admin.get(f"{P}/{pid}"), 404, "NOT_FOUND")
    assert_error(admin.patch(f"{P}/{pid}", {"name": "x"}), 404, "NOT_FOUND")
    assert_error(admin.get(f"{P}/{pid}/keys"), 404, "NOT_FOUND")


# ---- members --------------------------------------------------------------

def test_members(server, admin):
    pid = admin.create_project("team")["project"]["id"]
    bob = add_user(admin, "bob@example.com")
    assert_error(bob.get(f"{P}/{pid}"), 404, "NOT_FOUND")
    r = admin.post(f"{P}/{pid}/members", {"email": "BOB@example.com"})
    assert r.status == 201 and r.json["email"] == "bob@example.com", r
    assert bob.get(f"{P}/{pid}").status == 200
    assert pid in [p["id"] for p in bob.get(P).json["projects"]]
    assert_error(admin.post(f"{P}/{pid}/members", {"email": "bob@example.com"}), 409, "CONFLICT")
    assert_error(admin.post(f"{P}/{pid}/members", {"email": "nobody@example.com"}), 400, "INVALID_PAYLOAD", field="email")
    assert_error(admin.post(f"{P}/{pid}/members", {"email": "nope"}), 400, "INVALID_PAYLOAD", field="email")
    emails = sorted(m["email"] for m in admin.get(f"{P}/{pid}/members").json["members"])
    assert emails == ["admin@example.com", "bob@example.com"]
    assert admin.delete(f"{P}/{pid}/members/{bob.id}").status == 204
    assert_error(bob.get(f"{P}/{pid}"), 404, "NOT_FOUND")
    assert_error(admin.delete(f"{P}/{pid}/members/{bob.id}"), 404, "NOT_FOUND")
    assert_error(admin.delete(f"{P}/{pid}/members/not-a-uuid"), 404, "NOT_FOUND")


# ---- keys -----------------------------------------------------------------

def test_keys_create_list_rotate_revoke(server, admin):
    created = admin.create_project("keys")
    pid, first = created["project"]["id"], created["api_key"]
    first_id = created["key"]["id"]
    r = admin.post(f"{P}/{pid}/keys")
    assert r.status == 201, r
    second, second_id = r.json["api_key"], r.json["key"]["id"]
    assert second.startswith("as_") and server.ingest(second).status == 201

    keys = admin.get(f"{P}/{pid}/keys").json["keys"]
    assert [k["id"] for k in keys] == [first_id, second_id]
    for k in keys:
        assert set(k) == {"id", "prefix", "created_at", "last_used_at", "revoked_at"}
        assert "api_key" not in k and len(k["prefix"]) < 12, "never the whole key again"

    r = admin.post(f"{P}/{pid}/keys/{first_id}/rotate")
    assert r.status == 201, r
    rotated = r.json["api_key"]
    assert_error(server.ingest(first), 401, "INVALID_API_KEY")
    assert server.ingest(rotated).status == 201
    assert_error(admin.post(f"{P}/{pid}/keys/{first_id}/rotate"), 404, "NOT_FOUND")

    r = admin.delete(f"{P}/{pid}/keys/{second_id}")
    assert r.status == 200 and r.json["id"] == second_id and TS_RE.match(r.json["revoked_at"]), r
    assert_error(server.ingest(second), 401, "INVALID_API_KEY")
    assert_error(admin.delete(f"{P}/{pid}/keys/{second_id}"), 404, "NOT_FOUND")
    assert_error(admin.delete(f"{P}/{pid}/keys/not-a-key"), 404, "NOT_FOUND")


def test_a_key_is_reached_only_through_its_project(admin):
    p1 = admin.create_project("one")
    p2 = admin.create_project("two")
    key1 = p1["key"]["id"]
    path = f"{P}/{p2['project']['id']}/keys/{key1}"
    assert_error(admin.delete(path), 404, "NOT_FOUND")
    assert_error(admin.post(path + "/rotate"), 404, "NOT_FOUND")
    assert admin.get(f"{P}/{p1['project']['id']}/keys").json["keys"][0]["revoked_at"] is None


# ---- agents ---------------------------------------------------------------

def test_agents_lifecycle(server, admin):
    created = admin.create_project("agents")
    pid, key = created["project"]["id"], created["api_key"]
    r = admin.post(f"{P}/{pid}/agents", {"name": "Refunder", "scopes": ["read:*", "write:refunds"],
                                        "role": "admin", "session_ttl_seconds": 600})
    assert r.status == 201, r
    agent = r.json
    assert UUID_RE.match(agent["id"]) and agent["name"] == "Refunder"
    assert agent["scopes"] == ["read:*", "write:refunds"] and agent["role"] == "admin"
    assert agent["session_ttl_seconds"] == 600 and agent["last_seen_at"] is None
    assert admin.get(f"{P}/{pid}/agents/{agent['id']}").json == agent
    assert_error(admin.post(f"{P}/{pid}/agents", {"name": "Refunder"}), 409, "CONFLICT")

    r = admin.patch(f"{P}/{pid}/agents/{agent['id']}", {"scopes": ["read:orders"]})
    assert r.status == 200 and r.json["scopes"] == ["read:orders"] and r.json["role"] == "admin", r
    r = admin.patch(f"{P}/{pid}/agents/{agent['id']}", {"role": "worker", "session_ttl_seconds": 60})
    assert r.json["scopes"] == ["read:orders"] and r.json["role"] == "worker" and r.json["session_ttl_seconds"] == 60

    # An agent first seen at ingest appears with the defaults; events keep its name.
    assert server.ingest(key, agent_name="Seen").status == 201
    assert server.ingest(key, agent_name="Refunder").status == 201
    agents = {a["name"]: a for a in admin.get(f"{P}/{pid}/agents").json["agents"]}
    assert set(agents) == {"Refunder", "Seen"}
    assert agents["Seen"]["scopes"] == [] and agents["Seen"]["role"] == "worker"
    assert agents["Seen"]["session_ttl_seconds"] == 3600

    assert admin.delete(f"{P}/{pid}/agents/{agent['id']}").status == 204
    assert_error(admin.get(f"{P}/{pid}/agents/{agent['id']}"), 404, "NOT_FOUND")
    assert_error(admin.delete(f"{P}/{pid}/agents/{agent['id']}"), 404, "NOT_FOUND")
    assert [a["name"] for a in admin.get(f"{P}/{pid}/agents").json["agents"]] == ["Seen"]
    events = admin.get(f"{P}/{pid}/events?agent_name=Refunder").json["events"]
    decisions = [e for e in events if e["action"] != "policy_changed"]
    assert len(decisions) == 1, "a deleted agent's events stay in the audit log"
    # Its policy changes stay too: created, updated twice, deleted.
    assert len(events) - len(decisions) == 4
    # The name can be used again; it comes back with the new settings.
    again = admin.post(f"{P}/{pid}/agents", {"name": "Refunder"})
    assert again.status == 201 and again.json["scopes"] == [] and again.json["role"] == "worker", again


@pytest.mark.parametrize("body,field,index", [
    ({"name": ""}, "name", None),
    ({"name": "a" * 201}, "name", None),
    ({"name": "tab\there"}, "name", None),
    ({}, "name", None),
    ({"name": "x", "scopes": "read:*"}, "scopes", None),
    ({"name": "x", "scopes": ["ok", 5]}, "scopes", 1),
    ({"name": "x", "scopes": ["ok", ""]}, "scopes", 1),
    ({"name": "x", "scopes": ["read:[orders"]}, "scopes", 0),
    ({"name": "x", "scopes": ["a", "b", "trailing\\"]}, "scopes", 2),
    ({"name": "x", "scopes": ["s" * 257]}, "scopes", 0),
    ({"name": "x", "scopes": ["bell\u0007"]}, "scopes", 0),
    ({"name": "x", "scopes": [f"s{i}" for i in range(201)]}, "scopes", None),
    ({"name": "x", "role": ""}, "role", None),
    ({"name": "x", "role": 7}, "role", None),
    ({"name": "x", "session_ttl_seconds": 0}, "session_ttl_seconds", None),
    ({"name": "x", "session_ttl_seconds": -1}, "session_ttl_seconds", None),
    ({"name": "x", "session_ttl_seconds": 1.5}, "session_ttl_seconds", None),
    ({"name": "x", "session_ttl_seconds": "60"}, "session_ttl_seconds", None),
    ({"name": "x", "session_ttl_seconds": 10**12}, "session_ttl_seconds", None),
    ({"name": "x", "scope": ["typo"]}, "scope", None),
])
def test_agent_validation(admin, body, field, index):
    pid = admin.create_project("v")["project"]["id"]
    assert_error(admin.post(f"{P}/{pid}/agents", body), 400, "INVALID_PAYLOAD", field=field, index=index)
    assert admin.get(f"{P}/{pid}/agents").json["agents"] == []
    # The same rules on an edit, which then changes nothing.
    agent = admin.post(f"{P}/{pid}/agents", {"name": "keep", "scopes": ["read:*"]}).json
    patch = {k: v for k, v in body.items() if k != "name"}
    if patch:
        r = admin.patch(f"{P}/{pid}/agents/{agent['id']}", patch)
        assert_error(r, 400, "INVALID_PAYLOAD", field=field, index=index)
        assert admin.get(f"{P}/{pid}/agents/{agent['id']}").json == agent


def test_agent_scope_patterns_accepted(admin):
    pid = admin.create_project("pat")["project"]["id"]
    scopes = ["*", "read:*", "write:orders*", "[rw]ead:?", "[!x]*", "a\\*b", "[[:alpha:]]*", "[]]x"]
    r = admin.post(f"{P}/{pid}/agents", {"name": "p", "scopes": scopes})
    assert r.status == 201 and r.json["scopes"] == scopes, r


# ---- users ----------------------------------------------------------------

def test_users_admin_only(server, admin):
    r = admin.post("/api/v1/users", {"email": "Carol@Example.com", "password": PASSWORD})
    assert r.status == 201 and r.json["email"] == "carol@example.com" and r.json["is_admin"] is False, r
    assert set(r.json) == {"id", "email", "is_admin", "created_at"}
    assert_error(admin.post("/api/v1/users", {"email": "carol@example.com", "password": PASSWORD}), 409, "CONFLICT")
    assert_error(admin.post("/api/v1/users", {"email": "d@example.com", "password": "short"}), 400, "INVALID_PAYLOAD", field="password")
    assert_error(admin.post("/api/v1/users", {"email": "d@example.com", "password": PASSWORD, "is_admin": "yes"}),
                 400, "INVALID_PAYLOAD", field="is_admin")
    users = admin.get("/api/v1/users").json["users"]
    assert sorted(u["email"] for u in users) == ["admin@example.com", "carol@example.com"]
    assert all("password" not in str(u) for u in users)

    carol = Person(server, "carol@example.com").log_in()
    assert_error(carol.get("/api/v1/users"), 403, "FORBIDDEN")
    assert_error(carol.post("/api/v1/users", {"email": "e@example.com", "password": PASSWORD}), 403, "FORBIDDEN")
    assert_error(carol.delete(f"/api/v1/users/{admin.id}"), 403, "FORBIDDEN")
    assert carol.get(P).json["projects"] == [], "a new user sees no project until added"

    assert_error(admin.delete(f"/api/v1/users/{admin.id}"), 409, "CONFLICT")
    assert admin.delete(f"/api/v1/users/{carol.id}").status == 204
    assert_error(carol.get(P), 401, "UNAUTHORIZED"), "a deleted user's sessions end"
    assert_error(admin.delete(f"/api/v1/users/{carol.id}"), 404, "NOT_FOUND")

    # A second admin may be created, and then the first may go.
    dave = add_user(admin, "dave@example.com", is_admin=True)
    assert dave.get("/api/v1/users").status == 200
    assert dave.delete(f"/api/v1/users/{admin.id}").status == 204


def test_operator_token_reaches_everything(server, admin):
    op = Operator(server)
    pid = admin.create_project("mine")["project"]["id"]
    assert op.get(f"{P}/{pid}").status == 200
    assert pid in [p["id"] for p in op.get(P).json["projects"]]
    assert op.get("/api/v1/users").status == 200
    r = op.get("/api/v1/session")
    assert r.status == 200 and r.json == {"user": None, "csrf_token": None}, r


def test_agent_with_the_most_scopes_allowed(admin):
    """200 scopes of 256 bytes, each needing JSON escapes, fit in one request."""
    pid = admin.create_project("big")["project"]["id"]
    scopes = [f"{i:03d}" + "\\*" * 126 + "z" for i in range(200)]
    assert all(len(s) == 256 for s in scopes)
    r = admin.post(f"{P}/{pid}/agents", {"name": "big", "scopes": scopes})
    assert r.status == 201, r
    assert r.json["scopes"] == scopes
