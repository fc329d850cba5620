"""Reads for the dashboards: summary tables of the acting LA only, never raw responses.

Every query here filters on the LA first (the summary indexes start with it) and either returns a
page of rows or aggregates a slice whose size is bounded by the LA's schools in one year — or reads
the per-(year, theme) distributions, whose size does not depend on the number of schools at all.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

from dashboards.models import (
    ReviewCoverage,
    ThemeDistribution,
    ThemeScore,
    VisitThemeDistribution,
    VisitThemeScore,
)
from frameworks.models import Theme
from schools.models import School

STATUSES = ["not_started", "draft", "submitted", "discussed", "closed"]
STATUS_LABELS = {
    "not_started": "Not started",
    "draft": "Draft",
    "submitted": "Submitted",
    "discussed": "Discussed",
    "closed": "Closed",
}
RANK = Case(
    When(status="closed", then=Value(3)),
    When(status="discussed", then=Value(2)),
    When(status="submitted", then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


def schools(*, la, phase: str = ""):
    qs = School.objects.filter(la=la, is_open=True)
    return qs.filter(phase=phase) if phase else qs


def coverage_schools(*, la, year, phase: str = "", framework=None):
    """Open schools, each annotated with its furthest self-review status in the year."""
    best = ReviewCoverage.objects.filter(la=la, academic_year=year, school=OuterRef("pk"))
    if framework is not None:
        best = best.filter(framework=framework)
    best = best.annotate(rank=RANK).order_by("-rank", "-submitted_at")
    return (
        schools(la=la, phase=phase)
        .annotate(
            review_status=Subquery(best.values("status")[:1]),
            review_uuid=Subquery(best.values("review_uuid")[:1]),
            submitted_at=Subquery(best.values("submitted_at")[:1]),
            status_rank=Coalesce(Subquery(best.values("rank")[:1]), Value(-1)),
        )
        .order_by("name")
    )


def coverage_counts(queryset) -> dict[str, int]:
    """{status: schools} for coverage_schools(), 'not_started' for schools with no review."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in queryset.order_by().values("review_status").annotate(n=Count("pk")):
        counts[row["review_status"] or "not_started"] = row["n"]
    return counts


def coverage_over_years(*, la, phase: str = "", framework=None) -> list[dict]:
    """Per year: schools with a review at each status (a school with two frameworks counts in each)."""
    qs = ReviewCoverage.objects.filter(la=la)
    if phase:
        qs = qs.filter(phase=phase)
    if framework is not None:
        qs = qs.filter(framework=framework)
    by_year: dict[int, dict] = defaultdict(lambda: dict.fromkeys(STATUSES[1:], 0))
    for row in (
        qs.order_by()
        .values("academic_year__start_year", "status")
        .annotate(n=Count("school", distinct=True))
    ):
        by_year[row["academic_year__start_year"]][row["status"]] = row["n"]
    return [
        {
            "start_year": y,
            "label": f"{y}/{(y + 1) % 100:02d}",
            "values": [by_year[y][s] for s in STATUSES[1:]],
            **by_year[y],
        }
        for y in sorted(by_year)
    ]


def themes() -> list:
    return list(Theme.objects.order_by("label"))


def heatmap_schools(*, la, year, phase: str = "", framework=None):
    qs = schools(la=la, phase=phase).order_by("name")
    if framework is not None:
        qs = qs.filter(
            pk__in=ThemeScore.objects.filter(la=la, academic_year=year, framework=framework).values(
                "school_id"
            )
        )
    return qs


def scores_for(*, la, year, school_ids, framework=None) -> dict:
    qs = ThemeScore.objects.filter(la=la, academic_year=year, school_id__in=list(school_ids))
    if framework is not None:
        qs = qs.filter(framework=framework)
    return {(s, t): v for s, t, v in qs.values_list("school_id", "theme_id", "self_score")}


def distributions(*, la, phase: str = "") -> list:
    return list(
        ThemeDistribution.objects.filter(la=la, phase=phase or ThemeDistribution.ALL_PHASES)
        .select_related("theme")
        .order_by("theme__label", "start_year")
    )


def distribution_rows(dists) -> tuple[list[dict], list[int]]:
    """Rows for DistributionTable: one per theme, {year: distribution}."""
    years = sorted({d.start_year for d in dists})
    rows: dict[str, dict] = {}
    for d in dists:
        rows.setdefault(d.theme.label, {"theme": d.theme.label, "years": {}})["years"][
            d.start_year
        ] = d
    return list(rows.values()), years


def calibration_rows(filterset):
    """ThemeScore rows with an EP-moderated gap, each with the same theme's audit-visit rating of
    that school and year beside it (a subquery: no query per row)."""
    visit = VisitThemeScore.objects.filter(
        la_id=OuterRef("la_id"),
        academic_year_id=OuterRef("academic_year_id"),
        school_id=OuterRef("school_id"),
        theme_id=OuterRef("theme_id"),
    ).values("visit_score")[:1]
    return (
        filterset.qs.filter(gap__isnull=False)
        .annotate(visit_score=Subquery(visit))
        .select_related("school", "theme", "moderator")
        .order_by("-gap", "school__name", "theme__label")
    )


def visit_calibration_rows(*, la, year, phase: str = "", framework=None, officer=None):
    """VisitThemeScore rows of the year where the school rated the theme itself, each with the
    EP-moderated rating of the same theme beside it (subquery)."""
    own = ThemeScore.objects.filter(
        la_id=OuterRef("la_id"),
        academic_year_id=OuterRef("academic_year_id"),
        school_id=OuterRef("school_id"),
        theme_id=OuterRef("theme_id"),
    )
    qs = VisitThemeScore.objects.filter(la=la, academic_year=year, gap__isnull=False)
    if phase:
        qs = qs.filter(phase=phase)
    if framework is not None:
        qs = qs.filter(Exists(own.filter(framework=framework)))
    if officer is not None:
        qs = qs.filter(lead_officer=officer)
    return (
        qs.annotate(ep_moderated=Subquery(own.values("moderated_score")[:1]))
        .select_related("school", "theme", "lead_officer", "moderator")
        .order_by("-gap", "school__name", "theme__label")
    )


def visit_calibration_by_theme(*, la, phase: str = ""):
    return (
        VisitThemeDistribution.objects.filter(
            la=la, phase=phase or VisitThemeDistribution.ALL_PHASES, compared_schools__gt=0
        )
        .select_related("theme")
        .order_by("theme__label", "start_year")
    )


def visit_officers(*, la):
    """The people who led the LA's audit visits counted in the summaries (for the filter)."""
    from django.contrib.auth import get_user_model

    led = VisitThemeScore.objects.filter(la=la).values("lead_officer_id")
    return get_user_model().objects.filter(pk__in=led).order_by("full_name", "email")


def calibration_by_theme(*, la, phase: str = ""):
    return (
        ThemeDistribution.objects.filter(
            la=la, phase=phase or ThemeDistribution.ALL_PHASES, moderated_schools__gt=0
        )
        .select_related("theme")
        .order_by("theme__label", "start_year")
    )


# --- one school ------------------------------------------------------------------------------------


def school_scores(*, school) -> list:
    return list(
        ThemeScore.objects.filter(la_id=school.la_id, school=school)
        .select_related("theme")
        .order_by("start_year", "theme__label")
    )


def school_coverage(*, school) -> list:
    return list(
        ReviewCoverage.objects.filter(la_id=school.la_id, school=school)
        .select_related("academic_year", "framework")
        .order_by("-academic_year__start_year", "framework__name")
    )


def borough_for_year(*, la_id, start_year) -> dict:
    """{theme_id: distribution} over every phase of the LA: anonymised; quartiles only for ≥ 5."""
    return {
        d.theme_id: d
        for d in ThemeDistribution.objects.filter(
            la_id=la_id, start_year=start_year, phase=ThemeDistribution.ALL_PHASES
        )
    }
