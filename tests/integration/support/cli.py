"""The admin CLI: the server binary's other subcommands, run on the data
directory of a server (running or not), and on its database when the run
targets PostgreSQL."""

from __future__ import annotations

import json
import subprocess

from .timeouts import TIMEOUT


class CliError(AssertionError):
    pass


class CliDriver:
    """The CLI half of `Server`: needs `bin`, `data_dir` and `command_env()`."""

    def cli(self, *args, json_out=True, check=True, timeout=TIMEOUT):
        cmd = [self.bin, *args, "--data-dir", self.data_dir]
        if json_out:
            cmd.append("--json")
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                           env=self.command_env())
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        if check and p.returncode != 0:
            raise CliError(f"{cmd} exited {p.returncode}\nstdout: {out}\nstderr: {err}")
        if not check:
            return p.returncode, out, err
        if json_out:
            try:
                return json.loads(out)
            except ValueError:
                raise CliError(f"{cmd}: stdout is not exactly one JSON value: {out!r}\nstderr: {err}")
        return out

    def create_project(self, name="proj", tier="pro"):
        args = ["project", "create", "--name", name]
        if tier is not None:
            args += ["--tier", str(tier)]
        obj = self.cli(*args)
        assert set(obj) >= {"project_id", "api_key"}, obj
        return obj["project_id"], obj["api_key"]

    def set_tier(self, project_id, tier):
        return self.cli("project", "set-tier", "--project", project_id, "--tier", str(tier), json_out=False)

    def token(self):
        """A management token, created once per Server and reused."""
        if self._token is None:
            self._token = self.cli("token", "create")["token"]
        return self._token
