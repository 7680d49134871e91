"""The docs list exactly the routes the server serves, as its own route table
(`agentsudo-server routes --json`) says: a route added, renamed or removed in
the code fails here until docs/MANAGEMENT-API.md's table says so too."""

from support.routes import markdown_table, parse_size, route_key, routes_named_in, server_routes

DOC = "docs/MANAGEMENT-API.md"
HEADING = "## Every route"


def documented():
    """The doc's table as {route key: (access, body limit)}."""
    table = {}
    for cells in markdown_table(DOC, HEADING):
        assert len(cells) == 3, f"{DOC}: a row of {HEADING!r} is not | route | who | body limit |: {cells}"
        route, access, limit = cells
        assert route.startswith("`") and route.endswith("`"), f"{DOC}: route cell {route!r}"
        method, _, path = route.strip("`").partition(" ")
        key = route_key(method, path)
        assert key not in table, f"{DOC} lists {key} twice"
        table[key] = (access.strip("`"), parse_size(limit))
    return table


def test_the_route_table_lists_exactly_the_served_routes():
    served = {route_key(r["method"], r["path"]): (r["access"], r["body_limit"]) for r in server_routes()}
    doc = documented()
    missing = sorted(set(served) - set(doc))
    extra = sorted(set(doc) - set(served))
    assert not missing, f"routes the server serves that {DOC} ({HEADING}) does not list: {missing}"
    assert not extra, f"routes {DOC} ({HEADING}) lists that the server does not serve: {extra}"
    wrong = {k: {"doc": doc[k], "server": served[k]} for k in served if doc[k] != served[k]}
    assert not wrong, f"{DOC} ({HEADING}) says other access or body limits than the server: {wrong}"


def test_every_route_the_docs_name_is_served():
    served = {route_key(r["method"], r["path"]) for r in server_routes()}
    for doc in ("docs/API.md", DOC):
        unknown = sorted(routes_named_in(doc) - served)
        assert not unknown, f"{doc} names routes the server does not serve: {unknown}"
