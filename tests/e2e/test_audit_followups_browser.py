"""The SEN audit return's follow-ups in Debian's Chromium, with axe on every new page: the LA asks
for the head's confirmation, the head confirms before the LA accepts; the school's analysis shows
the trend charts with their tables; a SENCO carries an action into the draft work plan."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled

from audits.models import AnalysisAction, CarriedAction
from tests.audits.support import fill_valid, start
from tests.audits.test_followup import _actions
from tests.e2e.conftest import cookie_login
from tests.e2e.test_audits_browser import blocking_violations, expect
from tests.workplans.support import make_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, live_server, user):
    page = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    cookie_login(page, user, live_server)
    return page


def test_browser_head_confirms_before_the_la_accepts(e2e_browser, live_server, e2e_world):
    world = e2e_world
    r = fill_valid(world, start(world))

    admin = _page(e2e_browser, live_server, world.users["la_admin"])
    admin.goto("/sen-audit/collection/")
    admin.get_by_role("link", name="Whether the headteacher confirms each return").click()
    assert blocking_violations(admin) == []
    admin.get_by_label(re.compile("headteacher confirms each return")).check()
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("SEN audit return settings saved")).to_be_visible()

    senco = _page(e2e_browser, live_server, world.users["senco"])
    senco.goto(f"/sen-audit/returns/{r.uuid}/")
    senco.get_by_role("link", name="Submit to the LA").click()
    senco.get_by_role("button", name=re.compile("Submit the return")).click()
    expect(senco.locator("#awaiting-head")).to_be_visible()

    officer = _page(e2e_browser, live_server, world.users["la_officer"])
    officer.goto(f"/sen-audit/returns/{r.uuid}/")
    expect(officer.locator("#awaiting-head")).to_be_visible()
    expect(officer.get_by_role("link", name="Accept the return")).to_have_count(0)
    assert blocking_violations(officer) == []

    head = _page(e2e_browser, live_server, world.users["headteacher"])
    head.goto(f"/sen-audit/returns/{r.uuid}/")
    head.get_by_role("link", name="Confirm the return as headteacher").click()
    assert blocking_violations(head) == []
    head.get_by_role("button", name="Confirm the return as headteacher").click()
    expect(head.get_by_text("Return confirmed")).to_be_visible()
    expect(head.locator("#timeline")).to_contain_text("Confirmed by the headteacher")
    expect(head.locator("#head-confirmation")).to_contain_text("Confirmed")
    assert blocking_violations(head) == []

    officer.reload()
    officer.get_by_role("link", name="Accept the return").click()
    officer.get_by_role("button", name="Accept the return").click()
    expect(officer.locator("#return-status")).to_have_text("Accepted")


def test_browser_trend_charts_and_carrying_an_action(e2e_browser, live_server, e2e_world):
    world = e2e_world
    plan = make_plan(world, review=False)
    r = fill_valid(world, start(world))
    _actions(
        world, r,
        ("A1", "Plan training in emotional regulation", AnalysisAction.Triage.IMPROVEMENT_PLAN),
        ("D", "Watch the reading gap", AnalysisAction.Triage.MONITOR),
    )  # fmt: skip

    senco = _page(e2e_browser, live_server, world.users["senco"])
    senco.goto(f"/sen-audit/returns/{r.uuid}/analysis/")
    for key in ("levels", "needs", "share"):
        figure = senco.locator(f"#trend-{key}")
        expect(figure.locator("img")).to_have_attribute("alt", re.compile("table below"))
        expect(figure.locator("table caption")).to_be_visible()
    assert blocking_violations(senco) == []

    link = senco.locator("#carry-A1 a")
    expect(link).to_contain_text("Plan training in emotional regulation")  # hidden text names it
    link.click()
    expect(senco.get_by_role("heading", name="Add an action to the work plan")).to_be_visible()
    assert blocking_violations(senco) == []
    senco.get_by_role("button", name="Add to the work plan").click()
    expect(senco.locator(".govuk-error-summary")).to_contain_text("Choose by when")
    assert blocking_violations(senco) == []
    senco.get_by_label("Spring term").check()
    senco.get_by_role("button", name="Add to the work plan").click()
    expect(senco.get_by_text("Action added to the work plan")).to_be_visible()
    expect(senco.locator("#carry-A1")).to_contain_text("In the work plan")
    with scopes_disabled():
        assert CarriedAction.objects.count() == 1
        assert plan.actions.get().description == "Plan training in emotional regulation"


def test_browser_grid_cell_autosaves_when_left(e2e_browser, live_server, e2e_world):
    world = e2e_world
    r = fill_valid(world, start(world))
    senco = _page(e2e_browser, live_server, world.users["senco"])
    errors: list[str] = []
    senco.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    senco.goto(f"/sen-audit/returns/{r.uuid}/sections/D/")

    def leave(cell_id: str, value: str) -> None:
        """Type into a cell and leave it; wait for that cell's own save (the status line may still
        show the previous save's "Saved at" while this one is in flight)."""
        cell = senco.locator(f"#{cell_id}")
        cell.fill(value)
        with senco.expect_response(
            lambda r: r.url.endswith("/autosave/") and r.request.method == "POST"
        ) as saved:
            cell.press("Tab")
        assert saved.value.ok and "Saved at" in saved.value.text(), saved.value.text()
        expect(senco.locator("#autosave-status")).to_contain_text("Saved at")

    leave("K_TO_E-count", "2")  # leaving the cell saves it
    assert blocking_violations(senco) == []
    leave("E_OFF-count", "1")  # a second save uses the version the first returned
    senco.reload()
    expect(senco.locator("#K_TO_E-count")).to_have_value("2")
    expect(senco.locator("#E_OFF-count")).to_have_value("1")
    assert errors == []  # no script error or CSP refusal on the way
