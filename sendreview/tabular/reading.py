"""Turn uploaded bytes into a header and rows of strings, or refuse the file with a clear reason.

The file type is decided from its content, not its name: an XLSX workbook is a zip archive
(`PK\\x03\\x04`), anything else must be text. CSV text may be UTF-8 (with or without the byte-order
mark Excel writes) or Windows-1252 (Excel's "CSV" on Windows); other encodings and binary files are
refused. XLSX cells holding formulae are reported, not evaluated; the archive's unpacked size is
checked before anything is parsed, so a small "zip bomb" cannot fill the memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from sendreview.tabular.errors import ImportFileError

DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_MAX_ROWS = 2000
MAX_UNPACKED_BYTES = 20_000_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 5000

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
PDF_MAGIC = b"%PDF"
FORMULA = "__formula__"


@dataclass
class Table:
    """The header (as written) and the data rows, each with its spreadsheet row number."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    fmt: str = "csv"


def read_table(
    raw: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Table:
    if not raw:
        raise ImportFileError("The file is empty.")
    if len(raw) > max_bytes:
        raise ImportFileError(
            f"The file is larger than {max_bytes // 1000} kB. Split it into smaller files."
        )
    if raw.startswith(XLSX_MAGIC):
        table = _read_xlsx(raw, max_rows=max_rows)
    elif raw.startswith(OLE_MAGIC):
        raise ImportFileError(
            "The file is an old Excel workbook (.xls). Save it as an Excel workbook (.xlsx) or as CSV."
        )
    elif raw.startswith(PDF_MAGIC):
        raise ImportFileError("The file is a PDF. Upload the spreadsheet as .xlsx or CSV.")
    else:
        table = _read_csv(decode(raw), max_rows=max_rows)
    _drop_trailing_empty_columns(table)
    if not any(h.strip() for h in table.header):
        raise ImportFileError("The first row must name the columns. It is empty.")
    if len(table.header) > MAX_COLUMNS:
        raise ImportFileError(f"The file has more than {MAX_COLUMNS} columns.")
    return table


def decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "The file is saved as UTF-16 (Unicode text). Save it as CSV UTF-8 or as an Excel workbook."
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        raise ImportFileError(
            "The file is not a CSV file or Excel workbook. Save it as CSV or .xlsx."
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "The file is not text in UTF-8 or Windows-1252. Save it as CSV UTF-8."
        ) from exc


def _read_csv(text: str, *, max_rows: int) -> Table:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError("The file is empty.")
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(reader, start=2):
            if len(rows) >= max_rows:
                raise ImportFileError(
                    f"The file has more than {max_rows} rows. Split it into smaller files."
                )
            rows.append((number, values))
    except csv.Error as exc:
        raise ImportFileError(
            f"The file is not well-formed CSV (near line {reader.line_num}): check for a stray quote mark."
        ) from exc
    for _, values in [(1, header), *rows]:
        for value in values:
            if len(value) > MAX_CELL_CHARS:
                raise ImportFileError(
                    f"A cell holds more than {MAX_CELL_CHARS} characters. Is this the right file?"
                )
    return Table(header=header, rows=rows, fmt="csv")


def _read_xlsx(raw: bytes, *, max_rows: int) -> Table:
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        unpacked = sum(info.file_size for info in archive.infolist())
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(
            "The file looks like an Excel workbook but cannot be opened."
        ) from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            "The workbook is too large once unpacked. Split it into smaller files."
        )
    if "xl/workbook.xml" not in names:
        raise ImportFileError(
            "The file is a zip archive, not an Excel workbook. Upload the .xlsx or CSV file itself."
        )
    if "xl/vbaProject.bin" in names:
        raise ImportFileError("The workbook contains macros. Save it as a plain .xlsx workbook.")
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportFileError("The Excel workbook cannot be opened; it may be damaged.") from exc
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ImportFileError("The workbook has no sheets.")
        table = Table(header=[], fmt="xlsx")
        for number, cells in enumerate(sheet.iter_rows(values_only=False), start=1):
            values = []
            for cell in cells:
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f" or (
                    isinstance(value, str) and value.startswith("=") and number > 1
                ):
                    values.append(FORMULA)  # reported by the importer at its column
                    continue
                values.append(_cell_text(value))
            if number == 1:
                table.header = values
                continue
            if len(table.rows) >= max_rows:
                raise ImportFileError(
                    f"The file has more than {max_rows} rows. Split it into smaller files."
                )
            table.rows.append((number, values))
        if not table.header:
            raise ImportFileError("The first sheet of the workbook is empty.")
        return table
    finally:
        book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if len(text) > MAX_CELL_CHARS:
        raise ImportFileError(
            f"A cell holds more than {MAX_CELL_CHARS} characters. Is this the right file?"
        )
    return text


def _drop_trailing_empty_columns(table: Table) -> None:
    while table.header and not table.header[-1].strip():
        index = len(table.header) - 1
        if any(len(values) > index and values[index].strip() for _, values in table.rows):
            break
        table.header.pop()
