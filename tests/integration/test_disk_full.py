"""A full disk under ingest load: refusals are 503 with Retry-After, reads keep
working, the server recovers by itself once space is freed, and every event
it acknowledged is stored (also across a restart).

The data directory lives on a small tmpfs this test mounts (it needs root, as
in CI); where mounting is not permitted the test fails rather than skips."""

import errno
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from support.accounts import PASSWORD, Person, set_up_admin
from support.events import assert_error
from support.ingest_load import IngestLoad
from support.server import Server
from support.timeouts import TIMEOUT

TMPFS_MB = 8
# Left free after the filler, so that some events are stored before it fills.
HEADROOM = 256 * 1024
CLIENTS = 6
# Refusals every client must have seen before the disk counts as full.
REFUSALS_PER_CLIENT = 3
BIG_QUOTA = 10_000_000
# Logins tried on the full disk until one is refused.
LOGIN_ATTEMPTS = 300
INDEX = b"<!doctype html><title>AgentSudo</title>"


@pytest.fixture
def small_disk():
    """A mounted tmpfs of TMPFS_MB megabytes, unmounted afterwards."""
    mount_point = tempfile.mkdtemp(prefix="agentsudo-tmpfs-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_MB}m,mode=0700", "tmpfs", mount_point],
                       capture_output=True, text=True)
    if r.returncode != 0:
        os.rmdir(mount_point)
        pytest.fail(f"this test needs to mount a tmpfs (run it as root): {r.stderr.strip()}")
    try:
        yield Path(mount_point)
    finally:
        subprocess.run(["umount", "-l", mount_point], check=False)
        os.rmdir(mount_point)


@pytest.fixture
def web(tmp_path):
    root = tmp_path / "web"
    root.mkdir()
    (root / "index.html").write_bytes(INDEX)
    return root


@pytest.fixture
def full_server(small_disk, web):
    """A server whose data directory is on the small tmpfs."""
    s = Server(data_dir=str(small_disk / "data"))
    s.serve_args = ["serve", "--listen", "127.0.0.1:0", "--data-dir", s.data_dir, "--web-dir", str(web)]
    try:
        s.start(args=s.serve_args)
        yield s
    finally:
        s.close()


def fill(directory, name, leave_free=0):
    """Writes a filler file until the file system is full, then gives back
    `leave_free` bytes of it. Returns its path."""
    filler = directory / name
    chunk = b"\0" * (64 * 1024)
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(chunk)
                out.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
    written = filler.stat().st_size
    os.truncate(filler, max(0, written - leave_free))
    return filler


def event(t, n):
    return {"agent_name": f"T{t}", "action": "permission_check", "scope": "read:orders", "allowed": True,
            "function_name": "get_order", "metadata": {"t": t, "n": n, "pad": "x" * 200}}


def assert_readable(server, project_id, acked):
    stored = {e["id"]: e for e in server.all_events(project_id)}
    missing = set(acked) - set(stored)
    assert not missing, f"{len(missing)} acknowledged events are not stored (of {len(acked)})"
    for event_id, body in acked.items():
        assert stored[event_id]["metadata"] == body["metadata"], (stored[event_id], body)
    return stored


def test_full_disk_refuses_with_503_keeps_reads_and_recovers(full_server, small_disk):
    server = full_server
    project_id, key = server.create_project("full", tier=BIG_QUOTA)
    server.token()  # made while there is room
    admin = set_up_admin(server)
    assert server.ingest(key).status == 201

    filler = fill(small_disk, "filler", HEADROOM)
    load = IngestLoad(server, key, CLIENTS, event, refused=(503,))
    try:
        load.wait_until(lambda: min(load.refused_per_client) >= REFUSALS_PER_CLIENT,
                        "no client was refused: the disk never filled")

        # Full: every refusal is the standard 503 with a Retry-After.
        with load.lock:
            refusals = list(load.refusals)
        for r in refusals:
            assert_error(r, 503, "STORAGE_FULL")
            assert r.header("retry-after") and r.header("retry-after").isdigit() \
                and int(r.header("retry-after")) >= 1, r

        # Not a byte left (a small write could still fit in what the load's
        # large commits leave): reads keep working, writes are refused.
        top_up = fill(small_disk, "top-up")
        r = server.read(project_id, limit=10)
        assert r.status == 200, r
        assert server.get("/healthz").status == 200
        r = server.get("/", headers={"Accept": "text/html"})
        assert r.status == 200 and r.raw == INDEX, r
        r = admin.get("/api/v1/projects")
        assert r.status == 200, r
        # A login writes a session: refused the same way, never a 500. The
        # WAL may still hold room that a failed large commit left behind, so
        # a few small writes can succeed (and are stored) before that is used up.
        client = server.client()
        for _ in range(LOGIN_ATTEMPTS):
            r = client.request("POST", "/api/v1/session", body={"email": "admin@example.com", "password": PASSWORD})
            assert r.status in (200, 503), r
            if r.status == 503:
                break
        client.close()
        assert_error(r, 503, "STORAGE_FULL")
        assert r.header("retry-after"), r
        assert server.metric_sum("agentsudo_ingest_storage_full_total") >= len(refusals)

        # Space comes back: ingest recovers without a restart.
        with load.lock:
            acked_before = len(load.acked)
        filler.unlink()
        top_up.unlink()
        load.wait_until(lambda: len(load.acked) >= acked_before + 50 * CLIENTS,
                        "ingest did not recover after space was freed")
    finally:
        load.finish()

    r = server.ingest(key)
    assert r.status == 201, r
    assert Person(server, "admin@example.com", PASSWORD).log_in().cookie
    stored = assert_readable(server, project_id, load.acked)
    # Nothing refused was stored (the first and last events are the two
    # outside the load), and the quota was charged for the stored alone.
    assert len(stored) == len(load.acked) + 2, (len(stored), len(load.acked))
    assert int(r.header("x-ratelimit-remaining")) == BIG_QUOTA - len(stored), r
    print(f"\n{len(load.acked)} acknowledged, {len(load.refusals)} refused with 503, {len(stored)} stored")

    rc = server.stop()
    assert rc == 0, f"SIGTERM exit code {rc}\n{server.logs()}"
    server.start(args=server.serve_args)
    assert_readable(server, project_id, load.acked)
