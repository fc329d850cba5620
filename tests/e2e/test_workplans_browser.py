"""The work-plan cycle in Debian's Chromium, by a SENCO and an EP in two browser sessions: start from
the review → meeting record → action → both agree → frozen → re-open with a reason → agree again →
June review → carry forward into next year → PDF downloaded; axe on every page of the way; and
one journey with the keyboard alone."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from tests import factories as f
from tests.e2e.conftest import CHROMIUM_ARGS, cookie_login, focused, tab_to  # noqa: F401
from tests.workplans.support import submitted_review
from workplans.models import PlanStatus, WorkPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BLOCKING = ("serious", "critical")
AXE_CHECKED: list[str] = []


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def axe_clean(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]
    AXE_CHECKED.append(page.url)
    assert bad == [], f"{page.url}: {bad}"


def new_page(context, problems_list):
    page = context.new_page()
    page.on("console", lambda m: problems_list.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems_list.append(str(e)))
    return page


def submit(page, name=None) -> None:
    button = (
        page.get_by_role("button", name=name)
        if name
        else page.locator("main form [type=submit]").last
    )
    with page.expect_navigation():
        button.click()


def plan_of(world, start_year=2026):
    with scopes_disabled():
        return WorkPlan.objects.get(school=world.school, academic_year__start_year=start_year)


def test_senco_and_ep_take_a_plan_through_the_year(
    e2e_browser, e2e_world, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = e2e_world
    submitted_review(world)
    with scopes_disabled():
        f.AcademicYearFactory(la=world.la, start_year=2027, is_current=False)
    problems: list[str] = []
    contexts = []
    pages = {}
    for key in ("senco", "ep"):
        context = e2e_browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        pages[key] = new_page(context, problems)
        cookie_login(pages[key], world.users[key], live_server)
    senco, ep = pages["senco"], pages["ep"]
    try:
        # The SENCO starts the plan from the submitted review.
        senco.goto(reverse("workplans:plan-list", kwargs={"school_uuid": world.school.uuid}))
        axe_clean(senco)
        with senco.expect_navigation():
            senco.get_by_role("link", name="Start a work plan").click()
        axe_clean(senco)
        senco.locator("input[name=self_review]").first.check()
        submit(senco, "Start the work plan")
        expect(senco.locator("h1")).to_have_text("Work plan 2026/27")
        axe_clean(senco)

        # The meeting record: the two prompts, and the first item becomes an area.
        with senco.expect_navigation():
            senco.get_by_role("link", name="Record the meeting").click()
        expect(senco.locator("main")).to_contain_text("How would I know that was happening?")
        expect(senco.locator("main")).to_contain_text(
            "What else could we do to improve by one point?"
        )
        senco.locator("input[name=meeting_date]").fill("2026-10-01")
        first = senco.locator("main fieldset[id^=item-]").first
        first.locator("textarea[name$=how_would_i_know]").fill("Pupil voice and provision maps")
        first.locator("textarea[name$=improve_by_one_point]").fill("Termly reviews with teachers")
        first.locator("input[name$=is_area]").check()
        axe_clean(senco)
        submit(senco, "Save the meeting record")
        expect(senco.locator("main")).to_contain_text("Meeting record saved")

        # An action for the area.
        with senco.expect_navigation():
            senco.get_by_role("link", name=re.compile("^Add an action")).first.click()
        senco.get_by_label("What will be done").fill("Precision teaching training for TAs")
        senco.get_by_label("Systems and procedures").check()
        senco.get_by_label("Educational psychologist", exact=True).check()
        senco.get_by_label("EP time in sessions").fill("3")
        senco.get_by_label("By when: term").select_option("spring")
        senco.get_by_label("Short term").check()
        axe_clean(senco)
        submit(senco, "Save the action")
        expect(senco.locator("main")).to_contain_text("Precision teaching training for TAs")

        # Propose, and the school agrees.
        for link, button in (
            ("Propose for agreement", "Propose the plan"),
            ("Agree the plan", "Agree the plan"),
        ):
            with senco.expect_navigation():
                senco.get_by_role("link", name=link).click()
            axe_clean(senco)
            submit(senco, button)

        # The EP, in their own session, agrees: the plan is frozen.
        plan = plan_of(world)
        ep.goto(reverse("workplans:plan-detail", kwargs={"uuid": plan.uuid}))
        with ep.expect_navigation():
            ep.get_by_role("link", name="Agree the plan").click()
        submit(ep, "Agree the plan")
        expect(ep.locator("main")).to_contain_text("it is now frozen")
        assert plan_of(world).status == PlanStatus.AGREED
        expect(ep.get_by_role("link", name="Record the meeting")).to_have_count(0)

        # Re-open with a reason; the EP proposes again and both agree again.
        with ep.expect_navigation():
            ep.get_by_role("link", name="Re-open to change it").click()
        submit(ep, "Re-open the plan")  # no reason: an error
        expect(ep.locator(".govuk-error-summary")).to_contain_text(
            "Enter why the plan is being re-opened"
        )
        axe_clean(ep)
        ep.get_by_label("Why is it being re-opened?").fill("A new headteacher joined")
        submit(ep, "Re-open the plan")
        for link, button in (
            ("Propose for agreement", "Propose the plan"),
            ("Agree the plan", "Agree the plan"),
        ):
            with ep.expect_navigation():
                ep.get_by_role("link", name=link).click()
            submit(ep, button)
        senco.goto(reverse("workplans:plan-detail", kwargs={"uuid": plan.uuid}))
        with senco.expect_navigation():
            senco.get_by_role("link", name="Agree the plan").click()
        submit(senco, "Agree the plan")
        assert plan_of(world).status == PlanStatus.AGREED

        # June review by the EP.
        ep.goto(reverse("workplans:plan-detail", kwargs={"uuid": plan.uuid}))
        with ep.expect_navigation():
            ep.get_by_role("link", name="Start the June/July review").click()
        submit(ep, "Start the review")
        with ep.expect_navigation():
            ep.get_by_role("link", name="Record the review").click()
        ep.locator("input[name=review_date]").fill("2027-06-20")
        ep.locator("select[name$=-outcome]").first.select_option("partly")
        ep.locator("textarea[name$=impact_evidence]").first.fill("Half the TAs trained")
        ep.locator("input[name$=carry_forward]").first.check()
        ep.locator("select[name$=rating_at_review]").first.select_option("3")
        axe_clean(ep)
        submit(ep, "Save the review")
        expect(ep.locator("main")).to_contain_text("improved by 1 point")
        with ep.expect_navigation():
            ep.get_by_role("link", name="Complete the review").click()
        submit(ep, "Complete the review")
        assert plan_of(world).status == PlanStatus.REVIEWED
        axe_clean(ep)

        # The PDF of the reviewed plan.
        with ep.expect_navigation():
            ep.get_by_role("button", name="Make a PDF of the reviewed plan").click()
        with ep.expect_download() as download_info:
            ep.get_by_role("link", name=re.compile("Download the PDF")).click()
        path = download_info.value.path()
        with open(path, "rb") as pdf:
            assert pdf.read(4) == b"%PDF"

        # The SENCO carries the partly achieved action forward into next year's draft.
        senco.goto(reverse("workplans:plan-detail", kwargs={"uuid": plan.uuid}))
        with senco.expect_navigation():
            senco.get_by_role("link", name="Carry forward into next year").click()
        submit(senco, "Start next year's draft")
        expect(senco.locator("h1")).to_have_text("Work plan 2027/28")
        expect(senco.locator("main")).to_contain_text("Precision teaching training for TAs")
        axe_clean(senco)
        assert problems == []
    finally:
        for context in contexts:
            context.close()


def test_senco_starts_a_plan_and_records_the_meeting_with_the_keyboard_alone(
    e2e_page, e2e_world, live_server
):
    page, world = e2e_page, e2e_world
    submitted_review(world)
    cookie_login(page, world.users["senco"], live_server)
    page.goto(reverse("workplans:plan-list", kwargs={"school_uuid": world.school.uuid}))
    tab_to(page, lambda el: el["text"] == "Start a work plan")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, lambda el: el["name"] == "self_review")
    page.keyboard.press("Space")
    tab_to(page, lambda el: el["text"] == "Start the work plan")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Work plan 2026/27")
    tab_to(page, lambda el: el["text"] == "Record the meeting")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, lambda el: el["name"].endswith("how_would_i_know"), limit=120)
    page.keyboard.type("Seen in learning walks")
    page.keyboard.press("Tab")
    page.keyboard.type("Share consultation notes")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # make it an area for improvement
    tab_to(page, lambda el: el["text"] == "Save the meeting record", limit=120)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Seen in learning walks")
    plan = plan_of(world)
    with scopes_disabled():
        item = plan.items.order_by("position").first()
    assert item.is_area and item.improve_by_one_point == "Share consultation notes"
