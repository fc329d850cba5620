"""Exports escape spreadsheet formulae, keep numbers as numbers, and read back as written."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from sendreview.tabular.export import FORMULA_STARTS, escape_cell, export_response

ROWS = [['=HYPERLINK("http://x")', 3, "+1", "Plain"], ["@SUM(A1)", 2.5, "-2", None]]


@given(st.text())
def test_no_exported_text_starts_a_formula(text):
    assert not str(escape_cell(text)).startswith(FORMULA_STARTS)


@given(st.integers() | st.floats(allow_nan=False))
def test_numbers_stay_numbers(number):
    assert escape_cell(number) == number


def test_csv_download():
    reply = export_response("Borough table 2025/26", ["Name", "n", "a", "b"], ROWS, "csv")
    assert reply["Content-Disposition"] == 'attachment; filename="Borough-table-2025-26.csv"'
    text = reply.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == ['\'=HYPERLINK("http://x")', "3", "'+1", "Plain"]
    assert rows[2][3] == ""


def test_xlsx_download():
    reply = export_response("t", ["Name", "n", "a", "b"], ROWS, "xlsx")
    sheet = load_workbook(io.BytesIO(reply.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1] == ['\'=HYPERLINK("http://x")', 3, "'+1", "Plain"]
    assert values[2][1] == 2.5


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        export_response("t", [], [], "pdf")
