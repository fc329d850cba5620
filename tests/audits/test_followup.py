"""Issue 10 follow-ups: reminders while the school owes its return, the head's confirmation, and
carrying an analysis action into the work plan."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from audits import carry, reminders, services
from audits.models import (
    AnalysisAction,
    AuditPolicy,
    CarriedAction,
    ReturnReminder,
    ReturnStatus,
    StartReminder,
)
from audits.tasks import send_return_reminders
from sendreview.documents.workflow import TransitionNotAllowed
from tests.audits.support import fill_valid, reload, start
from tests.workplans.support import acting_as, make_plan

pytestmark = pytest.mark.django_db


def _u(world, key):
    """The user with the acting membership the middleware would set (workflow steps check it)."""
    from tests.audits.test_services import _acting

    return _acting(world, key)


# --- reminders ----------------------------------------------------------------------------------


def _due(r):
    return reload(r).due_date


def test_reminders_go_to_the_senco_before_and_after_the_due_date_once_each(world):
    r = start(world)
    due = _due(r)
    mail.outbox.clear()
    assert reminders.send_reminders(due - timedelta(days=30)) == 0  # not yet
    assert reminders.send_reminders(due - timedelta(days=10)) == 1
    assert mail.outbox[-1].to == [world.users["senco"].email]
    assert "is due on" in mail.outbox[-1].subject and world.school.name in mail.outbox[-1].subject
    assert reminders.send_reminders(due - timedelta(days=5)) == 0  # same step: idempotent
    assert reminders.send_reminders(due + timedelta(days=1)) == 1
    assert "overdue" in mail.outbox[-1].subject
    assert reminders.send_reminders(due + timedelta(days=9)) == 0
    with scopes_disabled():
        steps = list(ReturnReminder.objects.filter(audit_return=r).values_list("step", flat=True))
    assert steps == ["draft:due_soon", "draft:overdue"]


def test_only_the_schools_own_sencos_are_reminded(world):
    """Tenant-safe: the headteacher, other schools' and other LAs' SENCOs get nothing."""
    start(world)
    start(world, school=world.school_other, user_key="senco_other_school")
    with scopes_disabled():
        other_la = services.return_start(
            school=world.school_other_la,
            academic_year=world.year_other_la,
            user=world.users["senco_other_la"],
        )
    mail.outbox.clear()
    sent = reminders.send_reminders(_due(other_la) + timedelta(days=1))
    recipients = sorted(a for m in mail.outbox for a in m.to)
    assert sent == 3
    assert recipients == sorted(
        world.users[k].email for k in ("senco", "senco_other_school", "senco_other_la")
    )
    for m in mail.outbox:  # each e-mail names the recipient's own school only
        names = [s.name for s in (world.school, world.school_other, world.school_other_la)]
        assert sum(n in m.subject + m.body for n in names) == 1


def test_no_reminder_once_submitted_or_accepted_and_again_when_queried(world):
    r = fill_valid(world, start(world))
    due = _due(r)
    with scopes_disabled():
        r = services.return_submit(audit_return=reload(r), user=_u(world, "senco"))
    mail.outbox.clear()
    assert reminders.send_reminders(due + timedelta(days=1)) == 0
    with scopes_disabled():
        services.return_query(
            audit_return=reload(r), user=_u(world, "la_officer"), comments={"B": "Check"}
        )
    assert reminders.send_reminders(due + timedelta(days=1)) == 1
    assert "queried" in mail.outbox[-1].subject
    assert reminders.send_reminders(due + timedelta(days=2)) == 0
    with scopes_disabled():
        r = services.return_submit(audit_return=reload(r), user=_u(world, "senco"))
        services.return_accept(audit_return=reload(r), user=_u(world, "la_officer"))
    assert reminders.send_reminders(due + timedelta(days=20)) == 0


def test_a_second_query_is_reminded_of_on_its_own(world):
    r = fill_valid(world, start(world))
    due = _due(r)
    senco, officer = _u(world, "senco"), _u(world, "la_officer")
    for _ in range(2):
        with scopes_disabled():
            r = services.return_submit(audit_return=reload(r), user=senco)
            r = services.return_query(audit_return=r, user=officer, comments={"C": "Check"})
        assert reminders.send_reminders(due + timedelta(days=1)) == 1
    with scopes_disabled():
        steps = set(ReturnReminder.objects.values_list("step", flat=True))
    assert steps == {"queried1:overdue", "queried2:overdue"}


def test_the_beat_task_runs_the_reminders_and_is_scheduled(world, settings):
    r = start(world)
    with scopes_disabled():
        type(r).objects.filter(pk=r.pk).update(due_date=timezone.localdate() + timedelta(days=60))
    assert send_return_reminders.delay().get() == 0  # not due for two months
    from sendreview.celery import app as celery_app

    entry = settings.CELERY_BEAT_SCHEDULE["audit-return-reminders"]
    assert entry["task"] == "audits.send_return_reminders"
    assert "audits.send_return_reminders" in celery_app.tasks  # a worker finds it (autodiscovery)


def test_reminder_queries_do_not_grow_with_the_number_of_returns(
    world, django_assert_max_num_queries
):
    """Three reads in all (returns, SENCOs, reminders sent) and one for the LAs' collections (none
    here); per e-mail a savepoint, an insert and a release."""
    due = _due(start(world))
    start(world, school=world.school_other, user_key="senco_other_school")
    with django_assert_max_num_queries(4 + 2 * 3):
        assert reminders.send_reminders(due - timedelta(days=1)) == 2
    with django_assert_max_num_queries(4):  # nothing new to send: the reads only
        assert reminders.send_reminders(due - timedelta(days=1)) == 0


def _collect(world, due):
    with scopes_disabled():
        return services.collection_set(
            la=world.la, academic_year=world.year, sections=["B", "C"], due_date=due
        )


def test_a_school_that_has_not_started_the_collected_return_is_reminded(world):
    """Schools owe the return the LA collects even before they open it: their SENCOs are told
    before and after the due date, once each; a school that has started it is reminded by its
    return instead, and an LA collecting nothing reminds nobody."""
    due = timezone.localdate() + timedelta(days=40)
    start(world, school=world.school_other, user_key="senco_other_school")  # has started
    mail.outbox.clear()
    reminders.send_reminders(due - timedelta(days=10))  # the other school's own return reminders
    _collect(world, due)
    mail.outbox.clear()
    assert reminders.send_reminders(due - timedelta(days=30)) == 0  # not yet
    assert reminders.send_reminders(due - timedelta(days=10)) == 1
    (message,) = mail.outbox
    assert message.to == [world.users["senco"].email]
    assert world.school.name in message.subject and "is due on" in message.subject
    assert reminders.send_reminders(due - timedelta(days=9)) == 0  # idempotent
    assert reminders.send_reminders(due + timedelta(days=1)) == 1  # overdue
    with scopes_disabled():
        steps = list(StartReminder.objects.values_list("school_id", "step"))
    assert steps == [
        (world.school.pk, "not_started:due_soon"),
        (world.school.pk, "not_started:overdue"),
    ]
    start(world)  # once started, the return's own reminders take over
    assert reminders.send_reminders(due + timedelta(days=2)) == 1  # draft:overdue, not a start


def test_not_started_reminders_cost_the_same_reads_however_many_schools(
    world, django_assert_max_num_queries
):
    from tests import factories as f

    due = timezone.localdate() + timedelta(days=5)
    _collect(world, due)
    with scopes_disabled():
        for n in range(6):
            f.SchoolFactory(la=world.la, name=f"Quiet School {n}", urn=f"80190{n}")
    # Return reminders: 3 reads; schools not started: collections, returns, schools, SENCOs,
    # sent; one e-mail each (savepoint, insert, release) to the SENCOs of the two cast schools
    # (the six new schools have no SENCO).
    with django_assert_max_num_queries(3 + 5 + 2 * 3):
        assert reminders.send_reminders(due - timedelta(days=1)) == 2


# --- the head's confirmation --------------------------------------------------------------------


def _policy(world, on=True):
    with scopes_disabled():
        AuditPolicy.objects.update_or_create(la=world.la, defaults={"head_must_confirm": on})


def test_without_the_policy_the_la_reviews_at_once(world):
    r = fill_valid(world, start(world))
    with scopes_disabled():
        r = services.return_submit(audit_return=reload(r), user=_u(world, "senco"))
        assert not r.head_confirmation_required and not r.awaiting_head
        services.return_accept(audit_return=r, user=_u(world, "la_officer"))


def test_with_the_policy_the_head_confirms_before_the_la_can_accept_or_query(world):
    _policy(world)
    r = fill_valid(world, start(world))
    officer = _u(world, "la_officer")
    with scopes_disabled():
        r = services.return_submit(audit_return=reload(r), user=_u(world, "senco"))
        assert r.awaiting_head
        with pytest.raises(TransitionNotAllowed):
            services.return_accept(audit_return=r, user=officer)
        with pytest.raises(TransitionNotAllowed):
            services.return_query(audit_return=r, user=officer, comments={"B": "x"})
    with acting_as(world, "senco") as senco:
        assert not senco.has_perm("audits.confirm_return", reload(r))
        with pytest.raises(PermissionDenied):
            services.return_confirm(audit_return=reload(r), user=senco)
    with acting_as(world, "headteacher") as head:
        assert head.has_perm("audits.confirm_return", reload(r))
        r = services.return_confirm(audit_return=reload(r), user=head)
    assert r.head_confirmed_by == head and not r.awaiting_head
    with scopes_disabled():
        assert r.events.filter(kind="head_confirmed").count() == 1
        with pytest.raises(TransitionNotAllowed):
            services.return_confirm(audit_return=r, user=head)
        r = services.return_query(audit_return=reload(r), user=officer, comments={"B": "x"})
        r = services.return_submit(audit_return=r, user=_u(world, "senco"))
    assert r.awaiting_head  # a new submission needs a new confirmation


def test_the_head_is_reminded_once_per_submission_awaiting_confirmation(world):
    _policy(world)
    r = fill_valid(world, start(world))
    day = _due(r) - timedelta(days=60)  # long before the due date: the LA is waiting now
    mail.outbox.clear()
    with scopes_disabled():
        r = services.return_submit(audit_return=reload(r), user=_u(world, "senco"))
    assert reminders.send_reminders(day) == 1
    assert mail.outbox[-1].to == [world.users["headteacher"].email]
    assert "Please confirm" in mail.outbox[-1].subject
    assert reminders.send_reminders(day) == 0
    with acting_as(world, "headteacher") as head:
        services.return_confirm(audit_return=reload(r), user=head)
    assert reminders.send_reminders(day) == 0  # confirmed: nothing owed


def test_a_policy_change_does_not_strand_a_submitted_return(world):
    r = fill_valid(world, start(world))
    with scopes_disabled():
        r = services.return_submit(audit_return=reload(r), user=_u(world, "senco"))
    _policy(world)
    with scopes_disabled():
        r = reload(r)
        assert not r.awaiting_head
        assert services.return_accept(audit_return=r, user=_u(world, "la_officer")).is_accepted


# --- carrying an action into the work plan ------------------------------------------------------


def _actions(world, r, *items):
    with scopes_disabled():
        r = reload(r)
        services.analysis_save(
            audit_return=r, answers={}, expected_version=r.lock_version,
            user=world.users["senco"],
            actions=[{"block": b, "issue": i, "triage": t} for b, i, t in items],
        )  # fmt: skip
        return list(AnalysisAction.objects.filter(audit_return=r).order_by("pk"))


IP = AnalysisAction.Triage.IMPROVEMENT_PLAN


def test_an_improvement_plan_action_is_carried_once(world):
    plan = make_plan(world, review=False)
    r = start(world)
    (action,) = _actions(world, r, ("A1", "More girls on the record than boys", IP))
    with acting_as(world, "senco") as senco:
        plan_action, created = carry.carry(action=action, user=senco, due_term="spring")
        assert created and plan_action.plan_id == plan.pk
        assert plan_action.description == "More girls on the record than boys"
        assert plan_action.area.is_area and "SEN record" in plan_action.area.title
        again, created = carry.carry(action=action, user=senco, due_term="summer")
        assert not created and again == plan_action
        assert plan_action.plan.actions.count() == 1
    # The analysis page replaces its rows on save: the issue is still known as carried.
    (same,) = _actions(world, r, ("A1", "More girls on the record than boys", IP))
    with acting_as(world, "senco") as senco:
        assert carry.carry(action=same, user=senco, due_term="spring")[1] is False
        assert CarriedAction.objects.count() == 1


def test_two_actions_of_a_block_share_one_area(world):
    plan = make_plan(world, review=False)
    a, b = _actions(world, start(world), ("F", "Outturn over", IP), ("F", "Plan earlier", IP))
    with acting_as(world, "headteacher") as head:
        carry.carry(action=a, user=head, due_term="autumn")
        carry.carry(action=b, user=head, due_term="autumn")
        assert plan.items.filter(is_area=True).count() == 1 and plan.actions.count() == 2


def test_only_improvement_plan_actions_and_only_into_a_draft_plan(world):
    r = start(world)
    monitor, ip = _actions(
        world, r, ("A1", "Watch", AnalysisAction.Triage.MONITOR), ("A1", "Plan it", IP)
    )
    with acting_as(world, "senco") as senco:
        with pytest.raises(ValidationError, match="improvement plan"):
            carry.carry(action=monitor, user=senco, due_term="spring")
        with pytest.raises(ValidationError, match="no work plan"):
            carry.carry(action=ip, user=senco, due_term="spring")
    plan = make_plan(world, review=False)
    with scopes_disabled():
        type(plan).objects.filter(pk=plan.pk).update(status="agreed")
    with acting_as(world, "senco") as senco:
        with pytest.raises(ValidationError, match="no longer a draft"):
            carry.carry(action=ip, user=senco, due_term="spring")
        assert not CarriedAction.objects.exists()


def test_who_may_carry(world):
    r = start(world)
    for key, allowed in [("senco", True), ("headteacher", True), ("governor", False),
                         ("la_officer", False), ("ep", False)]:  # fmt: skip
        with acting_as(world, key) as user:
            assert user.has_perm("audits.carry_action", reload(r)) is allowed, key
    assert r.status == ReturnStatus.DRAFT
