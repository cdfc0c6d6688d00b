"""A throwaway PostgreSQL cluster for the tests: ``initdb`` into a temporary folder, ``pg_ctl start`` with
the socket in that folder and no TCP listener, ``pg_ctl stop`` and the folder removed afterwards.

The server refuses to run as root, so as root (CI, this machine) it runs as the unprivileged user
``nobody`` through ``runuser``; as anyone else, as that user. ``tools/install-system-deps`` installs the
Debian package ``postgresql`` (binaries in /usr/lib/postgresql/<version>/bin).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "hpcarbon"


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL is not installed: run tools/install-system-deps (Debian package postgresql)"
    return Path(found[-1]).parent


@dataclass
class Cluster:
    root: Path
    bin: Path
    as_nobody: bool
    counter: int = 0

    @property
    def socket_dir(self) -> Path:
        return self.root

    def _cmd(self, *args: str) -> list[str]:
        return (["runuser", "-u", "nobody", "--"] if self.as_nobody else []) + list(args)

    def run(self, *args: str) -> None:
        p = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def new_database(self) -> str:
        """A fresh empty database's URL (one per test: tests do not see each other's registries)."""
        import psycopg

        self.counter += 1
        name = f"registry_{self.counter}"
        with psycopg.connect(host=str(self.socket_dir), user=SUPERUSER, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self.run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    as_nobody = os.geteuid() == 0
    root = Path(tempfile.mkdtemp(prefix="hpcarbon-pg-", dir="/tmp"))
    if as_nobody:
        shutil.chown(root, "nobody", "nogroup")
    cluster = Cluster(root, pg_bin(), as_nobody)
    cluster.run(str(cluster.bin / "initdb"), "-D", str(root / "data"), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
                "--locale=C", "--no-sync")
    # the socket in the folder, no TCP; fsync off: a throwaway cluster need not survive a power cut
    options = f"-k {root} -c listen_addresses='' -c fsync=off -c max_connections=50"
    try:
        cluster.run(str(cluster.bin / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "server.log"), "-o",
                    options, "-w", "-t", "60", "start")
    except AssertionError:
        log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise AssertionError(f"PostgreSQL did not start:\n{log}") from None
    return cluster
