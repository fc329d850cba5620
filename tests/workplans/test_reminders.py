"""Reminders: only to those who owe, once per event, at the LA's dates (source defaults)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from tests.workplans.support import acting_as, add_action, agreed_plan, make_plan, reload
from workplans import reminders, services
from workplans.models import Reminder, ReminderDates

pytestmark = pytest.mark.django_db

AFTER_OCTOBER = date(2026, 11, 2)
IN_JUNE = date(2027, 6, 2)
AFTER_JULY = date(2027, 8, 2)


def sent(django_capture_on_commit_callbacks, today):
    with django_capture_on_commit_callbacks(execute=True):
        return reminders.send_due_reminders(today=today)


def recipients(kind, school=None):
    """Who got `kind` about the first school (the other seeded schools have EPs too)."""
    with scopes_disabled():
        rows = Reminder.objects.filter(kind=kind, school__urn="801001")
        return sorted(r.recipient.email for r in rows)


def mail_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_no_plan_after_october_reminds_both_sides_once(world, django_capture_on_commit_callbacks):
    assert sent(django_capture_on_commit_callbacks, date(2026, 10, 30)) == 0
    count = sent(django_capture_on_commit_callbacks, AFTER_OCTOBER)
    assert recipients("not_agreed") == [
        "ep@example.org",
        "headteacher@example.org",
        "senco@example.org",
    ]
    # Also the other seeded schools with an EP: their SENCO and EP (no headteacher there).
    assert count == 7 and len(mail.outbox) == 7 and len(mail_to("senco@example.org")) == 1
    # The beat runs again: nothing new, no second e-mail.
    assert sent(django_capture_on_commit_callbacks, AFTER_OCTOBER) == 0
    assert len(mail.outbox) == 7
    with scopes_disabled():
        assert all(r.emailed_at for r in Reminder.objects.all())


def test_never_to_the_side_that_has_agreed(world, django_capture_on_commit_callbacks):
    plan = make_plan(world)
    add_action(world, plan)
    with acting_as(world, "senco") as senco:
        plan = services.plan_propose(plan=reload(plan), user=senco)
        services.plan_agree(plan=plan, user=senco, expected_version=plan.lock_version)
    sent(django_capture_on_commit_callbacks, AFTER_OCTOBER)
    assert recipients("not_agreed") == ["ep@example.org"]


def test_agreed_plan_gets_review_reminders_then_none_once_reviewed(
    world, django_capture_on_commit_callbacks
):
    agreed_plan(world)
    sent(django_capture_on_commit_callbacks, AFTER_OCTOBER)
    assert recipients("not_agreed") == []
    sent(django_capture_on_commit_callbacks, IN_JUNE)
    assert recipients("review_due") == ["ep@example.org", "senco@example.org"]
    sent(django_capture_on_commit_callbacks, AFTER_JULY)
    assert recipients("not_reviewed") == ["ep@example.org", "senco@example.org"]


def test_la_sets_its_own_dates(world, django_capture_on_commit_callbacks):
    with scopes_disabled():
        ReminderDates.objects.create(la=world.la, agree_by_month=11, agree_by_day=30)
    sent(django_capture_on_commit_callbacks, AFTER_OCTOBER)
    assert recipients("not_agreed") == []
    sent(django_capture_on_commit_callbacks, date(2026, 12, 1))
    assert len(recipients("not_agreed")) == 3


def test_reminders_show_in_the_app_to_their_recipient_only(
    world, client_for, django_capture_on_commit_callbacks
):
    sent(django_capture_on_commit_callbacks, AFTER_OCTOBER)
    page = client_for("ep").get("/work-plans/reminders/").content.decode()
    assert "Alderley Canary Primary has not been agreed yet" in page
    other = client_for("ep_unassigned").get("/work-plans/reminders/").content.decode()
    assert "Alderley" not in other and "Brookside Canary Primary has not been agreed" in other
