"""Summary source: accepted SEN audit returns (audits app) → SenAuditSummary.

Reads only through `audits.selectors` (the figures frozen at acceptance). A return re-opened for a
correction keeps its last accepted figures, so its row stays until it is accepted again.

Stored per row for the attention rules (dashboards/flags/audits.py), none from fewer than 5 SEN pupils:
the need shift since last year (section B), the groups and representation ratio (C), the
step-down share (D), SEN exclusions and their rate, and the headline SEN / non-SEN gap with last
year's on the same measure (G).

Derived: SenDistribution, the LA's quartiles of SEN % of roll per year and phase (a school's page).

Hook: an AuditReturnEvent of kind accept or reopen is created inside the workflow's transaction
(sendreview.documents.workflow.transition); its post_save refreshes that school's year there.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models.signals import post_save

from dashboards.models import SenAuditSummary, SenDistribution
from dashboards.sen import (  # no figure from fewer pupils than SUPPRESS_BELOW (PROCESSES.md §5.2)
    SUPPRESS_BELOW,
    TOTAL_FIELDS,
    totals_of,
)

REFRESHING_EVENTS = {"accept", "reopen"}
OLD_LEVELS = ("A", "P", "S")  # School Action, School Action Plus, Statement (to the 2014 change)
NEW_LEVELS = ("K", "E")  # SEN support, EHC plan (from 2014)
OTHER_GROUP = "Other"


def need_group(code: str) -> str:
    from audits.codelists import codelists

    found = codelists().get("primary_need", code)
    group = getattr(found, "group", None) if found is not None else None
    return group or OTHER_GROUP


def quartiles(values: list[float]) -> tuple:
    """(q1, median, q3) rounded, or (None, None, None) under 5 values: too few to publish."""
    if len(values) < SUPPRESS_BELOW:
        return (None, None, None)
    return tuple(round(v, 4) for v in statistics.quantiles(sorted(values), n=4, method="inclusive"))


def _float(value):
    return None if value is None else float(value)


class AuditsSource:
    name = "audits"

    def connect(self) -> None:
        from audits.models import AuditReturnEvent

        post_save.connect(
            self._on_event, sender=AuditReturnEvent, dispatch_uid="dashboards.audits.on_event"
        )

    def _on_event(self, sender, instance, created, raw=False, **kwargs) -> None:
        if raw or not created or instance.kind not in REFRESHING_EVENTS:
            return
        from dashboards import summaries

        audit_return = instance.document
        summaries.refresh(
            self,
            la_id=audit_return.school.la_id,
            school_id=audit_return.school_id,
            year_id=audit_return.academic_year_id,
        )

    def year_ids(self, la_id: int) -> list[int]:
        from schools.models import AcademicYear

        return list(AcademicYear.objects.filter(la_id=la_id).values_list("pk", flat=True))

    def derive(self, la_id: int, year_ids):
        """Per (year, phase and every phase): quartiles of SEN % of roll and of each level's %,
        and the borough's totals (dashboards.sen.over_years reads them)."""
        rows = SenAuditSummary.objects.filter(
            la_id=la_id, academic_year_id__in=list(year_ids)
        ).values_list("academic_year_id", "start_year", "phase", "sen_percent", *TOTAL_FIELDS)
        groups: dict[tuple, list] = defaultdict(list)
        for year_id, start_year, phase, pct, *figures in rows:
            for p in (phase, SenDistribution.ALL_PHASES):
                groups[(year_id, start_year, p)].append((pct, figures))
        out = []
        for (year_id, start_year, phase), found in groups.items():
            # (SEN %, roll, pupils per level) for the quartiles: roll and levels lead TOTAL_FIELDS
            values = [(pct, figures[0], figures[2] or {}) for pct, figures in found]
            q = quartiles([pct for pct, _, _ in values if pct is not None])
            levels = {}
            for code in sorted({c for _, _, by_level in values for c in by_level}):
                percents = [
                    by_level.get(code, 0) * 100 / roll for _, roll, by_level in values if roll
                ]
                levels[code] = [len(percents), *quartiles(percents)]
            out.append(
                SenDistribution(
                    la_id=la_id,
                    academic_year_id=year_id,
                    start_year=start_year,
                    phase=phase,
                    schools=len(values),
                    q1=q[0],
                    median=q[1],
                    q3=q[2],
                    by_level=levels,
                    totals=totals_of(figures for _, figures in found),
                )
            )
        return {SenDistribution: out}

    def compute(self, la_id: int, school_id: int | None = None, year_id: int | None = None):
        from audits.models import AuditReturn
        from audits.selectors import _from_snapshot

        returns = AuditReturn.objects.filter(
            school__la_id=la_id, accepted_snapshot__isnull=False
        ).values(
            "pk",
            "uuid",
            "school_id",
            "school__phase",
            "academic_year_id",
            "academic_year__start_year",
        )
        if school_id is not None:
            returns = returns.filter(school_id=school_id)
        if year_id is not None:
            returns = returns.filter(academic_year_id=year_id)
        info = {r["pk"]: r for r in returns}
        snapshots = AuditReturn.objects.filter(pk__in=list(info)).only(
            "school_id", "academic_year_id", "accepted_snapshot"
        )
        rows = []
        for ret in snapshots:
            r = info[ret.pk]
            accepted = _from_snapshot(ret, r["academic_year__start_year"])
            groups: dict[str, int] = defaultdict(int)
            for need, n in accepted.by_need.items():
                groups[need_group(need)] += n
            low = 0
            for cell in accepted.cells:
                count, high = cell[3], cell[4]
                if high is not None:
                    low += max((count or 0) - high, 0)
            pct = accepted.sen_percent
            enough = not suppressed(accepted)
            funding = accepted.funding
            rows.append(
                SenAuditSummary(
                    la_id=la_id,
                    academic_year_id=r["academic_year_id"],
                    school_id=r["school_id"],
                    phase=r["school__phase"],
                    start_year=r["academic_year__start_year"],
                    return_uuid=r["uuid"],
                    number_on_roll=accepted.number_on_roll,
                    sen_overall=accepted.sen_overall,
                    sen_percent=_float(pct),
                    by_level={k: v for k, v in sorted(accepted.by_level.items()) if v},
                    by_need_group={k: v for k, v in sorted(groups.items()) if v},
                    high_incidence=accepted.high_incidence or 0,
                    low_incidence=low,
                    financial_year=funding.financial_year,
                    allocation=_money(funding.allocation),
                    planned=_money(funding.planned),
                    outturn=_money(funding.outturn),
                    step_down_percent=step_down_percent(accepted) if enough else None,
                    groups={k: list(v) for k, v in sorted(accepted.groups.items())},
                    representation=max(representation(accepted).values(), default=None)
                    if enough
                    else None,
                    sen_excluded=(excluded := sen_excluded(accepted)),
                    exclusion_rate=round(excluded * 100 / accepted.sen_overall, 4)
                    if enough and excluded is not None and accepted.sen_overall
                    else None,
                    **(gap_figures(accepted) if enough else {}),
                )
            )
        self._link_previous(la_id, rows, school_id=school_id)
        return {SenAuditSummary: rows}

    def _link_previous(self, la_id, rows, *, school_id) -> None:
        """Each row's previous-year figures and need shift: from the same pass, else (a one-school
        refresh) as stored."""
        known = {(r.school_id, r.start_year): r for r in rows}
        if school_id is not None and rows:
            years = [r.start_year - 1 for r in rows]
            for stored in SenAuditSummary.objects.filter(
                la_id=la_id, school_id=school_id, start_year__in=years
            ):
                known.setdefault((school_id, stored.start_year), stored)
        for r in rows:
            _set_previous(r, known.get((r.school_id, r.start_year - 1)))

    def after_refresh(self, la_id: int, school_id: int, year_id: int) -> None:
        """The next year's row of the school compares with this year's: bring it up to date."""
        from schools.models import AcademicYear

        start_year = AcademicYear.objects.filter(pk=year_id).values_list("start_year", flat=True)[0]
        now = SenAuditSummary.objects.filter(
            la_id=la_id, school_id=school_id, start_year=start_year
        ).first()
        later = SenAuditSummary.objects.filter(
            la_id=la_id, school_id=school_id, start_year=start_year + 1
        ).first()
        if later is not None:
            _set_previous(later, now)
            later.save(update_fields=PREVIOUS_FIELDS)


PREVIOUS_FIELDS = [
    "previous_sen_overall",
    "previous_by_need_group",
    "need_shift",
    "previous_sen_attaining",
    "previous_gap",
]


def _set_previous(row, previous) -> None:
    from dashboards.sen import need_shift

    # The gap compares with last year's only on the same measure (none across 5 A*-C → grade 4).
    same = previous is not None and previous.gap_measure == row.gap_measure and row.gap_measure
    row.previous_sen_attaining = previous.sen_attaining if same else None
    row.previous_gap = previous.gap if same else None

    row.previous_sen_overall = previous.sen_overall if previous else None
    row.previous_by_need_group = dict(previous.by_need_group) if previous else {}
    row.need_shift = (
        need_shift(previous.by_need_group, previous.sen_overall, row.by_need_group, row.sen_overall)
        if previous
        else None
    )


def suppressed(accepted) -> bool:
    """Too few SEN pupils to derive a rate from (PROCESSES.md §5.2 small numbers)."""
    return (accepted.sen_overall or 0) < SUPPRESS_BELOW


def step_down_percent(accepted) -> float | None:
    """Section D: (moved down a level + taken off the record) ÷ SEN overall × 100, the step-down
    share of PROCESSES.md §7 #8 (the codes the audits app's analysis counts as stepping down)."""
    from audits.analysis import STEP_DOWN

    if not accepted.movements or not accepted.sen_overall:
        return None
    down = sum(n or 0 for code, n in accepted.movements.items() if code in STEP_DOWN)
    return round(down * 100 / accepted.sen_overall, 4)


def representation(accepted) -> dict[str, float]:
    """Section C: {group: (n ÷ N) ÷ (SEN overall ÷ roll)} for each group of 5 or more pupils in
    the whole school (PROCESSES.md §5.2: "group N ≥ 5"; a smaller group's rate is not published)."""
    if not accepted.number_on_roll or not accepted.sen_overall:
        return {}
    school_rate = accepted.sen_overall / accepted.number_on_roll
    return {
        code: round((n / whole) / school_rate, 4)
        for code, (n, whole) in accepted.groups.items()
        if whole and whole >= SUPPRESS_BELOW and n is not None
    }


def gap_figures(accepted) -> dict:
    """Section G: the first of the code list's gap measures the return records with both
    figures, as {gap_measure, sen_attaining, gap}; {} without one."""
    from audits.codelists import codelists

    for measure in codelists().all("outcome_measure"):
        if not getattr(measure, "gap", False) or measure.code not in accepted.outcomes:
            continue
        non_sen, sen = accepted.outcomes[measure.code]
        if non_sen is not None and sen is not None:
            return {
                "gap_measure": measure.code,
                "sen_attaining": float(sen),
                "gap": round(float(non_sen - sen), 4),
            }
    return {}


EXCLUSION_MEASURES = ("FIXED_EXCLUSIONS", "SUSPENSIONS", "PERMANENT_EXCLUSIONS")


def sen_excluded(accepted) -> int | None:
    """Section G: SEN pupils suspended (fixed-period exclusions before 2021) plus SEN pupils
    permanently excluded, as the return records them (a pupil with both is counted in each)."""
    found = [
        accepted.outcomes[code][1]
        for code in EXCLUSION_MEASURES
        if code in accepted.outcomes and accepted.outcomes[code][1] is not None
    ]
    return int(sum(found)) if found else None


def _money(value):
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


SOURCE = AuditsSource()
