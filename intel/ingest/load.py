"""Set-based writes of normalised rows: PostgreSQL COPY, never a row-by-row ORM save.

Under an advisory lock per agency and kind, the rows are compared with what is stored by
``(source_id, row_hash)``: new rows are copied straight into the table, changed rows go through a
temporary staging table (their before-image saved for rollback, then one UPDATE ... FROM), and
unchanged rows are not touched at all. Arrest charges follow their arrests.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from intel.ingest.fields import KINDS


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _complete(frame: pd.DataFrame, model: type[models.Model], fixed: dict) -> pd.DataFrame:
    """Every concrete column, in table order: from the rows, the fixed values, or the default."""
    data = {}
    for field in _columns(model):
        name = field.column
        if name in frame.columns:
            data[name] = frame[name]
        elif name in fixed:
            data[name] = fixed[name]
        elif field.name in frame.columns:
            data[name] = frame[field.name]
        else:
            default = field.get_default() if field.has_default() else None
            if default is None and not field.null:
                default = ""
            if isinstance(default, dict | list):
                import json

                default = json.dumps(default)
            data[name] = default
    out = pd.DataFrame(data, index=frame.index)
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.floor("us").dt.as_unit("us")
    return out


def _copy(cursor, table: str, frame: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """COPY a frame (columns named as the table's) in CSV produced by Arrow (C++, fast)."""
    if frame.empty:
        return
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pacsv.write_csv(arrow, buffer, pacsv.WriteOptions(include_header=False,
                                                       quoting_style="needed"))
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)') as copy:
        view = buffer.getbuffer()
        step = 8 << 20
        for start in range(0, len(view), step):
            copy.write(view[start:start + step])


def load(*, import_id: int, agency_id: int, kind: str, records: pd.DataFrame,
         charges: pd.DataFrame | None, progress: Callable[[str, int, int], None]) -> LoadCounts:
    """Write the rows; the caller holds the transaction."""
    model = apps.get_model("intel", KINDS[kind].model)
    table = model._meta.db_table
    counts = LoadCounts()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))",
                       [f"csu-import:{agency_id}:{kind}"])
        progress("comparing with stored records", 0, len(records))
        cursor.execute(f'SELECT source_id, id, row_hash FROM "{table}" '  # noqa: S608
                       "WHERE source_agency_id = %s", [agency_id])
        stored = pd.DataFrame(cursor.fetchall(), columns=["source_id", "id", "stored_hash"])
        merged = records.merge(stored, on="source_id", how="left")
        merged.index = records.index
        is_new = merged["id"].isna()
        is_changed = ~is_new & (merged["stored_hash"] != merged["row_hash"])
        counts.created = int(is_new.sum())
        counts.updated = int(is_changed.sum())
        counts.unchanged = len(records) - counts.created - counts.updated
        now = timezone.now()
        fixed = {"source_agency_id": agency_id, "data_import_id": import_id,
                 "created_at": now, "updated_at": now}

        new_rows = records[is_new]
        progress("writing new records", 0, len(new_rows))
        _copy(cursor, table, _complete(new_rows, model, {**fixed, "first_import_id": import_id}))
        progress("writing new records", len(new_rows), len(new_rows))

        changed = records[is_changed].assign(id=merged.loc[is_changed, "id"].astype("int64"))
        if not changed.empty:
            progress("updating changed records", 0, len(changed))
            _update(cursor, table, model, changed, fixed, import_id)
            progress("updating changed records", len(changed), len(changed))
        if charges is not None:
            _charges(cursor, table, charges, records[is_new | is_changed], import_id)
    return counts


def _update(cursor, table: str, model, changed: pd.DataFrame, fixed: dict,  # type: ignore[no-untyped-def]
            import_id: int) -> None:
    staging = f"csu_stage_{import_id}"
    complete = _complete(changed, model, fixed)
    complete.insert(0, "id", changed["id"])
    # first_import_id and created_at keep their stored values.
    keep = {"first_import_id", "created_at", "source_agency_id", "source_id"}
    cursor.execute(f'CREATE TEMP TABLE "{staging}" (LIKE "{table}" INCLUDING DEFAULTS) '
                   "ON COMMIT DROP")
    _copy(cursor, staging, complete)
    cursor.execute(
        "INSERT INTO intel_importchange (data_import_id, \"table\", record_id, before) "  # noqa: S608
        f'SELECT %s, %s, t.id, to_jsonb(t) FROM "{table}" t JOIN "{staging}" s ON s.id = t.id',
        [import_id, table],
    )
    assignments = ", ".join(f'"{c}" = s."{c}"' for c in complete.columns
                            if c != "id" and c not in keep)
    cursor.execute(f'UPDATE "{table}" t SET {assignments} FROM "{staging}" s '  # noqa: S608
                   "WHERE t.id = s.id")


def _charges(cursor, table: str, charges: pd.DataFrame, written: pd.DataFrame,  # type: ignore[no-untyped-def]
             import_id: int) -> None:
    """Replace the charges of every arrest this import created or changed."""
    from intel.models import ArrestCharge

    if written.empty:
        return
    cursor.execute(f'SELECT source_id, id FROM "{table}" WHERE data_import_id = %s',  # noqa: S608
                   [import_id])
    ids = dict(cursor.fetchall())
    mine = charges[charges["source_id"].isin(written["source_id"])].copy()
    mine["arrest_id"] = mine["source_id"].map(ids).astype("int64")
    cursor.execute("DELETE FROM intel_arrestcharge WHERE arrest_id = ANY(%s)",
                   [list(mine["arrest_id"].unique())])
    _copy(cursor, ArrestCharge._meta.db_table,
          _complete(mine.drop(columns=["source_id"]), ArrestCharge, {}))
