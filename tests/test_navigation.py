"""Issue 7 point 9: the header navigation is declared in one place (sendreview/navigation.py); school
roles have a *Self-reviews* item, highlighted on the pages below it. Also point 12: the moderator's
home says what the role is for and when access starts and ends."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from sendreview.navigation import ITEMS
from tests.access.matrix_reviews import seed_review

# The items each role sees, in order (server side; tests/e2e/test_journeys.py checks the browser).
EXPECTED = {
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

LINK = re.compile(
    r'<li class="govuk-service-navigation__item(?P<active> govuk-service-navigation__item--active)?">\s*'
    r'<a class="govuk-service-navigation__link" href="(?P<href>[^"]+)"[^>]*>\s*(?:<strong[^>]*>)?(?P<label>[^<]+)'
)


def navigation(client, url) -> list[tuple[str, str, bool]]:
    html = client.get(url, follow=True).content.decode()
    return [(m["label"].strip(), m["href"], bool(m["active"])) for m in LINK.finditer(html)]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_its_items(world, client_for, role):
    assert [label for label, _, _ in navigation(client_for(role), "/")] == EXPECTED[role]


def test_self_reviews_links_to_the_own_schools_reviews(world, client_for):
    items = {label: href for label, href, _ in navigation(client_for("senco"), "/")}
    assert items["Self-reviews"] == reverse(
        "frameworks:review-list", kwargs={"school_uuid": world.school.uuid}
    )


def test_self_reviews_is_highlighted_on_the_pages_below_it(world, client_for):
    review = seed_review(world)
    client = client_for("senco")
    with scopes_disabled():
        section = review.framework_version.sections.order_by("pk").first().code
    pages = [
        reverse("frameworks:review-list", kwargs={"school_uuid": world.school.uuid}),
        reverse("frameworks:review-detail", kwargs={"uuid": review.uuid}),
        reverse("frameworks:review-profile", kwargs={"uuid": review.uuid}),
        reverse("frameworks:review-history", kwargs={"uuid": review.uuid}),
        reverse("frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": section}),
    ]
    for url in pages:
        active = [label for label, _, is_active in navigation(client, url) if is_active]
        assert active == ["Self-reviews"], (url, active)
    home = [label for label, _, is_active in navigation(client, "/") if is_active]
    assert home == ["Home"]


def test_other_items_keep_their_highlight(world, client_for):
    active = [
        label for label, _, a in navigation(client_for("la_admin"), reverse("access-log")) if a
    ]
    assert active == ["Access log"]
    active = [
        label
        for label, _, a in navigation(client_for("la_officer"), reverse("reports:report-list"))
        if a
    ]
    assert active == ["Reports"]


def test_every_item_names_a_url_and_a_known_permission():
    import rules

    for item in ITEMS:
        assert item.permission is None or rules.perm_exists(item.permission), item
        assert item.url_name


# --- The moderator's home (point 12) -------------------------------------------------------------


def test_moderator_home_says_what_the_role_is_for_and_when_access_ends(world, client_for):
    html = client_for("moderator").get("/").content.decode()
    assert "What this role is for" in html
    assert "When you have access" in html
    with scopes_disabled():
        grant = world.users["moderator"].memberships.get()
    assert f"At the end of {grant.valid_to:%-d %B %Y}" in html
    assert f"{grant.valid_from:%-d %B %Y}" in html
    assert "cannot change the school's records" in html
