"""Several nodes on one PostgreSQL database, the way docs/DEPLOY.md runs them:
two nodes behind a real nginx while one is killed with SIGKILL and
restarted, and one node while PostgreSQL itself restarts under load. Each
test starts a private PostgreSQL 15 cluster of its own (it stops and
restarts it, so it cannot share the run's cluster)."""

from __future__ import annotations

import collections
import importlib.util
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

from support.http_client import HttpClient
from support.nginx import ReverseProxy
from support.server import Server

_CLUSTER_SCRIPT = Path(__file__).resolve().parents[1] / "support" / "postgres_cluster.py"
_spec = importlib.util.spec_from_file_location("agentsudo_postgres_cluster_nodes", _CLUSTER_SCRIPT)
cluster_tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cluster_tool)

BATCH = 10


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster():
    directory = Path(tempfile.mkdtemp(prefix="agentsudo-pg-"))
    url = cluster_tool.start(directory)
    try:
        yield directory, cluster_tool.create_database(url, "nodes")
    finally:
        cluster_tool.stop(directory)


def sql(url, query):
    """Rows of one query, as lists of strings."""
    out = subprocess.run([str(cluster_tool.PG_BIN / "psql"), url, "-At", "-F", "\t", "-c", query],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    return [line.split("\t") for line in out.splitlines() if line]


class Node:
    """One server node on the shared database, on a fixed port so that nginx
    finds it again after a restart."""

    def __init__(self, database_url, data_dir):
        self.port = _free_port()
        self.server = Server(data_dir=str(data_dir))
        # The test's own database, not one per data directory (databases.py).
        self.server.database_url = database_url

    def start(self):
        self.server.start(args=["serve", "--listen", f"127.0.0.1:{self.port}",
                                "--data-dir", self.server.data_dir])
        return self


def start_nodes(database_url, count):
    """`count` nodes sharing the database and one audit signing key."""
    root = Path(tempfile.mkdtemp(prefix="agentsudo-nodes-"))
    nodes = [Node(database_url, root / f"node{i}") for i in range(count)]
    nodes[0].start()
    for node in nodes[1:]:
        Path(node.server.data_dir).mkdir(parents=True)
        shutil.copy2(Path(nodes[0].server.data_dir) / "audit-signing.key",
                     Path(node.server.data_dir) / "audit-signing.key")
        node.start()
    return root, nodes


class Client(threading.Thread):
    """Sends batches of BATCH events with client event_ids until told to
    stop; a batch that got no answer, or a 5xx, is sent again with the same
    ids (as the SDK does) until it is acknowledged or refused by the quota."""

    def __init__(self, port, key, deadline):
        super().__init__(daemon=True)
        self.port, self.key, self.deadline = port, key, deadline
        self.sent = set()
        self.acked = set()
        self.refused_by_quota = 0
        self.last_refusal = None
        self.errors = collections.Counter()  # what the client saw, by kind
        self.acked_at = []  # monotonic times of acknowledgements

    def run(self):
        client = HttpClient(self.port, timeout=10)
        while time.monotonic() < self.deadline:
            ids = [str(uuid.uuid4()) for _ in range(BATCH)]
            self.sent.update(ids)
            body = [{"event_id": i, "agent_name": "bot", "action": "permission_check",
                     "scope": "read:x", "allowed": True} for i in ids]
            while True:
                try:
                    r = client.request("POST", "/api/events", body=body,
                                       headers={"X-API-Key": self.key})
                except OSError as e:
                    self.errors[type(e).__name__] += 1
                    client.close()
                    time.sleep(0.05)
                    continue
                if r.status == 200:
                    self.acked.update(ids)
                    self.acked_at.append(time.monotonic())
                    break
                if r.status == 429:
                    self.refused_by_quota += 1
                    self.last_refusal = r
                    time.sleep(0.01)
                    break
                self.errors[f"{r.status} {r.json.get('code', '') if r.json else ''}".strip()] += 1
                assert r.status in (502, 503, 504), r
                if r.status == 503:
                    assert r.header("retry-after"), r
                time.sleep(0.05)


def project_rowid(url, project_id):
    return sql(url, f"SELECT id FROM projects WHERE uuid = '{project_id}'")[0][0]


def stored_ids(url, project_id):
    rows = sql(url, f"SELECT uuid FROM events WHERE project_id = {project_rowid(url, project_id)}")
    return [row[0] for row in rows]


def test_two_nodes_behind_nginx_keep_every_acknowledged_event_when_one_is_killed(cluster):
    _, url = cluster
    root, nodes = start_nodes(url, 2)
    proxy = ReverseProxy(nodes[0].port, nodes[1].port).start()
    try:
        open_id, open_key = nodes[0].server.create_project("open", tier="1000000")
        capped_id, capped_key = nodes[1].server.create_project("capped", tier="3000")
        started = time.monotonic()
        deadline = started + 20
        clients = [Client(proxy.port, open_key, deadline) for _ in range(6)]
        clients += [Client(proxy.port, capped_key, deadline) for _ in range(2)]
        for c in clients:
            c.start()
        time.sleep(6)
        killed_at = time.monotonic()
        nodes[1].server.kill()
        time.sleep(3)
        nodes[1].start()
        restarted_at = time.monotonic()
        for c in clients:
            c.join(60)
            assert not c.is_alive()

        open_clients, capped_clients = clients[:6], clients[6:]
        errors = sum((c.errors for c in clients), collections.Counter())
        print(f"errors clients saw (each retried with the same ids): {dict(errors)}; "
              f"acknowledged {sum(len(c.acked) for c in clients)} events, "
              f"{sum(c.refused_by_quota for c in clients)} batches refused by the quota")
        # The surviving node kept answering while the other was down.
        during = [t for c in open_clients for t in c.acked_at if killed_at < t < restarted_at]
        assert len(during) >= 10, f"only {len(during)} acknowledgements while a node was down"
        # Every acknowledged event is stored exactly once; nothing unsent is.
        acked = set().union(*(c.acked for c in open_clients))
        stored = stored_ids(url, open_id)
        assert len(stored) == len(set(stored)), "an event was stored twice"
        assert acked <= set(stored), f"{len(acked - set(stored))} acknowledged events are missing"
        assert set(stored) <= set().union(*(c.sent for c in open_clients))
        assert len(acked) > 1000
        # The capped project's day holds exactly its quota, across both nodes.
        capped_acked = set().union(*(c.acked for c in capped_clients))
        capped_stored = stored_ids(url, capped_id)
        assert len(capped_stored) == 3000 == len(capped_acked)
        assert set(capped_stored) == capped_acked
        usage = sql(url, "SELECT events FROM usage_daily WHERE project_id = "
                         f"{project_rowid(url, capped_id)}")
        assert [row[0] for row in usage] == ["3000"]
        refusal = next(c.last_refusal for c in capped_clients if c.last_refusal)
        assert refusal.header("x-ratelimit-remaining") == "0", refusal
        # The chain verifies across both nodes' writers (exit 0, else CliError).
        nodes[0].server.cli("verify")
    finally:
        proxy.close()
        for node in nodes:
            node.server.close()
        shutil.rmtree(root, ignore_errors=True)


def test_a_postgres_restart_under_load_gives_503_then_recovers_by_itself(cluster):
    directory, url = cluster
    root, nodes = start_nodes(url, 1)
    server = nodes[0].server
    try:
        project_id, key = server.create_project("load", tier="1000000")
        deadline = time.monotonic() + 12
        clients = [Client(nodes[0].port, key, deadline) for _ in range(4)]
        for c in clients:
            c.start()
        time.sleep(3)
        cluster_tool.pause(directory)
        down_at = time.monotonic()
        time.sleep(3)
        probe = HttpClient(nodes[0].port).request("GET", "/healthz")
        assert probe.status == 503, probe
        # The database accepts connections a moment before pg_ctl says so:
        # what it acknowledges from `resume_at` on is legitimate.
        resume_at = time.monotonic()
        cluster_tool.resume(directory)
        up_at = time.monotonic()
        for c in clients:
            c.join(60)
            assert not c.is_alive()
        assert server.alive(), server.logs()

        errors = sum((c.errors for c in clients), collections.Counter())
        print(f"errors clients saw: {dict(errors)}; acknowledged "
              f"{sum(len(c.acked) for c in clients)} events, database away "
              f"{up_at - down_at:.1f} s")
        assert errors["503 STORE_UNAVAILABLE"] > 0, errors
        assert not any(kind.startswith("500") for kind in errors), errors
        # Acknowledgements resumed after the database came back, unaided.
        after = [t for c in clients for t in c.acked_at if t > up_at]
        assert len(after) >= 10, f"only {len(after)} acknowledgements after the restart"
        while_away = [t for c in clients for t in c.acked_at if down_at + 0.5 < t < resume_at]
        assert not while_away, (f"{len(while_away)} acknowledged while the database was away: "
                                f"{while_away[:5]} (down {down_at}, resumed {resume_at}, up {up_at})")
        acked = set().union(*(c.acked for c in clients))
        stored = stored_ids(url, project_id)
        assert len(stored) == len(set(stored))
        assert acked <= set(stored), f"{len(acked - set(stored))} acknowledged events are missing"
        r = HttpClient(nodes[0].port).request("GET", "/healthz")
        assert r.status == 200, r
    finally:
        server.close()
        shutil.rmtree(root, ignore_errors=True)
