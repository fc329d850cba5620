"""Issue 11: the school's action for a visit suggestion carried into its EP work plan — once, into
the current draft plan, under one area per visit, by the school's leaders only."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from audits.visits import carry, services
from audits.visits.models import Suggestion
from tests.audit_visits.helpers import seed_visit
from tests.workplans.support import acting_as, make_plan

pytestmark = pytest.mark.django_db


def url(name, visit, **extra):
    return reverse(f"audit_visits:{name}", kwargs={"uuid": visit.uuid, **extra})


def _first(visit) -> Suggestion:
    with scopes_disabled():
        return Suggestion.objects.select_related("visit__school").get(visit=visit, number=1)


def _another(visit, number, action="Train the TAs") -> Suggestion:
    with scopes_disabled():
        return Suggestion.objects.create(
            visit=visit, number=number, text="More", area="files", priority="low",
            triage="monitor", action=action,
        )  # fmt: skip


def test_an_action_is_carried_once_under_the_visits_area(world):
    plan = make_plan(world, review=False)
    visit = seed_visit(world, "action_plan_agreed")
    suggestion = _first(visit)
    with acting_as(world, "senco") as senco:
        plan_action, created = carry.carry(suggestion=suggestion, user=senco, due_term="spring")
        assert created and plan_action.plan_id == plan.pk
        assert plan_action.description == "Cost the provision map"
        assert plan_action.area.title == carry.area_title(visit)
        assert plan_action.area.title.startswith("SEN audit visit ")
        again, created = carry.carry(suggestion=_first(visit), user=senco, due_term="summer")
        assert not created and again == plan_action
        assert plan.actions.count() == 1
        stored = _first(visit)
        assert stored.carried_at and stored.plan_action_id == plan_action.pk
        # Carrying is no edit of the action plan: its version is what the school last saved.
        assert stored.lock_version == suggestion.lock_version


def test_two_actions_of_a_visit_share_one_area(world):
    plan = make_plan(world, review=False)
    visit = seed_visit(world, "action_plan_agreed")
    with acting_as(world, "headteacher") as head:
        carry.carry(suggestion=_first(visit), user=head, due_term="autumn")
        carry.carry(suggestion=_another(visit, 2), user=head, due_term="autumn")
        assert plan.items.filter(is_area=True).count() == 1 and plan.actions.count() == 2


def test_only_a_written_action_and_only_into_a_draft_plan(world):
    visit = seed_visit(world, "report_issued")
    empty = _first(visit)
    written = _another(visit, 2)
    with acting_as(world, "senco") as senco:
        with pytest.raises(ValidationError, match="action plan first"):
            carry.carry(suggestion=empty, user=senco, due_term="spring")
        with pytest.raises(ValidationError, match="no work plan"):
            carry.carry(suggestion=written, user=senco, due_term="spring")
    plan = make_plan(world, review=False)
    with scopes_disabled():
        type(plan).objects.filter(pk=plan.pk).update(status="agreed")
    with acting_as(world, "senco") as senco:
        with pytest.raises(ValidationError, match="no longer a draft"):
            carry.carry(suggestion=written, user=senco, due_term="spring")
        assert not Suggestion.objects.filter(carried_at__isnull=False).exists()


def test_the_work_plans_own_permission_applies(world):
    make_plan(world, review=False)
    visit = seed_visit(world, "action_plan_agreed")
    with acting_as(world, "governor") as governor:
        with pytest.raises(PermissionDenied):
            carry.carry(suggestion=_first(visit), user=governor, due_term="spring")
        # Refused: nothing is recorded as carried, so a leader can still add it.
        assert _first(visit).carried_at is None


def test_who_may_carry(world):
    recorded = seed_visit(world, "sample_drawn")
    with acting_as(world, "senco") as senco:
        assert not senco.has_perm("audit_visits.carry_action", recorded)  # no report yet
    with scopes_disabled():
        services.cancel_visit(visit=recorded, user=world.users["la_officer"], reason="Re-plan")
    issued = seed_visit(world, "action_plan_agreed")
    for key, allowed in [("senco", True), ("headteacher", True), ("governor", False),
                         ("la_officer", False), ("ep", False)]:  # fmt: skip
        with acting_as(world, key) as user:
            assert user.has_perm("audit_visits.carry_action", issued) is allowed, key


def test_due_term_follows_the_by_when_date():
    assert carry.due_term_for(date(2027, 10, 1)) == "autumn"
    assert carry.due_term_for(date(2027, 2, 1)) == "spring"
    assert carry.due_term_for(date(2027, 6, 1)) == "summer"
    assert carry.due_term_for(None) == ""


# --- the pages ----------------------------------------------------------------------------------


def test_the_page_confirms_then_adds_once(world, client_for):
    plan = make_plan(world, review=False)
    visit = seed_visit(world, "action_plan_agreed")
    suggestion = _first(visit)
    senco = client_for("senco")
    carry_url = url("suggestion-carry", visit, suggestion_uuid=suggestion.uuid)
    assert carry_url in senco.get(url("action-plan", visit)).content.decode()
    page = senco.get(carry_url).content.decode()
    assert "Cost the provision map" in page and plan.title in page
    assert carry.area_title(visit) in page
    bad = senco.post(carry_url, {})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    assert "Choose by when the action should be done" in bad.content.decode()
    assert _first(visit).carried_at is None
    assert senco.post(carry_url, {"due_term": "spring"}).status_code == 302
    assert senco.post(carry_url, {"due_term": "spring"}).status_code == 302
    with scopes_disabled():
        assert plan.actions.count() == 1
    assert "In the work plan" in senco.get(url("action-plan", visit)).content.decode()
    again = senco.get(carry_url).content.decode()
    assert "already in the work plan" in again and 'name="due_term"' not in again


def test_the_page_says_why_not(world, client_for):
    visit = seed_visit(world, "report_issued")
    senco = client_for("senco")
    # No action written yet: no link on the action plan, and the page says so.
    empty = url("suggestion-carry", visit, suggestion_uuid=_first(visit).uuid)
    assert empty not in senco.get(url("action-plan", visit)).content.decode()
    page = senco.get(empty).content.decode()
    assert "action plan first" in page and 'name="due_term"' not in page
    # An action but no work plan this year.
    written = url("suggestion-carry", visit, suggestion_uuid=_another(visit, 2).uuid)
    page = senco.get(written).content.decode()
    assert "no work plan for" in page and 'name="due_term"' not in page
    assert senco.post(written, {"due_term": "spring"}).status_code == 200


def test_governor_and_la_cannot_carry(world, client_for):
    make_plan(world, review=False)
    visit = seed_visit(world, "action_plan_agreed")
    carry_url = url("suggestion-carry", visit, suggestion_uuid=_first(visit).uuid)
    for key in ("governor", "la_officer"):
        client = client_for(key)
        assert client.get(carry_url).status_code == 403, key
        assert client.post(carry_url, {"due_term": "spring"}).status_code == 403, key
        assert carry_url not in client.get(url("action-plan", visit)).content.decode()
    assert _first(visit).carried_at is None


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_action_plan_queries_constant_in_carried_actions(world, client_for):
    make_plan(world, review=False)
    visit = seed_visit(world, "action_plan_agreed")
    senco = client_for("senco")
    senco.post(
        url("suggestion-carry", visit, suggestion_uuid=_first(visit).uuid), {"due_term": "spring"}
    )
    one = _count(senco, url("action-plan", visit))
    for n in range(2, 6):
        suggestion = _another(visit, n)
        if n % 2:
            with acting_as(world, "senco") as user:
                carry.carry(suggestion=suggestion, user=user, due_term="summer")
    page = senco.get(url("action-plan", visit)).content.decode()
    assert page.count("In the work plan") == 3 and page.count("Add to the work plan<") == 2
    assert _count(senco, url("action-plan", visit)) == one
