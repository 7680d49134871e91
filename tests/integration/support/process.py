"""One agentsudo-server process: started on a free port with a data directory
(and, when the run targets PostgreSQL, a database of its own: see
databases.py), its output collected line by line, stopped by a signal."""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from .databases import DATABASE_VARIABLE, databases
from .http_client import HttpClient
from .timeouts import STARTUP_TIMEOUT

REPO = Path(__file__).resolve().parents[3]
SERVER_BIN = os.environ.get("AGENTSUDO_SERVER_BIN", str(REPO / "build" / "bin" / "agentsudo-server"))

def _die_with_parent():
    """In the child: get SIGKILL if the test process dies, so no server outlives a
    crashed or timed-out test run (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _child_setup(descriptor_limit):
    """What runs in the child before exec: _die_with_parent, and the
    (soft, hard) RLIMIT_NOFILE when one is given."""
    if descriptor_limit is None:
        return _die_with_parent

    def setup():
        _die_with_parent()
        resource.setrlimit(resource.RLIMIT_NOFILE, descriptor_limit)
    return setup


class ServerProcess:
    """The process half of `Server`. Not thread-safe, except the output
    accessors (run_output, wait_for_output, logs, all_output)."""

    def __init__(self, data_dir=None, extra_env=None):
        self.bin = SERVER_BIN
        self._own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="agentsudo-it-")
        self.extra_env = extra_env or {}
        # The data directory's database when the run targets PostgreSQL
        # (shared by every Server on this directory); None on SQLite.
        self._databases = databases()
        self.database_url = self._databases.acquire(self.data_dir) if self._databases else None
        self.proc = None
        self.port = None
        self.printed_key = None  # the default project's key, on its first start
        self.ready = None  # the ready file of the current (or last) run
        self.pid = None  # the server's own pid (not a wrapper's)
        self.stdout_lines = []  # every line of every run, in order
        self.stderr_lines = []
        self._lock = threading.Condition()
        self._readers = []
        self._client = None
        self._token = None
        self._expect_running = False
        self.runs = 0

    def start(self, args=None, env=None, wrapper=(), descriptor_limit=None):
        """Starts the server (under `wrapper`, a command prefix such as strace,
        when given; with RLIMIT_NOFILE set to `descriptor_limit`, a (soft, hard)
        pair, when given) and waits until it listens: until it has written the
        file `serve --ready-file` names, with its URL and pid."""
        if not os.access(self.bin, os.X_OK):
            pytest.fail(f"server binary not found or not executable: {self.bin} "
                        "(set AGENTSUDO_SERVER_BIN or build it first)")
        assert self.proc is None or self.proc.poll() is not None, "already running"
        if args is None:
            args = ["serve", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir]
        full_env = self.command_env(env)
        ready_dir = Path(tempfile.mkdtemp(prefix="agentsudo-ready-"))
        ready_file = ready_dir / "ready.json"
        args = [*args, "--ready-file", str(ready_file)]
        with self._lock:
            first_out = len(self.stdout_lines)
        t0 = time.monotonic()
        self.proc = subprocess.Popen([*wrapper, self.bin, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, env=full_env,
                                     preexec_fn=_child_setup(descriptor_limit))
        self.runs += 1
        self._readers = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr_lines), daemon=True),
        ]
        for t in self._readers:
            t.start()
        deadline = t0 + STARTUP_TIMEOUT
        try:
            self._wait_until_ready(ready_file, deadline)
        finally:
            shutil.rmtree(ready_dir, ignore_errors=True)
        self.run_stdout_start = first_out
        self._expect_running = True
        self._client = HttpClient(self.port)
        return self

    def command_env(self, env=None):
        """The environment of the server and of every CLI call on its data:
        this process's, then `extra_env`, the database's URL (PostgreSQL
        runs) and `env`."""
        full_env = dict(os.environ)
        full_env.update(self.extra_env)
        if self.database_url:
            full_env[DATABASE_VARIABLE] = self.database_url
        if env:
            full_env.update(env)
        return full_env

    def _wait_until_ready(self, ready_file, deadline):
        # The server writes the ready file (atomically) once it listens.
        with self._lock:
            while not ready_file.exists():
                if self.proc.poll() is not None:
                    self._lock.wait(0.2)  # let the pumps drain what is left
                    pytest.fail(f"server exited with {self.proc.returncode} before listening\n" + self.logs())
                remaining = deadline - time.monotonic()
                if remaining <= 0:  # the hang guard
                    self.proc.kill()
                    self.proc.wait(5)
                    pytest.fail(f"server wrote no ready file within {STARTUP_TIMEOUT}s\n" + self.logs())
                self._lock.wait(min(remaining, 0.02))  # woken early by output, else polls
        self.ready = json.loads(ready_file.read_text(encoding="utf-8"))
        self.ready_file_mode = stat.S_IMODE(ready_file.stat().st_mode)
        url = urllib.parse.urlsplit(self.ready["url"])
        assert url.scheme == "http" and url.hostname == "127.0.0.1" and url.port, self.ready
        self.port = url.port
        self.pid = self.ready["pid"]
        # Only the first start of an empty data directory creates the default
        # project and hands out its key.
        self.printed_key = self.ready.get("default_api_key")

    def _pump(self, stream, sink):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            with self._lock:
                sink.append(line)
                self._lock.notify_all()
        stream.close()

    def run_output(self):
        """stdout of the current (or last) run so far."""
        with self._lock:
            return list(self.stdout_lines[self.run_stdout_start:])

    def wait_for_output(self, predicate, timeout=5.0):
        """Wait until some stdout/stderr line satisfies predicate; return it or None."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for line in self.stdout_lines + self.stderr_lines:
                    if predicate(line):
                        return line
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._lock.wait(remaining)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Signal the server and wait; returns its exit code."""
        self._expect_running = False
        if self._client:
            self._client.close()
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            pytest.fail(f"server did not exit within {timeout}s after signal {sig}\n" + self.logs())
        for t in self._readers:
            t.join(5)
        return rc

    def kill(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        rc = self.stop()
        assert rc == 0, f"SIGTERM exit code {rc}\n{self.logs()}"
        return self.start()

    def close(self):
        """Teardown: fail loudly if the server died on its own, then stop it."""
        died = None
        if self._expect_running and self.proc is not None and self.proc.poll() is not None:
            died = self.proc.returncode
        if self.proc is not None and self.proc.poll() is None:
            self.stop(signal.SIGTERM)
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        if self.database_url and self._databases:
            self.database_url = None
            self._databases.release(self.data_dir)
        if died is not None:
            pytest.fail(f"the server died during the test (exit code {died})\n" + self.logs())

    def logs(self, tail=60):
        with self._lock:
            out = self.stdout_lines[-tail:]
            err = self.stderr_lines[-tail:]
        return "---- server stdout ----\n" + "\n".join(out) + "\n---- server stderr ----\n" + "\n".join(err)

    def all_output(self):
        with self._lock:
            return "\n".join(self.stdout_lines + self.stderr_lines)
