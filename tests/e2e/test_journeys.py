"""Journeys in a real browser: every role signs in through the pages and sees only its navigation;
an LA officer and an LA administrator get through their journeys with the keyboard alone (QUALITY §24).
"""

from __future__ import annotations

import pyotp
import pytest
from django_scopes import scopes_disabled

from schools.models import School
from tests.conftest import TOTP_SECRET
from tests.e2e.conftest import PASSWORD, cookie_login, focused, tab_to, ui_login

pytestmark = pytest.mark.browser

# The service navigation each role must see, in order, and nothing else.
NAVIGATION = {
    "senco": ["Home", "Self-reviews", "Work plan", "Reports", "SEN audit", "Audit visits"],
    "headteacher": ["Home", "Self-reviews", "Work plan", "Reports", "SEN audit", "Audit visits"],
    "governor": ["Home", "Self-reviews", "Work plan", "Reports", "SEN audit", "Audit visits"],
    "moderator": ["Home", "Audit visits"],
    "ep": ["Home", "Schools", "Caseload", "Reports", "SEN audit"],
    "la_officer": [
        "Home",
        "Schools",
        "EP time",
        "Reports",
        "SEN audit",
        "Audit visits",
        "Dashboards",
        "Frameworks",
    ],
    "la_admin": [
        "Home",
        "Schools",
        "EP time",
        "Reports",
        "SEN audit",
        "Audit visits",
        "Dashboards",
        "Users",
        "EP assignments",
        "Academic years",
        "LA settings",
        "Access log",
        "Frameworks",
    ],
    "platform_admin": ["Home", "Local authorities", "Denied requests", "Frameworks"],
}
ROLES = list(NAVIGATION)


def navigation_labels(page) -> list[str]:
    return [t.strip() for t in page.locator(".govuk-service-navigation__link").all_inner_texts()]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_and_sees_only_its_navigation(e2e_page, e2e_world, role):
    page = e2e_page
    response_codes = []
    page.on(
        "response",
        lambda r: (
            response_codes.append((r.status, r.url)) if r.request.is_navigation_request() else None
        ),
    )
    ui_login(page, e2e_world.users[role])

    assert all(status < 500 for status, _ in response_codes), response_codes
    h1 = page.locator("h1")
    assert h1.count() == 1, "a page has exactly one h1"
    assert h1.inner_text().strip()
    assert navigation_labels(page) == NAVIGATION[role]
    # The signed-in person is named, with the role they act in.
    assert e2e_world.users[role].full_name in page.locator("header").inner_text()
    # Nobody sees another LA's name on their home page.
    if role != "platform_admin":
        assert e2e_world.la_other.name not in page.content()


def test_senco_sees_no_users_link_and_la_admin_does(e2e_page, e2e_world, live_server):
    page = e2e_page
    cookie_login(page, e2e_world.users["senco"], live_server)
    page.goto("/")
    assert page.get_by_role("link", name="Users", exact=True).count() == 0
    page.context.clear_cookies()
    cookie_login(page, e2e_world.users["la_admin"], live_server)
    page.goto("/")
    assert page.get_by_role("link", name="Users", exact=True).count() == 1


def test_la_officer_reaches_the_schools_list_with_the_keyboard_alone(e2e_page, e2e_world):
    page = e2e_page
    officer = e2e_world.users["la_officer"]
    page.goto("/accounts/login/")

    # The first Tab lands on the skip link, and following it puts focus on the main content.
    page.keyboard.press("Tab")
    first = focused(page)
    assert "govuk-skip-link" in first["cls"], f"first Tab stop should be the skip link, was {first}"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main-content", "the skip link should move focus to <main>"

    tab_to(page, lambda f: f["name"] == "login")
    page.keyboard.type(officer.email)
    tab_to(page, lambda f: f["name"] == "password", limit=3)
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/2fa/authenticate/" in page.url

    if focused(page)["name"] != "code":
        tab_to(page, lambda f: f["name"] == "code")
    page.keyboard.type(pyotp.TOTP(TOTP_SECRET).now())
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/schools/")
    assert page.locator("h1").inner_text().strip() == "Schools"

    # On into a school, still with the keyboard.
    school = e2e_world.school.name
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == school)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert school in page.locator("h1").inner_text()


def test_la_admin_adds_a_school_with_the_keyboard_alone(e2e_page, e2e_world, live_server):
    page = e2e_page
    cookie_login(page, e2e_world.users["la_admin"], live_server)
    page.goto("/schools/")

    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Add a school")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/schools/new/")

    tab_to(page, lambda f: f["name"] == "name")
    page.keyboard.type("Keyboard Lane Primary")
    tab_to(page, lambda f: f["name"] == "urn", limit=3)
    page.keyboard.type("801777")
    tab_to(page, lambda f: f["name"] == "laestab", limit=3)
    page.keyboard.type("8012777")
    assert page.locator("input[name=phase][value='']").count() == 0, (
        "the phase radios offer a blank '---------' option"
    )
    tab_to(page, lambda f: f["name"] == "phase", limit=3)
    # In a radio group the arrow keys move and select: from the first option (Nursery) to Primary.
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    assert (
        page.evaluate("() => document.querySelector('input[name=phase]:checked')?.value")
        == "primary"
    )
    tab_to(page, lambda f: f["name"] == "number_on_roll", limit=3)
    page.keyboard.type("210")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    banner = page.locator(".govuk-notification-banner--success")
    assert banner.count() == 1, f"no success banner at {page.url}"
    assert "Keyboard Lane Primary added" in banner.inner_text()
    with scopes_disabled():
        school = School.objects.get(urn="801777")
    assert school.la_id == e2e_world.la.pk
    assert school.phase == "primary"
    assert school.number_on_roll == 210


FORM_PAGES = [
    ("la_admin", "schools:school-create", None),
    ("la_admin", "schools:school-edit", "school"),
    ("la_admin", "schools:school-close", "school"),
    ("la_admin", "schools:user-invite", None),
    ("la_admin", "schools:year-create", None),
    ("platform_admin", "schools:la-create", None),
]


@pytest.mark.parametrize(("who", "url_name", "school"), FORM_PAGES)
def test_forms_leave_validation_to_the_server(
    e2e_page, e2e_world, live_server, who, url_name, school
):
    """GOV.UK pattern: `novalidate`, so errors come back as an error summary linked to the fields
    rather than as the browser's own bubbles (which block submission and are not announced well)."""
    from django.urls import reverse

    page = e2e_page
    cookie_login(page, e2e_world.users[who], live_server)
    kwargs = {"uuid": getattr(e2e_world, school).uuid} if school else None
    page.goto(reverse(url_name, kwargs=kwargs))
    forms = page.locator("main form[method=post], main form[method=POST]")
    assert forms.count() >= 1
    for n in range(forms.count()):
        assert forms.nth(n).get_attribute("novalidate") is not None, (
            f"form {n} on {page.url} lacks novalidate"
        )


SCRIPTED_PAGES = [
    ("anonymous", "/accounts/login/"),
    ("anonymous", "/accessibility/"),
    ("la_officer", "/schools/"),
    ("senco", "/"),
]


@pytest.mark.parametrize(("who", "path"), SCRIPTED_PAGES)
def test_pages_run_without_script_errors_or_csp_refusals(
    e2e_page, e2e_world, live_server, who, path
):
    page = e2e_page
    if who != "anonymous":
        cookie_login(page, e2e_world.users[who], live_server)
    page.goto(path)
    page.wait_for_load_state("load")
    # GOV.UK Frontend initialised (app.js adds this class), so its scripts ran under the CSP.
    assert "govuk-frontend-supported" in page.locator("body").get_attribute("class")
    assert page.problems.messages == []
