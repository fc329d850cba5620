"""Starting a self-review: a new draft (or the round already started) with one blank response
per item, prefilled from the school's earlier review of the same framework if asked.

Tenant rules are re-checked here: a review's year belongs to its school's LA, and a prefill source
is the same school's review of the same framework.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from frameworks.reference.models import FrameworkVersion, Item
from frameworks.reviews.models import Response, ReviewEvent, SelfReview, exemplar_entries
from frameworks.reviews.services.editing import NOT_DRAFT, locked_review, review_event, save_review

YEAR_OF_OTHER_LA = "Choose an academic year of the school's LA"
PREFILL_OTHER_SCHOOL = "A review can only start from an earlier review of the same school"
PREFILL_OTHER_FRAMEWORK = "A review can only start from an earlier review of the same framework"
# What a prefill copies: the school's own judgements, never the EP's moderation or selections.
PREFILL_FIELDS = ("current_rating", "target_rating", "evidence", "exemplar_marks", "own_evidence")


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
    review_event(review, ReviewEvent.Kind.STARTED, user, note)
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
        created_by=user,
        updated_by=user,
    )
    review.full_clean(
        exclude=[
            "school",
            "framework_version",
            "academic_year",
            "started_by",
            "created_by",
            "updated_by",
        ]
    )
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
    review = locked_review(review)
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
    save_review(review, user)
    return len(changed)
