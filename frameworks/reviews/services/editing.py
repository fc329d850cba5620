"""Changing a self-review: saving responses, the review-level fields, sharing a draft, and the
workflow steps (declared in frameworks.reviews.workflow, taken through the document kit).

Every write runs in a transaction and re-checks the status it needs; each workflow step leaves a
ReviewEvent. Who may call what is decided by the permission predicates in sendreview.roles before
a view gets here.

Lost updates: every save of a response (the autosave, a whole section, a resolved conflict) is
one `UPDATE … SET <fields>, lock_version = n + 1 WHERE id = … AND lock_version = n`
(sendreview.documents.locking.update_if_version); of two saves made from the same version exactly
one matches, the other gets a ConflictError carrying the values now stored, so the user can be
shown both (QUALITY.md §12).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from frameworks.reviews.models import Response, ReviewEvent, SelfReview
from frameworks.reviews.workflow import ALREADY_DRAFT, NOT_DISCUSSABLE, REASON_REQUIRED
from sendreview.documents import locking
from sendreview.documents.workflow import transition

# Messages as constants so that tests can assert them exactly (the workflow's in reviews.workflow).
NOT_DRAFT = "This review has been submitted, so it cannot be changed. Re-open it to change it."
STALE_REVIEW = "Someone else changed this review while you were working on it"

RESPONSE_FIELDS = frozenset(
    {
        "current_rating",
        "target_rating",
        "evidence",
        "exemplar_marks",
        "own_evidence",
        "selected_for_discussion",
    }
)


class ConflictError(locking.ConflictError):
    """A save made from a stale version: `current` is the row as it is now stored."""

    def __str__(self) -> str:
        return "The response was changed by someone else since it was loaded"

    @property
    def current_values(self) -> dict:
        return {name: getattr(self.current, name) for name in RESPONSE_FIELDS}


class ReviewConflictError(Exception):
    """A review-level save (discussion, judgement) made from a stale `lock_version`."""


# --- responses ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseEdit:
    """One statement's new values, made from the version the user's page had."""

    response: Response
    expected_version: int
    values: dict


@dataclass(frozen=True)
class RefusedEdit:
    """An edit made from a stale version: nothing written; `conflict.current` is the stored row."""

    edit: ResponseEdit
    conflict: ConflictError


@transaction.atomic
def responses_save(*, review: SelfReview, user, edits: list[ResponseEdit]) -> list[RefusedEdit]:
    """Save several responses of one review (a whole section, or a resolved conflict).

    The same path as the autosave: each response is written with one conditional UPDATE (the
    version claim and the write together) and one history INSERT. The review's status is read
    once under a row lock, so no save slips in after the review was submitted in another tab.
    A stale edit writes nothing and is returned, the others are saved. Raises ValidationError
    (nothing written at all) when the review is no longer a draft or a value is not allowed.
    `review` and the responses must have come through the acting scope.
    """
    for edit in edits:
        unknown = set(edit.values) - RESPONSE_FIELDS
        if unknown:
            raise ValueError(f"{sorted(unknown)} cannot be changed here")
        if edit.response.review_id != review.pk:
            raise ValueError("The response is not one of this review's")
    if not edits:
        return []
    # One slim locked read: the status the workflow steps change under the same lock.
    review.status = (
        SelfReview._base_manager.select_for_update()
        .values_list("status", flat=True)
        .get(pk=review.pk)
    )
    refused = []
    for edit in edits:
        edit.response.review = review
        try:
            response_autosave(
                response=edit.response,
                expected_version=edit.expected_version,
                user=user,
                changes=edit.values,
            )
        except ConflictError as conflict:
            refused.append(RefusedEdit(edit=edit, conflict=conflict))
    return refused


def response_save(*, response: Response, expected_version: int, user, **fields) -> Response:
    """Save the fields of one response made from `expected_version` (responses_save for one).

    Raises ConflictError (nothing written) when someone saved the response since that version,
    ValidationError when the review is no longer a draft or a value is not allowed.
    """
    review = response.review
    refused = responses_save(
        review=review,
        user=user,
        edits=[ResponseEdit(response=response, expected_version=expected_version, values=fields)],
    )
    if refused:
        raise refused[0].conflict
    return response


def response_autosave(
    *, response: Response, expected_version: int, user, changes: dict
) -> Response:
    """Write the fields an autosave carries, from `expected_version`, in one conditional UPDATE.

    `response` comes from selectors.response_for_autosave (its review row locked, in the caller's
    transaction). Only the fields in `changes` are written; the others keep their stored values.
    Raises ConflictError (nothing written) when someone saved the response since that version,
    ValidationError when the review is no longer a draft or a value is not allowed. One history
    row is written with the new values.
    """
    unknown = set(changes) - RESPONSE_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    if not response.review.is_draft:
        raise ValidationError(NOT_DRAFT)
    for name, value in changes.items():
        setattr(response, name, value)
    # The constraint on (review, item) is not in question; excluding both avoids its query.
    response.full_clean(exclude=["review", "item", "updated_by"])
    try:
        return locking.update_if_version(
            response, expected_version=expected_version, user=user, fields=changes
        )
    except locking.ConflictError as conflict:
        raise ConflictError(conflict.current) from None


def response_values(response: Response) -> dict:
    """The editable values of a response, to compare a submitted form with what is stored."""
    return {name: getattr(response, name) for name in RESPONSE_FIELDS}


# --- review-level fields ---------------------------------------------------------------------------


@transaction.atomic
def review_set_judgement(
    *, review: SelfReview, expected_version: int, user, overall_judgement: int | None
) -> SelfReview:
    """Record (or clear) the school's overall judgement, 1 Outstanding to 4 Inadequate."""
    review = locked_review(review)
    if not review.is_draft:
        raise ValidationError(NOT_DRAFT)
    check_version(review, expected_version)
    review.overall_judgement = overall_judgement
    return save_review(review, user)


# --- sharing a draft --------------------------------------------------------------------------------

ALREADY_SHARED = "This draft is already shared with your EP"
NOT_SHARED = "This draft is not shared with your EP"


@transaction.atomic
def review_share_with_ep(*, review: SelfReview, user, shared: bool) -> SelfReview:
    """Share a draft's answers with the school's EP, or stop sharing them (recorded each time)."""
    review = locked_review(review)
    if not review.is_draft:
        raise ValidationError(NOT_DRAFT)
    if review.shared_with_ep == shared:
        raise ValidationError(ALREADY_SHARED if shared else NOT_SHARED)
    review.shared_with_ep = shared
    save_review(review, user)
    review_event(review, ReviewEvent.Kind.SHARED if shared else ReviewEvent.Kind.UNSHARED, user)
    return review


# --- workflow -------------------------------------------------------------------------------------


def _step(review: SelfReview, name: str, user, *, reason: str = "", changes=None) -> SelfReview:
    """One step of the review's declared workflow (frameworks.reviews.workflow).

    The views have checked the permission already; services trust their caller (demo data and
    tests act without a request), as they always have.
    """
    return transition(
        review, name, user=user, reason=reason, changes=changes, check_permission=False
    )


@transaction.atomic
def review_submit(*, review: SelfReview, user, request_confirmation: bool = False) -> SelfReview:
    """draft → submitted; from here on the school's answers are read-only until re-opened."""
    review = _step(review, "submit", user)
    if request_confirmation:
        review = review_request_confirmation(review=review, user=user)
    return review


@transaction.atomic
def review_request_confirmation(*, review: SelfReview, user) -> SelfReview:
    return _step(review, "request_confirmation", user)


@transaction.atomic
def review_confirm(*, review: SelfReview, user) -> SelfReview:
    return _step(review, "confirm", user)


@dataclass(frozen=True)
class Moderation:
    """The EP's or LA officer's agreed rating and comment for one discussed item."""

    rating: int | None
    comment: str


@transaction.atomic
def review_record_discussion(
    *,
    review: SelfReview,
    expected_version: int,
    user,
    notes: str,
    moderations: dict[int, Moderation],
    discussed_at: datetime | None = None,
) -> SelfReview:
    """Record the review meeting: submitted → discussed (or update the record while discussed).

    `moderations` maps response ids to agreed ratings and comments; only responses the school
    selected for discussion are taken. A later save from a stale page is refused.
    """
    review = locked_review(review)
    if not review.is_open_for_discussion:
        raise ValidationError(NOT_DISCUSSABLE)
    check_version(review, expected_version)
    try:
        SelfReview._meta.get_field("discussion_notes").clean(notes, review)
    except ValidationError as exc:
        raise ValidationError({"discussion_notes": exc.messages}) from exc
    scale = review.framework_version.rating_scale
    responses = Response.objects.filter(review=review, selected_for_discussion=True).select_related(
        "item"
    )
    changed = []
    for response in responses:
        moderation = moderations.get(response.pk)
        if moderation is None:
            continue
        if (response.moderated_rating, response.moderation_comment) == (
            moderation.rating,
            moderation.comment,
        ):
            continue
        if moderation.rating is not None and scale.level_for(moderation.rating) is None:
            raise ValidationError({"moderated_rating": "Choose an agreed rating from the scale"})
        response.moderated_rating = moderation.rating
        response.moderation_comment = moderation.comment
        response.lock_version += 1
        response.updated_by = user
        response.review = review
        response._history_user = user
        response.full_clean(exclude=["review", "item", "updated_by"])
        response.save()
        changed.append(response)
    first_time = review.is_submitted
    return _step(
        review,
        "discuss",
        user,
        reason=""
        if first_time
        else f"Discussion record updated ({len(changed)} statements changed)",
        changes={
            "discussed_at": discussed_at or review.discussed_at or timezone.now(),
            "discussion_notes": notes,
        },
    )


@transaction.atomic
def review_reopen(*, review: SelfReview, user, reason: str) -> SelfReview:
    """Back to draft so the school can change it; the reason is kept with who and when."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    review = locked_review(review)
    if review.is_draft:
        raise ValidationError(ALREADY_DRAFT)
    previous = review.get_status_display().lower()
    return _step(review, "reopen", user, reason=f"Was {previous}. {reason}")


@transaction.atomic
def review_close(*, review: SelfReview, user, note: str = "") -> SelfReview:
    return _step(review, "close", user, reason=note)


# --- helpers --------------------------------------------------------------------------------------


def locked_review(review: SelfReview) -> SelfReview:
    """The review row, re-read under a row lock: the status checked is the status written."""
    return (
        SelfReview.objects.select_for_update(of=("self",))
        .select_related("school", "framework_version__framework", "academic_year")
        .get(pk=review.pk)
    )


def check_version(review: SelfReview, expected_version: int) -> None:
    if review.lock_version != expected_version:
        raise ReviewConflictError(STALE_REVIEW)


def save_review(review: SelfReview, user) -> SelfReview:
    review.lock_version += 1
    review.updated_by = user if getattr(user, "pk", None) else None
    review._history_user = user
    review.full_clean(
        exclude=[
            "school",
            "framework_version",
            "academic_year",
            "started_by",
            "created_by",
            "updated_by",
            "submitted_by",
            "confirmed_by",
            "prefilled_from",
        ]
    )
    review.save()
    return review


def review_event(review: SelfReview, kind: str, user, note: str = "") -> ReviewEvent:
    """An event that is not a change of status (started, shared): the kit's event row."""
    return review.record_event(kind, user, note, from_status=review.status, to_status=review.status)
