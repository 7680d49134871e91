"""Numbers in metadata come back exactly as sent, on every way out (the 201,
the read API, the live feed, the NDJSON and CSV exports), or are refused with
a 400 naming the field: integers beyond 64 bits and -0 (docs/API.md)."""

import csv
import io
import json
import math

import pytest

from support.events import assert_error
from test_live import EventStream

# Each value is kept as the same JSON value: integers stay integers (all 64
# bits of them), doubles stay the same double, the sign of -0.0 included.
KEPT = {
    "max_u64": 18446744073709551615,
    "min_i64": -9223372036854775808,
    "max_i64": 9223372036854775807,
    "zero": 0,
    "negative_zero_double": -0.0,
    "pi": 3.141592653589793,
    "tenth": 0.1,
    "smallest_double": 5e-324,
    "largest_double": 1.7976931348623157e308,
    "integral_double": 1e22,
    "nested": [1, -1, {"deep": 123456789012345678}],
}

REFUSED = [
    ("2^64", b"18446744073709551616"),
    ("below-int64", b"-9223372036854775809"),
    ("30-digits", b"123456789012345678901234567890"),
    ("negative-30-digits", b"-123456789012345678901234567890"),
    ("minus-zero", b"-0"),
    ("minus-zero-nested", b'[1, {"b": -0}]'),
    ("big-nested", b'{"a": [99999999999999999999999]}'),
]


def same_json(a, b):
    """Equal as JSON values, telling 1 from 1.0 and 0.0 from -0.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


def test_same_json_tells_the_differences():
    assert same_json({"a": [1, 0.5]}, {"a": [1, 0.5]})
    assert not same_json(1, 1.0)
    assert not same_json(0.0, -0.0)
    assert not same_json(2**64, float(2**64))


@pytest.fixture(scope="module")
def proj(mserver):
    return mserver.create_project("numbers", tier="pro")


def event_with_metadata(metadata_json, agent_name="NumBot"):
    return (b'{"agent_name": "' + agent_name.encode() + b'", "action": "numbers", "allowed": true, '
            b'"metadata": ' + metadata_json + b"}")


def test_kept_numbers_agree_on_every_way_out(mserver, proj):
    project_id, key = proj
    token = mserver.token()
    auth = {"Authorization": f"Bearer {token}"}
    stream = EventStream(mserver, project_id, token=token)
    try:
        assert stream.status == 200
        body = event_with_metadata(json.dumps(KEPT).encode(), agent_name="KeptBot")
        created = mserver.request("POST", "/ingest-event", body=body, headers={"X-API-Key": key})
        assert created.status == 201, created
        assert same_json(created.json["metadata"], KEPT), created.json["metadata"]
        event_id = created.json["id"]

        _, live = stream.next_event()
        assert live["id"] == event_id
        assert same_json(live["metadata"], KEPT), live["metadata"]
    finally:
        stream.close()

    [read] = mserver.all_events(project_id, agent_name="KeptBot")
    assert same_json(read["metadata"], KEPT), read["metadata"]

    export = f"/api/v1/projects/{project_id}/events/export?agent_name=KeptBot&format="
    ndjson = mserver.get(export + "ndjson", headers=auth)
    assert ndjson.status == 200, ndjson
    lines = [json.loads(l) for l in ndjson.raw.decode().splitlines() if l]
    [line] = [l for l in lines if "checkpoint" not in l]  # the audit checkpoints follow the events
    assert same_json(line["metadata"], KEPT), line["metadata"]

    sheet = mserver.get(export + "csv", headers=auth)
    assert sheet.status == 200, sheet
    [row] = list(csv.DictReader(io.StringIO(sheet.raw.decode("utf-8"), newline="")))
    assert same_json(json.loads(row["metadata"]), KEPT), row["metadata"]


@pytest.mark.parametrize("number", [n for _, n in REFUSED], ids=[i for i, _ in REFUSED])
def test_numbers_that_would_change_are_refused(mserver, proj, number):
    project_id, key = proj
    body = event_with_metadata(b'{"n": ' + number + b"}", agent_name="RefusedBot")
    r = mserver.request("POST", "/ingest-event", body=body, headers={"X-API-Key": key})
    assert_error(r, 400, "INVALID_PAYLOAD", field="metadata")
    assert mserver.all_events(project_id, agent_name="RefusedBot") == []


@pytest.mark.parametrize("number", [b"18446744073709551616", b"-0"], ids=["2^64", "minus-zero"])
def test_in_a_batch_the_item_is_named(mserver, proj, number):
    project_id, key = proj
    good = event_with_metadata(b"{}", agent_name="BatchNumBot")
    bad = event_with_metadata(b'{"n": ' + number + b"}", agent_name="BatchNumBot")
    body = b"[" + good + b", " + bad + b"]"
    r = mserver.request("POST", "/api/events", body=body, headers={"X-API-Key": key})
    assert_error(r, 400, "INVALID_PAYLOAD", field="metadata", index=1)
    assert mserver.all_events(project_id, agent_name="BatchNumBot") == []


def test_a_big_integer_in_a_string_is_kept(mserver, proj):
    """What the error suggests works: the digits survive as a string."""
    project_id, key = proj
    digits = "123456789012345678901234567890"
    body = event_with_metadata(b'{"n": "' + digits.encode() + b'"}', agent_name="StringBot")
    r = mserver.request("POST", "/ingest-event", body=body, headers={"X-API-Key": key})
    assert r.status == 201, r
    assert r.json["metadata"] == {"n": digits}
