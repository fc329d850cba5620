"""The attention rules on self-reviews: not submitted, undiscussed, rates higher, sharp fall."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from dashboards.flags.common import Flag, _by_school, _review_link
from dashboards.models import ReviewCoverage, ThemeScore


def _review_flags(*, la, year, phase, framework, values, today) -> list[Flag]:
    """The rules on self-reviews (ReviewCoverage and ThemeScore)."""
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
    if today is None or today > due:
        not_submitted = not_submitted.filter(~Exists(submitted)).order_by("name")
    else:
        not_submitted = not_submitted.none()

    # Counted in whole days: submitted on day D, overdue from day D + overdue_days + 1.
    undiscussed = coverage.filter(status="submitted")
    if today is not None:
        stale = timezone.make_aware(
            datetime.combine(today - timedelta(days=overdue_days), time.min)
        )
        undiscussed = undiscussed.filter(submitted_at__lt=stale)
    undiscussed = undiscussed.select_related("school").order_by("submitted_at", "school__name")

    def discussion_due(r):
        return timezone.localtime(r.submitted_at).date() + timedelta(days=overdue_days)

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
            starts=lambda s: due + timedelta(days=1),
        ),
        Flag(
            "undiscussed",
            "Discussion overdue",
            f"Submitted more than {overdue_days} days ago and not yet discussed.",
            undiscussed,
            lambda r, d: (
                f"Submitted on {timezone.localtime(r.submitted_at):%-d %B %Y}; not discussed "
                f"within {overdue_days} days (by {discussion_due(r):%-d %B %Y})."
            ),
            lambda r, d: ("frameworks:review-detail", {"uuid": r.review_uuid}),
            starts=lambda r: discussion_due(r) + timedelta(days=1),
            varies_by="framework",
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
            varies_by="framework",
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
            varies_by="framework",
        ),
    ]
