"""Helpers for the management API tests: people with sessions, operators with tokens.

A `Person` is a dashboard user: it logs in, keeps the session cookie the server
set, and sends X-CSRF-Token on changes, like the dashboard does. An `Operator`
uses a management token. Both speak through the same `call` so that tests can
run one list of routes against either.
"""

from __future__ import annotations

import re

PASSWORD = "correct horse battery"


def setup_token(server):
    """The token of the setup link of this run of the server (its ready file's
    setup_url, present on a start with no user yet)."""
    url = (server.ready or {}).get("setup_url")
    assert url, f"the server's ready file has no setup_url: {server.ready}\n" + server.logs()
    token = url.partition("#token=")[2]
    assert token, url
    return token


def session_cookie(resp):
    """The agentsudo_session value a Set-Cookie header sets, or None."""
    header = resp.header("set-cookie") or ""
    m = re.search(r"agentsudo_session=([^;]*)", header)
    return m.group(1) if m else None


class Caller:
    """Something that calls the management API with some credential."""

    def __init__(self, server):
        self.server = server
        self.client = server.client()

    def headers(self, method):
        return {}

    def call(self, method, path, body=None, headers=None):
        hdrs = self.headers(method)
        hdrs.update(headers or {})
        if body is None and method in ("POST", "PATCH", "PUT", "DELETE"):
            return self.client.request(method, path, body=None, headers=hdrs, content_type=None)
        return self.client.request(method, path, body=body, headers=hdrs)

    def get(self, path):
        return self.call("GET", path)

    def post(self, path, body=None):
        return self.call("POST", path, body)

    def patch(self, path, body):
        return self.call("PATCH", path, body)

    def delete(self, path, body=None):
        return self.call("DELETE", path, body)

    def create_project(self, name="proj", tier=None):
        body = {"name": name}
        if tier is not None:
            body["tier"] = tier
        r = self.post("/api/v1/projects", body)
        assert r.status == 201, r
        return r.json


class Operator(Caller):
    def __init__(self, server, token=None):
        super().__init__(server)
        self.token = token or server.token()

    def headers(self, method):
        return {"Authorization": f"Bearer {self.token}"}


class Person(Caller):
    """A logged-in user: cookie and CSRF token as the dashboard keeps them."""

    def __init__(self, server, email, password=PASSWORD):
        super().__init__(server)
        self.email = email
        self.password = password
        self.cookie = None
        self.csrf = None
        self.user = None

    def headers(self, method):
        hdrs = {}
        if self.cookie:
            hdrs["Cookie"] = f"agentsudo_session={self.cookie}"
        if self.csrf and method in ("POST", "PATCH", "PUT", "DELETE"):
            hdrs["X-CSRF-Token"] = self.csrf
        return hdrs

    def accept_login(self, resp):
        self.cookie = session_cookie(resp)
        assert self.cookie, resp
        self.csrf = resp.json["csrf_token"]
        self.user = resp.json["user"]
        return self

    def log_in(self):
        r = self.client.request("POST", "/api/v1/session", body={"email": self.email, "password": self.password})
        assert r.status == 200, r
        return self.accept_login(r)

    @property
    def id(self):
        return self.user["id"]


def set_up_admin(server, email="admin@example.com", password=PASSWORD):
    """Completes first-run setup with the printed token; returns the logged-in admin."""
    person = Person(server, email, password)
    r = person.client.request("POST", "/api/v1/setup",
                              body={"token": setup_token(server), "email": email, "password": password})
    assert r.status == 201, r
    return person.accept_login(r)


def add_user(admin, email, password=PASSWORD, is_admin=False):
    """Creates a user through the API and logs them in."""
    r = admin.post("/api/v1/users", {"email": email, "password": password, "is_admin": is_admin})
    assert r.status == 201, r
    return Person(admin.server, email, password).log_in()
