"""The shared tabular import: reading CSV/XLSX, row errors, all-or-nothing commit (QUALITY.md §17)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from sendreview.tabular import columns as col
from sendreview.tabular.errors import ImportFileError
from sendreview.tabular.importer import (
    ImportKind,
    commit,
    preview,
    sign_payload,
    unsign_payload,
)
from sendreview.tabular.templates import template_bytes

pytestmark = pytest.mark.django_db

SAVED: list = []


def _save(rows, context):
    for row in rows:
        if row["name"] == "explode":
            raise RuntimeError("boom")
        SAVED.append(row.values)
    return len(rows)


KIND = ImportKind(
    key="things",
    title="Things",
    columns=(
        col.Column("name", "Name", col.text(20)),
        col.Column("count", "Count", col.integer(0, 1000)),
        col.Column("level", "Level", col.choice(["K", "E"], what="level")),
        col.Column("cost", "Cost", col.money(), required=False),
    ),
    save=_save,
)


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = "name,count,level,cost\nAlpha,3,K,12.50\nBeta,0,E,\n"


def test_good_csv_previews_every_row():
    result = preview(KIND, csv_bytes(GOOD))
    assert result.ok
    assert [r["name"] for r in result.rows] == ["Alpha", "Beta"]
    assert result.rows[0]["count"] == 3
    assert str(result.rows[0]["cost"]) == "12.50"


def test_headings_by_label_any_case_and_bom():
    raw = "\ufeffNAME,Count,level\nA,1,k\n".encode()
    result = preview(KIND, raw)
    assert result.ok and result.rows[0]["level"] == "K"


def test_windows_1252_is_read():
    raw = "name,count,level\nCaf\u00e9 \u00a3,1,K\n".encode("cp1252")
    assert preview(KIND, raw).rows[0]["name"] == "Caf\u00e9 \u00a3"


def test_xlsx_is_read():
    raw = xlsx_bytes([["name", "count", "level"], ["A", 4, "E"], ["B", 2.0, "K"]])
    result = preview(KIND, raw)
    assert result.ok and [r["count"] for r in result.rows] == [4, 2]


def test_commit_saves_all():
    SAVED.clear()
    assert commit(KIND, csv_bytes(GOOD)) == 2
    assert len(SAVED) == 2


@pytest.mark.django_db
def test_commit_with_bad_row_saves_nothing():
    SAVED.clear()
    with pytest.raises(ImportFileError):
        commit(KIND, csv_bytes(GOOD + "Gamma,-1,K,\n"))
    assert SAVED == []


def test_template_round_trips_in_both_formats():
    for fmt in ("csv", "xlsx"):
        raw = template_bytes(KIND, fmt, rows=[["A", 1, "K", ""]])
        assert preview(KIND, raw).ok


def test_signed_payload_round_trip_and_tamper():
    raw = xlsx_bytes([["name", "count", "level"], ["A", 1, "K"]])
    payload = sign_payload(raw, salt="t")
    assert unsign_payload(payload, salt="t") == raw
    with pytest.raises(ImportFileError):
        unsign_payload(payload[:-2] + "xx", salt="t")
    with pytest.raises(ImportFileError):
        unsign_payload(payload, salt="other")


def _zip_with(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in names.items():
            z.writestr(name, data)
    return out.getvalue()


def _formula_xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["name", "count", "level"])
    book.active.append(["A", "=1+2", "K"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# (id, file bytes, the expected message fragment). Each must be refused with nothing imported.
FILE_ERRORS = [
    ("empty", b"", "empty"),
    ("only-bom", b"\xef\xbb\xbf", "empty"),
    ("blank-header", b"\n\nA,1,K\n", "first row"),
    ("utf16", "name,count,level\nA,1,K\n".encode("utf-16"), "UTF-16"),
    ("nul-bytes", b"name,count,level\nA\x00,1,K\n", "not a CSV"),
    ("old-xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls"),
    ("pdf", b"%PDF-1.7\n...", "PDF"),
    ("bad-zip", b"PK\x03\x04garbage", "cannot be opened"),
    ("plain-zip", _zip_with({"a.txt": b"hello"}), "zip archive"),
    ("macro-xlsx", _zip_with({"xl/workbook.xml": b"<x/>", "xl/vbaProject.bin": b"x"}), "macros"),
    ("damaged-xlsx", _zip_with({"xl/workbook.xml": b"<not-a-workbook"}), "damaged"),
    ("zip-bomb", _zip_with({"xl/workbook.xml": b"0" * 25_000_000}), "too large"),
    ("oversize", b"name,count,level\n" + b"A,1,K\n" * 200_000, "larger than"),
    ("too-many-rows", b"name,count,level\n" + b"A,1,K\n" * 2001, "more than 2000 rows"),
    ("missing-column", b"name,count\nA,1\n", "Missing: level"),
    ("unknown-column", b"name,count,level,colour\nA,1,K,red\n", "Unknown column"),
    ("duplicate-column", b"name,count,level,Count\nA,1,K,2\n", "appears twice"),
    ("formula-header", b"name,count,level,=cmd\nA,1,K,\n", "formula"),
    ("no-rows", b"name,count,level\n", "no rows"),
    ("only-blank-rows", b"name,count,level\n,,\n\n", "no rows"),
    ("broken-quote", b'name,count,level\n"A,1,K\nB,2,"E\n', "well-formed"),
    ("huge-cell", b"name,count,level\n" + b"A" * 6000 + b",1,K\n", "5000 characters"),
    ("too-many-columns", (",".join(f"c{i}" for i in range(201)) + "\n").encode(), "200 columns"),
    ("semicolon-wrong-header", b"nom;nombre;niveau\nA;1;K\n", "Unknown column"),
]


@pytest.mark.parametrize(
    ("raw", "fragment"), [c[1:] for c in FILE_ERRORS], ids=[c[0] for c in FILE_ERRORS]
)
def test_bad_file_is_refused_as_a_whole(raw, fragment):
    SAVED.clear()
    with pytest.raises(ImportFileError) as exc:
        commit(KIND, raw)
    assert fragment in str(exc.value)
    assert SAVED == []


# (id, data rows under the good header, (row, column, message fragment) expected)
ROW_ERRORS = [
    ("negative", "A,-1,K,", (2, "count", "whole number from 0")),
    ("decimal-count", "A,1.5,K,", (2, "count", "whole number")),
    ("text-count", "A,three,K,", (2, "count", "whole number")),
    ("too-big-count", "A,1001,K,", (2, "count", "from 0 to 1000")),
    ("unknown-code", "A,1,X,", (2, "level", "Unknown level 'X'")),
    ("old-code-case", "A,1,SA,", (2, "level", "Unknown level")),
    ("missing-required", ",1,K,", (2, "name", "Enter the name")),
    ("formula-eq", '=HYPERLINK("x"),1,K,', (2, "name", "formula")),
    ("formula-plus", "+cmd,1,K,", (2, "name", "formula")),
    ("formula-at", "@SUM(A1),1,K,", (2, "name", "formula")),
    ("formula-minus-text", "-cmd,1,K,", (2, "name", "formula")),
    ("formula-in-number", "A,=1+1,K,", (2, "count", "formula")),
    ("formula-dde", "=cmd|' /C calc'!A0,1,K,", (2, "name", "formula")),
    ("too-long-text", "A" * 21 + ",1,K,", (2, "name", "20 characters")),
    ("money-3dp", "A,1,K,1.234", (2, "cost", "two decimal")),
    ("money-negative", "A,1,K,-5", (2, "cost", "from 0")),
    ("money-text", "A,1,K,lots", (2, "cost", "amount in pounds")),
    ("extra-values", "A,1,K,,surplus", (2, "", "more values")),
    ("second-row-bad", "A,1,K,\nB,x,K,", (3, "count", "whole number")),
    ("nan-money", "A,1,K,NaN", (2, "cost", "two decimal")),
    ("inf-count", "A,inf,K,", (2, "count", "whole number")),
    ("space-in-number", "A,1 000,K,", (2, "count", "whole number")),
]


@pytest.mark.parametrize(
    ("rows", "expected"), [c[1:] for c in ROW_ERRORS], ids=[c[0] for c in ROW_ERRORS]
)
def test_bad_row_is_reported_at_its_cell_and_nothing_saved(rows, expected):
    SAVED.clear()
    raw = ("name,count,level,cost\nGood,1,K,\n" + rows.replace("\n", "\n") + "\n").encode()
    # the good first row shifts every bad row down by one
    row, column, fragment = expected
    result = preview(KIND, raw)
    assert not result.ok
    assert any(
        e.row == row + 1 and e.column == column and fragment in e.message for e in result.errors
    ), result.errors
    with pytest.raises(ImportFileError):
        commit(KIND, raw)
    assert SAVED == []


def test_xlsx_formula_cell_is_reported():
    result = preview(KIND, _formula_xlsx())
    assert [(e.row, e.column) for e in result.errors] == [(2, "count")]
    assert "formula" in result.errors[0].message


def test_every_bad_row_is_reported_not_only_the_first():
    raw = b"name,count,level\nA,x,K\nB,1,Z\nC,-2,Q\n"
    errors = preview(KIND, raw).errors
    assert [(e.row, e.column) for e in errors] == [
        (2, "count"),
        (3, "level"),
        (4, "count"),
        (4, "level"),
    ]


@pytest.mark.django_db
def test_failure_inside_save_rolls_back():
    from django.contrib.auth import get_user_model

    User = get_user_model()

    def save(rows, context):
        User.objects.create(email="first@example.org")
        raise RuntimeError("second write fails")

    kind = ImportKind(key="k", title="k", columns=KIND.columns[:3], save=save)
    with pytest.raises(RuntimeError):
        commit(kind, b"name,count,level\nA,1,K\n")
    assert not User.objects.filter(email="first@example.org").exists()
