"""Summary source: SEN audit visits (audits.visits) → VisitThemeScore, VisitThemeDistribution and
VisitCompliance (each school's visit state as dates, for the compliance counts and the overdue rule).

Which visit counts: per (school, year) the latest visit whose report is issued (by visit date,
then issue time). Before the report is issued the file findings may still change; after it, no
step of the visit's workflow changes a rating.

The visit rates different things from the self-review frameworks — each sampled file against the
checklist of PROCESSES.md §4.5 (C1–C11), the provision list, the budget, and a leadership
judgement — on the DfES 2006 scale (fully / partly in place / in need of development). THEMES maps
each onto the crosswalk themes the frameworks' items carry, so a school's own rating of a theme
sits beside the visit's. The mapping is this product's judgement (the sources give none), made
here once; "not applicable" is left out of every mean.

Hooks: an AuditVisitEvent created inside the visit's workflow refreshes that school's year; and the
self-scores copied into each row follow the reviews source (`depends_on`): summaries.refresh runs
this source again for the same school and year whenever the school's self-review rows change.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date
from typing import TypedDict
from uuid import UUID

from django.db.models.signals import post_save

from dashboards.models import (
    ThemeScore,
    VisitCompliance,
    VisitThemeDistribution,
    VisitThemeScore,
)

# Checklist criteria (audits.visits.criteria.CRITERIA) and the visit's own reviews → theme codes.
THEMES: dict[str, tuple[str, ...]] = {
    "C1": ("parents-and-partnership", "assessment-and-identification"),
    "C2": ("assessment-and-identification",),
    "C3": ("parents-and-partnership",),
    "C4": ("teaching-and-learning", "monitoring-and-tracking"),
    "C5": ("curriculum", "teaching-and-learning"),
    "C6": ("resources-and-deployment",),
    "C7": ("monitoring-and-tracking", "parents-and-partnership"),
    "C8": ("pupil-voice-and-wellbeing",),
    "C9": ("funding",),
    "C10": ("parents-and-partnership",),
    "C11": ("resources-and-deployment", "teaching-and-learning"),
    "provision": ("resources-and-deployment",),
    "budget": ("funding",),
    "leadership": ("leadership",),
}
# The DfES 2006 scale on 0–1 (1 best), as the self-review's DfES framework normalises its 3-2-1.
SCORE = {"fully": 1.0, "partly": 0.5, "development": 0.0}
REPORTED = ("report_issued", "action_plan_agreed", "follow_up_held", "closed")


class VisitRow(TypedDict):
    """The fields of one audit visit that compute() reads (a `.values()` row)."""

    pk: int
    uuid: UUID
    school_id: int
    school__phase: str
    academic_year_id: int
    academic_year__start_year: int
    visit_date: date | None
    lead_officer_id: int
    moderator_id: int
    provision_rating: str
    budget_rating: str
    judgement_leadership: str


def _round(value):
    return None if value is None else round(value, 6)


class VisitsSource:
    name = "visits"
    depends_on = ("reviews",)

    def connect(self) -> None:
        from audits.visits.models import AuditVisitEvent

        post_save.connect(
            self._on_event, sender=AuditVisitEvent, dispatch_uid="dashboards.visits.on_event"
        )

    def _on_event(self, sender, instance, created, raw=False, **kwargs) -> None:
        if raw or not created:
            return
        from dashboards import summaries

        visit = instance.document
        summaries.refresh(
            self,
            la_id=visit.school.la_id,
            school_id=visit.school_id,
            year_id=visit.academic_year_id,
        )

    def year_ids(self, la_id: int) -> list[int]:
        from schools.models import AcademicYear

        return list(AcademicYear.objects.filter(la_id=la_id).values_list("pk", flat=True))

    def compute(self, la_id: int, school_id: int | None = None, year_id: int | None = None):
        from audits.visits.models import AuditVisit, FileReview
        from frameworks.models import Theme

        visits = AuditVisit.objects.filter(school__la_id=la_id, status__in=REPORTED)
        scores = ThemeScore.objects.filter(la_id=la_id)
        if school_id is not None:
            visits = visits.filter(school_id=school_id)
            scores = scores.filter(school_id=school_id)
        if year_id is not None:
            visits = visits.filter(academic_year_id=year_id)
            scores = scores.filter(academic_year_id=year_id)
        counted: dict[tuple[int, int], VisitRow] = {}
        for visit in visits.order_by("visit_date", "report_issued_at", "pk").values(
            "pk",
            "uuid",
            "school_id",
            "school__phase",
            "academic_year_id",
            "academic_year__start_year",
            "visit_date",
            "lead_officer_id",
            "moderator_id",
            "provision_rating",
            "budget_rating",
            "judgement_leadership",
        ):
            counted[(visit["school_id"], visit["academic_year_id"])] = visit  # the latest wins
        by_visit = {visit["pk"]: visit for visit in counted.values()}
        # (criterion or review code, rating): a file review's entry may carry no rating
        ratings: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
        for visit in by_visit.values():
            ratings[visit["pk"]] += [
                ("provision", visit["provision_rating"]),
                ("budget", visit["budget_rating"]),
                ("leadership", visit["judgement_leadership"]),
            ]
        for visit_id, found in FileReview.objects.filter(
            pupil__visit_id__in=list(by_visit), pupil__in_sample=True
        ).values_list("pupil__visit_id", "ratings"):
            for code, entry in (found or {}).items():
                ratings[visit_id].append((code, (entry or {}).get("rating")))
        theme_ids = dict(Theme.objects.values_list("code", "pk"))
        own = {
            (s, y, t): v
            for s, y, t, v in scores.values_list(
                "school_id", "academic_year_id", "theme_id", "self_score"
            )
        }
        rows = []
        for visit_id, visit in sorted(by_visit.items()):
            per_theme: dict[int, list[float]] = defaultdict(list)
            for code, rating in ratings[visit_id]:
                value = SCORE.get(rating or "")
                if value is None:
                    continue
                for theme_code in THEMES.get(code, ()):
                    if theme_code in theme_ids:
                        per_theme[theme_ids[theme_code]].append(value)
            for theme_id, values in sorted(per_theme.items()):
                visit_score = _round(statistics.fmean(values))  # fsum: order-independent
                self_score = own.get((visit["school_id"], visit["academic_year_id"], theme_id))
                rows.append(
                    VisitThemeScore(
                        la_id=la_id,
                        academic_year_id=visit["academic_year_id"],
                        school_id=visit["school_id"],
                        theme_id=theme_id,
                        phase=visit["school__phase"],
                        start_year=visit["academic_year__start_year"],
                        visit_uuid=visit["uuid"],
                        visit_date=visit["visit_date"],
                        lead_officer_id=visit["lead_officer_id"],
                        moderator_id=visit["moderator_id"],
                        visit_score=visit_score,
                        ratings=len(values),
                        self_score=self_score,
                        gap=None if self_score is None else _round(self_score - visit_score),
                    )
                )
        if year_id is not None:  # compliance rows are per school, not per year: see after_refresh
            return {VisitThemeScore: rows}
        return {VisitThemeScore: rows, VisitCompliance: compliance_rows(la_id, school_id)}

    def after_refresh(self, la_id: int, school_id: int, year_id: int) -> None:
        """A visit of the school changed: its compliance row follows, whatever the year."""
        VisitCompliance.objects.filter(la_id=la_id, school_id=school_id).delete()
        VisitCompliance.objects.bulk_create(compliance_rows(la_id, school_id))

    def derive(self, la_id: int, year_ids):
        rows = VisitThemeScore.objects.filter(
            la_id=la_id, academic_year_id__in=list(year_ids)
        ).values_list("academic_year_id", "start_year", "theme_id", "phase", "visit_score", "gap")
        groups: dict[tuple, list] = defaultdict(list)
        for year_id, start_year, theme_id, phase, visit_score, gap in rows:
            for p in (phase, VisitThemeDistribution.ALL_PHASES):
                groups[(year_id, start_year, theme_id, p)].append((visit_score, gap))
        out = []
        for (year_id, start_year, theme_id, phase), values in groups.items():
            gaps = [g for _, g in values if g is not None]
            out.append(
                VisitThemeDistribution(
                    la_id=la_id,
                    academic_year_id=year_id,
                    start_year=start_year,
                    theme_id=theme_id,
                    phase=phase,
                    visited_schools=len(values),
                    compared_schools=len(gaps),
                    mean_visit_score=_round(statistics.fmean(s for s, _ in values)),
                    mean_gap=_round(statistics.fmean(gaps)) if gaps else None,
                    higher_than_visit=sum(1 for g in gaps if g > 0),
                    lower_than_visit=sum(1 for g in gaps if g < 0),
                )
            )
        return {VisitThemeDistribution: out}


def compliance_rows(la_id: int, school_id: int | None = None) -> list[VisitCompliance]:
    """The compliance row of every school of the LA (or of one) with a visit not cancelled, by the
    same reading of its visits as the officer's compliance list (audits.visits.selectors)."""
    from audits.visits.models import AuditVisit, VisitStatus

    visits = AuditVisit.objects.filter(school__la_id=la_id).exclude(status=VisitStatus.CANCELLED)
    if school_id is not None:
        visits = visits.filter(school_id=school_id)
    return build_compliance(VisitCompliance, la_id, visits.only(*COMPLIANCE_FIELDS))


# The visit fields a compliance row is made of (`build_compliance`).
COMPLIANCE_FIELDS = (
    "pk",
    "uuid",
    "school_id",
    "status",
    "planned_date",
    "visit_date",
    "next_due_on",
    "report_issued_at",
    "action_plan_due",
)


def build_compliance(model, la_id: int, visits) -> list:
    """Compliance rows (unsaved `model` instances) from a queryset of visits that are not
    cancelled: it reads nothing else, so that the migration that fills the table can hand it its
    historical models."""
    from audits.visits.selectors import Deadlines, last_and_current

    by_school: dict[int, list] = defaultdict(list)
    for visit in visits.order_by("planned_date", "pk"):
        by_school[visit.school_id].append(visit)
    rows = []
    for school_id, school_visits in sorted(by_school.items()):
        last, current = last_and_current(school_visits)
        deadlines = Deadlines.of(current)
        rows.append(
            model(
                la_id=la_id,
                school_id=school_id,
                last_visit=last.visit_date if last else None,
                next_due_on=last.next_due_on if last else None,
                current_uuid=current.uuid if current else None,
                current_status=current.status if current else "",
                report_late_from=deadlines.report,
                action_plan_due=deadlines.action_plan,
                follow_up_due=deadlines.follow_up,
            )
        )
    return rows


SOURCE = VisitsSource()
