"""The follow-up pages: the LA's confirmation setting, the head's confirmation step and timeline,
and carrying an analysis action into the work plan."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from audits.models import AnalysisAction, AuditPolicy, CarriedAction
from tests.audits.support import fill_valid, reload, start
from tests.audits.test_followup import _actions, _u
from tests.workplans.support import make_plan

pytestmark = pytest.mark.django_db
IP = AnalysisAction.Triage.IMPROVEMENT_PLAN


def url(name, r, **kw):
    return reverse(f"audits:{name}", kwargs={"uuid": r.uuid, **kw})


def test_la_admin_turns_the_heads_confirmation_on_and_off(world, client_for):
    admin = client_for("la_admin")
    page = admin.get(reverse("audits:policy"))
    assert page.status_code == 200 and 'name="head_must_confirm"' in page.content.decode()
    assert admin.post(reverse("audits:policy"), {"head_must_confirm": "on"}).status_code == 302
    with scopes_disabled():
        assert AuditPolicy.objects.get(la=world.la).head_must_confirm
        assert not AuditPolicy.objects.filter(la=world.la_other).exists()
    admin.post(reverse("audits:policy"), {})
    with scopes_disabled():
        assert not AuditPolicy.objects.get(la=world.la).head_must_confirm


def test_submitted_return_waits_for_the_head_then_the_la_accepts(world, client_for):
    with scopes_disabled():
        AuditPolicy.objects.create(la=world.la, head_must_confirm=True)
    r = fill_valid(world, start(world))
    senco = client_for("senco")
    senco.post(url("return-step", r, step="submit"), {"lock_version": reload(r).lock_version})
    officer = client_for("la_officer")
    html = officer.get(url("return-detail", r)).content.decode()
    assert "Awaiting the headteacher's confirmation" in html
    assert url("return-step", r, step="accept") not in html
    assert officer.get(url("return-step", r, step="accept")).status_code == 403
    head = client_for("headteacher")
    assert (
        url("return-step", r, step="confirm") in head.get(url("return-detail", r)).content.decode()
    )
    assert senco.get(url("return-step", r, step="confirm")).status_code == 403
    done = head.post(
        url("return-step", r, step="confirm"), {"lock_version": reload(r).lock_version}
    )
    assert done.status_code == 302
    html = officer.get(url("return-detail", r)).content.decode()
    assert "Confirmed by the headteacher" in html and "Awaiting the headteacher" not in html
    officer.post(url("return-step", r, step="accept"), {"lock_version": reload(r).lock_version})
    assert reload(r).is_accepted


def test_carry_page_confirms_then_adds_once(world, client_for):
    plan = make_plan(world, review=False)
    r = start(world)
    (action,) = _actions(world, r, ("D", "Close the gap in KS2 reading", IP))
    senco = client_for("senco")
    analysis = senco.get(url("return-analysis", r)).content.decode()
    carry_url = url("carry-action", r, pk=action.pk)
    assert carry_url in analysis
    page = senco.get(carry_url).content.decode()
    assert "Close the gap in KS2 reading" in page and plan.title in page
    bad = senco.post(carry_url, {})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    assert "Choose by when the action should be done" in bad.content.decode()
    with scopes_disabled():
        assert not CarriedAction.objects.exists()
    assert senco.post(carry_url, {"due_term": "spring"}).status_code == 302
    assert senco.post(carry_url, {"due_term": "spring"}).status_code == 302
    with scopes_disabled():
        assert plan.actions.count() == 1 and CarriedAction.objects.count() == 1
    assert "In the work plan" in senco.get(url("return-analysis", r)).content.decode()
    assert "already in the work plan" in senco.get(carry_url).content.decode()


def test_carry_page_says_why_not_without_a_draft_plan(world, client_for):
    r = start(world)
    (action,) = _actions(world, r, ("D", "Close the gap", IP))
    page = client_for("senco").get(url("carry-action", r, pk=action.pk)).content.decode()
    assert "no work plan for" in page and 'name="due_term"' not in page


def test_governor_and_la_cannot_carry(world, client_for):
    r = fill_valid(world, start(world))
    (action,) = _actions(world, r, ("D", "Close the gap", IP))
    with scopes_disabled():
        from audits import services

        services.return_submit(audit_return=reload(r), user=_u(world, "senco"))
    for key in ("governor", "la_officer"):
        client = client_for(key)
        assert client.get(url("carry-action", r, pk=action.pk)).status_code == 403, key
        assert (
            url("carry-action", r, pk=action.pk)
            not in client.get(url("return-analysis", r)).content.decode()
        )


def test_analysis_page_queries_do_not_grow_with_actions(
    world, client_for, django_assert_max_num_queries
):
    make_plan(world, review=False)
    r = start(world)
    senco = client_for("senco")
    _actions(world, r, ("A1", "One", IP))
    senco.get(url("return-analysis", r))
    with django_assert_max_num_queries(40) as few:
        senco.get(url("return-analysis", r))
    _actions(world, r, *[("A1", f"Issue {i}", IP) for i in range(6)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        senco.get(url("return-analysis", r))


def test_the_return_page_lists_the_reminders_sent(world, client_for):
    from datetime import timedelta

    from audits import reminders

    r = start(world)
    reminders.send_reminders(reload(r).due_date + timedelta(days=1))
    html = client_for("senco").get(url("return-detail", r)).content.decode()
    assert "Reminders sent" in html and "return overdue, to senco@example.org" in html
