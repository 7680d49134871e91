"""Server CPU per stored event, by what the events carry: nothing new (the
official Python SDK), an event_id (UUIDv7, as our SDK sends), an event_id
with instance_id and sequence (our SDK), and a random UUIDv4 event_id.

Rounds of 40 batches of 1,000 events alternate between the kinds, so load
from elsewhere on the machine falls on each alike; the figure is the
server's own CPU (utime + stime from /proc), not wall time.

    AGENTSUDO_SERVER_BIN=build/bin/agentsudo-server /usr/bin/python3 bench/ingest_event_ids.py
"""

import json
import os
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
from support.server import Server  # noqa: E402

ROUNDS = 6
BATCHES = 40
EVENTS = 1000
KINDS = ("plain", "event_id v7", "event_id v7 + instance/sequence", "event_id random v4")


def uuid7():
    """RFC 9562 version 7: 48 bits of Unix milliseconds, then random bits."""
    rand = int.from_bytes(os.urandom(10), "big")
    value = (int(time.time() * 1000) << 80) | (0x7 << 76) | (((rand >> 62) & 0xFFF) << 64) \
        | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def server_cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def batch_body(kind, instance, next_sequence):
    events = []
    for i in range(EVENTS):
        event = {"agent_name": f"agent{i % 10}", "action": "permission_check", "scope": "read:x",
                 "allowed": True, "metadata": {"session_id": "s1", "i": i}}
        if kind == "event_id random v4":
            event["event_id"] = str(uuid.uuid4())
        elif kind != "plain":
            event["event_id"] = uuid7()
        if kind == "event_id v7 + instance/sequence":
            event.update(instance_id=instance, sequence=next(next_sequence))
        events.append(event)
    return json.dumps(events).encode()


def main():
    server = Server()
    server.start()
    try:
        _, key = server.create_project("bench", tier=100_000_000)
        instance = str(uuid.uuid4())
        sequence = iter(range(1, 1 << 53))
        cpu = dict.fromkeys(KINDS, 0.0)
        for _ in range(ROUNDS):
            for kind in KINDS:
                bodies = [batch_body(kind, instance, sequence) for _ in range(BATCHES)]
                before = server_cpu_seconds(server.pid)
                for body in bodies:
                    r = server.request("POST", "/api/events", body=body, headers={"X-API-Key": key})
                    assert r.status == 200, r
                cpu[kind] += server_cpu_seconds(server.pid) - before
        events = ROUNDS * BATCHES * EVENTS
        for kind in KINDS:
            print(f"{kind:34} {cpu[kind] / events * 1e6:6.2f} us server CPU per event ({events} events)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
