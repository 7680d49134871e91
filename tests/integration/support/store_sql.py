"""SQL run on a test server's store behind its back, whichever store it is:
the sqlite3 tool on the data directory's file, or psql on the server's own
database when the run targets PostgreSQL. For tests that read or move what
the HTTP API cannot (a session's expiry, a tampered event); keep the SQL to
what both accept."""

from __future__ import annotations

import os
import subprocess

from .timeouts import TIMEOUT

PSQL = "/usr/lib/postgresql/15/bin/psql"


def run_sql(server, statement):
    """Runs `statement` (one or more, `;`-separated) and returns its rows
    as lines of `|`-separated values, as both tools print them."""
    if server.database_url:
        cmd = [PSQL, server.database_url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", statement]
    else:
        # Waits out the server's write lock as the server's own readers do.
        cmd = ["sqlite3", "-cmd", f".timeout {int(TIMEOUT * 1000)}", os.path.join(server.data_dir, "agentsudo.db"),
               statement]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"{statement}: {p.stderr}"
    return p.stdout


def zero_bytes(server, count):
    """An SQL expression for `count` zero bytes, in the server's store's dialect."""
    if server.database_url:
        return f"decode(repeat('00', {count}), 'hex')"
    return f"zeroblob({count})"
