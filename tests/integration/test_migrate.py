"""`agentsudo-server migrate --from-data-dir DIR --to postgres://...`: a
seeded SQLite data directory copied into PostgreSQL answers the dashboard's
analytics and the read API the same on both stores; its keys, tokens and
users keep working; a rerun (also after an interruption) duplicates
nothing; a database holding other data is refused. Needs the run's
PostgreSQL cluster (AGENTSUDO_TEST_POSTGRES_URL): registered only in the
PostgreSQL run (CMakeLists.txt)."""

from __future__ import annotations

import json
import os
import sqlite3
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from support.accounts import PASSWORD, Person
from support.databases import DATABASE_VARIABLE, cluster_url, databases
from support.process import SERVER_BIN
from support.server import Server

pytestmark = pytest.mark.skipif(
    cluster_url() is None, reason="needs AGENTSUDO_TEST_POSTGRES_URL (the PostgreSQL run)")

EMAIL = "owner@example.com"
KEY_FILE = "audit-signing.key"
PSQL = Path(os.environ.get("AGENTSUDO_PG_BIN", "/usr/lib/postgresql/15/bin")) / "psql"


def run(*args, database_url=None, stdin=None, timeout=600):
    """The binary on SQLite (no AGENTSUDO_DATABASE_URL), or on `database_url`."""
    env = {k: v for k, v in os.environ.items() if k != DATABASE_VARIABLE}
    if database_url:
        env[DATABASE_VARIABLE] = database_url
    return subprocess.run([SERVER_BIN, *args], capture_output=True, text=True, input=stdin,
                          timeout=timeout, env=env)


def run_json(*args, **kw):
    p = run(*args, "--json", **kw)
    assert p.returncode == 0, f"{args}: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    return json.loads(p.stdout)


def migrate(source_dir, url, *extra):
    p = run("migrate", "--from-data-dir", source_dir, "--to", url, "--json", *extra)
    report = json.loads(p.stdout) if p.stdout.strip() else None
    return p.returncode, report, p.stderr


def database_content(data_dir):
    """The database file and its write-ahead log, as bytes: what a read-only
    copy must leave alone (a WAL reader may leave an empty -wal and a -shm
    behind, which hold nothing)."""
    directory = Path(data_dir)
    wal = directory / "agentsudo.db-wal"
    return ((directory / "agentsudo.db").read_bytes(), wal.read_bytes() if wal.exists() else b"")


def counts(report):
    return {t["table"]: (t["source"], t["target"]) for t in report["tables"]}


class FreshDatabase:
    """A database of its own in the run's cluster, dropped at the end."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="agentsudo-migrate-db-")
        self.url = databases().acquire(self.dir)

    def close(self):
        databases().release(self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)


def sqlite_server(data_dir):
    """A Server on the data directory's SQLite store, whatever the run targets."""
    server = Server(data_dir=str(data_dir))
    if server.database_url:
        server.database_url = None
        databases().release(server.data_dir)
    return server


@pytest.fixture(scope="module")
def seeded():
    """A data directory with two seeded projects (one cut to 5 days by
    retention, so its chain starts at a horizon), a project made by the CLI,
    a token and a user; then copied into a fresh database."""
    source = Path(tempfile.mkdtemp(prefix="agentsudo-migrate-src-"))
    demo = run_json("seed-demo", "--data-dir", str(source), "--events", "20000", "--days", "10")
    p = run("project", "set-retention", "--project", demo["project_id"], "--days", "5",
            "--data-dir", str(source))
    assert p.returncode == 0, p.stderr
    removed = run_json("retention", "run", "--data-dir", str(source))["events_removed"]
    assert 0 < removed < 20000
    run_json("seed-demo", "--data-dir", str(source), "--events", "3000", "--days", "3",
             "--project", "second")
    made = run_json("project", "create", "--name", "made-by-cli", "--data-dir", str(source))
    token = run_json("token", "create", "--name", "ops", "--data-dir", str(source))["token"]
    p = run("user", "create", "--email", EMAIL, "--password-stdin", "--admin", "--data-dir",
            str(source), stdin=PASSWORD + "\n")
    assert p.returncode == 0, p.stderr

    # A deployment that has served: its first start stored the cursor-signing key.
    first_run = sqlite_server(source)
    first_run.start()
    first_run.close()

    target_dir = Path(tempfile.mkdtemp(prefix="agentsudo-migrate-pg-"))
    # Every node of a store signs with the same audit key (docs/DEPLOY.md).
    shutil.copy2(source / KEY_FILE, target_dir / KEY_FILE)
    target = Server(data_dir=str(target_dir))
    before = database_content(source)
    code, report, err = migrate(str(source), target.database_url)
    assert code == 0, err
    assert database_content(source) == before
    try:
        yield {"source": source, "target": target, "report": report, "token": token,
               "events": 23000 - removed,
               "project_id": made["project_id"], "api_key": made["api_key"]}
    finally:
        target.close()
        shutil.rmtree(source, ignore_errors=True)
        shutil.rmtree(target_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def servers(seeded):
    """One server on the SQLite data directory, one on the copy."""
    old = sqlite_server(seeded["source"])
    new = seeded["target"]
    try:
        old.start()
        new.start()
        yield old, new
    finally:
        new.stop()
        old.close()


def test_copy_reports_equal_counts_and_digest(seeded):
    report = seeded["report"]
    assert report["matches"] is True and report["interrupted"] is False
    table = counts(report)
    events = seeded["events"]
    assert table["events"] == (events, events)
    assert table["event_ids"] == (events, events)
    assert table["audit_retention_horizons"] == (1, 1)
    assert table["projects"] == (3, 3)
    assert table["users"] == (1, 1)
    assert table["management_tokens"] == (1, 1)
    for name, (source, target) in table.items():
        if name != "settings":
            assert source == target, name
    digest = report["events_digest"]
    assert len(digest["source"]) == 64 and digest["source"] == digest["target"]
    # The password never reaches the output.
    assert "password" not in json.dumps(report)


def test_audit_chain_verifies_on_the_copy(seeded):
    target = seeded["target"]
    p = run("verify", "--data-dir", target.data_dir, database_url=target.database_url)
    assert p.returncode == 0, p.stdout + p.stderr


def test_rerun_duplicates_nothing(seeded):
    code, report, err = migrate(str(seeded["source"]), seeded["target"].database_url)
    assert code == 0, err
    assert report["matches"] is True
    assert counts(report) == counts(seeded["report"])


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def project_ids(server, token):
    r = server.get("/api/v1/projects", headers=bearer(token))
    assert r.status == 200, r
    return sorted(p["id"] for p in r.json["projects"])


def test_dashboard_and_read_api_answer_the_same(seeded, servers):
    old, new = servers
    token = seeded["token"]
    projects = project_ids(old, token)
    assert len(projects) == 3 and project_ids(new, token) == projects
    for project in projects:
        base = f"/api/v1/projects/{project}"
        paths = [base, base + "/agents", base + "/keys", base + "/usage", base + "/usage/delivery",
                 base + "/audit/verify"]
        paths += [f"{base}/analytics?days={days}" for days in (1, 7, 30, 90)]
        for path in paths:
            a = old.get(path, headers=bearer(token))
            b = new.get(path, headers=bearer(token))
            assert a.status == 200 and b.status == 200, (path, a, b)
            assert a.json == b.json, path
        # The same pages: same events, ids and order, and the same cursors
        # (the cursor-signing key came along), which work across stores.
        first_old = old.read(project, token=token, limit=500)
        first_new = new.read(project, token=token, limit=500)
        assert first_old.status == 200 and first_old.json == first_new.json
        cursor = first_old.json["next_cursor"]
        if cursor is not None:
            second_old = old.read(project, token=token, limit=500, cursor=cursor)
            second_new = new.read(project, token=token, limit=500, cursor=cursor)
            assert second_new.status == 200 and second_old.json == second_new.json
        old._token = new._token = token
        assert old.all_events(project, page_size=1000) == new.all_events(project, page_size=1000)


def test_old_credentials_work_on_the_copy(seeded, servers):
    _, new = servers
    r = new.ingest(seeded["api_key"])
    assert r.status == 201, r
    # The new event is the newest: the copy's sequences moved past the copied ids.
    newest = new.read(seeded["project_id"], token=seeded["token"], limit=1)
    assert newest.status == 200, newest
    assert newest.json["events"][0]["id"] == r.json["id"], (newest.json, r.json)
    person = Person(new, EMAIL).log_in()
    assert person.get("/api/v1/session").status == 200
    # New rows take ids past the copied ones (a copied id again would be a
    # unique violation: a 500, not 201).
    person.create_project(name="after-migration")
    assert len(project_ids(new, seeded["token"])) == 4
    r = person.post("/api/v1/tokens", {"name": "after-migration"})
    assert r.status == 201, r


def test_copy_a_server_wrote_to_is_refused(seeded, servers):
    # The servers above wrote to the copy (an event, a project): other data
    # now, which a rerun must not mix with the source's.
    code, report, err = migrate(str(seeded["source"]), seeded["target"].database_url)
    assert code != 0 and report is None, (code, report)
    assert "not from this data directory" in err and "after-migration" not in err, err


def test_rerun_on_an_untouched_copy_and_after_an_interruption(seeded):
    source = str(seeded["source"])
    db = FreshDatabase()
    try:
        code, report, err = migrate(source, db.url, "--stop-after-rows", "7000")
        assert code != 0 and report["interrupted"] is True, (code, report, err)
        assert 7000 <= report["rows_copied"] < 30000, report
        assert "run it again" in err
        code, report, err = migrate(source, db.url)
        assert code == 0, err
        assert counts(report) == counts(seeded["report"])
        assert report["events_digest"] == seeded["report"]["events_digest"]
        # And once more over a complete copy: still nothing twice.
        code, again, err = migrate(source, db.url)
        assert code == 0, err
        assert counts(again) == counts(seeded["report"])
    finally:
        db.close()


def test_a_changed_event_is_a_mismatch(seeded):
    source = str(seeded["source"])
    db = FreshDatabase()
    try:
        code, _, err = migrate(source, db.url)
        assert code == 0, err
        # One event edited on the target: the rerun skips it (it is there),
        # so only the digest can tell.
        subprocess.run([str(PSQL), db.url, "-q", "-v", "ON_ERROR_STOP=1", "-c",
                        "UPDATE events SET metadata = '{\"edited\": true}' "
                        "WHERE seq = (SELECT max(seq) FROM events)"],
                       check=True, capture_output=True, timeout=60)
        code, report, err = migrate(source, db.url)
        assert code != 0 and report["matches"] is False, (code, report)
        assert report["events_digest"]["source"] != report["events_digest"]["target"]
        assert counts(report) == counts(seeded["report"])
        assert "does not match" in err, err
    finally:
        db.close()


@pytest.mark.parametrize("made, named", [
    (("project", "create", "--name", "already-here"), "project"),
    (("token", "create", "--name", "already-here"), "management token"),
])
def test_target_with_other_data_is_refused(seeded, made, named):
    db = FreshDatabase()
    other_dir = tempfile.mkdtemp(prefix="agentsudo-migrate-other-")
    try:
        run_json(*made, "--data-dir", other_dir, database_url=db.url)
        before = run_json("project", "list", "--data-dir", other_dir, database_url=db.url)
        code, report, err = migrate(str(seeded["source"]), db.url)
        assert code != 0 and report is None
        assert "not from this data directory" in err and named in err, err
        # Nothing written: the projects are what they were.
        after = run_json("project", "list", "--data-dir", other_dir, database_url=db.url)
        assert after == before
    finally:
        db.close()
        shutil.rmtree(other_dir, ignore_errors=True)


def test_a_source_of_another_schema_version_is_refused(seeded):
    copy_dir = Path(tempfile.mkdtemp(prefix="agentsudo-migrate-old-"))
    db = FreshDatabase()
    try:
        p = run("backup", "--data-dir", str(seeded["source"]), "--to",
                str(copy_dir / "agentsudo.db"))
        assert p.returncode == 0, p.stderr
        with sqlite3.connect(copy_dir / "agentsudo.db") as conn:
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            conn.execute(f"PRAGMA user_version = {version - 1}")
        code, report, err = migrate(str(copy_dir), db.url)
        assert code != 0 and report is None
        assert f"version {version - 1}" in err and "serve" in err, err
        # Nothing copied.
        assert run_json("project", "list", "--data-dir", db.dir, database_url=db.url) == []
    finally:
        db.close()
        shutil.rmtree(copy_dir, ignore_errors=True)
