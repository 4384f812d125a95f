"""Column-wide text operations in Arrow's C++ kernels (RE2 regexes, string joins, hash lookups),
for the hot paths where pandas' ``.str``, ``isin`` or ``map`` would fall back to a Python loop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow(column: pd.Series) -> pa.Array:
    values = column.array
    if hasattr(values, "_pa_array"):  # ArrowStringArray: no copy through Python objects
        return values._pa_array.combine_chunks().cast(pa.large_string())
    return pa.array(column.astype(str).tolist(), type=pa.large_string())


def positions(values: pd.Series, among: pd.Series | pd.Index) -> np.ndarray:
    """Where each of ``values`` first occurs in ``among`` (-1 where it does not): a record id
    looked up among other record ids with one hash join, where ``isin`` and ``map`` on Arrow
    strings turn the ids into Python objects one by one."""
    if len(values) == 0 or len(among) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    among_series = among if isinstance(among, pd.Series) else pd.Series(among)
    found = pc.index_in(arrow(values), value_set=arrow(among_series))
    return np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.int64)


def extract_floats(
    column: pd.Series, pattern: str, names: tuple[str, str]
) -> tuple[pd.Series, pd.Series]:
    """Two numbers captured by the named groups of an RE2 pattern; NaN where it does not match."""
    found = pc.extract_regex(arrow(column), pattern)
    out = []
    for name in names:
        text = pc.struct_field(found, name)
        numbers = pc.cast(pc.if_else(pc.equal(text, ""), None, text), pa.float64(), safe=False)
        out.append(
            pd.Series(numbers.to_numpy(zero_copy_only=False), index=column.index, dtype="float64")
        )
    return out[0], out[1]


def _escape(values: pa.Array) -> pa.Array:
    if not pc.any(pc.match_substring_regex(values, r'[\\"\x00-\x1f]')).as_py():
        return values  # the usual case: nothing to escape, no pass over the text
    for raw, escaped in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        values = pc.replace_substring(values, raw, escaped)
    # Other control characters cannot appear in a JSON string: drop them.
    return pc.replace_substring_regex(values, r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "")


def json_objects(frame: pd.DataFrame) -> pd.Series:
    """Each row as a JSON object of its text cells, built column-wise."""
    import json

    parts: list[pa.Array | str] = []
    for i, name in enumerate(frame.columns):
        key = json.dumps(str(name))
        parts.append(("{" if i == 0 else ",") + key + ':"')
        parts.append(_escape(arrow(frame[name])))
        parts.append('"')
    parts.append("}")
    arrays = [p if isinstance(p, pa.Array) else pa.scalar(p, type=pa.large_string()) for p in parts]
    joined = pc.binary_join_element_wise(*arrays, pa.scalar("", type=pa.large_string()))
    return pd.Series(pd.arrays.ArrowStringArray(joined), index=frame.index)
