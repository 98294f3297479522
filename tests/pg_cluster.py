"""A throwaway PostgreSQL 15 server for tests.

Typical use from a session-scoped fixture::

    @pytest.fixture(scope="session")
    def pg_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
        reason = postgres_unavailable_reason()
        if reason is not None:
            pytest.skip(reason)
        cluster = start_postgres(tmp_path_factory.mktemp("pg"))
        try:
            yield cluster
        finally:
            cluster.stop()

The cluster runs with trust authentication, listens on 127.0.0.1 only (on a free
port), keeps its unix sockets in its own directory and has durability switched off
(``fsync``, ``full_page_writes``, ``synchronous_commit``) for speed.

``initdb`` and ``postgres`` refuse to run as root, so when the tests run as root every
PostgreSQL binary is started as the ``postgres`` OS user through ``runuser``; the
cluster directory is then created with ``mkdtemp``, ``chown``-ed to that user, in a
location whose every ancestor that user can traverse (``tmp_dir`` when possible,
otherwise the system temporary directory: pytest's ``/tmp/pytest-of-root`` is 0700).
When the tests run as an ordinary user the binaries are started directly.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

__all__ = [
    "DEFAULT_BIN_DIR",
    "PostgresCluster",
    "PostgresStartError",
    "missing_binaries_reason",
    "postgres_unavailable_reason",
    "start_postgres",
]

DEFAULT_BIN_DIR = Path("/usr/lib/postgresql/15/bin")
POSTGRES_OS_USER = "postgres"
SUPERUSER = "postgres"
_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres", "psql", "createdb", "pg_isready")
_DB_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_START_ATTEMPTS = 3
_COMMAND_TIMEOUT = 60.0


class PostgresStartError(RuntimeError):
    """The throwaway cluster could not be created or started."""


def _running_as_root() -> bool:
    return os.geteuid() == 0


def _command(bin_dir: Path, program: str, *args: str) -> list[str]:
    argv = [str(bin_dir / program), *args]
    if _running_as_root():
        return ["runuser", "-u", POSTGRES_OS_USER, "--", *argv]
    return argv


def _run(
    argv: Sequence[str], *, cwd: Path, timeout: float = _COMMAND_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    # Never let a developer's PG* environment leak into the throwaway cluster.
    for key in [key for key in env if key.startswith("PG")]:
        del env[key]
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _check(
    result: subprocess.CompletedProcess[str], what: str, log_file: Path | None = None
) -> None:
    if result.returncode == 0:
        return
    message = (
        f"{what} failed with exit code {result.returncode}\n"
        f"command: {' '.join(result.args)}\n"
        f"stdout: {result.stdout.strip()}\nstderr: {result.stderr.strip()}"
    )
    if log_file is not None and log_file.exists():
        tail = log_file.read_text(errors="replace").splitlines()[-30:]
        message += "\nserver log (tail):\n" + "\n".join(tail)
    raise PostgresStartError(message)


def missing_binaries_reason(bin_dir: Path = DEFAULT_BIN_DIR) -> str | None:
    """Which server binary is missing, or ``None`` when PostgreSQL is installed.

    The only reason the tests may skip the PostgreSQL side: with the binaries present,
    a cluster that cannot start is a failure of the machine, reported as such.
    """
    for program in _REQUIRED_BINARIES:
        path = bin_dir / program
        if not path.is_file() or not os.access(path, os.X_OK):
            return f"PostgreSQL binary {path} is not available"
    return None


def postgres_unavailable_reason(bin_dir: Path = DEFAULT_BIN_DIR) -> str | None:
    """Why a throwaway cluster cannot be started here, or ``None`` if it can."""
    missing = missing_binaries_reason(bin_dir)
    if missing is not None:
        return missing
    if not _running_as_root():
        return None
    try:
        pwd.getpwnam(POSTGRES_OS_USER)
    except KeyError:
        return f"running as root but there is no {POSTGRES_OS_USER!r} OS user to run PostgreSQL"
    if shutil.which("runuser") is None:
        return "running as root but `runuser` is not available to drop privileges"
    try:
        probe = _run(["runuser", "-u", POSTGRES_OS_USER, "--", "true"], cwd=Path("/"), timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot run `runuser -u {POSTGRES_OS_USER}`: {exc}"
    if probe.returncode != 0:
        return f"cannot run `runuser -u {POSTGRES_OS_USER}`: {probe.stderr.strip()}"
    return None


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def _postgres_can_use(directory: Path) -> bool:
    if not _running_as_root():
        return True
    probe = _run(
        [
            "runuser",
            "-u",
            POSTGRES_OS_USER,
            "--",
            "test",
            "-w",
            str(directory),
            "-a",
            "-x",
            str(directory),
        ],
        cwd=Path("/"),
        timeout=10,
    )
    return probe.returncode == 0


def _make_cluster_dir(tmp_dir: Path | None) -> Path:
    """Create an empty directory owned by (and reachable for) the postgres OS user."""
    candidates: list[Path | None] = [tmp_dir, None] if tmp_dir is not None else [None]
    for parent in candidates:
        if parent is not None:
            parent.mkdir(parents=True, exist_ok=True)
        directory = Path(tempfile.mkdtemp(prefix="pg-", dir=parent))
        if _running_as_root():
            directory.chmod(0o700)
            entry = pwd.getpwnam(POSTGRES_OS_USER)
            os.chown(directory, entry.pw_uid, entry.pw_gid)
        if _postgres_can_use(directory):
            return directory
        shutil.rmtree(directory, ignore_errors=True)
    msg = f"cannot create a directory usable by the {POSTGRES_OS_USER!r} OS user"
    raise PostgresStartError(msg)


@dataclass
class PostgresCluster:
    """A running throwaway PostgreSQL server; ``stop()`` kills it and removes its files."""

    host: str
    port: int
    base_dir: Path
    bin_dir: Path = DEFAULT_BIN_DIR
    database: str = "test"
    user: str = SUPERUSER
    startup_seconds: float = 0.0
    _stopped: bool = field(default=False, init=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir

    @property
    def log_file(self) -> Path:
        return self.base_dir / "postgres.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``test`` database."""
        return self.url_for(self.database)

    def url_for(self, database: str, *, driver: str = "asyncpg") -> str:
        """SQLAlchemy URL (``postgresql+<driver>://...``) of ``database``."""
        return f"postgresql+{driver}://{self.user}@{self.host}:{self.port}/{database}"

    def dsn(self, database: str | None = None) -> str:
        """Plain libpq/asyncpg DSN (``postgresql://...``) of ``database``."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database or self.database}"

    def psql(self, sql: str, *, database: str = "postgres") -> str:
        """Run ``sql`` with psql as the superuser and return its unaligned output."""
        argv = _command(
            self.bin_dir,
            "psql",
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.socket_dir),
            "-p",
            str(self.port),
            "-U",
            self.user,
            "-d",
            database,
            "-c",
            sql,
        )
        result = _run(argv, cwd=self.base_dir)
        _check(result, f"psql {sql!r}")
        return result.stdout.strip()

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create a database (empty, or a copy of ``template``) and return its SQLAlchemy URL."""
        if not _DB_NAME_RE.match(name):
            msg = f"invalid database name {name!r} (letters, digits and _ only)"
            raise ValueError(msg)
        argv = _command(
            self.bin_dir,
            "createdb",
            "-h",
            str(self.socket_dir),
            "-p",
            str(self.port),
            "-U",
            self.user,
            # FILE_COPY: 0.15-0.25 s a copy against 0.35 s for the default WAL_LOG, since this
            # cluster runs without fsync (its checkpoint costs nothing).
            *(["--template", template, "--strategy", "file_copy"] if template else []),
            name,
        )
        _check(_run(argv, cwd=self.base_dir), f"createdb {name}")
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop a database (terminating its connections)."""
        if not _DB_NAME_RE.match(name):
            msg = f"invalid database name {name!r}"
            raise ValueError(msg)
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def is_running(self) -> bool:
        if self._stopped:
            return False
        argv = _command(
            self.bin_dir, "pg_isready", "-q", "-h", self.host, "-p", str(self.port), "-t", "1"
        )
        return _run(argv, cwd=self.base_dir, timeout=10).returncode == 0

    def stop(self) -> None:
        """Stop the server immediately and delete its directory (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        if self.data_dir.exists():
            argv = _command(
                self.bin_dir, "pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"
            )
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                _run(argv, cwd=self.base_dir)
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _start_once(
    base_dir: Path,
    bin_dir: Path,
    host: str,
    database: str,
    settings: Mapping[str, str],
) -> PostgresCluster:
    port = _free_port(host)
    cluster = PostgresCluster(
        host=host, port=port, base_dir=base_dir, bin_dir=bin_dir, database=database
    )
    conf_lines = {
        "listen_addresses": f"'{host}'",
        "port": str(port),
        "unix_socket_directories": f"'{base_dir}'",
        "fsync": "off",
        "full_page_writes": "off",
        "synchronous_commit": "off",
        "max_connections": "100",
        "timezone": "'UTC'",
        "log_min_messages": "warning",
        **settings,
    }
    with (cluster.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n# throwaway test cluster\n")
        conf.writelines(f"{key} = {value}\n" for key, value in conf_lines.items())
    start = _command(
        bin_dir,
        "pg_ctl",
        "-D",
        str(cluster.data_dir),
        "-l",
        str(cluster.log_file),
        "-w",
        "-t",
        "30",
        "start",
    )
    _check(_run(start, cwd=base_dir), "pg_ctl start", cluster.log_file)
    return cluster


def start_postgres(
    tmp_dir: Path | None = None,
    *,
    bin_dir: Path = DEFAULT_BIN_DIR,
    host: str = "127.0.0.1",
    database: str = "test",
    settings: Mapping[str, str] | None = None,
) -> PostgresCluster:
    """Create, start and return a throwaway cluster with an empty ``database``.

    ``tmp_dir`` is the preferred parent of the cluster directory (used only if the
    postgres OS user can reach it; otherwise the system temp dir is used). Extra
    ``postgresql.conf`` ``settings`` are written verbatim (quote string values).
    Call ``stop()`` (or use the result as a context manager) to tear it down.
    """
    reason = postgres_unavailable_reason(bin_dir)
    if reason is not None:
        raise PostgresStartError(reason)
    started_at = time.monotonic()
    base_dir = _make_cluster_dir(tmp_dir)
    try:
        initdb = _command(
            bin_dir,
            "initdb",
            "-D",
            str(base_dir / "data"),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        _check(_run(initdb, cwd=base_dir), "initdb")
        pristine_conf = (base_dir / "data" / "postgresql.conf").read_text(encoding="utf-8")
        last_error: PostgresStartError | None = None
        for _attempt in range(_START_ATTEMPTS):
            try:
                cluster = _start_once(base_dir, bin_dir, host, database, settings or {})
                break
            except PostgresStartError as exc:  # most likely the free port was taken meanwhile
                last_error = exc
                (base_dir / "data" / "postgresql.conf").write_text(pristine_conf, encoding="utf-8")
        else:
            assert last_error is not None
            raise last_error
        atexit.register(cluster.stop)
        try:
            cluster.create_database(database)
        except BaseException:
            cluster.stop()
            raise
    except BaseException:
        if base_dir.exists():
            stop = _command(
                bin_dir, "pg_ctl", "-D", str(base_dir / "data"), "-m", "immediate", "stop"
            )
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                _run(stop, cwd=Path("/"))
            shutil.rmtree(base_dir, ignore_errors=True)
        raise
    cluster.startup_seconds = time.monotonic() - started_at
    return cluster
