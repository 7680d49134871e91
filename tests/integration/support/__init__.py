"""What the integration tests drive the real agentsudo-server with.

- `process`: starting, signalling and watching one server process.
- `http_client`: an HTTP client, raw-socket exchanges and response parsing.
- `cli`: the admin CLI (the same binary) on the server's data directory.
- `read_api`: reading a project's events back, page by page.
- `server`: `Server`, the above together, as the fixtures hand it to tests.
- `events`: event bodies, the formats the server writes, the error shape.
- `prometheus`: the /metrics text format.
- `accounts`: people with sessions and operators with tokens.
"""
