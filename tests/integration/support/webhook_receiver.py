"""A webhook receiver for the tests: a local HTTP server in a thread that
checks every delivery with the verification snippet of docs/WEBHOOKS.md (read
from the doc itself, so the documented code is the tested code)."""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .process import REPO
from .timeouts import TIMEOUT

DOC = REPO / "docs" / "WEBHOOKS.md"


def documented_verifier():
    """The namespace of the doc's Python snippet: verify_webhook, WebhookRejected, ..."""
    text = DOC.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify_webhook" in b]
    assert len(blocks) == 1, f"{DOC} should hold exactly one python block defining verify_webhook"
    namespace = {}
    exec(compile(blocks[0], str(DOC), "exec"), namespace)  # noqa: S102 - our own doc
    return namespace


SNIPPET = documented_verifier()
verify_webhook = SNIPPET["verify_webhook"]
WebhookRejected = SNIPPET["WebhookRejected"]


class Received:
    """One POST as the receiver saw it, and what it answered."""

    def __init__(self, headers, body, verdict, answered):
        self.headers = headers  # lower-cased names
        self.body = body
        self.verdict = verdict  # the parsed delivery, or the rejection's message
        self.answered = answered

    @property
    def accepted(self):
        return isinstance(self.verdict, dict)


class WebhookReceiver:
    """Listens on 127.0.0.1 (a free port, or `port`). Verifies each POST when
    it knows the secret (answering 400 to a rejected one), else accepts it
    unverified (the slack format). Answers the statuses of `script` in order,
    then 200. A request may be held until the test calls release()."""

    def __init__(self, port=0, secret=None):
        self.secret = secret
        self.script = []
        self.hold_next = False
        self.received = []
        self.seen_ids = set()
        self._cond = threading.Condition()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = receiver._answer_for({k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def _answer_for(self, headers, body):
        with self._cond:
            verdict, status = self._judge(headers, body)
            hold = self.hold_next
            self.hold_next = False
            self.received.append(Received(headers, body, verdict, status))
            self._cond.notify_all()
        if hold:
            self._released.wait(TIMEOUT)
        return status

    def _judge(self, headers, body):
        """(verdict, status) for a request; called with the lock held."""
        if self.secret is None:
            return {"unverified": body}, self._next_status()
        try:
            delivery = verify_webhook(self.secret, headers.get("agentsudo-signature", ""), body, self.seen_ids)
        except WebhookRejected as rejected:
            return str(rejected), 400
        status = self._next_status()
        if not 200 <= status < 300:
            self.seen_ids.discard(delivery["id"])  # not handled: its retry must be accepted
        return delivery, status

    def _next_status(self):
        return self.script.pop(0) if self.script else 200

    def release(self):
        self._released.set()

    def wait_for(self, count, timeout=TIMEOUT):
        """Waits until `count` requests have arrived; returns them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < count:
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"the receiver got {len(self.received)} of {count} requests in {timeout}s"
                self._cond.wait(remaining)
            return list(self.received)

    def close(self):
        self._released.set()
        self.server.shutdown()
        self.server.server_close()
