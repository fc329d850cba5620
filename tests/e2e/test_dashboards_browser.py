"""An LA officer's questions answered in Debian's Chromium: which schools need attention and why,
where schools rate themselves higher than their EP, and a table downloaded — axe-clean pages, and
once with the keyboard only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from dashboards.flags import findings
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
        page.get_by_role(
            "link", name=re.compile(r"^CSV.*schools' ratings against moderated")
        ).click()
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


def sen_borough(world):
    """Accepted SEN figures for the LA: five steady schools, and Alderley whose SEN % and need mix
    jump; an audit visit with an issued report; Alderley's work plan still a draft."""
    from datetime import date
    from decimal import Decimal

    from tests import factories as f
    from tests.dashboards.test_school_sen import derive
    from tests.dashboards.test_sen_views import summary
    from tests.dashboards.test_visit_calibration import issued_visit
    from workplans.models import WorkPlan

    with scopes_disabled():
        others = [f.SchoolFactory(la=world.la, name=f"Steady Canary {i}") for i in range(5)]
        last_year = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
    for i, school in enumerate(others):
        summary(school, world.year, sen_percent=10.0 + i, outturn=Decimal("10000"))
    summary(
        world.school,
        last_year,
        number_on_roll=400,
        sen_overall=40,
        sen_percent=10.0,
        by_level={"K": 40},
        by_need_group={"GLD": 32, "BESD": 8},
    )
    summary(
        world.school,
        world.year,
        number_on_roll=400,
        sen_overall=160,
        sen_percent=40.0,
        by_level={"K": 157, "E": 3},
        by_need_group={"GLD": 80, "BESD": 80},
    )
    derive(world.la)
    visit = issued_visit(world)
    with scopes_disabled():
        WorkPlan.objects.create(
            school=world.school, academic_year=world.year, status="draft", author_side="school"
        )
    # Made without the workflow, whose "started" event rewrites the plan rules' findings.
    findings.refresh(world.la.pk, world.year.pk, reads="plans")
    assert date.today() > date(2026, 10, 31)  # the work plan rule applies after 31 October
    return visit


def test_la_officer_reads_sen_figures_and_audit_visit_calibration(e2e_page, e2e_world, live_server):
    page, world = e2e_page, e2e_world
    discussed_review(world)
    visit = sen_borough(world)
    cookie_login(page, world.users["la_officer"], live_server)

    # How have SEN numbers changed? The overview with the audit figures.
    page.goto(reverse("dashboards:overview"))
    expect(
        page.get_by_role("table", name=re.compile("Pupils by provision level and year"))
    ).to_contain_text("2026/27")
    assert blocking_violations(page) == []

    # Which schools need attention, and why: the need mix and the work plan.
    page.get_by_role("link", name="Schools needing attention").click()
    needs = page.get_by_role("table", name="Sharp change in need mix")
    expect(needs).to_contain_text("BESD / SEMH: 20% of the SEN pupils last year, 50% in 2026/27.")
    plans = page.get_by_role("table", name="EP work plan not agreed")
    expect(plans).to_contain_text(world.school.name)
    expect(plans).to_contain_text("the plan is still a draft")
    assert blocking_violations(page) == []

    # Where do schools rate themselves higher than their audit visit found?
    page.get_by_role("link", name="Calibration").click()
    visits = page.get_by_role(
        "table", name="Schools' own ratings against the ratings moderated in audit visits"
    )
    expect(visits).to_contain_text(world.school.name)
    expect(visits).to_contain_text(str(world.users["la_officer"]))
    assert blocking_violations(page) == []
    visits.get_by_role("link", name=world.school.name).first.click()
    assert reverse("audit_visits:visit-detail", kwargs={"uuid": visit.uuid}) in page.url
    page.go_back()

    # The school's page: its SEN figures against the borough's quartiles.
    page.goto(reverse("dashboards:school", kwargs={"uuid": world.school.uuid}))
    table = page.get_by_role("table", name=re.compile("SEN pupils as a % of roll against"))
    expect(table).to_contain_text("Highest quarter of the borough")
    levels = page.get_by_role("table", name=re.compile("Pupils by provision level as a %"))
    expect(levels).to_contain_text("<5")
    expect(page.locator("main")).not_to_contain_text("Steady Canary")
    assert blocking_violations(page) == []
    assert page.problems.messages == []


def test_senco_reads_own_sen_figures_and_downloads_by_keyboard(e2e_page, e2e_world, live_server):
    page, world = e2e_page, e2e_world
    discussed_review(world)
    sen_borough(world)
    cookie_login(page, world.users["senco"], live_server)
    page.goto(reverse("dashboards:school", kwargs={"uuid": world.school.uuid}))
    expect(page.get_by_role("heading", name="SEN numbers against the borough")).to_be_visible()
    assert blocking_violations(page) == []
    now = tab_to(
        page,
        lambda f: f["tag"] == "a" and f["text"].startswith("CSV") and "table=sen" in f["href"],
        limit=150,
    )
    assert "table=sen" in now["href"]
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    content = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert "Highest quarter of the borough" in content and "Steady Canary" not in content
