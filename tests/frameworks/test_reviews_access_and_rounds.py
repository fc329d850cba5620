"""Who sees a review when, how rounds start, and what the review pages say (issue 7, points 3, 4,
5, 11 and 13). Each test failed before its fix."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from frameworks.models import ReviewEvent, SelfReview
from sendreview import tenancy
from tests import factories as f
from tests.frameworks.reviews_support import (
    HACKNEY,
    KEY_STATEMENTS,
    advance,
    load_frameworks,
    reload,
    save,
    start_review,
    version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def url(name, review, **kwargs):
    return reverse(f"frameworks:{name}", kwargs={"uuid": review.uuid, **kwargs})


def school_url(name, school):
    return reverse(f"frameworks:{name}", kwargs={"school_uuid": school.uuid})


def start_post(world, code=HACKNEY, **extra):
    with scopes_disabled():
        fv = str(version(code).uuid)
    return {"framework_version": fv, "academic_year": world.year.pk, "prefill": "no", **extra}


def reviews_of(world):
    with scopes_disabled():
        return list(SelfReview.objects.filter(school=world.school).order_by("round"))


# --- 3: "Start a review" never makes a round by accident ------------------------------------------


def test_start_takes_the_user_to_the_existing_draft(world, client_for):
    draft = start_review(world, HACKNEY)
    page = client_for("senco").post(school_url("review-start", world.school), start_post(world))
    assert page.status_code == 302 and page.url == url("review-detail", draft)
    assert [r.pk for r in reviews_of(world)] == [draft.pk]


def test_a_double_submit_starts_one_review(world, client_for):
    client = client_for("senco")
    first = client.post(school_url("review-start", world.school), start_post(world))
    second = client.post(school_url("review-start", world.school), start_post(world))
    reviews = reviews_of(world)
    assert len(reviews) == 1 and reviews[0].round == 1
    assert first.url == second.url == url("review-detail", reviews[0])


def test_a_second_round_is_a_deliberate_choice_with_the_sources_reason(world, client_for):
    advance(start_review(world, HACKNEY), world, "submitted")
    client = client_for("senco")
    ask = client.post(school_url("review-start", world.school), start_post(world))
    body = ask.content.decode()
    assert ask.status_code == 200 and len(reviews_of(world)) == 1  # nothing started yet
    assert "Start round 2" in body
    assert "Revisit, evaluate impact and develop implementation every three to four months." in body
    assert 'name="round" value="2"' in body
    # The button, pressed twice: one round 2.
    first = client.post(school_url("review-start", world.school), start_post(world, round=2))
    second = client.post(school_url("review-start", world.school), start_post(world, round=2))
    rounds = [r.round for r in reviews_of(world)]
    assert rounds == [1, 2] and first.url == second.url


def test_the_service_returns_the_round_already_started(world):
    with scopes_disabled():
        from frameworks.reviews import services

        kwargs = {
            "school": world.school,
            "framework_version": version(HACKNEY),
            "academic_year": world.year,
            "user": world.users["senco"],
            "round": 1,
        }
        a = services.review_start(**kwargs)
        b = services.review_start(**kwargs)
    assert a.pk == b.pk and len(reviews_of(world)) == 1


# --- 4: drafts are the school's own until submitted -------------------------------------------------


def test_readers_outside_the_school_see_a_drafts_progress_not_its_answers(world, client_for):
    review = start_review(world, HACKNEY)
    save(
        review,
        "HTD-1",
        world.users["senco"],
        current_rating=2,
        target_rating=1,
        evidence="ZEBRA-EVIDENCE",
    )
    for key in ("ep", "la_officer"):
        client = client_for(key)
        detail = client.get(url("review-detail", review))
        body = detail.content.decode()
        assert detail.status_code == 200, key
        assert "ZEBRA-EVIDENCE" not in body and "1 of 10 sections completed" in body, key
        assert 'href="' + url("review-profile", review) not in body, key
        for name in ("review-profile", "review-history"):
            assert client.get(url(name, review)).status_code == 403, (key, name)
        section = url("review-section", review, section_code="HTD-1")
        assert client.get(section).status_code == 403, key
        listing = client.get(school_url("review-list", world.school)).content.decode()
        assert url("review-detail", review) in listing, key  # it exists
    senco_view = client_for("senco").get(url("review-section", review, section_code="HTD-1"))
    assert "ZEBRA-EVIDENCE" in senco_view.content.decode()


def test_the_senco_shares_a_draft_with_the_ep_and_can_take_it_back(world, client_for):
    review = start_review(world, HACKNEY)
    save(review, "HTD-1", world.users["senco"], evidence="ZEBRA-EVIDENCE")
    section = url("review-section", review, section_code="HTD-1")
    senco, ep, officer = client_for("senco"), client_for("ep"), client_for("la_officer")
    assert (
        "Share this draft with our EP" in senco.get(url("review-detail", review)).content.decode()
    )
    assert senco.post(url("review-share", review), {"share": "yes"}).status_code == 302
    assert senco.post(url("review-share", review), {"share": "yes"}).status_code == 302  # twice
    assert reload(review).shared_with_ep
    assert "ZEBRA-EVIDENCE" in ep.get(section).content.decode()
    assert ep.post(section, {}).status_code == 403  # read, not change
    assert officer.get(section).status_code == 403  # the LA still sees progress only
    senco.post(url("review-share", review), {"share": "no"})
    assert not reload(review).shared_with_ep
    assert ep.get(section).status_code == 403
    with scopes_disabled():
        kinds = list(ReviewEvent.objects.filter(review=review).values_list("kind", flat=True))
    assert kinds == ["started", "shared", "unshared"]
    # Only the SENCO shares, and only a draft.
    assert (
        client_for("headteacher").post(url("review-share", review), {"share": "yes"}).status_code
        == 403
    )
    advance(review, world, "submitted")
    assert senco.get(url("review-share", review)).status_code == 403
    assert ep.get(section).status_code == 200  # submitted: the EP reads it


def test_compare_offers_no_draft_the_viewer_may_not_read(world, client_for):
    submitted = [advance(start_review(world, HACKNEY), world, "submitted") for _ in range(2)]
    draft = start_review(world, HACKNEY)
    body = client_for("ep").get(school_url("review-compare", world.school)).content.decode()
    assert all(str(r.uuid) in body for r in submitted) and str(draft.uuid) not in body


# --- 5: EP access follows the assignment year -------------------------------------------------------


def _other_years(world):
    with scopes_disabled():
        last = f.AcademicYearFactory(la=world.la, start_year=2025, is_current=False)
        following = f.AcademicYearFactory(la=world.la, start_year=2027, is_current=False)
    return last, following


def test_the_ep_assigned_this_year_reads_the_schools_submitted_history(world, client_for):
    last, following = _other_years(world)
    old = advance(start_review(world, HACKNEY, year=last), world, "submitted")
    old_draft = start_review(world, KEY_STATEMENTS, year=last)
    newer = advance(start_review(world, HACKNEY, year=following), world, "submitted")
    ep = client_for("ep")
    assert ep.get(url("review-profile", old)).status_code == 200
    assert ep.get(url("review-discussion", old)).status_code == 403  # not their year to discuss
    assert ep.get(url("review-profile", old_draft)).status_code == 403  # a draft stays the school's
    assert ep.get(url("review-detail", newer)).status_code == 403  # nothing of a later year


def test_an_ep_whose_assignment_ended_keeps_read_only_access_to_that_year(world, client_for):
    last, following = _other_years(world)
    theirs = advance(start_review(world, HACKNEY), world, "submitted")
    with scopes_disabled():
        world.year.is_current = False
        world.year.save()
        following.is_current = True
        following.save()
    newer = advance(start_review(world, HACKNEY, year=following), world, "submitted")
    older = advance(start_review(world, HACKNEY, year=last), world, "submitted")
    ep = client_for("ep")
    assert ep.get(url("review-profile", theirs)).status_code == 200
    assert ep.get(url("review-discussion", theirs)).status_code == 403  # read only
    assert ep.get(url("review-detail", newer)).status_code == 403
    assert ep.get(url("review-detail", older)).status_code == 403  # not their year either


def test_the_schools_page_names_the_ep_assigned_this_year(world, client_for):
    body = client_for("la_officer").get(
        reverse("schools:school-detail", kwargs={"uuid": world.school.uuid})
    )
    text = body.content.decode()
    assert "Educational psychologist this year" in text
    ep = world.users["ep"]
    assert (ep.full_name or ep.email) in text
    other = client_for("la_officer").get(
        reverse("schools:school-detail", kwargs={"uuid": world.school_other.uuid})
    )
    assert (ep.full_name or ep.email) not in other.content.decode()


def test_the_predicates_run_no_queries(world):
    """The EP's (school, year) pairs are read once, where the membership is resolved."""
    user = world.users["ep"]
    with scopes_disabled():
        membership = user.memberships.select_related("la", "school").get(role="ep")
        with CaptureQueriesContext(connection) as resolving:
            act = tenancy.acting_for(user, membership)
    assert len(resolving) == 1
    user.acting = act
    last, _ = _other_years(world)
    reviews = [
        advance(start_review(world, HACKNEY), world, "submitted"),
        start_review(world, HACKNEY, year=last),
    ]
    with scopes_disabled():
        reviews = list(
            SelfReview.objects.select_related("school", "academic_year").filter(
                pk__in=[r.pk for r in reviews]
            )
        )
    with scope(**tenancy.scope_dimensions(act)), CaptureQueriesContext(connection) as checking:
        for review in reviews:
            for permission in (
                "frameworks.view_review",
                "frameworks.view_review_answers",
                "frameworks.record_discussion",
                "frameworks.close_review",
            ):
                user.has_perm(permission, review)
    assert len(checking) == 0


# --- 11: compare from a review -----------------------------------------------------------------------


def test_compare_from_a_review_preselects_it_and_offers_its_framework_newest_first(
    world, client_for
):
    first = advance(start_review(world, HACKNEY), world, "submitted")
    second = advance(start_review(world, HACKNEY), world, "submitted")
    third = start_review(world, HACKNEY)
    other = start_review(world, KEY_STATEMENTS)
    detail = client_for("senco").get(url("review-detail", second)).content.decode()
    link = school_url("review-compare", world.school) + f"?review={second.uuid}"
    assert f'href="{link}"' in detail
    page = client_for("senco").get(link)
    body = page.content.decode()
    assert "There is a problem" not in body  # not bound yet: no errors shown
    later = re.search(r'<select[^>]*name="b".*?</select>', body, re.S).group(0)
    offered = re.findall(r'<option value="([0-9a-f-]{36})"', later)
    assert offered == [str(third.uuid), str(second.uuid), str(first.uuid)]
    assert str(other.uuid) not in body
    assert re.search(rf'<option value="{second.uuid}"\s+selected', later)
    earlier = re.search(r'<select[^>]*name="a".*?</select>', body, re.S).group(0)
    assert re.search(rf'<option value="{first.uuid}"\s+selected', earlier)


# --- 13: link text and the 8-10 descriptor ------------------------------------------------------------


def test_review_links_read_as_one_phrase(world, client_for):
    review = start_review(world, HACKNEY)
    body = client_for("senco").get(school_url("review-list", world.school)).content.decode()
    link = re.search(
        rf'<a class="govuk-link" href="{url("review-detail", review)}">(.*?)</a>', body
    )
    text = " ".join(re.sub(r"<[^>]+>", " ", link.group(1)).split())
    assert text == ("Hackney SEN and inclusion self-review: the ten dimensions, 2026/27, round 1")
    assert "<span" not in link.group(1)


def test_the_8_to_10_descriptor_is_shown_once_for_the_band(world, client_for):
    review = start_review(world, KEY_STATEMENTS)
    body = client_for("senco").get(url("review-section", review, section_code="KS-OUT")).content
    text = body.decode()
    first_item = text.split('name="KS-OUT-1-current_rating"', 1)[1].split("KS-OUT-1-target_rating")[
        0
    ]
    assert first_item.count("Case studies of outstanding practice to share") == 1
    assert "8 to 10: Case studies of outstanding practice to share" in first_item


# --- 16: the source's prompts on the section page ----------------------------------------------------


def test_the_section_page_shows_the_sources_prompts(world, client_for):
    from frameworks.models import Section
    from tests.frameworks.reviews_support import DFES

    senco = client_for("senco")
    dfes = start_review(world, DFES)
    with scopes_disabled():
        data = Section.objects.get(version=dfes.framework_version, title__endswith=": data").code
    body = senco.get(url("review-section", dfes, section_code=data)).content.decode()
    assert "Pause for reflection" in body
    assert "thorough understanding of data related to pupils with SEN and/or disabilities?" in body
    ks = start_review(world, KEY_STATEMENTS)
    body = senco.get(url("review-section", ks, section_code="KS-OUT")).content.decode()
    assert "Evidence – How do you know? What does this look like in this school?" in body
