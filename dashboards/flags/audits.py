"""The attention rules on accepted SEN audit returns and on audit visits."""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from functools import cache

from django.db.models import ExpressionWrapper, F, FloatField, OuterRef, Q, Subquery
from django.db.models.functions import Abs

from dashboards import activity
from dashboards.flags.common import (
    _NOTHING,
    Flag,
    _nothing,
    _phase_label,
    _return_link,
    _section_link,
)
from dashboards.models import SenAuditSummary, VisitCompliance


def _audit_flags(*, la, year, phase, values, today) -> list[Flag]:
    """The rules on accepted SEN audit returns (SenAuditSummary) and audit visits."""
    sen = SenAuditSummary.objects.filter(la=la, academic_year=year).select_related("school")
    if phase:
        sen = sen.filter(phase=phase)
    fence = float(values["sen_outlier_iqr"])
    change = float(values["sen_sharp_change"])
    variance = float(values["funding_variance"])

    # The rules that compare with a borough figure read it when their rows are first asked for
    # (once: functools.cache), so that describing the rules costs no query.
    @cache
    def quartiles() -> tuple[float, float, float, float, float] | None:
        """The SEN % quartiles (q1, median, q3) and fences (low, high); None below 5 schools."""
        percents = sorted(v for v in sen.values_list("sen_percent", flat=True) if v is not None)
        if len(percents) < 5:
            return None
        q1, median, q3 = statistics.quantiles(percents, n=4, method="inclusive")
        return q1, median, q3, q1 - fence * (q3 - q1), q3 + fence * (q3 - q1)

    def outliers():
        found = quartiles()
        if found is None:
            return sen.none()
        low, high = found[3], found[4]
        return sen.filter(Q(sen_percent__lt=low) | Q(sen_percent__gt=high)).order_by("school__name")

    def outlier_reason(r, d) -> str:
        found = quartiles()
        assert found is not None  # the rule finds rows only when there are quartiles
        q1, median, q3, low, high = found
        return (
            f"{r.sen_percent:.1f}% of the roll on the SEN record in {year.label}; the borough's "
            f"quartiles are {q1:.1f}% and {q3:.1f}% (median {median:.1f}%), so below "
            f"{low:.1f}% or above {high:.1f}% stands out."
        )

    previous = SenAuditSummary.objects.filter(
        la=la, school=OuterRef("school"), start_year=year.start_year - 1
    ).values("sen_percent")[:1]
    changed = (
        sen.annotate(previous_percent=Subquery(previous))
        .filter(previous_percent__isnull=False, sen_percent__isnull=False)
        .annotate(delta=Abs(F("sen_percent") - F("previous_percent")))
        .filter(delta__gt=change)
        .order_by("-delta", "school__name")
    )
    money = (
        sen.filter(allocation__gt=0, outturn__isnull=False)
        .annotate(
            off=ExpressionWrapper(
                Abs(F("outturn") - F("allocation")) * 100.0 / F("allocation"),
                output_field=FloatField(),
            )
        )
        .filter(off__gt=variance)
        .order_by("-off", "school__name")
    )
    points = float(values["need_mix_change"])
    need_moves = need_mix_changes(sen=sen, points=points)
    ratio = float(values["over_representation"])
    over = sen.filter(representation__gt=ratio).order_by("-representation", "school__name")
    times = float(values["exclusion_ratio"])
    excluded = cache(lambda: exclusions_above(la=la, year=year, sen=sen, times=times))
    margin = float(values["gap_margin"])
    widening = cache(lambda: gaps_widening(la=la, year=year, sen=sen, margin=margin))
    stepped = cache(
        lambda: step_down_pattern(
            la=la, year=year, phase=phase, sen=sen, years=int(values["step_down_years"])
        )
    )
    out = [
        Flag(
            "sen_outlier",
            "SEN % of roll far from the borough's",
            f"SEN pupils as a % of roll more than {fence:g} interquartile ranges outside the "
            "borough's quartiles.",
            outliers,
            outlier_reason,
            _return_link,
            varies_by="phase",
        ),
        Flag(
            "sen_change",
            "Sharp change in SEN numbers",
            f"SEN % of roll changed by more than {change:g} points since {year.start_year - 1}.",
            changed,
            lambda r, d: (
                f"{r.previous_percent:.1f}% of the roll on the SEN record last year, "
                f"{r.sen_percent:.1f}% in {year.label}."
            ),
            _return_link,
        ),
        Flag(
            "funding_variance",
            "SEN funding spent far from allocated",
            f"Outturn differs from the allocation by more than {variance:g}% of it.",
            money,
            lambda r, d: (
                f"Allocated £{r.allocation:,.0f}, spent £{r.outturn:,.0f} "
                f"({r.outturn * 100 / r.allocation:.0f}% of the allocation) in "
                f"{r.financial_year or year.label}."
            ),
            _return_link,
        ),
        Flag(
            "need_mix_change",
            "Sharp change in need mix",
            f"A primary-need group's share of the SEN pupils moved by more than "
            f"{points:g} percentage points since {year.start_year - 1}.",
            need_moves,
            lambda r, d: _need_reason(r, points, year),
            _return_link,
        ),
        Flag(
            "step_down_pattern",
            "Step-down pattern",
            "Pupils moved down a level or taken off the SEN record, as a share of the SEN pupils, "
            f"above the borough's upper quartile in at least {int(values['step_down_years'])} of "
            f"the 3 years to {year.label}.",
            lambda: stepped()[0],
            lambda r, d: _step_down_reason(stepped()[1].get(r.school_id, [])),
            _section_link("D"),
            varies_by="phase",
        ),
        Flag(
            "over_representation",
            "Vulnerable group over-represented on the SEN record",
            f"A vulnerable group's share on the SEN record is more than {ratio:g} times the whole "
            "school's (groups of 5 or more pupils).",
            over,
            lambda r, d: _representation_reason(r, ratio),
            _section_link("C"),
        ),
        Flag(
            "exclusions",
            "SEN exclusions above the borough's rate",
            "SEN pupils suspended or permanently excluded, as a share of the SEN pupils, more than "
            f"{times:g} times the borough's rate for SEN pupils in schools of the same phase.",
            lambda: excluded()[0],
            lambda r, d: (
                f"{r.sen_excluded} of {r.sen_overall} SEN pupils suspended or permanently "
                f"excluded in {year.label} ({r.exclusion_rate:.1f}%); the borough's rate for SEN "
                f"pupils in {_phase_label(r.phase)} schools is {excluded()[1][r.phase]:.1f}%."
            ),
            _section_link("G"),
        ),
        Flag(
            "gap_widening",
            "SEN / non-SEN gap widening",
            f"The attainment gap between SEN and non-SEN pupils is more than {margin:g} points "
            "wider than the borough's, wider than the year before, and SEN attainment did not "
            "rise.",
            lambda: widening()[0],
            lambda r, d: _gap_reason(r, widening()[1], year),
            _section_link("G"),
        ),
    ]
    from django.apps import apps

    if apps.is_installed("audits.visits"):
        cycle = la.audit_cycle_years
        # today=None: every school with a next visit date, each counted from the day after it.
        due_known = Q(next_due_on__isnull=False) | Q(last_visit__isnull=False)
        overdue = VisitCompliance.objects.filter(
            activity.overdue(la=la, today=today) if today is not None else due_known,
            la=la,
            school__is_open=True,
        ).select_related("school")
        if phase:
            overdue = overdue.filter(school__phase=phase)

        def overdue_reason(r, d) -> str:
            due = activity.next_due(r, cycle)  # set: the rule finds only schools visited before
            if due is None:
                return "Audit visit overdue."
            return f"Audit visit due on {due:%-d %B %Y} and not held" + (
                f" (last visit {r.last_visit:%-d %B %Y})." if r.last_visit else "."
            )

        def overdue_from(r) -> date | None:
            due = activity.next_due(r, cycle)
            return due + timedelta(days=1) if due is not None else None

        out.append(
            Flag(
                "visit_overdue",
                "SEN audit visit overdue",
                "The next audit visit was due and has not been held.",
                overdue.order_by("school__name", "pk"),
                overdue_reason,
                lambda r, d: (
                    ("audit_visits:visit-detail", {"uuid": r.current_uuid})
                    if r.current_uuid is not None
                    else ("audit_visits:visit-list", {})
                ),
                starts=overdue_from,
                yearly=False,
            )
        )
    return out


def step_down_pattern(*, la, year, phase, sen, years: int):
    """This year's rows of schools whose step-down share was above the borough's upper quartile
    (of that year, same phase filter) in at least `years` of the 3 years to this one, and
    {school id: [(start year, share, upper quartile)]} for the reasons. Two queries: the stored
    shares of 3 years, then the flagged rows."""
    from dashboards.sen import SUPPRESS_BELOW

    rows = SenAuditSummary.objects.filter(
        la=la,
        start_year__in=[year.start_year - 2, year.start_year - 1, year.start_year],
        step_down_percent__isnull=False,
    )
    if phase:
        rows = rows.filter(phase=phase)
    by_year: dict[int, list[tuple[int, float]]] = {}
    for school_id, start_year, share in rows.values_list(
        "school_id", "start_year", "step_down_percent"
    ):
        by_year.setdefault(start_year, []).append((school_id, float(share or 0)))
    above: dict[int, list[tuple[int, float, float]]] = {}
    for start_year, shares in sorted(by_year.items()):
        if len(shares) < SUPPRESS_BELOW:
            continue  # no quartile from fewer than 5 schools
        q3 = statistics.quantiles(sorted(v for _, v in shares), n=4, method="inclusive")[2]
        for school_id, share in shares:
            if share > q3:
                above.setdefault(school_id, []).append((start_year, share, q3))
    found = [school_id for school_id, found in above.items() if len(found) >= years]
    rows = sen.filter(school_id__in=found) if found else _nothing(sen)
    return rows.order_by("school__name"), above


def exclusions_above(*, la, year, sen, times: float):
    """This year's rows whose SEN exclusion rate is above `times` the borough's rate for SEN
    pupils in the same phase (Σ excluded ÷ Σ SEN pupils over the schools that record it), and
    {phase: borough rate}. Two queries: the rates per phase, then the flagged rows."""
    from django.db.models import Count, Sum

    from dashboards.sen import SUPPRESS_BELOW

    rates = {
        r["phase"]: r["excluded"] * 100 / r["pupils"]
        for r in SenAuditSummary.objects.filter(
            la=la, academic_year=year, exclusion_rate__isnull=False
        )
        .values("phase")
        .annotate(excluded=Sum("sen_excluded"), pupils=Sum("sen_overall"), schools=Count("pk"))
        .order_by("phase")
        if r["schools"] >= SUPPRESS_BELOW and r["pupils"]
    }
    above = Q()
    for phase, rate in rates.items():
        above |= Q(phase=phase, exclusion_rate__gt=rate * times)
    rows = sen.filter(above) if rates else _nothing(sen)
    return rows.order_by("-exclusion_rate", "school__name"), rates


def gaps_widening(*, la, year, sen, margin: float):
    """This year's rows whose gap is wider than the borough's (+ `margin`) on the same measure,
    wider than their own of the year before, with SEN attainment not up; and {measure: borough
    gap}. Two queries: the borough's gaps per measure, then the flagged rows."""
    from django.db.models import Avg, Count

    from dashboards.sen import SUPPRESS_BELOW

    la_gaps = {
        r["gap_measure"]: r["la_gap"]
        for r in SenAuditSummary.objects.filter(la=la, academic_year=year, gap__isnull=False)
        .values("gap_measure")
        .annotate(la_gap=Avg("gap"), schools=Count("pk"))
        .order_by("gap_measure")
        if r["schools"] >= SUPPRESS_BELOW
    }
    wider = Q()
    for measure, la_gap in la_gaps.items():
        wider |= Q(gap_measure=measure, gap__gt=la_gap + margin)
    rows = sen.filter(
        wider if la_gaps else _NOTHING,
        previous_gap__isnull=False,
        gap__gt=F("previous_gap"),
        sen_attaining__lte=F("previous_sen_attaining"),
    ).order_by("-gap", "school__name")
    return rows, la_gaps


def _gap_reason(row, la_gaps, year) -> str:
    from audits.codelists import codelists

    found = codelists().get("outcome_measure", row.gap_measure)
    label = found.label if found is not None else row.gap_measure
    return (
        f"{label}: {row.sen_attaining:.1f}% of SEN pupils and {row.sen_attaining + row.gap:.1f}% "
        f"of non-SEN pupils in {year.label}, a gap of {row.gap:.1f} points; last year "
        f"{row.previous_gap:.1f} points with {row.previous_sen_attaining:.1f}% of SEN pupils. "
        f"The borough's gap is {la_gaps[row.gap_measure]:.1f} points."
    )


def _representation_reason(row, ratio: float) -> str:
    from audits.codelists import codelists

    lists = codelists()
    school_rate = row.sen_overall * 100 / row.number_on_roll
    out = []
    for code, (n, whole) in sorted(row.groups.items(), key=lambda g: -g[1][0] / (g[1][1] or 1)):
        if not whole or whole < 5 or n * 100 / whole <= ratio * school_rate:
            continue
        found = lists.get("vulnerable_group", code)
        label = getattr(found, "label", code) if found is not None else code
        out.append(
            f"{label}: {n} of {whole} pupils on the SEN record ({n * 100 / whole:.1f}%), "
            f"{n * 100 / whole / school_rate:.1f} times the whole school's {school_rate:.1f}% "
            f"({row.sen_overall} of {row.number_on_roll})."
        )
    return " ".join(out)


def _step_down_reason(years: list[tuple[int, float, float]]) -> str:
    return " ".join(
        f"{start}/{(start + 1) % 100:02d}: {share:.1f}% of the SEN pupils moved down a level or "
        f"off the record; the borough's upper quartile was {q3:.1f}%."
        for start, share, q3 in years
    )


def need_mix_changes(*, sen, points: float):
    """This year's summary rows whose need mix moved by more than `points` on some group (the
    shift is stored with the row: one filtered query, no per-school work here)."""
    return sen.filter(need_shift__gt=points).order_by("-need_shift", "school__name")


def _need_reason(row, points: float, year) -> str:
    from dashboards.sen import NEED_GROUPS, need_moves

    labels = dict(NEED_GROUPS)
    moves = need_moves(
        row.previous_by_need_group, row.previous_sen_overall, row.by_need_group, row.sen_overall
    )
    return " ".join(
        f"{labels.get(code, code)}: {before:.0f}% of the SEN pupils last year, "
        f"{after:.0f}% in {year.label}."
        for code, before, after in moves
        if abs(after - before) > points
    )
