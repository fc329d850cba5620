"""An LA officer's questions answered in Debian's Chromium: which schools need attention and why,
where schools rate themselves higher than their EP, and a table downloaded — axe-clean pages, and
once with the keyboard only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from frameworks.models import FrameworkVersion, Response
from frameworks.reference.loader import load_all
from frameworks.reviews import services
from tests.e2e.conftest import cookie_login, focused, tab_to
from tests.e2e.test_reviews_browser import blocking_violations, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def discussed_review(world):
    """The school rates itself 'outstanding' everywhere; the EP agrees 'satisfactory'."""
    with scopes_disabled():
        if not FrameworkVersion.objects.filter(framework__code="hackney-ten-dimensions").exists():
            load_all()
        review = services.review_start(
            school=world.school,
            framework_version=FrameworkVersion.objects.filter(
                framework__code="hackney-ten-dimensions"
            ).latest("number"),
            academic_year=world.year,
            user=world.users["senco"],
        )
        Response.objects.filter(review=review).update(
            current_rating=1, selected_for_discussion=True
        )
        review = services.review_submit(review=review, user=world.users["senco"])
        ids = list(Response.objects.filter(review=review).values_list("pk", flat=True))
        return services.review_record_discussion(
            review=review,
            expected_version=review.lock_version,
            user=world.users["ep"],
            notes="",
            moderations={pk: services.Moderation(rating=3, comment="") for pk in ids},
        )


def test_la_officer_finds_schools_needing_attention_and_downloads(e2e_page, e2e_world, live_server):
    page, world = e2e_page, e2e_world
    review = discussed_review(world)
    cookie_login(page, world.users["la_officer"], live_server)
    page.goto("/")
    page.get_by_role("link", name="Dashboards", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Borough overview")
    assert blocking_violations(page) == []

    # Which schools need our attention this year, and why?
    page.get_by_role("link", name="Schools needing attention").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools needing attention")
    not_submitted = page.locator("#flag-not_submitted")
    expect(not_submitted).to_have_text("Self-review not submitted: 1 school")
    expect(page.get_by_role("table", name="Self-review not submitted")).to_contain_text(
        world.school_other.name
    )
    higher = page.get_by_role("table", name="Rates itself higher than moderated")
    expect(higher).to_contain_text(world.school.name)
    expect(higher).to_contain_text("rated 1.00 by the school, 0.33 as agreed in discussion")
    assert blocking_violations(page) == []
    higher.get_by_role("link", name=re.compile("Evidence")).click()
    assert reverse("frameworks:review-detail", kwargs={"uuid": review.uuid}) in page.url
    page.go_back()

    # Where do schools rate themselves higher than their EP does?
    page.get_by_role("link", name="Calibration").click()
    table = page.get_by_role("table", name="Schools' own ratings against the moderated ratings")
    expect(table).to_contain_text(world.school.name)
    expect(table).to_contain_text("+0.67")
    expect(table).to_contain_text(str(world.users["ep"]))
    assert blocking_violations(page) == []

    # Download the table, filters applied.
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^CSV.*schools' ratings")).click()
    download = info.value
    assert download.suggested_filename.startswith("calibration-by-school-2026-27")
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    assert world.school.name in content and world.school_other_la.name not in content

    page.get_by_role("link", name="Ratings across schools").click()
    expect(
        page.get_by_role("table", name=re.compile("Self-ratings by school and theme"))
    ).to_contain_text(world.school.name)
    assert blocking_violations(page) == []
    page.goto(reverse("dashboards:school", kwargs={"uuid": world.school.uuid}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-review dashboard")
    assert blocking_violations(page) == []
    assert page.problems.messages == []


def test_keyboard_only_attention_and_download(e2e_page, e2e_world, live_server):
    page, world = e2e_page, e2e_world
    discussed_review(world)
    cookie_login(page, world.users["la_admin"], live_server)
    page.goto(reverse("dashboards:overview"))
    tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Schools needing attention")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools needing attention")
    # Change a filter with the keyboard alone, then apply it.
    tab_to(page, lambda f: f["tag"] == "select" and f["name"] == "phase", limit=80)
    page.keyboard.press("ArrowDown")  # the first phase after "All phases"
    tab_to(page, lambda f: f["tag"] == "button" and "Apply filters" in f["text"], limit=10)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "phase=" in page.url
    now = tab_to(page, lambda f: f["tag"] == "a" and f["text"].startswith("CSV"), limit=120)
    assert "download=csv" in now["href"]
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename.endswith(".csv")
    assert focused(page)["tag"] == "a"
    # The thresholds page, by keyboard: change one value and save.
    page.goto(reverse("dashboards:thresholds"))
    tab_to(page, lambda f: f["name"] == "calibration_gap", limit=80)
    page.keyboard.press("Control+A")
    page.keyboard.type("0.5")
    tab_to(page, lambda f: f["tag"] == "button" and "Save thresholds" in f["text"], limit=20)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner, .govuk-summary-list").first).to_be_visible()
    assert "0.5" in page.content()
    assert blocking_violations(page) == []
