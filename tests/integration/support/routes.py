"""The server's own route table (`agentsudo-server routes --json`) and the
route tables of the docs, so tests can hold one against the other."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from .process import REPO, SERVER_BIN
from .timeouts import TIMEOUT

ACCESS = {"public", "api_key", "user", "admin", "project"}


def server_routes():
    """Every route the binary serves: dicts of method, path, body_limit, access."""
    p = subprocess.run([SERVER_BIN, "routes", "--json"], capture_output=True, timeout=TIMEOUT,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, f"`agentsudo-server routes --json` exited {p.returncode}: {p.stderr.decode()}"
    routes = json.loads(p.stdout)
    assert isinstance(routes, list) and routes, routes
    for r in routes:
        assert set(r) == {"method", "path", "body_limit", "access"}, r
        assert r["access"] in ACCESS, r
    return routes


def route_key(method, path):
    """How tests name a route: "METHOD path", path with its {parameters}."""
    return f"{method} {path}"


_SIZE_RE = re.compile(r"^(\d+) (bytes|KiB|MiB)$")
_UNITS = {"bytes": 1, "KiB": 1024, "MiB": 1024 * 1024}


def parse_size(text):
    m = _SIZE_RE.match(text.strip())
    assert m, f"not a size such as 64 KiB: {text!r}"
    return int(m.group(1)) * _UNITS[m.group(2)]


def markdown_table(doc, heading):
    """The rows (lists of cell texts) of the first table under `heading`."""
    lines = (REPO / doc).read_text(encoding="utf-8").splitlines()
    try:
        start = lines.index(heading)
    except ValueError:
        raise AssertionError(f"{doc} has no heading {heading!r}")
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("#"):
            break
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue  # the separator
        rows.append(cells)
    assert len(rows) > 1, f"{doc}: no table under {heading!r}"
    return rows[1:]  # without the header row


_ROUTE_IN_TEXT_RE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)")


def routes_named_in(doc):
    """Every "`METHOD /path" a document names, anywhere, as route keys."""
    text = (REPO / doc).read_text(encoding="utf-8")
    return {route_key(m.group(1), m.group(2)) for m in _ROUTE_IN_TEXT_RE.finditer(text)}

