"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Browsers cannot be downloaded here, so pytest-playwright's own browser fixtures are not used (they
would look for a downloaded browser); the fixtures below launch /usr/bin/chromium (or $CHROMIUM_PATH).
Without Chromium the tests are skipped, unless SENDREVIEW_REQUIRE_BROWSER=1 makes that a failure.

Fixture names avoid pytest-playwright's (`browser`, `page`, ...): that plugin parametrizes any test
requesting one of those names by browser.
"""

from __future__ import annotations

import os
import re
import shutil
import sys

# Playwright's sync API runs an event loop in the test thread; Django would then refuse ORM calls
# made by the tests themselves (setting up data) unless told it is safe. Set before Playwright starts.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pyotp
import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from tests.conftest import TOTP_SECRET, build_world

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    wanted = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    found = (
        wanted
        if os.path.isfile(wanted) and os.access(wanted, os.X_OK)
        else shutil.which("chromium")
    )
    return found


def _unavailable(reason: str):
    if os.environ.get("SENDREVIEW_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SENDREVIEW_REQUIRE_BROWSER=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def e2e_browser():
    path = chromium_path()
    if path is None:
        _unavailable(
            "Chromium not found: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        _unavailable("the playwright package is not installed")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, headless=True
        )
    except Exception as error:
        playwright.stop()
        _unavailable(f"Chromium at {path} did not start: {error}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def e2e_world(live_server):
    """The shared cast of tests.conftest, built in the live server's (transactional) database."""
    # allauth remembers used TOTP codes in the cache by user id, and ids repeat between tests.
    cache.clear()
    return build_world()


class PageProblems:
    """Script errors and CSP refusals a page reported in the browser console."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def record_console(self, message) -> None:
        if message.type == "error":
            self.messages.append(f"{message.text} ({message.location.get('url', '')})")

    def record_error(self, error) -> None:
        self.messages.append(f"uncaught: {error}")


@pytest.fixture
def e2e_context(e2e_browser, live_server):
    context = e2e_browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def e2e_page(e2e_context):
    page = e2e_context.new_page()
    problems = PageProblems()
    page.on("console", problems.record_console)
    page.on("pageerror", problems.record_error)
    page.problems = problems
    return page


# --- Signing in ---------------------------------------------------------------------------------------


def ui_login(page, user) -> None:
    """Sign in the way a person does: e-mail and password, then the code from the authenticator app."""
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"e-?mail", re.I)).fill(user.email)
    page.get_by_label(re.compile(r"^\s*password\s*$", re.I)).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_label(re.compile(r"^\s*password\s*$", re.I)).press("Enter")
    assert "/accounts/2fa/authenticate/" in page.url, f"expected the code page, got {page.url}"
    code = page.locator("input[name=code]")
    code.fill(pyotp.TOTP(TOTP_SECRET).now())
    with page.expect_navigation():
        code.press("Enter")
    assert "/accounts/" not in page.url, f"sign-in did not complete: still at {page.url}"


def cookie_login(page, user, live_server) -> None:
    """A quicker sign-in for pages that are not about signing in: a server-side session as a cookie."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )


def focused(page) -> dict:
    """What has keyboard focus now."""
    return page.evaluate(
        """() => { const e = document.activeElement; return {
            tag: e.tagName.toLowerCase(), id: e.id || '', name: e.getAttribute('name') || '',
            type: e.getAttribute('type') || '', text: (e.innerText || e.value || '').trim(),
            cls: e.className || '', href: e.getAttribute('href') || '' }; }"""
    )


def tab_to(page, matches, *, limit: int = 60, shift: bool = False) -> dict:
    """Press Tab until the focused element satisfies `matches(focused)`; fail after `limit` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        now = focused(page)
        if matches(now):
            return now
        seen.append(f"{now['tag']}#{now['id'] or now['name'] or now['text'][:30]}")
    pytest.fail(f"never reached the element with the keyboard; focus went through: {seen}")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the accessibility figure (QUALITY.md §24) when the axe tests ran."""
    axe = sys.modules.get("tests.e2e.test_accessibility")
    if axe is not None and axe.AXE_RESULTS["pages"]:
        for line in axe.summary_lines():
            terminalreporter.write_line(line)
