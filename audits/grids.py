"""The browser entry of each section as GOV.UK tables of inputs, and the parsing of what is posted.

Every input sits in a table cell with a visually hidden label naming its row and column in full
("Year 7, SEN support, Moderate learning difficulty"), so a screen reader announces the cell it is
in and the need × level table can be filled without seeing it. Posted values are parsed with the
same column parsers as the file import (sendreview.tabular.columns), so a cell typed in the browser
and a cell in a spreadsheet are judged alike; errors come back keyed by input name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from audits.codelists import codelists
from audits.models import MAX_COUNT, AuditReturn
from sendreview.tabular import columns as col
from sendreview.tabular.errors import CellError

BLANK_ROWS = 3


@dataclass
class Cell:
    name: str
    label: str
    value: Any = ""
    kind: str = "int"  # int, money, text, date, bool, select, codes
    options: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    width: int = 3


@dataclass
class Row:
    header: str
    cells: list[Cell]


@dataclass
class Grid:
    caption: str
    columns: list[str]
    rows: list[Row]
    row_heading: str = ""
    totals: list[str] | None = None


@dataclass
class Fields:
    """Single inputs above the grid (non SEN, allocations, financial year)."""

    cells: list[Cell]


@dataclass
class Parsed:
    rows: list[dict[str, Any]] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


_INT = col.integer(0, MAX_COUNT)
_MONEY = col.money()


def _value(value: str) -> Decimal:
    """A percentage or a point score: 0 to 1000, at most two decimal places."""
    try:
        amount = Decimal(value.rstrip("%").strip())
    except Exception as exc:
        raise CellError("Must be a number like 45.5") from exc
    exponent = amount.as_tuple().exponent
    if (
        not amount.is_finite()
        or amount < 0
        or amount > 1000
        or (isinstance(exponent, int) and exponent < -2)
    ):
        raise CellError("Must be a number from 0 to 1000 with at most two decimal places")
    return amount


_PCT_OR_VALUE = _value


def _parse(value: str, parser, name: str, parsed: Parsed, required: bool = False):
    value = (value or "").strip()
    if not value:
        if required:
            parsed.errors[name] = "Enter a value"
        return None
    try:
        return parser(value)
    except CellError as exc:
        parsed.errors[name] = str(exc)
        return None


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


# --- B: level × need for one year group (or the whole school) -------------------------------------


def b_grid(r: AuditReturn, year_group: str, data=None) -> tuple[list[Any], Parsed | None]:
    lists = codelists()
    day = r.snapshot_date
    levels = lists.valid_on("provision_level", day)
    needs = lists.valid_on("primary_need", day)
    stored = {(c.level, c.need): c for c in r.sencount_rows.filter(year_group=year_group)}
    found = lists.get("year_group", year_group) if year_group else None
    where = found.label if found else "Whole school"
    columns = []
    for level in levels:
        columns.append(level.label)
        if level.code in {"S", "E"}:
            columns.append(f"{level.label}: of which high incidence")
    rows = []
    for need in needs:
        cells = []
        for level in levels:
            cell = stored.get((level.code, need.code))
            name = f"c-{level.code}-{need.code}"
            cells.append(
                Cell(
                    name,
                    f"{where}, {level.label}, {need.label}",
                    _fmt(cell.count if cell else None),
                )
            )
            if level.code in {"S", "E"}:
                hname = f"h-{level.code}-{need.code}"
                cells.append(
                    Cell(
                        hname,
                        f"{where}, {level.label}, {need.label}, of which high incidence",
                        _fmt(cell.high_incidence if cell else None),
                    )
                )
        rows.append(Row(f"{need.label} ({need.code})", cells))
    grid = Grid(f"Pupils on the SEN record: {where}", columns, rows, row_heading="Primary need")
    declared = r.declared_totals or {}
    fields = (
        Fields(
            [
                Cell(
                    "non_sen",
                    "Non SEN: pupils on roll not on the SEN record (whole school)",
                    _fmt(r.non_sen),
                )
            ]
            + [
                Cell(
                    f"total-level-{lvl.code}",
                    f"{lvl.label} TOTAL as stated (optional, checked against the cells)",
                    _fmt(declared.get(f"level:{lvl.code}")),
                )
                for lvl in levels
            ]
            + [
                Cell(
                    "total-sen_overall",
                    "SEN overall as stated (optional)",
                    _fmt(declared.get("sen_overall")),
                )
            ]
        )
        if not year_group
        else None
    )
    parsed = None
    if data is not None:
        parsed = Parsed()
        for need in needs:
            for level in levels:
                name = f"c-{level.code}-{need.code}"
                count = _parse(data.get(name, ""), _INT, name, parsed)
                high = None
                if level.code in {"S", "E"}:
                    hname = f"h-{level.code}-{need.code}"
                    high = _parse(data.get(hname, ""), _INT, hname, parsed)
                    if high is not None and (count or 0) < high:
                        parsed.errors[hname] = "High incidence cannot be more than the count"
                if count:
                    parsed.rows.append(
                        {
                            "year_group": year_group,
                            "level": level.code,
                            "need": need.code,
                            "count": count,
                            "high_incidence": high,
                        }
                    )
        if fields is not None:
            parsed.header["non_sen"] = _parse(data.get("non_sen", ""), _INT, "non_sen", parsed)
            totals = {}
            for lvl in levels:
                v = _parse(
                    data.get(f"total-level-{lvl.code}", ""), _INT, f"total-level-{lvl.code}", parsed
                )
                if v is not None:
                    totals[f"level:{lvl.code}"] = v
            v = _parse(data.get("total-sen_overall", ""), _INT, "total-sen_overall", parsed)
            if v is not None:
                totals["sen_overall"] = v
            keep = {k: v for k, v in declared.items() if k.startswith("ks:")}
            parsed.header["declared_totals"] = {**keep, **totals}
        _echo(grid, fields, data, parsed)
    return [x for x in (fields, grid) if x is not None], parsed


def _echo(grid: Grid | None, fields: Fields | None, data, parsed: Parsed) -> None:
    """Show what was typed (not what is stored) when the page comes back with errors."""
    cells = [c for row in (grid.rows if grid else []) for c in row.cells] + (
        fields.cells if fields else []
    )
    for cell in cells:
        if cell.kind == "bool":
            cell.value = cell.name in data
        else:
            cell.value = data.get(cell.name, "")
        cell.error = parsed.errors.get(cell.name, "")


# --- C, D, F, G: one row per code in force ---------------------------------------------------------


def coded_grid(section: str, r: AuditReturn, data=None):
    lists = codelists()
    day = r.snapshot_date
    if section == "C":
        codes = lists.valid_on("vulnerable_group", day)
        stored = {g.group: (g.n, g.whole_school) for g in r.groupcount_rows.all()}
        spec = [("n", "on the SEN record (n)", _INT), ("N", "in the whole school (N)", _INT)]
        caption, heading = "Vulnerable groups: n on the SEN record (N in the whole school)", "Group"
    elif section == "D":
        codes = lists.valid_on("movement", day)
        stored = {m.movement: (m.count, None) for m in r.movementcount_rows.all()}
        spec = [("count", "number of pupils", _INT)]
        caption, heading = (
            "Movement within the SEN record over the last academic year (other than at transition)",
            "Movement",
        )
    elif section == "F":
        codes = lists.valid_on("funding_category", day)
        stored = {f.category: (f.planned, f.outturn) for f in r.fundingline_rows.all()}
        spec = [("planned", "budget plan (£)", _MONEY), ("outturn", "outturn (£)", _MONEY)]
        caption, heading = "SEN spending by category for the financial year", "Category"
    else:  # G
        codes = lists.valid_on("outcome_measure", day)
        stored = {o.measure: (o.non_sen, o.sen) for o in r.outcomefigure_rows.all()}
        spec = [("non_sen", "non-SEN pupils", _PCT_OR_VALUE), ("sen", "SEN pupils", _PCT_OR_VALUE)]
        caption, heading = (
            "Outcomes of SEN and non-SEN pupils (percentages, or points for point scores)",
            "Measure",
        )
    rows = []
    for code in codes:
        values = stored.get(code.code, (None,) * len(spec))
        label = (
            code.label
            if not (section == "C" and code.code == "OTHER" and r.other_group_label)
            else f"Other: {r.other_group_label}"
        )
        cells = [
            Cell(
                f"{code.code}-{key}",
                f"{label}, {what}",
                _fmt(values[i]),
                kind="money" if section == "F" else "int",
                width=5 if section == "F" else 3,
            )
            for i, (key, what, _) in enumerate(spec)
        ]
        rows.append(Row(label, cells))
    grid = Grid(caption, [s[1].capitalize() for s in spec], rows, row_heading=heading)
    fields = None
    if section == "C":
        fields = Fields(
            [
                Cell(
                    "other_group_label",
                    "Name of the 'other' group (optional)",
                    r.other_group_label,
                    kind="text",
                    width=20,
                )
            ]
        )
    elif section == "F":
        fields = Fields(
            [
                Cell(
                    "financial_year",
                    "Financial year, like 2025-26",
                    r.financial_year,
                    kind="text",
                    width=10,
                ),
                Cell(
                    "allocation_without_plans",
                    "Allocation for pupils without statements or EHC plans (£)",
                    _fmt(r.allocation_without_plans),
                    kind="money",
                    width=10,
                ),
                Cell(
                    "allocation_with_plans",
                    "Allocation for pupils with statements or EHC plans (£)",
                    _fmt(r.allocation_with_plans),
                    kind="money",
                    width=10,
                ),
            ]
        )
    parsed = None
    if data is not None:
        parsed = Parsed()
        for code in codes:
            got = [
                _parse(data.get(f"{code.code}-{key}", ""), parser, f"{code.code}-{key}", parsed)
                for key, _, parser in spec
            ]
            if all(v is None for v in got):
                continue
            if section == "C":
                if None in got:
                    missing = f"{code.code}-{'n' if got[0] is None else 'N'}"
                    parsed.errors[missing] = "Enter both n and N"
                    continue
                parsed.rows.append({"group": code.code, "n": got[0], "whole_school": got[1]})
            elif section == "D":
                parsed.rows.append({"movement": code.code, "count": got[0]})
            elif section == "F":
                parsed.rows.append({"category": code.code, "planned": got[0], "outturn": got[1]})
            else:
                parsed.rows.append({"measure": code.code, "non_sen": got[0], "sen": got[1]})
        if section == "C":
            parsed.header["other_group_label"] = (
                _parse(data.get("other_group_label", ""), col.text(60), "other_group_label", parsed)
                or ""
            )
        if section == "F":
            fy = _parse(
                data.get("financial_year", ""),
                col.text(
                    9,
                    pattern=r"\d{4}-\d{2}",
                    pattern_message="Enter the financial year like 2025-26",
                ),
                "financial_year",
                parsed,
            )
            parsed.header["financial_year"] = fy or ""
            for name in ("allocation_without_plans", "allocation_with_plans"):
                parsed.header[name] = _parse(data.get(name, ""), _MONEY, name, parsed)
        _echo(grid, fields, data, parsed)
    return [x for x in (fields, grid) if x is not None], parsed


# --- E and H: a row per entry, plus blank rows to add more -----------------------------------------

E_COLUMNS = [
    ("name", "Provision", "text", 12), ("levels", "Levels served (codes)", "codes", 6), ("needs", "Needs addressed (codes)", "codes", 8),
    ("entry_criteria", "Entry criteria", "text", 10), ("exit_criteria", "Exit criteria", "text", 10), ("weeks", "Weeks", "int", 2),
    ("group_size", "Group size", "int", 2), ("frequency", "Frequency", "text", 8), ("staff", "Staff", "text", 8),
    ("annual_cost", "Annual cost (£)", "money", 6), ("pupils", "Pupils linked", "int", 3), ("impact", "Evidence of impact", "text", 12),
]  # fmt: skip
H_COLUMNS = [
    ("pseudonym", "Pseudonym (e.g. Student A)", "text", 8), ("level", "Statement or EHC plan", "select", 0),
    ("due_date", "Review due (YYYY-MM-DD)", "date", 8), ("held_date", "Held on (YYYY-MM-DD)", "date", 8),
    ("copy_received", "Copy sent to the LA", "bool", 0), ("looked_after", "Looked after", "bool", 0),
    ("transition_year", "Year 5 or 9", "bool", 0), ("major_change", "Major change requested", "bool", 0),
]  # fmt: skip


def _codes_parser(list_key: str, day: dt.date):
    lists = codelists()

    def parse(value: str) -> list[str]:
        codes = [c.strip().upper() for c in value.replace(";", ",").split(",") if c.strip()]
        valid = {c.upper(): c for c in lists.valid_codes(list_key, day)}
        bad = [c for c in codes if c not in valid]
        if bad:
            raise CellError(
                f"Unknown or out-of-date code(s) {', '.join(bad)}. Use: {', '.join(valid.values())}"
            )
        return [valid[c] for c in codes]

    return parse


def list_grid(section: str, r: AuditReturn, data=None):
    day = r.snapshot_date
    lists = codelists()
    existing: list[Any]
    if section == "E":
        spec, existing = E_COLUMNS, list(r.provisionentry_rows.all())
        caption = "Provision map (only the number of pupils linked reaches the LA)"
    else:
        spec, existing = H_COLUMNS, list(r.annualreview_rows.all())
        caption = "Annual reviews of statements and EHC plans (pseudonyms only, never names)"
    plan_levels = [
        (c.code, c.label) for c in lists.valid_on("provision_level", day) if c.code in {"S", "E"}
    ]
    parsers = {
        "text": col.text(2000),
        "int": col.integer(0, MAX_COUNT),
        "money": _MONEY,
        "date": col.date(),
        "select": col.choice([c for c, _ in plan_levels], what="level"),
    }
    count = len(existing) + BLANK_ROWS
    rows = []
    for i in range(count):
        obj = existing[i] if i < len(existing) else None
        cells = []
        for key, label, kind, width in spec:
            value = getattr(obj, key) if obj else None
            if kind == "codes":
                value = ", ".join(value or [])
            shown = value if kind == "bool" else _fmt(value)
            cells.append(
                Cell(
                    f"{i}-{key}",
                    f"Row {i + 1}, {label}",
                    shown,
                    kind=kind,
                    options=plan_levels if kind == "select" else [],
                    width=width,
                )
            )
        rows.append(Row(f"{i + 1}", cells))
    grid = Grid(caption, [label for _, label, _, _ in spec], rows, row_heading="Row")
    parsed = None
    if data is not None:
        parsed = Parsed()
        seen: set[str] = set()
        for i in range(
            int(data.get("row_count", count)) if str(data.get("row_count", "")).isdigit() else count
        ):
            if i > 200:
                break
            raw = {
                key: (data.get(f"{i}-{key}", "") or "").strip()
                for key, _, kind, _ in spec
                if kind != "bool"
            }
            if not any(raw.values()):
                continue
            values: dict[str, Any] = {}
            for key, _label, kind, _ in spec:
                name = f"{i}-{key}"
                if kind == "bool":
                    values[key] = name in data
                elif kind == "codes":
                    values[key] = (
                        _parse(
                            raw[key],
                            _codes_parser(
                                "provision_level" if key == "levels" else "primary_need", day
                            ),
                            name,
                            parsed,
                        )
                        or []
                    )
                else:
                    parser = (
                        col.text(
                            120
                            if key in {"name", "frequency", "staff"}
                            else 20
                            if key == "pseudonym"
                            else 2000
                        )
                        if kind == "text"
                        else parsers[kind]
                    )
                    required = key in {"name", "pseudonym", "level", "due_date"}
                    values[key] = _parse(raw[key], parser, name, parsed, required=required)
                    if kind == "text" and values[key] is None:
                        values[key] = ""
            if section == "H" and values.get("pseudonym"):
                if values["pseudonym"] in seen:
                    parsed.errors[f"{i}-pseudonym"] = "Each pseudonym can appear only once"
                seen.add(values["pseudonym"])
            parsed.rows.append(values)
        _echo(grid, None, data, parsed)
    return [grid], parsed


def section_grids(section: str, r: AuditReturn, data=None, *, year_group: str = ""):
    if section == "B":
        return b_grid(r, year_group, data)
    if section in {"C", "D", "F", "G"}:
        return coded_grid(section, r, data)
    return list_grid(section, r, data)
