#!/usr/bin/env python3
"""A private PostgreSQL 15 cluster for a test run: `start DIR` runs initdb in
DIR (as an unprivileged user when run as root: PostgreSQL refuses root),
starts the server on a Unix socket inside DIR only (no TCP port to collide
with), and prints the connection URL; `stop DIR` stops it and removes DIR;
`url DIR` prints the URL of a cluster started there. Nothing depends on a
database that was there before."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("AGENTSUDO_PG_BIN", "/usr/lib/postgresql/15/bin"))
PORT = 5432  # only names the socket file; there is no TCP listener
UNPRIVILEGED = "nobody"


def _run_as():
    """The argv prefix that runs a command as the cluster's owner."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", UNPRIVILEGED, "--"]


# The cluster's superuser, whoever runs it, so that a URL needs no lookup.
ROLE = "agentsudo"


def url(directory: Path, database: str = "postgres") -> str:
    socket_dir = directory.resolve() / "socket"
    return f"postgresql:///{database}?host={socket_dir}&port={PORT}&user={ROLE}"


def start(directory: Path) -> str:
    directory = directory.resolve()
    if (directory / "data" / "postmaster.pid").exists():
        stop(directory)
    shutil.rmtree(directory, ignore_errors=True)
    (directory / "socket").mkdir(parents=True)
    if os.geteuid() == 0:
        uid = pwd.getpwnam(UNPRIVILEGED).pw_uid
        for path in (directory, directory / "socket"):
            os.chown(path, uid, -1)
        # The owner must reach the directory through every parent.
        parent = directory.parent
        while parent != parent.parent:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                os.chmod(parent, mode | 0o001)
            parent = parent.parent
    data = directory / "data"
    subprocess.run([*_run_as(), str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", ROLE, "-E",
                    "UTF8", "--locale=C", "--no-sync"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    settings = {
        "listen_addresses": "''",
        "unix_socket_directories": f"'{directory / 'socket'}'",
        "port": str(PORT),
        "max_connections": "400",
        "shared_buffers": "128MB",
        # Commits are durable (the server asks for synchronous_commit=on);
        # the test cluster keeps fsync so that figures mean what they say.
        "fsync": "on",
        "max_locks_per_transaction": "256",
    }
    with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
        for name, value in settings.items():
            conf.write(f"{name} = {value}\n")
    subprocess.run([*_run_as(), str(PG_BIN / "pg_ctl"), "-D", str(data), "-l",
                    str(directory / "server.log"), "-w", "-t", "60", "start"],
                   check=True, stdout=subprocess.DEVNULL)
    return url(directory)


def pause(directory: Path) -> None:
    """Stops the server (fast shutdown: open connections are cut) and keeps
    its data, for resume(): a database restart as clients see it."""
    data = directory.resolve() / "data"
    subprocess.run([*_run_as(), str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w",
                    "stop"], check=True, stdout=subprocess.DEVNULL)


def resume(directory: Path) -> None:
    directory = directory.resolve()
    subprocess.run([*_run_as(), str(PG_BIN / "pg_ctl"), "-D", str(directory / "data"), "-l",
                    str(directory / "server.log"), "-w", "-t", "60", "start"],
                   check=True, stdout=subprocess.DEVNULL)


def stop(directory: Path) -> None:
    directory = directory.resolve()
    data = directory / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run([*_run_as(), str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "-w", "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(directory, ignore_errors=True)


def create_database(cluster_url: str, name: str) -> str:
    """A new empty database in the cluster; returns its URL."""
    subprocess.run([str(PG_BIN / "psql"), cluster_url, "-q", "-v", "ON_ERROR_STOP=1", "-c",
                    f'CREATE DATABASE "{name}"'], check=True, stdout=subprocess.DEVNULL)
    return cluster_url.replace("postgresql:///postgres?", f"postgresql:///{name}?", 1)


def drop_database(cluster_url: str, name: str) -> None:
    """Drops the database, closing whatever sessions still use it."""
    subprocess.run([str(PG_BIN / "psql"), cluster_url, "-q", "-v", "ON_ERROR_STOP=1", "-c",
                    f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=True, stdout=subprocess.DEVNULL)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop", "url"):
        print("usage: postgres_cluster.py start|stop|url DIR", file=sys.stderr)
        return 2
    directory = Path(argv[2])
    if argv[1] == "start":
        print(start(directory))
    elif argv[1] == "stop":
        stop(directory)
    else:
        print(url(directory))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
