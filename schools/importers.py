"""School-list CSV import: read, check every row, show a preview, then save all rows or none.

The LA comes from the acting membership; a file cannot name one. A URN (or LAESTAB) that belongs
to a school of another LA only "cannot be used": nothing says that it is registered elsewhere.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django_scopes import scopes_disabled

from schools.models import LocalAuthority, Phase, School

COLUMNS = ["urn", "laestab", "name", "phase", "number_on_roll"]
REQUIRED = ["urn", "laestab", "name", "phase"]
MAX_ROWS = 2000
_PHASES = {**{p.value: p.value for p in Phase}, **{p.label.lower(): p.value for p in Phase}}
# A leading =, +, -, @ makes spreadsheets run a formula when the data is opened again.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class RowError:
    row: int  # as a person counts them in a spreadsheet: the header is row 1
    column: str
    message: str


@dataclass
class ImportPreview:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why in plain words."""


def decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "The file is not text in UTF-8 or Windows-1252. Save it as CSV."
        ) from exc


def preview(*, la: LocalAuthority, text: str) -> ImportPreview:
    if "\x00" in text:
        raise ImportFileError("The file is not a CSV file. Save it as CSV (comma separated).")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(
            f"The first row must name the columns. Missing: {', '.join(missing)}."
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ImportFileError(
            f"Unknown column(s): {', '.join(unknown)}. Use: {', '.join(COLUMNS)}."
        )
    reader.fieldnames = header
    result = ImportPreview()
    seen_urns: dict[str, int] = {}
    seen_laestabs: dict[str, int] = {}
    for index, raw_row in enumerate(reader, start=2):
        if index - 1 > MAX_ROWS:
            raise ImportFileError(
                f"The file has more than {MAX_ROWS} rows. Split it into smaller files."
            )
        if None in raw_row:
            result.errors.append(
                RowError(index, "", "The row has more values than there are columns")
            )
            continue
        row = {k: (v or "").strip() for k, v in raw_row.items()}
        if not any(row.values()):
            continue
        errors_before = len(result.errors)
        _check_row(la, index, row, result.errors)
        for key, seen in (("urn", seen_urns), ("laestab", seen_laestabs)):
            value = row.get(key)
            if value and value in seen:
                result.errors.append(
                    RowError(index, key, f"{key.upper()} {value} is also in row {seen[value]}")
                )
            elif value:
                seen[value] = index
        if len(result.errors) == errors_before:
            row["_row"] = index
            result.rows.append(row)
    _check_taken(la, result)
    result.errors.sort(key=lambda e: (e.row, e.column))
    if not result.rows and not result.errors:
        raise ImportFileError("The file has no schools in it.")
    return result


def _check_row(la: LocalAuthority, index: int, row: dict, errors: list[RowError]) -> None:
    for column, value in row.items():
        if value.startswith(_FORMULA_PREFIXES):
            errors.append(RowError(index, column, "Must not start with =, +, -, or @ (a formula)"))
            return
    for column in REQUIRED:
        if not row.get(column):
            errors.append(RowError(index, column, f"Enter the {column.replace('_', ' ')}"))
    phase = _PHASES.get(row.get("phase", "").lower())
    if row.get("phase") and phase is None:
        choices = ", ".join(p.label for p in Phase)
        errors.append(RowError(index, "phase", f"Phase must be one of: {choices}"))
    else:
        row["phase"] = phase
    nor = row.get("number_on_roll", "")
    if nor:
        if not nor.isdigit() or int(nor) > 10000:
            errors.append(
                RowError(
                    index, "number_on_roll", "Number on roll must be a whole number from 0 to 10000"
                )
            )
        else:
            row["number_on_roll"] = int(nor)
    else:
        row["number_on_roll"] = None
    school = School(la=la, **{k: row.get(k) for k in COLUMNS})
    try:
        school.full_clean(exclude=["la", "phase", "number_on_roll"], validate_unique=False)
    except ValidationError as exc:
        for column, messages in exc.message_dict.items():
            if column in COLUMNS and row.get(column):
                errors.extend(RowError(index, column, m) for m in messages)


def _check_taken(la: LocalAuthority, result: ImportPreview) -> None:
    """URNs and LAESTABs are unique nationally, so this one look-up crosses the tenant scope.

    A number of one of this LA's schools is named as such; a number used anywhere else only
    "cannot be used": the answer never says that another LA has registered it.
    """
    urns = [r["urn"] for r in result.rows]
    laestabs = [r["laestab"] for r in result.rows]
    with scopes_disabled():
        taken_urns = dict(School.objects.filter(urn__in=urns).values_list("urn", "la_id"))
        taken_laestabs = dict(
            School.objects.filter(laestab__in=laestabs).values_list("laestab", "la_id")
        )
    keep = []
    for row in result.rows:
        row_number = row["_row"]
        bad = False
        for column, taken in (("urn", taken_urns), ("laestab", taken_laestabs)):
            value = row[column]
            if value in taken:
                result.errors.append(
                    RowError(
                        row_number, column, taken_message(column, value, taken[value] == la.pk)
                    )
                )
                bad = True
        if not bad:
            keep.append(row)
    result.rows = keep


def taken_message(column: str, value: str, ours: bool) -> str:
    label = column.upper()
    if ours:
        return f"{label} {value} is already one of your schools"
    return f"{label} {value} cannot be used"


@transaction.atomic
def commit(*, la: LocalAuthority, text: str) -> int:
    """Check the file again (it may have changed since the preview) and save every row, or none."""
    checked = preview(la=la, text=text)
    if not checked.ok:
        raise ImportFileError(
            "The file has errors. Check it again and correct them before importing."
        )
    for row in checked.rows:
        School.objects.create(la=la, **{k: row[k] for k in COLUMNS})
    return len(checked.rows)
