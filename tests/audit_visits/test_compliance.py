"""The compliance list and the reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from audits.visits import reminders, selectors
from audits.visits.models import AuditVisit
from tests.audit_visits.helpers import seed_visit

pytestmark = pytest.mark.django_db


def test_follow_up_deadline_is_the_end_of_the_next_autumn_term():
    assert selectors.follow_up_deadline(date(2027, 5, 10)) == date(2027, 12, 31)
    assert selectors.follow_up_deadline(date(2027, 10, 10)) == date(2028, 12, 31)


def _row(world, rows, school):
    return next(r for r in rows if r.school == school)


def test_never_visited_schools_are_due_now(world):
    with scopes_disabled():
        rows = selectors.compliance(la=world.la)
    row = _row(world, rows, world.school)
    assert row.next_due is None and row.due_soon and row.state == "Not scheduled"


def test_overdue_after_the_cycle_and_late_flags(world):
    visit = seed_visit(world, "closed")
    today = timezone.localdate()
    with scopes_disabled():
        later = visit.next_due_on + timedelta(days=10)
        rows = selectors.compliance(la=world.la, today=later)
        row = _row(world, rows, world.school)
        assert row.days_overdue == 10 and row.last_visit == visit.visit_date
        assert "Visit overdue by 10 days" in row.flags
        assert not selectors.compliance(la=world.la, today=today)[0].days_overdue


def test_report_late_after_twenty_working_days(world):
    visit = seed_visit(world, "visit_recorded")
    with scopes_disabled():
        row = _row(world, selectors.compliance(la=world.la, today=visit.visit_date), world.school)
        assert not row.report_late
        later = visit.visit_date + timedelta(days=35)
        row = _row(world, selectors.compliance(la=world.la, today=later), world.school)
        assert row.report_late and row.state == "Visit recorded"


def test_action_plan_and_follow_up_late(world):
    visit = seed_visit(world, "report_issued")
    with scopes_disabled():
        late = visit.action_plan_due + timedelta(days=1)
        row = _row(world, selectors.compliance(la=world.la, today=late), world.school)
        assert row.action_plan_late
        after_autumn = selectors.follow_up_deadline(visit.visit_date) + timedelta(days=1)
        row = _row(world, selectors.compliance(la=world.la, today=after_autumn), world.school)
        assert row.follow_up_late


def test_reminders_go_to_whoever_owes_the_next_step_once(world):
    visit = seed_visit(world, "scheduled")
    mail.outbox.clear()
    day = visit.planned_date - timedelta(days=3)
    assert reminders.send_reminders(day) == 1
    assert mail.outbox[-1].to == [world.users["senco_other_school"].email]
    assert reminders.send_reminders(day) == 0  # idempotent


def test_reminders_for_the_action_plan_go_to_the_school_leaders(world):
    visit = seed_visit(world, "report_issued")
    mail.outbox.clear()
    sent = reminders.send_reminders(visit.action_plan_due + timedelta(days=1))
    recipients = sorted(a for m in mail.outbox for a in m.to)
    assert sent == 2
    assert recipients == sorted([world.users["senco"].email, world.users["headteacher"].email])
    assert world.users["la_officer"].email not in recipients


def test_no_reminder_when_nothing_is_owed(world):
    visit = seed_visit(world, "scheduled", planned_date=timezone.localdate() + timedelta(days=90))
    assert reminders.send_reminders(timezone.localdate()) == 0
    with scopes_disabled():
        assert AuditVisit.objects.get(pk=visit.pk).reminders.count() == 0


def test_the_task_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "audit_visits.send_reminders" in tasks
