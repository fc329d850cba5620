"""Work plans and audit-visit compliance for the borough overview, read from those apps in a
constant number of queries: one grouped count of work plans per (year, status), and the audit
visits' compliance counts from their summary (dashboards.models.VisitCompliance).

Both apps are optional: a borough without them installed shows nothing here.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone

AGREED_OR_LATER = {"agreed", "under_review", "reviewed"}


def work_plans_by_year(*, la, phase: str = "") -> list[dict]:
    """Per academic year: plans, agreed (by both, including those reviewed since), reviewed."""
    if not apps.is_installed("workplans"):
        return []
    from workplans.models import WorkPlan

    qs = WorkPlan.objects.filter(school__la=la)
    if phase:
        qs = qs.filter(school__phase=phase)
    years: dict[int, dict] = {}
    for row in qs.order_by().values("academic_year__start_year", "status").annotate(n=Count("pk")):
        y = row["academic_year__start_year"]
        entry = years.setdefault(
            y,
            {"label": f"{y}/{(y + 1) % 100:02d}", "plans": 0, "agreed": 0, "reviewed": 0},
        )
        entry["plans"] += row["n"]
        if row["status"] in AGREED_OR_LATER:
            entry["agreed"] += row["n"]
        if row["status"] == "reviewed":
            entry["reviewed"] += row["n"]
    return [years[y] for y in sorted(years)]


def visit_compliance(*, la, today=None) -> dict | None:
    """Counts of open schools by audit-visit state: overdue, never visited, late steps; read from
    the VisitCompliance summary in two queries, whatever the number of schools."""
    if not apps.is_installed("audits.visits"):
        return None
    from dashboards.models import VisitCompliance
    from schools.models import School

    today = today or timezone.localdate()
    schools = School.objects.filter(la=la, is_open=True).count()
    counts = VisitCompliance.objects.filter(la=la, school__is_open=True).aggregate(
        seen=Count("pk"),
        unseen=Count("pk", filter=Q(last_visit__isnull=True, current_uuid__isnull=True)),
        overdue=Count("pk", filter=overdue(la=la, today=today)),
        report_late=Count("pk", filter=Q(report_late_from__lte=today)),
        action_plan_late=Count("pk", filter=Q(action_plan_due__lt=today)),
        follow_up_late=Count("pk", filter=Q(follow_up_due__lt=today)),
    )
    # A school without a row has never had a visit that was not cancelled; a row with no visit
    # held and none in progress (only cancelled or unheld ones) counts as never visited too.
    never = schools - counts.pop("seen") + counts.pop("unseen")
    return {"schools": schools, "never_visited": never, **counts}


def overdue(*, la, today: date) -> Q:
    """VisitCompliance rows whose next visit was due before today (audits.visits.selectors.
    next_visit_due, as a filter: tests/dashboards/test_visit_compliance.py holds the two equal)."""
    return Q(next_due_on__lt=today) | Q(
        next_due_on__isnull=True,
        last_visit__lte=last_visit_overdue_until(today, la.audit_cycle_years),
    )


def last_visit_overdue_until(today: date, cycle_years: int) -> date:
    """The latest last-visit date whose next visit (that date plus the cycle) falls before today."""
    from audits.visits.services import add_years

    day = add_years(today, -cycle_years)
    while add_years(day, cycle_years) >= today:  # 29 February: add_years is not one-to-one
        day -= timedelta(days=1)
    while add_years(day + timedelta(days=1), cycle_years) < today:
        day += timedelta(days=1)
    return day


def next_due(row, cycle_years: int) -> date | None:
    """A VisitCompliance row's next visit date (None: never visited)."""
    from audits.visits.selectors import next_visit_due

    return next_visit_due(row.last_visit, row.next_due_on, cycle_years)
