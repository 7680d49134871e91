"""Long-polls in the background, and waiting until the server holds them."""

from __future__ import annotations

import threading
import time

from support.timeouts import TIMEOUT


def get_in_background(server, path, key):
    """A GET with the project key on its own connection, in a thread; returns
    the thread and a dict that receives "response" and "elapsed" (seconds)."""
    result = {}
    client = server.client()

    def run():
        started = time.monotonic()
        result["response"] = client.request("GET", path, headers={"X-API-Key": key})
        result["elapsed"] = time.monotonic() - started
        client.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def wait_for_gauge(server, name, count):
    """Polls /metrics until gauge `name` reaches `count` (the waits are held)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if server.metric_sum(name) >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{name} never reached {count}")
