"""Part D: the June/July review of the plan."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from frameworks.reviews.analysis import improvement
from workplans.kit import locked, transition, update_if_version
from workplans.models import (
    PlanAction,
    PlanItem,
    WorkPlan,
)
from workplans.services.common import (
    ACTION_REVIEW_FIELDS,
    NO_RATING_FOR_FREE_TEXT,
    NOT_UNDER_REVIEW,
    PLAN_FK,
    PLAN_REVIEW_FIELDS,
    RATING_NOT_ON_SCALE,
    REVIEW_INCOMPLETE,
    require,
    validate,
)


def plan_start_review(*, plan: WorkPlan, user) -> WorkPlan:
    changes = {}
    if plan.review_date is None:
        changes["review_date"] = timezone.localdate()
    return transition(plan, "start_review", user=user, changes=changes)


def _under_review(plan: WorkPlan, user) -> WorkPlan:
    plan = locked(plan)
    if not plan.is_under_review:
        raise ValidationError(NOT_UNDER_REVIEW)
    require(user, "workplans.review_workplan", plan)
    return plan


@transaction.atomic
def action_review_save(*, action: PlanAction, expected_version: int, user, **fields) -> PlanAction:
    """Outcome, evidence of impact and carry forward of one action."""
    unknown = set(fields) - ACTION_REVIEW_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    _under_review(action.plan, user)
    validate(action, fields, exclude=["plan", "area", "updated_by", "carried_from"])
    return update_if_version(action, expected_version=expected_version, user=user, fields=fields)


@transaction.atomic
def item_review_save(
    *, item: PlanItem, expected_version: int, user, rating_at_review: int | None
) -> PlanItem:
    """The rating now of a linked item, on the review's scale (for "improved by one point")."""
    plan = _under_review(item.plan, user)
    if rating_at_review is not None:
        if item.item_id is None or plan.self_review_id is None or plan.self_review is None:
            raise ValidationError({"rating_at_review": NO_RATING_FOR_FREE_TEXT})
        scale = plan.self_review.framework_version.rating_scale
        if scale.level_for(rating_at_review) is None:
            raise ValidationError({"rating_at_review": RATING_NOT_ON_SCALE})
    return update_if_version(
        item,
        expected_version=expected_version,
        user=user,
        fields={"rating_at_review": rating_at_review},
    )


@transaction.atomic
def plan_review_save(*, plan: WorkPlan, expected_version: int, user, **fields) -> WorkPlan:
    unknown = set(fields) - PLAN_REVIEW_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    plan = _under_review(plan, user)
    validate(plan, fields, exclude=PLAN_FK)
    return update_if_version(plan, expected_version=expected_version, user=user, fields=fields)


def plan_complete_review(*, plan: WorkPlan, user) -> WorkPlan:
    if plan.review_date is None or PlanAction.objects.filter(plan=plan, outcome="").exists():
        raise ValidationError(REVIEW_INCOMPLETE)
    return transition(plan, "complete_review", user=user)


def plan_reopen_review(*, plan: WorkPlan, user, reason: str) -> WorkPlan:
    return transition(plan, "reopen_review", user=user, reason=(reason or "").strip())


def item_improvement(plan: WorkPlan, item: PlanItem) -> int | None:
    """Points better at the review than at the start (direction-aware; lower is better on the
    Hackney grade). The start is the agreed (moderated) rating if the discussion recorded one."""
    if plan.self_review_id is None or item.item_id is None or plan.self_review is None:
        return None
    scale = plan.self_review.framework_version.rating_scale
    start = item.moderated_rating if item.moderated_rating is not None else item.school_rating
    return improvement(scale, start, item.rating_at_review)
