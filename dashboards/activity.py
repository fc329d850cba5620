"""Work plans and audit-visit compliance for the borough overview, read from those apps in a
constant number of queries: one grouped count of work plans per (year, status), and the audit
visits' own compliance selector (two queries whatever the number of schools).

Both apps are optional: a borough without them installed shows nothing here.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Count

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
    """Counts of open schools by audit-visit state: overdue, never visited, late steps."""
    if not apps.is_installed("audits.visits"):
        return None
    from audits.visits.selectors import compliance

    rows = compliance(la=la, today=today)
    return {
        "schools": len(rows),
        "overdue": sum(1 for r in rows if r.days_overdue),
        "never_visited": sum(1 for r in rows if r.last_visit is None and r.current is None),
        "report_late": sum(1 for r in rows if r.report_late),
        "action_plan_late": sum(1 for r in rows if r.action_plan_late),
        "follow_up_late": sum(1 for r in rows if r.follow_up_late),
        "rows": rows,
    }
