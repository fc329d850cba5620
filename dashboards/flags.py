"""Schools needing attention: the rules of PROCESSES.md §5.2 the recorded data supports.

Each rule names its threshold, the default (the sources give no numbers: every default is proposed,
and dated here), and how to say the reason in words. The LA administrator may set another value
(AttentionThreshold); the page shows default and LA value side by side with who set it and when.

Each rule is one query on the summary tables of one LA and one year (plus a count), so the page
costs the same number of queries for 16 schools as for 650. The rules that compare a school with
the borough (SEN % outlier, step-down pattern, exclusions, gap widening) first read the borough's
figure — quartiles, a rate or an average — in one more query; with fewer than 5 schools to draw it
from they flag nobody. Every figure they filter on is stored on the SEN audit summary row when the
return is accepted (dashboards/summaries/audits.py), and none is derived from fewer than 5 pupils.

Rules of §5.2 that need data not recorded yet are listed in UNAVAILABLE with what they wait for.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Exists, ExpressionWrapper, F, FloatField, OuterRef, Q, Subquery
from django.db.models.functions import Abs
from django.utils import timezone

from dashboards import activity
from dashboards.models import (
    AttentionThreshold,
    ReviewCoverage,
    SenAuditSummary,
    ThemeScore,
    VisitCompliance,
)

DEFAULTS_DATED = date(2026, 12, 2)  # when the defaults below were proposed


@dataclass(frozen=True)
class Threshold:
    code: str
    label: str
    unit: str
    default: Decimal
    minimum: Decimal
    maximum: Decimal
    hint: str


THRESHOLDS = [
    Threshold(
        "review_due_days",
        "Self-review due, days after 1 September",
        "days",
        Decimal(60),
        Decimal(0),
        Decimal(364),
        "The default, 60 days, is 31 October: the self-review feeds the work plan agreed in "
        "September and October (PROCESSES.md §2.3, §5.2 compliance).",
    ),
    Threshold(
        "discussion_overdue_days",
        "Discussion overdue, days after submission",
        "days",
        Decimal(42),
        Decimal(1),
        Decimal(365),
        "A submitted review not discussed with the EP or LA within this many days (about half a "
        "term by default).",
    ),
    Threshold(
        "calibration_gap",
        "Rates itself higher than moderated, by at least",
        "score points (0 to 1)",
        Decimal("0.25"),
        Decimal("0.05"),
        Decimal("1"),
        "On a theme, the school's own ratings of the discussed statements minus the ratings "
        "agreed in the discussion, on the 0–1 scale (0.25 is a quarter of the scale; one step "
        "on a four-point scale is 0.33).",
    ),
    Threshold(
        "sharp_fall",
        "Sharp fall in a theme's self-rating, more than",
        "score points (0 to 1)",
        Decimal("0.20"),
        Decimal("0.05"),
        Decimal("1"),
        "The 'sharp change' rule applied to self-ratings: a theme's score falls by more than "
        "this since the previous year.",
    ),
    Threshold(
        "sen_outlier_iqr",
        "SEN % of roll outlier, interquartile ranges beyond the quartiles",
        "interquartile ranges",
        Decimal("1.5"),
        Decimal("0.5"),
        Decimal("5"),
        "A school whose SEN pupils as a % of its roll (accepted audit return) lie more than this "
        "many interquartile ranges below the borough's lower quartile or above its upper quartile "
        "(1.5 is Tukey's usual fence). Not applied with fewer than 5 returns.",
    ),
    Threshold(
        "sen_sharp_change",
        "Sharp change in SEN % of roll, more than",
        "percentage points",
        Decimal(5),
        Decimal(1),
        Decimal(50),
        "SEN pupils as a % of roll rise or fall by more than this since the school's accepted "
        "return of the previous year.",
    ),
    Threshold(
        "funding_variance",
        "SEN funding spent far from allocated, by more than",
        "% of the allocation",
        Decimal(10),
        Decimal(1),
        Decimal(100),
        "The outturn of the accepted return differs from the SEN allocation by more than this "
        "share of the allocation, over or under.",
    ),
    Threshold(
        "need_mix_change",
        "Sharp change in need mix, more than",
        "percentage points",
        Decimal(10),
        Decimal(1),
        Decimal(100),
        "A primary-need group's share of the school's SEN pupils (accepted audit returns) moves "
        "by more than this since the previous year (PROCESSES.md §5.2, 'sharp change'). Not "
        "applied where either year has fewer than 5 SEN pupils: one pupil would move a share by "
        "20 points or more.",
    ),
    Threshold(
        "step_down_years",
        "Step-down pattern, years of the last 3 above the borough's upper quartile, at least",
        "years",
        Decimal(2),
        Decimal(1),
        Decimal(3),
        "The default, 2 of 3 years, is PROCESSES.md §5.2's proposal: the step-down share (pupils "
        "moved down a level or taken off the SEN record over the year ÷ SEN pupils; section D of "
        "the accepted audit return) above the borough's upper quartile of that year. A year counts "
        "only with 5 schools' figures to draw quartiles from, and not from fewer than 5 SEN "
        "pupils.",
    ),
    Threshold(
        "over_representation",
        "Vulnerable group over-represented on the SEN record, more than",
        "times the whole-school SEN rate",
        Decimal(2),
        Decimal("1.1"),
        Decimal(20),
        "The default, 2 times, is PROCESSES.md §5.2's proposal: the share of a vulnerable group "
        "on the SEN record (section C of the accepted audit return, n of N) is more than this "
        "many times the share of the whole school on the record. Not applied to a group of fewer "
        "than 5 pupils in the whole school, nor to a school with fewer than 5 SEN pupils.",
    ),
    Threshold(
        "exclusion_ratio",
        "SEN exclusion rate above the borough's, more than",
        "times the borough's rate for SEN pupils",
        Decimal(1),
        Decimal(1),
        Decimal(10),
        "The default, 1 (any rate above the borough's), is PROCESSES.md §5.2's proposal: SEN "
        "pupils suspended or permanently excluded ÷ SEN pupils (section G of the accepted audit "
        "return) above this many times the same rate across the borough's schools of the same "
        "phase. The borough's rate needs 5 schools' figures; not applied under 5 SEN pupils.",
    ),
    Threshold(
        "gap_margin",
        "SEN / non-SEN gap wider than the borough's, by more than",
        "percentage points",
        Decimal(0),
        Decimal(0),
        Decimal(50),
        "The default, 0 (any gap wider than the borough's), is PROCESSES.md §5.2's proposal: on "
        "the headline attainment measure of section G of the accepted audit return, the gap "
        "(non-SEN − SEN) is wider than the borough's by more than this, wider than the school's "
        "gap of the year before, and the SEN pupils' attainment did not rise (a narrower gap "
        "counts as better only if SEN attainment also rose, §7 #10). The borough's gap is the "
        "average of its schools' gaps on the same measure (the returns hold percentages, not "
        "cohorts) and needs 5 schools; not applied under 5 SEN pupils.",
    ),
    Threshold(
        "work_plan_due_days",
        "EP work plan agreed by, days after 1 September",
        "days",
        Decimal(60),
        Decimal(0),
        Decimal(364),
        "The default, 60 days, is 31 October: the plan is agreed at the EP meeting of September "
        "or October (PROCESSES.md §2.3, §5.2 compliance). Applied to schools that submitted a "
        "self-review for the year: that review is what the plan is drawn up from.",
    ),
    Threshold(
        "work_plan_review_days",
        "EP work plan reviewed by, days after 1 September",
        "days",
        Decimal(333),
        Decimal(0),
        Decimal(364),
        "The default, 333 days, is 31 July (30 July in a leap year): the plan is reviewed in "
        "June or July, by the end of the summer term (PROCESSES.md §2.3, §5.2 compliance). "
        "Applied to plans agreed by both sides and not yet reviewed.",
    ),
]
BY_CODE = {t.code: t for t in THRESHOLDS}

UNAVAILABLE = [
    ("Voice: SENDIASS alerts and tribunal appeals", "a record of alerts and appeals (no app yet)"),
]


@dataclass
class Setting:
    threshold: Threshold
    value: Decimal
    changed_by: object = None
    changed_at: object = None

    @property
    def is_default(self) -> bool:
        return self.changed_at is None


def settings_for(la) -> dict[str, Setting]:
    """Every threshold's value for the LA: its own where set, else the default."""
    stored = {
        row.code: row
        for row in AttentionThreshold.objects.filter(la=la).select_related("changed_by")
    }
    out = {}
    for t in THRESHOLDS:
        row = stored.get(t.code)
        out[t.code] = (
            Setting(t, row.value, row.changed_by, row.changed_at) if row else Setting(t, t.default)
        )
    return out


# A rule's row is a School, a summary row with .school or an audit-visit compliance row: each rule
# reads its own kind, so to the Flag a row is Any. Details: {school id: [findings]}.
Details = dict[int, list[Any]]


@dataclass(frozen=True)
class Flag:
    code: str
    title: str
    rule: str
    queryset: object  # one row per school (a School, or a summary row with .school)
    reason: Callable[[Any, Details], str]
    evidence: Callable[[Any, Details], tuple[str, dict[str, object]]]  # (url name, kwargs)
    # the findings behind a page of schools, from their ids
    details: Callable[[list[int]], Details] | None = None

    def load(self, rows) -> Details:
        if self.details is None:
            return {}
        return self.details([getattr(r, "school_id", None) or r.pk for r in rows])


def _by_school(queryset, school_ids) -> dict:
    out: dict[int, list] = {}
    for row in queryset.filter(school_id__in=list(school_ids)):
        out.setdefault(row.school_id, []).append(row)
    return out


def flags_for(
    *, la, year, phase: str = "", framework=None, today: date | None = None, settings=None
) -> list[Flag]:
    """The rules the data supports, each with a queryset of rows (one per school and finding)."""
    today = today or timezone.localdate()
    values = {code: s.value for code, s in (settings or settings_for(la)).items()}
    due = year.starts_on + timedelta(days=int(values["review_due_days"]))
    overdue_days = int(values["discussion_overdue_days"])
    gap = float(values["calibration_gap"])
    fall = float(values["sharp_fall"])

    coverage = ReviewCoverage.objects.filter(la=la, academic_year=year)
    scores = ThemeScore.objects.filter(la=la, academic_year=year)
    if phase:
        coverage = coverage.filter(phase=phase)
        scores = scores.filter(phase=phase)
    if framework is not None:
        coverage = coverage.filter(framework=framework)
        scores = scores.filter(framework=framework)

    from schools.models import School

    submitted = ReviewCoverage.objects.filter(
        la=la,
        academic_year=year,
        school=OuterRef("pk"),
        status__in=["submitted", "discussed", "closed"],
    )
    not_submitted = School.objects.filter(la=la, is_open=True)
    if phase:
        not_submitted = not_submitted.filter(phase=phase)
    if today > due:
        not_submitted = not_submitted.filter(~Exists(submitted)).order_by("name")
    else:
        not_submitted = not_submitted.none()

    stale = timezone.now() - timedelta(days=overdue_days)
    undiscussed = (
        coverage.filter(status="submitted", submitted_at__lt=stale)
        .select_related("school")
        .order_by("submitted_at", "school__name")
    )
    higher_rows = (
        scores.filter(gap__gte=gap - 1e-9).select_related("theme").order_by("-gap", "theme__label")
    )
    higher = School.objects.filter(pk__in=higher_rows.values("school_id")).order_by("name")
    fallen_rows = (
        scores.filter(previous_score__isnull=False, self_score__lt=F("previous_score") - fall)
        .select_related("theme")
        .order_by("self_score", "theme__label")
    )
    fallen = School.objects.filter(pk__in=fallen_rows.values("school_id")).order_by("name")

    def _pct(x):
        return f"{x:.2f}"

    return [
        Flag(
            "not_submitted",
            "Self-review not submitted",
            f"No self-review submitted for {year.label} by {due:%-d %B %Y}.",
            not_submitted,
            lambda s, d: (
                f"No self-review submitted for {year.label}; it was due by {due:%-d %B %Y}."
            ),
            lambda s, d: ("frameworks:review-list", {"school_uuid": s.uuid}),
        ),
        Flag(
            "undiscussed",
            "Discussion overdue",
            f"Submitted more than {overdue_days} days ago and not yet discussed.",
            undiscussed,
            lambda r, d: (
                f"Submitted on {timezone.localtime(r.submitted_at):%-d %B %Y}, "
                f"not discussed {(today - timezone.localtime(r.submitted_at).date()).days} days later."
            ),
            lambda r, d: ("frameworks:review-detail", {"uuid": r.review_uuid}),
        ),
        Flag(
            "rates_higher",
            "Rates itself higher than moderated",
            f"On a theme, own ratings at least {gap:.2f} above those agreed in discussion.",
            higher,
            lambda school, d: " ".join(
                f"{r.theme.label}: rated {_pct(r.self_on_moderated)} by the school, "
                f"{_pct(r.moderated_score)} as agreed in discussion "
                f"({r.items_moderated} statement{'s' if r.items_moderated != 1 else ''})."
                for r in d.get(school.pk, [])
            ),
            lambda school, d: _review_link(school, d),
            lambda ids: _by_school(higher_rows, ids),
        ),
        Flag(
            "sharp_fall",
            "Sharp fall in a theme",
            f"A theme's self-rating fell by more than {fall:.2f} since {year.start_year - 1}.",
            fallen,
            lambda school, d: " ".join(
                f"{r.theme.label}: {_pct(r.previous_score)} last year, {_pct(r.self_score)} "
                f"in {year.label}."
                for r in d.get(school.pk, [])
            ),
            lambda school, d: _review_link(school, d),
            lambda ids: _by_school(fallen_rows, ids),
        ),
        *_audit_flags(la=la, year=year, phase=phase, values=values, today=today),
        *_work_plan_flags(
            la=la, year=year, phase=phase, framework=framework, values=values, today=today
        ),
    ]


def _return_link(row, details):
    return ("audits:return-detail", {"uuid": row.return_uuid})


def _audit_flags(*, la, year, phase, values, today) -> list[Flag]:
    """The rules on accepted SEN audit returns (SenAuditSummary) and audit visits."""
    sen = SenAuditSummary.objects.filter(la=la, academic_year=year).select_related("school")
    if phase:
        sen = sen.filter(phase=phase)
    fence = float(values["sen_outlier_iqr"])
    change = float(values["sen_sharp_change"])
    variance = float(values["funding_variance"])

    percents = sorted(v for v in sen.values_list("sen_percent", flat=True) if v is not None)
    # Quartiles and fences need five schools; with fewer none is flagged (and no reason is asked).
    q1: float | None
    median: float | None
    q3: float | None
    low: float | None
    high: float | None
    if len(percents) >= 5:
        q1, median, q3 = statistics.quantiles(percents, n=4, method="inclusive")
        low, high = q1 - fence * (q3 - q1), q3 + fence * (q3 - q1)
        outliers = sen.filter(Q(sen_percent__lt=low) | Q(sen_percent__gt=high)).order_by(
            "school__name"
        )
    else:
        q1 = median = q3 = low = high = None
        outliers = sen.none()

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
    excluded, la_rates = exclusions_above(la=la, year=year, sen=sen, times=times)
    margin = float(values["gap_margin"])
    widening, la_gaps = gaps_widening(la=la, year=year, sen=sen, margin=margin)
    stepped, step_years = step_down_pattern(
        la=la, year=year, phase=phase, sen=sen, years=int(values["step_down_years"])
    )
    out = [
        Flag(
            "sen_outlier",
            "SEN % of roll far from the borough's",
            f"SEN pupils as a % of roll more than {fence:g} interquartile ranges outside the "
            "borough's quartiles.",
            outliers,
            lambda r, d: (
                f"{r.sen_percent:.1f}% of the roll on the SEN record in {year.label}; the borough's "
                f"quartiles are {q1:.1f}% and {q3:.1f}% (median {median:.1f}%), so below "
                f"{low:.1f}% or above {high:.1f}% stands out."
            ),
            _return_link,
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
            stepped,
            lambda r, d: _step_down_reason(step_years.get(r.school_id, [])),
            _section_link("D"),
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
            excluded,
            lambda r, d: (
                f"{r.sen_excluded} of {r.sen_overall} SEN pupils suspended or permanently "
                f"excluded in {year.label} ({r.exclusion_rate:.1f}%); the borough's rate for SEN "
                f"pupils in {_phase_label(r.phase)} schools is {la_rates[r.phase]:.1f}%."
            ),
            _section_link("G"),
        ),
        Flag(
            "gap_widening",
            "SEN / non-SEN gap widening",
            f"The attainment gap between SEN and non-SEN pupils is more than {margin:g} points "
            "wider than the borough's, wider than the year before, and SEN attainment did not "
            "rise.",
            widening,
            lambda r, d: _gap_reason(r, la_gaps, year),
            _section_link("G"),
        ),
    ]
    from django.apps import apps

    if apps.is_installed("audits.visits"):
        cycle = la.audit_cycle_years
        overdue = VisitCompliance.objects.filter(
            activity.overdue(la=la, today=today), la=la, school__is_open=True
        ).select_related("school")
        if phase:
            overdue = overdue.filter(school__phase=phase)

        def overdue_reason(r, d) -> str:
            due = activity.next_due(r, cycle)  # set: the rule finds only schools visited before
            if due is None:
                return "Audit visit overdue."
            return f"Audit visit due on {due:%-d %B %Y}, overdue by {(today - due).days} days" + (
                f" (last visit {r.last_visit:%-d %B %Y})." if r.last_visit else "."
            )

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
            )
        )
    return out


# Matches no row, in SQL: a rule with nothing to compare against (fewer than 5 schools) still
# runs its queries, so the page's query count depends neither on the LA's size nor on its data.
_NOTHING = Q(pk__isnull=True)


def _nothing(rows):
    return rows.filter(_NOTHING)


def _section_link(section: str):
    return lambda row, details: (
        "audits:return-section",
        {"uuid": row.return_uuid, "section": section},
    )


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


def _phase_label(code: str) -> str:
    from schools.models import Phase

    return dict(Phase.choices).get(code, code).lower()


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


def _work_plan_flags(*, la, year, phase, framework, values, today) -> list[Flag]:
    """A school that submitted its self-review for the year but has no EP work plan agreed by both
    sides by the due date (default 31 October). One query, whatever the number of schools."""
    from django.apps import apps

    if not apps.is_installed("workplans"):
        return []
    from dashboards.activity import AGREED_OR_LATER
    from schools.models import School
    from workplans.models import WorkPlan

    days = int(values["work_plan_due_days"])
    due = year.starts_on + timedelta(days=days)
    submitted = ReviewCoverage.objects.filter(
        la=la,
        academic_year=year,
        school=OuterRef("pk"),
        status__in=["submitted", "discussed", "closed"],
    )
    if framework is not None:
        submitted = submitted.filter(framework=framework)
    plans = WorkPlan.objects.filter(school=OuterRef("pk"), academic_year=year)
    rows = School.objects.none()
    if today > due:
        rows = (
            School.objects.filter(la=la, is_open=True)
            .filter(Exists(submitted), ~Exists(plans.filter(status__in=AGREED_OR_LATER)))
            .annotate(
                first_submitted=Subquery(
                    submitted.order_by("submitted_at").values("submitted_at")[:1]
                ),
                plan_uuid=Subquery(plans.values("uuid")[:1]),
                plan_status=Subquery(plans.values("status")[:1]),
            )
            .order_by("name")
        )
        if phase:
            rows = rows.filter(phase=phase)

    def reason(s, d) -> str:
        when = f" on {timezone.localtime(s.first_submitted):%-d %B %Y}" if s.first_submitted else ""
        plan = (
            f"the plan is still {_PLAN_STATES.get(s.plan_status, s.plan_status)}"
            if s.plan_uuid
            else "no plan has been started"
        )
        return (
            f"Self-review for {year.label} submitted{when}; no EP work plan agreed by "
            f"{due:%-d %B %Y}: {plan}."
        )

    return [
        Flag(
            "work_plan_not_agreed",
            "EP work plan not agreed",
            f"Self-review submitted for {year.label}, and no EP work plan agreed by both sides "
            f"by {due:%-d %B %Y}.",
            rows,
            reason,
            lambda s, d: (
                ("workplans:plan-detail", {"uuid": s.plan_uuid})
                if s.plan_uuid
                else ("workplans:plan-list", {"school_uuid": s.uuid})
            ),
        ),
        _work_plan_not_reviewed(la=la, year=year, phase=phase, values=values, today=today),
    ]


def _work_plan_not_reviewed(*, la, year, phase, values, today) -> Flag:
    """An agreed EP work plan of the year whose June/July review has not been recorded by the due
    date (default 31 July: the end of the summer term, PROCESSES.md §2.3). One query."""
    from workplans.models import PlanStatus, WorkPlan

    due = year.starts_on + timedelta(days=int(values["work_plan_review_days"]))
    rows = WorkPlan.objects.none()
    if today > due:
        rows = (
            WorkPlan.objects.filter(
                school__la=la,
                school__is_open=True,
                academic_year=year,
                status__in=[PlanStatus.AGREED, PlanStatus.UNDER_REVIEW],
            )
            .select_related("school")
            .order_by("school__name", "pk")
        )
        if phase:
            rows = rows.filter(school__phase=phase)

    def reason(plan, d) -> str:
        agreed = plan.ep_agreed_at or plan.school_agreed_at
        when = f" on {timezone.localtime(agreed):%-d %B %Y}" if agreed else ""
        state = "its review was started" if plan.status == PlanStatus.UNDER_REVIEW else "agreed"
        return (
            f"EP work plan for {year.label} agreed{when}; not reviewed by {due:%-d %B %Y} "
            f"({state}, no review recorded)."
        )

    return Flag(
        "work_plan_not_reviewed",
        "EP work plan not reviewed",
        f"An EP work plan for {year.label} was agreed and its review is not recorded by "
        f"{due:%-d %B %Y}.",
        rows,
        reason,
        lambda plan, d: ("workplans:plan-detail", {"uuid": plan.uuid}),
    )


_PLAN_STATES = {"draft": "a draft", "proposed": "proposed for agreement"}


def _review_link(school, details):
    rows = details.get(school.pk)
    if rows:
        return ("frameworks:review-detail", {"uuid": rows[0].review_uuid})
    return ("frameworks:review-list", {"school_uuid": school.uuid})


def threshold_save(*, la, code: str, value: Decimal, user) -> AttentionThreshold:
    row, _ = AttentionThreshold.objects.update_or_create(
        la=la, code=code, defaults={"value": value, "changed_by": user}
    )
    return row
