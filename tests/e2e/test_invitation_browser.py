"""The invitation end to end in a real browser: an LA administrator invites a SENCO, who follows the
e-mailed link, chooses a password, signs in, sets up the authenticator app and lands on their school.
"""

from __future__ import annotations

import re

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.urls import reverse

from tests.e2e.conftest import PASSWORD, cookie_login

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-long-new-passphrase-42"
BLOCKING = ("serious", "critical")


def assert_no_blocking_axe_violations(page) -> None:
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in BLOCKING
    ]
    assert not violations, f"{page.url}: {violations}"


def test_la_admin_invites_a_senco_who_signs_in_with_mfa_and_reaches_their_school(
    e2e_browser, e2e_page, e2e_world, live_server
):
    page = e2e_page
    school = e2e_world.school
    cookie_login(page, e2e_world.users["la_admin"], live_server)

    # The administrator fills in the invitation: every field the form has is on the page.
    page.goto(reverse("schools:user-invite"))
    assert_no_blocking_axe_violations(page)
    page.get_by_label("Full name").fill("Robin Newcomer")
    page.get_by_label("Email address").fill("robin.newcomer@example.org")
    page.get_by_label("SENCO", exact=True).check()
    page.get_by_label("School").select_option(label=school.name)
    with page.expect_navigation():
        page.get_by_role("button", name="Send invitation").click()
    assert page.locator(".govuk-error-summary").count() == 0, page.locator("main").inner_text()
    assert "robin.newcomer@example.org" in page.content()

    # The invitation e-mail carries the set-password link.
    sent = [m for m in mail.outbox if "robin.newcomer@example.org" in m.to]
    assert len(sent) == 1
    link = re.search(r"https?://[^\s]+/accounts/invitation/[^\s]+/", sent[0].body)
    assert link, sent[0].body
    path = re.sub(r"^https?://[^/]+", "", link.group(0))

    # The new person, in a browser of their own.
    context = e2e_browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    newcomer = context.new_page()
    try:
        newcomer.goto(path)
        assert_no_blocking_axe_violations(newcomer)
        newcomer.locator("input[name=new_password1]").fill(NEW_PASSWORD)
        newcomer.locator("input[name=new_password2]").fill(NEW_PASSWORD)
        with newcomer.expect_navigation():
            newcomer.get_by_role("button", name="Set password").click()
        assert "/accounts/login/" in newcomer.url

        newcomer.get_by_label(re.compile(r"e-?mail", re.I)).fill("robin.newcomer@example.org")
        newcomer.get_by_label(re.compile(r"^\s*password\s*$", re.I)).fill(NEW_PASSWORD)
        with newcomer.expect_navigation():
            newcomer.get_by_label(re.compile(r"^\s*password\s*$", re.I)).press("Enter")

        # allauth may ask for the password again before an authenticator is added.
        if "/accounts/reauthenticate/" in newcomer.url:
            newcomer.locator("input[name=password]").fill(NEW_PASSWORD)
            with newcomer.expect_navigation():
                newcomer.locator("input[name=password]").press("Enter")
        newcomer.wait_for_url("**/accounts/2fa/totp/activate/**")
        assert_no_blocking_axe_violations(newcomer)
        secret = newcomer.locator("#authenticator-secret").inner_text().strip()
        newcomer.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
        with newcomer.expect_navigation():
            newcomer.get_by_role("button", name="Continue").click()

        # Home for a SENCO is their school.
        if "/accounts/" in newcomer.url:  # recovery codes or a confirmation page on the way
            newcomer.goto("/")
        assert "/accounts/" not in newcomer.url, newcomer.url
        assert school.name in newcomer.locator("main").inner_text()
        assert "Robin Newcomer" in newcomer.locator("header").inner_text()
        assert e2e_world.school_other.name not in newcomer.content()
        assert_no_blocking_axe_violations(newcomer)
    finally:
        context.close()
    assert PASSWORD != NEW_PASSWORD
