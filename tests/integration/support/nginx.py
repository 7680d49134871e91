"""A real nginx (Debian's nginx-light) as an HTTP/1.1 reverse proxy in front of
a test's server, in a private temporary directory."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time

from .http_client import HttpClient
from .timeouts import TIMEOUT

NGINX = "/usr/sbin/nginx"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ReverseProxy:
    """nginx proxying 127.0.0.1:<port> to the server (or to several nodes), as a deployment would:
    HTTP/1.1 upstream with kept-alive connections and a read timeout above
    the longest long-poll."""

    def __init__(self, upstream_port, *more_upstream_ports):
        self.dir = tempfile.mkdtemp(prefix="agentsudo-nginx-")
        self.port = _free_port()
        user = "user root root;" if os.geteuid() == 0 else ""
        # With several nodes, one that fails a request is left out for 2 s,
        # as deploy/nginx.conf does (passive health checks).
        ports = (upstream_port, *more_upstream_ports)
        fails = " max_fails=1 fail_timeout=2s" if more_upstream_ports else ""
        servers = " ".join(f"server 127.0.0.1:{port}{fails};" for port in ports)
        conf = f"""
worker_processes 1;
daemon off;
{user}
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {self.dir}/client_body;
  proxy_temp_path {self.dir}/proxy;
  fastcgi_temp_path {self.dir}/fastcgi;
  uwsgi_temp_path {self.dir}/uwsgi;
  scgi_temp_path {self.dir}/scgi;
  upstream agentsudo {{ {servers} keepalive 16; }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://agentsudo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_read_timeout 75s;
    }}
  }}
}}
"""
        with open(os.path.join(self.dir, "nginx.conf"), "w") as f:
            f.write(conf)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [NGINX, "-p", self.dir, "-c", os.path.join(self.dir, "nginx.conf"),
             "-e", os.path.join(self.dir, "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"nginx exited at start: {self.proc.stderr.read().decode()}"
                                     f"{self.logs()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nginx did not listen in time\n" + self.logs())

    def client(self):
        return HttpClient(self.port)

    def logs(self):
        try:
            with open(os.path.join(self.dir, "error.log")) as f:
                return f.read()
        except OSError:
            return ""

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
