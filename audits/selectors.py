"""Reads about SEN audit returns, and the small API other apps use.

For other apps (dashboards, audit visits) — they read ACCEPTED figures only, frozen when the LA
accepted the return (a correction under way does not change them until it is accepted again):

    accepted_return(school, year) -> AcceptedReturn | None
        .sen_overall, .number_on_roll, .sen_percent, .by_level {"A": 84, ...}, .by_need,
        .by_year_group, .high_incidence, .groups {"FSM": (n, N)}, .movements, .cells
        [(year group, level, need, count, high incidence)], .outcomes, .funding (FundingTotals)
    funding_totals(school, year) -> FundingTotals | None
        .financial_year, .allocation, .planned, .outturn, .variance (outturn − allocation),
        .variance_percent, .spent_percent, .by_category {code: (planned, outturn)}
    accepted_returns(la, year) -> dict[school_id, AcceptedReturn]   (one query, for borough views)

Call them inside the caller's tenant scope (a request, or `scopes_disabled()` in a job that has
checked its own rights): they never widen it. `school` and `year` are model instances.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from audits.models import AuditReturn, ReturnStatus, SectionQuery
from sendreview.access import get_scoped_or_404


@dataclass(frozen=True)
class FundingTotals:
    financial_year: str
    allocation: Decimal | None
    planned: Decimal | None
    outturn: Decimal | None
    by_category: dict[str, tuple[Decimal | None, Decimal | None]] = field(default_factory=dict)

    @property
    def variance(self) -> Decimal | None:
        if self.allocation is None or self.outturn is None:
            return None
        return self.outturn - self.allocation

    @property
    def spent_percent(self) -> Decimal | None:
        if not self.allocation or self.outturn is None:
            return None
        return (self.outturn * 100 / self.allocation).quantize(Decimal("0.1"))

    @property
    def variance_percent(self) -> Decimal | None:
        spent = self.spent_percent
        return None if spent is None else spent - 100


@dataclass(frozen=True)
class AcceptedReturn:
    school_id: int
    academic_year_id: int
    start_year: int
    snapshot_date: str
    number_on_roll: int | None
    sen_overall: int | None
    by_level: dict[str, int]
    by_need: dict[str, int]
    by_year_group: dict[str, int]
    high_incidence: int
    groups: dict[str, tuple[int, int]]
    movements: dict[str, int]
    cells: list[tuple]
    outcomes: dict[str, tuple[Decimal | None, Decimal | None]]
    funding: FundingTotals

    @property
    def sen_percent(self) -> Decimal | None:
        if not self.number_on_roll or self.sen_overall is None:
            return None
        return (Decimal(self.sen_overall) * 100 / self.number_on_roll).quantize(Decimal("0.1"))


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _from_snapshot(r: AuditReturn, start_year: int) -> AcceptedReturn:
    s = r.accepted_snapshot or {}
    funding = FundingTotals(
        financial_year=s.get("financial_year", ""),
        allocation=_dec(s.get("allocation")),
        planned=_dec(s.get("planned")),
        outturn=_dec(s.get("outturn")),
        by_category={k: (_dec(p), _dec(o)) for k, (p, o) in s.get("funding", {}).items()},
    )
    return AcceptedReturn(
        school_id=r.school_id,
        academic_year_id=r.academic_year_id,
        start_year=start_year,
        snapshot_date=s.get("snapshot_date", ""),
        number_on_roll=s.get("number_on_roll"),
        sen_overall=s.get("sen_overall"),
        by_level=s.get("by_level", {}),
        by_need=s.get("by_need", {}),
        by_year_group=s.get("by_year_group", {}),
        high_incidence=s.get("high_incidence", 0),
        groups={k: (v[0], v[1]) for k, v in s.get("groups", {}).items()},
        movements=s.get("movements", {}),
        cells=[tuple(c) for c in s.get("cells", [])],
        outcomes={k: (_dec(a), _dec(b)) for k, (a, b) in s.get("outcomes", {}).items()},
        funding=funding,
    )


def _accepted(qs: QuerySet) -> QuerySet:
    return qs.filter(accepted_snapshot__isnull=False).only(
        "school_id", "academic_year_id", "accepted_snapshot"
    )


def accepted_return(school, year) -> AcceptedReturn | None:
    found = _accepted(AuditReturn.objects.filter(school=school, academic_year=year)).first()
    return _from_snapshot(found, year.start_year) if found else None


def funding_totals(school, year) -> FundingTotals | None:
    found = accepted_return(school, year)
    return found.funding if found else None


def accepted_returns(la, year) -> dict[int, AcceptedReturn]:
    rows = _accepted(AuditReturn.objects.filter(school__la=la, academic_year=year))
    return {r.school_id: _from_snapshot(r, year.start_year) for r in rows}


# --- For the audits pages ------------------------------------------------------------------------


def return_get(*, user, uuid) -> AuditReturn:
    return get_scoped_or_404(
        AuditReturn.objects.select_related("school", "school__la", "academic_year"), uuid=uuid
    )


def returns_of_school(*, school) -> QuerySet:
    return AuditReturn.objects.filter(school=school).select_related("academic_year")


def overview(*, user, academic_year) -> list[tuple[Any, AuditReturn | None]]:
    """Every school in the acting scope with its return for the year (if any), one query."""
    from schools.models import School

    returns = AuditReturn.objects.filter(academic_year=academic_year)
    by_school = {
        r.school_id: r
        for r in returns.only("uuid", "school_id", "status", "submitted_at", "due_date", "sections")
    }
    schools = list(School.objects.filter(la_id=academic_year.la_id).order_by("name"))
    return [(school, by_school.get(school.pk)) for school in schools]


def open_queries(audit_return: AuditReturn) -> dict[str, list[SectionQuery]]:
    found: dict[str, list[SectionQuery]] = {}
    for q in audit_return.queries.filter(resolved=False).select_related("by"):
        found.setdefault(q.section, []).append(q)
    return found


def section_progress(audit_return: AuditReturn) -> dict[str, int]:
    """How many figures each collected section holds (one count query per section)."""
    from audits.services import SECTIONS

    return {
        section: spec.model._default_manager.filter(audit_return=audit_return).count()
        for section, spec in SECTIONS.items()
        if audit_return.collects(section)
    }


def is_overdue(audit_return: AuditReturn | None, *, today) -> bool:
    return (
        audit_return is not None
        and audit_return.due_date is not None
        and audit_return.submitted_at is None
        and audit_return.status == ReturnStatus.DRAFT
        and today > audit_return.due_date
    )
