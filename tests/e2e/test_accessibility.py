"""axe-core in Chromium on every main page (QUALITY.md §24): zero serious or critical violations.

Each case signs in as the role that uses the page, brings the page into the state worth checking
(for forms: with validation errors shown) and runs axe. Figures are collected in AXE_RESULTS and
printed as "axe: P pages, V serious or critical violations" by the terminal summary hook in
tests/e2e/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import NoReverseMatch, reverse

from tests.e2e.conftest import PASSWORD, cookie_login

pytestmark = pytest.mark.browser

AXE_RESULTS = {"pages": 0, "serious_or_critical": 0}
# Every serious or critical violation found: (case id, rule id, impact, target, summary).
AXE_VIOLATIONS: list[tuple[str, str, str, str, str]] = []
BLOCKING = ("serious", "critical")


def summary_line() -> str:
    return f"axe: {AXE_RESULTS['pages']} pages, {AXE_RESULTS['serious_or_critical']} serious or critical violations"


def summary_lines() -> list[str]:
    """The figure and every serious or critical violation, for the terminal summary (tests/e2e/conftest.py)."""
    lines = [summary_line()]
    for case, rule, impact, target, summary in AXE_VIOLATIONS:
        lines.append(f"  {case}: {rule} ({impact}) at {target}: {summary}")
    return lines


def url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        pytest.fail(f"URL name {name!r} does not exist (yet)", pytrace=False)


# --- How to reach each page -------------------------------------------------------------------------


def visit(path_for: Callable[[object], str], status: int = 200):
    def go(page, world):
        response = page.goto(path_for(world))
        assert response is not None and response.status == status, (
            f"{page.url} answered {response.status if response else None}, expected {status}"
        )

    return go


def submit_main_form(page) -> None:
    with page.expect_navigation():
        page.locator("main form [type=submit]").last.click()


def school_edit_with_errors(page, world):
    visit(lambda w: url("schools:school-edit", uuid=w.school.uuid))(page, world)
    # Values the browser lets through (it would block an empty required field: see test_journeys),
    # which the server refuses.
    page.locator("input[name=urn]").fill("12")
    page.locator("input[name=laestab]").fill("9999999")
    submit_main_form(page)
    assert page.locator(".govuk-error-summary").count() == 1, (
        "the form should show an error summary"
    )


def school_create_with_errors(page, world):
    visit(lambda w: url("schools:school-create"))(page, world)
    # A school that already exists: the URN and LAESTAB are taken.
    page.locator("input[name=name]").fill("Second Alderley Primary")
    page.locator("input[name=urn]").fill(world.school.urn)
    page.locator("input[name=laestab]").fill(world.school.laestab)
    page.locator("input[name=phase][value=primary]").check()
    page.locator("input[name=number_on_roll]").fill("100")
    submit_main_form(page)
    assert page.locator(".govuk-error-summary").count() == 1


def school_import_with_errors(page, world):
    visit(lambda w: url("schools:school-import"))(page, world)
    csv = b"urn,laestab,name,phase,number_on_roll\n12,8012999,Broken Row School,primary,-4\n"
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "schools.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    submit_main_form(page)
    assert page.locator(".govuk-error-summary").count() == 1, (
        "a file with a bad row should list the errors"
    )


def school_import_preview(page, world):
    visit(lambda w: url("schools:school-import"))(page, world)
    csv = (
        b"urn,laestab,name,phase,number_on_roll\n801555,8012555,Preview Park Primary,primary,120\n"
    )
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "schools.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    submit_main_form(page)
    assert "Preview Park Primary" in page.locator("main").inner_text()


def school_close_with_errors(page, world):
    visit(lambda w: url("schools:school-close", uuid=w.school.uuid))(page, world)
    page.locator("main input[type=text]").first.fill("not a date")
    submit_main_form(page)
    assert page.locator(".govuk-error-summary").count() == 1


def login_with_errors(page, world):
    visit(lambda w: url("account_login"))(page, world)
    page.locator("input[name=login]").fill(world.users["senco"].email)
    page.locator("input[name=password]").fill("not-the-right-password")
    submit_main_form(page)
    assert page.locator(".govuk-error-summary, .govuk-error-message").count() >= 1


def password_step(page, world):
    visit(lambda w: url("account_login"))(page, world)
    page.locator("input[name=login]").fill(world.users["senco"].email)
    page.locator("input[name=password]").fill(PASSWORD)
    submit_main_form(page)
    assert "/accounts/2fa/authenticate/" in page.url


def mfa_code_page(page, world):
    password_step(page, world)


def mfa_code_page_with_errors(page, world):
    password_step(page, world)
    code = page.locator("input[name=code]")
    code.fill("000000")
    with page.expect_navigation():
        code.press("Enter")  # the page's last button may be "Cancel"
    assert "/accounts/2fa/authenticate/" in page.url


def mfa_activate(page, world):
    """A user without an authenticator: home → password re-authentication → the TOTP set-up page."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=world.users["senco"]).delete()
    response = page.goto(url("home"))
    assert response is not None and response.status == 200, (
        f"{page.url} answered {response and response.status}"
    )
    if "/accounts/reauthenticate/" in page.url:
        page.locator("input[name=password]").fill(PASSWORD)
        submit_main_form(page)
    assert "/accounts/2fa/totp/activate/" in page.url, (
        f"expected the TOTP set-up page, got {page.url}"
    )


def school_list_search(page, world):
    visit(lambda w: url("schools:school-list") + "?q=Canary&phase=primary")(page, world)


@dataclass(frozen=True)
class Case:
    id: str
    role: str  # member of the cast, or "anonymous"
    go: Callable


def _some_denials(world):
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from sendreview.models import AccessLogEntry

    with scopes_disabled():
        for la, outcome in ((world.la, "forbidden"), (world.la_other, "not_found")):
            AccessLogEntry.objects.create(
                at=timezone.now(),
                user=world.users["senco"],
                role="senco",
                la=la,
                object_type="schools.School",
                object_uuid=world.school.uuid,
                action="request",
                outcome=outcome,
                view_name="schools:school-detail",
            )


def access_log_with_entries(page, world):
    _some_denials(world)
    visit(lambda w: url("access-log"))(page, world)
    assert page.locator("main table").count() == 1


def access_denials_with_entries(page, world):
    _some_denials(world)
    visit(lambda w: url("access-denials"))(page, world)
    assert page.locator("main table").count() == 1


CASES = [
    # Anyone
    Case("login", "anonymous", visit(lambda w: url("account_login"))),
    Case("login-errors", "anonymous", login_with_errors),
    Case("password-reset", "anonymous", visit(lambda w: url("account_reset_password"))),
    Case("mfa-code", "anonymous", mfa_code_page),
    Case("mfa-code-errors", "anonymous", mfa_code_page_with_errors),
    Case("accessibility", "anonymous", visit(lambda w: url("accessibility"))),
    Case("privacy", "anonymous", visit(lambda w: url("privacy"))),
    Case("404-anonymous", "anonymous", visit(lambda w: "/no-such-page/", status=404)),
    # School staff and visitors
    Case("home-senco", "senco", visit(lambda w: url("home"))),
    Case("home-headteacher", "headteacher", visit(lambda w: url("home"))),
    Case("home-governor", "governor", visit(lambda w: url("home"))),
    Case("home-moderator", "moderator", visit(lambda w: url("home"))),
    Case(
        "school-detail-senco",
        "senco",
        visit(lambda w: url("schools:school-detail", uuid=w.school.uuid)),
    ),
    Case("403-senco", "senco", visit(lambda w: url("schools:school-list"), status=403)),
    Case("no-access", "moderator_expired", visit(lambda w: url("home"), status=403)),
    Case("mfa-index-senco", "senco", visit(lambda w: url("mfa_index"))),
    Case("mfa-activate", "senco", mfa_activate),
    # Educational psychologist
    Case("home-ep", "ep", visit(lambda w: url("home"))),
    Case("school-list-ep", "ep", visit(lambda w: url("schools:school-list"))),
    # LA officer
    Case("school-list", "la_officer", visit(lambda w: url("schools:school-list"))),
    Case("school-list-search", "la_officer", school_list_search),
    Case(
        "school-detail",
        "la_officer",
        visit(lambda w: url("schools:school-detail", uuid=w.school.uuid)),
    ),
    Case("404-signed-in", "la_officer", visit(lambda w: "/no-such-page/", status=404)),
    # LA administrator
    Case("school-list-admin", "la_admin", visit(lambda w: url("schools:school-list"))),
    Case(
        "school-detail-admin",
        "la_admin",
        visit(lambda w: url("schools:school-detail", uuid=w.school.uuid)),
    ),
    Case("school-edit-errors", "la_admin", school_edit_with_errors),
    Case("school-create-errors", "la_admin", school_create_with_errors),
    Case("school-close-errors", "la_admin", school_close_with_errors),
    Case(
        "school-history",
        "la_admin",
        visit(lambda w: url("schools:school-history", uuid=w.school.uuid)),
    ),
    Case("school-import", "la_admin", visit(lambda w: url("schools:school-import"))),
    Case("school-import-errors", "la_admin", school_import_with_errors),
    Case("school-import-preview", "la_admin", school_import_preview),
    Case("users", "la_admin", visit(lambda w: url("schools:user-list"))),
    Case("ep-assignments", "la_admin", visit(lambda w: url("schools:ep-assignment-list"))),
    Case("years", "la_admin", visit(lambda w: url("schools:year-list"))),
    Case("la-settings", "la_admin", visit(lambda w: url("schools:la-settings"))),
    Case("la-history", "la_admin", visit(lambda w: url("schools:la-history"))),
    Case("user-invite", "la_admin", visit(lambda w: url("schools:user-invite"))),
    Case("ep-assignment-create", "la_admin", visit(lambda w: url("schools:ep-assignment-create"))),
    Case("year-create", "la_admin", visit(lambda w: url("schools:year-create"))),
    Case("access-log", "la_admin", access_log_with_entries),
    Case(
        "access-log-filter-errors",
        "la_admin",
        visit(lambda w: url("access-log") + "?object_uuid=nonsense&email=nope"),
    ),
    Case("report-list-senco", "senco", visit(lambda w: url("reports:report-list"))),
    # Platform administrator
    Case("la-list", "platform_admin", visit(lambda w: url("schools:la-list"))),
    Case("la-create", "platform_admin", visit(lambda w: url("schools:la-create"))),
    Case("access-denials", "platform_admin", access_denials_with_entries),
]


def blocking_violations(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_page_has_no_serious_or_critical_axe_violations(e2e_page, e2e_world, live_server, case):
    page = e2e_page
    if case.role != "anonymous":
        cookie_login(page, e2e_world.users[case.role], live_server)
    case.go(page, e2e_world)
    page.wait_for_load_state("load")

    violations = blocking_violations(page)
    AXE_RESULTS["pages"] += 1
    AXE_RESULTS["serious_or_critical"] += len(violations)
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node.get("target", []))
            AXE_VIOLATIONS.append(
                (case.id, violation["id"], violation["impact"], target, violation["help"])
            )
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
                f"    at {target}\n    {node.get('html', '')[:300]}\n    {node.get('failureSummary', '')}"
            )
    assert not violations, f"{case.id} ({page.url}):\n" + "\n".join(lines)
