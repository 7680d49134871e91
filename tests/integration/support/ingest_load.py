"""Ingest load from a few client threads, recording every answer: what was
acknowledged (id → the body sent), what was refused, and anything else."""

from __future__ import annotations

import threading

from .timeouts import TIMEOUT


class IngestLoad:
    """`clients` threads, each on its own connection, sending `make_body(t, n)`
    with `key` until finish(). A 201 is acknowledged; a status in `refused`
    is kept in `refusals`; any other answer or exception is unexpected and
    stops that client."""

    def __init__(self, server, key, clients, make_body, refused=()):
        self.server, self.key, self.make_body, self.refused = server, key, make_body, refused
        self.lock = threading.Condition()
        self.acked = {}
        self.refusals = []
        self.refused_per_client = [0] * clients
        self.unexpected = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(t,), daemon=True) for t in range(clients)]
        for t in self._threads:
            t.start()

    def _run(self, t):
        client = self.server.client()
        n = 0
        try:
            while not self._stop.is_set():
                body = self.make_body(t, n)
                n += 1
                r = self.server.ingest(self.key, event=body, client=client)
                with self.lock:
                    if r.status == 201:
                        self.acked[r.json["id"]] = body
                    elif r.status in self.refused:
                        self.refusals.append(r)
                        self.refused_per_client[t] += 1
                    else:
                        self.unexpected.append(r)
                        return
                    self.lock.notify_all()
        except Exception as e:  # the server went away
            with self.lock:
                self.unexpected.append(repr(e))
        finally:
            with self.lock:
                self.lock.notify_all()
            client.close()

    def wait_until(self, condition, what, timeout=4 * TIMEOUT):
        """Waits (under the lock) until condition() holds; fails on an
        unexpected answer or at the hang guard."""
        with self.lock:
            self.lock.wait_for(lambda: self.unexpected or condition(), timeout=timeout)
            assert not self.unexpected, self.unexpected[:3]
            assert condition(), f"{what}: {len(self.acked)} acknowledged, {len(self.refusals)} refused"

    def acknowledged(self):
        with self.lock:
            return dict(self.acked)

    def finish(self):
        """Stops the clients (each finishes its request in flight) and
        returns every acknowledged event."""
        self._stop.set()
        for t in self._threads:
            t.join(TIMEOUT)
            assert not t.is_alive(), "a client hangs"
        assert not self.unexpected, self.unexpected[:3]
        return self.acked
