"""Daily quotas per project: never exceeded, also under concurrency; headers on every answer."""

import calendar
import concurrent.futures
import datetime
import time

import pytest

from support.events import assert_error, reference_event


def next_utc_midnight(t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).date() + datetime.timedelta(days=1)
    return calendar.timegm(d.timetuple())


def quota_headers(r):
    for h in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert h in r.headers, f"{h} missing: {r!r}"
        assert r.headers[h].isdigit(), (h, r.headers[h])
    return (int(r.headers["x-ratelimit-limit"]), int(r.headers["x-ratelimit-remaining"]),
            int(r.headers["x-ratelimit-reset"]))


def check_429(r, t_before, t_after):
    assert_error(r, 429, "RATE_LIMITED")
    ra = r.header("retry-after")
    assert ra is not None and ra.isdigit(), r.headers
    ra = int(ra)
    assert 0 < ra <= 86400, ra
    # Retry-After is the time to the next UTC midnight.
    assert next_utc_midnight(t_before) - t_after - 2 <= ra <= next_utc_midnight(t_after) - t_before + 2, ra
    limit, remaining, reset = quota_headers(r)
    assert remaining == 0
    assert reset in (next_utc_midnight(t_before), next_utc_midnight(t_after)), reset


def test_concurrent_clients_never_exceed_the_quota(server):
    project_id, key = server.create_project("fifty", tier=50)
    t_before = time.time()

    def worker(n):
        c = server.client()
        out = []
        try:
            for i in range(20):
                out.append(c.request("POST", "/ingest-event", body=reference_event(agent_name=f"w{n}"),
                                     headers={"X-API-Key": key}))
        finally:
            c.close()
        return out

    with concurrent.futures.ThreadPoolExecutor(8) as ex:
        results = [r for rs in ex.map(worker, range(8)) for r in rs]
    t_after = time.time()
    assert len(results) == 160
    created = [r for r in results if r.status == 201]
    limited = [r for r in results if r.status == 429]
    others = [r for r in results if r.status not in (201, 429)]
    assert not others, others[:3]
    assert len(created) == 50, f"{len(created)} created, {len(limited)} limited"
    assert len(limited) == 110
    for r in limited:
        check_429(r, t_before, t_after)
    remaining = []
    for r in created:
        limit, rem, reset = quota_headers(r)
        assert limit == 50
        assert reset in (next_utc_midnight(t_before), next_utc_midnight(t_after))
        remaining.append(rem)
    # Each stored event took one unit: after each of the 50, a different amount was left.
    assert sorted(remaining) == list(range(50)), sorted(remaining)
    assert server.count(project_id) == 50
    # The metric counts the refusals.
    assert server.metric_sum("agentsudo_quota_rejections_total") >= 110


def test_concurrent_batches_never_exceed_the_quota(server):
    project_id, key = server.create_project("batches", tier=100)

    def worker(n):
        c = server.client()
        try:
            return [c.request("POST", "/api/events", body=[reference_event(agent_name=f"b{n}")] * 7,
                              headers={"X-API-Key": key}) for _ in range(5)]
        finally:
            c.close()

    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        results = [r for rs in ex.map(worker, range(6)) for r in rs]
    ok = [r for r in results if r.status == 200]
    assert all(r.status in (200, 429) for r in results), [r for r in results if r.status not in (200, 429)][:3]
    assert all(r.json == {"stored": 7, "duplicates": 0} for r in ok)
    # 14 batches of 7 fit in 100 (98); a 15th would not.
    assert len(ok) == 14, len(ok)
    assert server.count(project_id) == 98


def test_headers_and_remaining_decrease(server):
    project_id, key = server.create_project("ten", tier=10)
    t_before = time.time()
    seen = []
    for i in range(3):
        r = server.ingest(key)
        assert r.status == 201, r
        seen.append(quota_headers(r))
    assert [s[0] for s in seen] == [10, 10, 10]
    assert [s[1] for s in seen] == [9, 8, 7]
    assert seen[0][2] in (next_utc_midnight(t_before), next_utc_midnight(time.time()))

    # A batch bigger than what remains is refused whole...
    r = server.batch(key, [reference_event(agent_name="big")] * 8)
    assert_error(r, 429, "RATE_LIMITED")
    limit, rem, _ = quota_headers(r)
    assert (limit, rem) == (10, 7), "a refused batch must not consume quota"
    ra = r.header("retry-after")
    assert ra is not None and ra.isdigit() and 0 < int(ra) <= 86400, r.headers
    assert server.count(project_id) == 3

    # ...while one that fits exactly is stored.
    r = server.batch(key, [reference_event(agent_name="fits")] * 7)
    assert r.status == 200 and r.json == {"stored": 7, "duplicates": 0}, r
    assert quota_headers(r)[:2] == (10, 0)
    assert server.count(project_id) == 10

    r = server.ingest(key)
    check_429(r, t_before, time.time())
    r = server.batch(key, [reference_event()])
    check_429(r, t_before, time.time())
    # An empty batch needs no quota.
    r = server.batch(key, [])
    assert r.status == 200 and r.json == {"stored": 0, "duplicates": 0}, r
    assert server.count(project_id) == 10


def test_refused_requests_consume_no_quota(server):
    _, key = server.create_project("five", tier=5)
    r = server.ingest(key)
    assert r.status == 201
    assert quota_headers(r)[1] == 4
    for _ in range(5):
        r = server.ingest(key, event={"agent_name": "x"})
        assert r.status == 400
        # An authenticated answer, so it carries the quota headers; nothing used.
        assert quota_headers(r)[:2] == (5, 4), r.headers
    r = server.batch(key, [reference_event(), {"agent_name": 1}])
    assert r.status == 400
    r = server.ingest(key)
    assert r.status == 201
    assert quota_headers(r)[1] == 3


def test_set_tier_takes_effect_on_the_next_request(server):
    project_id, key = server.create_project("grow", tier=2)
    assert server.ingest(key).status == 201
    assert server.ingest(key).status == 201
    r = server.ingest(key)
    assert_error(r, 429, "RATE_LIMITED")

    server.set_tier(project_id, 5)
    r = server.ingest(key)
    assert r.status == 201, r
    assert quota_headers(r)[:2] == (5, 2)

    server.set_tier(project_id, "free")
    r = server.ingest(key)
    assert r.status == 201, r
    assert quota_headers(r)[:2] == (1000, 996)

    server.set_tier(project_id, "pro")
    r = server.ingest(key)
    assert r.status == 201, r
    assert quota_headers(r)[:2] == (100000, 99995)

    # Lowering below what is used today refuses at once.
    server.set_tier(project_id, 3)
    r = server.ingest(key)
    assert_error(r, 429, "RATE_LIMITED")
    assert quota_headers(r)[:2] == (3, 0)
    assert server.count(project_id) == 5

    listed = {p["project_id"]: p for p in server.cli("project", "list")}
    assert listed[project_id]["daily_quota"] == 3


def test_tiers_in_project_list(server):
    free_id, _ = server.create_project("f", tier="free")
    pro_id, _ = server.create_project("p", tier="pro")
    custom_id, _ = server.create_project("c", tier=1234)
    default_id, default_key = server.create_project("d", tier=None)
    listed = {p["project_id"]: p for p in server.cli("project", "list")}
    assert listed[free_id]["tier"] == "free" and listed[free_id]["daily_quota"] == 1000
    assert listed[pro_id]["tier"] == "pro" and listed[pro_id]["daily_quota"] == 100000
    assert listed[custom_id]["daily_quota"] == 1234
    assert listed[default_id]["daily_quota"] == 1000, "a new project is on the Free tier by default"
    r = server.ingest(default_key)
    assert quota_headers(r)[:2] == (1000, 999)


def test_quota_is_per_project(server):
    a_id, a_key = server.create_project("a", tier=1)
    b_id, b_key = server.create_project("b", tier=1)
    assert server.ingest(a_key).status == 201
    assert server.ingest(a_key).status == 429
    r = server.ingest(b_key)
    assert r.status == 201, r
    assert quota_headers(r)[:2] == (1, 0)


def test_usage_survives_a_restart(server):
    project_id, key = server.create_project("persist", tier=3)
    for _ in range(3):
        assert server.ingest(key).status == 201
    server.restart()
    r = server.ingest(key)
    assert_error(r, 429, "RATE_LIMITED")
    assert server.count(project_id) == 3


def test_client_timestamps_do_not_dodge_the_quota(server):
    """Usage is counted on the day of receipt, whatever day the client says the decision was."""
    project_id, key = server.create_project("old", tier=2)
    r = server.batch(key, [reference_event(timestamp="2020-01-01T00:00:00Z")] * 2)
    assert r.status == 200, r
    r = server.ingest(key, timestamp="2019-06-01T00:00:00Z")
    assert_error(r, 429, "RATE_LIMITED")


@pytest.mark.parametrize("bad", ["-5", "abc", "1.5", "enterprise", ""])
def test_invalid_tier_is_refused_by_the_cli(server, bad):
    rc, out, err = server.cli("project", "create", "--name", "x", "--tier", bad, check=False)
    assert rc != 0, (out, err)
    assert not server.cli("project", "list") or all(p["name"] != "x" for p in server.cli("project", "list"))
