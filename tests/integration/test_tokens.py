"""Management tokens: named, listed (never the secret), expiring and revoked,
from the CLI and by admins over the API. A revoked or expired token gets 401
on its very next request, also when the CLI revokes it in another process
while the server runs."""

import datetime
import json
import time

from support.accounts import Operator, add_user, set_up_admin
from support.events import assert_error
from support.timeouts import TIMEOUT

GHOST_ID = "00000000-0000-7000-8000-000000000000"
TOKEN_MEMBERS = {"id", "name", "prefix", "created_at", "expires_at", "revoked_at"}
CLI_TOKEN_MEMBERS = {"token_id", "name", "prefix", "created_at", "expires_at", "revoked_at"}


def rfc3339(when):
    return when.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def in_seconds(seconds):
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)


def cli_listed(server, token_id):
    listed = server.cli("token", "list")
    assert isinstance(listed, list), listed
    found = [t for t in listed if t["token_id"] == token_id]
    assert len(found) == 1, listed
    return found[0], listed


def assert_secret_nowhere(server, secret):
    assert secret not in server.all_output(), "the server's output holds a token secret"


def test_cli_create_list_and_revoke_while_serving(server):
    created = server.cli("token", "create", "--name", "deploy bot")
    secret = created["token"]
    assert secret.startswith("asm_") and len(secret) > 40, created
    assert set(created) == CLI_TOKEN_MEMBERS | {"token"}, created
    assert created["name"] == "deploy bot" and created["expires_at"] is None
    assert created["revoked_at"] is None

    entry, listed = cli_listed(server, created["token_id"])
    assert set(entry) == CLI_TOKEN_MEMBERS, entry
    assert entry["name"] == "deploy bot" and entry["revoked_at"] is None
    assert secret.startswith(entry["prefix"]) and len(entry["prefix"]) < 16, entry
    assert secret not in json.dumps(listed)
    text = server.cli("token", "list", json_out=False)
    assert created["token_id"] in text and "deploy bot" in text and secret not in text

    operator = Operator(server, secret)
    assert operator.get("/api/v1/projects").status == 200
    # Revoked by another process, on the data directory the server uses.
    server.cli("token", "revoke", created["token_id"], json_out=False)
    assert_error(operator.get("/api/v1/projects"), 401, "UNAUTHORIZED")
    assert_error(Operator(server, secret).get("/api/v1/projects"), 401, "UNAUTHORIZED")

    entry, _ = cli_listed(server, created["token_id"])
    assert entry["revoked_at"] is not None
    assert "revoked" in server.cli("token", "list", json_out=False)
    assert_secret_nowhere(server, secret)


def test_revoking_one_token_leaves_the_others(server):
    kept = server.cli("token", "create")
    gone = server.cli("token", "create")
    assert kept["name"] is None
    server.cli("token", "revoke", gone["token_id"])
    assert Operator(server, kept["token"]).get("/api/v1/projects").status == 200
    assert_error(Operator(server, gone["token"]).get("/api/v1/projects"), 401, "UNAUTHORIZED")


def test_revoke_unknown_or_revoked_fails_with_a_message(server):
    rc, out, err = server.cli("token", "revoke", GHOST_ID, json_out=False, check=False)
    assert rc != 0 and "no management token" in err and GHOST_ID in err, (rc, out, err)
    rc, out, err = server.cli("token", "revoke", "not-an-id", json_out=False, check=False)
    assert rc != 0 and "no management token" in err, (rc, out, err)

    token_id = server.cli("token", "create")["token_id"]
    server.cli("token", "revoke", token_id)
    rc, out, err = server.cli("token", "revoke", token_id, json_out=False, check=False)
    assert rc != 0 and "already revoked" in err, (rc, out, err)


def test_an_expired_token_is_refused(server):
    expiry = in_seconds(6).replace(microsecond=0)  # as RFC 3339 without a fraction says
    created = server.cli("token", "create", "--expires-at", rfc3339(expiry))
    assert parse_rfc3339(created["expires_at"]) == expiry
    operator = Operator(server, created["token"])
    r = operator.get("/api/v1/projects")
    # Asserted only while the token must still be valid (a very slow machine
    # may reach this line after the expiry).
    if datetime.datetime.now(datetime.timezone.utc) < expiry:
        assert r.status == 200, r
    deadline = time.monotonic() + 6 + TIMEOUT
    while r.status == 200 and time.monotonic() < deadline:
        time.sleep(0.1)
        r = operator.get("/api/v1/projects")
    assert_error(r, 401, "UNAUTHORIZED")
    assert datetime.datetime.now(datetime.timezone.utc) >= expiry, "refused before its expiry"
    entry, _ = cli_listed(server, created["token_id"])
    assert entry["revoked_at"] is None and entry["expires_at"] == created["expires_at"]
    assert "expired" in server.cli("token", "list", json_out=False)


def test_expiry_in_days_and_refused_expiries(server):
    created = server.cli("token", "create", "--expires-in", "30")
    days = parse_rfc3339(created["expires_at"]) - parse_rfc3339(created["created_at"])
    assert abs(days - datetime.timedelta(days=30)) < datetime.timedelta(seconds=1), created
    assert Operator(server, created["token"]).get("/api/v1/projects").status == 200

    for args, says in ((("--expires-at", rfc3339(in_seconds(-60))), "future"),
                       (("--expires-at", "tomorrow"), "RFC 3339"),
                       (("--expires-in", "0"), "expires-in"),
                       (("--expires-in", "3", "--expires-at", rfc3339(in_seconds(3600))), "expires")):
        before = len(server.cli("token", "list"))
        rc, out, err = server.cli("token", "create", *args, json_out=False, check=False)
        assert rc != 0 and says in err and "asm_" not in out, (args, rc, out, err)
        assert len(server.cli("token", "list")) == before, args


def test_admin_api_create_list_revoke(server):
    admin = set_up_admin(server)
    expiry = rfc3339(in_seconds(3600))
    r = admin.post("/api/v1/tokens", {"name": "ci", "expires_at": expiry})
    assert r.status == 201, r
    assert set(r.json) == {"token", "management_token"}, r.json
    secret, token = r.json["management_token"], r.json["token"]
    assert secret.startswith("asm_") and set(token) == TOKEN_MEMBERS, r.json
    assert token["name"] == "ci" and token["expires_at"] == expiry.replace("Z", ".000000Z")
    assert secret.startswith(token["prefix"]) and token["revoked_at"] is None

    operator = Operator(server, secret)
    listed = operator.get("/api/v1/tokens")
    assert listed.status == 200, listed
    assert token in listed.json["tokens"], listed.json
    assert secret.encode() not in listed.raw and secret.encode() not in admin.get("/api/v1/tokens").raw
    assert server.cli("token", "list")[-1]["token_id"] == token["id"]

    plain = admin.post("/api/v1/tokens")
    assert plain.status == 201 and plain.json["token"]["name"] is None, plain
    assert plain.json["token"]["expires_at"] is None

    revoked = admin.delete(f"/api/v1/tokens/{token['id']}")
    assert revoked.status == 200 and revoked.json["id"] == token["id"], revoked
    assert revoked.json["revoked_at"] is not None
    assert_error(operator.get("/api/v1/tokens"), 401, "UNAUTHORIZED")
    assert_error(admin.delete(f"/api/v1/tokens/{token['id']}"), 409, "CONFLICT")
    assert_error(admin.delete(f"/api/v1/tokens/{GHOST_ID}"), 404, "NOT_FOUND")
    assert_error(admin.delete("/api/v1/tokens/nope"), 404, "NOT_FOUND")
    # An operator's token may revoke another one (and itself).
    other = Operator(server, plain.json["management_token"])
    assert other.delete(f"/api/v1/tokens/{plain.json['token']['id']}").status == 200
    assert_error(other.get("/api/v1/tokens"), 401, "UNAUTHORIZED")
    assert_secret_nowhere(server, secret)


def test_admin_api_refuses_bad_bodies(server):
    admin = set_up_admin(server)
    for body, field in (({"name": 5}, "name"), ({"name": "x" * 101}, "name"),
                        ({"name": "a\nb"}, "name"), ({"expires_at": "soon"}, "expires_at"),
                        ({"expires_at": rfc3339(in_seconds(-5))}, "expires_at"),
                        ({"secret": "asm_mine"}, "secret")):
        assert_error(admin.post("/api/v1/tokens", body), 400, "INVALID_PAYLOAD", field=field)
    assert admin.get("/api/v1/tokens").json["tokens"] == []


def test_only_admins_manage_tokens(server):
    admin = set_up_admin(server)
    user = add_user(admin, "user@example.com")
    made = server.cli("token", "create")
    assert_error(user.get("/api/v1/tokens"), 403, "FORBIDDEN")
    assert_error(user.post("/api/v1/tokens", {"name": "mine"}), 403, "FORBIDDEN")
    assert_error(user.delete(f"/api/v1/tokens/{made['token_id']}"), 403, "FORBIDDEN")
    assert Operator(server, made["token"]).get("/api/v1/projects").status == 200
    assert len(server.cli("token", "list")) == 1
    nobody = server.client()
    assert_error(nobody.request("GET", "/api/v1/tokens"), 401, "UNAUTHORIZED")
    # A cookie-authenticated change needs the session's CSRF token.
    assert_error(admin.call("POST", "/api/v1/tokens", {}, headers={"X-CSRF-Token": "wrong"}),
                 403, "CSRF_FAILED")
    assert len(server.cli("token", "list")) == 1
