"""Part A: the discussion record (the plan's items and the meeting fields)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from frameworks.models import Item, Response
from workplans.kit import ConflictError, update_if_version
from workplans.models import (
    PlanAction,
    PlanItem,
    WorkPlan,
)
from workplans.services.common import (
    AGREEMENT_CLEARED,
    ITEM_ALREADY_IN_PLAN,
    ITEM_HAS_ACTIONS,
    ITEM_MEETING_FIELDS,
    ITEM_NOT_IN_FRAMEWORK,
    PLAN_FK,
    PLAN_MEETING_FIELDS,
    TITLE_REQUIRED,
    editable,
    next_position,
    touch,
    validate,
)


@transaction.atomic
def plan_item_add(*, plan: WorkPlan, user, item: Item | None = None, title: str = "") -> PlanItem:
    """Add a statement of the linked review's framework, or a free-text area (`title`)."""
    plan = editable(plan, user)
    row = PlanItem(plan=plan, position=next_position(PlanItem, plan), updated_by=user)
    if item is not None:
        review = plan.self_review
        if review is None or item.version_id != review.framework_version_id:
            raise ValidationError({"item": ITEM_NOT_IN_FRAMEWORK})
        if PlanItem.objects.filter(plan=plan, item=item).exists():
            raise ValidationError({"item": ITEM_ALREADY_IN_PLAN})
        response = Response.objects.filter(review=review, item=item).first()
        row.item = item
        row.title = item.statement[:500]
        if response is not None:
            row.school_rating = response.current_rating
            row.target_rating = response.target_rating
            row.moderated_rating = response.moderated_rating
            row.selected_in_review = response.selected_for_discussion
    else:
        title = (title or "").strip()
        if not title:
            raise ValidationError({"title": TITLE_REQUIRED})
        row.title = title
        row.is_area = True
    row.full_clean(exclude=["plan", "item", "updated_by"])
    row._history_user = user
    row.save()
    touch(plan, user)
    return row


@transaction.atomic
def plan_item_save(*, item: PlanItem, expected_version: int, user, **fields) -> PlanItem:
    """The meeting record of one item: the answers to the two prompts, and whether it is an area."""
    unknown = set(fields) - ITEM_MEETING_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    plan = editable(item.plan, user)
    if "title" in fields and item.item_id is not None:
        fields.pop("title")  # a framework statement keeps its wording
    if "title" in fields and not (fields["title"] or "").strip():
        raise ValidationError({"title": TITLE_REQUIRED})
    if fields.get("is_area") is False and PlanAction.objects.filter(area=item).exists():
        raise ValidationError({"is_area": ITEM_HAS_ACTIONS})
    validate(item, fields, exclude=["plan", "item", "updated_by"])
    item = update_if_version(item, expected_version=expected_version, user=user, fields=fields)
    touch(plan, user)
    return item


@transaction.atomic
def plan_item_remove(*, item: PlanItem, expected_version: int, user) -> None:
    plan = editable(item.plan, user)
    if PlanAction.objects.filter(area=item).exists():
        raise ValidationError(ITEM_HAS_ACTIONS)
    current = PlanItem.objects.select_for_update().get(pk=item.pk)
    if current.lock_version != expected_version:
        raise ConflictError(current)
    current._history_user = user
    current.delete()
    touch(plan, user)


@transaction.atomic
def plan_meeting_save(*, plan: WorkPlan, expected_version: int, user, **fields) -> WorkPlan:
    """The header of the meeting record: date, who took part, notes, the link professional's role."""
    unknown = set(fields) - PLAN_MEETING_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    plan = editable(plan, user)
    validate(plan, fields, exclude=PLAN_FK)
    return update_if_version(
        plan,
        expected_version=expected_version,
        user=user,
        fields={**fields, **AGREEMENT_CLEARED},
    )
