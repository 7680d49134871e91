"""Login throttling under concurrency: an attempt counts before its password is
hashed, per (account, source) with growing delays, per source across
accounts, and the client address from X-Forwarded-For only behind a trusted
proxy (docs/SECURITY.md, "Login throttling")."""

import json
import socket
import subprocess
import threading
import time

import pytest

from support.accounts import PASSWORD, set_up_admin
from support.events import assert_error
from support.http_client import parse_http_response
from support.process import SERVER_BIN
from support.tcp_queues import server_has_read
from support.timeouts import TIMEOUT

LOGIN = "/api/v1/session"
OWNER = "admin@example.com"
WRONG = "wrong password"
# The attempts a pair (account, source) gets before the first delay.
FREE_PER_PAIR = 5
# ... and a source across accounts.
FREE_PER_SOURCE = 30
ATTACKER = "203.0.113.7"
OWNER_ADDRESS = "198.51.100.20"


def behind_proxy(make_server, *ranges):
    s = make_server()
    args = ["serve", "--listen", "127.0.0.1:0", "--data-dir", s.data_dir]
    for r in ranges or ("127.0.0.1/32",):
        args += ["--trusted-proxy", r]
    s.start(args=args)
    set_up_admin(s)
    return s


def log_in(server, password=WRONG, email=OWNER, forwarded_for=None, client=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    target = client or server
    return target.request("POST", LOGIN, body={"email": email, "password": password}, headers=headers)


def at_once(server, bodies, forwarded_for=None):
    """Sends each login body on its own connection, all released together;
    returns the answers in the order of `bodies`."""
    answers = [None] * len(bodies)
    clients = [server.client() for _ in bodies]
    start = threading.Barrier(len(bodies))

    def send(i):
        start.wait()
        answers[i] = log_in(server, bodies[i]["password"], bodies[i]["email"], forwarded_for, clients[i])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 4)
    for c in clients:
        c.close()
    assert all(a is not None for a in answers), "a login got no answer"
    return answers


def raw_login(password, forwarded_for=None):
    body = json.dumps({"email": OWNER, "password": password}).encode()
    xff = f"X-Forwarded-For: {forwarded_for}\r\n" if forwarded_for else ""
    return (f"POST {LOGIN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{xff}"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def read_answer(sock):
    sock.settimeout(TIMEOUT * 4)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return parse_http_response(data)


def until_admitted(server, forwarded_for=None, retry_after=0):
    """Polls with a wrong password until the throttle lets one through (a
    refusal counts nothing); returns that answer."""
    assert retry_after <= 60, f"the first delays are seconds, not {retry_after}"
    deadline = time.monotonic() + retry_after + TIMEOUT
    while True:
        r = log_in(server, forwarded_for=forwarded_for)
        if r.status != 429:
            return r
        assert time.monotonic() < deadline, f"still throttled after Retry-After {retry_after}: {r}"
        time.sleep(0.05)  # a polling interval


def test_forty_guesses_at_once_are_not_all_checked(server):
    set_up_admin(server)
    answers = at_once(server, [{"email": OWNER, "password": WRONG}] * 40)
    statuses = [a.status for a in answers]
    assert set(statuses) <= {401, 429}, answers
    assert statuses.count(401) == FREE_PER_PAIR, statuses
    for a in answers:
        if a.status == 429:
            assert_error(a, 429, "RATE_LIMITED")
            assert int(a.header("retry-after")) >= 1, a
    assert server.metric_sum("agentsudo_login_throttled_total") == statuses.count(429)


def test_a_right_password_among_concurrent_guesses_beyond_the_allowance_does_not_log_in(server):
    """29 wrong guesses are read by the server (their answers still pending
    while the first ones hash) before the right password arrives: it is the
    30th attempt, far beyond the allowance, however fast it would hash."""
    set_up_admin(server)
    guesses = [socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) for _ in range(29)]
    try:
        for g in guesses:
            g.sendall(raw_login(WRONG))
        deadline = time.monotonic() + TIMEOUT
        while not all(server_has_read(server, g) for g in guesses):
            assert time.monotonic() < deadline, "the server never read the guesses"
            time.sleep(0.001)  # a polling interval
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as right:
            right.sendall(raw_login(PASSWORD))
            answer = read_answer(right)
        guessed = [read_answer(g).status for g in guesses]
    finally:
        for g in guesses:
            g.close()
    assert answer.status == 429, answer
    assert guessed.count(401) <= FREE_PER_PAIR, guessed
    assert "set-cookie" not in answer.headers


def test_the_owner_logs_in_from_elsewhere_while_the_attacker_is_delayed(make_server):
    s = behind_proxy(make_server)
    for _ in range(FREE_PER_PAIR):
        assert_error(log_in(s, forwarded_for=ATTACKER), 401, "UNAUTHORIZED")
    # Even the right password waits, from the attacker's address.
    assert_error(log_in(s, PASSWORD, forwarded_for=ATTACKER), 429, "RATE_LIMITED")
    owner = log_in(s, PASSWORD, forwarded_for=OWNER_ADDRESS)
    assert owner.status == 200, owner


def test_the_client_is_the_rightmost_address_a_trusted_proxy_did_not_write(make_server):
    s = behind_proxy(make_server, "127.0.0.1/32", "10.0.0.0/8")
    # What the attacker writes on the left changes nothing: the proxy at
    # 10.1.2.3 saw them at ATTACKER.
    for i in range(FREE_PER_PAIR):
        r = log_in(s, forwarded_for=f"192.0.2.{i}, {ATTACKER}, 10.1.2.3")
        assert_error(r, 401, "UNAUTHORIZED")
    assert_error(log_in(s, forwarded_for=f"192.0.2.99, {ATTACKER}"), 429, "RATE_LIMITED")
    assert log_in(s, PASSWORD, forwarded_for=f"{ATTACKER}, {OWNER_ADDRESS}").status == 200


def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_server):
    # The test's own connections come from 127.0.0.1, outside this range.
    s = behind_proxy(make_server, "10.0.0.0/8")
    for i in range(FREE_PER_PAIR):
        assert_error(log_in(s, forwarded_for=f"192.0.2.{i}"), 401, "UNAUTHORIZED")
    assert_error(log_in(s, PASSWORD, forwarded_for="198.51.100.99"), 429, "RATE_LIMITED")


def test_delays_grow_with_each_attempt_beyond_the_allowance(server):
    set_up_admin(server)
    for _ in range(FREE_PER_PAIR):
        assert_error(log_in(server), 401, "UNAUTHORIZED")
    waits = []
    for _ in range(3):
        refused = log_in(server)
        assert_error(refused, 429, "RATE_LIMITED")
        waits.append(int(refused.header("retry-after")))
        # Once the wait is over, one more attempt is checked (and fails).
        assert_error(until_admitted(server, retry_after=waits[-1]), 401, "UNAUTHORIZED")
    assert waits[0] >= 1 and waits[0] < waits[1] < waits[2], waits


def test_a_success_clears_the_pair(make_server):
    s = behind_proxy(make_server)
    for _ in range(FREE_PER_PAIR - 1):
        assert_error(log_in(s, forwarded_for=OWNER_ADDRESS), 401, "UNAUTHORIZED")
    assert log_in(s, PASSWORD, forwarded_for=OWNER_ADDRESS).status == 200
    for _ in range(FREE_PER_PAIR - 1):
        assert_error(log_in(s, forwarded_for=OWNER_ADDRESS), 401, "UNAUTHORIZED")
    assert log_in(s, PASSWORD, forwarded_for=OWNER_ADDRESS).status == 200


def test_spraying_many_accounts_from_one_address_is_delayed(make_server):
    s = behind_proxy(make_server)
    for i in range(FREE_PER_SOURCE):
        assert_error(log_in(s, email=f"n{i}@example.com", forwarded_for=ATTACKER), 401, "UNAUTHORIZED")
    assert_error(log_in(s, email="fresh@example.com", forwarded_for=ATTACKER), 429, "RATE_LIMITED")
    # Other addresses are not slowed by it.
    assert_error(log_in(s, email="fresh@example.com", forwarded_for="192.0.2.50"), 401, "UNAUTHORIZED")
    assert log_in(s, PASSWORD, forwarded_for=OWNER_ADDRESS).status == 200


@pytest.mark.parametrize("ranges", [["10.0.0.0/33"], ["not-an-address"], ["127.0.0.1/32", "fd00::/129"]])
def test_an_invalid_trusted_proxy_refuses_to_start(tmp_path, ranges):
    args = [SERVER_BIN, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(tmp_path)]
    for r in ranges:
        args += ["--trusted-proxy", r]
    p = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT)
    assert p.returncode != 0, p
    assert f'--trusted-proxy "{ranges[-1]}" is not an address range' in p.stderr + p.stdout, p
    assert "listening" not in p.stdout, p


def test_trusted_proxies_from_the_environment(make_server):
    s = make_server()
    s.start(env={"AGENTSUDO_TRUSTED_PROXIES": "10.0.0.0/8,127.0.0.1/32"})
    set_up_admin(s)
    for _ in range(FREE_PER_PAIR):
        assert_error(log_in(s, forwarded_for=ATTACKER), 401, "UNAUTHORIZED")
    assert log_in(s, PASSWORD, forwarded_for=OWNER_ADDRESS).status == 200
    bad = subprocess.run([s.bin, "serve", "--listen", "127.0.0.1:0", "--data-dir", s.data_dir],
                         env={"AGENTSUDO_TRUSTED_PROXIES": "10.0.0.0/8,nonsense"},
                         capture_output=True, text=True, timeout=TIMEOUT)
    assert bad.returncode != 0 and '"nonsense" is not an address range' in bad.stderr + bad.stdout, bad
