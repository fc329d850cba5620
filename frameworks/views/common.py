"""What every review page shares: fetching the review through the scope and checking the
permission, the booleans templates need, the session's pending conflicts, the profile chart."""

from __future__ import annotations

from django.urls import reverse

from frameworks import charts, selectors, services
from frameworks.models import SelfReview
from sendreview.access import require

HISTORY_PER_PAGE = 50
CONFLICT_SESSION_KEY = "review-conflicts"


# --- helpers --------------------------------------------------------------------------------------


def posted(request):
    """The POST data to bind a form to (even when empty: an empty POST must show its errors)."""
    return request.POST if request.method == "POST" else None


def review_for(request, uuid, permission: str) -> SelfReview:
    review = selectors.review_get(user=request.user, uuid=uuid)
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


def pending_conflicts(request) -> dict:
    return request.session.get(CONFLICT_SESSION_KEY, {})


def remember_conflict(
    request, review, response, values: dict, base_version: int, *, item_code: str = ""
) -> None:
    """Keep what the user typed until they choose what to keep on the conflict page."""
    conflicts = pending_conflicts(request)
    conflicts[f"{review.uuid}:{item_code or response.item.code}"] = {
        "values": values,
        "base_version": base_version,
    }
    request.session[CONFLICT_SESSION_KEY] = conflicts


def forget_conflict(request, review, item_code: str) -> None:
    conflicts = pending_conflicts(request)
    if conflicts.pop(f"{review.uuid}:{item_code}", None) is not None:
        request.session[CONFLICT_SESSION_KEY] = conflicts


def next_conflict_code(request, review) -> str | None:
    prefix = f"{review.uuid}:"
    return next(
        (k[len(prefix) :] for k in pending_conflicts(request) if k.startswith(prefix)), None
    )


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
    inputs = {
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
