"""A crash between two writes of one user action leaves nothing half-done.

The server is built with -DAGENTSUDO_FAULT_INJECTION=ON (the ASan build of
`make test`; ctest registers this file only in such a build). Started with
AGENTSUDO_CRASH_AT=<point>, it kills itself with SIGKILL at that point of the
store's transaction (src/server/store/sqlite/crash_point.hpp). Each test
performs the action over HTTP, sees the connection drop as the server dies,
restarts it on the same data directory without the variable, and checks that
the action either happened whole or not at all (here: not at all, since the
commit never ran).
"""

import http.client
import os
import signal
import subprocess

import pytest

from support.accounts import set_up_admin
from support.server import Server
from support.timeouts import TIMEOUT

P = "/api/v1/projects"
CRASH_VARIABLE = "AGENTSUDO_CRASH_AT"


def crashed_on(server, point, rc):
    """The server died of its own SIGKILL at `point`, not of anything else."""
    assert rc == -signal.SIGKILL, (
        f"expected the server to kill itself at {point} (exit {rc}); is the binary built with "
        f"-DAGENTSUDO_FAULT_INJECTION=ON?\n" + server.logs())
    assert f"crash point {point} reached" in server.all_output(), server.logs()


def crash_during(server, admin, point, action):
    """Restarts the server armed at `point`, runs `action` (which must hit it),
    then restarts it unarmed on the same data directory."""
    assert server.stop() == 0, server.logs()
    server.start(env={CRASH_VARIABLE: point})
    admin.client = server.client()
    with pytest.raises((OSError, http.client.HTTPException)):
        action()
    rc = server.proc.wait(TIMEOUT)
    server.stop()
    crashed_on(server, point, rc)
    server.start()
    admin.client = server.client()


def cli_projects(server):
    return {p["name"]: p for p in server.cli("project", "list")}


def assert_nothing_half_done(server, admin):
    """Invariants every completed action keeps: each project has an active key,
    and each project a person created has that person as a member."""
    for name, project in cli_projects(server).items():
        keys = server.cli("key", "list", "--project", project["project_id"])
        assert any(k["revoked_at"] is None for k in keys), (name, keys)
        if name != "default":
            members = admin.get(f"{P}/{project['project_id']}/members").json["members"]
            assert admin.id in [m["id"] for m in members], (name, members)


@pytest.fixture
def admin(server):
    return set_up_admin(server)


@pytest.mark.parametrize("point", ["project.create.after_project", "project.create.after_key",
                                   "project.create.after_member"])
def test_project_creation_is_whole_or_absent(server, admin, point):
    before = set(cli_projects(server))
    crash_during(server, admin, point, lambda: admin.post(P, {"name": "crashed", "tier": "pro"}))
    assert set(cli_projects(server)) == before
    assert "crashed" not in [p["name"] for p in admin.get(P).json["projects"]]
    assert_nothing_half_done(server, admin)
    # The same action now completes, whole.
    created = admin.create_project("crashed")
    assert server.ingest(created["api_key"]).status == 201
    assert_nothing_half_done(server, admin)


def test_rename_and_retier_are_one_change(server, admin):
    created = admin.create_project("before", tier="free")
    pid = created["project"]["id"]
    crash_during(server, admin, "project.update.after_rename",
                 lambda: admin.patch(f"{P}/{pid}", {"name": "after", "tier": "pro"}))
    project = admin.get(f"{P}/{pid}").json
    assert project["name"] == "before" and project["tier"]["name"] == "free", project
    assert_nothing_half_done(server, admin)


def test_a_crashed_delete_keeps_the_project_whole(server, admin):
    created = admin.create_project("kept")
    pid, key = created["project"]["id"], created["api_key"]
    crash_during(server, admin, "project.delete.after_mark",
                 lambda: admin.delete(f"{P}/{pid}", {"confirm": "kept"}))
    assert admin.get(f"{P}/{pid}").status == 200
    assert server.ingest(key).status == 201
    assert_nothing_half_done(server, admin)


def test_rotation_revokes_only_with_its_replacement(server, admin):
    created = admin.create_project("rotating")
    pid, key = created["project"]["id"], created["api_key"]
    key_id = created["key"]["id"]
    crash_during(server, admin, "key.rotate.after_revoke",
                 lambda: admin.post(f"{P}/{pid}/keys/{key_id}/rotate"))
    keys = admin.get(f"{P}/{pid}/keys").json["keys"]
    assert [(k["id"], k["revoked_at"]) for k in keys] == [(key_id, None)], keys
    assert server.ingest(key).status == 201
    assert_nothing_half_done(server, admin)


def test_an_agent_is_never_stored_without_its_settings(server, admin):
    pid = admin.create_project("agents")["project"]["id"]
    agent = {"name": "Refunder", "scopes": ["write:refunds"], "role": "admin"}
    crash_during(server, admin, "agent.create.after_insert",
                 lambda: admin.post(f"{P}/{pid}/agents", agent))
    assert admin.get(f"{P}/{pid}/agents").json["agents"] == []
    r = admin.post(f"{P}/{pid}/agents", agent)
    assert r.status == 201, r
    assert r.json["scopes"] == ["write:refunds"] and r.json["role"] == "admin", r


@pytest.mark.parametrize("point", ["project.create.after_project", "project.create.after_key",
                                   "project.create.after_member"])
def test_first_start_makes_the_default_project_once(point):
    """serve's first start on an empty data directory: killed while creating
    "default", the next start creates it whole and prints its key."""
    server = Server()
    try:
        env = dict(os.environ, **{CRASH_VARIABLE: point})
        proc = subprocess.run([server.bin, "serve", "--listen", "127.0.0.1:0", "--data-dir",
                               server.data_dir], env=env, capture_output=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL)
        stderr = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == -signal.SIGKILL, (proc.returncode, stderr)
        assert f"crash point {point} reached" in stderr, stderr
        assert "listening on" not in proc.stdout.decode("utf-8", "replace")
        server.start()
        assert server.printed_key, "the default project's key was not printed\n" + server.logs()
        projects = cli_projects(server)
        assert list(projects) == ["default"], projects
        keys = server.cli("key", "list", "--project", projects["default"]["project_id"])
        assert len(keys) == 1 and keys[0]["revoked_at"] is None, keys
        assert server.ingest(server.printed_key).status == 201
        # And it is made once: a restart creates nothing more.
        server.restart()
        assert server.printed_key is None
        assert list(cli_projects(server)) == ["default"]
    finally:
        server.close()
