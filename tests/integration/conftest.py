"""Fixtures for the integration tests: the real agentsudo-server binary, over the wire.

Every test talks HTTP to a server process started on a free port with a
private temporary data directory, and drives the admin CLI (the same binary)
on that data directory. Nothing here is mocked. The machinery lives in
`support/`; this file only hands it to tests as fixtures.
"""

from __future__ import annotations

import pytest

from support.server import Server


@pytest.fixture
def server():
    """A fresh server on a fresh data dir, for one test."""
    s = Server()
    try:
        s.start()
        yield s
    finally:
        s.close()


@pytest.fixture(scope="module")
def mserver():
    """One server shared by a module's tests (they must not interfere)."""
    s = Server()
    try:
        s.start()
        yield s
    finally:
        s.close()


@pytest.fixture
def make_server():
    """Factory for servers that a test starts itself (e.g. on a data dir it keeps)."""
    made = []

    def factory(**kw):
        s = Server(**kw)
        made.append(s)
        return s

    yield factory
    for s in made:
        s.close()
