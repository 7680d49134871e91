"""The policy long-poll and /v1/check through a real nginx (Debian's
nginx-light) as an HTTP/1.1 reverse proxy, the way a deployment runs them."""

import threading
import time

import pytest

from support.accounts import Operator
from support.nginx import ReverseProxy
from support.timeouts import TIMEOUT

P = "/api/v1/projects"


@pytest.fixture
def proxy(server):
    p = ReverseProxy(server.port).start()
    try:
        yield p
    finally:
        p.close()


def test_long_poll_through_nginx_wakes_on_a_change(server, proxy):
    project_id, key = server.create_project("proxied")
    result = {}
    client = proxy.client()

    def poll():
        result["response"] = client.request("GET", "/v1/policy?after=0&wait=30",
                                            headers={"X-API-Key": key})

    thread = threading.Thread(target=poll)
    thread.start()
    deadline = time.monotonic() + TIMEOUT
    while server.metric_sum("agentsudo_policy_waiters") < 1:
        assert time.monotonic() < deadline, "the proxied long-poll never reached the server\n" + proxy.logs()
        time.sleep(0.02)
    changed = time.monotonic()
    r = Operator(server).post(f"{P}/{project_id}/agents", {"name": "Bot", "scopes": ["read:*"]})
    assert r.status == 201, r
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    r = result["response"]
    assert r.status == 200, r
    assert r.json["version"] == 1 and r.json["agents"][0]["name"] == "Bot"
    assert r.header("etag") == '"1"'
    assert time.monotonic() - changed < 2

    # The next poll on the same kept-alive connection, and a conditional read.
    r = client.request("GET", "/v1/policy?after=1&wait=1", headers={"X-API-Key": key})
    assert r.status == 304 and r.header("etag") == '"1"', r
    r = client.request("GET", "/v1/policy", headers={"X-API-Key": key, "If-None-Match": '"1"'})
    assert r.status == 304, r


def test_check_through_nginx(server, proxy):
    project_id, key = server.create_project("proxied")
    Operator(server).post(f"{P}/{project_id}/agents", {"name": "Bot", "scopes": ["read:*"]})
    client = proxy.client()
    r = client.request("POST", "/v1/check", body={"agent_name": "Bot", "scope": "read:orders"},
                       headers={"X-API-Key": key})
    assert r.status == 200 and r.json["allowed"] is True and r.json["matched"] == "read:*", r
    r = client.request("POST", "/v1/check", body={"agent_name": "Bot"}, headers={"X-API-Key": key})
    assert r.status == 400 and r.json["field"] == "scope", r
