"""Part B: the plan's actions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from workplans.kit import ConflictError, update_if_version
from workplans.models import (
    PlanAction,
    PlanItem,
    WorkPlan,
)
from workplans.services.common import (
    ACTION_FIELDS,
    AREA_NOT_AREA,
    AREA_OTHER_PLAN,
    editable,
    next_position,
    touch,
    validate,
)


def _check_area(plan: WorkPlan, area: PlanItem) -> None:
    if area.plan_id != plan.pk:
        raise ValidationError({"area": AREA_OTHER_PLAN})
    if not area.is_area:
        raise ValidationError({"area": AREA_NOT_AREA})


@transaction.atomic
def action_add(*, plan: WorkPlan, user, **fields) -> PlanAction:
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be set here")
    plan = editable(plan, user)
    _check_area(plan, fields["area"])
    action = PlanAction(
        plan=plan, position=next_position(PlanAction, plan), updated_by=user, **fields
    )
    action.full_clean(exclude=["plan", "updated_by", "carried_from"])
    action._history_user = user
    action.save()
    touch(plan, user)
    return action


@transaction.atomic
def action_save(*, action: PlanAction, expected_version: int, user, **fields) -> PlanAction:
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise ValueError(f"{sorted(unknown)} cannot be changed here")
    plan = editable(action.plan, user)
    if "area" in fields:
        _check_area(plan, fields["area"])
        fields["area_id"] = fields.pop("area").pk
    validate(action, fields, exclude=["plan", "updated_by", "carried_from"])
    action = update_if_version(action, expected_version=expected_version, user=user, fields=fields)
    touch(plan, user)
    return action


@transaction.atomic
def action_remove(*, action: PlanAction, expected_version: int, user) -> None:
    plan = editable(action.plan, user)
    current = PlanAction.objects.select_for_update().get(pk=action.pk)
    if current.lock_version != expected_version:
        raise ConflictError(current)
    current._history_user = user
    current.delete()
    touch(plan, user)
