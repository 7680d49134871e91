"""Central policy over real HTTP: GET /v1/policy with its ETag, the long-poll
that wakes on a change, the version history, and the policy_changed events."""

import time

import pytest

from support.accounts import Operator, set_up_admin
from support.events import TS_RE, UUID_RE, assert_error
from support.long_poll import get_in_background, wait_for_gauge
from support.timeouts import TIMEOUT

P = "/api/v1/projects"


@pytest.fixture
def project(server):
    """(project id, ingest key, operator) on a fresh server."""
    project_id, key = server.create_project("policy")
    return project_id, key, Operator(server)


def policy(server, key, query="", headers=None):
    hdrs = {"X-API-Key": key}
    hdrs.update(headers or {})
    return server.get("/v1/policy" + query, headers=hdrs)


def create_agent(op, project_id, name, scopes, **settings):
    r = op.post(f"{P}/{project_id}/agents", {"name": name, "scopes": scopes, **settings})
    assert r.status == 201, r
    return r.json


def test_policy_starts_empty_at_version_zero(server, project):
    _, key, _ = project
    r = policy(server, key)
    assert r.status == 200, r
    assert r.json == {"version": 0, "agents": []}
    assert r.header("etag") == '"0"'
    assert "no-cache" in r.header("cache-control")


def test_each_change_bumps_the_version_and_shows_in_the_policy(server, project):
    project_id, key, op = project
    bot = create_agent(op, project_id, "SupportBot", ["read:*"], role="support")
    create_agent(op, project_id, "Archiver", ["write:archive"], session_ttl_seconds=60)
    r = policy(server, key)
    assert r.json == {
        "version": 2,
        "agents": [
            {"name": "Archiver", "scopes": ["write:archive"], "role": "worker", "session_ttl_seconds": 60},
            {"name": "SupportBot", "scopes": ["read:*"], "role": "support", "session_ttl_seconds": 3600},
        ],
    }
    assert op.patch(f"{P}/{project_id}/agents/{bot['id']}", {"scopes": ["read:*", "write:*"]}).status == 200
    assert op.delete(f"{P}/{project_id}/agents/{bot['id']}").status == 204
    r = policy(server, key)
    assert r.json["version"] == 4
    assert [a["name"] for a in r.json["agents"]] == ["Archiver"]
    assert r.header("etag") == '"4"'


def test_agents_only_seen_in_events_are_not_policy(server, project):
    _, key, _ = project
    assert server.ingest(key).status == 201  # SupportBot, first seen here
    assert policy(server, key).json == {"version": 0, "agents": []}


def test_if_none_match_answers_304(server, project):
    project_id, key, op = project
    create_agent(op, project_id, "A", ["x"])
    r = policy(server, key, headers={"If-None-Match": '"1"'})
    assert r.status == 304 and r.raw == b"", r
    assert r.header("content-length") is None  # RFC 9110 §8.6
    assert r.header("etag") == '"1"'
    for tag in ('W/"1"', '"0", "1"', "*"):
        assert policy(server, key, headers={"If-None-Match": tag}).status == 304, tag
    assert policy(server, key, headers={"If-None-Match": '"0"'}).status == 200


def test_a_key_reads_only_its_own_projects_policy(server, project):
    project_id, key, op = project
    create_agent(op, project_id, "Mine", ["x"])
    _, other_key = server.create_project("other")
    assert policy(server, other_key).json == {"version": 0, "agents": []}


@pytest.mark.parametrize("headers,code,status", [
    ({}, "INVALID_API_KEY", 401),
    ({"X-API-Key": "as_not_a_key"}, "INVALID_API_KEY", 401),
])
def test_policy_needs_a_valid_key(server, headers, code, status):
    assert_error(server.get("/v1/policy", headers=headers), status, code)


def test_a_revoked_key_reads_no_policy(server, project):
    project_id, key, op = project
    keys = op.get(f"{P}/{project_id}/keys").json["keys"]
    assert op.delete(f"{P}/{project_id}/keys/{keys[0]['id']}").status in (200, 204)
    assert_error(policy(server, key), 401, "INVALID_API_KEY")


def test_management_credentials_do_not_read_the_policy_endpoint(server, project):
    # /v1/policy is for project keys; a bearer token is not an API key.
    assert_error(server.get("/v1/policy", headers={"Authorization": f"Bearer {server.token()}"}),
                 401, "INVALID_API_KEY")


@pytest.mark.parametrize("query,field", [
    ("?after=-1", "after"),
    ("?after=x", "after"),
    ("?after=1&wait=61", "wait"),
    ("?after=1&wait=1.5", "wait"),
    ("?wait=5", "after"),
    ("?since=3", "since"),
])
def test_bad_parameters_are_named(server, project, query, field):
    _, key, _ = project
    assert_error(policy(server, key, query), 400, "INVALID_PARAMETER", field=field)


def test_long_poll_answers_at_once_when_the_client_is_behind(server, project):
    project_id, key, op = project
    create_agent(op, project_id, "A", ["x"])
    started = time.monotonic()
    r = policy(server, key, "?after=0&wait=30")
    assert r.status == 200 and r.json["version"] == 1
    assert time.monotonic() - started < 5


def test_long_poll_times_out_with_304(server, project):
    _, key, _ = project
    started = time.monotonic()
    r = policy(server, key, "?after=0&wait=1")
    elapsed = time.monotonic() - started
    assert r.status == 304, r
    assert r.header("etag") == '"0"'
    assert 0.9 <= elapsed < 10


def long_poll_in_background(server, key, after, wait=30):
    """A long-poll on its own connection, answered into the returned dict."""
    return get_in_background(server, f"/v1/policy?after={after}&wait={wait}", key)


def wait_for_waiters(server, count):
    wait_for_gauge(server, "agentsudo_policy_waiters", count)


def test_long_poll_wakes_on_a_change(server, project):
    project_id, key, op = project
    thread, result = long_poll_in_background(server, key, after=0)
    wait_for_waiters(server, 1)
    changed_at = time.monotonic()
    create_agent(op, project_id, "Woken", ["read:*"])
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    r = result["response"]
    assert r.status == 200, r
    assert r.json["version"] == 1
    assert [a["name"] for a in r.json["agents"]] == ["Woken"]
    assert time.monotonic() - changed_at < 2


def test_another_projects_change_does_not_wake_a_long_poll(server, project):
    project_id, key, op = project
    other_id, _ = server.create_project("other")
    thread, result = long_poll_in_background(server, key, after=0, wait=2)
    wait_for_waiters(server, 1)
    create_agent(op, other_id, "Elsewhere", ["x"])
    thread.join(TIMEOUT)
    assert result["response"].status == 304


def test_history_records_who_changed_what(server):
    admin = set_up_admin(server)
    r = admin.post(P, {"name": "hist"})
    project_id = r.json["project"]["id"]
    bot = admin.post(f"{P}/{project_id}/agents", {"name": "Bot", "scopes": ["read:*"]}).json
    assert admin.patch(f"{P}/{project_id}/agents/{bot['id']}", {"scopes": ["read:*", "write:*"]}).status == 200
    op = Operator(server)
    assert op.patch(f"{P}/{project_id}/agents/{bot['id']}", {"role": "admin"}).status == 200

    r = admin.get(f"{P}/{project_id}/agents/{bot['id']}/history")
    assert r.status == 200, r
    changes = r.json["changes"]
    assert [c["version"] for c in changes] == [3, 2, 1]
    assert [c["change"] for c in changes] == ["updated", "updated", "created"]
    assert [c["changed_by"] for c in changes] == ["operator", "admin@example.com", "admin@example.com"]
    assert changes[2]["old"] is None
    assert changes[2]["new"] == {"scopes": ["read:*"], "role": "worker", "session_ttl_seconds": 3600}
    assert changes[1]["old"]["scopes"] == ["read:*"]
    assert changes[1]["new"]["scopes"] == ["read:*", "write:*"]
    assert changes[0]["old"]["role"] == "worker" and changes[0]["new"]["role"] == "admin"
    for c in changes:
        assert TS_RE.match(c["changed_at"]) and UUID_RE.match(c["event_id"])
        assert c["agent_name"] == "Bot"

    # Each change is also an audit event that answers "who gave Bot write:*?".
    events = server.all_events(project_id, action="policy_changed")
    assert len(events) == 3
    grant = next(e for e in events if "write:*" in e["metadata"]["new_scopes"]
                 and "write:*" not in e["metadata"]["old_scopes"])
    assert grant["agent_name"] == "Bot"
    assert grant["metadata"]["changed_by"] == "admin@example.com"
    assert grant["metadata"]["policy_version"] == 2
    assert grant["id"] == changes[1]["event_id"]


def test_history_of_a_deleted_agent_stays_readable(server, project):
    project_id, _, op = project
    bot = create_agent(op, project_id, "Gone", ["x"])
    assert op.delete(f"{P}/{project_id}/agents/{bot['id']}").status == 204
    changes = op.get(f"{P}/{project_id}/agents/{bot['id']}/history").json["changes"]
    assert [c["change"] for c in changes] == ["deleted", "created"]
    assert changes[0]["new"] is None and changes[0]["old"]["scopes"] == ["x"]


def test_a_refused_change_changes_nothing(server, project):
    project_id, key, op = project
    bot = create_agent(op, project_id, "Bot", ["read:*"])
    r = op.patch(f"{P}/{project_id}/agents/{bot['id']}", {"scopes": ["bad[scope"]})
    assert_error(r, 400, "INVALID_PAYLOAD", field="scopes")
    assert policy(server, key).json["version"] == 1
    assert len(op.get(f"{P}/{project_id}/agents/{bot['id']}/history").json["changes"]) == 1


def test_the_policy_and_its_history_survive_a_restart(make_server):
    s = make_server()
    s.start()
    project_id, key = s.create_project("durable")
    op = Operator(s)
    bot = create_agent(op, project_id, "Bot", ["read:*"])
    data_dir = s.data_dir
    s.stop()
    s2 = make_server(data_dir=data_dir)
    s2.start()
    assert policy(s2, key).json["version"] == 1
    assert len(Operator(s2).get(f"{P}/{project_id}/agents/{bot['id']}/history").json["changes"]) == 1


def test_many_long_polls_all_wake_with_the_same_intact_policy(server, project):
    """Every waiter gets the new policy, byte for byte, and the policy stays
    readable afterwards: a wake-up touches nothing a waiter shares."""
    project_id, key, op = project
    bot = create_agent(op, project_id, "Bot", ["read:*"])
    polls = [long_poll_in_background(server, key, after=1) for _ in range(40)]
    wait_for_waiters(server, 40)
    for version in range(2, 5):
        r = op.patch(f"{P}/{project_id}/agents/{bot['id']}", {"scopes": ["read:*", f"write:v{version}"]})
        assert r.status == 200, r
    expected = policy(server, key).json
    assert expected["version"] == 4
    for thread, result in polls:
        thread.join(TIMEOUT)
        assert not thread.is_alive()
        r = result["response"]
        assert r.status == 200, r
        assert r.json["version"] >= 2
        assert r.json["agents"][0]["name"] == "Bot"
        assert r.json["agents"][0]["scopes"][0] == "read:*"
    for _ in range(3):
        assert policy(server, key).json == expected
