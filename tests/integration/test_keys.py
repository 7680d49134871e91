"""API keys: created, listed (prefix only), revoked and rotated while the server runs."""

import os
import re

import pytest

from support.events import KEY_RE, assert_error

FULL_KEY_RE = re.compile(r"^as_[A-Za-z0-9_-]{32,}$")


def test_project_create_json_is_exactly_one_object(server):
    out = server.cli("project", "create", "--name", "shape", "--tier", "pro", json_out=True)
    assert isinstance(out, dict)
    assert set(out) == {"project_id", "api_key"}, out
    assert FULL_KEY_RE.match(out["api_key"]), out


def test_keys_are_unique_and_well_formed(server):
    keys = set()
    project_id, key = server.create_project("many")
    keys.add(key)
    for _ in range(5):
        k = server.cli("key", "create", "--project", project_id)
        assert set(k) >= {"key_id", "project_id", "api_key"}, k
        assert k["project_id"] == project_id
        assert FULL_KEY_RE.match(k["api_key"]), k
        keys.add(k["api_key"])
    assert len(keys) == 6


def test_key_create_works_at_once(server):
    project_id, key1 = server.create_project("two-keys")
    k2 = server.cli("key", "create", "--project", project_id)
    for key in (key1, k2["api_key"]):
        r = server.ingest(key)
        assert r.status == 201, r
        assert r.json["project_id"] == project_id


def test_key_list_shows_prefixes_only(server):
    project_id, key1 = server.create_project("listing")
    server.create_project("someone-else")  # its key must not show up below
    k2 = server.cli("key", "create", "--project", project_id)
    out_text = server.cli("key", "list", "--project", project_id, json_out=False)
    out_json = server.cli("key", "list", "--project", project_id)
    rc, human, err = server.cli("key", "list", "--project", project_id, json_out=False, check=False)
    assert rc == 0
    for text in (out_text, human, err):
        assert key1 not in text and k2["api_key"] not in text, "a full key was printed by key list"
        assert not KEY_RE.search(text), f"something key-shaped in key list output: {text}"
    assert isinstance(out_json, list) and len(out_json) == 2
    by_id = {k["key_id"]: k for k in out_json}
    assert k2["key_id"] in by_id
    for k in out_json:
        assert set(k) >= {"key_id", "prefix", "created_at", "revoked_at"}, k
        assert k["revoked_at"] is None
        assert isinstance(k["created_at"], str) and k["created_at"]
        assert 3 < len(k["prefix"]) <= 16, k

    def is_prefix_of(prefix, key):
        p = prefix.rstrip(".…*")
        return len(p) >= 4 and (key.startswith(p) or key[3:].startswith(p))

    assert is_prefix_of(by_id[k2["key_id"]]["prefix"], k2["api_key"]), (by_id[k2["key_id"]], k2["api_key"])
    # The other listed key is the project's first one.
    other = [k for k in out_json if k["key_id"] != k2["key_id"]][0]
    assert is_prefix_of(other["prefix"], key1), (other, key1)


def test_revoke_takes_effect_on_the_next_request(server):
    project_id, key1 = server.create_project("revoke")
    k2 = server.cli("key", "create", "--project", project_id)
    # Warm up: both keys used (so a cache, if any, holds them).
    assert server.ingest(key1).status == 201
    assert server.ingest(k2["api_key"]).status == 201
    server.cli("key", "revoke", "--key", k2["key_id"], json_out=False)
    r = server.ingest(k2["api_key"])
    assert_error(r, 401, "INVALID_API_KEY")
    r = server.batch(k2["api_key"], [{"agent_name": "a", "action": "b", "allowed": True}])
    assert_error(r, 401, "INVALID_API_KEY")
    # On a fresh connection too.
    c = server.client()
    try:
        r = c.request("POST", "/ingest-event", body={"agent_name": "a", "action": "b", "allowed": True},
                      headers={"X-API-Key": k2["api_key"]})
        assert_error(r, 401, "INVALID_API_KEY")
    finally:
        c.close()
    # The other key still works; the list shows the revocation.
    assert server.ingest(key1).status == 201
    listed = {k["key_id"]: k for k in server.cli("key", "list", "--project", project_id)}
    assert listed[k2["key_id"]]["revoked_at"], listed
    assert server.count(project_id) == 3
    # Still revoked after a restart.
    server.restart()
    assert_error(server.ingest(k2["api_key"]), 401, "INVALID_API_KEY")
    assert server.ingest(key1).status == 201


def test_rotate(server):
    project_id, _ = server.create_project("rotate")
    old = server.cli("key", "create", "--project", project_id)
    assert server.ingest(old["api_key"]).status == 201
    new = server.cli("key", "rotate", "--key", old["key_id"])
    assert set(new) >= {"key_id", "project_id", "api_key"}, new
    assert new["project_id"] == project_id
    assert new["key_id"] != old["key_id"] and new["api_key"] != old["api_key"]
    assert FULL_KEY_RE.match(new["api_key"])
    assert_error(server.ingest(old["api_key"]), 401, "INVALID_API_KEY")
    r = server.ingest(new["api_key"])
    assert r.status == 201, r
    assert r.json["project_id"] == project_id
    listed = {k["key_id"]: k for k in server.cli("key", "list", "--project", project_id)}
    assert listed[old["key_id"]]["revoked_at"]
    assert listed[new["key_id"]]["revoked_at"] is None


def test_revoke_unknown_key_fails(server):
    rc, out, err = server.cli("key", "revoke", "--key", "no-such-key", json_out=False, check=False)
    assert rc != 0, (out, err)


def test_keys_are_bound_to_their_project(server):
    a_id, a_key = server.create_project("a")
    b_id, b_key = server.create_project("b")
    ra = server.ingest(a_key, agent_name="Same")
    rb = server.ingest(b_key, agent_name="Same")
    assert ra.json["project_id"] == a_id and rb.json["project_id"] == b_id
    # A body trying to pick another project is ignored.
    r = server.ingest(a_key, project_id=b_id, agent_name="Sneaky")
    assert r.status == 201 and r.json["project_id"] == a_id
    assert [e["agent_name"] for e in server.all_events(b_id)] == ["Same"]
    assert sorted(e["agent_name"] for e in server.all_events(a_id)) == ["Same", "Sneaky"]


@pytest.mark.parametrize("route_suffix", ["", "?limit=1"])
def test_ingest_key_cannot_read(server, route_suffix):
    project_id, key = server.create_project("noread")
    assert server.ingest(key).status == 201
    path = f"/api/v1/projects/{project_id}/events{route_suffix}"
    for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key},
                    {"Authorization": f"Bearer {key}", "X-API-Key": key}):
        r = server.get(path, headers=headers)
        # An ingest key never reads, however it is sent (docs/MANAGEMENT-API.md).
        assert_error(r, 403, "FORBIDDEN")
        assert "events" not in (r.json or {}), r
        assert "SupportBot" not in r.raw.decode("utf-8", "replace")


def test_keys_are_not_stored_or_logged_in_clear(server):
    project_id, key = server.create_project("secret")
    k2 = server.cli("key", "create", "--project", project_id)
    token = server.token()
    for k in (key, k2["api_key"]):
        assert server.ingest(k).status == 201
        assert server.batch(k, [{"agent_name": "a", "action": "b", "allowed": True}]).status == 200
        assert server.ingest(k, event={"agent_name": 5}).status == 400
    assert server.read(project_id).status == 200
    server.cli("key", "revoke", "--key", k2["key_id"], json_out=False)
    assert server.ingest(k2["api_key"]).status == 401
    server.stop()
    logs = server.all_output()
    for secret in (key, k2["api_key"], token):
        assert secret not in logs, "a secret appeared in the server's output"
        # Nor anywhere in the data directory (only hashes are stored).
        needle = secret.encode()
        for root, _, files in os.walk(server.data_dir):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    assert needle not in fh.read(), f"{secret[:6]}... stored in clear in {f}"
