"""GET /api/v1/projects/{id}/events: order, filters, limits, cursors, auth."""

import base64
import uuid

import pytest

from support.events import assert_error, reference_event

AGENTS = ["Alpha", "Beta", "Gamma"]
SCOPES = ["read:orders", "write:orders", "read:users"]
ACTIONS = ["permission_check", "permission_denied", "audit_violation"]
N = 60


@pytest.fixture(scope="module")
def data(mserver):
    """A project with N events sent one by one (no client timestamps, so
    insertion order is time order), and what the server answered for each."""
    project_id, key = mserver.create_project("read", tier="pro")
    answered = []
    for i in range(N):
        r = mserver.ingest(key, event=reference_event(
            agent_name=AGENTS[i % 3], scope=SCOPES[(i // 3) % 3], action=ACTIONS[i % 3 if i % 2 else 0],
            allowed=(i % 2 == 0), metadata={"i": i}))
        assert r.status == 201, r
        answered.append(r.json)
    return project_id, key, answered


@pytest.fixture(scope="module")
def timed(mserver):
    """A project whose events carry client timestamps one minute apart."""
    project_id, key = mserver.create_project("timed", tier="pro")
    events = [reference_event(timestamp=f"2026-01-15T10:{m:02d}:00.000000Z", metadata={"m": m}) for m in range(10)]
    r = mserver.batch(key, events)
    assert r.status == 200, r
    return project_id


def test_newest_first_default_limit_and_fields(mserver, data):
    project_id, _, answered = data
    r = mserver.read(project_id)
    assert r.status == 200, r
    assert r.header("content-type").startswith("application/json")
    assert set(r.json) == {"events", "next_cursor"}
    page = r.json["events"]
    assert len(page) == 50, "default limit is 50"
    assert isinstance(r.json["next_cursor"], str) and r.json["next_cursor"]
    expected = list(reversed(answered))[:50]
    assert [e["id"] for e in page] == [e["id"] for e in expected]
    # Each event reads back as it was answered at ingestion.
    for got, want in zip(page, expected):
        for k, v in want.items():
            assert got.get(k) == v, (k, got, want)
    ts = [e["timestamp"] for e in page]
    assert ts == sorted(ts, reverse=True)


def test_limit_bounds(mserver, data):
    project_id, _, _ = data
    r = mserver.read(project_id, limit=1)
    assert r.status == 200 and len(r.json["events"]) == 1
    r = mserver.read(project_id, limit=1000)
    assert r.status == 200 and len(r.json["events"]) == N
    assert r.json["next_cursor"] is None, "no more pages: next_cursor is null"
    r = mserver.read(project_id, limit=N)
    assert r.status == 200 and len(r.json["events"]) == N
    if r.json["next_cursor"] is not None:  # allowed to hand out a cursor to an empty page
        r2 = mserver.read(project_id, limit=N, cursor=r.json["next_cursor"])
        assert r2.status == 200 and r2.json["events"] == [] and r2.json["next_cursor"] is None


@pytest.mark.parametrize("value", ["0", "1001", "abc", "-1", "1.5", "10abc", "99999999999999999999999", " 5"])
def test_invalid_limit(mserver, data, value):
    project_id, _, _ = data
    r = mserver.read(project_id, limit=value)
    assert_error(r, 400, "INVALID_PARAMETER", field="limit")


@pytest.mark.parametrize("name,value", [
    ("since", "yesterday"), ("since", "2026-01-15"), ("since", "2026-13-01T00:00:00Z"),
    ("until", "not-a-time"), ("until", "1736937000"),
    ("allowed", "yes"), ("allowed", "1"), ("allowed", "TRUEISH"),
])
def test_invalid_parameters(mserver, data, name, value):
    project_id, _, _ = data
    r = mserver.read(project_id, **{name: value})
    assert_error(r, 400, "INVALID_PARAMETER", field=name)


def test_filters(mserver, data):
    project_id, _, answered = data

    def ids(**filters):
        return [e["id"] for e in mserver.all_events(project_id, **filters)]

    def want(pred):
        return [e["id"] for e in reversed(answered) if pred(e)]

    assert ids(agent_name="Beta") == want(lambda e: e["agent_name"] == "Beta")
    assert ids(scope="write:orders") == want(lambda e: e["scope"] == "write:orders")
    assert ids(action="permission_denied") == want(lambda e: e["action"] == "permission_denied")
    assert ids(allowed="true") == want(lambda e: e["allowed"] is True)
    assert ids(allowed="false") == want(lambda e: e["allowed"] is False)
    combo = ids(agent_name="Gamma", scope="read:orders", allowed="false")
    assert combo == want(lambda e: e["agent_name"] == "Gamma" and e["scope"] == "read:orders" and not e["allowed"])
    assert len(ids(agent_name="Beta")) == 20
    # Exact match, not prefix or case-insensitive.
    assert ids(agent_name="Bet") == []
    assert ids(agent_name="beta") == []
    assert ids(scope="read:") == []


@pytest.mark.parametrize("value", ["' OR 1=1 --", "' OR '1'='1", "\"; DROP TABLE events; --", "%", "_", "*",
                                   "Alpha' --", "Alpha%", "\\", "Alpha\x00"])
def test_sql_metacharacters_match_nothing(mserver, data, value):
    project_id, _, _ = data
    for name in ("agent_name", "scope", "action"):
        r = mserver.read(project_id, **{name: value})
        # Filters are exact matches of any string: no value is invalid.
        assert r.status == 200, r
        assert r.json["events"] == [], (name, value)
    assert mserver.count(project_id) == N


def test_quotes_and_unicode_match_exactly(mserver):
    project_id, key = mserver.create_project("quotes", tier="pro")
    names = ["O'Brien", "Bot \"quoted\"", "Agent é 🤖", "a&b=c?d#e", "space bot", "plus+bot"]
    for n in names:
        assert mserver.ingest(key, agent_name=n, scope=n).status == 201
    for n in names:
        got = mserver.all_events(project_id, agent_name=n)
        assert [e["agent_name"] for e in got] == [n], n
        got = mserver.all_events(project_id, scope=n)
        assert [e["scope"] for e in got] == [n], n


def test_since_until(mserver, timed):
    project_id = timed

    def minutes(**f):
        return [e["metadata"]["m"] for e in mserver.all_events(project_id, **f)]

    assert minutes() == list(range(9, -1, -1)), "newest first by timestamp"
    assert minutes(since="2026-01-15T10:03:00Z", until="2026-01-15T10:07:00Z") == [6, 5, 4, 3]
    assert minutes(since="2026-01-15T10:03:00.000001Z") == [9, 8, 7, 6, 5, 4]
    assert minutes(until="2026-01-15T10:00:00.000001Z") == [0]
    assert minutes(until="2026-01-15T10:00:00Z") == []
    # Offsets are allowed and mean the same instant.
    assert minutes(since="2026-01-15T12:08:00+02:00") == [9, 8]
    assert minutes(since="2026-01-15T10:05:00Z", until="2026-01-15T10:05:00Z") == []
    assert minutes(since="2026-01-15T10:05:00Z", until="2026-01-15T10:01:00Z") == []


def test_cursor_walks_everything_once(mserver, data):
    project_id, _, answered = data
    expected = [e["id"] for e in reversed(answered)]
    for size in (1, 7, 50):
        seen, cursor, pages = [], None, 0
        while True:
            r = mserver.read(project_id, limit=size, cursor=cursor)
            assert r.status == 200, r
            seen += [e["id"] for e in r.json["events"]]
            cursor = r.json["next_cursor"]
            pages += 1
            if cursor is None:
                break
            assert pages <= N + 1
        assert seen == expected, f"page size {size}"


def test_cursor_with_filters(mserver, data):
    project_id, _, answered = data
    expected = [e["id"] for e in reversed(answered) if e["agent_name"] == "Alpha"]
    seen, cursor = [], None
    while True:
        r = mserver.read(project_id, agent_name="Alpha", limit=6, cursor=cursor)
        assert r.status == 200, r
        seen += [e["id"] for e in r.json["events"]]
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


def test_pages_are_stable_while_events_arrive(server):
    project_id, key = server.create_project("moving", tier="pro")
    initial = []
    for i in range(40):
        r = server.ingest(key, metadata={"i": i})
        assert r.status == 201
        initial.append(r.json["id"])
    seen, cursor, added = [], None, 0
    while True:
        r = server.read(project_id, limit=7, cursor=cursor)
        assert r.status == 200, r
        seen += [e["id"] for e in r.json["events"]]
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
        # New events arrive between pages, and a batch with an old client timestamp too.
        for _ in range(3):
            assert server.ingest(key, agent_name="Late").status == 201
            added += 1
        assert server.batch(key, [reference_event(agent_name="LateOld", timestamp="2020-01-01T00:00:00Z")]).status == 200
    assert len(seen) == len(set(seen)), "an event was returned twice"
    # Every event that existed at the start is seen exactly once, in order.
    assert [i for i in seen if i in set(initial)] == list(reversed(initial))
    # Nothing newer than the first page sneaks in (the cursor points below what was seen).
    late_ids = {e["id"] for e in server.all_events(project_id, agent_name="Late")}
    assert not (late_ids & set(seen)), "events newer than the walk's start appeared in later pages"
    assert server.count(project_id) == 40 + added + added // 3


@pytest.mark.parametrize("cursor", ["abc", "0", "!!!", "eyJpZCI6MX0", "A" * 500, "%00", "null",
                                    base64.urlsafe_b64encode(b'{"ts":"2026-01-01T00:00:00Z","id":"x"}').decode()])
def test_forged_cursor(mserver, data, cursor):
    project_id, _, _ = data
    r = mserver.read(project_id, cursor=cursor)
    assert_error(r, 400, "INVALID_PARAMETER", field="cursor")


def test_garbled_cursor(mserver, data):
    project_id, _, _ = data
    r = mserver.read(project_id, limit=5)
    cursor = r.json["next_cursor"]
    assert cursor
    # Changes that alter the content whatever the encoding (not just padding bits).
    variants = {cursor[: len(cursor) // 2], cursor[1:], cursor[::-1], cursor + "!!"}
    for pos in (0, len(cursor) // 2):
        c = cursor[pos]
        variants.add(cursor[:pos] + ("B" if c != "B" else "C") + cursor[pos + 1:])
    variants.discard(cursor)
    for v in variants:
        r = mserver.read(project_id, limit=5, cursor=v)
        assert_error(r, 400, "INVALID_PARAMETER", field="cursor")


def test_cursor_of_another_project(mserver, data, timed):
    project_id, _, _ = data
    r = mserver.read(project_id, limit=5)
    cursor = r.json["next_cursor"]
    r = mserver.read(timed, cursor=cursor)
    # Either refused, or at most the other project's own events: never project A's.
    if r.status == 200:
        assert all(e["project_id"] == timed for e in r.json["events"])
    else:
        assert_error(r, 400, "INVALID_PARAMETER", field="cursor")


def test_unknown_project_404(mserver, data):
    r = mserver.read(str(uuid.uuid4()))
    assert_error(r, 404, "NOT_FOUND")
    r = mserver.read("not-a-uuid")
    assert_error(r, 404, "NOT_FOUND")  # no such project, whatever its spelling


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": ""},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer "},
    {"Authorization": "Bearer asm_" + "A" * 43},
    {"Authorization": "Bearer nonsense"},
    {"Authorization": "Basic YWRtaW46YWRtaW4="},
], ids=["none", "empty", "bearer-only", "bearer-space", "unknown-token", "nonsense", "basic"])
def test_no_or_bad_token_401(mserver, data, headers):
    project_id, _, _ = data
    r = mserver.get(f"/api/v1/projects/{project_id}/events", headers=headers)
    assert_error(r, 401, "UNAUTHORIZED")
    assert "events" not in r.json


def test_token_works_for_every_project_and_new_tokens_too(mserver, data, timed):
    project_id, _, _ = data
    t2 = mserver.cli("token", "create")
    assert t2["token"].startswith("asm_") and len(t2["token"]) >= 36
    for p in (project_id, timed):
        r = mserver.read(p, token=t2["token"], limit=1)
        assert r.status == 200, r
        assert all(e["project_id"] == p for e in r.json["events"])


def test_projects_are_isolated(mserver, data, timed):
    project_id, _, answered = data
    a = {e["id"] for e in mserver.all_events(project_id)}
    b = {e["id"] for e in mserver.all_events(timed)}
    assert len(a) == N and len(b) == 10 and not (a & b)
