"""Work-plan pages through the test client: the whole cycle by a SENCO and an EP, the school's
unshared draft, a stale agreement refused with the change shown, and query counts."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from frameworks.models import SelfReview
from tests import factories as f
from tests.workplans.support import add_action, make_plan, reload, submitted_review
from workplans.forms import HOW_WOULD_I_KNOW, IMPROVE_BY_ONE_POINT
from workplans.models import PlanAction, PlanItem, PlanStatus, WorkPlan

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"workplans:{name}", kwargs=kwargs)


def problems(response) -> str:
    html = response.content.decode()
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)) if found else html[-2000:]


def page_fields(html: str) -> dict:
    """name → value of the inputs, textareas and checked radios/checkboxes of a page's form."""
    fields = {}
    for m in re.finditer(r"<input([^>]*)>", html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(1)))
        name = attrs.get("name")
        if not name or attrs.get("type") == "submit":
            continue
        if attrs.get("type") in ("radio", "checkbox") and "checked" not in m.group(1):
            continue
        default = "on" if attrs.get("type") in ("radio", "checkbox") else ""
        fields[name] = unescape(attrs.get("value", default))
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(2))
        fields[m.group(1)] = chosen.group(1) if chosen else ""
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[m.group(1)] = unescape(m.group(2).strip())
    return fields


def test_meeting_page_shows_both_prompts_word_for_word(world, client_for):
    plan = make_plan(world)
    html = client_for("senco").get(url("plan-meeting", uuid=plan.uuid)).content.decode()
    assert HOW_WOULD_I_KNOW == "How would I know that was happening?"
    assert IMPROVE_BY_ONE_POINT == "What else could we do to improve by one point?"
    assert html.count(HOW_WOULD_I_KNOW) >= 4  # the reminder, and one label per item (3)
    assert html.count(IMPROVE_BY_ONE_POINT) >= 4


def test_school_draft_is_the_schools_until_shared(world, client_for):
    plan = make_plan(world, review=False)
    ep, officer = client_for("ep"), client_for("la_officer")
    assert ep.get(url("plan-detail", uuid=plan.uuid)).status_code == 403
    assert officer.get(url("plan-detail", uuid=plan.uuid)).status_code == 403
    listing = ep.get(url("plan-list", school_uuid=world.school.uuid)).content.decode()
    assert "has not shared yet" in listing and str(plan.uuid) not in listing
    senco = client_for("senco")
    page = senco.get(url("plan-share", uuid=plan.uuid)).content.decode()
    response = senco.post(url("plan-share", uuid=plan.uuid), page_fields(page))
    assert response.status_code == 302
    assert ep.get(url("plan-detail", uuid=plan.uuid)).status_code == 200
    assert officer.get(url("plan-detail", uuid=plan.uuid)).status_code == 200


def test_whole_cycle_by_senco_and_ep(world, client_for):
    submitted_review(world)
    senco, ep = client_for("senco"), client_for("ep")
    start = senco.get(url("plan-start", school_uuid=world.school.uuid)).content.decode()
    with scopes_disabled():
        review = SelfReview.objects.get(school=world.school)
    assert str(review.uuid) in start
    data = page_fields(start)
    data["self_review"] = str(review.uuid)
    response = senco.post(url("plan-start", school_uuid=world.school.uuid), data)
    assert response.status_code == 302, problems(response)
    with scopes_disabled():
        plan = WorkPlan.objects.get(school=world.school)
    # Meeting: answers for the first item, which becomes an area.
    page = senco.get(url("plan-meeting", uuid=plan.uuid)).content.decode()
    data = page_fields(page)
    with scopes_disabled():
        first = PlanItem.objects.filter(plan=plan).order_by("position").first()
    prefix = f"item-{first.uuid}-"
    data[prefix + "how_would_i_know"] = "Pupil voice shows it"
    data[prefix + "improve_by_one_point"] = "Termly provision map review"
    data[prefix + "is_area"] = "on"
    data["meeting_date"] = "2026-10-01"
    response = senco.post(url("plan-meeting", uuid=plan.uuid), data)
    assert response.status_code == 302, problems(response)
    first = reload(first)
    assert first.is_area and first.how_would_i_know == "Pupil voice shows it"
    # An action, by the EP (the plan was proposed... no: the draft is shared once proposed).
    page = senco.get(url("action-add", uuid=plan.uuid)).content.decode()
    data = page_fields(page)
    data.update(
        area=str(first.uuid),
        description="Precision teaching training",
        strand="systems",
        lead_kind="ep",
        ep_sessions="3",
        due_term="spring",
        triage="improvement_plan",
    )
    response = senco.post(url("action-add", uuid=plan.uuid), data)
    assert response.status_code == 302, problems(response)
    for client, step in ((senco, "plan-propose"), (senco, "plan-agree"), (ep, "plan-agree")):
        page = client.get(url(step, uuid=plan.uuid))
        assert page.status_code == 200, step
        response = client.post(url(step, uuid=plan.uuid), page_fields(page.content.decode()))
        assert response.status_code == 302, (step, problems(response))
    plan = reload(plan)
    assert plan.status == PlanStatus.AGREED
    assert senco.get(url("plan-meeting", uuid=plan.uuid)).status_code == 403  # frozen
    # Re-open with a reason, change, and both agree again.
    response = senco.post(url("plan-reopen", uuid=plan.uuid), {"reason": "New headteacher"})
    assert response.status_code == 302
    for client, step in ((ep, "plan-propose"), (ep, "plan-agree"), (senco, "plan-agree")):
        page = client.get(url(step, uuid=plan.uuid))
        response = client.post(url(step, uuid=plan.uuid), page_fields(page.content.decode()))
        assert response.status_code == 302, step
    # June review.
    page = ep.get(url("review-start", uuid=plan.uuid)).content.decode()
    assert ep.post(url("review-start", uuid=plan.uuid), page_fields(page)).status_code == 302
    page = ep.get(url("plan-review", uuid=plan.uuid)).content.decode()
    data = page_fields(page)
    with scopes_disabled():
        action = PlanAction.objects.get(plan=plan)
    data[f"action-{action.uuid}-outcome"] = "achieved"
    data[f"action-{action.uuid}-impact_evidence"] = "All TAs trained"
    data[f"action-{action.uuid}-carry_forward"] = "on"
    data[f"item-{first.uuid}-rating_at_review"] = "3"  # from 4 (Hackney: lower is better)
    data["review_date"] = "2027-06-20"
    response = ep.post(url("plan-review", uuid=plan.uuid), data)
    assert response.status_code == 302, problems(response)
    detail = ep.get(url("plan-detail", uuid=plan.uuid)).content.decode()
    assert "improved by 1 point" in detail
    page = ep.get(url("review-complete", uuid=plan.uuid)).content.decode()
    assert ep.post(url("review-complete", uuid=plan.uuid), page_fields(page)).status_code == 302
    with scopes_disabled():
        f.AcademicYearFactory(la=world.la, start_year=2027, is_current=False)
    page = senco.get(url("carry-forward", uuid=plan.uuid)).content.decode()
    response = senco.post(url("carry-forward", uuid=plan.uuid), page_fields(page))
    assert response.status_code == 302
    with scopes_disabled():
        new = WorkPlan.objects.get(school=world.school, academic_year__start_year=2027)
        assert PlanAction.objects.get(plan=new).description == "Precision teaching training"
    history = senco.get(url("plan-history", uuid=plan.uuid)).content.decode()
    assert "New headteacher" in history


def test_agreeing_a_changed_plan_is_refused_with_the_change_shown(world, client_for):
    plan = make_plan(world)
    action = add_action(world, plan)
    senco, ep = client_for("senco"), client_for("ep")
    page = senco.get(url("plan-propose", uuid=plan.uuid)).content.decode()
    senco.post(url("plan-propose", uuid=plan.uuid), page_fields(page))
    agree_page = ep.get(url("plan-agree", uuid=plan.uuid)).content.decode()
    # The SENCO changes the action's EP time while the EP reads.
    page = senco.get(url("action-edit", uuid=plan.uuid, action_uuid=action.uuid)).content.decode()
    data = page_fields(page)
    data["ep_sessions"] = "5"
    assert (
        senco.post(url("action-edit", uuid=plan.uuid, action_uuid=action.uuid), data).status_code
        == 302
    )
    response = ep.post(url("plan-agree", uuid=plan.uuid), page_fields(agree_page))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The plan changed since you read it" in html
    assert "EP time (sessions)" in html and "5.0" in html
    assert reload(plan).ep_agreed_at is None
    # Agreeing again from the page now shown works.
    response = ep.post(url("plan-agree", uuid=plan.uuid), page_fields(html))
    assert response.status_code == 302
    assert reload(plan).ep_has_agreed


def test_stale_meeting_save_keeps_what_was_typed(world, client_for):
    plan = make_plan(world, key="ep")
    senco, ep = client_for("senco"), client_for("ep")
    page_a = senco.get(url("plan-meeting", uuid=plan.uuid)).content.decode()
    page_b = ep.get(url("plan-meeting", uuid=plan.uuid)).content.decode()
    with scopes_disabled():
        first = PlanItem.objects.filter(plan=plan).order_by("position").first()
    key = f"item-{first.uuid}-how_would_i_know"
    data = page_fields(page_b)
    data[key] = "The EP's words"
    assert ep.post(url("plan-meeting", uuid=plan.uuid), data).status_code == 302
    data = page_fields(page_a)
    data[key] = "The SENCO's words"
    response = senco.post(url("plan-meeting", uuid=plan.uuid), data)
    html = response.content.decode()
    assert response.status_code == 200 and "Someone else saved this plan" in html
    assert "The SENCO&#x27;s words" in html and "The EP&#x27;s words" in html
    assert reload(first).how_would_i_know == "The EP's words"
    # Saving again from the page shown replaces theirs deliberately.
    assert senco.post(url("plan-meeting", uuid=plan.uuid), page_fields(html)).status_code == 302
    assert reload(first).how_would_i_know == "The SENCO's words"


def test_bad_action_input_shows_errors_and_saves_nothing(world, client_for):
    plan = make_plan(world)
    with scopes_disabled():
        first = PlanItem.objects.filter(plan=plan).order_by("position").first()
    from tests.workplans.support import acting_as
    from workplans import services

    with acting_as(world, "senco") as senco_user:
        services.plan_item_save(item=first, expected_version=1, user=senco_user, is_area=True)
    response = client_for("senco").post(
        url("action-add", uuid=plan.uuid),
        {"area": str(first.uuid), "description": "", "ep_sessions": "-1", "school": "x"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html
    for message in ("Enter what will be done", "EP time cannot be negative", "Choose the triage"):
        assert message in html
    with scopes_disabled():
        assert not PlanAction.objects.filter(plan=plan).exists()


@pytest.mark.parametrize("page", ["plan-detail", "plan-meeting", "plan-agree", "plan-history"])
def test_query_count_constant_in_plan_size(world, client_for, django_assert_num_queries, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = make_plan(world)
    add_action(world, plan)
    if page == "plan-agree":
        from tests.workplans.support import acting_as
        from workplans import services

        with acting_as(world, "senco") as senco_user:
            services.plan_propose(plan=reload(plan), user=senco_user)
    client = client_for("senco")
    client.get(url(page, uuid=plan.uuid))  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(page, uuid=plan.uuid)).status_code == 200
    with scopes_disabled():
        items = list(PlanItem.objects.filter(plan=plan))
    for index in range(8):
        add_action(world, plan, area=items[0], description=f"Action {index}")
    from tests.workplans.support import acting_as
    from workplans import services

    with acting_as(world, "senco") as senco_user:
        for index in range(6):
            services.plan_item_add(plan=reload(plan), user=senco_user, title=f"Area {index}")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url(page, uuid=plan.uuid)).status_code == 200
    assert len(large) == len(small), (page, len(small), len(large))
