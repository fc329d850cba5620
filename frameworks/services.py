"""Writes about self-reviews: starting, prefilling, saving responses and moving through the workflow.

Every write runs in a transaction, re-checks the tenant rules (a review's year belongs to its
school's LA; a prefill source is the same school's review of the same framework) and the status
it needs, and leaves a ReviewEvent for each step of the workflow. Who may call what is decided by
the permission predicates in sendreview.roles before a view gets here.

Lost updates: `response_save` claims the row with `UPDATE … WHERE lock_version = <expected>`; of
two saves made from the same version exactly one matches, the other gets a ConflictError carrying
the values now stored, so the user can be shown both (QUALITY.md §12).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from frameworks.models import (
    FrameworkVersion,
    Item,
    Response,
    ReviewEvent,
    ReviewStatus,
    SelfReview,
    exemplar_entries,
)
from sendreview.documents import locking

# Messages as constants so that tests can assert them exactly.
NOT_DRAFT = "This review has been submitted, so it cannot be changed. Re-open it to change it."
ALREADY_SUBMITTED = "This review has already been submitted"
NOT_SUBMITTED = "Only a submitted review can do this"
CONFIRMATION_NOT_REQUESTED = "The headteacher has not been asked to confirm this review"
ALREADY_CONFIRMED = "This review has already been confirmed"
CONFIRMATION_ALREADY_REQUESTED = "The headteacher has already been asked to confirm this review"
NOT_DISCUSSABLE = "A discussion can only be recorded for a submitted review"
NOT_DISCUSSED = "Record the discussion before closing the review"
ALREADY_DRAFT = "This review is already open for changes"
REASON_REQUIRED = "Enter why the review is being re-opened"
YEAR_OF_OTHER_LA = "Choose an academic year of the school's LA"
PREFILL_OTHER_SCHOOL = "A review can only start from an earlier review of the same school"
PREFILL_OTHER_FRAMEWORK = "A review can only start from an earlier review of the same framework"
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
# What a prefill copies: the school's own judgements, never the EP's moderation or selections.
PREFILL_FIELDS = ("current_rating", "target_rating", "evidence", "exemplar_marks", "own_evidence")


class ConflictError(Exception):
    """A save made from a stale version: `current` is the row as it is now stored."""

    def __init__(self, current: Response):
        super().__init__(current.pk)
        self.current = current

    def __str__(self) -> str:
        return "The response was changed by someone else since it was loaded"

    @property
    def current_values(self) -> dict:
        return {name: getattr(self.current, name) for name in RESPONSE_FIELDS}


class ReviewConflictError(Exception):
    """A review-level save (discussion, judgement) made from a stale `lock_version`."""


# --- starting -------------------------------------------------------------------------------------


def previous_review(
    *, school, framework_version: FrameworkVersion, exclude=None
) -> SelfReview | None:
    """The school's latest review of the same framework (any version): the prefill candidate."""
    qs = SelfReview.objects.filter(
        school=school, framework_version__framework_id=framework_version.framework_id
    )
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.order_by("-academic_year__start_year", "-round", "-created_at").first()


def reviews_of_framework_year(*, school, framework_id: int, academic_year) -> list[SelfReview]:
    """The school's reviews of one framework (any version) in one year, by round."""
    return list(
        SelfReview.objects.filter(
            school=school,
            framework_version__framework_id=framework_id,
            academic_year=academic_year,
        ).order_by("round", "created_at")
    )


@transaction.atomic
def review_start(
    *,
    school,
    framework_version: FrameworkVersion,
    academic_year,
    user,
    prefill_from: SelfReview | None = None,
    round: int | None = None,
) -> SelfReview:
    """Create a draft review with one blank response per item (prefilled if asked).

    `round`: the round the user chose to start (the view asks before a second round). If that
    round exists already (a double submit, or two people at once), it is returned, not repeated.
    Without it the next round number is taken.
    """
    if academic_year.la_id != school.la_id:
        raise ValidationError({"academic_year": YEAR_OF_OTHER_LA})
    if prefill_from is not None:
        _check_prefill_source(
            school=school, framework_version=framework_version, source=prefill_from
        )
    if round is not None:
        existing = _round_of(school, framework_version, academic_year, round)
        if existing is not None:
            return existing
    for _attempt in range(3):
        try:
            with transaction.atomic():
                review = _create_review(school, framework_version, academic_year, user, round)
            break
        except IntegrityError:
            if round is not None:
                existing = _round_of(school, framework_version, academic_year, round)
                if existing is not None:
                    return existing
            # Two people started a round at the same moment: take the next number.
            continue
    else:
        raise ValidationError("The review could not be started. Try again.")
    items = list(
        Item.objects.filter(version=framework_version).order_by("section__position", "position")
    )
    bulk_create_with_history(
        [Response(review=review, item=item, updated_by=user) for item in items],
        Response,
        default_user=user,
    )
    note = ""
    if prefill_from is not None:
        count = review_prefill(review=review, source=prefill_from, user=user)
        note = f"Started from {prefill_from.title} ({count} statements filled in)"
    _event(review, ReviewEvent.Kind.STARTED, user, note)
    return review


def _round_of(school, framework_version, academic_year, round: int) -> SelfReview | None:
    return SelfReview.objects.filter(
        school=school,
        framework_version__framework_id=framework_version.framework_id,
        academic_year=academic_year,
        round=round,
    ).first()


def _create_review(school, framework_version, academic_year, user, round=None) -> SelfReview:
    # Rounds count the reviews of the framework (any version) in the year.
    latest = SelfReview.objects.filter(
        school=school,
        framework_version__framework_id=framework_version.framework_id,
        academic_year=academic_year,
    ).aggregate(m=Max("round"))["m"]
    review = SelfReview(
        school=school,
        framework_version=framework_version,
        academic_year=academic_year,
        round=round or (latest or 0) + 1,
        started_by=user,
    )
    review.full_clean(exclude=["school", "framework_version", "academic_year", "started_by"])
    review._history_user = user
    review.save()
    return review


def _check_prefill_source(*, school, framework_version, source: SelfReview) -> None:
    if source.school_id != school.pk:
        raise ValidationError({"prefill_from": PREFILL_OTHER_SCHOOL})
    if source.framework_version.framework_id != framework_version.framework_id:
        raise ValidationError({"prefill_from": PREFILL_OTHER_FRAMEWORK})


@transaction.atomic
def review_prefill(*, review: SelfReview, source: SelfReview, user) -> int:
    """Copy ratings, targets, evidence and marks from an earlier review into the blank responses.

    Items are matched by code, so a source made with an older version of the framework works too;
    a value the new version's scale or exemplars do not have is left out rather than guessed.
    Responses the school has already filled in are never overwritten. Returns how many were filled.
    """
    review = _locked(review)
    if not review.is_draft:
        raise ValidationError(NOT_DRAFT)
    _check_prefill_source(
        school=review.school, framework_version=review.framework_version, source=source
    )
    if source.pk == review.pk:
        raise ValidationError({"prefill_from": PREFILL_OTHER_SCHOOL})
    scale = review.framework_version.rating_scale
    allowed = {value for value, _ in scale.choices()}
    previous = {
        r.item.code: r for r in Response.objects.filter(review=source).select_related("item")
    }
    changed = []
    for response in Response.objects.filter(review=review).select_related("item"):
        old = previous.get(response.item.code)
        if old is None or old.is_blank or not response.is_blank:
            continue
        keys = {key for key, _, _ in exemplar_entries(response.item)}
        response.current_rating = old.current_rating if old.current_rating in allowed else None
        response.target_rating = (
            old.target_rating if scale.asks_target and old.target_rating in scale.values() else None
        )
        response.evidence = old.evidence
        response.exemplar_marks = {k: v for k, v in old.exemplar_marks.items() if k in keys}
        response.own_evidence = list(old.own_evidence)
        response.lock_version += 1
        response.updated_by = user
        response.updated_at = timezone.now()
        changed.append(response)
    if changed:
        bulk_update_with_history(
            changed,
            Response,
            [*PREFILL_FIELDS, "lock_version", "updated_by", "updated_at"],
            default_user=user,
            default_change_reason="prefilled",
        )
    review.prefilled_from = source
    _save(review, user)
    return len(changed)


# --- responses ------------------------------------------------------------------------------------


@transaction.atomic
def response_save(*, response: Response, expected_version: int, user, **fields) -> Response:
    """Save the fields of one response made from `expected_version`; refuse a stale one.

    Raises ConflictError (nothing written) when someone saved the response since that version,
    ValidationError when the review is no longer a draft or a value is not allowed.
    """
    unknown = set(fields) - RESPONSE_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    # Lock the review row first (as the workflow steps do), so that a save cannot slip in after
    # the review was submitted in another tab.
    review = (
        SelfReview.objects.select_for_update(of=("self",))
        .select_related("framework_version")
        .get(pk=response.review_id)
    )
    if not review.is_draft:
        raise ValidationError(NOT_DRAFT)
    # `_base_manager`: a plain `UPDATE … WHERE id = %s AND lock_version = %s`. The scoped manager
    # would add its tenant joins as a subquery, whose row is not re-checked after waiting for a
    # concurrent writer; the row itself came through the scope above.
    claimed = Response._base_manager.filter(pk=response.pk, lock_version=expected_version).update(
        lock_version=expected_version + 1
    )
    if not claimed:
        raise ConflictError(
            Response.objects.select_related("updated_by", "item").get(pk=response.pk)
        )
    for name, value in fields.items():
        setattr(response, name, value)
    response.review = review
    response.lock_version = expected_version + 1
    response.updated_by = user
    response._history_user = user
    response.full_clean(exclude=["review", "item", "updated_by"])
    response.save()
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
    review = _locked(review)
    if not review.is_draft:
        raise ValidationError(NOT_DRAFT)
    _check_version(review, expected_version)
    review.overall_judgement = overall_judgement
    return _save(review, user)


# --- sharing a draft --------------------------------------------------------------------------------

ALREADY_SHARED = "This draft is already shared with your EP"
NOT_SHARED = "This draft is not shared with your EP"


@transaction.atomic
def review_share_with_ep(*, review: SelfReview, user, shared: bool) -> SelfReview:
    """Share a draft's answers with the school's EP, or stop sharing them (recorded each time)."""
    review = _locked(review)
    if not review.is_draft:
        raise ValidationError(NOT_DRAFT)
    if review.shared_with_ep == shared:
        raise ValidationError(ALREADY_SHARED if shared else NOT_SHARED)
    review.shared_with_ep = shared
    _save(review, user)
    _event(review, ReviewEvent.Kind.SHARED if shared else ReviewEvent.Kind.UNSHARED, user)
    return review


# --- workflow -------------------------------------------------------------------------------------


@transaction.atomic
def review_submit(*, review: SelfReview, user, request_confirmation: bool = False) -> SelfReview:
    """draft → submitted; from here on the school's answers are read-only until re-opened."""
    review = _locked(review)
    if not review.is_draft:
        raise ValidationError(ALREADY_SUBMITTED)
    review.status = ReviewStatus.SUBMITTED
    review.submitted_by = user
    review.submitted_at = timezone.now()
    _save(review, user)
    _event(review, ReviewEvent.Kind.SUBMITTED, user)
    if request_confirmation:
        review = review_request_confirmation(review=review, user=user)
    return review


@transaction.atomic
def review_request_confirmation(*, review: SelfReview, user) -> SelfReview:
    review = _locked(review)
    if not review.is_submitted:
        raise ValidationError(NOT_SUBMITTED)
    if review.confirmed_at:
        raise ValidationError(ALREADY_CONFIRMED)
    if review.headteacher_confirmation_requested:
        raise ValidationError(CONFIRMATION_ALREADY_REQUESTED)
    review.headteacher_confirmation_requested = True
    _save(review, user)
    _event(review, ReviewEvent.Kind.CONFIRMATION_REQUESTED, user)
    return review


@transaction.atomic
def review_confirm(*, review: SelfReview, user) -> SelfReview:
    review = _locked(review)
    if not review.is_submitted:
        raise ValidationError(NOT_SUBMITTED)
    if review.confirmed_at:
        raise ValidationError(ALREADY_CONFIRMED)
    if not review.headteacher_confirmation_requested:
        raise ValidationError(CONFIRMATION_NOT_REQUESTED)
    review.confirmed_by = user
    review.confirmed_at = timezone.now()
    _save(review, user)
    _event(review, ReviewEvent.Kind.CONFIRMED, user)
    return review


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
    review = _locked(review)
    if not review.is_open_for_discussion:
        raise ValidationError(NOT_DISCUSSABLE)
    _check_version(review, expected_version)
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
    review.status = ReviewStatus.DISCUSSED
    review.discussed_at = discussed_at or review.discussed_at or timezone.now()
    review.discussion_notes = notes
    _save(review, user)
    _event(
        review,
        ReviewEvent.Kind.DISCUSSED,
        user,
        "" if first_time else f"Discussion record updated ({len(changed)} statements changed)",
    )
    return review


@transaction.atomic
def review_reopen(*, review: SelfReview, user, reason: str) -> SelfReview:
    """Back to draft so the school can change it; the reason is kept with who and when."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    review = _locked(review)
    if review.is_draft:
        raise ValidationError(ALREADY_DRAFT)
    previous = review.get_status_display().lower()
    review.status = ReviewStatus.DRAFT
    # A confirmation was of the submitted answers; once they can change it no longer holds.
    review.headteacher_confirmation_requested = False
    review.confirmed_by = None
    review.confirmed_at = None
    _save(review, user)
    _event(review, ReviewEvent.Kind.REOPENED, user, f"Was {previous}. {reason}")
    return review


@transaction.atomic
def review_close(*, review: SelfReview, user, note: str = "") -> SelfReview:
    review = _locked(review)
    if not review.is_discussed:
        raise ValidationError(NOT_DISCUSSED)
    review.status = ReviewStatus.CLOSED
    _save(review, user)
    _event(review, ReviewEvent.Kind.CLOSED, user, note)
    return review


# --- helpers --------------------------------------------------------------------------------------


def _locked(review: SelfReview) -> SelfReview:
    """The review row, re-read under a row lock: the status checked is the status written."""
    return (
        SelfReview.objects.select_for_update(of=("self",))
        .select_related("school", "framework_version__framework", "academic_year")
        .get(pk=review.pk)
    )


def _check_version(review: SelfReview, expected_version: int) -> None:
    if review.lock_version != expected_version:
        raise ReviewConflictError(STALE_REVIEW)


def _save(review: SelfReview, user) -> SelfReview:
    review.lock_version += 1
    review._history_user = user
    review.full_clean(
        exclude=[
            "school",
            "framework_version",
            "academic_year",
            "started_by",
            "submitted_by",
            "confirmed_by",
            "prefilled_from",
        ]
    )
    review.save()
    return review


def _event(review: SelfReview, kind: str, user, note: str = "") -> ReviewEvent:
    return ReviewEvent.objects.create(review=review, kind=kind, by=user, note=note[:2000])


# --- the LA's choice of frameworks -------------------------------------------------------------------

NOT_PUBLISHED = "Choose frameworks that have a published version"


@transaction.atomic
def la_frameworks_set(*, la, frameworks, user=None) -> list:
    """Make `frameworks` exactly the LA's chosen ones (none chosen: every published one is offered).

    Rows are added and removed one by one so that each change is kept in the history with who made
    it. Returns the chosen frameworks, by name.
    """
    from frameworks.models import LAFramework

    wanted = {fw.pk: fw for fw in frameworks}
    unpublished = [fw for fw in wanted.values() if not fw.versions.exists()]
    if unpublished:
        raise ValidationError({"frameworks": NOT_PUBLISHED})
    existing = {
        row.framework_id: row for row in LAFramework.objects.select_for_update().filter(la=la)
    }
    for framework_id, row in existing.items():
        if framework_id not in wanted:
            row._history_user = user
            row.delete()
    for framework_id, framework in wanted.items():
        if framework_id not in existing:
            row = LAFramework(la=la, framework=framework)
            row.full_clean()
            row._history_user = user
            row.save()
    return sorted(wanted.values(), key=lambda fw: fw.name)
