"""Queries per page do not grow with the number of items (QUALITY.md P1): the 10-item Hackney
dimensions, the 45 key statements and the 65-item DfES checklist cost the same number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from frameworks.models import Response, Section
from tests.frameworks.reviews_support import (
    DFES,
    HACKNEY,
    KEY_STATEMENTS,
    advance,
    load_frameworks,
    start_review,
)

pytestmark = pytest.mark.django_db
FRAMEWORKS = (HACKNEY, KEY_STATEMENTS, DFES)
MAX_QUERIES = 25  # the ceiling asserted for every page below, whatever its size
MEASURED: dict[str, dict[str, int]] = {}


@pytest.fixture(autouse=True)
def _frameworks(db):
    load_frameworks()


def filled_review(world, code, *, selected: bool = False):
    """A prefilled review with every item answered, so every part of each page is rendered."""
    earlier = start_review(world, code)
    with scopes_disabled():
        scale = earlier.framework_version.rating_scale
        top = scale.values()[0]
        Response.objects.filter(review=earlier).update(
            current_rating=top,
            target_rating=top if scale.asks_target else None,
            evidence="Evidence",
            own_evidence=["Line"],
            selected_for_discussion=selected,
        )
    review = start_review(world, code, prefill_from=earlier)
    with scopes_disabled():
        Response.objects.filter(review=review).update(selected_for_discussion=selected)
    return review


def largest_section(review) -> str:
    with scopes_disabled():
        sections = Section.objects.filter(version=review.framework_version).prefetch_related(
            "items"
        )
        return max(sections, key=lambda s: s.items.count()).code


def count(client, method, url, data=None, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {}, **extra)
    assert response.status_code in (200, 302), (url, response.status_code)
    return len(ctx.captured_queries)


def measure(world, client, code) -> dict[str, int]:
    review = filled_review(world, code, selected=True)
    detail = reverse("frameworks:review-detail", kwargs={"uuid": review.uuid})
    section = reverse(
        "frameworks:review-section",
        kwargs={"uuid": review.uuid, "section_code": largest_section(review)},
    )
    with scopes_disabled():
        first = (
            Response.objects.filter(review=review)
            .select_related("item")
            .order_by("item__section__position", "item__position")
            .first()
        )
    autosave = reverse(
        "frameworks:response-autosave", kwargs={"uuid": review.uuid, "item_code": first.item.code}
    )
    code_ = first.item.code
    figures = {
        "detail": count(client, "get", detail),
        "section GET": count(client, "get", section),
        "profile": count(
            client, "get", reverse("frameworks:review-profile", kwargs={"uuid": review.uuid})
        ),
        "history": count(
            client, "get", reverse("frameworks:review-history", kwargs={"uuid": review.uuid})
        ),
        "autosave": count(
            client,
            "post",
            autosave,
            {f"{code_}-evidence": "Changed", f"{code_}-lock_version": str(first.lock_version)},
            HTTP_HX_REQUEST="true",
        ),
    }
    advance(review, world, "submitted")
    figures["discussion"] = count(
        world.ep_client,
        "get",
        reverse("frameworks:review-discussion", kwargs={"uuid": review.uuid}),
    )
    return figures


def test_queries_per_page_are_the_same_for_10_45_and_65_items(
    world, client_for, django_assert_max_num_queries
):
    world.ep_client = client_for("ep")
    world.ep_client.get(reverse("home"))  # warm the session (its first request writes it)
    client = client_for("senco")
    for code in FRAMEWORKS:
        client.get(
            reverse("frameworks:review-list", kwargs={"school_uuid": world.school.uuid})
        )  # warm the session
        MEASURED[code] = measure(world, client, code)
    print("\nqueries per page:", MEASURED)
    pages = MEASURED[HACKNEY].keys()
    for page in pages:
        counts = {code: MEASURED[code][page] for code in FRAMEWORKS}
        assert len(set(counts.values())) == 1, f"{page}: queries grow with the items: {counts}"
        assert max(counts.values()) <= MAX_QUERIES, f"{page}: {counts}"


def test_autosave_stays_under_the_ceiling(world, client_for, django_assert_max_num_queries):
    review = filled_review(world, DFES)
    with scopes_disabled():
        first = Response.objects.get(review=review, item__code="DFES-65")
    client = client_for("senco")
    client.get(reverse("frameworks:review-list", kwargs={"school_uuid": world.school.uuid}))
    url = reverse(
        "frameworks:response-autosave", kwargs={"uuid": review.uuid, "item_code": "DFES-65"}
    )
    with django_assert_max_num_queries(MAX_QUERIES):
        reply = client.post(
            url,
            {"DFES-65-current_rating": "2", "DFES-65-lock_version": str(first.lock_version)},
            HTTP_HX_REQUEST="true",
        )
    assert reply.status_code == 200
