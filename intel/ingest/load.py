"""Set-based writes of normalised rows: PostgreSQL COPY, never a row-by-row ORM save.

Under an advisory lock per agency and kind, the rows are compared with what is stored by
``(source_id, row_hash)``: new rows are copied straight into the table, changed rows go through a
temporary staging table (their before-image saved for rollback, then one UPDATE ... FROM), and
unchanged rows are not touched at all. A record's parts (offenses, charges, victims) follow
it: new records get their ids from the table's sequence before the COPY, so their parts can be
written without reading the records back; a changed record's parts are replaced, their
before-images saved with the record's.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.apps import apps
from django.db import connection, models
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from intel.ingest.fields import KINDS
from intel.ingest.fold import PARTS
from intel.ingest.normalize import Normalised


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    folded: int = 0
    parts: int = 0


def _columns(model: type[models.Model]) -> list[models.Field]:  # type: ignore[type-arg]
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _reserve_ids(cursor: Any, table: str, count: int) -> np.ndarray:
    """``count`` ids from the table's own sequence, as INSERTs would take them (so rows written
    meanwhile by anyone else never collide). Usually one contiguous run, read as its ends; the
    ids themselves only when other sessions took some in between."""
    if count == 0:
        return np.empty(0, dtype=np.int64)
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    # The sequence is a parameter (a constant), not looked up again for every id.
    cursor.execute(
        "SELECT min(id), max(id), CASE WHEN max(id) - min(id) + 1 <> count(*) "
        "THEN array_agg(id ORDER BY id) END "
        "FROM (SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) AS reserved",
        [sequence, count],
    )
    low, high, scattered = cursor.fetchone()
    if scattered is None:
        return np.arange(low, high + 1, dtype=np.int64)
    return np.array(scattered, dtype=np.int64)


def _complete(
    frame: pd.DataFrame, model: type[models.Model], fixed: dict[str, object]
) -> pd.DataFrame:
    """Every concrete column, in table order: from the rows, the fixed values, or the default."""
    data: dict[str, object] = {}
    for field in _columns(model):
        name = str(field.column)  # a concrete field always has its column
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
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            # Arrow's CSV writer formats a zoned timestamp through the time-zone database, one
            # value at a time (most of the COPY's CPU): written here as UTC text instead.
            utc = pc.cast(table.column(i), pa.timestamp(field.type.unit))
            text = pc.binary_join_element_wise(pc.cast(utc, pa.string()), "+00", "")
            table = table.set_column(i, field.name, text)
    buffer = io.BytesIO()
    pacsv.write_csv(
        table,
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
    read what is stored: ``source_id``, ``id``, ``stored_hash`` (a COPY parsed by Arrow: a
    million stored records are read without a Python object each)."""
    table = apps.get_model("intel", KINDS[kind].model)._meta.db_table
    buffer = io.BytesIO()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"csu-import:{agency_id}:{kind}"]
        )
        with cursor.copy(
            f'COPY (SELECT source_id, id, row_hash FROM "{table}" '  # noqa: S608
            f"WHERE source_agency_id = {int(agency_id)}) TO STDOUT WITH (FORMAT csv)"
        ) as copy:
            for chunk in copy:
                buffer.write(chunk)
    if not buffer.getbuffer().nbytes:  # nothing stored yet (Arrow refuses an empty CSV)
        return pd.DataFrame(
            {
                "source_id": pd.Series([], dtype="str"),
                "id": pd.Series([], dtype="Int64"),
                "stored_hash": pd.Series([], dtype="Int64"),
            }
        )
    rows = pacsv.read_csv(
        io.BytesIO(buffer.getvalue()),
        read_options=pacsv.ReadOptions(column_names=["source_id", "id", "stored_hash"]),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types={"source_id": pa.string(), "id": pa.int64(), "stored_hash": pa.int64()},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return rows.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def load(
    *,
    import_id: int,
    agency_id: int,
    kind: str,
    batches: Iterable[Normalised],
    total: int,
    new_records: int,
    progress: Callable[[str, int, int], None],
) -> LoadCounts:
    """Write new and changed records, batch by batch (``batches`` hold no unchanged records),
    then their parts.

    New records stream into one COPY through a writer thread, so the next batch is normalised
    here while PostgreSQL ingests the previous one; the parts' rows are made ready meanwhile.
    Changed records and the parts follow. The caller holds the transaction and the lock
    (``stored_rows``). ``new_records`` is how many records are not stored yet (at most): their
    ids are taken before the COPY starts, since the connection can run nothing else while it
    lasts.
    """
    model = apps.get_model("intel", KINDS[kind].model)
    table = model._meta.db_table
    counts = LoadCounts()
    now = timezone.now()
    fixed = {
        "source_agency_id": agency_id,
        "data_import_id": import_id,
        "created_at": now,
        "updated_at": now,
    }
    columns = ", ".join(f'"{f.column}"' for f in [model._meta.pk, *_columns(model)])
    changed_batches: list[pd.DataFrame] = []
    part_rows: list[bytes] = []  # CSV for COPY, batch by batch
    done = 0
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        reserved, taken = _reserve_ids(cursor, table, new_records), 0
        statement = f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)'
        with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
            for batch in batches:
                records = batch.records
                done += len(records)
                counts.folded += batch.folded
                if records.empty:
                    continue
                ids = records["stored_id"].to_numpy(dtype=np.int64, copy=True)
                is_new = ids < 0
                if is_new.any():
                    new_ids = reserved[taken : taken + int(is_new.sum())]
                    if len(new_ids) < is_new.sum():
                        raise RuntimeError("more new records than ids reserved for them")
                    taken += len(new_ids)
                    ids[is_new] = new_ids
                    complete = _complete(
                        records[is_new], model, {**fixed, "first_import_id": import_id}
                    )
                    complete.insert(0, "id", new_ids)
                    copy.write(_csv(complete))
                    counts.created += int(is_new.sum())
                if not is_new.all():
                    changed_batches.append(records[~is_new].assign(id=ids[~is_new]))
                if batch.parts is not None:
                    part_rows.append(_part_rows(kind, batch.parts, ids))
                    counts.parts += len(batch.parts)
                progress("writing records", done, total)
        if changed_batches:
            changed = pd.concat(changed_batches)
            counts.updated = len(changed)
            progress("updating changed records", 0, len(changed))
            _update(cursor, table, model, changed, fixed, import_id)
        if part_rows and kind in PARTS:
            progress("writing offenses, charges and victims", 0, 0)
            _write_parts(cursor, kind, part_rows, changed_batches, import_id)
    return counts


def _part_rows(kind: str, parts: pd.DataFrame, record_ids: np.ndarray) -> bytes:
    """A batch's parts as CSV for COPY, each with the id of its record (``record`` is the
    record's position in the batch, ``record_ids`` the ids of the batch's records)."""
    spec = PARTS[kind]
    rows = parts.drop(columns=["source_id", "record"])
    rows[spec.parent_column] = record_ids[parts["record"].to_numpy()]
    return _csv(_complete(rows, apps.get_model("intel", spec.model), {}))


def _update(
    cursor: Any,
    table: str,
    model: type[models.Model],
    changed: pd.DataFrame,
    fixed: dict[str, object],
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


def _write_parts(
    cursor: Any,
    kind: str,
    rows: list[bytes],
    changed_batches: list[pd.DataFrame],
    import_id: int,
) -> None:
    """Write the parts of every record this import created or changed (``rows``: CSV from
    ``_part_rows``), in one COPY. A changed record's old parts are saved (before-images, for
    rollback) and replaced."""
    spec = PARTS[kind]
    model = apps.get_model("intel", spec.model)
    table = model._meta.db_table
    if changed_batches:
        changed_ids = [int(i) for b in changed_batches for i in b["id"]]
        cursor.execute(
            'INSERT INTO intel_importchange (data_import_id, "table", record_id, before) '  # noqa: S608
            f'SELECT %s, %s, p.id, to_jsonb(p) FROM "{table}" p WHERE p."{spec.parent_column}" '
            "= ANY(%s)",
            [import_id, table, changed_ids],
        )
        cursor.execute(
            f'DELETE FROM "{table}" WHERE "{spec.parent_column}" = ANY(%s)',  # noqa: S608
            [changed_ids],
        )
    columns = ", ".join(f'"{f.column}"' for f in _columns(model))
    with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN WITH (FORMAT csv)') as copy:
        for chunk in rows:
            copy.write(chunk)
