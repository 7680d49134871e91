"""Changing passwords: by the user (current password required), by an admin
(reset), and by the operator on the machine (CLI). A changed password ends
the user's other sessions at once: their very next request answers 401."""

import subprocess

import pytest

from support.accounts import PASSWORD, Operator, Person, add_user, set_up_admin
from support.events import assert_error
from support.timeouts import TIMEOUT

CHANGE = "/api/v1/session/password"
NEW_PASSWORD = "a brand new passphrase"


def reset_path(user_id):
    return f"/api/v1/users/{user_id}/password"


@pytest.fixture
def admin(server):
    return set_up_admin(server)


def sessions_of(server, email, count, password=PASSWORD):
    """`count` separate logins of one user, as separate browsers would have."""
    return [Person(server, email, password).log_in() for _ in range(count)]


def login_status(server, email, password):
    return server.request("POST", "/api/v1/session", body={"email": email, "password": password}).status


def assert_alive(person):
    r = person.get("/api/v1/session")
    assert r.status == 200, r
    # A change works too: the session and its CSRF token are intact.
    assert person.post("/api/v1/projects", {"name": "still-here"}).status == 201


def assert_ended(person):
    assert_error(person.get("/api/v1/projects"), 401, "UNAUTHORIZED")


def test_change_keeps_this_session_and_ends_the_others(server, admin):
    user = add_user(admin, "user@example.com")
    others = sessions_of(server, "user@example.com", 2)
    r = user.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status == 204, r
    for other in others:
        assert_ended(other)
    assert_alive(user)
    assert_alive(admin)  # another user's session is untouched
    assert login_status(server, "user@example.com", PASSWORD) == 401
    assert login_status(server, "user@example.com", NEW_PASSWORD) == 200


def test_wrong_current_password_changes_nothing(server, admin):
    user = add_user(admin, "user@example.com")
    other = Person(server, "user@example.com").log_in()
    r = user.post(CHANGE, {"current_password": "not my password", "new_password": NEW_PASSWORD})
    assert_error(r, 403, "FORBIDDEN", field="current_password")
    assert_alive(user)  # not 401: the dashboard would take that for a logout
    assert_alive(other)
    assert login_status(server, "user@example.com", PASSWORD) == 200
    assert login_status(server, "user@example.com", NEW_PASSWORD) == 401


def test_wrong_current_passwords_are_throttled_like_logins(server, admin):
    user = add_user(admin, "user@example.com")
    statuses = []
    for _ in range(10):
        r = user.post(CHANGE, {"current_password": "not my password", "new_password": NEW_PASSWORD})
        statuses.append(r.status)
        if r.status == 429:
            assert int(r.header("retry-after")) > 0, r
            break
    assert statuses[-1] == 429, f"ten wrong current passwords were never throttled: {statuses}"
    assert set(statuses[:-1]) == {403}, statuses
    # The right one is refused while throttled, and changes nothing; a login
    # from the same address meets the same throttle.
    r = user.post(CHANGE, {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert_error(r, 429, "RATE_LIMITED")
    assert login_status(server, "user@example.com", PASSWORD) == 429
    assert_alive(user)


@pytest.mark.parametrize("body, field", [
    ({"current_password": PASSWORD, "new_password": "short"}, "new_password"),
    ({"current_password": PASSWORD, "new_password": "x" * 1025}, "new_password"),
    ({"current_password": PASSWORD}, "new_password"),
    ({"new_password": NEW_PASSWORD}, "current_password"),
    ({"current_password": PASSWORD, "new_password": 12345678901}, "new_password"),
    ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "extra": 1}, "extra"),
])
def test_bad_bodies_are_400_naming_the_member(server, admin, body, field):
    other = Person(server, "admin@example.com").log_in()
    assert_error(admin.post(CHANGE, body), 400, "INVALID_PAYLOAD", field=field)
    assert_alive(other)
    assert login_status(server, "admin@example.com", PASSWORD) == 200


def test_change_needs_the_csrf_token(server, admin):
    cookie = {"Cookie": f"agentsudo_session={admin.cookie}"}
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert_error(server.request("POST", CHANGE, body=body, headers=cookie), 403, "CSRF_FAILED")
    r = server.request("POST", CHANGE, body=body, headers={**cookie, "X-CSRF-Token": "csrf_wrong"})
    assert_error(r, 403, "CSRF_FAILED")
    assert login_status(server, "admin@example.com", PASSWORD) == 200
    assert_alive(admin)


def test_change_needs_a_signed_in_user(server, admin):
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert_error(server.request("POST", CHANGE, body=body), 401, "UNAUTHORIZED")
    r = Operator(server).post(CHANGE, body)
    assert_error(r, 403, "FORBIDDEN")
    assert login_status(server, "admin@example.com", PASSWORD) == 200


@pytest.mark.parametrize("who", ["admin", "operator"])
def test_admin_reset_ends_every_session_of_the_user(server, admin, who):
    user = add_user(admin, "user@example.com")
    others = sessions_of(server, "user@example.com", 2)
    caller = admin if who == "admin" else Operator(server)
    r = caller.post(reset_path(user.id), {"new_password": NEW_PASSWORD})
    assert r.status == 204, r
    for session in [user, *others]:
        assert_ended(session)
    assert_alive(admin)
    assert login_status(server, "user@example.com", PASSWORD) == 401
    assert login_status(server, "user@example.com", NEW_PASSWORD) == 200


def test_admin_reset_validates_and_finds_the_user(server, admin):
    user = add_user(admin, "user@example.com")
    r = admin.post(reset_path(user.id), {"new_password": "short"})
    assert_error(r, 400, "INVALID_PAYLOAD", field="new_password")
    assert_error(admin.post(reset_path("00000000-0000-7000-8000-000000000000"), {"new_password": NEW_PASSWORD}),
                 404, "NOT_FOUND")
    assert_error(admin.post(reset_path("not-a-uuid"), {"new_password": NEW_PASSWORD}), 404, "NOT_FOUND")
    assert_alive(user)
    assert login_status(server, "user@example.com", PASSWORD) == 200


def test_non_admin_cannot_reset_anyone(server, admin):
    user = add_user(admin, "user@example.com")
    other = add_user(admin, "other@example.com")
    for target in (admin.id, other.id, user.id):
        r = user.post(reset_path(target), {"new_password": NEW_PASSWORD})
        assert_error(r, 403, "FORBIDDEN")
    for person in (admin, other, user):
        assert_alive(person)
        assert login_status(server, person.email, PASSWORD) == 200
        assert login_status(server, person.email, NEW_PASSWORD) == 401


def set_password_cli(server, email, stdin, *extra):
    return subprocess.run([server.bin, "user", "set-password", "--data-dir", server.data_dir, "--email", email,
                           *extra], input=stdin, capture_output=True, timeout=TIMEOUT, env=server.command_env())


def test_cli_set_password_ends_the_users_sessions(server, admin):
    user = add_user(admin, "user@example.com")
    p = set_password_cli(server, "User@Example.com", NEW_PASSWORD.encode() + b"\n", "--password-stdin")
    assert p.returncode == 0, p
    assert NEW_PASSWORD.encode() not in p.stdout + p.stderr, "the password is never echoed"
    assert_ended(user)
    assert_alive(admin)
    assert login_status(server, "user@example.com", PASSWORD) == 401
    assert login_status(server, "user@example.com", NEW_PASSWORD) == 200


@pytest.mark.parametrize("email, stdin, extra, says", [
    ("user@example.com", b"short\n", ["--password-stdin"], b"password"),
    ("nobody@example.com", NEW_PASSWORD.encode(), ["--password-stdin"], b"no user"),
    ("user@example.com", NEW_PASSWORD.encode(), [], b"password-stdin"),
])
def test_cli_set_password_refusals_change_nothing(server, admin, email, stdin, extra, says):
    user = add_user(admin, "user@example.com")
    p = set_password_cli(server, email, stdin, *extra)
    assert p.returncode != 0 and says in p.stderr, p
    assert_alive(user)
    assert login_status(server, "user@example.com", PASSWORD) == 200
