"""Helpers for the self-review tests: framework loading and reviews made as setup code does."""

from __future__ import annotations

from django_scopes import scopes_disabled

from frameworks.models import FrameworkVersion, Response, SelfReview
from frameworks.reference.loader import load_all
from frameworks.reviews import services

HACKNEY = "hackney-ten-dimensions"  # 10 items, SEF grades 1-4, lower is better, asks a target
DFES = "dfes-2006-checklist"  # 65 items, 3 levels, higher is better, no target, no N/A
KEY_STATEMENTS = "send-key-statements"  # 45 items, 1-10 with 0 = N/A, asks a target, exemplars


def load_frameworks() -> None:
    load_all()


def version(code: str) -> FrameworkVersion:
    return FrameworkVersion.objects.filter(framework__code=code).latest("number")


def start_review(
    world,
    code: str = HACKNEY,
    *,
    user_key: str = "senco",
    year=None,
    school=None,
    prefill_from=None,
) -> SelfReview:
    """A draft review made through the service, with the scope guard off as setup code must."""
    if not FrameworkVersion.objects.filter(framework__code=code).exists():
        load_frameworks()
    with scopes_disabled():
        return services.review_start(
            school=school or world.school,
            framework_version=version(code),
            academic_year=year or world.year,
            user=world.users[user_key],
            prefill_from=prefill_from,
        )


def responses(review) -> list[Response]:
    with scopes_disabled():
        return list(
            Response.objects.filter(review=review)
            .select_related("item", "review__framework_version")
            .order_by("item__section__position", "item__position")
        )


def response(review, code: str) -> Response:
    with scopes_disabled():
        return Response.objects.select_related("item", "review__framework_version").get(
            review=review, item__code=code
        )


def reload(review) -> SelfReview:
    with scopes_disabled():
        return SelfReview.objects.get(pk=review.pk)


def save(review, code: str, user, **fields) -> Response:
    """Save one response from its current version (no conflict), as a user editing it would."""
    r = response(review, code)
    with scopes_disabled():
        return services.response_save(
            response=r, expected_version=r.lock_version, user=user, **fields
        )


def advance(review, world, to: str) -> SelfReview:
    """Move a review through the workflow to `to` (submitted, confirmation, discussed, closed)."""
    with scopes_disabled():
        review = services.review_submit(
            review=review, user=world.users["senco"], request_confirmation=to == "confirmation"
        )
        if to in ("submitted", "confirmation"):
            return review
        review = services.review_record_discussion(
            review=review,
            expected_version=review.lock_version,
            user=world.users["ep"],
            notes="Met in October.",
            moderations={},
        )
        if to == "discussed":
            return review
        return services.review_close(review=review, user=world.users["ep"])
