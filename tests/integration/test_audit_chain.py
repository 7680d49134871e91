"""Tamper evidence: the event log is hash-chained per project and checkpointed
with the server's Ed25519 key. The database is edited behind the stopped
server's back with SQL (the sqlite3 tool, or psql on PostgreSQL); `verify` (CLI and API) names the first
event that no longer holds, and an untouched log verifies clean."""

import json
import os

import pytest

from support.accounts import Operator
from support.events import reference_event
from support.store_sql import run_sql, zero_bytes

# Checkpoints only after the first commit and on shutdown, so what each test
# leaves uncheckpointed is decided by the test, not by a clock.
QUIET = {"AGENTSUDO_CHECKPOINT_INTERVAL": "86400"}
BIG_QUOTA = 10_000_000


@pytest.fixture
def audited(make_server):
    server = make_server(extra_env=QUIET)
    server.start()
    project_id, key = server.create_project("audited", tier=BIG_QUOTA)
    return server, project_id, key


def send(server, key, count, start=0):
    for first in range(start, start + count, 1000):
        events = [reference_event(agent_name=f"bot{i % 3}", metadata={"i": i})
                  for i in range(first, min(first + 1000, start + count))]
        r = server.batch(key, events)
        assert r.status == 200, r


def sql(server, statement):
    return run_sql(server, statement)


def chain(server, project_id):
    """(seq, event id, chain position) of the project's events, in seq order."""
    out = sql(server, "SELECT e.seq, e.uuid, e.chain_position FROM events e JOIN projects p "
                      f"ON p.id = e.project_id WHERE p.uuid = '{project_id}' ORDER BY e.seq")
    return [(int(s), u, int(c)) for s, u, c in (line.split("|") for line in out.split())]


def verify_cli(server, *args):
    rc, out, err = server.cli("verify", *args, check=False)
    return rc, json.loads(out) if out.strip() else None, err


def verify_api(server, project_id):
    r = server.get(f"/api/v1/projects/{project_id}/audit/verify",
                   headers={"Authorization": f"Bearer {server.token()}"})
    assert r.status == 200, r
    return r.json


def assert_fault(server, project_id, kind, seq, event_id=None):
    """Both verifiers name the same first fault; the server is stopped."""
    rc, report, err = verify_cli(server, "--project", project_id)
    assert rc == 1, (rc, report, err)
    fault = report["projects"][0]["fault"]
    assert (fault["kind"], fault["seq"]) == (kind, seq), fault
    if event_id is not None:
        assert fault["event_id"] == event_id, fault
    server.start()
    api = verify_api(server, project_id)
    assert not api["clean"] and api["fault"] == fault, api
    return fault


def test_an_untouched_log_verifies_clean(audited):
    server, project_id, key = audited
    send(server, key, 300)
    server.ingest(key, agent_name="single")
    api = verify_api(server, project_id)
    assert api["clean"] and api["events_checked"] == 301, api
    assert api["checkpoints_checked"] >= 1 and api["fault"] is None
    assert server.stop() == 0
    rc, report, err = verify_cli(server)
    assert rc == 0, (report, err)
    mine = [p for p in report["projects"] if p["project_id"] == project_id][0]
    assert mine["events_checked"] == 301 and mine["checkpoints_checked"] >= 2, mine


def test_policy_changes_join_the_chain_between_ingested_events(audited):
    """policy_changed events are written outside the commit writer, in the
    agent's own transaction; they take their place in the same chain."""
    server, project_id, key = audited
    send(server, key, 10)
    r = Operator(server).post(f"/api/v1/projects/{project_id}/agents", {"name": "Archiver", "scopes": ["read:*"]})
    assert r.status == 201, r
    send(server, key, 10)
    actions = sql(server, "SELECT e.action FROM events e JOIN projects p ON p.id = e.project_id "
                          f"WHERE p.uuid = '{project_id}' AND e.chain_position = 11")
    assert actions.strip() == "policy_changed"
    api = verify_api(server, project_id)
    assert api["clean"] and api["events_checked"] == 21, api


def test_a_retried_batch_leaves_no_hole_in_the_chain(audited):
    """A duplicate event id is acknowledged and not stored; the chain moves
    only for the events that were inserted, so the next ones follow on."""
    server, project_id, key = audited
    ids = [f"0193c2d0-0000-7000-8000-{i:012x}" for i in range(6)]
    first = [reference_event(agent_name="retrier", event_id=i) for i in ids[:4]]
    assert server.batch(key, first).status == 200
    again = server.batch(key, first + [reference_event(agent_name="retrier", event_id=i)
                                       for i in ids[4:]])
    assert again.status == 200 and again.json == {"stored": 6, "duplicates": 4}, again
    assert [c for _, _, c in chain(server, project_id)] == [1, 2, 3, 4, 5, 6]
    api = verify_api(server, project_id)
    assert api["clean"] and api["events_checked"] == 6, api


def test_the_key_file_is_private_and_served(audited):
    server, _, _ = audited
    path = os.path.join(server.data_dir, "audit-signing.key")
    assert os.stat(path).st_mode & 0o777 == 0o600
    r = server.get("/api/v1/audit/public-key")
    assert r.status == 200 and r.json["algorithm"] == "ed25519", r
    assert len(r.json["public_key"]) == 44


def test_a_changed_field_is_named(audited):
    server, project_id, key = audited
    send(server, key, 100)
    assert server.stop() == 0
    seq, event_id, _ = chain(server, project_id)[40]
    sql(server, f"UPDATE events SET allowed = NOT allowed WHERE seq = {seq}")
    assert_fault(server, project_id, "hash_mismatch", seq, event_id)


def test_a_deleted_event_is_named_by_the_one_after_it(audited):
    server, project_id, key = audited
    send(server, key, 100)
    assert server.stop() == 0
    rows = chain(server, project_id)
    sql(server, f"DELETE FROM events WHERE seq = {rows[20][0]}")
    fault = assert_fault(server, project_id, "missing", rows[21][0], rows[21][1])
    assert fault["position"] == rows[20][2]


def test_two_swapped_events_are_reordered(audited):
    server, project_id, key = audited
    send(server, key, 100)
    assert server.stop() == 0
    rows = chain(server, project_id)
    a, b = rows[30][0], rows[31][0]
    sql(server, f"UPDATE events SET seq = -1 WHERE seq = {a}; UPDATE events SET seq = {a} WHERE seq = {b}; "
                f"UPDATE events SET seq = {b} WHERE seq = -1;")
    assert_fault(server, project_id, "reordered", a, rows[31][1])


def test_a_dropped_tail_after_the_last_checkpoint_is_missing(audited):
    server, project_id, key = audited
    send(server, key, 50)   # the first commit is checkpointed at once
    send(server, key, 50, start=50)
    server.kill()           # no checkpoint on the way out: the last 50 rest on the chain head
    rows = chain(server, project_id)
    checkpointed = int(sql(server, "SELECT max(position) FROM audit_checkpoints").strip())
    assert checkpointed < len(rows)
    sql(server, f"DELETE FROM events WHERE chain_position > {checkpointed} AND seq >= {rows[checkpointed][0]}")
    fault = assert_fault(server, project_id, "missing", rows[-1][0])
    assert fault["position"] == checkpointed + 1


def test_a_forged_checkpoint_has_a_bad_signature(audited):
    server, project_id, key = audited
    send(server, key, 60)
    assert server.stop() == 0
    rows = chain(server, project_id)
    sql(server, f"UPDATE audit_checkpoints SET hash = {zero_bytes(server, 32)} "
                "WHERE id = (SELECT min(id) FROM audit_checkpoints)")
    assert_fault(server, project_id, "bad_signature", rows[-1][0])


def test_an_edited_hash_is_named(audited):
    server, project_id, key = audited
    send(server, key, 10)
    assert server.stop() == 0
    rows = chain(server, project_id)
    sql(server, f"UPDATE events SET chain_hash = {zero_bytes(server, 32)} WHERE seq = {rows[-1][0]}")
    fault = assert_fault(server, project_id, "hash_mismatch", rows[-1][0], rows[-1][1])
    assert fault["position"] == len(rows)


def export(server, project_id, path):
    r = server.get(f"/api/v1/projects/{project_id}/events/export?format=ndjson",
                   headers={"Authorization": f"Bearer {server.token()}"})
    assert r.status == 200, r
    with open(path, "wb") as f:
        f.write(r.raw)
    return r


def test_an_export_verifies_offline_and_an_edited_one_does_not(audited, tmp_path):
    server, project_id, key = audited
    send(server, key, 120)
    server.restart()        # the shutdown checkpoint covers every event
    public_key = server.get("/api/v1/audit/public-key").json["public_key"]
    path = tmp_path / "export.ndjson"
    export(server, project_id, path)
    lines = path.read_text().splitlines()
    assert sum(1 for line in lines if line.startswith('{"checkpoint"')) >= 1
    assert all('"chain":{' in line for line in lines if not line.startswith('{"checkpoint"'))
    rc, report, err = verify_cli(server, "--export", str(path), "--public-key", public_key)
    assert rc == 0 and report["projects"][0]["events_checked"] == 120, (report, err)

    edited = tmp_path / "edited.ndjson"
    victim = lines[5]
    edited.write_text("\n".join([victim.replace('"allowed":true', '"allowed":false') if line == victim else line
                                 for line in lines]) + "\n")
    rc, report, err = verify_cli(server, "--export", str(edited), "--public-key", public_key)
    assert rc == 1, (report, err)
    fault = report["projects"][0]["fault"]
    assert fault["kind"] == "hash_mismatch" and fault["event_id"] == json.loads(victim)["id"], fault


def test_many_events_verify_clean(audited):
    server, project_id, key = audited
    send(server, key, 20_000)
    assert server.stop() == 0
    rc, report, err = verify_cli(server, "--project", project_id)
    assert rc == 0 and report["projects"][0]["events_checked"] == 20_000, (report, err)
