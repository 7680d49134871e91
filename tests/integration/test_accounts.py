"""First-run setup, login and logout, the cookie, CSRF, expiry and throttling."""

import json
import re
import socket
import time

import pytest

from support.accounts import PASSWORD, Operator, Person, add_user, session_cookie, set_up_admin, setup_token
from support.events import assert_error
from support.server import Server
from support.store_sql import run_sql
from support.tcp_queues import server_has_read
from support.timeouts import TIMEOUT


def test_setup_link_printed_once_with_token_in_fragment(server):
    lines = [l for l in server.run_output() if "Set up the first admin account" in l]
    assert len(lines) == 1, server.run_output()
    assert re.search(rf"http://127\.0\.0\.1:{server.port}/setup#token=setup_[A-Za-z0-9_-]{{43}}$", lines[0]), lines[0]
    r = server.get("/api/v1/setup")
    assert r.status == 200 and r.json == {"needed": True}, r


def test_setup_wrong_token_then_right_then_conflict(server):
    token = setup_token(server)
    body = {"token": "setup_" + "A" * 43, "email": "admin@example.com", "password": PASSWORD}
    assert_error(server.request("POST", "/api/v1/setup", body=body), 403, "FORBIDDEN")
    assert server.get("/api/v1/setup").json == {"needed": True}, "a wrong token changes nothing"

    r = server.request("POST", "/api/v1/setup", body={**body, "token": token, "email": " Admin@Example.COM "})
    assert r.status == 201, r
    assert r.json["user"]["email"] == "admin@example.com", "emails are trimmed and case-folded"
    assert r.json["user"]["is_admin"] is True
    assert session_cookie(r)
    assert server.get("/api/v1/setup").json == {"needed": False}

    again = server.request("POST", "/api/v1/setup", body={**body, "token": token, "email": "b@example.com"})
    assert_error(again, 409, "CONFLICT")


@pytest.mark.parametrize("body,field", [
    ({"email": "a@example.com", "password": PASSWORD}, "token"),
    ({"token": "x", "password": PASSWORD}, "email"),
    ({"token": "x", "email": "a@example.com"}, "password"),
    ({"token": 5, "email": "a@example.com", "password": PASSWORD}, "token"),
    ({"token": "x", "email": "a@example.com", "password": PASSWORD, "extra": 1}, "extra"),
])
def test_setup_body_errors_name_the_field(server, body, field):
    assert_error(server.request("POST", "/api/v1/setup", body=body), 400, "INVALID_PAYLOAD", field=field)
    assert server.get("/api/v1/setup").json == {"needed": True}


@pytest.mark.parametrize("email,password,field", [
    ("no-at-sign", PASSWORD, "email"),
    ("a@b@example.com", PASSWORD, "email"),
    ("@example.com", PASSWORD, "email"),
    ("a b@example.com", PASSWORD, "email"),
    ("a" * 250 + "@example.com", PASSWORD, "email"),
    ("a@example.com", "short", "password"),
    ("a@example.com", "x" * 1025, "password"),
])
def test_setup_validates_email_and_password(server, email, password, field):
    r = server.request("POST", "/api/v1/setup", body={"token": setup_token(server), "email": email, "password": password})
    assert_error(r, 400, "INVALID_PAYLOAD", field=field)
    assert server.get("/api/v1/setup").json == {"needed": True}


def test_cookie_attributes_and_session(server):
    admin = set_up_admin(server)
    r = admin.client.request("POST", "/api/v1/session", body={"email": admin.email, "password": PASSWORD})
    assert r.status == 200, r
    cookie = r.header("set-cookie")
    parts = [p.strip() for p in cookie.split(";")]
    assert parts[0].startswith("agentsudo_session=ass_")
    assert "HttpOnly" in parts and "SameSite=Strict" in parts and "Path=/" in parts
    assert "Max-Age=43200" in parts, "sessions last 12 hours"
    assert "Secure" not in parts, "not Secure unless configured"
    assert set(r.json) == {"user", "csrf_token"}
    assert set(r.json["user"]) == {"id", "email", "is_admin", "created_at"}

    me = admin.get("/api/v1/session")
    assert me.status == 200 and me.json["user"]["email"] == "admin@example.com", me
    assert me.json["csrf_token"] == admin.csrf


def test_secure_cookies_setting(make_server):
    s = make_server(extra_env={"AGENTSUDO_SECURE_COOKIES": "1"})
    s.start()
    admin = set_up_admin(s)
    r = admin.client.request("POST", "/api/v1/session", body={"email": admin.email, "password": PASSWORD})
    assert "Secure" in [p.strip() for p in r.header("set-cookie").split(";")], r
    info = admin.get("/api/v1/server")
    assert info.status == 200 and info.json["secure_cookies"] is True, info


def test_wrong_password_and_unknown_email_answer_alike(server):
    set_up_admin(server)
    wrong = server.request("POST", "/api/v1/session", body={"email": "admin@example.com", "password": "wrong password"})
    unknown = server.request("POST", "/api/v1/session", body={"email": "nobody@example.com", "password": "wrong password"})
    assert_error(wrong, 401, "UNAUTHORIZED")
    assert_error(unknown, 401, "UNAUTHORIZED")
    assert wrong.json == unknown.json
    assert session_cookie(wrong) is None and session_cookie(unknown) is None


def test_logout_ends_the_session(server):
    admin = set_up_admin(server)
    old_cookie = admin.cookie
    r = admin.delete("/api/v1/session")
    assert r.status == 204, r
    cleared = r.header("set-cookie")
    assert cleared.startswith("agentsudo_session=;") and "Max-Age=0" in cleared, cleared
    # Replaying the old cookie no longer works: the session is gone on the server.
    assert_error(server.get("/api/v1/session", headers={"Cookie": f"agentsudo_session={old_cookie}"}), 401, "UNAUTHORIZED")
    assert_error(server.get("/api/v1/projects", headers={"Cookie": f"agentsudo_session={old_cookie}"}), 401, "UNAUTHORIZED")


def test_csrf_required_for_cookie_changes(server):
    admin = set_up_admin(server)
    cookie = {"Cookie": f"agentsudo_session={admin.cookie}"}
    body = {"name": "csrf-test"}
    r = server.request("POST", "/api/v1/projects", body=body, headers=cookie)
    assert_error(r, 403, "CSRF_FAILED")
    r = server.request("POST", "/api/v1/projects", body=body, headers={**cookie, "X-CSRF-Token": "csrf_wrong"})
    assert_error(r, 403, "CSRF_FAILED")
    r = server.request("POST", "/api/v1/projects", body=body, headers={**cookie, "X-CSRF-Token": admin.csrf + "x"})
    assert_error(r, 403, "CSRF_FAILED")
    # Logging out also needs it: a cross-site request cannot end a session.
    assert_error(server.request("DELETE", "/api/v1/session", headers=cookie), 403, "CSRF_FAILED")
    names = [p["name"] for p in admin.get("/api/v1/projects").json["projects"]]
    assert "csrf-test" not in names, "a refused change changed nothing"
    # Reads need no token; the right token works; a Bearer token needs none.
    assert admin.post("/api/v1/projects", body).status == 201
    op = Operator(server)
    assert op.post("/api/v1/projects", {"name": "by-operator"}).status == 201


@pytest.mark.parametrize("browser_headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
])
def test_a_change_a_browser_says_comes_from_another_site_is_refused(server, browser_headers):
    """Even with the right CSRF token (one leaked, say), a cookie-authenticated
    change that the browser marks as cross-site changes nothing."""
    admin = set_up_admin(server)
    r = admin.call("POST", "/api/v1/projects", {"name": "cross-site"}, headers=browser_headers)
    assert_error(r, 403, "CSRF_FAILED")
    names = [p["name"] for p in admin.get("/api/v1/projects").json["projects"]]
    assert "cross-site" not in names


@pytest.mark.parametrize("browser_headers", [
    {"Sec-Fetch-Site": "same-origin"},
    {"Origin": "http://127.0.0.1"},  # a proxy may change the port; the host must match
    {},
])
def test_a_same_origin_change_passes(server, browser_headers):
    admin = set_up_admin(server)
    r = admin.call("POST", "/api/v1/projects", {"name": "same-origin"}, headers=browser_headers)
    assert r.status == 201, r
    assert r.header("x-content-type-options") == "nosniff"


def test_operators_are_not_browsers(server):
    # A management token carries no ambient authority, so no origin applies.
    r = Operator(server).call("POST", "/api/v1/projects", {"name": "op"},
                              headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status == 201, r


# Expiry and sliding against a clock are unit tests with a manual clock
# (tests/unit/server/sessions_test.cpp: ExpiresAfterTheTtlWithoutUse,
# UseSlidesTheExpiry). Here, without waiting for a real TTL to pass: the
# configured TTL reaches the cookie, and the HTTP path honours the expiry the
# store holds, which the tests move instead of waiting for it.
MICROS = 1_000_000


def stored_expiry(server, email):
    """The expires_at (Unix microseconds) of the user's one session."""
    rows = run_sql(server, "SELECT s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
                           f"WHERE u.email = '{email}'").split()
    assert len(rows) == 1, rows
    return int(rows[0])


def move_expiry(server, email, expires_at):
    """Sets the user's session to expire at expires_at, as time passing would."""
    changed = run_sql(server, f"UPDATE sessions SET expires_at = {expires_at} WHERE user_id = "
                              f"(SELECT id FROM users WHERE email = '{email}') RETURNING id").split()
    assert len(changed) == 1, changed


def max_age(resp):
    m = re.search(r"Max-Age=(\d+)", resp.header("set-cookie") or "")
    return int(m.group(1)) if m else None


def test_session_expires(make_server):
    s = make_server(extra_env={"AGENTSUDO_SESSION_TTL_SECONDS": "3600"})
    s.start()
    admin = set_up_admin(s)
    r = admin.get("/api/v1/session")
    assert r.status == 200 and max_age(r) == 3600, r
    # The TTL from the environment is the one the server stores.
    assert stored_expiry(s, admin.email) > time.time() * MICROS + 3000 * MICROS
    # An hour later (the stored expiry moved into the past): refused everywhere.
    move_expiry(s, admin.email, int(time.time() * MICROS) - MICROS)
    assert_error(admin.get("/api/v1/session"), 401, "UNAUTHORIZED")
    assert_error(admin.get("/api/v1/projects"), 401, "UNAUTHORIZED")


def test_session_slides_while_used(make_server):
    s = make_server(extra_env={"AGENTSUDO_SESSION_TTL_SECONDS": "3600"})
    s.start()
    admin = set_up_admin(s)
    # Almost an hour of use later: a minute left.
    nearly = int(time.time() * MICROS) + 60 * MICROS
    move_expiry(s, admin.email, nearly)
    assert admin.get("/api/v1/projects").status == 200
    # Use pushed the expiry a whole TTL on, from the request's time.
    assert stored_expiry(s, admin.email) >= nearly + 3000 * MICROS
    r = admin.get("/api/v1/session")
    assert r.status == 200 and max_age(r) == 3600, r
    # Left unused past it: refused.
    move_expiry(s, admin.email, int(time.time() * MICROS) - MICROS)
    assert_error(admin.get("/api/v1/projects"), 401, "UNAUTHORIZED")


def test_throttle_per_account_and_address(server):
    """The throttle's own tests are in test_login_throttle.py; here, what a
    person sees: after 5 failures their next try waits seconds (not a
    15-minute lockout), and other accounts are not slowed by it."""
    set_up_admin(server)
    bad = {"email": "admin@example.com", "password": "wrong password"}
    for _ in range(5):
        assert_error(server.request("POST", "/api/v1/session", body=bad), 401, "UNAUTHORIZED")
    r = server.request("POST", "/api/v1/session", body={**bad, "password": PASSWORD})
    assert_error(r, 429, "RATE_LIMITED")
    assert 1 <= int(r.header("retry-after")) <= 2, r
    other = server.request("POST", "/api/v1/session", body={"email": "x@example.com", "password": "wrong password"})
    assert_error(other, 401, "UNAUTHORIZED")


def test_throttle_per_address_and_success_clears_account(server):
    admin = set_up_admin(server)
    add_user(admin, "user@example.com")
    # Four failures, a success, four more: the success cleared the count.
    for round_ in range(2):
        for _ in range(4):
            r = server.request("POST", "/api/v1/session", body={"email": "user@example.com", "password": "wrong password"})
            assert_error(r, 401, "UNAUTHORIZED")
        if round_ == 0:
            ok = server.request("POST", "/api/v1/session", body={"email": "user@example.com", "password": PASSWORD})
            assert ok.status == 200, ok
    # 8 failures so far from this address; 22 more on distinct emails reach 30.
    for i in range(22):
        r = server.request("POST", "/api/v1/session", body={"email": f"n{i}@example.com", "password": "wrong password"})
        assert_error(r, 401, "UNAUTHORIZED")
    r = server.request("POST", "/api/v1/session", body={"email": "admin@example.com", "password": PASSWORD})
    assert_error(r, 429, "RATE_LIMITED")
    assert int(r.header("retry-after")) > 0


def _answered(sock):
    """Whether any byte of an answer is waiting on sock (without reading it)."""
    sock.setblocking(False)  # with a timeout set, Python would wait for data first
    try:
        sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)  # data, or b"" at a close
        return True
    except BlockingIOError:
        return False


def test_login_does_not_stall_other_requests(make_server):
    """Hashing runs off the I/O thread. With one I/O thread, a health check
    sent after the server has read a login request (and so, were hashing on
    that thread, while it hashes) is answered before the login is: an order
    that a blocked I/O thread can never produce. The login can, by chance,
    finish first; a few tries make that chance vanish, a blocked thread fails
    every one of them."""
    s = make_server()
    s.start(args=["serve", "--listen", "127.0.0.1:0", "--data-dir", s.data_dir, "--threads", "1"])
    set_up_admin(s)
    body = json.dumps({"email": "admin@example.com", "password": PASSWORD}).encode()
    login = (f"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    for attempt in range(20):
        with socket.create_connection(("127.0.0.1", s.port), timeout=TIMEOUT) as a:
            a.sendall(login)
            deadline = time.monotonic() + TIMEOUT
            while not server_has_read(s, a):
                assert time.monotonic() < deadline, "the server never read the login request"
                time.sleep(0.001)  # a polling interval, not a wait for time to pass
            health = s.client()
            try:
                assert health.request("GET", "/healthz").status == 200
            finally:
                health.close()
            login_first = _answered(a)
            a.settimeout(TIMEOUT)
            answer = b""
            while chunk := a.recv(65536):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        if not login_first:
            return
    pytest.fail("in 20 tries no health check was answered while a login hashed: "
                "hashing blocks the I/O thread")


def test_user_create_cli_works_beside_a_running_server(server):
    import subprocess
    p = subprocess.run([server.bin, "user", "create", "--data-dir", server.data_dir, "--email", "Cli@Example.com",
                        "--password-stdin", "--json"], input=PASSWORD.encode() + b"\n", capture_output=True, timeout=30,
                       env=server.command_env())
    assert p.returncode == 0, p
    import json
    user = json.loads(p.stdout)
    assert user["email"] == "cli@example.com" and user["is_admin"] is True, "the first user is an admin"
    assert server.get("/api/v1/setup").json == {"needed": False}
    Person(server, "cli@example.com").log_in()
    # A second one is not an admin unless asked; a taken email fails.
    p = subprocess.run([server.bin, "user", "create", "--data-dir", server.data_dir, "--email", "two@example.com",
                        "--password-stdin", "--json"], input=PASSWORD.encode(), capture_output=True, timeout=30,
                       env=server.command_env())
    assert p.returncode == 0 and json.loads(p.stdout)["is_admin"] is False, p
    p = subprocess.run([server.bin, "user", "create", "--data-dir", server.data_dir, "--email", "two@example.com",
                        "--password-stdin"], input=PASSWORD.encode(), capture_output=True, timeout=30,
                       env=server.command_env())
    assert p.returncode != 0 and b"exists" in p.stderr, p
    p = subprocess.run([server.bin, "user", "create", "--data-dir", server.data_dir, "--email", "three@example.com",
                        "--password-stdin"], input=b"short", capture_output=True, timeout=30,
                       env=server.command_env())
    assert p.returncode != 0 and b"password" in p.stderr, p


def test_first_user_joins_projects_made_before_setup(server):
    """The default project created at first start is the admin's after setup."""
    admin = set_up_admin(server)
    names = [p["name"] for p in admin.get("/api/v1/projects").json["projects"]]
    assert names == ["default"], names
