"""POST /v1/check over real HTTP: the server decides with the project's
policy, records the decision as one durable event, and refuses bad input
like /ingest-event. And the preview of a scope change against real traffic."""

import json

import pytest

from support.accounts import Operator
from support.events import UUID_RE, assert_error, reference_event

P = "/api/v1/projects"


@pytest.fixture
def project(server):
    project_id, key = server.create_project("check", tier=1000)
    op = Operator(server)
    r = op.post(f"{P}/{project_id}/agents",
                {"name": "SupportBot", "scopes": ["read:*", "write:orders", "tickets:?"]})
    assert r.status == 201, r
    return project_id, key, op, r.json


def decisions(server, project_id):
    """The project's events other than the policy changes that set it up."""
    return [e for e in server.all_events(project_id) if e["action"] != "policy_changed"]


def check(server, key, body, headers=None):
    hdrs = {"X-API-Key": key}
    hdrs.update(headers or {})
    return server.request("POST", "/v1/check", body=body, headers=hdrs)


def test_a_granted_call_names_the_pattern_and_is_recorded(server, project):
    project_id, key, _, _ = project
    r = check(server, key, {"agent_name": "SupportBot", "scope": "read:orders",
                            "function_name": "get_order", "metadata": {"ticket": 7}})
    assert r.status == 200, r
    assert r.json == {"allowed": True, "action": "permission_check", "event_id": r.json["event_id"],
                      "policy_version": 1, "matched": "read:*"}
    assert UUID_RE.match(r.json["event_id"])
    assert r.header("x-ratelimit-limit") == "1000"
    assert r.header("x-ratelimit-remaining") == "999"
    # Answered only once durable: the event is readable at once.
    events = decisions(server, project_id)
    assert len(events) == 1
    e = events[0]
    assert e["id"] == r.json["event_id"]
    assert (e["agent_name"], e["action"], e["scope"], e["allowed"], e["function_name"]) == \
        ("SupportBot", "permission_check", "read:orders", True, "get_order")
    assert e["metadata"]["ticket"] == 7
    assert e["metadata"]["policy_version"] == 1
    assert e["metadata"]["matched"] == "read:*"


def test_an_exact_scope_is_named_over_a_pattern(server, project):
    _, key, op, bot = project
    project_id = project[0]
    op.patch(f"{P}/{project_id}/agents/{bot['id']}", {"scopes": ["read:*", "read:orders"]})
    r = check(server, key, {"agent_name": "SupportBot", "scope": "read:orders"})
    assert r.json["matched"] == "read:orders" and r.json["policy_version"] == 2


def test_a_denied_call_says_why(server, project):
    project_id, key, _, _ = project
    r = check(server, key, {"agent_name": "SupportBot", "scope": "delete:orders"})
    assert r.status == 200, r
    assert r.json["allowed"] is False and r.json["action"] == "permission_denied"
    assert "matched" not in r.json
    assert "delete:orders" in r.json["reason"]
    e = decisions(server, project_id)[0]
    assert e["allowed"] is False and e["action"] == "permission_denied"
    assert e["metadata"]["reason"] == r.json["reason"]


def test_an_unknown_agent_is_denied_never_a_500(server, project):
    project_id, key, _, _ = project
    r = check(server, key, {"agent_name": "Stranger", "scope": "read:orders"})
    assert r.status == 200, r
    assert r.json["allowed"] is False
    assert "not in the project's policy" in r.json["reason"]
    e = decisions(server, project_id)[0]
    assert e["agent_name"] == "Stranger" and e["allowed"] is False


def test_another_projects_key_decides_with_its_own_policy(server, project):
    project_id, _, _, _ = project
    other_id, other_key = server.create_project("other")
    r = check(server, other_key, {"agent_name": "SupportBot", "scope": "read:orders"})
    assert r.json["allowed"] is False and r.json["policy_version"] == 0
    assert decisions(server, project_id) == []
    assert len(decisions(server, other_id)) == 1


def test_a_caller_cannot_claim_a_grant_in_metadata(server, project):
    project_id, key, _, _ = project
    r = check(server, key, {"agent_name": "SupportBot", "scope": "admin:all", "allowed": True,
                            "action": "permission_check",
                            "metadata": {"matched": "*", "policy_version": 99}})
    assert r.json["allowed"] is False
    e = decisions(server, project_id)[0]
    assert e["allowed"] is False
    assert "matched" not in e["metadata"] and e["metadata"]["policy_version"] == 1


def test_a_change_applies_to_the_next_check(server, project):
    project_id, key, op, bot = project
    assert check(server, key, {"agent_name": "SupportBot", "scope": "admin:users"}).json["allowed"] is False
    op.patch(f"{P}/{project_id}/agents/{bot['id']}", {"scopes": ["admin:*"]})
    r = check(server, key, {"agent_name": "SupportBot", "scope": "admin:users"})
    assert r.json["allowed"] is True and r.json["policy_version"] == 2
    assert check(server, key, {"agent_name": "SupportBot", "scope": "read:x"}).json["allowed"] is False


@pytest.mark.parametrize("body,field", [
    ({"scope": "read:x"}, "agent_name"),
    ({"agent_name": "", "scope": "read:x"}, "agent_name"),
    ({"agent_name": "x" * 201, "scope": "read:x"}, "agent_name"),
    ({"agent_name": 5, "scope": "read:x"}, "agent_name"),
    ({"agent_name": "SupportBot"}, "scope"),
    ({"agent_name": "SupportBot", "scope": ""}, "scope"),
    ({"agent_name": "SupportBot", "scope": None}, "scope"),
    ({"agent_name": "SupportBot", "scope": "s" * 257}, "scope"),
    ({"agent_name": "SupportBot", "scope": "read:\u0001"}, "scope"),
    ({"agent_name": "SupportBot", "scope": "read:x", "function_name": 3}, "function_name"),
    ({"agent_name": "SupportBot", "scope": "read:x", "metadata": []}, "metadata"),
    ({"agent_name": "SupportBot", "scope": "read:x", "metadata": {"a": "x" * 17000}}, "metadata"),
])
def test_bad_input_is_named_and_records_nothing(server, project, body, field):
    project_id, key, _, _ = project
    assert_error(check(server, key, body), 400, "INVALID_PAYLOAD", field=field)
    assert decisions(server, project_id) == []


def test_a_number_beyond_a_double_is_refused(server, project):
    project_id, key, _, _ = project
    body = b'{"agent_name": "SupportBot", "scope": "read:x", "metadata": {"n": 1e999}}'
    assert_error(server.post_raw("/v1/check", body, headers={"X-API-Key": key}),
                 400, "INVALID_PAYLOAD", field="metadata")
    assert decisions(server, project_id) == []


def test_a_body_that_is_not_an_object_is_refused(server, project):
    project_id, key, _, _ = project
    assert_error(check(server, key, ["SupportBot"]), 400, "INVALID_PAYLOAD")
    r = server.post_raw("/v1/check", b"{not json", headers={"X-API-Key": key})
    assert_error(r, 400, "INVALID_PAYLOAD")
    r = server.post_raw("/v1/check", b"{}", headers={"X-API-Key": key}, content_type="text/plain")
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert decisions(server, project_id) == []


def test_a_bad_key_is_401(server, project):
    for headers in ({}, {"X-API-Key": "as_nope"}):
        r = server.request("POST", "/v1/check", body={"agent_name": "SupportBot", "scope": "read:x"},
                           headers=headers)
        assert_error(r, 401, "INVALID_API_KEY")


def test_checks_count_against_the_quota(server):
    project_id, key = server.create_project("tiny", tier=2)
    body = {"agent_name": "Any", "scope": "read:x"}
    assert check(server, key, body).status == 200
    assert check(server, key, body).status == 200
    r = check(server, key, body)
    assert_error(r, 429, "RATE_LIMITED")
    assert int(r.header("retry-after")) >= 1
    assert r.header("x-ratelimit-remaining") == "0"
    assert len(decisions(server, project_id)) == 2


def test_a_body_over_64_kib_is_413(server, project):
    _, key, _, _ = project
    r = server.post_raw("/v1/check", json.dumps({"agent_name": "A", "scope": "s",
                                                 "pad": "x" * 70000}).encode(),
                        headers={"X-API-Key": key})
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


# ---- preview ----------------------------------------------------------------

def test_preview_counts_what_a_change_would_have_decided_differently(server, project):
    project_id, key, op, bot = project
    calls = ([reference_event(scope="write:orders", allowed=True)] * 5 +
             [reference_event(scope="read:orders", allowed=True)] * 3 +
             [reference_event(scope="admin:users", allowed=False)] * 4 +
             [reference_event(agent_name="OtherBot", scope="write:orders", allowed=True)] * 9)
    assert server.batch(key, calls).status == 200
    url = f"{P}/{project_id}/agents/{bot['id']}/preview"

    r = op.post(url, {"scopes": ["read:*", "admin:*"], "days": 7})
    assert r.status == 200, r
    assert r.json == {"days": 7, "calls": 12, "newly_denied": 5, "newly_granted": 4,
                      "denied_scopes": [{"scope": "write:orders", "calls": 5}],
                      "granted_scopes": [{"scope": "admin:users", "calls": 4}]}
    # The current scopes change nothing; the default window is 7 days.
    r = op.post(url, {"scopes": ["read:*", "write:orders", "tickets:?"]})
    assert (r.json["days"], r.json["newly_denied"], r.json["newly_granted"]) == (7, 0, 0)
    # A preview changes nothing.
    assert Operator(server).get(f"{P}/{project_id}/agents/{bot['id']}").json["scopes"] == \
        ["read:*", "write:orders", "tickets:?"]


def test_preview_looks_only_at_the_window(server, project):
    project_id, key, op, bot = project
    old = reference_event(scope="write:orders", allowed=True, timestamp="2020-01-01T00:00:00.000000Z")
    assert server.batch(key, [old, reference_event(scope="write:orders", allowed=True)]).status == 200
    r = op.post(f"{P}/{project_id}/agents/{bot['id']}/preview", {"scopes": [], "days": 30})
    assert (r.json["calls"], r.json["newly_denied"]) == (1, 1)


@pytest.mark.parametrize("body,field", [
    ({}, "scopes"),
    ({"scopes": "read:*"}, "scopes"),
    ({"scopes": ["bad[x"]}, "scopes"),
    ({"scopes": [], "days": 0}, "days"),
    ({"scopes": [], "days": 91}, "days"),
    ({"scopes": [], "days": "7"}, "days"),
    ({"scopes": [], "extra": 1}, "extra"),
])
def test_preview_bad_input_is_named(server, project, body, field):
    project_id, _, op, bot = project
    r = op.post(f"{P}/{project_id}/agents/{bot['id']}/preview", body)
    assert_error(r, 400, "INVALID_PAYLOAD", field=field)


def test_preview_of_an_unknown_agent_is_404(server, project):
    project_id, _, op, _ = project
    r = op.post(f"{P}/{project_id}/agents/00000000-0000-7000-8000-000000000000/preview", {"scopes": []})
    assert_error(r, 404, "NOT_FOUND")
