"""Queries per page do not grow with the data that grows in real use (QUALITY.md P1): more schools
in the LA, more steps (events) of a review, a longer history of saves, more people in the school
and the LA. Each page is counted on a small world, the data is grown, and it is counted again:
the two counts must be equal. The school list is covered as well as the review pages."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from frameworks.models import Response, ReviewEvent
from schools.models import Membership
from sendreview.roles import Role
from tests import factories as f
from tests.frameworks.reviews_support import KEY_STATEMENTS, load_frameworks, start_review

pytestmark = pytest.mark.django_db
LAESTABS = itertools.count(5000)


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def count(client, url, method="get", data=None, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        reply = getattr(client, method)(url, data or {}, **extra)
    assert reply.status_code == 200, (url, reply.status_code)
    return len(ctx.captured_queries)


def grow(world, review, *, schools=40, events=60, saves=80, people=25) -> None:
    """More of everything that grows: schools in the LA, review steps, saved history, people."""
    with scopes_disabled():
        for _ in range(schools):
            f.SchoolFactory(la=world.la, laestab=f"801{next(LAESTABS)}")
        author = world.users["senco"]
        ReviewEvent.objects.bulk_create(
            [
                ReviewEvent(review=review, kind=ReviewEvent.Kind.STARTED, by=author)
                for _ in range(events)
            ]
        )
        responses = list(Response.objects.filter(review=review).select_related("item"))
        for n in range(saves):
            response = responses[n % len(responses)]
            response.evidence = f"Saved {n}"
            response.lock_version += 1
            response._history_user = author
            response.save()
        for n in range(people):
            user = f.UserFactory(email=f"grown-{next(LAESTABS)}@example.org")
            Membership.objects.create(
                user=user,
                role=Role.HEADTEACHER if n % 2 else Role.LA_OFFICER,
                la=world.la,
                school=world.school if n % 2 else None,
            )


def pages(world, review) -> dict[str, tuple[str, str, dict]]:
    section = reverse(
        "frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": "KS-OUT"}
    )
    return {
        "review detail": (
            "senco",
            reverse("frameworks:review-detail", kwargs={"uuid": review.uuid}),
            {},
        ),
        "section form": ("senco", section, {}),
        "profile": (
            "senco",
            reverse("frameworks:review-profile", kwargs={"uuid": review.uuid}),
            {},
        ),
        "history": (
            "senco",
            reverse("frameworks:review-history", kwargs={"uuid": review.uuid}),
            {},
        ),
        "review list": (
            "senco",
            reverse("frameworks:review-list", kwargs={"school_uuid": world.school.uuid}),
            {},
        ),
        "school list": ("la_officer", reverse("schools:school-list"), {}),
        "school list (EP)": ("ep", reverse("schools:school-list"), {}),
    }


def measure(world, clients, review) -> dict[str, int]:
    figures = {}
    for name, (who, url, _extra) in pages(world, review).items():
        figures[name] = count(clients[who], url)
    with scopes_disabled():
        response = Response.objects.get(review=review, item__code="KS-OUT-1")
    figures["autosave"] = count(
        clients["senco"],
        reverse(
            "frameworks:response-autosave", kwargs={"uuid": review.uuid, "item_code": "KS-OUT-1"}
        ),
        "post",
        {
            "KS-OUT-1-evidence": f"Now {response.lock_version}",
            "KS-OUT-1-lock_version": str(response.lock_version),
        },
        HTTP_HX_REQUEST="true",
    )
    return figures


def test_queries_do_not_grow_with_schools_events_history_or_people(world, client_for):
    review = start_review(world, KEY_STATEMENTS)
    clients = {key: client_for(key) for key in ("senco", "la_officer", "ep")}
    for client in clients.values():
        client.get(reverse("home"))  # a session's first request writes it
    # The small world has a little of everything (one step, a saved answer), the large a lot.
    grow(world, review, schools=1, events=1, saves=1, people=1)
    small = measure(world, clients, review)
    grow(world, review)
    large = measure(world, clients, review)
    print("\nqueries small → large:", {k: (small[k], large[k]) for k in small})
    grown = {k: (small[k], large[k]) for k in small if small[k] != large[k]}
    assert grown == {}, f"queries grow with the data: {grown}"


def test_review_detail_shows_the_latest_steps_and_links_to_all(world, client_for):
    review = start_review(world, KEY_STATEMENTS)
    with scopes_disabled():
        ReviewEvent.objects.bulk_create(
            [
                ReviewEvent(review=review, kind=ReviewEvent.Kind.STARTED, note=f"step {n}")
                for n in range(25)
            ]
        )
    client = client_for("senco")
    page = client.get(reverse("frameworks:review-detail", kwargs={"uuid": review.uuid}))
    body = page.content.decode()
    assert body.count("step ") == 10
    assert "step 24" in body and "step 14" not in body
    assert "See all 26 steps" in body
    history = client.get(reverse("frameworks:review-history", kwargs={"uuid": review.uuid}))
    assert history.content.decode().count("step ") == 25


def charts_of(reply) -> list[str]:
    import re

    return re.findall(r'src="(data:image/svg\+xml;base64,[^"]+)"', reply.content.decode())


def test_charts_are_drawn_once_per_content_and_kept_apart_per_review(
    world, client_for, monkeypatch
):
    from frameworks import charts

    drawn = []
    real = charts.profile_chart

    def counting(**kwargs):
        drawn.append(kwargs["labels"])
        return real(**kwargs)

    monkeypatch.setattr(charts, "profile_chart", counting)
    review = start_review(world, KEY_STATEMENTS)
    client = client_for("senco")
    url = reverse("frameworks:review-profile", kwargs={"uuid": review.uuid})
    first = charts_of(client.get(url))
    assert charts_of(client.get(url)) == first
    assert len(drawn) == 1  # the second page came from the cache

    # A saved answer changes the figures: the chart is drawn again, with the new figures.
    with scopes_disabled():
        response = Response.objects.get(review=review, item__code="KS-OUT-1")
    client.post(
        reverse(
            "frameworks:response-autosave", kwargs={"uuid": review.uuid, "item_code": "KS-OUT-1"}
        ),
        {"KS-OUT-1-current_rating": "5", "KS-OUT-1-lock_version": str(response.lock_version)},
        HTTP_HX_REQUEST="true",
    )
    assert charts_of(client.get(url)) != first
    assert len(drawn) == 2

    # Another school's review with the same figures is drawn for its own key, never shared.
    other = start_review(
        world, KEY_STATEMENTS, school=world.school_other, user_key="senco_other_school"
    )
    client_for("senco_other_school").get(
        reverse("frameworks:review-profile", kwargs={"uuid": other.uuid})
    )
    assert len(drawn) == 3
