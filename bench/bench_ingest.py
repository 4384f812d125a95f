"""Import of a generated 1,000,000-row incident extract, end to end through ``import_extract``,
against two baselines measured in the same run on the same rows:

(a) raw COPY of the rows already typed into a twin of the incidents table with the same columns
    and indexes (``CREATE TABLE ... (LIKE intel_incident INCLUDING ALL)``): what any load into
    that table must pay;
(b) raw COPY of the file's bytes into an unindexed all-text table: the cost of moving the bytes.

Targets: first import <= 1.5 x (a); the same rows reordered in a new file <= 1 x (a); an
overlapping extract (half the rows again, 10 % of those changed, half new) <= 1.5 x (a); peak
memory <= 2 GB. Imports run as the real command in a child process (its peak RSS is measured).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import psutil
from django.db import connection

from bench.extract_generator import generate, write
from bench.support import settings_report

ROWS = int(os.environ.get("CSU_BENCH_ROWS", "1000000"))
ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    s = connection.settings_dict
    host = quote(s["HOST"], safe="") if s["HOST"].startswith("/") else s["HOST"]
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgresql://{s['USER'] or 'postgres'}@{host}{port}/{s['NAME']}"


def _import(path: Path) -> tuple[dict, float, int]:
    """Run ``import_extract`` in a child process; its summary, wall time and peak RSS."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "csu.settings.local",
    }
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "import_extract",
            str(path),
            "--kind",
            "incidents",
            "--agency",
            "Bench PD",
            "--time-zone",
            "America/Chicago",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak = [0]

    def watch() -> None:
        process = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                rss = process.memory_info().rss + sum(
                    c.memory_info().rss for c in process.children(recursive=True)
                )
                peak[0] = max(peak[0], rss)
            except psutil.Error:
                pass
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, _ = proc.communicate()
    watcher.join()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"import failed: {out[-2000:]}")
    return json.loads(out.strip().splitlines()[-1]), seconds, peak[0]


def _baseline_typed(cursor, typed_csv: bytes) -> float:  # type: ignore[no-untyped-def]
    cursor.execute("DROP TABLE IF EXISTS bench_twin")
    cursor.execute("CREATE TABLE bench_twin (LIKE intel_incident INCLUDING ALL)")
    columns = ", ".join(f'"{c}"' for c in _typed_columns())
    started = time.perf_counter()
    with cursor.copy(f"COPY bench_twin ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(typed_csv)
    connection.commit() if not connection.get_autocommit() else None
    return time.perf_counter() - started


def _typed_columns() -> list[str]:
    from intel.models import Incident

    return [f.column for f in Incident._meta.concrete_fields if not f.primary_key]


def _typed_rows() -> bytes:
    """The final rows as the importer writes them, from the table after the first import."""
    import io

    buffer = io.BytesIO()
    columns = ", ".join(f'"{c}"' for c in _typed_columns())
    with (
        connection.cursor() as django_cursor,
        django_cursor.cursor.copy(
            f"COPY (SELECT {columns} FROM intel_incident) TO STDOUT WITH (FORMAT csv)"
        ) as copy,
    ):
        for chunk in copy:
            buffer.write(chunk)
    return buffer.getvalue()


def _baseline_text(cursor, path: Path, headers: list[str]) -> float:  # type: ignore[no-untyped-def]
    cursor.execute("DROP TABLE IF EXISTS bench_text")
    cursor.execute(
        "CREATE TABLE bench_text (" + ", ".join(f'"c{i}" text' for i in range(len(headers))) + ")"
    )
    started = time.perf_counter()
    with (
        cursor.copy("COPY bench_text FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        open(path, "rb") as handle,
    ):
        while chunk := handle.read(8 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        frame = generate(ROWS)
        first_file = write(frame, folder / "incidents.csv")
        reordered = write(frame.sample(frac=1, random_state=3), folder / "reordered.csv")
        half = ROWS // 2
        overlap = frame.iloc[half:].copy()
        changed = overlap.sample(frac=0.10, random_state=5).index
        overlap.loc[changed, "Description"] = "RECLASSIFIED"
        fresh = generate(ROWS - len(overlap), seed=11, start_id=10_000_000 + ROWS)
        overlap = pd.concat([overlap, fresh], ignore_index=True)
        overlap_file = write(overlap, folder / "overlap.csv")
        size = first_file.stat().st_size
        print(
            f"   generated {ROWS:,} rows ({size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - started:.1f} s"
        )

        first, t_first, m_first = _import(first_file)
        typed = _typed_rows()
        with connection.cursor() as django_cursor:
            cursor = django_cursor.cursor
            t_a = _baseline_typed(cursor, typed)
            t_b = _baseline_text(cursor, first_file, list(frame.columns))
            cursor.execute("DROP TABLE bench_twin; DROP TABLE bench_text")
        again, t_again, m_again = _import(reordered)
        over, t_over, m_over = _import(overlap_file)

    print(f"   postgres: {settings_report()}")
    print(f"   (a) COPY typed rows into the indexed twin: {t_a:.2f} s ({ROWS / t_a:,.0f} rows/s)")
    print(f"   (b) COPY the file into a text table:       {t_b:.2f} s ({ROWS / t_b:,.0f} rows/s)")
    for label, result, seconds, peak, target in (
        ("first import", first, t_first, m_first, 1.5),
        ("same rows reordered", again, t_again, m_again, 1.0),
        ("overlapping extract", over, t_over, m_over, 1.5),
    ):
        verdict = "meets" if seconds / t_a <= target else "MISSES"
        print(
            f"   {label:<20} {seconds:6.2f} s  {ROWS / seconds:>9,.0f} rows/s  "
            f"{seconds / t_a:4.2f} x (a)  {seconds / t_b:4.2f} x (b)  peak {peak / 2**30:.2f} GB"
            f"  [{verdict} <= {target} x (a)]  created {result['created']:,} updated "
            f"{result['updated']:,} unchanged {result['unchanged']:,}"
        )
    return {"a": t_a, "b": t_b, "first": t_first, "again": t_again, "overlap": t_over}
