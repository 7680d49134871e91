"""What the kernel says about the server's end of a test's TCP connection."""

from __future__ import annotations


def server_has_read(server, client_sock):
    """Whether the server's end of client_sock has consumed every byte sent to
    it (its receive queue in /proc/net/tcp is empty)."""
    local = f"{server.port:04X}"
    remote = f"{client_sock.getsockname()[1]:04X}"
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1].endswith(":" + local) and fields[2].endswith(":" + remote):
                return int(fields[4].split(":")[1], 16) == 0
    return False
