"""A PostgreSQL server of its own for a test: Debian's `postgresql` binaries (scripts/test installs
the package when missing), a new cluster in a temporary folder on a free local port, run as an
unprivileged user when the tests run as root (initdb refuses root), stopped at the end."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devserver import free_port


def _binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def available() -> bool:
    return all(_binary(n) for n in ("initdb", "pg_ctl", "createdb"))


def _as_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    user = "postgres" if _user_exists("postgres") else "nobody"
    return ["runuser", "-u", user, "--", *command]


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@contextmanager
def postgres_server() -> Iterator[callable]:
    """Yields `new_database()`, which creates a database and returns its connection parameters."""
    folder = Path(tempfile.mkdtemp(prefix="psea-pg-"))
    if os.geteuid() == 0:
        owner = "postgres" if _user_exists("postgres") else "nobody"
        shutil.chown(folder, owner)
    port = free_port()
    data = folder / "data"
    subprocess.run(
        _as_user([_binary("initdb"), "-D", str(data), "-A", "trust", "-U", "psea", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_user(
            [
                _binary("pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    count = 0

    def new_database() -> str:
        nonlocal count
        count += 1
        name = f"psea{count}"
        subprocess.run(
            [_binary("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "psea", name],
            check=True,
            capture_output=True,
        )
        return f"dbname={name} host=127.0.0.1 port={port} user=psea"

    try:
        yield new_database
    finally:
        subprocess.run(
            _as_user([_binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)
