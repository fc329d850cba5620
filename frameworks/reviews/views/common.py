"""What every review page shares: fetching the review through the scope and checking the
permission, the booleans templates need, the session's pending conflicts, the profile chart."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from frameworks.models import SelfReview
from frameworks.reviews import charts, selectors, services
from sendreview.access import require
from sendreview.documents.conflicts import ConflictStore

HISTORY_PER_PAGE = 50


# --- helpers --------------------------------------------------------------------------------------


def posted(request):
    """The POST data to bind a form to (even when empty: an empty POST must show its errors)."""
    return request.POST if request.method == "POST" else None


def review_for(
    request, uuid, permission: str, related: tuple[str, ...] = selectors.REVIEW_RELATED
) -> SelfReview:
    review = selectors.review_get(user=request.user, uuid=uuid, related=related)
    require(request.user, permission, review)
    return review


ACTIONS = {
    "read_answers": "frameworks.view_review_answers",
    "share": "frameworks.share_review",
    "edit": "frameworks.edit_review",
    "submit": "frameworks.submit_review",
    "request_confirmation": "frameworks.request_review_confirmation",
    "confirm": "frameworks.confirm_review",
    "record_discussion": "frameworks.record_discussion",
    "reopen": "frameworks.reopen_review",
    "close": "frameworks.close_review",
    "request_report": "reports.request_report",
}


def allowed_actions(request, review) -> dict:
    """The booleans templates need: which actions this user may take on this review."""
    return {name: request.user.has_perm(perm, review) for name, perm in ACTIONS.items()}


def page_context(request, review, **extra) -> dict:
    return {
        "review": review,
        "school": review.school,
        "scale": review.framework_version.rating_scale,
        "can": allowed_actions(request, review),
        **extra,
    }


def section_url(review, section_code: str) -> str:
    return reverse(
        "frameworks:review-section", kwargs={"uuid": review.uuid, "section_code": section_code}
    )


# What the user typed in a refused save, kept in the session until they choose (the kit's store).
CONFLICTS = ConflictStore("review")


def conflict_for(request, review, item_code: str) -> dict | None:
    return CONFLICTS.get(request, review, item_code)


def remember_conflict(
    request, review, response, values: dict, base_version: int, *, item_code: str = ""
) -> None:
    """Keep what the user typed until they choose what to keep on the conflict page."""
    CONFLICTS.remember(request, review, item_code or response.item.code, values, base_version)


def forget_conflict(request, review, item_code: str) -> None:
    CONFLICTS.forget(request, review, item_code)


def next_conflict_code(request, review) -> str | None:
    return CONFLICTS.next_key(request, review)


def conflict_url(review, item_code: str) -> str:
    return reverse(
        "frameworks:review-conflict", kwargs={"uuid": review.uuid, "item_code": item_code}
    )


def changed_by_user(response, values: dict, expected_version: int) -> bool:
    """Did the user change this item on their page? Compared with the response as they loaded it.

    Only needed when the stored version moved on: a whole-section post (without JavaScript)
    sends every item, also the ones the user never touched, which must not count as conflicts.
    """
    if expected_version == response.lock_version:
        return values != services.response_values(response)
    baseline = selectors.response_baseline(response=response, version=expected_version)
    if baseline is None:
        return True
    return values != {name: getattr(baseline, name) for name in services.RESPONSE_FIELDS}


def chart_tenant(review) -> str:
    """The tenant part of a review's chart cache keys: its LA and the review itself."""
    return f"la:{review.school.la_id}:review:{review.uuid}"


def profile_chart_uri(review, profile, **size) -> str:
    scale = profile.scale
    rows = profile.plotted
    inputs = {
        "scale": review.framework_version_id,
        "labels": [r.label for r in rows],
        "current": [r.current for r in rows],
        "target": [r.target for r in rows] if scale.asks_target else None,
        "size": size,
    }
    return charts.cached_data_uri(
        tenant=chart_tenant(review),
        name="profile",
        inputs=inputs,
        render=lambda: charts.profile_chart(
            scale=scale,
            labels=inputs["labels"],
            current=inputs["current"],
            target=inputs["target"],
            **size,
        ),
    )


def scores_chart_uri(review, profile) -> str:
    """The section scores chart of a review with more than one section, else ""."""
    if len(profile.sections) <= 1:
        return ""
    inputs: dict[str, Any] = {
        "labels": [s.section.title for s in profile.sections],
        "current": [s.normalised_current for s in profile.sections],
        "target": [s.normalised_target for s in profile.sections]
        if profile.scale.asks_target
        else None,
    }
    return charts.cached_data_uri(
        tenant=chart_tenant(review),
        name="scores",
        inputs=inputs,
        render=lambda: charts.scores_chart(**inputs),
    )
