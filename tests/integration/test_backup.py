"""`agentsudo-server backup`: a consistent copy of a serving data directory,
taken under ingest load, from which a second server answers the same reads."""

import json
import shutil
import subprocess
from pathlib import Path

from support.ingest_load import IngestLoad
from support.process import SERVER_BIN
from support.server import Server
from support.timeouts import TIMEOUT

BIG_QUOTA = 10_000_000
CLIENTS = 3
# Acknowledged events before the backup starts, and again while it runs.
BEFORE = 300
DURING = 100


def run_backup(data_dir, to, *extra):
    return subprocess.run([SERVER_BIN, "backup", "--data-dir", str(data_dir), "--to", str(to), *extra],
                          capture_output=True, text=True, timeout=4 * TIMEOUT, stdin=subprocess.DEVNULL)


def all_events(server, project_id, token):
    events, cursor = [], None
    while True:
        r = server.read(project_id, token=token, limit=1000, cursor=cursor)
        assert r.status == 200, r
        events.extend(r.json["events"])
        cursor = r.json["next_cursor"]
        if cursor is None:
            return events


def make_event(t, n):
    return {"agent_name": f"T{t}", "action": "permission_check", "scope": ["read:orders", "write:orders", None][n % 3],
            "allowed": n % 4 != 0, "function_name": "get_order",
            "metadata": {"t": t, "n": n, "session_id": f"s{t}-{n // 50}"}}


def restore(backup_file, directory):
    """The restore steps of docs/OPERATIONS.md: the backup file becomes the
    database file of a new data directory."""
    directory.mkdir()
    shutil.copyfile(backup_file, directory / "agentsudo.db")
    return directory


def expected_totals(events):
    denials = sum(1 for e in events if not e["allowed"])
    sessions = {e["metadata"]["session_id"] for e in events}
    return {"events": len(events), "agents": len({e["agent_name"] for e in events}),
            "sessions": len(sessions), "grants": len(events) - denials, "denials": denials}


def test_backup_under_load_restores_what_was_acknowledged(make_server, tmp_path):
    source = make_server().start()
    project_id, key = source.create_project("backed-up", tier=BIG_QUOTA)
    token = source.token()
    backup_file = tmp_path / "copy.db"

    load = IngestLoad(source, key, CLIENTS, make_event)
    try:
        load.wait_until(lambda: len(load.acked) >= BEFORE, "no load")
        acked_before = load.acknowledged()
        backup = subprocess.Popen([SERVER_BIN, "backup", "--data-dir", source.data_dir, "--to", str(backup_file),
                                   "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        load.wait_until(lambda: len(load.acked) >= len(acked_before) + DURING, "no load during the backup")
        out, err = backup.communicate(timeout=4 * TIMEOUT)
        assert backup.returncode == 0, f"backup exited {backup.returncode}: {err}"
        after_backup = load.acknowledged()
        load.wait_until(lambda: len(load.acked) >= len(after_backup) + 20, "no load after the backup")
    finally:
        acked = load.finish()
    summary = json.loads(out)
    assert summary["file"] == str(backup_file)
    assert summary["pages"] > 0 and summary["bytes"] >= summary["pages"] * 512, summary
    assert backup_file.stat().st_size == summary["bytes"], summary
    assert not Path(str(backup_file) + ".tmp").exists()

    source_events = {e["id"]: e for e in all_events(source, project_id, token)}
    restored = make_server(data_dir=str(restore(backup_file, tmp_path / "restored"))).start()
    assert restored.printed_key is None, "the restored data directory was taken for a new one"
    copied = all_events(restored, project_id, token)  # the source's token works there too
    ids = {e["id"] for e in copied}

    assert summary["events"] == len(copied), (summary, len(copied))
    missing = set(acked_before) - ids
    assert not missing, f"{len(missing)} events acknowledged before the backup are not in it"
    unacknowledged = ids - set(acked)
    assert not unacknowledged, f"{len(unacknowledged)} events in the backup were never acknowledged"
    for event in copied:
        assert event == source_events[event["id"]], (event, source_events[event["id"]])
        assert event["metadata"] == acked[event["id"]]["metadata"]
    assert not ids & (set(acked) - set(after_backup)), "the copy holds events acknowledged after it ended"

    # The aggregates were copied in the same snapshot as the events.
    r = restored.get(f"/api/v1/projects/{project_id}/analytics?days=7",
                     headers={"Authorization": f"Bearer {token}"})
    assert r.status == 200, r
    totals = {k: v for k, v in r.json["totals"].items() if k != "denial_rate"}
    assert totals == expected_totals(copied)
    r = restored.get(f"/api/v1/projects/{project_id}/usage", headers={"Authorization": f"Bearer {token}"})
    assert r.status == 200, r
    assert r.json["today"]["events"] == len(copied), r.json

    # The project's key works on the restored server.
    r = restored.ingest(key)
    assert r.status == 201, r
    assert len(all_events(restored, project_id, token)) == len(copied) + 1


def test_backup_refuses_to_replace_an_existing_file(server, tmp_path):
    target = tmp_path / "existing.db"
    target.write_bytes(b"keep me")
    p = run_backup(server.data_dir, target)
    assert p.returncode != 0
    assert "exists" in p.stderr and "--force" in p.stderr, p.stderr
    assert target.read_bytes() == b"keep me"
    assert not Path(str(target) + ".tmp").exists()

    p = run_backup(server.data_dir, target, "--force", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["pages"] > 0
    assert target.read_bytes()[:16] == b"SQLite format 3\0"


def test_backup_of_a_missing_data_directory_fails_with_a_message(tmp_path):
    missing = tmp_path / "nowhere"
    p = run_backup(missing, tmp_path / "copy.db")
    assert p.returncode != 0
    assert str(missing) in p.stderr and "does not exist" in p.stderr, p.stderr
    assert not missing.exists(), "the backup created the data directory"
    assert not (tmp_path / "copy.db").exists()

    empty = tmp_path / "empty"
    empty.mkdir()
    p = run_backup(empty, tmp_path / "copy.db")
    assert p.returncode != 0
    assert "agentsudo.db" in p.stderr, p.stderr
    assert list(empty.iterdir()) == [], "the backup created files in the data directory"


def test_restored_copy_of_a_stopped_server_answers_the_same_reads(tmp_path):
    """Without load: the restored server's read API equals the source's, page for page."""
    source = Server()
    try:
        source.start()
        project_id, key = source.create_project("still", tier="pro")
        for i in range(30):
            assert source.ingest(key, agent_name=f"A{i % 3}", metadata={"i": i}).status == 201
        token = source.token()
        before = all_events(source, project_id, token)
        p = run_backup(source.data_dir, tmp_path / "still.db")
        assert p.returncode == 0, p.stderr
        assert "30 events" in p.stdout, p.stdout
    finally:
        source.close()
    restored = Server(data_dir=str(restore(tmp_path / "still.db", tmp_path / "restored")))
    try:
        restored.start()
        assert all_events(restored, project_id, token) == before
        r = restored.read(project_id, token=token, limit=7)
        assert [e["id"] for e in r.json["events"]] == [e["id"] for e in before[:7]]
    finally:
        restored.close()
