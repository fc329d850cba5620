"""The empty file to fill in for each import kind: the column headings, and in XLSX a guidance sheet."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

from sendreview.tabular.importer import ImportKind

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_bytes(kind: ImportKind, fmt: str, rows: list[list] | None = None) -> bytes:
    headings = [c.key for c in kind.columns]
    rows = rows or []
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headings)
        writer.writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = kind.key[:31]
        sheet.append(headings)
        for row in rows:
            sheet.append(row)
        guide = book.create_sheet("Guidance")
        guide.append(["column", "meaning", "required", "example"])
        for column in kind.columns:
            guide.append(
                [
                    column.key,
                    column.hint or column.label,
                    "yes" if column.required else "no",
                    column.example,
                ]
            )
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}")


def template_response(kind: ImportKind, fmt: str, rows: list[list] | None = None) -> HttpResponse:
    """Download the template; `rows` pre-fills it (e.g. the codes a grid expects, counts left blank)."""
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    response = HttpResponse(template_bytes(kind, fmt, rows), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{kind.key}-template.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
