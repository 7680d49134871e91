"""Retention (issue 10): a project's retention_days, set over HTTP or the
CLI, removes its events older than the last N UTC days, with the days'
aggregates; the rest of the API agrees with what remains, data_since says
from when the data is complete, the audit chain still verifies, and
ingestion goes on. Runs on SQLite and, as integration.postgres.test_retention,
on PostgreSQL."""

import datetime
import json
import time

from support.accounts import Operator
from support.events import assert_error

DAYS = 10
EVENTS = 3000


def today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def project(server, project_id):
    r = Operator(server).get(f"/api/v1/projects/{project_id}")
    assert r.status == 200, r
    return r.json


def patch(server, project_id, body):
    return Operator(server).patch(f"/api/v1/projects/{project_id}", body)


def test_bad_retention_days_are_400_and_change_nothing(server):
    project_id, _ = server.create_project("retained")
    for bad in (0, -1, "7", 36501, 1.5, True, [3], {"days": 3}, 2**64):
        r = patch(server, project_id, {"retention_days": bad})
        assert_error(r, 400, "INVALID_PAYLOAD", field="retention_days")
    # Nothing half applied: a good name with a bad retention changes neither.
    r = patch(server, project_id, {"name": "renamed", "retention_days": 0})
    assert_error(r, 400, "INVALID_PAYLOAD", field="retention_days")
    now = project(server, project_id)
    assert now["name"] == "retained" and now["retention_days"] is None
    assert now["data_since"] is None  # no events yet

    for good in (1, 36500, None, 30):
        r = patch(server, project_id, {"retention_days": good})
        assert r.status == 200, r
        assert r.json["retention_days"] == good
    listed = Operator(server).get("/api/v1/projects").json["projects"]
    assert [p["retention_days"] for p in listed if p["id"] == project_id] == [30]

    # The CLI: --days N or none; a bad value names the member.
    server.cli("project", "set-retention", "--project", project_id, "--days", "none")
    assert project(server, project_id)["retention_days"] is None
    out = server.cli("project", "set-retention", "--project", project_id, "--days", "12")
    assert out == {"project_id": project_id, "retention_days": 12}
    for bad in ("0", "x", "36501", "1.5"):
        rc, _, err = server.cli("project", "set-retention", "--project", project_id,
                                "--days", bad, check=False)
        assert rc != 0 and "days" in err, err
    assert project(server, project_id)["retention_days"] == 12
    listed = [p for p in server.cli("project", "list") if p["project_id"] == project_id]
    assert listed[0]["retention_days"] == 12 and listed[0]["data_since"] is None


def test_a_sweep_keeps_the_retained_days_only(server):
    seeded = server.cli("seed-demo", "--events", str(EVENTS), "--days", str(DAYS),
                        "--project", "old", timeout=120)
    project_id, key = seeded["project_id"], seeded["api_key"]
    other = server.cli("seed-demo", "--events", "500", "--days", str(DAYS),
                       "--project", "untouched", timeout=120)["project_id"]
    before = server.all_events(project_id)
    assert len(before) == EVENTS
    first = project(server, project_id)["data_since"]
    assert first is not None and first[:10] <= str(today() - datetime.timedelta(days=DAYS - 1))

    r = patch(server, project_id, {"retention_days": 3})
    assert r.status == 200 and r.json["retention_days"] == 3, r
    cutoff = today() - datetime.timedelta(days=2)
    kept = [e for e in before if e["received_at"][:10] >= str(cutoff)]
    assert 0 < len(kept) < EVENTS

    swept = server.cli("retention", "run", timeout=120)
    assert not swept["skipped"]
    mine = [p for p in swept["projects"] if p["project_id"] == project_id]
    assert len(mine) == 1 and mine[0]["events_removed"] == EVENTS - len(kept), swept
    assert mine[0]["kept_since"] == f"{cutoff}T00:00:00.000000Z"
    assert other not in [p["project_id"] for p in swept["projects"]]

    # The read API, analytics and usage: only the retained days.
    after = server.all_events(project_id)
    assert sorted(e["id"] for e in after) == sorted(e["id"] for e in kept)
    assert len(server.all_events(other)) == 500
    assert project(server, project_id)["data_since"] == f"{cutoff}T00:00:00.000000Z"
    headers = {"Authorization": f"Bearer {server.token()}"}
    analytics = server.get(f"/api/v1/projects/{project_id}/analytics?days=30", headers=headers)
    assert analytics.status == 200, analytics
    assert analytics.json["totals"]["events"] == len(kept)
    busy = [b["t"][:10] for b in analytics.json["series"] if b["allowed"] + b["denied"] > 0]
    assert busy and min(busy) >= str(cutoff), busy
    assert sum(s["requests"] for s in analytics.json["scopes"]) == \
        sum(1 for e in kept if e["scope"] is not None)
    usage = server.get(f"/api/v1/projects/{project_id}/usage", headers=headers)
    assert usage.status == 200, usage
    counted = {d["day"]: d["events"] for d in usage.json["days"] if d["events"]}
    assert min(counted) >= str(cutoff) and sum(counted.values()) == len(kept), counted

    # The chain verifies from the horizon, and says what retention removed.
    rc, out, err = server.cli("verify", "--project", project_id, check=False)
    report = json.loads(out)
    assert rc == 0, (out, err)
    assert report["projects"][0]["clean"]
    assert report["projects"][0]["positions_removed_by_retention"] == EVENTS - len(kept)
    assert report["projects"][0]["events_checked"] == len(kept)
    api = server.get(f"/api/v1/projects/{project_id}/audit/verify", headers=headers)
    assert api.status == 200 and api.json["clean"], api
    rc, _, err = server.cli("verify", check=False)
    assert rc == 0, err

    # A second pass removes nothing; ingestion goes on.
    again = server.cli("retention", "run")
    assert [p["events_removed"] for p in again["projects"] if p["project_id"] == project_id] == [0]
    assert server.ingest(key).status == 201
    assert len(server.all_events(project_id)) == len(kept) + 1
    rc, _, err = server.cli("verify", "--project", project_id, check=False)
    assert rc == 0, err


def test_the_server_sweeps_on_its_own(make_server):
    server = make_server(extra_env={"AGENTSUDO_RETENTION_INTERVAL": "1"})
    server.start()
    seeded = server.cli("seed-demo", "--events", "400", "--days", "5", "--project", "timed",
                        timeout=120)
    project_id = seeded["project_id"]
    assert any(e["received_at"][:10] < str(today()) for e in server.all_events(project_id))
    assert patch(server, project_id, {"retention_days": 1}).status == 200
    # No `retention run`: the server's own pass (every second here) removes them.
    deadline = time.monotonic() + 60
    while any(e["received_at"][:10] < str(today()) for e in server.all_events(project_id)):
        assert time.monotonic() < deadline, server.logs()
        time.sleep(0.2)
    assert project(server, project_id)["data_since"] == f"{today()}T00:00:00.000000Z"
