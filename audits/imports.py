"""Each section of the return as an import kind of the shared tabular import (sendreview.tabular).

The file fills one section of one return: the school and the return come from the page, never from
the file. Codes must be codes of the list and valid on the return's snapshot date; duplicates,
totals that do not add up (B's TOTAL rows), n > N (C) are reported at their row and column. The
import replaces the section's figures, inside one transaction with the return's version claimed,
so a file checked against an older version of the return is refused, not merged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from audits import services
from audits.codelists import codelists
from audits.grids import _PCT_OR_VALUE
from audits.models import MAX_COUNT, AuditReturn
from sendreview.tabular import columns as col
from sendreview.tabular.errors import RowError
from sendreview.tabular.importer import ImportKind, ParsedRow

TOTAL = "TOTAL"


@dataclass
class Context:
    audit_return: AuditReturn
    user: Any
    expected_version: int


def _codes(list_key: str, *extra: str):
    return [c.code for c in codelists().all(list_key)] + list(extra)


def _code_errors(
    rows: list[ParsedRow], ctx: Context, checks: list[tuple[str, str]]
) -> list[RowError]:
    lists = codelists()
    day = ctx.audit_return.snapshot_date
    errors = []
    for row in rows:
        for column, list_key in checks:
            value = row.get(column)
            if value and value != TOTAL:
                reason = lists.invalid_reason(list_key, value, day)
                if reason:
                    errors.append(
                        RowError(row.number, column, f"{reason} (snapshot date {day:%-d %B %Y})")
                    )
    return errors


def _duplicates(rows: list[ParsedRow], key: tuple[str, ...], column: str) -> list[RowError]:
    seen: dict[tuple, int] = {}
    errors = []
    for row in rows:
        k = tuple(row.get(c) for c in key)
        if k in seen:
            errors.append(RowError(row.number, column, f"Also in row {seen[k]}"))
        else:
            seen[k] = row.number
    return errors


# --- B ---------------------------------------------------------------------------------------------


def _check_b(rows: list[ParsedRow], ctx: Context) -> list[RowError]:
    errors = _code_errors(
        rows,
        ctx,
        [("level", "provision_level"), ("need", "primary_need"), ("year_group", "year_group")],
    )
    errors += _duplicates(rows, ("year_group", "level", "need"), "need")
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row["need"] != TOTAL:
            sums[(row["year_group"] or "", row["level"])] += row["count"]
        if row.get("high_incidence") is not None:
            if row["level"] not in {"S", "E"}:
                errors.append(
                    RowError(
                        row.number,
                        "high_incidence",
                        "Only statements (S) and EHC plans (E) have high incidence",
                    )
                )
            elif row["high_incidence"] > row["count"]:
                errors.append(
                    RowError(row.number, "high_incidence", "Cannot be more than the count")
                )
    for row in rows:
        if row["need"] == TOTAL:
            counted = sums.get((row["year_group"] or "", row["level"]), 0)
            if counted != row["count"]:
                errors.append(
                    RowError(
                        row.number,
                        "count",
                        f"The TOTAL is {row['count']} but the need rows of level {row['level']} add up to {counted}",
                    )
                )
    has_yg = any(r["year_group"] for r in rows)
    if has_yg and any(not r["year_group"] for r in rows):
        errors.append(
            RowError(
                rows[0].number,
                "year_group",
                "Give a year group on every row, or on none (whole school)",
            )
        )
    return errors


def _save_b(rows: list[ParsedRow], ctx: Context) -> int:
    cells = [
        {
            "year_group": r["year_group"] or "",
            "level": r["level"],
            "need": r["need"],
            "count": r["count"],
            "high_incidence": r.get("high_incidence"),
        }
        for r in rows
        if r["need"] != TOTAL and r["count"]
    ]
    declared = {
        f"level:{r['level']}": r["count"]
        for r in rows
        if r["need"] == TOTAL and not r["year_group"]
    }
    keep = {
        k: v
        for k, v in (ctx.audit_return.declared_totals or {}).items()
        if not k.startswith("level:")
    }
    services.section_save(
        audit_return=ctx.audit_return, section="B", rows=cells, expected_version=ctx.expected_version,
        user=ctx.user, header={"non_sen": ctx.audit_return.non_sen, "declared_totals": {**keep, **declared}},
        change_reason="section B imported",
    )  # fmt: skip
    return len(cells)


SECTION_B = ImportKind(
    key="sen-audit-b-counts",
    title="Section B: numbers on the SEN record",
    columns=(
        col.Column(
            "year_group",
            "Year group",
            col.choice(_codes("year_group"), what="year group"),
            required=False,
            default="",
            hint="N1, N2, R, 1 to 14 or X; leave blank for whole-school counts",
            example="7",
        ),
        col.Column(
            "level",
            "Provision level",
            col.choice(_codes("provision_level"), what="provision level"),
            hint="K, E (from 2014); A, P, S (before)",
            example="K",
        ),
        col.Column(
            "need",
            "Primary need",
            col.choice(_codes("primary_need", TOTAL), what="need"),
            hint="census need code, or TOTAL for the level's total (checked)",
            example="SLCN",
        ),
        col.Column("count", "Count", col.integer(0, MAX_COUNT), example="4"),
        col.Column(
            "high_incidence",
            "Of which high incidence",
            col.integer(0, MAX_COUNT),
            required=False,
            hint="statements and EHC plans only",
        ),
    ),
    check=_check_b,
    save=_save_b,
    max_rows=2000,
)


# --- C, D, F, G -------------------------------------------------------------------------------------


def _check_c(rows, ctx: Context) -> list[RowError]:
    errors = _code_errors(rows, ctx, [("group", "vulnerable_group")]) + _duplicates(
        rows, ("group",), "group"
    )
    nor = ctx.audit_return.number_on_roll
    for row in rows:
        if row["n"] > row["whole_school"]:
            errors.append(
                RowError(row.number, "n", f"n ({row['n']}) is more than N ({row['whole_school']})")
            )
        if nor is not None and row["whole_school"] > nor:
            errors.append(
                RowError(row.number, "whole_school", f"More than the number on roll ({nor})")
            )
    by = {r["group"]: r for r in rows}
    if nor is not None and "MALE" in by and "FEMALE" in by:
        total = by["MALE"]["whole_school"] + by["FEMALE"]["whole_school"]
        if total != nor:
            errors.append(
                RowError(
                    by["FEMALE"].number,
                    "whole_school",
                    f"Male and female add up to {total}, but the number on roll is {nor}",
                )
            )
    return errors


def _simple_save(section: str, fields: tuple[str, ...]):
    def save(rows: list[ParsedRow], ctx: Context) -> int:
        services.section_save(
            audit_return=ctx.audit_return, section=section, expected_version=ctx.expected_version, user=ctx.user,
            rows=[{f: r.get(f) for f in fields} for r in rows], change_reason=f"section {section} imported",
        )  # fmt: skip
        return len(rows)

    return save


SECTION_C = ImportKind(
    key="sen-audit-c-groups",
    title="Section C: vulnerable groups",
    columns=(
        col.Column(
            "group", "Group", col.choice(_codes("vulnerable_group"), what="group"), example="FSM"
        ),
        col.Column("n", "On the SEN record", col.integer(0, MAX_COUNT), example="23"),
        col.Column("whole_school", "In the whole school", col.integer(0, MAX_COUNT), example="42"),
    ),
    check=_check_c,
    save=_simple_save("C", ("group", "n", "whole_school")),
)

SECTION_D = ImportKind(
    key="sen-audit-d-movement",
    title="Section D: movement within the SEN record",
    columns=(
        col.Column(
            "movement",
            "Movement",
            col.choice(_codes("movement"), what="movement"),
            example="ADDED_K",
        ),
        col.Column("count", "Count", col.integer(0, MAX_COUNT), example="3"),
    ),
    check=lambda rows, ctx: (
        _code_errors(rows, ctx, [("movement", "movement")])
        + _duplicates(rows, ("movement",), "movement")
    ),
    save=_simple_save("D", ("movement", "count")),
)

SECTION_F = ImportKind(
    key="sen-audit-f-funding",
    title="Section F: SEN spending",
    columns=(
        col.Column(
            "category",
            "Category",
            col.choice(_codes("funding_category"), what="category"),
            example="TEACHERS",
        ),
        col.Column("planned", "Budget plan", col.money(), required=False, example="12000.00"),
        col.Column("outturn", "Outturn", col.money(), required=False, example="11850.00"),
    ),
    check=lambda rows, ctx: (
        _code_errors(rows, ctx, [("category", "funding_category")])
        + _duplicates(rows, ("category",), "category")
    ),
    save=_simple_save("F", ("category", "planned", "outturn")),
)

SECTION_G = ImportKind(
    key="sen-audit-g-outcomes",
    title="Section G: outcomes",
    columns=(
        col.Column(
            "measure",
            "Measure",
            col.choice(_codes("outcome_measure"), what="measure"),
            example="ATT8",
        ),
        col.Column("non_sen", "Non-SEN", _PCT_OR_VALUE, required=False, example="48.2"),
        col.Column("sen", "SEN", _PCT_OR_VALUE, required=False, example="21.5"),
    ),
    check=lambda rows, ctx: (
        _code_errors(rows, ctx, [("measure", "outcome_measure")])
        + _duplicates(rows, ("measure",), "measure")
    ),
    save=_simple_save("G", ("measure", "non_sen", "sen")),
)


# --- E, H -----------------------------------------------------------------------------------------


def _code_list(list_key: str):
    known = {c.upper(): c for c in _codes(list_key)}

    def parse(value: str) -> list[str]:
        codes = [c.strip().upper() for c in value.replace(";", ",").split(",") if c.strip()]
        bad = [c for c in codes if c not in known]
        if bad:
            raise col.CellError(f"Unknown code(s) {', '.join(bad)}")
        return [known[c] for c in codes]

    return parse


def _check_e(rows, ctx: Context) -> list[RowError]:
    lists = codelists()
    day = ctx.audit_return.snapshot_date
    errors = []
    for row in rows:
        for column, list_key in (("levels", "provision_level"), ("needs", "primary_need")):
            for code in row.get(column) or []:
                reason = lists.invalid_reason(list_key, code, day)
                if reason:
                    errors.append(RowError(row.number, column, reason))
    return errors


E_FIELDS = (
    "name",
    "levels",
    "needs",
    "entry_criteria",
    "exit_criteria",
    "weeks",
    "group_size",
    "frequency",
    "staff",
    "annual_cost",
    "pupils",
    "impact",
)

SECTION_E = ImportKind(
    key="sen-audit-e-provision",
    title="Section E: provision map",
    columns=(
        col.Column("name", "Provision", col.text(120), example="Reading recovery group"),
        col.Column(
            "levels",
            "Levels",
            _code_list("provision_level"),
            required=False,
            default=[],
            hint="codes separated by commas",
            example="K, E",
        ),
        col.Column(
            "needs", "Needs", _code_list("primary_need"), required=False, default=[], example="SPLD"
        ),
        col.Column("entry_criteria", "Entry criteria", col.text(2000), required=False, default=""),
        col.Column("exit_criteria", "Exit criteria", col.text(2000), required=False, default=""),
        col.Column("weeks", "Weeks", col.integer(0, 52), required=False),
        col.Column("group_size", "Group size", col.integer(0, 100), required=False),
        col.Column("frequency", "Frequency", col.text(120), required=False, default=""),
        col.Column("staff", "Staff", col.text(120), required=False, default=""),
        col.Column("annual_cost", "Annual cost", col.money(), required=False),
        col.Column("pupils", "Pupils", col.integer(0, MAX_COUNT), required=False),
        col.Column("impact", "Impact", col.text(2000), required=False, default=""),
    ),
    check=_check_e,
    save=_simple_save("E", E_FIELDS),
)

H_FIELDS = (
    "pseudonym",
    "level",
    "due_date",
    "held_date",
    "copy_received",
    "looked_after",
    "transition_year",
    "major_change",
)

SECTION_H = ImportKind(
    key="sen-audit-h-reviews",
    title="Section H: annual reviews",
    columns=(
        col.Column(
            "pseudonym",
            "Pseudonym",
            col.text(20),
            hint="first name only or Student A; never a full name",
            example="Student A",
        ),
        col.Column("level", "Level", col.choice(["S", "E"], what="level"), example="E"),
        col.Column("due_date", "Due date", col.date(), example="2025-11-14"),
        col.Column("held_date", "Held date", col.date(), required=False),
        col.Column("copy_received", "Copy received", col.boolean(), required=False, default=False),
        col.Column("looked_after", "Looked after", col.boolean(), required=False, default=False),
        col.Column("transition_year", "Year 5 or 9", col.boolean(), required=False, default=False),
        col.Column("major_change", "Major change", col.boolean(), required=False, default=False),
    ),
    check=lambda rows, ctx: (
        _code_errors(rows, ctx, [("level", "provision_level")])
        + _duplicates(rows, ("pseudonym",), "pseudonym")
    ),
    save=_simple_save("H", H_FIELDS),
)

KINDS = {
    "B": SECTION_B,
    "C": SECTION_C,
    "D": SECTION_D,
    "E": SECTION_E,
    "F": SECTION_F,
    "G": SECTION_G,
    "H": SECTION_H,
}


def template_rows(section: str, audit_return: AuditReturn) -> list[list]:
    """Pre-filled template rows: the codes in force on the snapshot date, figures left blank."""
    lists = codelists()
    day = audit_return.snapshot_date
    if section == "C":
        return [[c, "", ""] for c in lists.valid_codes("vulnerable_group", day)]
    if section == "D":
        return [[c, ""] for c in lists.valid_codes("movement", day)]
    if section == "F":
        return [[c, "", ""] for c in lists.valid_codes("funding_category", day)]
    if section == "G":
        return [[c, "", ""] for c in lists.valid_codes("outcome_measure", day)]
    return []
