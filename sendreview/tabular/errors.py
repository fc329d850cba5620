"""What can go wrong with an uploaded table, in words a school or LA user can act on."""

from __future__ import annotations

from dataclasses import dataclass


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, encoding, size, header); nothing is imported."""


class CellError(ValueError):
    """One cell is wrong; raised by a column parser and reported at its row and column."""


@dataclass(frozen=True)
class RowError:
    """A problem at one place in the file. `row` counts as a spreadsheet does: the header is row 1.

    `column` is the column's heading as the template names it; empty when the whole row is wrong.
    """

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"
