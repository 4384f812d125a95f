"""Benchmarks run in a scratch database created for the run and dropped after it."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from django.db import connection


@contextlib.contextmanager
def bench_database() -> Iterator[None]:
    from django.core.management import call_command
    from django.test.utils import setup_databases, teardown_databases

    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        call_command("migrate", verbosity=0)
        yield
    finally:
        connection.close()
        teardown_databases(old, verbosity=0)


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    """The fastest of ``repeats`` runs, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def settings_report() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name IN "
            "('shared_buffers','work_mem','maintenance_work_mem','max_wal_size',"
            "'synchronous_commit','wal_level') ORDER BY name"
        )
        return ", ".join(f"{n}={s}{u or ''}" for n, s, u in cursor.fetchall())
