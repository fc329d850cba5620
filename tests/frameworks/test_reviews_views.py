"""Self-review pages: the workflow end to end over HTTP, who may do what, read-only views, escaping,
charts with their tables, and forms that take nothing they should not."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from frameworks.models import ReviewEvent, ReviewStatus, SelfReview
from schools.models import Membership
from sendreview.roles import Role
from tests import factories as f
from tests.conftest import give_totp
from tests.frameworks.reviews_support import (
    DFES,
    HACKNEY,
    KEY_STATEMENTS,
    advance,
    load_frameworks,
    reload,
    response,
    save,
    start_review,
    version,
)

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def url(name, review, **kwargs):
    return reverse(f"frameworks:{name}", kwargs={"uuid": review.uuid, **kwargs})


def school_url(name, school):
    return reverse(f"frameworks:{name}", kwargs={"school_uuid": school.uuid})


# --- the journey --------------------------------------------------------------------------------


def test_the_whole_journey_from_start_to_closed_and_reopened(world, client_for):
    senco, head, ep, officer = (client_for(k) for k in ("senco", "headteacher", "ep", "la_officer"))
    start = school_url("review-start", world.school)
    with scopes_disabled():
        hackney = str(version(HACKNEY).uuid)

    refused = senco.post(
        start, {"framework_version": hackney, "academic_year": world.year.pk, "prefill": "yes"}
    )
    assert refused.status_code == 200
    assert "There is no earlier review of this framework to start from" in refused.content.decode()

    started = senco.post(
        start, {"framework_version": hackney, "academic_year": world.year.pk, "prefill": "no"}
    )
    assert started.status_code == 302
    with scopes_disabled():
        review = SelfReview.objects.get(school=world.school)
    assert started["Location"] == url("review-detail", review)

    section = url("review-section", review, section_code="HTD-1")
    assert senco.get(section).status_code == 200
    saved = senco.post(
        url("response-autosave", review, item_code="HTD-1"),
        {
            "HTD-1-current_rating": "3",
            "HTD-1-target_rating": "2",
            "HTD-1-evidence": "Pupil progress meetings",
            "HTD-1-selected_for_discussion": "on",
            "HTD-1-lock_version": "1",
        },
        **HX,
    )
    assert saved.status_code == 200

    assert (
        senco.post(url("review-submit", review), {"request_confirmation": "on"}).status_code == 302
    )
    assert reload(review).status == ReviewStatus.SUBMITTED
    assert head.get(url("review-detail", review)).content.decode().count("Confirm this review") == 1
    assert head.post(url("review-confirm", review)).status_code == 302
    assert reload(review).confirmed_by == world.users["headteacher"]

    page = ep.get(url("review-discussion", review))
    body = page.content.decode()
    assert "How would I know that was happening?" in body
    assert "What else could we do to improve by one point?" in body
    assert "Satisfactory" in body  # the school's rating beside the agreed one
    recorded = ep.post(
        url("review-discussion", review),
        {
            "discussion_notes": "Agreed next steps",
            "lock_version": str(reload(review).lock_version),
            "HTD-1-moderated_rating": "2",
            "HTD-1-moderation_comment": "Evidence supports Good",
        },
    )
    assert recorded.status_code == 302
    assert reload(review).status == ReviewStatus.DISCUSSED
    assert response(review, "HTD-1").moderated_rating == 2

    assert ep.post(url("review-close", review), {"note": ""}).status_code == 302
    assert reload(review).status == ReviewStatus.CLOSED
    assert (
        officer.post(
            url("review-reopen", review), {"reason": "School found newer data"}
        ).status_code
        == 302
    )
    assert reload(review).status == ReviewStatus.DRAFT

    history = senco.get(url("review-history", review)).content.decode()
    for step in (
        "Started",
        "Submitted",
        "Headteacher asked to confirm",
        "Confirmed by the headteacher",
        "Discussion recorded",
        "Closed",
        "Re-opened",
        "School found newer data",
    ):
        assert step in history
    assert (
        "Satisfactory" in history and "Pupil progress meetings" in history
    )  # old → new of responses


def test_a_submitted_review_is_read_only_and_says_so(world, client_for):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    client = client_for("senco")
    page = client.get(url("review-section", review, section_code="HTD-1")).content.decode()
    assert "cannot be changed" in page
    assert 'name="HTD-1-current_rating"' not in page and "hx-post" not in page
    assert client.post(url("review-section", review, section_code="HTD-1"), {}).status_code == 403
    assert client.get(url("review-judgement", review)).status_code == 403


def test_a_governor_reads_but_cannot_change(world, client_for):
    review = start_review(world, HACKNEY)
    save(review, "HTD-1", world.users["senco"], current_rating=2, evidence="Seen by governors")
    governor = client_for("governor")
    page = governor.get(url("review-section", review, section_code="HTD-1")).content.decode()
    assert "Seen by governors" in page and "You can read this review but not change it" in page
    assert "hx-post" not in page
    assert (
        governor.post(
            url("response-autosave", review, item_code="HTD-1"),
            {"HTD-1-evidence": "x", "HTD-1-lock_version": "2"},
            **HX,
        ).status_code
        == 403
    )
    detail = governor.get(url("review-detail", review)).content.decode()
    assert "Check and submit" not in detail and "Re-open" not in detail


def test_an_ep_sees_only_the_years_they_are_assigned_to_the_school(world, client_for):
    with scopes_disabled():
        next_year = f.AcademicYearFactory(la=world.la, start_year=2027, is_current=False)
        ep_next = f.UserFactory(email="ep-next-year@example.org")
        Membership.objects.create(user=ep_next, role=Role.EP, la=world.la)
        f.EPAssignmentFactory(ep=ep_next, school=world.school, academic_year=next_year)
        give_totp(ep_next)
    this_year = start_review(world, HACKNEY)
    later = start_review(world, HACKNEY, year=next_year)
    world.users["ep_next"] = ep_next
    client = client_for("ep_next")
    assert (
        client.get(url("review-detail", this_year)).status_code == 403
    )  # in scope, not their year
    assert client.get(url("review-detail", later)).status_code == 200
    listing = client.get(school_url("review-list", world.school)).content.decode()
    assert url("review-detail", later) in listing and url("review-detail", this_year) not in listing
    assert client_for("ep").get(url("review-detail", later)).status_code == 403
    later = advance(later, world, "submitted")
    assert client.get(url("review-discussion", later)).status_code == 200
    assert client_for("ep").get(url("review-discussion", later)).status_code == 403


@pytest.mark.parametrize(
    "key",
    [
        "senco_other_school",
        "senco_other_la",
        "ep_unassigned",
        "ep_other_la",
        "la_officer_other_la",
        "platform_admin",
    ],
)
def test_outsiders_get_404_on_every_review_page(world, client_for, key):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    client = client_for(key)
    for name in (
        "review-detail",
        "review-profile",
        "review-history",
        "review-discussion",
        "review-reopen",
    ):
        assert client.get(url(name, review)).status_code == 404, name
    assert client.get(url("review-section", review, section_code="HTD-1")).status_code == 404


# --- nothing taken from the request that should not be -------------------------------------------


def test_posted_school_status_and_owner_are_ignored(world, client_for):
    review = start_review(world, HACKNEY)
    client = client_for("senco")
    data = {f"HTD-{n}-lock_version": "1" for n in range(1, 2)}
    data.update(
        {
            "status": "closed",
            "school": str(world.school_other.pk),
            "review": "1",
            "HTD-1-status": "closed",
            "HTD-1-updated_by": str(world.users["la_admin"].pk),
            "HTD-1-moderated_rating": "1",
            "HTD-1-current_rating": "2",
        }
    )
    assert client.post(url("review-section", review, section_code="HTD-1"), data).status_code == 302
    stored = response(review, "HTD-1")
    assert (stored.current_rating, stored.moderated_rating, stored.updated_by) == (
        2,
        None,
        world.users["senco"],
    )
    assert (
        reload(review).status == ReviewStatus.DRAFT and reload(review).school_id == world.school.pk
    )

    with scopes_disabled():
        dfes = str(version(DFES).uuid)
    client.post(
        school_url("review-start", world.school),
        {
            "framework_version": dfes,
            "academic_year": world.year.pk,
            "prefill": "no",
            "school": world.school_other.pk,
            "status": "closed",
        },
    )
    with scopes_disabled():
        started = SelfReview.objects.get(framework_version__framework__code=DFES)
    assert (started.school_id, started.status) == (world.school.pk, ReviewStatus.DRAFT)


def test_start_offers_only_the_schools_own_las_years(world, client_for):
    page = client_for("senco").get(school_url("review-start", world.school)).content.decode()
    assert f'value="{world.year.pk}"' in page
    assert f'value="{world.year_other_la.pk}"' not in page
    reply = client_for("senco").post(
        school_url("review-start", world.school),
        {
            "framework_version": str(version(HACKNEY).uuid),
            "academic_year": world.year_other_la.pk,
            "prefill": "no",
        },
    )
    assert reply.status_code == 200 and "Choose an academic year" in reply.content.decode()


def test_user_text_is_escaped_everywhere_it_is_shown(world, client_for):
    review = start_review(world, HACKNEY)
    nasty = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    save(
        review,
        "HTD-1",
        world.users["senco"],
        current_rating=2,
        target_rating=1,
        evidence=nasty,
        own_evidence=[nasty],
        selected_for_discussion=True,
    )
    review = advance(review, world, "submitted")
    pages = [
        client_for("senco").get(url("review-section", review, section_code="HTD-1")),
        client_for("senco").get(url("review-history", review)),
        client_for("ep").get(url("review-discussion", review)),
    ]
    for page in pages:
        body = page.content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


# --- pages: task list, profile, compare ---------------------------------------------------------------


def test_task_list_shows_each_sections_status(world, client_for):
    review = start_review(world, KEY_STATEMENTS)
    save(review, "KS-OUT-1", world.users["senco"], evidence="begun")
    body = client_for("senco").get(url("review-detail", review)).content.decode()
    assert body.count('class="govuk-task-list__item govuk-task-list__item--with-link"') == 7
    assert body.count(">In progress</strong>") == 1
    assert body.count(">Not started</strong>") == 6


def test_profile_shows_the_chart_as_an_image_with_the_same_figures_in_tables(world, client_for):
    review = start_review(world, KEY_STATEMENTS)
    save(review, "KS-OUT-1", world.users["senco"], current_rating=3, target_rating=9)
    save(review, "KS-OUT-2", world.users["senco"], current_rating=0)
    body = client_for("senco").get(url("review-profile", review)).content.decode()
    images = re.findall(
        r'<img class="app-chart" src="(data:image/svg\+xml;base64,[^"]+)" alt="([^"]+)"', body
    )
    assert len(images) == 2 and all(alt for _, alt in images)
    assert "rating of 1 statements" in images[0][1]
    assert "Statements ranked by gap between target and current rating" in body
    assert "Not applicable" in body and ">6</td>" in body  # the gap of KS-OUT-1


def test_compare_shows_change_per_item_and_section(world, client_for):
    senco = world.users["senco"]
    earlier = start_review(world, HACKNEY)
    save(earlier, "HTD-1", senco, current_rating=3)
    later = start_review(world, HACKNEY)
    save(later, "HTD-1", senco, current_rating=1)
    client = client_for("governor")
    page = client.get(
        school_url("review-compare", world.school), {"a": str(earlier.uuid), "b": str(later.uuid)}
    )
    body = page.content.decode()
    assert page.status_code == 200 and "Better by 2" in body and "Change by section" in body


def test_compare_refuses_reviews_of_different_frameworks_and_other_schools(world, client_for):
    hackney, dfes = start_review(world, HACKNEY), start_review(world, DFES)
    other = start_review(world, HACKNEY, school=world.school_other, user_key="senco_other_school")
    client = client_for("senco")
    body = client.get(
        school_url("review-compare", world.school), {"a": str(hackney.uuid), "b": str(dfes.uuid)}
    ).content.decode()
    assert "Choose two reviews of the same framework" in body
    body = client.get(
        school_url("review-compare", world.school), {"a": str(hackney.uuid), "b": str(other.uuid)}
    ).content.decode()
    assert "Choose the later review" in body and str(other.uuid) not in body


def test_prefilled_review_shows_what_changed_since_the_last_one(world, client_for):
    earlier = start_review(world, HACKNEY)
    save(earlier, "HTD-1", world.users["senco"], current_rating=3, target_rating=2)
    save(earlier, "HTD-2", world.users["senco"], current_rating=2, target_rating=2)
    later = start_review(world, HACKNEY, prefill_from=earlier)
    save(later, "HTD-1", world.users["senco"], current_rating=2)
    client = client_for("senco")
    first = client.get(url("review-section", later, section_code="HTD-1")).content.decode()
    second = client.get(url("review-section", later, section_code="HTD-2")).content.decode()
    assert "Changed since then" in first and "Satisfactory" in first
    assert "Unchanged" in second


def test_reopening_records_who_why_and_when(world, client_for):
    review = advance(start_review(world, HACKNEY), world, "submitted")
    client = client_for("headteacher")
    refused = client.post(url("review-reopen", review), {"reason": ""})
    assert (
        refused.status_code == 200
        and "Enter why the review is being re-opened" in refused.content.decode()
    )
    assert (
        client.post(url("review-reopen", review), {"reason": "Typo in evidence"}).status_code == 302
    )
    with scopes_disabled():
        event = ReviewEvent.objects.filter(review=review).latest("at", "pk")
    assert (event.kind, event.by, event.note) == (
        "reopened",
        world.users["headteacher"],
        "Was submitted. Typo in evidence",
    )
