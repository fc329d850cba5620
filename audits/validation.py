"""The checks of PROCESSES.md §3 on a return's figures: errors block submission, warnings need a comment.

Each problem names the section and the *cell* it is about (`cell` is the id of the input on the
section page, so the error summary links straight to it). The checks run on plain `Figures`, so
the source's worked example (004, 2008/9 and 2009/10) is a test fixture without a database, and on
a stored return through `validate_return()`.

Errors (the return cannot be submitted):
- B: a level's stated TOTAL ≠ the sum of its need cells; the levels ≠ SEN overall; the key stages ≠
  SEN overall; Non SEN + SEN overall ≠ number on roll; a level, need or year group not valid on
  the snapshot date; GLD counted beside MLD/SLD/PMLD; high incidence given for a non-statement level.
- C: n > N; n > SEN overall; N > number on roll; male N + female N ≠ number on roll; male n +
  female n ≠ SEN overall (the 2008/9 example's female 150 is caught here); a group not in force.
- D, F, G, H: codes not in force on the snapshot date; G percentages outside 0–100.
Warnings (need the school's comment):
- SEN overall changed by more than the LA's percentage since last year's accepted return;
- movement does not reconcile (last year + added + joined − taken off − left ≠ this year);
- funding outturn under 90 % or over 110 % of the allocation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from audits.codelists import codelists

GLD_PARTS = {"MLD", "SLD", "PMLD"}
PLAN_LEVELS = {"S", "E"}
ADDED = {"ADDED", "ADDED_K", "ADDED_E"}
TAKEN_OFF = {"OFF", "K_OFF", "E_OFF"}


@dataclass
class Issue:
    section: str
    cell: str
    message: str
    key: str = ""  # for a warning: the key its comment is stored under

    def __str__(self) -> str:
        return self.message


@dataclass
class Report:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    comments: dict[str, str] = field(default_factory=dict)

    @property
    def uncommented_warnings(self) -> list[Issue]:
        return [w for w in self.warnings if not (self.comments.get(w.key) or "").strip()]

    def for_section(self, section: str) -> list[Issue]:
        return [i for i in self.errors + self.warnings if i.section == section]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.uncommented_warnings


@dataclass
class Figures:
    """A return's figures as plain data. Counts: (year group or "", level, need, count, high incidence)."""

    snapshot_date: dt.date
    year_start: int
    number_on_roll: int | None = None
    non_sen: int | None = None
    declared_totals: dict[str, int] = field(default_factory=dict)
    counts: list[tuple[str, str, str, int, int | None]] = field(default_factory=list)
    groups: dict[str, tuple[int, int]] = field(default_factory=dict)
    movements: dict[str, int] = field(default_factory=dict)
    allocation: Decimal | None = None
    funding: dict[str, tuple[Decimal | None, Decimal | None]] = field(default_factory=dict)
    outcomes: dict[str, tuple[Decimal | None, Decimal | None]] = field(default_factory=dict)
    review_levels: list[tuple[str, str]] = field(default_factory=list)  # (pseudonym, level)
    sections: list[str] = field(default_factory=lambda: list("BCDEFGH"))

    def level_totals(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for _, level, _, count, _ in self.counts:
            totals[level] += count
        return dict(totals)

    def computed_sen_overall(self) -> int:
        return sum(c[3] for c in self.counts)

    def sen_overall(self) -> int:
        """As stated if the school stated it, else as counted."""
        stated = self.declared_totals.get("sen_overall")
        return stated if stated is not None else self.computed_sen_overall()

    def ks_totals(self) -> dict[str, int]:
        lists = codelists()
        totals: dict[str, int] = defaultdict(int)
        for year_group, _, _, count, _ in self.counts:
            if year_group:
                code = lists.get("year_group", year_group)
                totals[code.key_stage if code else "?"] += count
        return dict(totals)


def _label(list_key: str, code: str) -> str:
    found = codelists().get(list_key, code)
    return found.label if found else code


def validate(
    figures: Figures,
    *,
    previous: Figures | None = None,
    change_percent: int = 20,
    comments: dict[str, str] | None = None,
) -> Report:
    report = Report(comments=dict(comments or {}))
    _check_header(figures, report)
    if "B" in figures.sections:
        _check_counts(figures, previous, change_percent, report)
    if "C" in figures.sections:
        _check_groups(figures, report)
    if "D" in figures.sections:
        _check_movement(figures, previous, report)
    if "F" in figures.sections:
        _check_funding(figures, report)
    if "G" in figures.sections:
        _check_outcomes(figures, report)
    if "H" in figures.sections:
        _check_reviews(figures, report)
    return report


def _code_error(report: Report, section: str, cell: str, list_key: str, code: str, day) -> None:
    reason = codelists().invalid_reason(list_key, code, day)
    if reason:
        report.errors.append(Issue(section, cell, f"{reason} (snapshot date {day:%-d %B %Y})"))


def _check_header(f: Figures, report: Report) -> None:
    start, end = dt.date(f.year_start, 9, 1), dt.date(f.year_start + 1, 8, 31)
    if not start <= f.snapshot_date <= end:
        report.errors.append(
            Issue(
                "A",
                "snapshot_date",
                f"The snapshot date must be inside the academic year ({start:%-d %B %Y} to {end:%-d %B %Y})",
            )
        )
    if "B" in f.sections and f.number_on_roll is None:
        report.errors.append(Issue("A", "number_on_roll", "Enter the number on roll"))


def _check_counts(
    f: Figures, previous: Figures | None, change_percent: int, report: Report
) -> None:
    day = f.snapshot_date
    if not f.counts and "sen_overall" not in f.declared_totals:
        report.errors.append(
            Issue("B", "counts", "Enter the numbers on the SEN record (section B)")
        )
    if any(c[0] for c in f.counts) and any(not c[0] for c in f.counts):
        report.errors.append(
            Issue(
                "B",
                "counts",
                "Counts are given both for the whole school and by year group: keep one of the two",
            )
        )
    needs_seen: set[str] = set()
    for year_group, level, need, count, high in f.counts:
        cell = f"count-{year_group or 'all'}-{level}-{need}"
        _code_error(report, "B", cell, "provision_level", level, day)
        _code_error(report, "B", cell, "primary_need", need, day)
        if year_group:
            _code_error(report, "B", cell, "year_group", year_group, day)
        if high is not None and level not in PLAN_LEVELS:
            report.errors.append(
                Issue(
                    "B",
                    cell,
                    f"High incidence is recorded only for statements and EHC plans, not {_label('provision_level', level)}",
                )
            )
        if count:
            needs_seen.add(need)
    if "GLD" in needs_seen and needs_seen & GLD_PARTS:
        report.errors.append(
            Issue(
                "B",
                "counts",
                "GLD already counts MLD, SLD and PMLD together: use either GLD or the three census codes",
            )
        )
    computed = f.level_totals()
    stated_levels = {k[6:]: v for k, v in f.declared_totals.items() if k.startswith("level:")}
    for level, stated in stated_levels.items():
        counted = computed.get(level, 0)
        if stated != counted:
            report.errors.append(
                Issue(
                    "B",
                    f"total-level-{level}",
                    f"{_label('provision_level', level)} TOTAL is {stated} but its need cells add up to {counted}",
                )
            )
    levels_sum = sum({**computed, **stated_levels}.values())
    sen_overall = f.declared_totals.get("sen_overall")
    if sen_overall is not None and sen_overall != levels_sum:
        report.errors.append(
            Issue(
                "B",
                "total-sen_overall",
                f"SEN overall is {sen_overall} but the provision levels add up to {levels_sum}",
            )
        )
    overall = sen_overall if sen_overall is not None else levels_sum
    stated_ks = {k[3:]: v for k, v in f.declared_totals.items() if k.startswith("ks:")}
    if stated_ks and sum(stated_ks.values()) != overall:
        parts = " + ".join(f"{k} {v}" for k, v in stated_ks.items())
        report.errors.append(
            Issue(
                "B",
                "total-ks",
                f"The key stage totals ({parts} = {sum(stated_ks.values())}) must add up to SEN overall ({overall})",
            )
        )
    counted_ks = f.ks_totals()
    if counted_ks:
        for ks, stated in stated_ks.items():
            if counted_ks.get(ks, 0) != stated:
                report.errors.append(
                    Issue(
                        "B",
                        f"total-ks-{ks}",
                        f"SEN in {ks} is {stated} but the year groups of {ks} add up to {counted_ks.get(ks, 0)}",
                    )
                )
    nor = f.number_on_roll
    if nor is not None:
        if f.non_sen is not None and f.non_sen + overall != nor:
            report.errors.append(
                Issue(
                    "B",
                    "non_sen",
                    f"Non SEN ({f.non_sen}) + SEN overall ({overall}) = {f.non_sen + overall}, but the number on roll is {nor}",
                )
            )
        elif overall > nor:
            report.errors.append(
                Issue(
                    "B",
                    "total-sen_overall",
                    f"SEN overall ({overall}) is more than the number on roll ({nor})",
                )
            )
    if previous is not None and "B" in previous.sections:
        before = previous.sen_overall()
        if before and abs(overall - before) * 100 > change_percent * before:
            change = (overall - before) * 100 / before
            report.warnings.append(
                Issue(
                    "B",
                    "total-sen_overall",
                    f"SEN overall changed by {change:+.0f}% since last year ({before} to {overall}). Explain the change.",
                    key="change:sen_overall",
                )
            )


def _check_groups(f: Figures, report: Report) -> None:
    day = f.snapshot_date
    overall = f.sen_overall()
    nor = f.number_on_roll
    for group, (n, whole) in f.groups.items():
        _code_error(report, "C", f"group-{group}-n", "vulnerable_group", group, day)
        label = _label("vulnerable_group", group)
        if n > whole:
            report.errors.append(
                Issue(
                    "C",
                    f"group-{group}-n",
                    f"{label}: {n} on the SEN record is more than the {whole} in the whole school",
                )
            )
        if n > overall:
            report.errors.append(
                Issue(
                    "C",
                    f"group-{group}-n",
                    f"{label}: {n} is more than the {overall} pupils on the SEN record",
                )
            )
        if nor is not None and whole > nor:
            report.errors.append(
                Issue(
                    "C",
                    f"group-{group}-N",
                    f"{label}: {whole} in the whole school is more than the number on roll ({nor})",
                )
            )
    if "MALE" in f.groups and "FEMALE" in f.groups:
        (male_n, male_whole), (female_n, female_whole) = f.groups["MALE"], f.groups["FEMALE"]
        if nor is not None and male_whole + female_whole != nor:
            report.errors.append(
                Issue(
                    "C",
                    "group-FEMALE-N",
                    f"Male ({male_whole}) and female ({female_whole}) in the whole school add up to {male_whole + female_whole}, but the number on roll is {nor}",
                )
            )
        if male_n + female_n != overall:
            report.errors.append(
                Issue(
                    "C",
                    "group-FEMALE-n",
                    f"Male ({male_n}) and female ({female_n}) on the SEN record add up to {male_n + female_n}, but SEN overall is {overall}",
                )
            )


def _check_movement(f: Figures, previous: Figures | None, report: Report) -> None:
    for code in f.movements:
        _code_error(report, "D", f"movement-{code}", "movement", code, f.snapshot_date)
    if previous is None or not ({"JOINED", "LEFT"} & set(f.movements)):
        return
    m = f.movements
    opening = previous.sen_overall()
    added = sum(m.get(c, 0) for c in ADDED)
    off = sum(m.get(c, 0) for c in TAKEN_OFF)
    expected = opening + added + m.get("JOINED", 0) - off - m.get("LEFT", 0)
    closing = f.sen_overall()
    if expected != closing:
        report.warnings.append(
            Issue(
                "D",
                "movement-JOINED",
                f"Last year's {opening} + added {added} + joined {m.get('JOINED', 0)} − taken off {off} − left {m.get('LEFT', 0)} = {expected}, but SEN overall is {closing}. Explain the difference.",
                key="reconcile:movement",
            )
        )


def _check_funding(f: Figures, report: Report) -> None:
    for code in f.funding:
        _code_error(
            report, "F", f"funding-{code}-planned", "funding_category", code, f.snapshot_date
        )
    outturns = [o for _, o in f.funding.values() if o is not None]
    if f.allocation and outturns:
        spent = sum(outturns, Decimal(0))
        share = spent * 100 / f.allocation
        if share < 90 or share > 110:
            report.warnings.append(
                Issue(
                    "F",
                    "allocation_without_plans",
                    f"The outturn (£{spent:,.2f}) is {share:.0f}% of the allocation (£{f.allocation:,.2f}). Explain the variance.",
                    key="variance:funding",
                )
            )


def _check_outcomes(f: Figures, report: Report) -> None:
    lists = codelists()
    for code, values in f.outcomes.items():
        cell = f"outcome-{code}-non_sen"
        _code_error(report, "G", cell, "outcome_measure", code, f.snapshot_date)
        measure = lists.get("outcome_measure", code)
        if measure is not None and measure.extra.get("unit") == "percent":
            for value in values:
                if value is not None and not 0 <= value <= 100:
                    report.errors.append(
                        Issue("G", cell, f"{measure.label}: a percentage must be from 0 to 100")
                    )


def _check_reviews(f: Figures, report: Report) -> None:
    for pseudonym, level in f.review_levels:
        if level not in PLAN_LEVELS:
            report.errors.append(
                Issue(
                    "H",
                    "reviews",
                    f"{pseudonym}: annual reviews are of statements (S) or EHC plans (E), not {level}",
                )
            )
        else:
            _code_error(report, "H", "reviews", "provision_level", level, f.snapshot_date)


# --- Stored returns ------------------------------------------------------------------------------


def figures_of(audit_return) -> Figures:
    """The return's figures, read in one query per section."""
    funding_rows = list(audit_return.fundingline_rows.all())
    allocation: Decimal | None = None
    if (
        audit_return.allocation_without_plans is not None
        or audit_return.allocation_with_plans is not None
    ):
        allocation = Decimal(audit_return.allocation_without_plans or 0) + Decimal(
            audit_return.allocation_with_plans or 0
        )
    return Figures(
        snapshot_date=audit_return.snapshot_date,
        year_start=audit_return.academic_year.start_year,
        number_on_roll=audit_return.number_on_roll,
        non_sen=audit_return.non_sen,
        declared_totals=dict(audit_return.declared_totals or {}),
        counts=[
            (c.year_group, c.level, c.need, c.count, c.high_incidence)
            for c in audit_return.sencount_rows.all()
        ],
        groups={g.group: (g.n, g.whole_school) for g in audit_return.groupcount_rows.all()},
        movements={m.movement: m.count for m in audit_return.movementcount_rows.all()},
        allocation=allocation,
        funding={r.category: (r.planned, r.outturn) for r in funding_rows},
        outcomes={o.measure: (o.non_sen, o.sen) for o in audit_return.outcomefigure_rows.all()},
        review_levels=[(r.pseudonym, r.level) for r in audit_return.annualreview_rows.all()],
        sections=list(audit_return.sections or "BCDEFGH"),
    )


def previous_accepted(audit_return):
    """Last year's return of the same school, if it was accepted (for year-on-year checks)."""
    from audits.models import AuditReturn, ReturnStatus

    return (
        AuditReturn.objects.filter(
            school_id=audit_return.school_id,
            academic_year__start_year=audit_return.academic_year.start_year - 1,
            status=ReturnStatus.ACCEPTED,
        )
        .select_related("academic_year")
        .first()
    )


def validate_return(audit_return) -> Report:
    from audits.models import AuditCollection

    previous = previous_accepted(audit_return)
    collection = AuditCollection.objects.filter(
        la_id=audit_return.school.la_id, academic_year_id=audit_return.academic_year_id
    ).first()
    return validate(
        figures_of(audit_return),
        previous=figures_of(previous) if previous else None,
        change_percent=collection.change_warning_percent if collection else 20,
        comments=audit_return.warning_comments,
    )
