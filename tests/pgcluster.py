"""A throwaway PostgreSQL cluster for the tests: Debian's `postgresql` package (initdb, pg_ctl), started on a
free loopback port in a temporary folder and removed afterwards. PostgreSQL refuses to run as root, so when
the tests run as root (CI does) the cluster belongs to the unprivileged user `nobody` and its commands run
through `runuser`."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile

RUN_AS = "nobody"


def pg_bin() -> str | None:
    """The newest installed PostgreSQL's bin folder (/usr/lib/postgresql/N/bin), or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0
    )
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        self.bin = pg_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.root = tempfile.mkdtemp(prefix="rnnviz-pg-")
        os.chmod(self.root, 0o755)
        self.data = os.path.join(self.root, "data")
        self.log = os.path.join(self.root, "server.log")
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.root, RUN_AS)

    def _run(self, *cmd: str) -> subprocess.CompletedProcess:
        argv = [os.path.join(self.bin, cmd[0]), *cmd[1:]]
        if self.as_root:
            argv = ["runuser", "-u", RUN_AS, "--", *argv]
        p = subprocess.run(argv, capture_output=True, text=True, cwd=self.root, timeout=120)
        if p.returncode != 0:
            log = open(self.log).read()[-1500:] if os.path.exists(self.log) else ""
            raise RuntimeError(f"{cmd[0]} failed: {(p.stderr or p.stdout)[-1500:]}\n{log}")
        return p

    def start(self) -> Cluster:
        if not os.path.exists(self.data):
            self._run("initdb", "-D", self.data, "-U", "rnnviz", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._run("pg_ctl", "-D", self.data, "-o", opts, "-l", self.log, "-w", "-t", "60", "start")
        return self

    def create_db(self, name: str = "board") -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "rnnviz", name)
        return self.url(name)

    def url(self, name: str = "board") -> str:
        return f"postgresql://rnnviz@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
