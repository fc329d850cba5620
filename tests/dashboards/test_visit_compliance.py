"""The borough's audit-visit compliance, read from the VisitCompliance summary, says what the
officer's compliance list (audits.visits.selectors.compliance, which reads every visit) says, on
every day that matters, for a visit in every state; and the workflow keeps the summary current."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django_scopes import scopes_disabled

from audits.visits import selectors
from audits.visits.services import add_years
from dashboards import activity, flags, summaries
from dashboards.models import VisitCompliance
from dashboards.summaries.visits import SOURCE
from schools.models import AcademicYear
from sendreview.working_days import working_days_between
from tests.audit_visits.helpers import ORDER, seed_visit

pytestmark = pytest.mark.django_db


def _expected(la, today) -> dict:
    rows = selectors.compliance(la=la, today=today)
    return {
        "schools": len(rows),
        "overdue": sum(1 for r in rows if r.days_overdue),
        "never_visited": sum(1 for r in rows if r.last_visit is None and r.current is None),
        "report_late": sum(1 for r in rows if r.report_late),
        "action_plan_late": sum(1 for r in rows if r.action_plan_late),
        "follow_up_late": sum(1 for r in rows if r.follow_up_late),
    }


def _days_that_matter(visit) -> list[date]:
    days = [visit.planned_date]
    for day in (
        visit.visit_date,
        visit.action_plan_due,
        visit.next_due_on,
        visit.visit_date and selectors.report_late_from(visit.visit_date),
        visit.visit_date and selectors.follow_up_deadline(visit.visit_date),
        visit.visit_date and add_years(visit.visit_date, visit.school.la.audit_cycle_years),
    ):
        if day:
            days += [day - timedelta(days=1), day, day + timedelta(days=1)]
    return days


@pytest.mark.parametrize("status", [*ORDER, "cancelled"])
def test_the_summary_counts_what_the_compliance_list_says(world, status):
    if status == "cancelled":
        from audits.visits import services

        with scopes_disabled():
            visit = services.cancel_visit(
                visit=seed_visit(world, "scheduled"), user=world.users["la_officer"], reason="Ill"
            )
    else:
        visit = seed_visit(world, status)
    with scopes_disabled():
        visit.refresh_from_db()
        for today in _days_that_matter(visit):
            counts = activity.visit_compliance(la=world.la, today=today)
            assert counts == _expected(world.la, today), (status, today)
            year = AcademicYear.objects.filter(la=world.la).order_by("-start_year").first()
            overdue_flag = next(
                f
                for f in flags.flags_for(la=world.la, year=year, today=today)
                if f.code == "visit_overdue"
            )
            assert [r.school for r in overdue_flag.queryset] == [
                r.school for r in selectors.compliance(la=world.la, today=today) if r.days_overdue
            ], (status, today)
        # The workflow's own hooks kept the row current: a full rebuild finds nothing to change.
        assert summaries.rebuild(SOURCE, la_id=world.la.pk).tables["visitcompliance"] == {
            "rows": VisitCompliance.objects.filter(la=world.la).count(),
            "added": 0,
            "changed": 0,
            "removed": 0,
        }


def test_a_report_is_late_from_the_twenty_first_working_day():
    for offset in range(0, 400, 3):
        visit_day = date(2026, 1, 1) + timedelta(days=offset)
        late_from = selectors.report_late_from(visit_day)
        for today in (late_from - timedelta(days=1), late_from):
            late = working_days_between(visit_day, today) > selectors.REPORT_DUE_WORKING_DAYS
            assert late == (today >= late_from), (visit_day, today)


@pytest.mark.parametrize("cycle", [1, 3, 4])
def test_the_overdue_cut_off_matches_the_cycle_on_every_day(cycle):
    for offset in range(0, 3 * 366, 7):
        today = date(2027, 1, 1) + timedelta(days=offset)
        until = activity.last_visit_overdue_until(today, cycle)
        assert add_years(until, cycle) < today <= add_years(until + timedelta(days=1), cycle)
    # around a 29 February
    for today in (date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1), date(2029, 3, 1)):
        until = activity.last_visit_overdue_until(today, cycle)
        assert add_years(until, cycle) < today <= add_years(until + timedelta(days=1), cycle)


def test_the_migration_fills_the_table_from_the_visits_already_recorded(world):
    import importlib

    from django.apps import apps

    fill = importlib.import_module("dashboards.migrations.0012_fill_visit_compliance").fill
    for status in ("closed", "report_issued"):
        seed_visit(world, status)
    with scopes_disabled():
        expected = sorted(
            (r.school_id, r.last_visit, r.current_status, r.report_late_from)
            for r in VisitCompliance.objects.all()
        )
        assert expected
        VisitCompliance.objects.all().delete()
        fill(apps, None)
        assert expected == sorted(
            (r.school_id, r.last_visit, r.current_status, r.report_late_from)
            for r in VisitCompliance.objects.all()
        )
