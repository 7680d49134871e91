"""The API-key cache (docs/PERFORMANCE.md, issue 12): a key used once is
answered from memory, yet every change to it reaches the running server
before its very next request, whether made by the CLI in another process on
the same data directory or through the management API. The metrics show the
cache was in play: each key below is used twice (a miss, then a hit) before
it is changed."""

from support.accounts import Operator
from support.events import assert_error

P = "/api/v1/projects"
HITS = "agentsudo_key_cache_hits_total"
MISSES = "agentsudo_key_cache_misses_total"


def cache_counts(server):
    return server.metric_sum(HITS), server.metric_sum(MISSES)


def use_twice(server, key):
    """Two accepted requests with `key`; the second must be a cache hit."""
    hits, _ = cache_counts(server)
    for _ in range(2):
        r = server.ingest(key)
        assert r.status == 201, r
    assert server.metric_sum(HITS) >= hits + 1, "the second request with the key missed the cache"
    return r


def refused(server, key):
    """Every route that takes an API key now answers 401 for it."""
    assert_error(server.ingest(key), 401, "INVALID_API_KEY")
    assert_error(server.batch(key, [{"agent_name": "a", "action": "b", "allowed": True}]),
                 401, "INVALID_API_KEY")
    check = {"agent_name": "SupportBot", "scope": "read:orders", "function_name": "get_order"}
    assert_error(server.request("POST", "/v1/check", body=check, headers={"X-API-Key": key}),
                 401, "INVALID_API_KEY")
    assert_error(server.get("/v1/policy", headers={"X-API-Key": key}), 401, "INVALID_API_KEY")


def test_the_second_request_with_a_key_is_answered_from_memory(server):
    _, key = server.create_project("hits")
    hits, misses = cache_counts(server)
    for _ in range(3):
        assert server.ingest(key).status == 201
    assert cache_counts(server) == (hits + 2, misses + 1)


def test_unknown_keys_ask_the_store_every_time(server):
    hits, misses = cache_counts(server)
    for i in range(20):
        key = f"as_unknown_key_{i:02d}_" + "x" * 30
        assert_error(server.ingest(key), 401, "INVALID_API_KEY")
        assert_error(server.ingest(key), 401, "INVALID_API_KEY")
    assert cache_counts(server) == (hits, misses + 40)


def test_a_cli_revocation_refuses_the_very_next_request(server):
    project_id, first = server.create_project("cli-revoke")
    k2 = server.cli("key", "create", "--project", project_id)
    use_twice(server, first)
    use_twice(server, k2["api_key"])
    server.cli("key", "revoke", "--key", k2["key_id"], json_out=False)
    refused(server, k2["api_key"])
    assert server.ingest(first).status == 201


def test_a_cli_rotation_refuses_the_old_key_at_once_and_takes_the_new_one(server):
    project_id, _ = server.create_project("cli-rotate")
    old = server.cli("key", "create", "--project", project_id)
    use_twice(server, old["api_key"])
    new = server.cli("key", "rotate", "--key", old["key_id"])
    refused(server, old["api_key"])
    r = server.ingest(new["api_key"])
    assert r.status == 201, r
    assert r.json["project_id"] == project_id


def test_a_key_created_by_the_cli_works_on_its_first_request(server):
    project_id, first = server.create_project("cli-create")
    use_twice(server, first)
    created = server.cli("key", "create", "--project", project_id)
    r = server.ingest(created["api_key"])
    assert r.status == 201, r
    assert r.json["project_id"] == project_id


def test_a_cli_tier_change_shows_in_the_very_next_rate_limit(server):
    project_id, key = server.create_project("cli-tier", tier=10)
    r = use_twice(server, key)
    assert r.headers["x-ratelimit-limit"] == "10", r
    server.set_tier(project_id, 25)
    r = server.ingest(key)
    assert r.status == 201, r
    assert r.headers["x-ratelimit-limit"] == "25", r
    server.set_tier(project_id, 3)
    assert_error(server.ingest(key), 429, "RATE_LIMITED")


def test_a_management_api_revocation_refuses_the_very_next_request(server):
    project_id, first = server.create_project("api-revoke")
    op = Operator(server)
    created = op.post(f"{P}/{project_id}/keys")
    assert created.status == 201, created
    key, key_id = created.json["api_key"], created.json["key"]["id"]
    use_twice(server, key)
    r = op.delete(f"{P}/{project_id}/keys/{key_id}")
    assert r.status == 200, r
    refused(server, key)
    assert server.ingest(first).status == 201


def test_a_management_api_rotation_refuses_the_old_key_at_once(server):
    project_id, _ = server.create_project("api-rotate")
    op = Operator(server)
    created = op.post(f"{P}/{project_id}/keys")
    assert created.status == 201, created
    key, key_id = created.json["api_key"], created.json["key"]["id"]
    use_twice(server, key)
    rotated = op.post(f"{P}/{project_id}/keys/{key_id}/rotate")
    assert rotated.status == 201, rotated
    refused(server, key)
    assert server.ingest(rotated.json["api_key"]).status == 201


def test_deleting_a_project_refuses_its_key_on_the_very_next_request(server):
    project_id, key = server.create_project("doomed")
    _, other = server.create_project("survivor")
    use_twice(server, key)
    use_twice(server, other)
    r = Operator(server).delete(f"{P}/{project_id}", {"confirm": "doomed"})
    assert r.status == 204, r
    refused(server, key)
    assert server.ingest(other).status == 201
