"""Approvals over real HTTP: a call the policy denies asks a person
(POST /v1/check with on_denial "approval"), the person decides through the
management API, the requester waits at GET /v1/approvals/{id}?wait= and then
redeems the approval once; everything lands in the audit log."""

import hashlib
import threading
import time

import pytest

from support.accounts import Operator, set_up_admin
from support.events import UUID_RE, assert_error
from support.long_poll import get_in_background, wait_for_gauge
from support.timeouts import TIMEOUT

P = "/api/v1/projects"
DIGEST = hashlib.sha256(b'{"order": 1182, "amount": 40}').hexdigest()
OTHER_DIGEST = hashlib.sha256(b'{"order": 1182, "amount": 4000}').hexdigest()
CALL = {"agent_name": "Refunder", "scope": "write:refunds", "function_name": "refund", "args_digest": DIGEST}


@pytest.fixture
def project(server):
    """A project whose agent Refunder reads but may not refund; decided by a person."""
    project_id, key = server.create_project("approvals", tier=1000)
    person = set_up_admin(server, email="ann@example.com")
    r = person.post(f"{P}/{project_id}/agents", {"name": "Refunder", "scopes": ["read:*"]})
    assert r.status == 201, r
    return project_id, key, person


def check(server, key, **members):
    body = {**CALL, **members}
    return server.request("POST", "/v1/check", body=body, headers={"X-API-Key": key})


def ask(server, key, **members):
    """A denied call that asks a person; returns the new request (with its nonce)."""
    r = check(server, key, on_denial="approval", **members)
    assert r.status == 200, r
    assert r.json["allowed"] is False and r.json["action"] == "approval_requested", r
    return r.json["approval"]


def status(server, key, approval_id, wait=None):
    query = f"?wait={wait}" if wait is not None else ""
    return server.request("GET", f"/v1/approvals/{approval_id}{query}", headers={"X-API-Key": key})


def redeem(server, key, approval, **members):
    return check(server, key, approval={"id": approval["id"], "nonce": approval["nonce"]}, **members)


def approval_events(server, project_id):
    return [e for e in server.all_events(project_id) if e["action"].startswith("approval_")]


def wait_for_approval_waiters(server, count):
    wait_for_gauge(server, "agentsudo_approval_waiters", count)


def wait_in_background(server, key, approval_id, wait=30):
    """GET ?wait= on its own connection, answered into the returned dict."""
    return get_in_background(server, f"/v1/approvals/{approval_id}?wait={wait}", key)


def test_a_denied_call_asks_and_the_request_is_recorded(server, project):
    project_id, key, person = project
    r = check(server, key, on_denial="approval", preview="refund order 1182, 40 EUR", approval_ttl_seconds=120)
    assert r.status == 200, r
    body = r.json
    assert set(body) == {"allowed", "action", "event_id", "policy_version", "reason", "approval"}
    assert body["allowed"] is False and body["action"] == "approval_requested"
    assert body["policy_version"] == 1 and "write:refunds" in body["reason"]
    approval = body["approval"]
    assert set(approval) == {"id", "status", "expires_at", "nonce"}
    assert UUID_RE.match(approval["id"]) and approval["status"] == "pending"
    assert len(approval["nonce"]) == 43
    # The requester reads it without the nonce; the person sees it pending.
    g = status(server, key, approval["id"])
    assert g.status == 200, g
    assert g.json == {"id": approval["id"], "status": "pending", "agent_name": "Refunder",
                      "scope": "write:refunds", "function_name": "refund", "expires_at": approval["expires_at"]}
    listed = person.get(f"{P}/{project_id}/approvals").json
    assert listed["next_cursor"] is None
    [item] = listed["approvals"]
    assert item["id"] == approval["id"] and item["preview"] == "refund order 1182, 40 EUR"
    assert item["args_digest"] == DIGEST and item["denial_reason"] == body["reason"]
    assert item["decided_by"] is None and item["spent_at"] is None and "nonce" not in item
    [event] = approval_events(server, project_id)
    assert event["id"] == body["event_id"] and event["action"] == "approval_requested"
    assert (event["agent_name"], event["scope"], event["function_name"], event["allowed"]) == \
        ("Refunder", "write:refunds", "refund", False)
    assert event["metadata"]["approval_id"] == approval["id"]
    assert event["metadata"]["args_digest"] == DIGEST and event["metadata"]["policy_version"] == 1
    # No permission_denied event: the request is the record of this check.
    assert not [e for e in server.all_events(project_id) if e["action"] == "permission_denied"]


def test_approved_once_runs_exactly_once(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    r = person.post(f"{P}/{project_id}/approvals/{approval['id']}/approve", {"reason": "ticket 4411"})
    assert r.status == 200, r
    assert r.json["status"] == "approved" and r.json["decided_by"] == "ann@example.com"
    assert r.json["reason"] == "ticket 4411" and r.json["grant_until"] is None
    first = redeem(server, key, approval)
    assert first.status == 200, first
    assert first.json == {"allowed": True, "action": "permission_check", "event_id": first.json["event_id"],
                          "policy_version": 1, "matched": "approval", "approval_id": approval["id"]}
    again = redeem(server, key, approval)
    assert again.status == 200 and again.json["allowed"] is False, again
    assert again.json["action"] == "permission_denied" and "already used" in again.json["reason"]
    item = person.get(f"{P}/{project_id}/approvals?status=approved").json["approvals"][0]
    assert item["spent_at"] is not None
    # The next call asks again: a once-approval is no grant.
    assert check(server, key, on_denial="approval").json["action"] == "approval_requested"
    ran = [e for e in server.all_events(project_id) if e["action"] == "permission_check"]
    assert len(ran) == 1 and ran[0]["id"] == first.json["event_id"]
    assert ran[0]["metadata"]["matched"] == "approval" and ran[0]["metadata"]["approval_id"] == approval["id"]


def test_denied_is_refused_with_the_decider(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    r = person.post(f"{P}/{project_id}/approvals/{approval['id']}/deny", {"reason": "not this one"})
    assert r.status == 200 and r.json["status"] == "denied", r
    g = status(server, key, approval["id"]).json
    assert (g["status"], g["decided_by"], g["reason"]) == ("denied", "ann@example.com", "not this one")
    refused = redeem(server, key, approval)
    assert refused.json["allowed"] is False and "denied by ann@example.com" in refused.json["reason"]


def test_a_request_nobody_decides_expires(server, project):
    project_id, key, person = project
    approval = ask(server, key, approval_ttl_seconds=1)
    # The waiter is answered when the sweeper expires it, before its own deadline.
    g = status(server, key, approval["id"], wait=30)
    assert g.status == 200 and g.json["status"] == "expired", g
    deadline = time.monotonic() + TIMEOUT
    while not [e for e in approval_events(server, project_id) if e["action"] == "approval_expired"]:
        assert time.monotonic() < deadline, "no approval_expired event"
        time.sleep(0.05)
    [expired] = [e for e in approval_events(server, project_id) if e["action"] == "approval_expired"]
    assert expired["metadata"]["approval_id"] == approval["id"] and expired["allowed"] is False
    listed = person.get(f"{P}/{project_id}/approvals?status=expired").json["approvals"]
    assert [a["id"] for a in listed] == [approval["id"]]
    assert person.get(f"{P}/{project_id}/approvals").json["approvals"] == []
    # Deciding after expiry: 409 saying it expired; nothing changes.
    late = person.post(f"{P}/{project_id}/approvals/{approval['id']}/approve", {})
    assert_error(late, 409, "CONFLICT")
    assert late.json["error"].startswith(f"approval {approval['id']} expired at ")
    assert len(approval_events(server, project_id)) == 2
    assert "expired" in redeem(server, key, approval).json["reason"]


def test_approved_for_minutes_lets_later_calls_through_at_once(server, project):
    project_id, key, _ = project
    op = Operator(server)
    approval = ask(server, key)
    r = op.post(f"{P}/{project_id}/approvals/{approval['id']}/approve", {"for_minutes": 30})
    assert r.status == 200 and r.json["decided_by"] == "operator" and r.json["grant_until"], r
    for digest in (DIGEST, OTHER_DIGEST):
        later = check(server, key, on_denial="approval", args_digest=digest, function_name="other")
        assert later.status == 200, later
        assert later.json["allowed"] is True and later.json["matched"] == "approval"
        assert later.json["approval_id"] == approval["id"]
    # Only for that scope, and only for callers that ask for approval.
    assert check(server, key, on_denial="approval", scope="write:orders").json["action"] == "approval_requested"
    assert check(server, key).json["action"] == "permission_denied"
    listed = op.get(f"{P}/{project_id}/approvals?status=pending").json["approvals"]
    assert len(listed) == 1 and listed[0]["scope"] == "write:orders"
    [granted] = [e for e in approval_events(server, project_id) if e["action"] == "approval_granted"]
    assert granted["metadata"]["for_minutes"] == 30 and granted["metadata"]["decided_by"] == "operator"
    assert granted["metadata"]["grant_until"] == r.json["grant_until"]


def test_a_once_approval_covers_only_its_own_call(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    assert person.post(f"{P}/{project_id}/approvals/{approval['id']}/approve").status == 200
    for members, said in (({"args_digest": OTHER_DIGEST}, "other arguments"),
                          ({"args_digest": None}, "other arguments"),
                          ({"function_name": "refund_all"}, "function"),
                          ({"agent_name": "Intruder"}, "agent"),
                          ({"scope": "write:everything"}, "scope")):
        r = redeem(server, key, approval, **members)
        assert r.status == 200 and r.json["allowed"] is False, (members, r)
        assert said in r.json["reason"], (members, r.json)
    # Those failures spent nothing, and asked nobody.
    assert redeem(server, key, approval).json["allowed"] is True
    assert person.get(f"{P}/{project_id}/approvals").json["approvals"] == []


def test_a_wrong_nonce_is_refused_and_spends_nothing(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    assert person.post(f"{P}/{project_id}/approvals/{approval['id']}/approve").status == 200
    wrong = redeem(server, key, {**approval, "nonce": "A" * 43})
    assert wrong.json["allowed"] is False and "nonce does not match" in wrong.json["reason"]
    unknown = redeem(server, key, {**approval, "id": "00000000-0000-7000-8000-000000000000"})
    assert unknown.json["allowed"] is False and "no approval" in unknown.json["reason"]
    assert redeem(server, key, approval).json["allowed"] is True


def test_a_pending_request_cannot_be_redeemed(server, project):
    _, key, _ = project
    approval = ask(server, key)
    r = redeem(server, key, approval, on_denial="approval")
    assert r.json["allowed"] is False and "still pending" in r.json["reason"]


def test_deciding_twice_is_a_conflict_naming_the_first_decision(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    first = person.post(f"{P}/{project_id}/approvals/{approval['id']}/deny", {})
    assert first.status == 200, first
    for verb, body in (("approve", {"for_minutes": 5}), ("deny", {"reason": "again"})):
        r = Operator(server).post(f"{P}/{project_id}/approvals/{approval['id']}/{verb}", body)
        assert_error(r, 409, "CONFLICT")
        assert r.json["error"] == (f"approval {approval['id']} was already denied by ann@example.com "
                                   f"at {first.json['decided_at']}")
    assert status(server, key, approval["id"]).json["decided_by"] == "ann@example.com"
    assert [e["action"] for e in approval_events(server, project_id)] == ["approval_denied", "approval_requested"]


def test_concurrent_decisions_one_wins(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    results = []

    def decide(verb):
        client = server.client()
        r = client.request("POST", f"{P}/{project_id}/approvals/{approval['id']}/{verb}", body={},
                           headers={"Authorization": f"Bearer {server.token()}"})
        results.append(r.status)
        client.close()

    threads = [threading.Thread(target=decide, args=(verb,)) for verb in ("approve", "deny") * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    assert sorted(results) == [200] + [409] * 7
    decided = [e for e in approval_events(server, project_id) if e["action"] != "approval_requested"]
    assert len(decided) == 1


def test_a_waiter_wakes_on_the_decision(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    thread, result = wait_in_background(server, key, approval["id"], wait=30)
    wait_for_approval_waiters(server, 1)
    assert person.post(f"{P}/{project_id}/approvals/{approval['id']}/approve").status == 200
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    r = result["response"]
    assert r.status == 200 and r.json["status"] == "approved" and r.json["decided_by"] == "ann@example.com", r
    assert result["elapsed"] < 30, "answered by the decision, not by its deadline"
    assert server.metric_sum("agentsudo_approval_waiters") == 0


def test_a_wait_on_a_decided_request_answers_at_once_and_a_short_wait_ends_pending(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    assert status(server, key, approval["id"], wait=1).json["status"] == "pending"
    assert person.post(f"{P}/{project_id}/approvals/{approval['id']}/deny").status == 200
    assert status(server, key, approval["id"], wait=60).json["status"] == "denied"


def test_a_pending_request_and_its_waiter_survive_a_restart(make_server):
    s = make_server()
    s.start()
    project_id, key = s.create_project("durable", tier=1000)
    op = Operator(s)
    assert op.post(f"{P}/{project_id}/agents", {"name": "Refunder", "scopes": []}).status == 201
    approval = ask(s, key)
    thread, result = wait_in_background(s, key, approval["id"], wait=60)
    wait_for_approval_waiters(s, 1)
    # SIGTERM answers the waiter at once (still pending) and stops cleanly.
    assert s.stop() == 0
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert result["response"].status == 200 and result["response"].json["status"] == "pending"
    s2 = make_server(data_dir=s.data_dir)
    s2.start()
    # The waiter reconnects and gets the decision made after the restart.
    thread, result = wait_in_background(s2, key, approval["id"], wait=30)
    wait_for_approval_waiters(s2, 1)
    assert Operator(s2).post(f"{P}/{project_id}/approvals/{approval['id']}/approve").status == 200
    thread.join(TIMEOUT)
    assert result["response"].json["status"] == "approved"
    assert redeem(s2, key, approval).json["allowed"] is True


def test_every_step_is_in_the_audit_log_linked_by_the_request(server, project):
    project_id, key, person = project
    once = ask(server, key)
    person.post(f"{P}/{project_id}/approvals/{once['id']}/approve", {"reason": "ok"})
    redeem(server, key, once)
    denied = ask(server, key, args_digest=OTHER_DIGEST)
    Operator(server).post(f"{P}/{project_id}/approvals/{denied['id']}/deny", {"reason": "too much"})
    by_request = {}
    for e in server.all_events(project_id):
        if "approval_id" in e["metadata"]:
            by_request.setdefault(e["metadata"]["approval_id"], []).append(e)
    actions = {aid: [e["action"] for e in reversed(events)] for aid, events in by_request.items()}
    assert actions == {once["id"]: ["approval_requested", "approval_granted", "permission_check"],
                       denied["id"]: ["approval_requested", "approval_denied"]}
    granted = by_request[once["id"]][1]
    assert granted["metadata"]["decided_by"] == "ann@example.com" and granted["metadata"]["reason"] == "ok"
    assert granted["allowed"] is True and granted["scope"] == "write:refunds"
    refused = by_request[denied["id"]][0]
    assert refused["metadata"]["decided_by"] == "operator" and refused["metadata"]["reason"] == "too much"


@pytest.mark.parametrize("members,field", [
    ({"on_denial": "maybe"}, "on_denial"),
    ({"on_denial": 1}, "on_denial"),
    ({"args_digest": "ABC"}, "args_digest"),
    ({"args_digest": DIGEST.upper()}, "args_digest"),
    ({"args_digest": 7}, "args_digest"),
    ({"preview": "x" * 257}, "preview"),
    ({"approval_ttl_seconds": 0}, "approval_ttl_seconds"),
    ({"approval_ttl_seconds": 86401}, "approval_ttl_seconds"),
    ({"approval_ttl_seconds": 1.5}, "approval_ttl_seconds"),
    ({"approval": "id"}, "approval"),
    ({"approval": {"id": "x"}}, "approval"),
])
def test_bad_check_members_are_400s_naming_them_and_create_nothing(server, project, members, field):
    project_id, key, person = project
    r = check(server, key, **{"on_denial": "approval", **members})
    assert_error(r, 400, "INVALID_PAYLOAD", field=field)
    assert person.get(f"{P}/{project_id}/approvals?status=all").json["approvals"] == []
    assert [e for e in server.all_events(project_id) if e["action"] != "policy_changed"] == []


@pytest.mark.parametrize("verb,body,field", [
    ("approve", {"for_minutes": 0}, "for_minutes"),
    ("approve", {"for_minutes": 1441}, "for_minutes"),
    ("approve", {"for_minutes": "10"}, "for_minutes"),
    ("approve", {"reason": "x" * 501}, "reason"),
    ("approve", {"decided_by": "someone@else"}, "decided_by"),
    ("deny", {"reason": 5}, "reason"),
    ("deny", {"for_minutes": 5}, "for_minutes"),
])
def test_bad_decisions_are_400s_naming_the_member_and_decide_nothing(server, project, verb, body, field):
    project_id, key, person = project
    approval = ask(server, key)
    r = person.post(f"{P}/{project_id}/approvals/{approval['id']}/{verb}", body)
    assert_error(r, 400, "INVALID_PAYLOAD", field=field)
    assert status(server, key, approval["id"]).json["status"] == "pending"


def test_bad_list_and_wait_parameters_are_400s(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    for query, field in (("?status=open", "status"), ("?limit=0", "limit"), ("?limit=201", "limit"),
                         ("?cursor=forged", "cursor"), ("?colour=red", "colour")):
        assert_error(person.get(f"{P}/{project_id}/approvals{query}"), 400, "INVALID_PARAMETER", field=field)
    for wait in ("61", "-1", "soon"):
        assert_error(status(server, key, approval["id"], wait=wait), 400, "INVALID_PARAMETER", field="wait")


def test_the_list_pages_newest_first(server, project):
    project_id, key, person = project
    ids = [ask(server, key)["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        page = person.get(f"{P}/{project_id}/approvals?limit=2" + (f"&cursor={cursor}" if cursor else "")).json
        seen += [a["id"] for a in page["approvals"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    # A cursor pages only the status it was issued for.
    first = person.get(f"{P}/{project_id}/approvals?limit=2").json["next_cursor"]
    assert_error(person.get(f"{P}/{project_id}/approvals?status=all&cursor={first}"), 400, "INVALID_PARAMETER",
                 field="cursor")


def test_another_projects_request_is_not_found(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    other_id, other_key = server.create_project("other", tier=1000)
    assert_error(status(server, other_key, approval["id"]), 404, "NOT_FOUND")
    assert_error(status(server, key, "00000000-0000-7000-8000-000000000000"), 404, "NOT_FOUND")
    assert_error(status(server, key, "not-a-uuid"), 404, "NOT_FOUND")
    # Another project's key cannot redeem it either, nor does it see a grant.
    assert person.post(f"{P}/{project_id}/approvals/{approval['id']}/approve", {"for_minutes": 10}).status == 200
    assert redeem(server, other_key, approval).json["allowed"] is False
    assert check(server, other_key, on_denial="approval").json["action"] == "approval_requested"
    # Deciding through another project's path finds nothing.
    op = Operator(server)
    assert_error(op.post(f"{P}/{other_id}/approvals/{approval['id']}/deny"), 404, "NOT_FOUND")


def test_a_call_the_policy_allows_spends_no_approval(server, project):
    project_id, key, person = project
    approval = ask(server, key)
    assert person.post(f"{P}/{project_id}/approvals/{approval['id']}/approve").status == 200
    r = redeem(server, key, approval, scope="read:orders")
    assert r.json["allowed"] is True and r.json["matched"] == "read:*" and "approval_id" not in r.json
    assert person.get(f"{P}/{project_id}/approvals?status=approved").json["approvals"][0]["spent_at"] is None
    assert redeem(server, key, approval).json["matched"] == "approval"


def test_past_the_quota_nobody_is_asked_and_nothing_is_spent(server):
    project_id, key = server.create_project("tiny", tier=1)
    op = Operator(server)
    assert op.post(f"{P}/{project_id}/agents", {"name": "Refunder", "scopes": []}).status == 201
    approval = ask(server, key)  # an audit record: it uses none of the quota
    assert op.post(f"{P}/{project_id}/approvals/{approval['id']}/approve").status == 200
    assert check(server, key, scope="read:orders").status == 200  # the day's one event
    assert_error(redeem(server, key, approval), 429, "RATE_LIMITED")
    assert_error(check(server, key, on_denial="approval"), 429, "RATE_LIMITED")
    items = op.get(f"{P}/{project_id}/approvals?status=all").json["approvals"]
    assert [(a["id"], a["spent_at"]) for a in items] == [(approval["id"], None)]
