"""The SEN audit visit loop in Debian's Chromium with three people — the LA officer, the moderator
(the SENCO of another school) and the audited school's SENCO: schedule → accept → pupils → sample →
visit record (officer and moderator both editing) → report issued (the moderator loses access on
their next request) → action plan → follow-up → closed with the next due date. axe-core on the way.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from audits.visits.criteria import criteria_for
from audits.visits.models import AuditVisit
from tests.e2e.conftest import cookie_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BLOCKING = ("serious", "critical")
AXE_PAGES: list[str] = []


def blocking_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    AXE_PAGES.append(page.url)
    return [
        f"{v['id']} ({v['impact']}) at {' '.join(str(t) for n in v['nodes'] for t in n.get('target', []))}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


def axe_clean(page):
    page.wait_for_load_state("load")
    assert blocking_violations(page) == [], page.url


def person(browser, live_server, user):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    cookie_login(page, user, live_server)
    return page


def submit(page, name=None):
    with page.expect_navigation():
        if name:
            page.get_by_role("button", name=re.compile(name)).click()
        else:
            page.locator("main form [type=submit]").last.click()


def fmt(day):
    return f"{day.day}/{day.month}/{day.year}"


def test_the_audit_visit_loop_with_three_people(e2e_browser, e2e_world, live_server):
    world = e2e_world
    today = timezone.localdate()
    officer = person(e2e_browser, live_server, world.users["la_officer"])
    moderator = person(e2e_browser, live_server, world.users["senco_other_school"])
    senco = person(e2e_browser, live_server, world.users["senco"])

    # 1. The officer sees the school due and schedules the visit.
    officer.goto(reverse("audit_visits:visit-list"))
    axe_clean(officer)
    with officer.expect_navigation():
        officer.get_by_role(
            "link", name=re.compile(f"Schedule a visit to {world.school.name}")
        ).click()
    officer.locator("input[name=planned_date]").fill(fmt(today + timedelta(days=7)))
    officer.locator("select[name=lead_officer]").select_option(
        label=world.users["la_officer"].full_name
    )
    officer.locator("select[name=moderator]").select_option(
        label=f"{world.users['senco_other_school'].full_name}, SENCO of {world.school_other.name}"
    )
    officer.locator("input[name=sample_policy][value=current]").check()
    submit(officer, "Schedule visit")
    assert "Visit scheduled" in officer.content()
    axe_clean(officer)
    with scopes_disabled():
        visit = AuditVisit.objects.get(school=world.school)

    # 2. The moderator switches to the moderator role and accepts.
    moderator.goto("/")
    moderator.locator("#membership-switch").select_option(
        label=f"Audit moderator — {world.school.name}"
    )
    submit(moderator, "Switch")
    axe_clean(moderator)
    with moderator.expect_navigation():
        moderator.get_by_role("link", name=re.compile("Visit of")).click()
    with moderator.expect_navigation():
        moderator.get_by_role("link", name="Accept the visit").click()
    axe_clean(moderator)
    moderator.locator("textarea[name=conflicts_of_interest]").fill("None known")
    submit(moderator, "Accept and start moderating")
    assert "You have accepted" in moderator.content()

    # 3. The school lists its pupils by pseudonym.
    senco.goto(reverse("audit_visits:visit-pupils", kwargs={"uuid": visit.uuid}))
    for i, (year, need) in enumerate(
        [("3", "SPLD"), ("4", "SLCN"), ("5", "SEMH"), ("6", "VI"), ("2", "MLD")]
    ):
        senco.locator("input[name=pseudonym]").fill(f"Pupil {chr(65 + i)}")
        senco.locator("select[name=year_group]").select_option(year)
        senco.locator("input[name=level][value=K]").check()
        senco.locator("select[name=primary_need]").select_option(need)
        if i == 0:
            senco.locator("input[name=fsm]").check()
        submit(senco, "Add pupil")
    assert senco.locator("tbody tr").count() == 5
    axe_clean(senco)
    senco.locator("input[name=pseudonym]").fill("Pupil A")
    submit(senco, "Add pupil")
    assert "There is a problem" in senco.content()  # the pseudonym is taken
    axe_clean(senco)

    # 4. The officer draws the sample.
    officer.goto(reverse("audit_visits:visit-sample", kwargs={"uuid": visit.uuid}))
    submit(officer, "Draw the sample")
    assert "Sample drawn" in officer.content()
    axe_clean(officer)
    files = officer.locator("tbody th a")
    assert files.count() == 4
    file_urls = [files.nth(i).get_attribute("href") for i in range(4)]

    # 5. Both examine files at once: the moderator two, the officer two, and the provision list.
    def rate(page, href):
        page.goto(href)
        for criterion in criteria_for("K"):
            page.locator(f"input[name={criterion.code}_rating][value=fully]").check()
        page.locator("input[name=reviews_on_file]").fill("3")
        page.locator("input[name=moderation][value=agreed]").check()
        submit(page, "Save findings")
        assert "saved" in page.content()

    moderator.goto(file_urls[0])
    axe_clean(moderator)
    rate(moderator, file_urls[0])
    rate(officer, file_urls[1])
    rate(moderator, file_urls[2])
    rate(officer, file_urls[3])
    moderator.goto(reverse("audit_visits:visit-provision", kwargs={"uuid": visit.uuid}))
    moderator.locator("input[name=provision_rating][value=partly]").check()
    moderator.locator("textarea[name=provision_comment]").fill("Costs are not recorded")
    submit(moderator, "Save provision review")
    assert (
        moderator.goto(reverse("audit_visits:visit-pupils", kwargs={"uuid": visit.uuid})).status
        == 403
    )  # never the whole register

    # 6. The officer completes the record, marks it, drafts and issues the report.
    officer.goto(reverse("audit_visits:visit-record", kwargs={"uuid": visit.uuid}))
    officer.locator("input[name=visit_date]").fill(fmt(today))
    officer.locator("input[name=budget_allocation]").fill("25000")
    officer.locator("input[name=budget_plan]").fill("26000")
    officer.locator("input[name=budget_outturn]").fill("24500")
    officer.locator("input[name=budget_rating][value=fully]").check()
    officer.locator("textarea[name=strengths]").fill("Files are thorough")
    officer.locator("input[name=feedback_date]").fill(fmt(today))
    officer.locator("input[name=feedback_to]").fill("SENCO and headteacher")
    officer.locator("textarea[name=feedback_summary]").fill("Cost the provision map")
    submit(officer, "Save visit record")
    officer.goto(
        reverse("audit_visits:visit-step", kwargs={"uuid": visit.uuid, "step": "record-visit"})
    )
    submit(officer, "Confirm")
    assert "Visit recorded" in officer.content()
    officer.goto(reverse("audit_visits:visit-report-edit", kwargs={"uuid": visit.uuid}))
    axe_clean(officer)
    officer.locator("textarea[name=text]").fill("Record the cost of each intervention")
    officer.locator("input[name=area][value=provision]").check()
    officer.locator("input[name=priority][value=high]").check()
    officer.locator("select[name=criterion]").select_option("C9")
    officer.locator("input[name=triage][value=short_term]").check()
    submit(officer, "Add suggestion")
    for area in ("files", "provision", "budget", "leadership"):
        officer.locator(f"input[name=judgement_{area}][value=fully]").check()
    officer.locator("input[name=action_plan_due]").fill(fmt(today + timedelta(days=28)))
    officer.locator("input[name=follow_up_date]").fill(fmt(today + timedelta(days=120)))
    submit(officer, "Save report")
    officer.goto(
        reverse("audit_visits:visit-step", kwargs={"uuid": visit.uuid, "step": "issue-report"})
    )
    submit(officer, "Confirm")
    assert "Report issued" in officer.content()

    # The moderator's very next request: the visit is gone from their reach.
    response = moderator.goto(reverse("audit_visits:visit-sample", kwargs={"uuid": visit.uuid}))
    assert response.status == 404

    # 7. The school reads the report and writes and agrees its action plan.
    senco.goto(reverse("audit_visits:report-view", kwargs={"uuid": visit.uuid}))
    assert "Record the cost of each intervention" in senco.content()
    axe_clean(senco)
    senco.goto(reverse("audit_visits:action-plan", kwargs={"uuid": visit.uuid}))
    senco.locator("textarea[name=s1-action]").fill("Cost every intervention on the map")
    senco.locator("input[name=s1-action_lead]").fill("SENCO")
    senco.locator("input[name=s1-action_by]").fill(fmt(today + timedelta(days=60)))
    senco.locator("textarea[name=s1-success_criteria]").fill("Every line costed")
    submit(senco, "Save action")
    axe_clean(senco)
    senco.goto(
        reverse("audit_visits:visit-step", kwargs={"uuid": visit.uuid, "step": "agree-action-plan"})
    )
    submit(senco, "Confirm")
    assert "Action plan agreed" in senco.content()

    # 8. The autumn follow-up, and the cycle closes with the next due date.
    officer.goto(reverse("audit_visits:follow-up", kwargs={"uuid": visit.uuid}))
    officer.locator("input[name=s1-outcome][value=completed]").check()
    officer.locator("textarea[name=s1-evidence]").fill("Costed map seen")
    submit(officer, "Save outcome")
    axe_clean(officer)
    officer.goto(
        reverse("audit_visits:visit-step", kwargs={"uuid": visit.uuid, "step": "hold-follow-up"})
    )
    officer.locator("input[name=held_on]").fill(fmt(today))
    submit(officer, "Record follow-up as held")
    officer.goto(reverse("audit_visits:visit-step", kwargs={"uuid": visit.uuid, "step": "close"}))
    axe_clean(officer)
    submit(officer, "Close the cycle")
    assert "Cycle closed" in officer.content()
    next_due = (
        today.replace(year=today.year + 2)
        if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year + 2, day=28)
    )
    assert f"{next_due.day} {next_due:%B %Y}" in officer.content()
    with scopes_disabled():
        visit.refresh_from_db()
    assert visit.status == "closed" and visit.next_due_on == next_due
    for page in (officer, moderator, senco):
        page.context.close()


def test_the_moderator_declines_and_the_officer_asks_another(e2e_browser, e2e_world, live_server):
    from sendreview.roles import Role
    from tests import factories as f

    world = e2e_world
    with scopes_disabled():
        third = f.SchoolFactory(la=world.la, name="Third Lane Primary", urn="801777")
        tara = f.UserFactory(email="third-senco@example.org", full_name="Tara Third")
        f.MembershipFactory(user=tara, role=Role.SENCO, school=third)
    visit = _seeded(world, "scheduled")
    moderator = person(e2e_browser, live_server, world.users["senco_other_school"])
    officer = person(e2e_browser, live_server, world.users["la_officer"])

    # The moderator cannot go: they decline, with a reason, from the visit's page.
    moderator.goto("/")
    moderator.locator("#membership-switch").select_option(
        label=f"Audit moderator — {world.school.name}"
    )
    submit(moderator, "Switch")
    moderator.goto(reverse("audit_visits:visit-detail", kwargs={"uuid": visit.uuid}))
    with moderator.expect_navigation():
        moderator.get_by_role("link", name="decline it").click()
    axe_clean(moderator)
    submit(moderator, "Decline")
    assert "Enter why you cannot moderate this visit" in moderator.content()
    axe_clean(moderator)
    moderator.locator("textarea[name=reason]").fill("On a course that week")
    submit(moderator, "Decline")
    assert "You have declined" in moderator.content()

    # The officer sees why, and asks Tara instead.
    officer.goto(reverse("audit_visits:visit-detail", kwargs={"uuid": visit.uuid}))
    assert "declined: On a course that week" in officer.content()
    axe_clean(officer)
    with officer.expect_navigation():
        officer.get_by_role("link", name=re.compile("Ask another")).click()
    axe_clean(officer)
    officer.locator("select[name=moderator]").select_option(
        label="Tara Third, SENCO of Third Lane Primary"
    )
    submit(officer, "Ask this moderator")
    assert "The new moderator has been asked to accept" in officer.content()
    with scopes_disabled():
        visit.refresh_from_db()
    assert visit.status == "scheduled" and visit.moderator == tara
    for page in (officer, moderator):
        page.context.close()


def _seeded(world, status):
    from tests.audit_visits.helpers import seed_visit

    return seed_visit(world, status)


def _first_sampled(visit):
    with scopes_disabled():
        return visit.pupils.filter(in_sample=True).order_by("sample_order").first()


def _swap(world, visit):
    from audits.visits import services

    with scopes_disabled():
        return services.request_swap(
            visit=visit, pupil=_first_sampled(visit), user=world.users["senco"], reason="Left"
        )


@pytest.mark.parametrize(
    ("role", "page_name", "state"),
    [
        ("senco_other_school", "home", "sample_drawn"),
        ("senco_other_school", "visit-detail", "sample_drawn"),
        ("la_officer", "visit-detail", "report_issued"),
        ("la_officer", "file-review-errors", "sample_drawn"),
        ("senco", "file-review", "sample_drawn"),
        ("la_officer", "visit-record-errors", "sample_drawn"),
        ("la_officer", "visit-step-errors", "scheduled"),
        ("senco", "swap-request", "sample_drawn"),
        ("la_officer", "swap-decide", "sample_drawn"),
        ("la_officer", "access-log", "sample_drawn"),
        ("senco", "follow-up", "follow_up_held"),
        ("senco", "visit-list", "closed"),
    ],
)
def test_audit_visit_pages_have_no_serious_axe_violations(
    e2e_page, e2e_world, live_server, role, page_name, state
):
    page, world = e2e_page, e2e_world
    visit = _seeded(world, state)
    user = world.users[role]
    cookie_login(page, user, live_server)
    if role == "senco_other_school":
        page.goto("/")
        page.locator("#membership-switch").select_option(
            label=f"Audit moderator — {world.school.name}"
        )
        submit(page, "Switch")
    kwargs = {"uuid": visit.uuid}
    if page_name == "home":
        page.goto("/")
    elif page_name == "visit-list":
        page.goto(reverse("audit_visits:visit-list"))
    elif page_name.startswith("file-review"):
        page.goto(
            reverse(
                "audit_visits:file-review",
                kwargs={**kwargs, "pupil_uuid": _first_sampled(visit).uuid},
            )
        )
        if page_name.endswith("errors"):
            page.locator("input[name=reviews_on_file]").fill("99")
            submit(page, "Save findings")
            assert "There is a problem" in page.content()
    elif page_name == "visit-record-errors":
        page.goto(reverse("audit_visits:visit-record", kwargs=kwargs))
        page.locator("input[name=visit_date]").fill("31/2/2027")
        submit(page, "Save visit record")
        assert "There is a problem" in page.content()
    elif page_name == "visit-step-errors":
        page.goto(reverse("audit_visits:visit-step", kwargs={**kwargs, "step": "cancel"}))
        submit(page, "Cancel visit")
        assert "There is a problem" in page.content()
    elif page_name == "swap-request":
        page.goto(
            reverse(
                "audit_visits:swap-request",
                kwargs={**kwargs, "pupil_uuid": _first_sampled(visit).uuid},
            )
        )
    elif page_name == "swap-decide":
        swap = _swap(world, visit)
        page.goto(reverse("audit_visits:swap-decide", kwargs={**kwargs, "swap_uuid": swap.uuid}))
    else:
        page.goto(reverse(f"audit_visits:{page_name}", kwargs=kwargs))
    axe_clean(page)


def test_the_school_adds_a_visit_action_to_its_work_plan(e2e_page, e2e_world, live_server):
    """Issue 11: after the action plan, the SENCO adds the school's action to the draft work plan
    (confirmation page, then once only), with axe on each page."""
    from tests.workplans.support import make_plan

    page, world = e2e_page, e2e_world
    visit = _seeded(world, "action_plan_agreed")
    cookie_login(page, world.users["senco"], live_server)
    # Without a draft work plan the page says why and offers nothing to press.
    page.goto(reverse("audit_visits:action-plan", kwargs={"uuid": visit.uuid}))
    page.locator("#carry-s1 a").click()
    assert "no work plan for" in page.locator("#carry-problem").inner_text()
    assert page.locator("main form").count() == 0
    axe_clean(page)

    plan = make_plan(world, review=False)
    page.goto(reverse("audit_visits:action-plan", kwargs={"uuid": visit.uuid}))
    link = page.locator("#carry-s1 a")
    assert "suggestion 1" in link.inner_text()  # the hidden text names it
    link.click()
    assert "Cost the provision map" in page.locator("#carry-action").inner_text()
    assert "SEN audit visit" in page.content()
    axe_clean(page)
    page.get_by_label("Summer term").check()
    submit(page, "Add to the work plan")
    assert "action added to the work plan" in page.content()
    assert "In the work plan" in page.locator("#carry-s1").inner_text()
    axe_clean(page)
    with scopes_disabled():
        action = plan.actions.get()
        assert action.description == "Cost the provision map" and action.due_term == "summer"
        assert action.area.title.startswith("SEN audit visit ")
