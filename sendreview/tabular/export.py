"""Downloads of tables as CSV or XLSX, with spreadsheet formulae neutralised.

A cell that a spreadsheet would read as a formula (=, +, -, @, tab, carriage return at the start)
is prefixed with an apostrophe, so an exported table can never run anything in the reader's
spreadsheet (OWASP "CSV injection"). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Cell = str | int | float | Decimal | date | datetime | None


def escape_cell(value: Any) -> Cell:
    """The value as it is safe to put in a spreadsheet cell."""
    if value is None or isinstance(value, int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads accents and £ correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape_cell(h) for h in headers])
    for row in rows:
        writer.writerow(["" if (c := escape_cell(v)) is None else c for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Data"
) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Data")
    sheet.append([escape_cell(h) for h in headers])
    for row in rows:
        sheet.append([escape_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str,
    *,
    title: str = "Data",
) -> HttpResponse:
    """A download of the table as `fmt` ("csv" or "xlsx"); `filename` without extension."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    body = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows, title=title)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    safe_name = "".join(c if c.isalnum() or c in "-_" else "-" for c in filename) or "export"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
