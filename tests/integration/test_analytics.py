"""Analytics, usage and scope preview: numbers equal what was ingested.

Every figure is checked against the read API over the same events, so the
aggregates kept at ingest must agree with the stored rows exactly."""

import collections
import datetime
import json

import pytest

from support.events import assert_error, reference_event

AGENTS = ["Alpha", "Beta", "Gamma", "Delta"]
SCOPES = ["read:orders", "write:orders", "read:users", "admin:keys", None]


def auth(server, token=None):
    return {"Authorization": f"Bearer {token or server.token()}"}


def analytics(server, project_id, days=None, token=None):
    path = f"/api/v1/projects/{project_id}/analytics" + (f"?days={days}" if days else "")
    return server.get(path, headers=auth(server, token))


@pytest.fixture(scope="module")
def ingested(mserver):
    """A project with events of several agents, scopes and sessions, sent
    without client timestamps (so all of them fall in the current hour)."""
    project_id, key = mserver.create_project("analytics", tier="pro")
    events = []
    for i in range(120):
        metadata = {"i": i}
        if i % 3 != 0:
            metadata["session_id"] = f"session-{i % 7}"
        events.append(reference_event(
            agent_name=AGENTS[i % 4], scope=SCOPES[(i // 2) % 5], allowed=(i % 5 != 0),
            action="permission_check" if i % 5 else "permission_denied", metadata=metadata))
    for start in range(0, len(events), 40):
        r = mserver.batch(key, events[start:start + 40])
        assert r.status == 200, r
    # One event far in the past: stored, readable, but outside every window.
    r = mserver.ingest(key, timestamp="2020-01-01T00:00:00Z", agent_name="Ancient")
    assert r.status == 201, r
    return project_id, key


def test_totals_agents_and_scopes_equal_the_read_api(mserver, ingested):
    project_id, _ = ingested
    stored = [e for e in mserver.all_events(project_id) if e["agent_name"] != "Ancient"]
    assert len(stored) == 120
    for days in (1, 7, 30, 90):
        r = analytics(mserver, project_id, days)
        assert r.status == 200, r
        body = r.json
        assert body["days"] == days
        assert body["bucket"] == ("hour" if days == 1 else "day")
        totals = body["totals"]
        denials = sum(1 for e in stored if not e["allowed"])
        assert totals["events"] == len(stored)
        assert totals["denials"] == denials
        assert totals["grants"] == len(stored) - denials
        assert totals["denial_rate"] == pytest.approx(denials / len(stored))
        assert totals["agents"] == len({e["agent_name"] for e in stored})
        # Explicit session ids, plus one implicit session per agent and day
        # for the events that carry none.
        sessions = {e["metadata"]["session_id"] for e in stored if "session_id" in e["metadata"]}
        implicit = {e["agent_name"] for e in stored if "session_id" not in e["metadata"]}
        assert totals["sessions"] == len(sessions) + len(implicit)

        per_agent = {a["agent_name"]: a for a in body["agents"]}
        assert set(per_agent) == set(AGENTS)
        for name, row in per_agent.items():
            mine = [e for e in stored if e["agent_name"] == name]
            assert row["events"] == len(mine)
            assert row["denials"] == sum(1 for e in mine if not e["allowed"])
            assert row["agent_id"] == mine[0]["agent_id"]
            assert row["last_active"] == max(e["timestamp"] for e in mine)
        counts = [a["events"] for a in body["agents"]]
        assert counts == sorted(counts, reverse=True)

        per_scope = {s["scope"]: s for s in body["scopes"]}
        assert set(per_scope) == {s for s in SCOPES if s}
        for scope, row in per_scope.items():
            mine = [e for e in stored if e["scope"] == scope]
            assert row["requests"] == len(mine)
            assert row["denials"] == sum(1 for e in mine if not e["allowed"])
            assert row["agents"] == len({e["agent_name"] for e in mine})

        series = body["series"]
        assert len(series) == (24 if days == 1 else days)
        assert sum(b["allowed"] for b in series) == totals["grants"]
        assert sum(b["denied"] for b in series) == totals["denials"]
        times = [b["t"] for b in series]
        assert times == sorted(times)
        now = datetime.datetime.now(datetime.timezone.utc)
        last = datetime.datetime.fromisoformat(times[-1].replace("Z", "+00:00"))
        assert last <= now < last + (datetime.timedelta(hours=1) if days == 1 else datetime.timedelta(days=1))


def test_default_window_is_seven_days(mserver, ingested):
    project_id, _ = ingested
    r = analytics(mserver, project_id)
    assert r.status == 200, r
    assert r.json["days"] == 7 and len(r.json["series"]) == 7


def test_new_events_show_at_once(mserver, ingested):
    project_id, key = ingested
    before = analytics(mserver, project_id, 1).json["totals"]
    r = mserver.ingest(key, agent_name="Alpha", scope="read:orders", allowed=False, action="permission_denied")
    assert r.status == 201, r
    after = analytics(mserver, project_id, 1).json["totals"]
    assert after["events"] == before["events"] + 1
    assert after["denials"] == before["denials"] + 1


def test_empty_project_has_every_bucket_at_zero(mserver):
    project_id, _ = mserver.create_project("empty-analytics")
    r = analytics(mserver, project_id, 30)
    assert r.status == 200, r
    assert r.json["totals"] == {"events": 0, "agents": 0, "sessions": 0, "grants": 0, "denials": 0,
                                "denial_rate": 0.0}
    assert r.json["agents"] == [] and r.json["scopes"] == []
    assert len(r.json["series"]) == 30
    assert all(b["allowed"] == 0 and b["denied"] == 0 for b in r.json["series"])


@pytest.mark.parametrize("query,field", [("days=2", "days"), ("days=abc", "days"), ("days=", "days"),
                                         ("window=7", "window")])
def test_bad_parameters_are_refused(mserver, ingested, query, field):
    project_id, _ = ingested
    r = mserver.get(f"/api/v1/projects/{project_id}/analytics?{query}", headers=auth(mserver))
    assert_error(r, 400, "INVALID_PARAMETER", field=field)


def test_credentials_and_unknown_projects(mserver, ingested):
    project_id, key = ingested
    for path in (f"/api/v1/projects/{project_id}/analytics", f"/api/v1/projects/{project_id}/usage"):
        assert_error(mserver.get(path), 401, "UNAUTHORIZED")
        assert_error(mserver.get(path, headers={"Authorization": f"Bearer {key}"}), 403, "FORBIDDEN")
    for bad in ("00000000-0000-7000-8000-000000000000", "nope"):
        assert_error(mserver.get(f"/api/v1/projects/{bad}/analytics", headers=auth(mserver)), 404, "NOT_FOUND")
        assert_error(mserver.get(f"/api/v1/projects/{bad}/usage", headers=auth(mserver)), 404, "NOT_FOUND")


def test_usage_counts_today_against_the_quota(mserver):
    project_id, key = mserver.create_project("usage", tier="500")
    r = mserver.batch(key, [reference_event(metadata={"i": i}) for i in range(37)])
    assert r.status == 200, r
    # A client timestamp in the past still counts today: the quota counts receipt.
    assert mserver.ingest(key, timestamp="2020-01-01T00:00:00Z").status == 201
    r = mserver.get(f"/api/v1/projects/{project_id}/usage", headers=auth(mserver))
    assert r.status == 200, r
    today = r.json["today"]
    assert today["events"] == 38
    assert today["limit"] == 500
    assert today["remaining"] == 462
    now = datetime.datetime.now(datetime.timezone.utc)
    tomorrow = (now + datetime.timedelta(days=1)).strftime("%Y-%m-%d")
    assert today["resets_at"].startswith(tomorrow + "T00:00:00")
    days = r.json["days"]
    assert len(days) == 30
    assert days[-1] == {"day": now.strftime("%Y-%m-%d"), "events": 38}
    assert all(d["events"] == 0 for d in days[:-1])
    assert [d["day"] for d in days] == sorted(d["day"] for d in days)


def preview(server, project_id, body, token=None):
    return server.request("POST", f"/api/v1/projects/{project_id}/scope-preview", body=body,
                          headers=auth(server, token))


def test_scope_preview_sorts_the_scopes_seen(mserver, ingested):
    project_id, _ = ingested
    r = preview(mserver, project_id, {"scopes": ["read:*"]})
    assert r.status == 200, r
    assert r.json == {"granted": ["read:orders", "read:users"], "denied": ["admin:keys", "write:orders"]}
    r = preview(mserver, project_id, {"scopes": ["*"]})
    assert r.json == {"granted": ["admin:keys", "read:orders", "read:users", "write:orders"], "denied": []}
    r = preview(mserver, project_id, {"scopes": []})
    assert r.json["granted"] == [] and len(r.json["denied"]) == 4
    r = preview(mserver, project_id, {"scopes": ["[rw]*:orders", "admin:key?"]})
    assert r.json == {"granted": ["admin:keys", "read:orders", "write:orders"], "denied": ["read:users"]}


@pytest.mark.parametrize("body,index", [
    ({"scopes": "read:*"}, None),
    ({}, None),
    ([], None),
    ({"scopes": ["read:*", "read:[abc"]}, 1),
    ({"scopes": ["ok", 5]}, 1),
    ({"scopes": [""]}, 0),
    ({"scopes": ["x" * 257]}, 0),
    ({"scopes": ["bad\u0007"]}, 0),
    ({"scopes": [f"s{i}" for i in range(201)]}, None),
])
def test_scope_preview_validates_like_the_agents_route(mserver, ingested, body, index):
    project_id, _ = ingested
    r = preview(mserver, project_id, body)
    assert_error(r, 400, "INVALID_PAYLOAD", field="scopes", index=index)


def test_seed_demo_produces_consistent_analytics(server):
    out = server.cli("seed-demo", "--events", "20000", "--days", "20", "--project", "demo", timeout=120)
    assert out["events"] == 20000 and out["api_key"].startswith("as_")
    project_id = out["project_id"]
    r = analytics(server, project_id, 30)
    assert r.status == 200, r
    totals = r.json["totals"]
    assert totals["events"] == 20000
    assert totals["agents"] == 12
    assert 0.05 < totals["denial_rate"] < 0.2
    assert totals["sessions"] > 20000 / 500
    assert sum(s["requests"] for s in r.json["scopes"]) == 20000
    # The aggregates agree with the stored rows, agent by agent.
    stored = server.all_events(project_id)
    assert len(stored) == 20000
    by_agent = collections.Counter(e["agent_name"] for e in stored)
    denied = collections.Counter(e["agent_name"] for e in stored if not e["allowed"])
    for row in r.json["agents"]:
        assert row["events"] == by_agent[row["agent_name"]]
        assert row["denials"] == denied[row["agent_name"]]
    # Spread over the days, not piled on one.
    busy_days = [b for b in r.json["series"] if b["allowed"] + b["denied"] > 0]
    assert 20 <= len(busy_days) <= 21
    # The seeded key ingests into the same project, and a second run adds to it.
    assert server.ingest(out["api_key"]).status == 201
    again = server.cli("seed-demo", "--events", "1000", "--days", "1", "--project", "demo", timeout=60)
    assert again["project_id"] == project_id and "api_key" not in again
    assert analytics(server, project_id, 30).json["totals"]["events"] == 21001


def test_seed_demo_refuses_bad_arguments(server):
    rc, out, err = server.cli("seed-demo", "--events", "0", json_out=False, check=False)
    assert rc != 0 and "--events" in err
    rc, out, err = server.cli("seed-demo", "--events", "10", "--days", "0", json_out=False, check=False)
    assert rc != 0 and "--days" in err
