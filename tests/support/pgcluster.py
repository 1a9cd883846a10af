"""A throwaway PostgreSQL cluster for the test run: initdb and pg_ctl in a temp directory.

When the tests run as root (as CI does), the cluster runs as the ``postgres`` system user,
because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

from manifest.backup.postgres import find_bindir as find_programs


class ClusterUnavailable(RuntimeError):
    pass


def find_bindir() -> str | None:
    """The directory holding initdb and pg_ctl (Debian's versioned directory, or PATH)."""
    return find_programs("initdb", "pg_ctl")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self):
        self.bindir = find_bindir()
        if self.bindir is None:
            raise ClusterUnavailable("PostgreSQL binaries (initdb, pg_ctl) are not installed")
        self.as_root = os.geteuid() == 0
        self.workdir = tempfile.mkdtemp(prefix="hwm-pg-")
        self.datadir = os.path.join(self.workdir, "data")
        self.port = _free_port()
        self.user = "postgres" if self.as_root else pwd.getpwuid(os.geteuid()).pw_name
        if self.as_root:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterUnavailable("running as root but there is no postgres user") from None
            os.chown(self.workdir, pw.pw_uid, pw.pw_gid)
            os.chmod(self.workdir, 0o700)

    def _run(self, *args: str) -> None:
        cmd = [os.path.join(self.bindir, args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise ClusterUnavailable(f"{args[0]} failed: {proc.stderr.strip() or proc.stdout}")

    def start(self) -> Cluster:
        self._run(
            "initdb",
            "-D",
            self.datadir,
            "-U",
            self.user,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        self.start_server()
        return self

    def start_server(self) -> None:
        """Start the server on the existing data directory; returns once it accepts
        connections."""
        opts = (
            f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=300"
        )
        self._run(
            "pg_ctl",
            "-D",
            self.datadir,
            "-o",
            opts,
            "-l",
            os.path.join(self.workdir, "log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop_server(self) -> None:
        """Stop the server as an operator's restart does (``-m fast``: open transactions are
        rolled back, sessions cut), keeping the data for ``start_server``."""
        self._run("pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "stop")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "stop")
        except ClusterUnavailable:
            pass
        for _ in range(20):
            try:
                shutil.rmtree(self.workdir)
                return
            except OSError:
                time.sleep(0.1)
