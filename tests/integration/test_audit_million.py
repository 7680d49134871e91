"""A million events verify clean (issue 11: tamper evidence at the size of a
real log). Registered for the release build only: the ASan build would spend
minutes on ingestion that test_audit_chain.py already covers at 20,000."""

import json
import threading
import time

import pytest

from support.events import reference_event

EVENTS = 1_000_000
BATCH = 1000
THREADS = 4


@pytest.fixture
def server(make_server):
    # Checkpoints every second, so the log ends with several signed ones.
    s = make_server(extra_env={"AGENTSUDO_CHECKPOINT_INTERVAL": "1"})
    s.start()
    return s


def post_batches(server, key, count, failures):
    client = server.client()
    body = json.dumps([reference_event(agent_name=f"bot{i % 7}", metadata={"i": i})
                       for i in range(BATCH)]).encode()
    for _ in range(count):
        r = client.request("POST", "/api/events", body=body, headers={"X-API-Key": key})
        if r.status != 200:
            failures.append(r)
            return
    client.close()


def test_a_million_events_verify_clean(server):
    project_id, key = server.create_project("million", tier=10_000_000)
    failures = []
    per_thread = EVENTS // BATCH // THREADS
    threads = [threading.Thread(target=post_batches, args=(server, key, per_thread, failures))
               for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:1]
    assert server.stop() == 0
    # A million events stream from PostgreSQL in pages; allow for that.
    started = time.monotonic()
    rc, out, err = server.cli("verify", "--project", project_id, check=False, timeout=240)
    print(f"verify of {EVENTS} events took {time.monotonic() - started:.1f} s")
    report = json.loads(out)["projects"][0]
    assert rc == 0 and report["fault"] is None, (report, err)
    assert report["events_checked"] == EVENTS and report["checkpoints_checked"] >= 1, report
