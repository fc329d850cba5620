"""Notification banners and keyboard focus (GOV.UK pattern): a success banner never takes focus, so
after signing in the first Tab still reaches the skip link; a banner about a problem does."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest

from tests.e2e.conftest import cookie_login, focused, ui_login

pytestmark = pytest.mark.browser


def test_after_signing_in_the_first_tab_reaches_the_skip_link(e2e_page, e2e_world):
    page = e2e_page
    ui_login(page, e2e_world.users["la_officer"])
    page.wait_for_load_state("load")
    banner = page.locator(".govuk-notification-banner--success")
    assert banner.count() == 1, "signing in shows a success banner"
    assert banner.get_attribute("role") != "alert"
    assert focused(page)["tag"] == "body", f"something took focus: {focused(page)}"

    page.keyboard.press("Tab")
    first = focused(page)
    assert "govuk-skip-link" in first["cls"], f"first Tab stop should be the skip link, was {first}"


def message_cookie(level: int, text: str) -> str:
    """The cookie value Django's cookie message storage would set for one message."""
    storage = CookieStorage(HttpRequest())
    return storage._encode([messages.storage.base.Message(level, text)])


def test_a_banner_about_a_problem_takes_focus(e2e_page, e2e_world, live_server):
    page = e2e_page
    cookie_login(page, e2e_world.users["la_officer"], live_server)
    page.context.add_cookies(
        [
            {
                "name": "messages",
                "value": message_cookie(messages.ERROR, "Something went wrong"),
                "url": live_server.url,
            }
        ]
    )
    page.goto("/schools/")
    page.wait_for_load_state("load")
    banner = page.locator(".app-notification-banner--error")
    if banner.count() == 0:
        pytest.skip("messages are not kept in cookies in this configuration")
    assert "notification-banner" in focused(page)["cls"]
