"""The self-review's states and steps, declared once for the document kit's state machine.

draft → submitted (the headteacher may be asked to confirm, and confirm) → discussed → closed;
re-opening goes back to draft from any later state, with a reason. `transition()` (sendreview.
documents.workflow) locks the row, checks the state and the permission, applies the step's
effects, bumps the lock version, saves with history and records a ReviewEvent (from → to, reason).
"""

from __future__ import annotations

from django.utils import timezone

from sendreview.documents.workflow import Transition, Workflow

DRAFT, SUBMITTED, DISCUSSED, CLOSED = "draft", "submitted", "discussed", "closed"

# Messages as constants so that tests can assert them exactly.
ALREADY_SUBMITTED = "This review has already been submitted"
NOT_SUBMITTED = "Only a submitted review can do this"
CONFIRMATION_NOT_REQUESTED = "The headteacher has not been asked to confirm this review"
ALREADY_CONFIRMED = "This review has already been confirmed"
CONFIRMATION_ALREADY_REQUESTED = "The headteacher has already been asked to confirm this review"
NOT_DISCUSSABLE = "A discussion can only be recorded for a submitted review"
NOT_DISCUSSED = "Record the discussion before closing the review"
ALREADY_DRAFT = "This review is already open for changes"
REASON_REQUIRED = "Enter why the review is being re-opened"


def _submitted(review, user) -> None:
    review.submitted_by = user
    review.submitted_at = timezone.now()


def _confirmation_requestable(review) -> str | None:
    if review.confirmed_at:
        return ALREADY_CONFIRMED
    if review.headteacher_confirmation_requested:
        return CONFIRMATION_ALREADY_REQUESTED
    return None


def _confirmable(review) -> str | None:
    if review.confirmed_at:
        return ALREADY_CONFIRMED
    if not review.headteacher_confirmation_requested:
        return CONFIRMATION_NOT_REQUESTED
    return None


def _confirmation_requested(review, user) -> None:
    review.headteacher_confirmation_requested = True


def _confirmed(review, user) -> None:
    review.confirmed_by = user
    review.confirmed_at = timezone.now()


def _reopened(review, user) -> None:
    # A confirmation was of the submitted answers; once they can change it no longer holds.
    review.headteacher_confirmation_requested = False
    review.confirmed_by = None
    review.confirmed_at = None


REVIEW_WORKFLOW = Workflow(
    [
        Transition(
            "submit",
            sources=(DRAFT,),
            target=SUBMITTED,
            permission="frameworks.submit_review",
            label="Check and submit",
            event_kind="submitted",
            not_allowed_message=ALREADY_SUBMITTED,
            effects=_submitted,
        ),
        Transition(
            "request_confirmation",
            sources=(SUBMITTED,),
            target=None,
            permission="frameworks.request_review_confirmation",
            label="Ask the headteacher to confirm",
            event_kind="confirmation_requested",
            not_allowed_message=NOT_SUBMITTED,
            guard=_confirmation_requestable,
            effects=_confirmation_requested,
        ),
        Transition(
            "confirm",
            sources=(SUBMITTED,),
            target=None,
            permission="frameworks.confirm_review",
            label="Confirm this review",
            event_kind="confirmed",
            not_allowed_message=NOT_SUBMITTED,
            guard=_confirmable,
            effects=_confirmed,
        ),
        Transition(
            "discuss",
            sources=(SUBMITTED, DISCUSSED),
            target=DISCUSSED,
            permission="frameworks.record_discussion",
            label="Record the discussion",
            event_kind="discussed",
            not_allowed_message=NOT_DISCUSSABLE,
        ),
        Transition(
            "reopen",
            sources=(SUBMITTED, DISCUSSED, CLOSED),
            target=DRAFT,
            permission="frameworks.reopen_review",
            label="Re-open for changes",
            event_kind="reopened",
            needs_reason=True,
            reason_message=REASON_REQUIRED,
            not_allowed_message=ALREADY_DRAFT,
            effects=_reopened,
        ),
        Transition(
            "close",
            sources=(DISCUSSED,),
            target=CLOSED,
            permission="frameworks.close_review",
            label="Close the review",
            event_kind="closed",
            not_allowed_message=NOT_DISCUSSED,
        ),
    ]
)
