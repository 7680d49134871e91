"""Approval notifications by signed webhook, over real HTTP: a receiver in the
test checks every delivery with the verification snippet of docs/WEBHOOKS.md;
retries after a 500; replays rejected; the slack format; bad input; the
secret shown once; the outbox surviving a restart; other tenants' 404s."""

import hashlib
import hmac
import json
import re
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from support.accounts import Operator, add_user, set_up_admin
from support.events import TS_RE, UUID_RE, assert_error
from support.timeouts import TIMEOUT
from support.webhook_receiver import WebhookReceiver, WebhookRejected, verify_webhook

P = "/api/v1/projects"
SECRET_RE = r"^whsec_[A-Za-z0-9_-]{43}$"
# A delivery retried on the documented schedule (1, 2, 4, 8 ... s) arrives well within this.
RETRY_DEADLINE = 45.0


@pytest.fixture
def receiver():
    r = WebhookReceiver()
    yield r
    r.close()


@pytest.fixture
def project(server):
    project_id, _ = server.create_project("hooks")
    return project_id, Operator(server)


def create_webhook(op, project_id, url, **extra):
    r = op.post(f"{P}/{project_id}/webhooks", {"url": url, **extra})
    assert r.status == 201, r
    return r.json


def deliveries(op, project_id, webhook_id):
    r = op.get(f"{P}/{project_id}/webhooks/{webhook_id}/deliveries")
    assert r.status == 200, r
    return r.json["deliveries"]


def wait_for_log(op, project_id, webhook_id, predicate, timeout=RETRY_DEADLINE):
    """Polls the delivery log until predicate(deliveries) holds; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        log = deliveries(op, project_id, webhook_id)
        if predicate(log):
            return log
        assert time.monotonic() < deadline, f"the delivery log never got there: {log}"
        time.sleep(0.05)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_created_webhook_pings_signed_and_verified(server, project, receiver):
    project_id, op = project
    created = create_webhook(op, project_id, receiver.url)
    assert set(created) == {"webhook", "secret"}
    secret = created["secret"]
    assert re.match(SECRET_RE, secret), secret
    hook = created["webhook"]
    assert set(hook) == {"id", "url", "format", "secret_prefix", "created_at"}
    assert UUID_RE.match(hook["id"]) and TS_RE.match(hook["created_at"])
    assert hook["url"] == receiver.url and hook["format"] == "json"
    assert secret.startswith(hook["secret_prefix"]) and len(hook["secret_prefix"]) < 16
    receiver.secret = secret

    r = op.post(f"{P}/{project_id}/webhooks/{hook['id']}/test")
    assert r.status == 202, r
    delivery_id = r.json["delivery_id"]
    got = receiver.wait_for(1)[0]
    assert got.accepted, got.verdict
    assert got.verdict == {"id": delivery_id, "type": "ping", "created_at": got.verdict["created_at"],
                           "project_id": project_id, "webhook_id": hook["id"]}
    assert got.headers["agentsudo-delivery"] == delivery_id
    assert got.headers["agentsudo-event"] == "ping"
    assert got.headers["content-type"] == "application/json"
    log = wait_for_log(op, project_id, hook["id"], lambda d: d and d[0]["delivered_at"])
    assert log == [{"id": delivery_id, "type": "ping", "attempts": 1, "last_status": 200, "last_error": None,
                    "delivered_at": log[0]["delivered_at"], "next_attempt_at": None,
                    "created_at": log[0]["created_at"]}]


def test_a_500_is_retried_and_the_log_shows_both_attempts(server, project, receiver):
    project_id, op = project
    created = create_webhook(op, project_id, receiver.url)
    receiver.secret = created["secret"]
    hook_id = created["webhook"]["id"]
    receiver.script = [500]
    assert op.post(f"{P}/{project_id}/webhooks/{hook_id}/test").status == 202
    first = receiver.wait_for(1)[0]
    assert first.accepted and first.answered == 500
    # Hold the retry while the log is read, so the first attempt's record is seen.
    receiver.hold_next = True
    retry = receiver.wait_for(2, timeout=RETRY_DEADLINE)[1]
    log = deliveries(op, project_id, hook_id)
    assert len(log) == 1 and log[0]["attempts"] == 1, log
    assert log[0]["last_status"] == 500 and "500" in log[0]["last_error"], log
    assert log[0]["delivered_at"] is None and TS_RE.match(log[0]["next_attempt_at"]), log
    receiver.release()
    assert retry.accepted and retry.answered == 200, retry.verdict
    assert retry.body == first.body, "a retry sends the same body"
    assert retry.headers["agentsudo-delivery"] == first.headers["agentsudo-delivery"]
    log = wait_for_log(op, project_id, hook_id, lambda d: d[0]["delivered_at"])
    assert log[0]["attempts"] == 2 and log[0]["last_status"] == 200 and log[0]["last_error"] is None, log
    assert log[0]["next_attempt_at"] is None


def test_replays_are_rejected_by_the_documented_check(server, project, receiver):
    project_id, op = project
    created = create_webhook(op, project_id, receiver.url)
    secret = receiver.secret = created["secret"]
    assert op.post(f"{P}/{project_id}/webhooks/{created['webhook']['id']}/test").status == 202
    genuine = receiver.wait_for(1)[0]
    assert genuine.accepted
    signature = genuine.headers["agentsudo-signature"]
    t = int(signature.split(",")[0].removeprefix("t="))

    # The same body and signature again: seen before.
    with pytest.raises(WebhookRejected, match="seen before"):
        verify_webhook(secret, signature, genuine.body, receiver.seen_ids)
    # Sent to the receiver over HTTP, too: refused.
    req = urllib.request.Request(receiver.url, data=genuine.body, method="POST",
                                 headers={"AgentSudo-Signature": signature, "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=TIMEOUT)
    assert refused.value.code == 400
    assert "seen before" in receiver.received[-1].verdict

    # Captured and replayed after the window, to a receiver that forgot the id.
    with pytest.raises(WebhookRejected, match="replay window"):
        verify_webhook(secret, signature, genuine.body, set(), now=t + 301)
    # A validly signed body with an old timestamp.
    old = t - 301
    body = json.dumps({**genuine.verdict, "id": "another"}).encode()
    old_signature = f"t={old},v1=" + hmac.new(secret.encode(), f"{old}.".encode() + body, hashlib.sha256).hexdigest()
    with pytest.raises(WebhookRejected, match="replay window"):
        verify_webhook(secret, old_signature, body, set())
    # A body changed under the signature, or another secret.
    with pytest.raises(WebhookRejected, match="does not match"):
        verify_webhook(secret, signature, genuine.body.replace(b"ping", b"pong"), set())
    with pytest.raises(WebhookRejected, match="does not match"):
        verify_webhook(secret + "x", signature, genuine.body, set())
    # The control: the genuine delivery passes a receiver that has not seen it.
    assert verify_webhook(secret, signature, genuine.body, set(), now=t)["type"] == "ping"


def test_https_is_spoken_and_an_untrusted_certificate_refused(server, project, tmp_path):
    """A receiver with a self-signed certificate: the server speaks TLS to it
    and refuses the certificate, so nothing is sent and the log says why."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True, timeout=TIMEOUT)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    receiver = WebhookReceiver(tls=tls)
    try:
        project_id, op = project
        hook_id = create_webhook(op, project_id, receiver.url)["webhook"]["id"]
        assert op.post(f"{P}/{project_id}/webhooks/{hook_id}/test").status == 202
        log = wait_for_log(op, project_id, hook_id, lambda d: d and d[0]["attempts"] >= 1)
        assert log[0]["last_status"] is None and log[0]["delivered_at"] is None, log
        assert "certificate" in log[0]["last_error"].lower(), log
        assert receiver.received == []
    finally:
        receiver.close()


def test_slack_format_sends_a_text_message(server, project, receiver):
    project_id, op = project
    created = create_webhook(op, project_id, receiver.url, format="slack")
    assert created["webhook"]["format"] == "slack"
    assert op.post(f"{P}/{project_id}/webhooks/{created['webhook']['id']}/test").status == 202
    got = receiver.wait_for(1)[0]
    body = json.loads(got.body)
    assert set(body) == {"text"} and isinstance(body["text"], str) and body["text"], body
    # Signed like the json format, though Slack itself does not check it.
    t = int(got.headers["agentsudo-signature"].split(",")[0].removeprefix("t="))
    expected = hmac.new(created["secret"].encode(), f"{t}.".encode() + got.body, hashlib.sha256).hexdigest()
    assert got.headers["agentsudo-signature"] == f"t={t},v1={expected}"
    assert got.headers["agentsudo-event"] == "ping"


@pytest.mark.parametrize("body, field", [
    ({"url": "not a url"}, "url"),
    ({"url": "/relative/path"}, "url"),
    ({"url": "ftp://example.com/hook"}, "url"),
    ({"url": "http:///no-host"}, "url"),
    ({"url": "https://"}, "url"),
    ({"url": "https://user:password@example.com/hook"}, "url"),
    ({"url": "https://example.com/" + "x" * 2100}, "url"),
    ({"url": 42}, "url"),
    ({}, "url"),
    ({"url": "https://example.com/hook", "format": "xml"}, "format"),
    ({"url": "https://example.com/hook", "format": 1}, "format"),
])
def test_bad_url_or_format_is_400_naming_it_and_creates_nothing(server, project, body, field):
    project_id, op = project
    r = op.post(f"{P}/{project_id}/webhooks", body)
    assert_error(r, 400, "INVALID_PAYLOAD")
    assert r.json.get("field") == field, r
    assert op.get(f"{P}/{project_id}/webhooks").json == {"webhooks": []}


def test_unknown_member_and_the_limit_of_ten(server, project):
    project_id, op = project
    assert_error(op.post(f"{P}/{project_id}/webhooks", {"url": "https://example.com/", "secret": "mine"}),
                 400, "INVALID_PAYLOAD")
    for i in range(10):
        create_webhook(op, project_id, f"https://example.com/hook/{i}")
    r = op.post(f"{P}/{project_id}/webhooks", {"url": "https://example.com/eleven"})
    assert r.status == 409, r
    assert len(op.get(f"{P}/{project_id}/webhooks").json["webhooks"]) == 10


def test_the_secret_is_shown_once_and_never_listed(server, project):
    project_id, op = project
    created = create_webhook(op, project_id, "https://example.com/hook")
    secret = created["secret"]
    r = op.get(f"{P}/{project_id}/webhooks")
    assert r.status == 200
    assert secret not in r.raw.decode() and secret[6:] not in r.raw.decode()
    assert r.json["webhooks"] == [created["webhook"]]
    assert secret not in server.all_output()


def test_delete_removes_the_webhook_and_its_log(server, project):
    project_id, op = project
    hook = create_webhook(op, project_id, "https://example.com/hook")["webhook"]
    assert op.delete(f"{P}/{project_id}/webhooks/{hook['id']}").status == 204
    assert op.get(f"{P}/{project_id}/webhooks").json == {"webhooks": []}
    assert_error(op.delete(f"{P}/{project_id}/webhooks/{hook['id']}"), 404, "NOT_FOUND")
    assert_error(op.get(f"{P}/{project_id}/webhooks/{hook['id']}/deliveries"), 404, "NOT_FOUND")
    assert_error(op.post(f"{P}/{project_id}/webhooks/{hook['id']}/test"), 404, "NOT_FOUND")


@pytest.mark.parametrize("query", ["?limit=0", "?limit=201", "?limit=x", "?since=1"])
def test_bad_deliveries_query_is_400(server, project, query):
    project_id, op = project
    hook = create_webhook(op, project_id, "https://example.com/hook")["webhook"]
    r = op.get(f"{P}/{project_id}/webhooks/{hook['id']}/deliveries{query}")
    assert_error(r, 400, "INVALID_PARAMETER")


def test_deliveries_survive_a_restart(server, project):
    project_id, op = project
    port = free_port()  # nothing listens there yet: each attempt is refused
    created = create_webhook(op, project_id, f"http://127.0.0.1:{port}/hook")
    hook_id = created["webhook"]["id"]
    delivery_id = op.post(f"{P}/{project_id}/webhooks/{hook_id}/test").json["delivery_id"]
    log = wait_for_log(op, project_id, hook_id, lambda d: d and d[0]["attempts"] >= 1)
    assert log[0]["last_status"] is None and log[0]["last_error"], log
    assert log[0]["delivered_at"] is None and log[0]["next_attempt_at"], log
    assert server.stop() == 0, server.logs()

    receiver = WebhookReceiver(port=port, secret=created["secret"])
    try:
        server.start()
        op = Operator(server)
        got = receiver.wait_for(1, timeout=RETRY_DEADLINE)[0]
        assert got.accepted, got.verdict
        assert got.verdict["id"] == delivery_id and got.verdict["type"] == "ping"
        log = wait_for_log(op, project_id, hook_id, lambda d: d[0]["delivered_at"])
        assert log[0]["attempts"] >= 2 and log[0]["last_status"] == 200, log
    finally:
        receiver.close()


def test_shutdown_drops_a_post_in_flight_and_sends_it_again_after_restart(server, project, receiver):
    project_id, op = project
    created = create_webhook(op, project_id, receiver.url)
    receiver.secret = created["secret"]
    receiver.hold_next = True
    delivery_id = op.post(f"{P}/{project_id}/webhooks/{created['webhook']['id']}/test").json["delivery_id"]
    receiver.wait_for(1)  # held: the server's POST is in flight
    assert server.stop() == 0, server.logs()
    receiver.release()
    server.start()
    again = receiver.wait_for(2)[1]
    assert again.headers["agentsudo-delivery"] == delivery_id
    # The receiver had handled it (its answer went nowhere): the documented check says so.
    assert again.verdict == "delivery seen before" and again.answered == 400


def test_a_member_manages_webhooks_and_another_tenant_gets_404(server, receiver):
    admin = set_up_admin(server)
    a = add_user(admin, "a@example.com")
    b = add_user(admin, "b@example.com")
    p1 = a.create_project("P1")["project"]["id"]
    p2 = b.create_project("P2")["project"]["id"]
    created = a.post(f"{P}/{p1}/webhooks", {"url": receiver.url})
    assert created.status == 201, created
    hook_id = created.json["webhook"]["id"]
    for method, path, body in [
        ("GET", f"{P}/{p1}/webhooks", None),
        ("POST", f"{P}/{p1}/webhooks", {"url": "https://evil.example.com/"}),
        ("DELETE", f"{P}/{p1}/webhooks/{hook_id}", None),
        ("GET", f"{P}/{p1}/webhooks/{hook_id}/deliveries", None),
        ("POST", f"{P}/{p1}/webhooks/{hook_id}/test", None),
        # P1's webhook through B's own project.
        ("DELETE", f"{P}/{p2}/webhooks/{hook_id}", None),
        ("GET", f"{P}/{p2}/webhooks/{hook_id}/deliveries", None),
        ("POST", f"{P}/{p2}/webhooks/{hook_id}/test", None),
    ]:
        assert_error(b.call(method, path, body), 404, "NOT_FOUND")
    assert [h["id"] for h in a.get(f"{P}/{p1}/webhooks").json["webhooks"]] == [hook_id]
    assert a.get(f"{P}/{p1}/webhooks/{hook_id}/deliveries").json == {"deliveries": []}
    assert b.get(f"{P}/{p2}/webhooks").json == {"webhooks": []}
    assert receiver.received == []


def test_changes_need_the_csrf_token(server, receiver):
    admin = set_up_admin(server)
    pid = admin.create_project("csrf")["project"]["id"]
    csrf, admin.csrf = admin.csrf, None
    assert_error(admin.post(f"{P}/{pid}/webhooks", {"url": receiver.url}), 403, "CSRF_FAILED")
    admin.csrf = csrf
    assert admin.get(f"{P}/{pid}/webhooks").json == {"webhooks": []}


def test_each_step_of_an_approval_is_delivered_signed(server, receiver):
    """The real path: a check asks, a person decides, another request
    expires; the json webhook gets approval.requested, .granted and .expired,
    each verified by the documented snippet, and the slack one a text naming
    the agent and linking to the request in the dashboard."""
    project_id, api_key = server.create_project("approvals")
    op = Operator(server)
    created = create_webhook(op, project_id, receiver.url)
    receiver.secret = created["secret"]
    slack = WebhookReceiver()
    try:
        create_webhook(op, project_id, slack.url, format="slack")

        def ask(ttl):
            r = server.request("POST", "/v1/check", headers={"X-API-Key": api_key},
                               body={"agent_name": "Refunder", "scope": "write:refunds", "function_name": "refund",
                                     "on_denial": "approval", "approval_ttl_seconds": ttl,
                                     "preview": "refund 40 EUR on order 1182"})
            assert r.status == 200 and r.json["action"] == "approval_requested", r
            return r.json["approval"]["id"]

        granted_id = ask(300)
        got = receiver.wait_for(1)
        assert op.post(f"{P}/{project_id}/approvals/{granted_id}/approve", {"reason": "known customer"}).status == 200
        expired_id = ask(1)
        got = receiver.wait_for(4, timeout=RETRY_DEADLINE)
        assert all(g.accepted for g in got), [g.verdict for g in got]
        by_type = {(g.verdict["type"], g.verdict["approval"]["id"]): g.verdict for g in got}
        assert set(by_type) == {("approval.requested", granted_id), ("approval.granted", granted_id),
                                ("approval.requested", expired_id), ("approval.expired", expired_id)}
        granted = by_type[("approval.granted", granted_id)]
        assert granted["project_id"] == project_id
        assert granted["dashboard_url"] == f"{server.ready['url']}/approvals?id={granted_id}"
        item = granted["approval"]
        assert item["status"] == "approved" and item["decided_by"] == "operator", item
        assert item["reason"] == "known customer" and item["preview"] == "refund 40 EUR on order 1182", item
        assert item["agent_name"] == "Refunder" and item["scope"] == "write:refunds", item
        assert by_type[("approval.requested", granted_id)]["approval"]["decided_at"] is None
        assert all(g.headers["agentsudo-event"] == g.verdict["type"] for g in got)

        texts = [json.loads(g.body)["text"] for g in slack.wait_for(4, timeout=RETRY_DEADLINE)]
        assert any("Refunder" in t and "write:refunds" in t and f"/approvals?id={granted_id}" in t
                   for t in texts), texts
    finally:
        slack.close()
