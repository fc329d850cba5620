"""Starting a work plan from the evidence: the assigned EP and the candidate rows of a
submitted self-review."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from frameworks.models import Response, SelfReview
from schools.models import EPAssignment
from sendreview.roles import workplan_side
from workplans.models import (
    EventKind,
    PlanItem,
    PlanStatus,
    Side,
    WorkPlan,
)
from workplans.services.common import (
    EP_NOT_ASSIGNED,
    GAP_ORDERED_FRAMEWORKS,
    PLAN_EXISTS,
    REVIEW_NOT_SUBMITTED,
    REVIEW_OTHER_SCHOOL,
    YEAR_OF_OTHER_LA,
    bulk_create,
)


def assigned_ep(*, school, academic_year):
    """The EP assigned to the school that year (the first, if the LA assigned several)."""
    assignment = (
        EPAssignment.objects.filter(school=school, academic_year=academic_year)
        .select_related("ep")
        .order_by("pk")
        .first()
    )
    return assignment.ep if assignment else None


def candidate_rows(review: SelfReview) -> list[Response]:
    """The review's responses in the order a plan takes them: selected items first, then the rest
    that have room to improve; within each, by gap (key statements) or by rating, weakest first."""
    scale = review.framework_version.rating_scale
    by_gap = review.framework_version.framework.code in GAP_ORDERED_FRAMEWORKS
    responses = list(
        Response.objects.filter(review=review)
        .select_related("item__section")
        .order_by("item__section__position", "item__position")
    )

    def weakness(r: Response) -> float:
        if by_gap:
            rating = r.moderated_rating if r.moderated_rating is not None else r.current_rating
            g = _gap(scale, rating, r.target_rating)
            return -(g if g is not None else -1)
        score = scale.normalise(
            r.moderated_rating if r.moderated_rating is not None else r.current_rating
        )
        return 2.0 if score is None else score

    def has_room(r: Response) -> bool:
        score = scale.normalise(r.current_rating)
        return score is not None and score < 1.0

    selected = sorted((r for r in responses if r.selected_for_discussion), key=weakness)
    others = sorted(
        (r for r in responses if not r.selected_for_discussion and has_room(r)), key=weakness
    )
    return selected + others


def _gap(scale, current, target):
    from frameworks.reviews.analysis import gap

    return gap(scale, current, target)


@transaction.atomic
def plan_start(
    *, school, academic_year, user, self_review: SelfReview | None = None, carried_from=None
) -> WorkPlan:
    """A draft plan for the school and year; with a review, its selected items come in first."""
    if academic_year.la_id != school.la_id:
        raise ValidationError({"academic_year": YEAR_OF_OTHER_LA})
    if WorkPlan.objects.filter(school=school, academic_year=academic_year).exists():
        raise ValidationError({"academic_year": PLAN_EXISTS})
    if self_review is not None:
        if self_review.school_id != school.pk:
            raise ValidationError({"self_review": REVIEW_OTHER_SCHOOL})
        if self_review.is_draft:
            raise ValidationError({"self_review": REVIEW_NOT_SUBMITTED})
    side = workplan_side(user) or Side.SCHOOL
    ep = assigned_ep(school=school, academic_year=academic_year)
    if side == Side.EP:
        if not EPAssignment.objects.filter(
            ep=user, school=school, academic_year=academic_year
        ).exists():
            raise ValidationError({"academic_year": EP_NOT_ASSIGNED})
        ep = user
    plan = WorkPlan(
        school=school,
        academic_year=academic_year,
        status=PlanStatus.DRAFT,
        ep=ep,
        self_review=self_review,
        author_side=side,
        created_by=user,
        updated_by=user,
        carried_from=carried_from,
    )
    plan.full_clean(
        exclude=[
            "school",
            "academic_year",
            "ep",
            "self_review",
            "created_by",
            "updated_by",
            "carried_from",
        ]
    )
    plan._history_user = user
    plan.save()
    if self_review is not None:
        selected = [r for r in candidate_rows(self_review) if r.selected_for_discussion]
        items = [
            PlanItem(
                plan=plan,
                position=index,
                item=r.item,
                title=r.item.statement[:500],
                school_rating=r.current_rating,
                target_rating=r.target_rating,
                moderated_rating=r.moderated_rating,
                selected_in_review=True,
                updated_by=user,
            )
            for index, r in enumerate(selected, start=1)
        ]
        bulk_create(items, PlanItem, user)
    note = f"From {self_review.title}" if self_review else "Without a self-review"
    plan.record_event(EventKind.STARTED, user, note, to_status=PlanStatus.DRAFT)
    return plan
