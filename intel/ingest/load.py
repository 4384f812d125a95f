"""Set-based writes of normalised rows: PostgreSQL COPY, never a row-by-row ORM save.

Under an advisory lock per agency and kind, the rows are compared with what is stored by
``(source_id, row_hash)``: new rows are copied straight into the table, changed rows go through a
temporary staging table (their before-image saved for rollback, then one UPDATE ... FROM), and
unchanged rows are not touched at all. Arrest charges follow their arrests.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from django.apps import apps
from django.db import connection, models
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from intel.ingest.fields import KINDS
from intel.ingest.normalize import Normalised


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


def _csv(frame: pd.DataFrame) -> bytes:
    """CSV for COPY, produced by Arrow (C++); nulls unquoted, empty strings quoted."""
    buffer = io.BytesIO()
    pacsv.write_csv(
        pa.Table.from_pandas(frame, preserve_index=False),
        buffer,
        pacsv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    return buffer.getvalue()


def _copy(cursor, table: str, frame: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    if frame.empty:
        return
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)') as copy:
        copy.write(_csv(frame))


def stored_rows(*, agency_id: int, kind: str) -> pd.DataFrame:
    """Take the import lock for this agency and kind (held to the end of the transaction), then
    read what is stored: ``source_id``, ``id``, ``stored_hash``."""
    table = apps.get_model("intel", KINDS[kind].model)._meta.db_table
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"csu-import:{agency_id}:{kind}"]
        )
        cursor.execute(
            f'SELECT source_id, id, row_hash FROM "{table}" '  # noqa: S608
            "WHERE source_agency_id = %s",
            [agency_id],
        )
        return pd.DataFrame(cursor.fetchall(), columns=["source_id", "id", "stored_hash"])


def load(
    *,
    import_id: int,
    agency_id: int,
    kind: str,
    parts: Iterable[Normalised],
    stored: pd.DataFrame,
    total: int,
    progress: Callable[[str, int, int], None],
) -> LoadCounts:
    """Write new and changed rows, part by part (``parts`` hold no unchanged rows).

    New rows stream into one COPY through a writer thread, so the next part is normalised here
    while PostgreSQL ingests the previous one. Changed rows and arrest charges follow. The
    caller holds the transaction and the lock (``stored_rows``).
    """
    model = apps.get_model("intel", KINDS[kind].model)
    table = model._meta.db_table
    counts = LoadCounts()
    stored_ids = pd.Series(stored["id"].to_numpy(), index=stored["source_id"].to_numpy())
    now = timezone.now()
    fixed = {
        "source_agency_id": agency_id,
        "data_import_id": import_id,
        "created_at": now,
        "updated_at": now,
    }
    columns = ", ".join(f'"{f.column}"' for f in _columns(model))
    changed_parts: list[pd.DataFrame] = []
    charge_parts: list[pd.DataFrame] = []
    written: list[pd.Series] = []
    done = 0
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        statement = f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)'
        with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
            for part in parts:
                records = part.records
                done += len(records)
                if records.empty:
                    continue
                ids = records["source_id"].map(stored_ids)
                is_new = ids.isna().to_numpy()
                if is_new.any():
                    copy.write(
                        _csv(
                            _complete(
                                records[is_new], model, {**fixed, "first_import_id": import_id}
                            )
                        )
                    )
                    counts.created += int(is_new.sum())
                if not is_new.all():
                    changed_parts.append(records[~is_new].assign(id=ids[~is_new].astype("int64")))
                if part.charges is not None:
                    charge_parts.append(part.charges)
                written.append(records["source_id"])
                progress("writing records", done, total)
        if changed_parts:
            changed = pd.concat(changed_parts)
            counts.updated = len(changed)
            progress("updating changed records", 0, len(changed))
            _update(cursor, table, model, changed, fixed, import_id)
        if charge_parts:
            _charges(cursor, table, pd.concat(charge_parts), pd.concat(written), import_id)
    return counts


def _update(
    cursor,
    table: str,
    model,
    changed: pd.DataFrame,
    fixed: dict,  # type: ignore[no-untyped-def]
    import_id: int,
) -> None:
    staging = f"csu_stage_{import_id}"
    complete = _complete(changed, model, fixed)
    complete.insert(0, "id", changed["id"])
    # first_import_id and created_at keep their stored values.
    keep = {"first_import_id", "created_at", "source_agency_id", "source_id"}
    cursor.execute(
        f'CREATE TEMP TABLE "{staging}" (LIKE "{table}" INCLUDING DEFAULTS) ON COMMIT DROP'
    )
    _copy(cursor, staging, complete)
    cursor.execute(
        'INSERT INTO intel_importchange (data_import_id, "table", record_id, before) '  # noqa: S608
        f'SELECT %s, %s, t.id, to_jsonb(t) FROM "{table}" t JOIN "{staging}" s ON s.id = t.id',
        [import_id, table],
    )
    assignments = ", ".join(
        f'"{c}" = s."{c}"' for c in complete.columns if c != "id" and c not in keep
    )
    cursor.execute(
        f'UPDATE "{table}" t SET {assignments} FROM "{staging}" s '  # noqa: S608
        "WHERE t.id = s.id"
    )


def _charges(
    cursor,
    table: str,
    charges: pd.DataFrame,
    written: pd.Series,  # type: ignore[no-untyped-def]
    import_id: int,
) -> None:
    """Replace the charges of every arrest this import created or changed."""
    from intel.models import ArrestCharge

    if written.empty:
        return
    cursor.execute(
        f'SELECT source_id, id FROM "{table}" WHERE data_import_id = %s',  # noqa: S608
        [import_id],
    )
    ids = dict(cursor.fetchall())
    mine = charges[charges["source_id"].isin(written)].copy()
    mine["arrest_id"] = mine["source_id"].map(ids).astype("int64")
    cursor.execute(
        "DELETE FROM intel_arrestcharge WHERE arrest_id = ANY(%s)",
        [list(mine["arrest_id"].unique())],
    )
    _copy(
        cursor,
        ArrestCharge._meta.db_table,
        _complete(mine.drop(columns=["source_id"]), ArrestCharge, {}),
    )
