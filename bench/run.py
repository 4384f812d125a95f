"""Run every benchmark in bench/ (``make bench``) or the ones named: ``bench/run.py audit``.

Each ``bench_<name>.py`` has ``run() -> dict`` and prints its own figures, always with a ratio
against a baseline measured in the same run on the same machine. These are measurements, not
tests: nothing here passes or fails on time.

A benchmark is registered by its file name: ``bench_person_search.py`` runs as
``bench/run.py person_search`` (alone) and with every other one under ``make bench``.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main(names: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csu.settings.local")
    from csu.embedded import ensure_services

    ensure_services()
    import django

    django.setup()
    from bench.support import bench_database

    available = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    chosen = names or available
    unknown = set(chosen) - set(available)
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have {', '.join(available)}")
        return 2
    with bench_database():
        for name in chosen:
            print(f"== {name}")
            started = time.perf_counter()
            importlib.import_module(f"bench.bench_{name}").run()
            print(f"   ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
