"""Preview and all-or-nothing commit for any import kind.

    kind = ImportKind(key="...", title="...", columns=(Column(...), ...), check=..., save=...)
    result = preview(kind, raw_bytes, context)      # every problem, nothing saved
    count = commit(kind, raw_bytes, context)        # checks again; saves every row or none

`context` carries what the file may not say (the school, the return, the acting user): the tenant
always comes from the request, never from a cell. `check(rows, context)` adds whole-file problems
(duplicates, totals that do not add up, codes not valid on the snapshot date) as RowErrors;
`save(rows, context)` writes inside the transaction and returns how many rows it saved.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import transaction

from sendreview.tabular import reading
from sendreview.tabular.columns import Column, normalise_heading
from sendreview.tabular.errors import CellError, ImportFileError, RowError

# A leading =, +, -, @ (or tab / carriage return) makes a spreadsheet run the cell as a formula
# when the data is opened again; numbers like -3 are left to the column's own check.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_ERRORS_SHOWN = 500

Check = Callable[[list["ParsedRow"], Any], list[RowError]]
Save = Callable[[list["ParsedRow"], Any], int]


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass(frozen=True)
class ImportKind:
    key: str
    title: str
    columns: tuple[Column, ...]
    save: Save | None = None
    check: Check | None = None
    max_rows: int = reading.DEFAULT_MAX_ROWS
    max_bytes: int = reading.DEFAULT_MAX_BYTES
    allow_empty: bool = False
    description: str = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass
class Preview:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    fmt: str = "csv"

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def hidden_error_count(self) -> int:
        return max(0, len(self.errors) - MAX_ERRORS_SHOWN)


def looks_like_formula(value: str) -> bool:
    if not value.startswith(FORMULA_PREFIXES):
        return False
    # A plain signed number is not a formula; its column says whether a sign is allowed.
    stripped = value.replace(",", "")
    try:
        float(stripped)
    except ValueError:
        return True
    return value.startswith(("=", "@", "\t", "\r"))


def _map_header(kind: ImportKind, header: list[str]) -> list[Column | None]:
    by_name: dict[str, Column] = {}
    for column in kind.columns:
        for name in column.names():
            by_name[name] = column
    mapped: list[Column | None] = []
    seen: set[str] = set()
    unknown: list[str] = []
    for heading in header:
        name = normalise_heading(heading)
        if not name:
            mapped.append(None)
            continue
        found = by_name.get(name)
        if found is None:
            unknown.append(heading.strip())
            continue
        if found.key in seen:
            raise ImportFileError(f"The column {found.key} appears twice in the first row.")
        seen.add(found.key)
        mapped.append(found)
    if any(looks_like_formula(h.strip()) for h in header if h.strip()):
        raise ImportFileError("The first row holds a formula. It must name the columns.")
    if unknown:
        raise ImportFileError(
            f"Unknown column(s): {', '.join(unknown)}. "
            f"Use the template: {', '.join(c.key for c in kind.columns)}."
        )
    missing = [c.key for c in kind.columns if c.required and c.key not in seen]
    if missing:
        raise ImportFileError(
            f"The first row must name the columns. Missing: {', '.join(missing)}. "
            "Download the template to see them."
        )
    return mapped


def preview(kind: ImportKind, raw: bytes, context: Any = None) -> Preview:
    """Read and check the whole file. Raises ImportFileError when the file as a whole is unusable."""
    table = reading.read_table(raw, max_bytes=kind.max_bytes, max_rows=kind.max_rows)
    columns = _map_header(kind, table.header)
    result = Preview(fmt=table.fmt)
    for number, values in table.rows:
        if not any(v.strip() for v in values):
            continue  # blank lines are skipped, as a person would expect
        if len(values) > len(columns) and any(v.strip() for v in values[len(columns) :]):
            result.errors.append(
                RowError(number, "", "The row has more values than there are columns")
            )
            continue
        row_errors: list[RowError] = []
        parsed: dict[str, Any] = {}
        for index, column in enumerate(columns):
            if column is None:
                continue
            value = values[index].strip() if index < len(values) else ""
            if value == reading.FORMULA:
                row_errors.append(
                    RowError(number, column.key, "Holds a formula: enter the value itself")
                )
                continue
            if value and looks_like_formula(value):
                row_errors.append(
                    RowError(number, column.key, "Must not start with =, +, -, or @ (a formula)")
                )
                continue
            if not value:
                if column.required:
                    row_errors.append(
                        RowError(number, column.key, f"Enter the {column.label.lower()}")
                    )
                else:
                    parsed[column.key] = column.default
                continue
            try:
                parsed[column.key] = column.parse(value)
            except CellError as exc:
                row_errors.append(RowError(number, column.key, str(exc)))
        for column in kind.columns:
            if column.key not in parsed and not column.required:
                parsed.setdefault(column.key, column.default)
        if row_errors:
            result.errors.extend(row_errors)
        else:
            result.rows.append(ParsedRow(number, parsed))
    if not result.rows and not result.errors and not kind.allow_empty:
        raise ImportFileError("The file has no rows under the headings.")
    if kind.check and result.rows:
        # Whole-file checks run on the rows that parsed, so one file shows every problem at once.
        result.errors.extend(kind.check(result.rows, context))
    result.errors.sort(key=lambda e: (e.row, e.column))
    return result


def commit(kind: ImportKind, raw: bytes, context: Any = None) -> int:
    """Check the file again (it may have been changed since the preview) and save all rows or none."""
    if kind.save is None:
        raise ImproperSetup(f"import kind {kind.key} has no save step")
    with transaction.atomic():
        checked = preview(kind, raw, context)
        if not checked.ok:
            raise ImportFileError(
                "The file has errors. Check it again and correct them before importing."
            )
        return kind.save(checked.rows, context)


class ImproperSetup(RuntimeError):
    pass


# --- Carrying the checked file from the preview to the confirm step ------------------------------
# The preview page holds the file signed (and compressed) in a hidden field: the confirm step gets
# exactly the bytes that were checked, and a changed or expired payload is refused.

PAYLOAD_MAX_AGE = 3600


def sign_payload(raw: bytes, *, salt: str) -> str:
    return signing.TimestampSigner(salt=salt).sign_object(
        base64.b64encode(raw).decode("ascii"), compress=True
    )


def unsign_payload(payload: str, *, salt: str) -> bytes:
    """Raises ImportFileError if the payload was changed or is older than an hour."""
    try:
        encoded = signing.TimestampSigner(salt=salt).unsign_object(payload, max_age=PAYLOAD_MAX_AGE)
        return base64.b64decode(encoded)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ImportFileError("The checked file has expired. Upload it again.") from exc
