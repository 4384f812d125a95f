"""intel.ingest.reading: hostile files are refused with a message a person can act on; real police
extracts read with the right headers, row counts and source row numbers; messy-but-honest CSV and
XLSX (encodings, delimiters, junk lines, blank rows, quoted newlines) read correctly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from intel.ingest import csv_reader
from intel.ingest.reading import (
    Extract,
    ExtractError,
    read_extract,
    safe_upload_name,
    sniff_file_type,
)
from tests.fixtures.make_hostile import SHEET_DATA, sheet_xml, xlsx_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HOSTILE = FIXTURES / "hostile"
EXTRACTS = FIXTURES / "extracts"
REAL = Path(__file__).resolve().parents[1] / "data" / "real"
DC = "dc_stop_frisk_2017.xlsx"
DC_SHEETS = ["S&F Incident Report", "Field Contact (stop data)"]


def too_many_entries() -> bytes:
    names = {f"xl/media/image{i}.png": b"x" for i in range(1001)}
    return xlsx_bytes(extra=names)


def unpacks_too_big() -> bytes:
    """20 parts of 900 KB of spaces: each under the 1 MB ratio threshold, 18 MB in all."""
    parts = {f"xl/customXml/item{i}.xml": b" " * 900_000 for i in range(20)}
    return xlsx_bytes(extra=parts)


# file -> (expected code, max_bytes); files built at test time have a maker.
HOSTILE_CASES: dict[str, tuple[str, int | None]] = {
    "exe_renamed.csv": ("not_csv_or_xlsx", None),
    "elf_renamed.csv": ("not_csv_or_xlsx", None),
    "report_pdf.csv": ("not_csv_or_xlsx", None),
    "mugshot_png.csv": ("not_csv_or_xlsx", None),
    "photo_jpeg.xlsx": ("not_csv_or_xlsx", None),
    "gzip_renamed.csv": ("not_csv_or_xlsx", None),
    "word_document.xlsx": ("not_csv_or_xlsx", None),
    "legacy_xls_renamed.xlsx": ("xls_legacy", None),
    "empty.csv": ("empty", None),
    "whitespace_only.csv": ("empty", None),
    "header_only.csv": ("header_only", None),
    "header_then_blank_rows.csv": ("header_only", None),
    "ragged_rows.csv": ("ragged_rows", None),
    "nul_bytes.csv": ("nul_bytes", None),
    "random_binary.csv": ("encoding", None),
    "no_header.csv": ("no_header", None),
    "hyperlink_formula.csv": ("formula_cells", None),
    "dde_formula.csv": ("formula_cells", None),
    "at_sum_formula.csv": ("formula_cells", None),
    "unclosed_quote.csv": ("bad_quoting", None),
    "too_large.csv": ("too_large", 1024),
    "zip_bomb.xlsx": ("zip_bomb", None),
    "billion_laughs.xlsx": ("xml_entities", None),
    "xxe.xlsx": ("xml_entities", None),
    "xxe_after_64kb.xlsx": ("xml_entities", None),  # past the pre-scan: defusedxml refuses it
    "formula_cells.xlsx": ("formula_cells", None),
    "generated/too_many_entries.xlsx": ("zip_bomb", None),
    "generated/unpacks_too_big.xlsx": ("zip_bomb", 100_000),
}
MAKERS: dict[str, Callable[[], bytes]] = {
    "generated/too_many_entries.xlsx": too_many_entries,
    "generated/unpacks_too_big.xlsx": unpacks_too_big,
}
UNHELPFUL = ("Error(", "Traceback", "Exception", "errno", "\n", "None", "b'", "0x")


def hostile_path(name: str, tmp_path: Path) -> Path:
    if name in MAKERS:
        path = tmp_path / Path(name).name
        path.write_bytes(MAKERS[name]())
        return path
    return HOSTILE / name


def refusal(name: str, tmp_path: Path) -> ExtractError:
    code, max_bytes = HOSTILE_CASES[name]
    with pytest.raises(ExtractError) as caught:
        read_extract(hostile_path(name, tmp_path), max_bytes=max_bytes)
    return caught.value


def is_clear(error: ExtractError) -> bool:
    """A person can act on it: a real sentence, no programmer's words, says what to do."""
    text = error.message
    return (
        len(text) >= 30
        and not any(word in text for word in UNHELPFUL)
        and any(verb in text.lower() for verb in ("upload", "export", "save"))
    )


def write(tmp_path: Path, data: bytes | str, name: str = "extract.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def rows(extract: Extract) -> list[list[str]]:
    return extract.frame.to_numpy().tolist()


# 1. Hostile files ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(HOSTILE_CASES))
def test_hostile_file_is_refused_with_a_clear_error(name: str, tmp_path: Path) -> None:
    error = refusal(name, tmp_path)
    assert error.code == HOSTILE_CASES[name][0], error.message
    assert is_clear(error), error.message


def test_hostile_corpus_figure(tmp_path: Path) -> None:
    committed = {p.name for p in HOSTILE.iterdir()}
    assert committed == {n for n in HOSTILE_CASES if n not in MAKERS}  # every file is checked
    assert sum(p.stat().st_size for p in HOSTILE.iterdir()) < 200_000
    refused = 0
    for name, (code, _) in HOSTILE_CASES.items():
        error = refusal(name, tmp_path)
        refused += error.code == code and is_clear(error)
    print(f"\nhostile files: {len(HOSTILE_CASES)} tried, {refused} refused with a clear error")  # noqa: T201
    assert refused == len(HOSTILE_CASES) >= 16


def test_errors_name_the_offending_rows_and_cells() -> None:
    with pytest.raises(ExtractError) as ragged:
        read_extract(HOSTILE / "ragged_rows.csv")
    assert ragged.value.details == ["row 3: 4 values"]
    with pytest.raises(ExtractError) as nul:
        read_extract(HOSTILE / "nul_bytes.csv")
    assert nul.value.details == ["line 3", "line 4"]
    with pytest.raises(ExtractError) as formulas:
        read_extract(HOSTILE / "formula_cells.xlsx")
    assert formulas.value.details == ["Sheet1!C5", "Sheet1!B6"]
    with pytest.raises(ExtractError) as link:
        read_extract(HOSTILE / "hyperlink_formula.csv")
    assert link.value.details == ['row 3, column "Notes"']


def test_ragged_details_list_the_first_five(tmp_path: Path) -> None:
    lines = ["a,b,c"] + [f"{i},x,y" + (",extra" * (i % 3 == 0)) for i in range(1, 40)]
    with pytest.raises(ExtractError) as caught:
        read_extract(write(tmp_path, "\n".join(lines)))
    assert caught.value.code == "ragged_rows"
    assert caught.value.details == [f"row {n}: 4 values" for n in (4, 7, 10, 13, 16)]
    assert "13 row(s)" in caught.value.message


def test_formula_lookalikes_are_plain_values(tmp_path: Path) -> None:
    values = [
        "-5",
        "+1 555 0100",
        "= 3 (approx)",
        "--SUSPICIOUS (DAMG)",
        "-87.63",
        "a=b(c)",
        "@home",
        "=5",
        "email@example.com",
        "|pipe|",
    ]
    data = "Value\n" + "\n".join(f'"{v}"' for v in values) + "\n"
    assert rows(read_extract(write(tmp_path, data))) == [[v] for v in values]


@pytest.mark.parametrize(
    "cell",
    [
        "=SUM(A1:A3)",
        "=HYPERLINK(x)",
        " =hyperlink (x)",
        "@SUM(1)",
        "=cmd|' /C calc'!A0",
        "+cmd|' /C calc'!A0",
        "-cmd|x",
        "=+SUM(1)",
    ],
)
def test_formula_patterns_are_refused(cell: str, tmp_path: Path) -> None:
    with pytest.raises(ExtractError) as caught:
        read_extract(write(tmp_path, f'Case,Notes\nC-1,ok\nC-2,"{cell}"\n'))
    assert caught.value.code == "formula_cells"
    assert caught.value.details == ['row 3, column "Notes"']


def test_zip_checks_leave_ordinary_workbooks_alone(tmp_path: Path) -> None:
    """A compressible part under 1 MB is fine (the ratio applies to big parts only)."""
    path = write(tmp_path, xlsx_bytes(extra={"xl/customXml/item1.xml": b" " * 900_000}), "a.xlsx")
    assert rows(read_extract(path)) == [["C-1", "THEFT"]]


def test_declared_sizes_bound_the_unpacked_total(tmp_path: Path) -> None:
    path = write(tmp_path, unpacks_too_big(), "a.xlsx")
    assert rows(read_extract(path)) == [["C-1", "THEFT"]]  # 18 MB < 50 x 1 GiB default
    with pytest.raises(ExtractError) as caught:
        read_extract(path, max_bytes=100_000)  # 18 MB > 50 x 100 KB
    assert caught.value.code == "zip_bomb"


def test_zip64_archives_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ZIP64 is only needed past 65,535 entries or 4 GB: far beyond any real extract."""
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)  # makes zipfile write ZIP64 records
    path = write(tmp_path, xlsx_bytes(), "a.xlsx")
    monkeypatch.undo()
    with pytest.raises(ExtractError) as caught:
        read_extract(path)
    assert caught.value.code == "zip_bomb"


def test_doctype_without_entities_is_refused_too(tmp_path: Path) -> None:
    path = write(tmp_path, xlsx_bytes(sheet_xml(SHEET_DATA, prolog="<!DOCTYPE x>")), "a.xlsx")
    with pytest.raises(ExtractError) as caught:
        read_extract(path)
    assert caught.value.code == "xml_entities"


def test_the_size_limit_comes_from_settings(tmp_path: Path, settings: object) -> None:
    path = write(tmp_path, "Case\nC-1\n")
    settings.CSU_IMPORT_MAX_BYTES = 5  # type: ignore[attr-defined]
    with pytest.raises(ExtractError) as caught:
        read_extract(path)
    assert caught.value.code == "too_large"
    assert read_extract(path, max_bytes=100).frame.shape == (1, 1)


def test_type_is_sniffed_from_content_not_extension(tmp_path: Path) -> None:
    as_xlsx = write(tmp_path, "Case,Offense\nC-1,THEFT\n", "really_a_csv.xlsx")
    as_csv = write(tmp_path, xlsx_bytes(), "really_an_xlsx.csv")
    assert sniff_file_type(as_xlsx) == "csv"
    assert sniff_file_type(as_csv) == "xlsx"
    assert read_extract(as_xlsx).file_type == "csv"
    assert read_extract(as_csv).file_type == "xlsx"
    assert read_extract(as_csv).headers == ["Case Number", "Offense"]


# 2. Real data ----------------------------------------------------------------------------------

REAL_CSV = {  # file -> (data rows, columns, first header, last header, encoding)
    "chicago_incidents.csv": (10_000, 22, "ID", "Location", "utf-8-sig"),
    "nyc_queens_arrests.csv": (13_224, 19, "ARREST_KEY", "New Georeferenced Column", "utf-8"),
    "philadelphia_shootings.csv": (14_861, 25, "the_geom", "lng", "utf-8"),
    "seattle_calls_for_service_sample.csv": (
        222,
        13,
        "CAD Event Number",
        "Blurred_Latitude",
        "utf-8",
    ),
}


def assert_clean(extract: Extract, n_rows: int) -> None:
    frame = extract.frame
    assert len(frame) == n_rows
    assert list(frame.columns) == extract.headers
    assert len(set(extract.headers)) == len(extract.headers)
    assert not extract.headers[0].startswith("\ufeff")
    assert {str(dtype) for dtype in frame.dtypes} <= {"object", "str"}
    assert not frame.isna().to_numpy().any()
    assert frame.index[0] == 2 and frame.index[-1] == n_rows + 1  # header = row 1
    assert extract.skipped_rows == []


@pytest.mark.parametrize("name", list(REAL_CSV))
def test_real_csv_extracts(name: str) -> None:
    n_rows, n_cols, first, last, encoding = REAL_CSV[name]
    extract = read_extract(REAL / name)
    assert_clean(extract, n_rows)
    assert (len(extract.headers), extract.headers[0], extract.headers[-1]) == (n_cols, first, last)
    assert (extract.file_type, extract.encoding, extract.sheet, extract.sheets) == (
        "csv",
        encoding,
        None,
        [],
    )
    with (REAL / name).open(encoding="utf-8-sig", newline="") as f:
        truth = list(csv.reader(f))[1:]
    assert rows(extract) == [[v.strip() for v in row] for row in truth]


def test_real_xlsx_both_sheets() -> None:
    first = read_extract(REAL / DC)
    assert (first.sheet, first.sheets, first.file_type, first.encoding) == (
        DC_SHEETS[0],
        DC_SHEETS,
        "xlsx",
        None,
    )
    for sheet, n_rows, n_cols in ((DC_SHEETS[0], 4_234, 11), (DC_SHEETS[1], 3_440, 12)):
        extract = read_extract(REAL / DC, sheet=sheet)
        assert extract.sheet == sheet
        assert_clean(extract, n_rows)
        assert len(extract.headers) == n_cols
    assert read_extract(REAL / DC, sheet=" field contact (STOP data)").sheet == DC_SHEETS[1]
    stops = read_extract(REAL / DC, sheet=DC_SHEETS[1])
    assert stops.headers[0] == "Report taken date"
    assert stops.frame.iloc[0, 0] == "2017-01-01 03:58:41"  # a real Excel datetime, as ISO
    assert stops.frame["Year"].iloc[0] == "2017"  # a number, without ".0"
    assert {"Unknown", "28"} <= set(stops.frame["Age"])  # Age mixes words and numbers


@pytest.mark.parametrize("name", list(REAL_CSV))
def test_fixture_cuts_match_the_real_files(name: str) -> None:
    n_rows, *_ = REAL_CSV[name]
    cut, real = read_extract(EXTRACTS / name), read_extract(REAL / name)
    assert (cut.headers, cut.encoding) == (real.headers, real.encoding)
    assert_clean(cut, min(n_rows, 300))
    pd.testing.assert_frame_equal(cut.frame, real.frame.iloc[: len(cut.frame)])
    assert (REAL / name).read_bytes().startswith((EXTRACTS / name).read_bytes())


def test_fixture_cut_of_the_workbook() -> None:
    for sheet in DC_SHEETS:
        cut, real = read_extract(EXTRACTS / DC, sheet=sheet), read_extract(REAL / DC, sheet=sheet)
        assert cut.sheets == DC_SHEETS
        assert_clean(cut, 100)
        pd.testing.assert_frame_equal(cut.frame, real.frame.iloc[:100])


# 3. Robustness ---------------------------------------------------------------------------------


def test_cp1252_with_accents_and_smart_quotes(tmp_path: Path) -> None:
    data = "Name,Note\r\nCafé Olé,“quoted” – dash\r\n".encode("cp1252")
    extract = read_extract(write(tmp_path, data))
    assert extract.encoding == "cp1252"
    assert rows(extract) == [["Café Olé", "“quoted” – dash"]]


def test_latin1_when_cp1252_cannot_decode(tmp_path: Path) -> None:
    extract = read_extract(write(tmp_path, b"Name,Code\nJos\xe9,\x81\n"))
    assert extract.encoding == "latin-1"
    assert rows(extract) == [["José", "\x81"]]


def test_utf8_is_preferred_over_fallbacks(tmp_path: Path) -> None:
    extract = read_extract(write(tmp_path, "Name\nZoë “Z”\n".encode()))
    assert (extract.encoding, rows(extract)) == ("utf-8", [["Zoë “Z”"]])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16(encoding: str, tmp_path: Path) -> None:
    extract = read_extract(write(tmp_path, "Case,Name\r\nC-1,Zoë\r\n".encode(encoding)))
    assert extract.encoding == encoding
    assert extract.headers == ["Case", "Name"]
    assert rows(extract) == [["C-1", "Zoë"]]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(delimiter: str, tmp_path: Path) -> None:
    lines = [
        ["Case", "Date", "Offense", "Amount"],
        ["C-1", "2024-01-02", "THEFT", "1,5"],
        ["C-2", "2024-01-03", "ASSAULT; SIMPLE", "2"],
        ["C-3", "2024-01-04", "X", "3"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(lines)
    extract = read_extract(write(tmp_path, buffer.getvalue()))
    assert extract.headers == lines[0]
    assert rows(extract) == lines[1:]


def test_excel_separator_hint_line(tmp_path: Path) -> None:
    extract = read_extract(write(tmp_path, "sep=;\r\nCase;Amount\r\nC-1;1,5\r\n"))
    assert (extract.headers, rows(extract)) == (["Case", "Amount"], [["C-1", "1,5"]])
    assert extract.skipped_rows == [1]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_line_endings(ending: str, tmp_path: Path) -> None:
    extract = read_extract(write(tmp_path, ending.join(["a,b", "1,2", "", "3,4"]) + ending))
    assert rows(extract) == [["1", "2"], ["3", "4"]]
    assert list(extract.frame.index) == [2, 4]
    assert extract.skipped_rows == [3]


def test_quoted_newlines_keep_source_row_numbers(tmp_path: Path) -> None:
    data = (
        'Case,Narrative\r\nC-1,"line one\r\nline two\r\nline three"\r\nC-2,short\r\nC-3,"a\nb"\r\n'
    )
    extract = read_extract(write(tmp_path, data))
    assert list(extract.frame.index) == [2, 5, 6]
    assert extract.frame.loc[5, "Case"] == "C-2"
    assert extract.frame.loc[2, "Narrative"] == "line one\r\nline two\r\nline three"


def test_junk_lines_before_the_header(tmp_path: Path) -> None:
    data = "Harbor PD export generated 2024-05-01\n\nCase,Date,Offense\nC-1,2024-01-02,THEFT\n"
    extract = read_extract(write(tmp_path, data))
    assert extract.headers == ["Case", "Date", "Offense"]
    assert list(extract.frame.index) == [4]
    assert extract.skipped_rows == [1, 2]


def test_blank_rows_dropped_and_listed_whitespace_trimmed(tmp_path: Path) -> None:
    data = "Case , Offense \nC-1 ,  THEFT  \n\n,\n  ,\t\nC-2,\u00a0ASSAULT\u00a0\n"
    extract = read_extract(write(tmp_path, data))
    assert extract.headers == ["Case", "Offense"]
    assert rows(extract) == [["C-1", "THEFT"], ["C-2", "ASSAULT"]]
    assert list(extract.frame.index) == [2, 6]
    assert extract.skipped_rows == [3, 4, 5]


def test_short_rows_are_padded(tmp_path: Path) -> None:
    extract = read_extract(write(tmp_path, "a,b,c\n1,2,3\n4\n5,6\n\n7,8,9\n"))
    assert rows(extract) == [["1", "2", "3"], ["4", "", ""], ["5", "6", ""], ["7", "8", "9"]]
    assert list(extract.frame.index) == [2, 3, 4, 6]
    assert extract.skipped_rows == [5]


def test_duplicate_and_missing_headers(tmp_path: Path) -> None:
    extract = read_extract(write(tmp_path, '\ufeffX,X,X_2,,"Y\tZ\n",\n1,2,3,4,5,\n'))
    assert extract.headers == ["X", "X_2", "X_2_2", "column_4", "Y Z"]  # empty unnamed col dropped
    assert rows(extract) == [["1", "2", "3", "4", "5"]]


def test_single_column_and_no_trailing_newline(tmp_path: Path) -> None:
    extract = read_extract(write(tmp_path, "Case\nC-1\nC-2"))
    assert (extract.headers, rows(extract)) == (["Case"], [["C-1"], ["C-2"]])


def test_bom_with_junk_and_crlf(tmp_path: Path) -> None:
    data = "\ufeffExport of 2024-05-01\r\nCase,Offense\r\nC-1,THEFT\r\n".encode()
    extract = read_extract(write(tmp_path, data))
    assert (extract.encoding, extract.headers) == ("utf-8-sig", ["Case", "Offense"])
    assert list(extract.frame.index) == [3]


def reference_read(text: str) -> tuple[list[list[str]], list[int], list[int]]:
    """What read_extract must give for a CSV whose first line is the header: the csv module."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records, previous = [], 0
    for row in reader:
        records.append((previous + 1, row))
        previous = reader.line_num
    width = len(records[0][1])
    kept, index, skipped = [], [], []
    for line, row in records[1:]:
        values = [v.strip() for v in row + [""] * (width - len(row))]
        if any(values):
            kept.append(values)
            index.append(line)
        else:
            skipped.append(line)
    return kept, index, skipped


@pytest.mark.parametrize("pandas_pads", [False, True])
@pytest.mark.parametrize("seed", range(25))
def test_matches_the_csv_module_on_messy_files(
    seed: int, pandas_pads: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random mixes of quoted newlines, blank lines, short rows and line endings: every way of
    placing rows (pyarrow alone, short lines padded and put back, pandas padding them) agrees
    with a plain csv.reader."""
    if pandas_pads:
        monkeypatch.setattr(csv_reader, "_place_short_lines", lambda *args: None)
    rng = random.Random(seed)
    ending = rng.choice(["\n", "\r\n", "\r"])
    width = rng.randint(1, 6)
    lines = [",".join(f"col{j}" for j in range(width))]
    for i in range(rng.randint(1, 400)):
        kind = rng.random()
        if kind < 0.05:
            lines.append(rng.choice(["", "  ", "," * (width - 1)]))
            continue
        n = width if kind > 0.1 or width == 1 else rng.randint(1, width - 1)
        cells = [f"v{i}.{j}" for j in range(n)]
        if rng.random() < 0.1 * (seed % 3):
            cells[0] = '"multi' + rng.choice(["\n", "\r\n", "\r"]) + 'line, ""quoted"""'
        if rng.random() < 0.1:
            cells[-1] = f"  padded {i}  "
        lines.append(",".join(cells))
    text = ending.join(lines) + rng.choice([ending, ""])
    kept, index, skipped = reference_read(text)
    if not kept:
        return
    extract = read_extract(write(tmp_path, text))
    assert rows(extract) == kept
    assert list(extract.frame.index) == index
    assert extract.skipped_rows == skipped


def test_large_file_with_late_oddities(tmp_path: Path) -> None:
    """Past the 256 KB head: a short row and a quoted newline near the end."""
    body = [f"C-{i},2024-01-02,THEFT,{'x' * 40}" for i in range(10_000)]
    body[9_000] = "C-9000,2024-01-02"
    body[9_500] = 'C-9500,2024-01-02,"two\nlines",y'
    extract = read_extract(write(tmp_path, "Case,Date,Offense,Notes\n" + "\n".join(body) + "\n"))
    assert len(extract.frame) == 10_000
    assert extract.frame.loc[9_002].tolist() == ["C-9000", "2024-01-02", "", ""]
    assert extract.frame.loc[9_502, "Offense"] == "two\nlines"
    assert extract.frame.index[-1] == 10_002  # one row was two lines


def test_many_short_rows(tmp_path: Path) -> None:
    body = [f"C-{i},2024-01-02,THEFT" + (",note" if i % 2 else "") for i in range(12_001)]
    text = "Case,Date,Offense,Notes\r\n" + "\r\n".join(body) + "\r\n"
    kept, index, _ = reference_read(text)
    extract = read_extract(write(tmp_path, text))
    assert (rows(extract), list(extract.frame.index)) == (kept, index)
    assert extract.frame.loc[2].tolist() == ["C-0", "2024-01-02", "THEFT", ""]


def test_safe_upload_name() -> None:
    assert safe_upload_name("C:\\Users\\x\\arrests 2024.csv") == "arrests 2024.csv"
    assert safe_upload_name("/home/analyst/exports/arrests.xlsx") == "arrests.xlsx"
    assert safe_upload_name("arrests\u202egpj.csv") == "arrestsgpj.csv"  # right-to-left override
    assert safe_upload_name('we"ird:na\tme?.csv') == "we_ird_name_.csv"
    assert safe_upload_name("report..final.csv") == "report..final.csv"
    long = safe_upload_name("a" * 300 + ".csv")
    assert len(long) == 200 and long.endswith(".csv")
    for bad in ("../../etc/passwd", "..\\..\\x.csv", "x.csv\x00.exe", "", "  ", "dir/", ".."):
        with pytest.raises(ExtractError) as caught:
            safe_upload_name(bad)
        assert caught.value.code == "path_name"


# XLSX reading ----------------------------------------------------------------------------------


def save(wb: openpyxl.Workbook, tmp_path: Path, name: str = "book.xlsx") -> Path:
    path = tmp_path / name
    wb.save(path)
    return path


def test_xlsx_values_rows_and_default_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb["Notes"]["A1"] = "Exported from RMS; see the Data sheet"
    ws = wb.create_sheet("Data")
    ws["A1"] = "Harbor PD arrests"
    ws.append([])
    ws.append(["Case", " Arrested at ", "Date", "Amount", "Ratio", "Flag", None, "Note"])
    ws.append(
        [
            "C-1",
            dt.datetime(2017, 3, 4, 13, 5),
            dt.date(2017, 3, 4),
            12.0,
            0.5,
            True,
            None,
            "  padded  ",
        ]
    )
    ws.append([])
    ws.append(["C-2", dt.datetime(2017, 3, 5), None, 7, 1e20, False])
    extract = read_extract(save(wb, tmp_path))
    assert (extract.sheet, extract.sheets) == ("Data", ["Notes", "Data"])
    assert extract.headers == ["Case", "Arrested at", "Date", "Amount", "Ratio", "Flag", "Note"]
    assert rows(extract) == [
        ["C-1", "2017-03-04 13:05:00", "2017-03-04 00:00:00", "12", "0.5", "True", "padded"],
        ["C-2", "2017-03-05 00:00:00", "", "7", "1e+20", "False", ""],
    ]
    assert list(extract.frame.index) == [4, 6]
    assert extract.skipped_rows == [1, 2, 5]


def test_xlsx_unknown_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Case"])
    wb.active.append(["C-1"])
    with pytest.raises(ExtractError) as caught:
        read_extract(save(wb, tmp_path), sheet="Arrests 2024")
    assert caught.value.code == "sheet"
    assert '"Sheet"' in caught.value.message and caught.value.details == ["Sheet"]


def test_xlsx_empty_and_header_only(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    with pytest.raises(ExtractError) as empty:
        read_extract(save(wb, tmp_path, "empty.xlsx"))
    assert empty.value.code == "empty"
    wb.create_sheet("Blank")
    with pytest.raises(ExtractError) as blank:
        read_extract(save(wb, tmp_path, "blank.xlsx"), sheet="Blank")
    assert blank.value.code == "empty" and '"Blank"' in blank.value.message
    wb.active.append(["Case", "Offense"])
    with pytest.raises(ExtractError) as header_only:
        read_extract(save(wb, tmp_path, "header.xlsx"))
    assert header_only.value.code == "header_only"


def test_xlsx_value_right_of_the_header(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Case", "Offense"])
    wb.active.append(["C-1", "THEFT", None, "stray note"])
    with pytest.raises(ExtractError) as caught:
        read_extract(save(wb, tmp_path))
    assert caught.value.code == "ragged_rows"
    assert caught.value.details == ["row 2: a value in column D"]


def test_xlsx_text_that_looks_like_a_formula(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Case", "Note"])
    ws["A2"], ws["B2"] = "C-1", '=HYPERLINK("http://evil.example")'
    ws["B2"].data_type = "s"  # stored as text, not as a formula
    with pytest.raises(ExtractError) as caught:
        read_extract(save(wb, tmp_path))
    assert caught.value.code == "formula_cells"
    assert caught.value.details == ["Sheet!B2"]


def test_xlsx_with_a_wrong_dimension_is_read_in_full(tmp_path: Path) -> None:
    """Some generators write <dimension ref="A1"/>: every row must still be read."""
    data = xlsx_bytes()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith("sheet1.xml"):
                content = content.replace(b"<sheetData>", b'<dimension ref="A1"/><sheetData>')
            zf.writestr(info, content)
    assert rows(read_extract(write(tmp_path, out.getvalue(), "a.xlsx"))) == [["C-1", "THEFT"]]
