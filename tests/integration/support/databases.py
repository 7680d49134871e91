"""Where a test server keeps its data when the run targets PostgreSQL: with
AGENTSUDO_TEST_POSTGRES_URL set (the test cluster's URL, ctest's `postgres`
fixture), every data directory gets a fresh database of its own in that
cluster, which the server and every CLI call on that directory are pointed
at through AGENTSUDO_DATABASE_URL. Servers on one data directory (a
restart as a second Server) share its database; the last one to close drops
it. Without the variable nothing changes: SQLite in the data directory."""

from __future__ import annotations

import importlib.util
import itertools
import os
import threading
from pathlib import Path

CLUSTER_VARIABLE = "AGENTSUDO_TEST_POSTGRES_URL"
DATABASE_VARIABLE = "AGENTSUDO_DATABASE_URL"

_CLUSTER_SCRIPT = Path(__file__).resolve().parents[2] / "support" / "postgres_cluster.py"


def _cluster_module():
    # Loaded by path: tests/support is not importable as `support`, which
    # names this package.
    spec = importlib.util.spec_from_file_location("agentsudo_postgres_cluster", _CLUSTER_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cluster_url():
    """The test cluster's URL, or None when the run targets SQLite."""
    return os.environ.get(CLUSTER_VARIABLE) or None


class _Database:
    def __init__(self, name, url):
        self.name = name
        self.url = url
        self.users = 0


class Databases:
    """The databases of one pytest process, by data directory. Thread-safe."""

    def __init__(self, cluster):
        self._cluster = cluster
        self._tool = _cluster_module()
        self._lock = threading.Lock()
        self._by_dir = {}
        self._numbers = itertools.count(1)

    def acquire(self, data_dir):
        """The URL of the data directory's database, made on first use."""
        key = os.path.realpath(data_dir)
        with self._lock:
            database = self._by_dir.get(key)
            if database is None:
                # Unique across the pytest processes ctest runs at once.
                name = f"it_{os.getpid()}_{next(self._numbers)}"
                database = _Database(name, self._tool.create_database(self._cluster, name))
                self._by_dir[key] = database
            database.users += 1
            return database.url

    def release(self, data_dir):
        """Drops the data directory's database when its last user lets go."""
        key = os.path.realpath(data_dir)
        with self._lock:
            database = self._by_dir.get(key)
            if database is None:
                return
            database.users -= 1
            if database.users > 0:
                return
            del self._by_dir[key]
        self._tool.drop_database(self._cluster, database.name)

    def names(self):
        with self._lock:
            return sorted(database.name for database in self._by_dir.values())


_databases = None
_databases_lock = threading.Lock()


def databases():
    """This process's Databases, or None when the run targets SQLite."""
    global _databases
    cluster = cluster_url()
    if cluster is None:
        return None
    with _databases_lock:
        if _databases is None:
            _databases = Databases(cluster)
        return _databases
