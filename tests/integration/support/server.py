"""`Server`: what a test holds. One process, with its HTTP, CLI and read-API
drivers."""

from __future__ import annotations

from .cli import CliDriver
from .http_client import HttpDriver
from .process import ServerProcess
from .read_api import ReadApiDriver


class Server(ServerProcess, HttpDriver, CliDriver, ReadApiDriver):
    """One agentsudo-server process on a data directory, and the ways to talk to it."""
