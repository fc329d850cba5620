"""The attention rules on EP work plans: not agreed, not reviewed."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from dashboards.flags.common import Flag
from dashboards.models import ReviewCoverage


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
    if today is None or today > due:
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
            starts=lambda s: due + timedelta(days=1),
            varies_by="framework",
        ),
        _work_plan_not_reviewed(la=la, year=year, phase=phase, values=values, today=today),
    ]


def _work_plan_not_reviewed(*, la, year, phase, values, today) -> Flag:
    """An agreed EP work plan of the year whose June/July review has not been recorded by the due
    date (default 31 July: the end of the summer term, PROCESSES.md §2.3). One query."""
    from workplans.models import PlanStatus, WorkPlan

    due = year.starts_on + timedelta(days=int(values["work_plan_review_days"]))
    rows = WorkPlan.objects.none()
    if today is None or today > due:
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
        starts=lambda plan: due + timedelta(days=1),
    )


_PLAN_STATES = {"draft": "a draft", "proposed": "proposed for agreement"}
