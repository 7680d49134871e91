"""The dashboard's static files as the server serves them: content types, cache
rules, security headers, the SPA fallback, and no way out of the directory."""

import os
import socket

import pytest

from support.events import assert_error
from support.server import Server

INDEX = b"<!doctype html><title>AgentSudo</title><script type=module src=/assets/app-1a2b3c.js></script>"
SCRIPT = b"console.log('dashboard')"
STYLE = b"body{color:#111}"


@pytest.fixture
def web(tmp_path):
    """A built dashboard: index.html, hashed assets, and traps around it."""
    root = tmp_path / "web"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "favicon.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / "assets" / "app-1a2b3c.js").write_bytes(SCRIPT)
    (root / "assets" / "app-4d5e6f.css").write_bytes(STYLE)
    (root / ".env").write_bytes(b"SECRET=1")
    (tmp_path / "secret.txt").write_bytes(b"outside the web dir")
    os.symlink(tmp_path / "secret.txt", root / "assets" / "link.js")
    return root


@pytest.fixture
def dash(web):
    s = Server()
    try:
        s.start(args=["serve", "--listen", "127.0.0.1:0", "--data-dir", s.data_dir, "--web-dir", str(web)])
        yield s
    finally:
        s.close()


def raw_get(server, path, accept="*/*"):
    """A GET with the path sent byte for byte (no client normalisation)."""
    data = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\nConnection: close\r\n\r\n").encode("latin-1")
    return server.raw_request(data)


def assert_security_headers(resp):
    csp = resp.header("content-security-policy")
    assert csp and "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, resp
    assert resp.header("x-content-type-options") == "nosniff"
    assert resp.header("referrer-policy") == "same-origin"


def test_index_is_served_at_the_root_and_revalidated(dash):
    r = dash.get("/", headers={"Accept": "text/html"})
    assert r.status == 200, r
    assert r.raw == INDEX
    assert r.header("content-type") == "text/html; charset=utf-8"
    assert r.header("cache-control") == "no-cache"
    assert_security_headers(r)


def test_hashed_assets_are_immutable_with_their_types(dash):
    js = dash.get("/assets/app-1a2b3c.js")
    assert js.status == 200 and js.raw == SCRIPT
    assert js.header("content-type").startswith("text/javascript")
    assert "immutable" in js.header("cache-control") and "max-age=31536000" in js.header("cache-control")
    assert_security_headers(js)
    css = dash.get("/assets/app-4d5e6f.css")
    assert css.status == 200 and css.header("content-type").startswith("text/css")
    svg = dash.get("/favicon.svg")
    assert svg.status == 200 and svg.header("content-type") == "image/svg+xml"
    assert svg.header("cache-control") == "no-cache", "files outside assets/ have no hash in their name"


def test_app_urls_get_the_page_when_html_is_wanted(dash):
    for path in ["/projects/abc/overview", "/projects/abc/audit?agent_name=x&allowed=false", "/settings", "/setup"]:
        r = dash.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert r.status == 200 and r.raw == INDEX, (path, r)
        assert_security_headers(r)


def test_missing_files_are_404_not_the_page(dash):
    assert dash.get("/assets/missing-123.js", headers={"Accept": "text/html"}).status == 404
    assert dash.get("/nothing.js").status == 404
    r = dash.get("/projects/abc/overview", headers={"Accept": "application/json"})
    assert r.status == 404


def test_api_paths_never_fall_back_to_the_page(dash):
    r = dash.get("/api/v1/nothing", headers={"Accept": "text/html"})
    assert r.status == 404 and r.header("content-type").startswith("application/json"), r
    r = dash.get("/api", headers={"Accept": "text/html"})
    assert r.status == 404 and r.header("content-type").startswith("application/json"), r


def test_other_methods_are_not_served(dash):
    r = dash.request("POST", "/", body={})
    assert r.status == 404, r
    r = dash.request("DELETE", "/assets/app-1a2b3c.js")
    assert r.status == 404, r


@pytest.mark.parametrize("path", [
    "/../secret.txt",
    "/assets/../../secret.txt",
    "/assets/%2e%2e/%2e%2e/secret.txt",
    "/assets/%2E%2E%2F%2E%2E%2Fsecret.txt",
    "/assets/..%2f..%2fsecret.txt",
    "/%2e%2e/secret.txt",
    "/assets/..\\..\\secret.txt",
    "/assets/%5c..%5c..%5csecret.txt",
    "/assets/app-1a2b3c.js%00.png",
    "/assets/link.js",
    "/.env",
    "/assets/./app-1a2b3c.js",
    "//etc/passwd",
    "/assets//app-1a2b3c.js",
    "/%",
    "/assets/%zz",
])
def test_no_path_leaves_the_directory(dash, path):
    r = raw_get(dash, path)
    assert r is not None, path
    # MANAGEMENT-API.md: ".., dot files, encoded / or \\, NUL and symbolic
    # links that lead out are 404".
    assert_error(r, 404, "NOT_FOUND")
    assert b"outside the web dir" not in r.raw
    assert b"SECRET" not in r.raw
    assert b"root:" not in r.raw


def test_an_unbuilt_dashboard_says_so(tmp_path):
    s = Server()
    try:
        s.start(args=["serve", "--listen", "127.0.0.1:0", "--data-dir", s.data_dir, "--web-dir", str(tmp_path / "nowhere")])
        r = s.get("/", headers={"Accept": "text/html"})
        assert r.status == 503, r
        assert b"dashboard is not built" in r.raw and b"make build" in r.raw
        assert str(tmp_path / "nowhere").encode() in r.raw
        # The API does not need it.
        assert s.get("/healthz").status == 200
    finally:
        s.close()


def test_the_web_dir_comes_from_the_environment_too(web):
    s = Server(extra_env={"AGENTSUDO_WEB_DIR": str(web)})
    try:
        s.start()
        r = s.get("/", headers={"Accept": "text/html"})
        assert r.status == 200 and r.raw == INDEX
    finally:
        s.close()
