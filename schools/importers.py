"""School-list import on the shared tabular import (sendreview.tabular): check every row, show a
preview, then save all rows or none.

The LA comes from the acting membership; a file cannot name one. A URN (or LAESTAB) that belongs
to a school of another LA only "cannot be used": nothing says that it is registered elsewhere.
The file is CSV text (UTF-8, UTF-8 with BOM or Windows-1252, see `decode`); reading, formula and
size checks and the all-or-nothing commit are the tabular module's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from schools.models import LocalAuthority, Phase, School
from sendreview.tabular import columns as col
from sendreview.tabular import importer
from sendreview.tabular.errors import CellError, ImportFileError, RowError
from sendreview.tabular.reading import decode as _decode

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "ImportFileError",
    "ImportPreview",
    "RowError",
    "commit",
    "decode",
    "preview",
]

COLUMNS = ["urn", "laestab", "name", "phase", "number_on_roll"]
REQUIRED = ["urn", "laestab", "name", "phase"]
MAX_ROWS = 2000
_PHASES = {**{p.value: p.value for p in Phase}, **{p.label.lower(): p.value for p in Phase}}


@dataclass
class ImportPreview:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def decode(raw: bytes) -> str:
    return _decode(raw)


def _phase(value: str) -> str:
    phase = _PHASES.get(value.lower())
    if phase is None:
        raise CellError(f"Phase must be one of: {', '.join(p.label for p in Phase)}")
    return phase


def _number_on_roll(value: str) -> int:
    if not value.isdigit() or int(value) > 10000:
        raise CellError("Number on roll must be a whole number from 0 to 10000")
    return int(value)


def _check(rows: list[importer.ParsedRow], la: LocalAuthority) -> list[RowError]:
    errors: list[RowError] = []
    bad: set[int] = set()
    seen: dict[str, dict[str, int]] = {"urn": {}, "laestab": {}}
    for row in rows:
        school = School(la=la, **{k: row.get(k) for k in COLUMNS})
        try:
            school.full_clean(exclude=["la", "phase", "number_on_roll"], validate_unique=False)
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                if column in COLUMNS and row.get(column):
                    errors.extend(RowError(row.number, column, m) for m in messages)
                    bad.add(row.number)
        for key, found in seen.items():
            value = row[key]
            if value in found:
                errors.append(
                    RowError(
                        row.number, key, f"{key.upper()} {value} is also in row {found[value]}"
                    )
                )
                bad.add(row.number)
            else:
                found[value] = row.number
    errors += _check_taken(la, [r for r in rows if r.number not in bad])
    return errors


def _check_taken(la: LocalAuthority, rows: list[importer.ParsedRow]) -> list[RowError]:
    """URNs and LAESTABs are unique nationally, so this one look-up crosses the tenant scope.

    A number of one of this LA's schools is named as such; a number used anywhere else only
    "cannot be used": the answer never says that another LA has registered it.
    """
    with scopes_disabled():
        taken = {
            "urn": dict(
                School.objects.filter(urn__in=[r["urn"] for r in rows]).values_list("urn", "la_id")
            ),
            "laestab": dict(
                School.objects.filter(laestab__in=[r["laestab"] for r in rows]).values_list(
                    "laestab", "la_id"
                )
            ),
        }
    errors = []
    for row in rows:
        for column in ("urn", "laestab"):
            value = row[column]
            if value in taken[column]:
                errors.append(
                    RowError(
                        row.number,
                        column,
                        taken_message(column, value, taken[column][value] == la.pk),
                    )
                )
    return errors


def taken_message(column: str, value: str, ours: bool) -> str:
    label = column.upper()
    if ours:
        return f"{label} {value} is already one of your schools"
    return f"{label} {value} cannot be used"


def _save(rows: list[importer.ParsedRow], la: LocalAuthority) -> int:
    for row in rows:
        School.objects.create(la=la, **{k: row[k] for k in COLUMNS})
    return len(rows)


SCHOOLS = importer.ImportKind(
    key="schools",
    title="Schools",
    columns=(
        col.Column("urn", "urn", col.text(20), example="100001"),
        col.Column("laestab", "laestab", col.text(20), example="2042001"),
        col.Column("name", "name", col.text(200), example="Larkfield Primary School"),
        col.Column("phase", "phase", _phase, example="primary"),
        col.Column("number_on_roll", "number on roll", _number_on_roll, required=False),
    ),
    check=_check,
    save=_save,
    max_rows=MAX_ROWS,
    # The view checks the upload's size before reading it; text signed into the confirm form may
    # be re-checked whatever its length.
    max_bytes=10_000_000,
)


def preview(*, la: LocalAuthority, text: str) -> ImportPreview:
    result = importer.preview(SCHOOLS, text.encode("utf-8"), la)
    rows = [
        {**row.values, "_row": row.number}
        for row in result.rows
        if row.number not in {e.row for e in result.errors}
    ]
    return ImportPreview(rows=rows, errors=result.errors)


def commit(*, la: LocalAuthority, text: str) -> int:
    """Check the file again (it may have changed since the preview) and save every row, or none."""
    return importer.commit(SCHOOLS, text.encode("utf-8"), la)
