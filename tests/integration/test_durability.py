"""An acknowledged event is on disk: restarts keep everything, kill -9 loses nothing acknowledged."""

import collections
import signal
import threading

from support.events import reference_event
from support.timeouts import TIMEOUT

BIG_QUOTA = 10_000_000


def test_restart_keeps_every_event(server):
    project_id, key = server.create_project("restart", tier="pro")
    for i in range(100):
        assert server.ingest(key, agent_name=f"A{i % 7}", metadata={"i": i}).status == 201
    r = server.batch(key, [reference_event(agent_name="B", timestamp=f"2026-01-15T10:30:00.{i:06d}Z",
                                           metadata={"j": i}) for i in range(100)])
    assert r.status == 200 and r.json == {"stored": 100, "duplicates": 0}
    before = server.all_events(project_id)
    assert len(before) == 200
    rc = server.stop(signal.SIGTERM)
    assert rc == 0, f"exit code after SIGTERM: {rc}\n{server.logs()}"
    server.start()
    assert server.printed_key is None, "a key was printed again on restart"
    after = server.all_events(project_id)
    assert after == before, "events changed across a restart"
    # Keys and agents survive too.
    r = server.ingest(key, agent_name="A3")
    assert r.status == 201, r
    assert r.json["agent_id"] == next(e["agent_id"] for e in before if e["agent_name"] == "A3")


def _stream(server, stop, make_request, on_ack, on_error):
    client = server.client()
    try:
        n = 0
        while not stop.is_set():
            try:
                r = make_request(client, n)
            except Exception as e:  # the server went away under us
                on_error(repr(e))
                return
            n += 1
            if r.status in (200, 201):
                on_ack(r, n - 1)
            else:
                on_error(f"unexpected {r!r}")
                return
    finally:
        client.close()


def _run_streams(server, make_request, on_ack, threads=4, min_acks=200, action=None):
    """Streams requests from `threads` threads; once every thread has had
    acknowledgements (min_acks in all, at least two each, so every thread is
    in its stream, not starting it), runs action (kill or terminate) while
    they still stream. No clock decides when: only what was acknowledged."""
    stop = threading.Event()
    errors = []
    changed = threading.Condition()
    per_thread = [0] * threads

    def counted(t):
        def ack(r, n):
            with changed:
                per_thread[t] += 1
                on_ack(r, n)
                changed.notify_all()
        return ack

    def failed(message):
        with changed:
            errors.append(message)
            changed.notify_all()

    def ready():
        return errors or (sum(per_thread) >= min_acks and min(per_thread) >= 2)

    ts = [threading.Thread(target=_stream, args=(server, stop, (lambda c, n, t=t: make_request(c, t, n)),
                                                 counted(t), failed), daemon=True) for t in range(threads)]
    for t in ts:
        t.start()
    with changed:
        changed.wait_for(ready, timeout=TIMEOUT)  # a hang guard
        assert not errors, errors[:3]
        assert ready(), f"only {per_thread} acknowledged per thread in {TIMEOUT} s"
    rc = action()
    stop.set()
    for t in ts:
        t.join(20)
        assert not t.is_alive(), "a client thread hangs after the server went away"
    return rc, sum(per_thread)


def test_kill_9_loses_no_acknowledged_event(server):
    project_id, key = server.create_project("kill", tier=BIG_QUOTA)
    acked = set()

    def req(client, t, n):
        return server.ingest(key, client=client, agent_name=f"T{t}", metadata={"t": t, "n": n})

    rc, nacks = _run_streams(server, req, lambda r, n: acked.add(r.json["id"]), action=server.kill)
    assert rc == -signal.SIGKILL
    print(f"\n{nacks} events acknowledged before kill -9")
    server.start()
    stored = {e["id"] for e in server.all_events(project_id)}
    missing = acked - stored
    assert not missing, f"{len(missing)} acknowledged events lost after kill -9 (of {len(acked)})"
    # At most one unacknowledged (in-flight) request per client thread was stored.
    assert len(stored - acked) <= 4, len(stored - acked)
    # And the store still works.
    assert server.ingest(key).status == 201


def test_kill_9_batches_are_all_or_nothing(server):
    project_id, key = server.create_project("kill-batch", tier=BIG_QUOTA)
    size = 50
    tags_acked = []
    bad_answers = []

    def make(client, t, n):
        tag = f"{t}-{n}"
        r = server.batch(key, [reference_event(agent_name=f"T{t}", metadata={"b": tag, "k": k})
                               for k in range(size)], client=client)
        if r.status == 200:
            if r.json == {"stored": size, "duplicates": 0}:
                tags_acked.append(tag)
            else:
                bad_answers.append(r)
        return r

    rc, nacks = _run_streams(server, make, lambda r, n: None, action=server.kill, min_acks=20)
    assert not bad_answers, bad_answers[:3]
    acked = set(tags_acked)
    assert rc == -signal.SIGKILL
    server.start()
    by_batch = collections.Counter(e["metadata"]["b"] for e in server.all_events(project_id))
    partial = {b: c for b, c in by_batch.items() if c != size}
    assert not partial, f"batches stored in part after kill -9: {partial}"
    missing = acked - set(by_batch)
    assert not missing, f"{len(missing)} acknowledged batches lost (of {len(acked)})"
    assert len(set(by_batch) - acked) <= 4


def test_sigterm_under_load_exits_0_and_keeps_acknowledged_events(server):
    project_id, key = server.create_project("term", tier=BIG_QUOTA)
    acked = set()

    def req(client, t, n):
        return server.ingest(key, client=client, agent_name=f"T{t}")

    rc, _ = _run_streams(server, req, lambda r, n: acked.add(r.json["id"]),
                         action=lambda: server.stop(signal.SIGTERM))
    assert rc == 0, f"exit code after SIGTERM under load: {rc}\n{server.logs()}"
    server.start()
    stored = {e["id"] for e in server.all_events(project_id)}
    assert not (acked - stored)
    assert len(stored - acked) <= 4
