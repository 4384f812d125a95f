"""Import of a generated 1,000,000-row incident extract, end to end through ``import_extract``,
against two baselines measured in the same run on the same rows:

(a) raw COPY of the rows already typed into a twin of the incidents table with the same columns
    and indexes (``CREATE TABLE ... (LIKE intel_incident INCLUDING ALL)``): what any load into
    that table must pay;
(b) raw COPY of the file's bytes into an unindexed all-text table: the cost of moving the bytes.

Targets: first import <= 1.5 x (a); the same rows reordered in a new file <= 1 x (a); an
overlapping extract (half the rows again, 10 % of those changed, half new) <= 1.5 x (a); peak
memory <= 2 GB. Imports run as the real command in a child process (its peak RSS is measured).

Two schemas: the benchmark's own (Chicago-like, one row per incident) and one the tests never
saw (Kansas City's, one row per offense and involved person, folded into incidents with their
offenses). Baseline (a) copies every typed row the import wrote: incidents and offenses.
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

from bench.extract_generator import generate, generate_per_offense, write
from bench.support import settings_report

ROWS = int(os.environ.get("CSU_BENCH_ROWS", "1000000"))
ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    s = connection.settings_dict
    host = quote(s["HOST"], safe="") if s["HOST"].startswith("/") else s["HOST"]
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgresql://{s['USER'] or 'postgres'}@{host}{port}/{s['NAME']}"


def _import(path: Path, agency: str) -> tuple[dict, float, int]:
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
            agency,
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


TABLES = ("intel_incident", "intel_incidentoffense")  # what an incident import writes


def _typed_columns(table: str) -> list[str]:
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _typed_rows() -> dict[str, bytes]:
    """The final rows as the importer wrote them (incidents and their offenses), read back
    from the tables after the first import."""
    import io

    rows = {}
    for table in TABLES:
        buffer = io.BytesIO()
        columns = ", ".join(f'"{c}"' for c in _typed_columns(table))
        with (
            connection.cursor() as django_cursor,
            django_cursor.cursor.copy(
                f"COPY (SELECT {columns} FROM {table}) TO STDOUT WITH (FORMAT csv)"  # noqa: S608
            ) as copy,
        ):
            for chunk in copy:
                buffer.write(chunk)
        rows[table] = buffer.getvalue()
    return rows


def _baseline_typed(cursor, typed: dict[str, bytes]) -> float:  # type: ignore[no-untyped-def]
    """COPY the typed rows into twins of the tables, with the same columns and indexes."""
    elapsed = 0.0
    for table, data in typed.items():
        twin = f"bench_twin_{table}"
        cursor.execute(f"DROP TABLE IF EXISTS {twin}")
        cursor.execute(f"CREATE TABLE {twin} (LIKE {table} INCLUDING ALL)")
        columns = ", ".join(f'"{c}"' for c in _typed_columns(table))
        started = time.perf_counter()
        with cursor.copy(f"COPY {twin} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(data)
        elapsed += time.perf_counter() - started
        cursor.execute(f"DROP TABLE {twin}")
    return elapsed


def _empty_tables() -> None:
    """Each scenario starts from empty incident tables (its own agency, its own baseline)."""
    with connection.cursor() as cursor:
        for table in ("intel_incidentoffense", "intel_incident", "intel_importchange"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608


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


def _scenario(
    label: str,
    folder: Path,
    frame: pd.DataFrame,
    overlap: pd.DataFrame,
    agency: str,
    *,
    reordered: bool,
) -> dict[str, float]:
    """First import, (optionally) the same rows reordered, then an overlapping extract, each
    against baselines (a) and (b) measured on this scenario's own rows."""
    _empty_tables()
    first_file = write(frame, folder / f"{agency}.csv")
    overlap_file = write(overlap, folder / f"{agency}-overlap.csv")
    first, t_first, m_first = _import(first_file, agency)
    typed = _typed_rows()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        t_a = _baseline_typed(cursor, typed)
        t_b = _baseline_text(cursor, first_file, list(frame.columns))
        cursor.execute("DROP TABLE bench_text")
    runs = [("first import", first, t_first, m_first, 1.5)]
    if reordered:
        again_file = write(frame.sample(frac=1, random_state=3), folder / f"{agency}-again.csv")
        again, t_again, m_again = _import(again_file, agency)
        runs.append(("same rows reordered", again, t_again, m_again, 1.0))
    over, t_over, m_over = _import(overlap_file, agency)
    runs.append(("overlapping extract", over, t_over, m_over, 1.5))
    rows = len(frame)
    print(f"   {label}: {rows:,} rows -> {first['created']:,} incidents "
          f"({first['folded']:,} further offenses), {first['parts']:,} offenses")  # fmt: skip
    print(f"   (a) COPY typed rows into indexed twins of {', '.join(TABLES)}: {t_a:.2f} s")
    print(f"   (b) COPY the file into a text table: {t_b:.2f} s ({rows / t_b:,.0f} rows/s)")
    for name, result, seconds, peak, target in runs:
        verdict = "meets" if seconds / t_a <= target else "MISSES"
        print(
            f"   {name:<20} {seconds:6.2f} s  {rows / seconds:>9,.0f} rows/s  "
            f"{seconds / t_a:4.2f} x (a)  {seconds / t_b:4.2f} x (b)  peak {peak / 2**30:.2f} GB"
            f"  [{verdict} <= {target} x (a)]  created {result['created']:,} updated "
            f"{result['updated']:,} unchanged {result['unchanged']:,}"
        )
    return {"a": t_a, "b": t_b, **{name: seconds for name, _r, seconds, _p, _t in runs}}


def run() -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        # The benchmark's own schema (Chicago-like, one row per incident).
        frame = generate(ROWS)
        half = ROWS // 2
        overlap = frame.iloc[half:].copy()
        changed = overlap.sample(frac=0.10, random_state=5).index
        overlap.loc[changed, "Description"] = "RECLASSIFIED"
        fresh = generate(ROWS - len(overlap), seed=11, start_id=10_000_000 + ROWS)
        overlap = pd.concat([overlap, fresh], ignore_index=True)
        # A schema the tests never saw: Kansas City's, one row per offense and person. The
        # overlap holds the second half of the incidents again (10 % of them with an offense
        # corrected) and as many new ones.
        kc = generate_per_offense(ROWS)
        ids = kc["Report_No"].unique()
        later = kc[kc["Report_No"].isin(ids[len(ids) // 2 :])].copy()
        corrected = pd.Series(ids[len(ids) // 2 :]).sample(frac=0.10, random_state=5)
        lead_rows = later["Report_No"].isin(corrected) & ~later["Report_No"].duplicated()
        later.loc[lead_rows, ["Offense", "IBRS"]] = ["Kidnapping/Abduction", "100"]
        kc_fresh = generate_per_offense(ROWS - len(later), seed=11, start_id=210_000_000 + len(ids))
        kc_overlap = pd.concat([later, kc_fresh], ignore_index=True)
        print(f"   generated the extracts in {time.perf_counter() - started:.1f} s")
        results = {
            "own schema": _scenario(
                "generated Chicago-like extract", folder, frame, overlap, "Bench PD",
                reordered=True,
            ),
            "unseen schema": _scenario(
                "KC-shaped extract (one row per offense and person)", folder, kc, kc_overlap,
                "Bench KCPD", reordered=False,
            ),
        }  # fmt: skip
    print(f"   postgres: {settings_report()}")
    return results
