"""The review form in Debian's Chromium: htmx autosave with a live "Saved" status, the conflict reply
of a stale save, no CSP or script errors, and axe-core clean review pages (QUALITY.md §12, §24)."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from frameworks import services
from frameworks.loader import load_all
from frameworks.models import FrameworkVersion, Response
from tests.e2e.conftest import cookie_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BLOCKING = ("serious", "critical")


def expect(locator):
    # Locator assertions poll without evaluating strings (the page's CSP forbids eval).
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def make_review(world, code="send-key-statements", *, submitted=False, selected=False):
    with scopes_disabled():
        if not FrameworkVersion.objects.filter(framework__code=code).exists():
            load_all()
        review = services.review_start(
            school=world.school,
            framework_version=FrameworkVersion.objects.get(framework__code=code),
            academic_year=world.year,
            user=world.users["senco"],
        )
        first = (
            Response.objects.select_related("item", "review")
            .filter(review=review)
            .order_by("item__section__position", "item__position")
            .first()
        )
        services.response_save(
            response=first,
            expected_version=1,
            user=world.users["senco"],
            current_rating=first.review.framework_version.rating_scale.values()[0],
            evidence="Tracking data",
            selected_for_discussion=selected,
        )
        if submitted:
            review = services.review_submit(review=review, user=world.users["senco"])
    return review


def settle(page):
    """Let queued autosaves finish before the test thread touches the database: the live server's
    SQLite test database (shared-cache memory) locks whole tables and does not wait for them."""
    page.wait_for_timeout(1200)


def stored(review, code):
    with scopes_disabled():
        return Response.objects.get(review=review, item__code=code)


def test_autosave_says_saved_and_a_stale_save_offers_both_versions(
    e2e_page, e2e_world, live_server
):
    page, world = e2e_page, e2e_world
    review = make_review(world)
    cookie_login(page, world.users["senco"], live_server)
    page.goto(
        reverse("frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": "KS-OUT"})
    )

    item = page.locator("#item-KS-OUT-2")
    item.get_by_label("6", exact=True).first.check()
    status = page.locator("#status-KS-OUT-2")
    assert status.get_attribute("aria-live") == "polite"
    expect(status).to_contain_text("Saved at")
    settle(page)
    assert stored(review, "KS-OUT-2").current_rating == 6

    page.locator("#id_KS-OUT-2-evidence").fill("Typed in the browser")
    expect(page.locator("#id_KS-OUT-2-lock_version")).to_have_value("3")
    settle(page)
    assert stored(review, "KS-OUT-2").evidence == "Typed in the browser"

    # Someone else saves the same statement; this page still holds version 3.
    with scopes_disabled():
        other = Response.objects.select_related("item", "review").get(
            review=review, item__code="KS-OUT-2"
        )
        services.response_save(
            response=other,
            expected_version=3,
            user=world.users["headteacher"],
            evidence="The headteacher's words",
        )
    page.locator("#id_KS-OUT-2-evidence").fill("My newer words")
    expect(status).to_contain_text("Not saved")
    settle(page)
    assert stored(review, "KS-OUT-2").evidence == "The headteacher's words"
    # Leaving the textarea fires `change`, one more (refused) save; let it finish, then follow the link.
    page.locator("#id_KS-OUT-2-evidence").blur()
    settle(page)
    page.goto(status.get_by_role("link").get_attribute("href"))
    body = page.content()
    assert "My newer words" in body and "The headteacher" in body
    # The browser logs every 409 it receives; anything else (a CSP refusal, a script error) is a fault.
    assert [m for m in page.problems.messages if "status of 409" not in m] == []


def blocking_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}) at {' '.join(str(t) for n in v['nodes'] for t in n.get('target', []))}"
        for v in results.response["violations"]
        if v.get("impact") in BLOCKING
    ]


@pytest.mark.parametrize(
    ("role", "page_name", "state"),
    [
        ("senco", "review-detail", "draft"),
        ("senco", "review-section", "draft"),
        ("senco", "review-section-errors", "draft"),
        ("governor", "review-section", "draft"),
        ("senco", "review-profile", "draft"),
        ("senco", "review-history", "draft"),
        ("senco", "review-submit", "draft"),
        ("senco", "review-judgement", "draft"),
        ("ep", "review-discussion", "submitted"),
        ("senco", "review-reopen", "submitted"),
        ("senco", "review-list", "draft"),
        ("senco", "review-start", "draft"),
        ("senco", "review-compare", "draft"),
    ],
)
def test_review_pages_have_no_serious_axe_violations(
    e2e_page, e2e_world, live_server, role, page_name, state
):
    page, world = e2e_page, e2e_world
    review = make_review(world, submitted=state == "submitted", selected=True)
    cookie_login(page, world.users[role], live_server)
    if page_name in ("review-list", "review-start", "review-compare"):
        page.goto(reverse(f"frameworks:{page_name}", kwargs={"school_uuid": world.school.uuid}))
    elif page_name.startswith("review-section"):
        page.goto(
            reverse(
                "frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": "KS-OUT"}
            )
        )
        if page_name.endswith("errors"):
            page.locator("#id_KS-OUT-3-evidence").evaluate("e => e.value = 'x'.repeat(5001)")
            page.evaluate(
                "document.querySelectorAll('[hx-post]').forEach(e => e.removeAttribute('hx-post'))"
            )
            with page.expect_navigation():
                page.get_by_role("button", name=re.compile("Save and return")).click()
            assert "There is a problem" in page.content()
    else:
        page.goto(reverse(f"frameworks:{page_name}", kwargs={"uuid": review.uuid}))
    page.wait_for_load_state("load")
    assert blocking_violations(page) == []
    assert page.problems.messages == []


def test_typing_then_reloading_at_once_loses_nothing(e2e_page, e2e_world, live_server):
    """Issue 7, point 10: the text typed is sent when the page is left (keepalive), before the
    0.8 s pause that would otherwise send it; the page offers no "without saving" way out."""
    page, world = e2e_page, e2e_world
    review = make_review(world)
    cookie_login(page, world.users["senco"], live_server)
    url = reverse(
        "frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": "KS-OUT"}
    )
    page.goto(url)
    assert "without saving" not in page.content()

    page.locator("#id_KS-OUT-2-evidence").press_sequentially("Typed then reloaded", delay=5)

    def later(route):
        # The test database (SQLite in shared memory) cannot serve the reloaded page while the
        # save sent on leaving writes; a real database can. Let the save go first.
        time.sleep(1.0)
        route.continue_()

    page.route(re.compile(r".*/sections/KS-OUT/$"), later)
    page.reload()
    page.unroute(re.compile(r".*/sections/KS-OUT/$"))
    settle(page)
    saved = stored(review, "KS-OUT-2")
    assert saved.evidence == "Typed then reloaded"
    assert saved.current_rating is None  # only what was typed was sent
    page.goto(url)
    expect(page.locator("#id_KS-OUT-2-evidence")).to_have_value("Typed then reloaded")
    assert page.problems.messages == []


def test_saving_shows_while_a_save_is_in_flight_and_only_a_failed_save_warns(
    e2e_page, e2e_world, live_server
):
    page, world = e2e_page, e2e_world
    review = make_review(world)
    cookie_login(page, world.users["senco"], live_server)
    page.goto(
        reverse("frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": "KS-OUT"})
    )
    held = []
    page.route("**/items/KS-OUT-3/autosave/", lambda route: held.append(route))
    page.locator("#item-KS-OUT-3").get_by_label("5", exact=True).first.check()
    status = page.locator("#status-KS-OUT-3")
    expect(status).to_have_text("Saving…")
    page.wait_for_timeout(200)
    assert held, "no save was sent"
    held[0].continue_()
    page.unroute("**/items/KS-OUT-3/autosave/")
    expect(status).to_contain_text("Saved at")
    settle(page)
    assert stored(review, "KS-OUT-3").current_rating == 5

    # A refused save (here: the connection drops) is the only thing that makes leaving warn.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.route("**/items/KS-OUT-3/autosave/", lambda route: route.abort())
    page.locator("#item-KS-OUT-3").get_by_label("4", exact=True).first.check()
    expect(status).to_contain_text("Not saved")
    page.unroute("**/items/KS-OUT-3/autosave/")
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    # Leaving was cancelled, so the page is still open: a save that now succeeds ends the warning
    # (and leaves nothing to send while the test's database is torn down).
    page.locator("#item-KS-OUT-3").get_by_label("3", exact=True).first.check()
    expect(status).to_contain_text("Saved at")
    settle(page)
    assert stored(review, "KS-OUT-3").current_rating == 3
